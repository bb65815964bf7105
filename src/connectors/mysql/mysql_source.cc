#include "connectors/mysql/mysql_source.h"

#include "base/log.h"

namespace rivven::mysql {
namespace {

constexpr char kComponent[] = "mysql-cdc";

RowOptions RowOptionsOf(const MysqlSourceConfig& config) {
  RowOptions o;
  o.decimal = config.decimal_as_double ? RowOptions::Decimal::kDouble : RowOptions::Decimal::kString;
  return o;
}

}  // namespace

MysqlSource::MysqlSource(MysqlSourceConfig config, ConnectorContext context)
    : config_(std::move(config)),
      context_(std::move(context)),
      row_options_(RowOptionsOf(config_)),
      // Event checksums are verified while decoding (BinlogCrc32, folding with PCLMULQDQ: a
      // fraction of zlib's cost, which libmariadb's own verification pays).
      decoder_(DecoderOptions{.verify_checksum = true}),
      rows_reader_(row_options_) {}

MysqlSource::~MysqlSource() { (void)Close(); }

Status MysqlSource::Open(const std::optional<std::string>& checkpoint) {
  RC_ASSIGN_OR_RETURN(sql_, Connection::Open(config_.connection));
  bool has_checkpoint = false;
  if (checkpoint) {
    RC_ASSIGN_OR_RETURN(position_, MysqlPosition::FromJson(*checkpoint));
    has_checkpoint = true;
  }
  const bool resume_snapshot = has_checkpoint && position_.snapshot.has_value();
  bool snapshot = false;
  switch (config_.snapshot_mode) {
    case SnapshotMode::kNever:
      break;
    case SnapshotMode::kInitial:
    case SnapshotMode::kInitialOnly:
      snapshot = !has_checkpoint || resume_snapshot;
      break;
    case SnapshotMode::kWhenNeeded: {
      snapshot = !has_checkpoint || resume_snapshot;
      if (!snapshot && !position_.file.empty()) {
        // The checkpoint's binlog may be gone (purged or expired): then snapshot again.
        RC_ASSIGN_OR_RETURN(QueryResult logs, sql_->Query("SHOW BINARY LOGS"));
        bool present = false;
        const std::string& needed = position_.tx ? position_.tx->file : position_.file;
        for (size_t i = 0; i < logs.rows(); ++i) present |= logs.Value(i, 0) == needed;
        if (!present) {
          log::Warn(kComponent, "binlog {} of the checkpoint is gone: taking a new snapshot", needed);
          position_ = MysqlPosition{};
          snapshot = true;
        }
      }
      break;
    }
    case SnapshotMode::kAlways:
      if (!resume_snapshot) position_ = MysqlPosition{};
      snapshot = true;
      break;
  }
  if (config_.snapshot_mode == SnapshotMode::kInitialOnly && has_checkpoint &&
      position_.snapshot_done) {
    phase_ = Phase::kFinished;
    return Status::Ok();
  }
  if (snapshot) {
    RC_RETURN_IF_ERROR(BeginSnapshot());
    phase_ = Phase::kSnapshot;
  } else {
    phase_ = Phase::kStreaming;
  }
  last_position_json_ = has_checkpoint ? *checkpoint : std::string();
  return Status::Ok();
}

Result<SourceBatch> MysqlSource::Poll(size_t max_records, std::chrono::milliseconds max_wait,
                                      std::stop_token stop) {
  switch (phase_) {
    case Phase::kSnapshot:
      return PollSnapshot(max_records);
    case Phase::kStreaming:
      return PollStream(max_records, max_wait, stop);
    case Phase::kFinished: {
      SourceBatch done;
      done.finished = true;
      return done;
    }
  }
  return SourceBatch{};
}

Status MysqlSource::Close() {
  if (direct_) {
    (void)direct_->Close();
    direct_.reset();
  }
  if (pump_) {
    pump_->Stop();
    pump_.reset();
  }
  cursor_.reset();
  sql_.reset();
  return Status::Ok();
}

void RegisterMysqlCdc(Registry& registry) {
  ConnectorDescriptor d;
  d.name = "mysql-cdc";
  d.kind = ConnectorKind::kSource;
  d.description =
      "Captures changes from MySQL and MariaDB through the binary log: an optional consistent "
      "snapshot, then every insert, update and delete of the chosen tables as Debezium change "
      "events; resumes exactly where its checkpoint (binlog file, position and GTIDs) says";
  d.schema = MysqlSourceSchema();
  d.bounded_when_configured = true;  // snapshot.mode: initial_only
  d.make_source = [](const config::BoundConfig& bound,
                     const ConnectorContext& context) -> Result<std::unique_ptr<Source>> {
    RC_ASSIGN_OR_RETURN(MysqlSourceConfig config, MysqlSourceConfigFromBound(bound, context.name));
    return std::unique_ptr<Source>(std::make_unique<MysqlSource>(std::move(config), context));
  };
  d.check = [](const config::BoundConfig& bound) -> Status {
    RC_ASSIGN_OR_RETURN(MysqlSourceConfig config, MysqlSourceConfigFromBound(bound, "check"));
    return CheckMysqlSource(config);
  };
  d.discover = [](const config::BoundConfig& bound) -> Result<std::vector<StreamDescription>> {
    RC_ASSIGN_OR_RETURN(MysqlSourceConfig config, MysqlSourceConfigFromBound(bound, "discover"));
    return DiscoverMysqlStreams(config);
  };
  d.validate = ValidateMysqlSourceConfig;
  registry.Add(std::move(d));
}

}  // namespace rivven::mysql
