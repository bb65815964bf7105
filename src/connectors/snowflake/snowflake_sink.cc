#include "connectors/snowflake/snowflake_sink.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <thread>

#include "base/ascii.h"
#include "base/log.h"
#include "clients/snowflake/keypair_jwt.h"
#include "clients/snowflake/sql_api.h"
#include "clients/snowflake/streaming_client.h"
#include "connectors/registry.h"

namespace rivven {
namespace snowflake {
namespace {

constexpr std::string_view kLog = "snowflake";
/// Rows of one append, as sent: Snowpipe Streaming takes at most 4 MB per request.
constexpr size_t kMaxAppendBytes = 4000000;

SnowflakeConnection ConnectionOf(const SnowflakeSinkConfig& c) {
  SnowflakeConnection s;
  s.account = c.account;
  s.base_url = c.url;
  s.user = c.user;
  s.role = c.role;
  s.warehouse = c.warehouse;
  s.database = StoredName(c.database);
  s.schema = StoredName(c.schema);
  s.timeout = c.timeout;
  s.max_attempts = static_cast<int>(c.max_attempts);
  s.verify_tls = c.verify_tls;
  s.ca_path = c.ca_path;
  s.tls_owner = c.tls_owner;
  return s;
}

std::string Compact(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

/// "does not exist" errors of DESCRIBE TABLE (SQL state 42S02).
bool IsMissingTable(const Status& s) {
  return s.message().find("42S02") != std::string::npos ||
         s.message().find("does not exist") != std::string::npos;
}

std::vector<Binding> ToBindings(const std::vector<BoundValue>& values) {
  std::vector<Binding> out;
  out.reserve(values.size());
  for (const BoundValue& v : values) out.push_back(Binding{v.type, v.value});
  return out;
}

}  // namespace

std::string SnowflakeSink::ChannelName(std::string_view connector, std::string_view topic,
                                       int32_t partition) {
  std::string name = std::string(connector) + "_" + std::string(topic) + "_" +
                     std::to_string(partition);
  for (char& c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) c = '_';
  }
  return AsciiUpper(name);
}

SnowflakeSink::SnowflakeSink(SnowflakeSinkConfig config, std::string connector_name,
                             RecordErrorHandler* errors)
    : config_(std::move(config)), connector_name_(std::move(connector_name)), errors_(errors) {
  table_sql_ = QualifiedName(config_.database, config_.schema, config_.table);
  for (const std::string& k : config_.key_columns) key_columns_.push_back(StoredName(k));
}

SnowflakeSink::~SnowflakeSink() = default;

Status SnowflakeSink::Open() {
  RC_ASSIGN_OR_RETURN(jwt_, KeyPairJwt::Load(config_.account, config_.user,
                                              config_.private_key_path,
                                              config_.private_key_passphrase));
  RC_ASSIGN_OR_RETURN(sql_, SqlApi::Create(ConnectionOf(config_), jwt_.get()));
  if (config_.mode == LoadMode::kStreaming) {
    RC_ASSIGN_OR_RETURN(streaming_, StreamingClient::Create(ConnectionOf(config_), jwt_.get()));
  }
  partitions_.clear();
  columns_.clear();
  return Status::Ok();
}

Status SnowflakeSink::Reject(const ConsumedRecord& r, const std::string& why) {
  counters_.rejected++;
  const std::string reason = "snowflake table " + table_sql_ + ": " + why;
  if (errors_ == nullptr) {
    return Status::FailedPrecondition(reason + " (record " + RecordPosition(r) + ")");
  }
  return errors_->Reject(RejectedSinkRecord(r, reason));
}

Status SnowflakeSink::Write(const std::vector<ConsumedRecord>& records) {
  Partition* p = nullptr;
  const TopicPartition* tp = nullptr;
  for (const ConsumedRecord& r : records) {
    if (tp == nullptr || tp->second != r.partition || tp->first != r.topic) {
      auto it = partitions_.try_emplace({r.topic, r.partition}).first;
      tp = &it->first;
      p = &it->second;
    }
    if (p->pending.empty()) p->first_pending_at = std::chrono::steady_clock::now();
    p->pending.push_back(r);
    if (static_cast<int64_t>(p->pending.size()) >= config_.batch_size) {
      RC_RETURN_IF_ERROR(Load(*tp, *p));
    }
  }
  return LoadDue(false);
}

Status SnowflakeSink::LoadDue(bool everything) {
  const auto now = std::chrono::steady_clock::now();
  for (auto& [tp, p] : partitions_) {
    if (!p.pending.empty() && (everything || now - p.first_pending_at >= config_.batch_timeout)) {
      RC_RETURN_IF_ERROR(Load(tp, p));
    }
  }
  return Status::Ok();
}

Status SnowflakeSink::Load(const TopicPartition& tp, Partition& p) {
  std::vector<ConsumedRecord> batch = std::move(p.pending);
  p.pending.clear();
  if (config_.mode == LoadMode::kStreaming) return LoadStreaming(tp, p, std::move(batch));
  return LoadStatements(std::move(batch));
}

Status SnowflakeSink::Flush() {
  RC_RETURN_IF_ERROR(LoadDue(false));
  return WaitForCommit(false);
}

Status SnowflakeSink::FlushAll() {
  RC_RETURN_IF_ERROR(LoadDue(true));
  return WaitForCommit(true);
}

std::optional<Offset> SnowflakeSink::FirstHeld(const std::string& topic, int32_t partition) const {
  auto it = partitions_.find({topic, partition});
  if (it == partitions_.end()) return std::nullopt;
  const Partition& p = it->second;
  std::optional<Offset> first;
  if (!p.pending.empty()) first = p.pending.front().offset;
  // Appended but not committed by Snowflake yet: held from just after its commit.
  if (p.appended && (!p.committed || *p.committed < *p.appended)) {
    const Offset from(p.committed ? *p.committed + 1 : 0);
    if (!first || from < *first) first = from;
  }
  return first;
}

Status SnowflakeSink::Close() {
  partitions_.clear();  // not loaded: not committed either, and read again
  streaming_.reset();
  sql_.reset();
  jwt_.reset();
  return Status::Ok();
}

// --- streaming ---------------------------------------------------------------------------------

Status SnowflakeSink::OpenChannel(const TopicPartition& tp, Partition& p) {
  const std::string channel = ChannelName(connector_name_, tp.first, tp.second);
  RC_ASSIGN_OR_RETURN(ChannelState state,
                      streaming_->OpenChannel(StoredName(config_.database),
                                              StoredName(config_.schema),
                                              DefaultPipeName(StoredName(config_.table)), channel));
  p.channel_open = true;
  p.continuation_token = state.continuation_token;
  p.committed.reset();
  if (state.last_committed_offset_token) {
    try {
      p.committed = std::stoll(*state.last_committed_offset_token);
    } catch (const std::exception&) {
      return Status::FailedPrecondition("channel " + channel + " of " + table_sql_ +
                                        " has offset token '" +
                                        *state.last_committed_offset_token +
                                        "', which is not an offset of this sink");
    }
  }
  if (p.appended && p.committed && *p.committed >= *p.appended) p.appended.reset();
  log::Info(kLog, "channel {} open; committed offset {}", channel,
            p.committed ? std::to_string(*p.committed) : "none");
  return Status::Ok();
}

Status SnowflakeSink::LoadStreaming(const TopicPartition& tp, Partition& p,
                                    std::vector<ConsumedRecord> batch) {
  // The table's columns: rows that cannot fit go to on_error here, as Snowpipe Streaming would
  // skip them without a word (ON_ERROR = CONTINUE).
  RC_RETURN_IF_ERROR(EnsureTable(batch));
  if (!p.channel_open) RC_RETURN_IF_ERROR(OpenChannel(tp, p));
  return AppendRows(tp, p, batch);
}

Status SnowflakeSink::AppendRows(const TopicPartition& tp, Partition& p,
                                 const std::vector<ConsumedRecord>& batch) {
  const std::string channel = ChannelName(connector_name_, tp.first, tp.second);
  int reopens = 0;
  size_t i = 0;
  while (i < batch.size()) {
    // One append: rows from i on, up to the payload limit.
    std::string ndjson;
    size_t rows = 0, j = i;
    std::optional<int64_t> last;
    for (; j < batch.size() && ndjson.size() < kMaxAppendBytes; ++j) {
      const ConsumedRecord& r = batch[j];
      if (p.committed && r.offset.value() <= *p.committed) {
        counters_.skipped_committed++;
        continue;
      }
      if (p.appended && r.offset.value() <= *p.appended) continue;  // sent before a reopen
      auto row = r.record.value ? StreamingRow(*r.record.value)
                                : Result<std::string>(Status::InvalidArgument("a null value"));
      if (Status fits = row.ok() ? CheckRowFits(*r.record.value, columns_) : row.status();
          !fits.ok()) {
        RC_RETURN_IF_ERROR(Reject(r, fits.message()));
        continue;
      }
      if (rows > 0 && ndjson.size() + row->size() + 1 > kMaxAppendBytes) break;
      ndjson += *row;
      ndjson += '\n';
      ++rows;
      last = r.offset.value();
    }
    if (rows == 0) {
      i = j;
      continue;
    }
    auto next = streaming_->AppendRows(StoredName(config_.database), StoredName(config_.schema),
                                       DefaultPipeName(StoredName(config_.table)), channel,
                                       p.continuation_token, std::to_string(*last), ndjson);
    if (next.ok()) {
      p.continuation_token = *next;
      p.appended = *last;
      counters_.loads++;
      counters_.rows += rows;
      i = j;
      continue;
    }
    if (IsStaleContinuation(next.status()) && reopens++ < 3) {
      // Another client (or our earlier self, whose answer was lost) moved the channel on:
      // reopen, and send again only what Snowflake has not committed.
      counters_.channel_reopens++;
      log::Warn(kLog, "channel {}: {}; reopening", channel, next.status().ToString());
      p.appended.reset();
      RC_RETURN_IF_ERROR(OpenChannel(tp, p));
      continue;
    }
    return next.status().WithContext("appending to channel " + channel);
  }
  return Status::Ok();
}

Status SnowflakeSink::WaitForCommit(bool everything) {
  if (config_.mode != LoadMode::kStreaming) return Status::Ok();
  const auto deadline = std::chrono::steady_clock::now() + config_.commit_wait;
  for (auto& [tp, p] : partitions_) {
    while (p.appended && (!p.committed || *p.committed < *p.appended)) {
      const std::string channel = ChannelName(connector_name_, tp.first, tp.second);
      RC_ASSIGN_OR_RETURN(std::optional<std::string> token,
                          streaming_->CommittedOffsetToken(StoredName(config_.database),
                                                           StoredName(config_.schema),
                                                           DefaultPipeName(StoredName(config_.table)),
                                                           channel));
      if (token) {
        try {
          p.committed = std::stoll(*token);
        } catch (const std::exception&) {
          return Status::FailedPrecondition("channel " + channel + " has offset token '" +
                                            *token + "', which is not an offset of this sink");
        }
      }
      if (p.committed && *p.committed >= *p.appended) break;
      if (!everything) break;  // held (FirstHeld) until a later flush sees the commit
      if (std::chrono::steady_clock::now() >= deadline) {
        return Status::Unavailable("Snowflake has not committed channel " + channel +
                                   " up to offset " + std::to_string(*p.appended) + " within " +
                                   std::to_string(config_.commit_wait.count() / 1000) + " s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return Status::Ok();
}

// --- table -------------------------------------------------------------------------------------

Result<std::optional<std::pair<std::string, char>>> SnowflakeSink::MergeImage(
    const ConsumedRecord& r) const {
  if (!r.record.value) return std::optional<std::pair<std::string, char>>();  // tombstone
  rapidjson::Document d;
  d.Parse(r.record.value->data(), r.record.value->size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("op") || !d["op"].IsString()) {
    return Status::InvalidArgument("not a Debezium change event (no \"op\")");
  }
  const std::string op = d["op"].GetString();
  const char* image = op == "d" ? "before" : "after";
  if (op != "c" && op != "u" && op != "r" && op != "d") {
    return Status::InvalidArgument("op \"" + op + "\" has no row to merge");
  }
  if (!d.HasMember(image) || !d[image].IsObject()) {
    return Status::InvalidArgument(std::string("op \"") + op + "\" without a \"" + image +
                                   "\" object");
  }
  return std::optional<std::pair<std::string, char>>(std::pair(Compact(d[image]), op[0]));
}

Status SnowflakeSink::EnsureTable(const std::vector<ConsumedRecord>& records) {
  if (!columns_.empty()) return Status::Ok();
  auto described = sql_->Execute("DESCRIBE TABLE " + table_sql_);
  if (!described.ok() && IsMissingTable(described.status()) && config_.auto_create_table) {
    ColumnInference inference;
    for (const ConsumedRecord& r : records) {
      std::optional<std::string> row;
      if (config_.mode == LoadMode::kMerge) {
        auto image = MergeImage(r);
        if (image.ok() && image->has_value()) row = (*image)->first;
      } else {
        row = r.record.value;
      }
      if (row) (void)inference.Add(*row);  // records that are no object are rejected later
    }
    if (inference.empty()) return Status::Ok();  // nothing to learn the columns from yet
    const std::string ddl = CreateTableSql(table_sql_, inference.Columns());
    log::Info(kLog, "creating {}: {}", table_sql_, ddl);
    RC_RETURN_IF_ERROR(sql_->Execute(ddl).status().WithContext("creating " + table_sql_));
    described = sql_->Execute("DESCRIBE TABLE " + table_sql_);
  }
  if (!described.ok()) {
    if (IsMissingTable(described.status())) {
      return Status::FailedPrecondition("table " + table_sql_ +
                                        " does not exist (or the role may not see it); create "
                                        "it or set auto_create_table: true");
    }
    return described.status().WithContext("describing " + table_sql_);
  }
  columns_.clear();
  for (const auto& row : described->rows) {
    if (row.size() < 2 || !row[0] || !row[1]) continue;
    columns_.push_back({*row[0], AsciiUpper(*row[1])});
  }
  for (Column& c : columns_) {
    if (c.type.starts_with("VARIANT") || c.type.starts_with("OBJECT") ||
        c.type.starts_with("ARRAY")) {
      c.type = "VARIANT";
    }
  }
  return Status::Ok();
}

Status SnowflakeSink::LoadStatements(std::vector<ConsumedRecord> batch) {
  RC_RETURN_IF_ERROR(EnsureTable(batch));
  if (columns_.empty()) {
    // No table and no row to create it from: every record here was unusable.
    for (const ConsumedRecord& r : batch) {
      RC_RETURN_IF_ERROR(Reject(r, "the value is not a JSON object"));
    }
    return Status::Ok();
  }
  std::vector<const ConsumedRecord*> rows;
  if (config_.mode == LoadMode::kMerge) {
    // Last change per key wins (MERGE refuses two source rows for one target row).
    std::map<std::string, size_t> by_key;
    for (const ConsumedRecord& r : batch) {
      auto image = MergeImage(r);
      if (!image.ok()) {
        RC_RETURN_IF_ERROR(Reject(r, image.status().message()));
        continue;
      }
      if (!image->has_value()) continue;  // tombstone: the delete before it did the work
      if (key_columns_.empty() && r.record.key) {
        rapidjson::Document k;
        k.Parse(r.record.key->data(), r.record.key->size());
        if (!k.HasParseError() && k.IsObject()) {
          for (auto it = k.MemberBegin(); it != k.MemberEnd(); ++it) {
            key_columns_.push_back(StoredName(it->name.GetString()));
          }
        }
      }
      if (key_columns_.empty()) {
        RC_RETURN_IF_ERROR(Reject(r, "no key: set key_columns, or records need a JSON key"));
        continue;
      }
      std::vector<Column> keys;
      for (const std::string& k : key_columns_) keys.push_back({k, "VARCHAR"});
      auto key = BindRow((*image)->first, keys);
      if (!key.ok()) {
        RC_RETURN_IF_ERROR(Reject(r, key.status().message()));
        continue;
      }
      std::string joined;
      for (const BoundValue& v : *key) joined += (v.value ? "v" + *v.value : "n") + '\x1f';
      auto [it, added] = by_key.try_emplace(joined, rows.size());
      if (added) {
        rows.push_back(&r);
      } else {
        rows[it->second] = &r;
      }
    }
  } else {
    for (const ConsumedRecord& r : batch) rows.push_back(&r);
  }
  if (rows.empty()) return Status::Ok();
  return RunStatement(rows);
}

Status SnowflakeSink::RunStatement(const std::vector<const ConsumedRecord*>& rows) {
  const bool merge = config_.mode == LoadMode::kMerge;
  std::vector<Binding> bindings;
  std::vector<const ConsumedRecord*> bound;
  for (const ConsumedRecord* r : rows) {
    std::string json;
    char op = 'c';
    if (merge) {
      auto image = MergeImage(*r);
      json = (*image)->first;  // checked by the caller
      op = (*image)->second;
    } else if (r->record.value) {
      json = *r->record.value;
    }
    auto values = BindRow(json, columns_);
    if (!values.ok()) {
      RC_RETURN_IF_ERROR(Reject(*r, values.status().message()));
      continue;
    }
    for (Binding& b : ToBindings(*values)) bindings.push_back(std::move(b));
    if (merge) bindings.push_back(Binding{"TEXT", std::string(1, op)});
    bound.push_back(r);
  }
  if (bound.empty()) return Status::Ok();
  const std::string sql = merge ? MergeSql(table_sql_, columns_, key_columns_, bound.size())
                                : InsertSql(table_sql_, columns_, bound.size());
  auto result = sql_->Execute(sql, bindings);
  if (result.ok()) {
    counters_.loads++;
    counters_.rows += bound.size();
    return Status::Ok();
  }
  if (result.status().code() == StatusCode::kInvalidArgument) {
    if (bound.size() == 1) return Reject(*bound.front(), result.status().message());
    for (const ConsumedRecord* r : bound) RC_RETURN_IF_ERROR(RunStatement({r}));
    return Status::Ok();
  }
  return result.status().WithContext(merge ? "merging into " + table_sql_
                                           : "inserting into " + table_sql_);
}

}  // namespace snowflake

void RegisterSnowflakeSink(Registry& registry) {
  ConnectorDescriptor d;
  d.name = "snowflake";
  d.kind = ConnectorKind::kSink;
  d.description =
      "Loads records into a Snowflake table with key-pair (JWT) authentication: Snowpipe "
      "Streaming with offset tokens (exactly-once), SQL API INSERT, or MERGE of Debezium "
      "change events; optional table creation";
  d.schema = snowflake::SnowflakeSinkSchema();
  d.make_sink = [](const config::BoundConfig& bound,
                   const ConnectorContext& context) -> Result<std::unique_ptr<Sink>> {
    RC_ASSIGN_OR_RETURN(snowflake::SnowflakeSinkConfig c,
                        snowflake::SnowflakeSinkConfigFromBound(bound));
    return std::unique_ptr<Sink>(
        std::make_unique<snowflake::SnowflakeSink>(std::move(c), context.name, context.errors));
  };
  // Authenticates and looks at the table (DESCRIBE TABLE); writes nothing.
  d.check = [](const config::BoundConfig& bound) -> Status {
    RC_ASSIGN_OR_RETURN(snowflake::SnowflakeSinkConfig c,
                        snowflake::SnowflakeSinkConfigFromBound(bound));
    RC_ASSIGN_OR_RETURN(auto jwt, snowflake::KeyPairJwt::Load(c.account, c.user,
                                                              c.private_key_path,
                                                              c.private_key_passphrase));
    RC_ASSIGN_OR_RETURN(auto sql, snowflake::SqlApi::Create(snowflake::ConnectionOf(c), jwt.get()));
    const std::string table = snowflake::QualifiedName(c.database, c.schema, c.table);
    auto described = sql->Execute("DESCRIBE TABLE " + table);
    if (described.ok()) return Status::Ok();
    if (snowflake::IsMissingTable(described.status())) {
      if (c.auto_create_table) return Status::Ok();  // created with the first records
      return Status::FailedPrecondition("table " + table +
                                        " does not exist (or the role may not see it)");
    }
    return described.status();
  };
  registry.Add(std::move(d));
}

}  // namespace rivven
