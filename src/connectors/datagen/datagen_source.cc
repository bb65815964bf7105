#include "connectors/datagen/datagen_source.h"

#include <algorithm>
#include <limits>
#include <random>

#include <rapidjson/document.h>

#include "base/log.h"
#include "connectors/datagen/datagen_cdc.h"
#include "connectors/datagen/datagen_rows.h"
#include "connectors/registry.h"
#include "record/json.h"

namespace rivven {
namespace datagen {
namespace {

using Int128 = __int128;
constexpr Int128 kNanosPerSecond = 1'000'000'000;

// Random seeds stay below 2^53 so every JSON reader (including JavaScript) reads them exactly.
int64_t RandomSeed() {
  std::random_device rd;
  const uint64_t hi = rd();
  const uint64_t lo = rd();
  return static_cast<int64_t>(((hi << 32) | lo) & ((uint64_t{1} << 53) - 1));
}

struct Checkpoint {
  int64_t seed;
  int64_t next;
};

Result<Checkpoint> ParseCheckpoint(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("seed") ||
      !doc.HasMember("next") || !doc["seed"].IsInt64() || !doc["next"].IsInt64() ||
      doc["next"].GetInt64() < 0) {
    return Status::InvalidArgument("datagen: checkpoint is not {\"seed\":S,\"next\":N}: " + text);
  }
  return Checkpoint{doc["seed"].GetInt64(), doc["next"].GetInt64()};
}

}  // namespace

DatagenSource::DatagenSource(DatagenConfig config, ConnectorContext context)
    : config_(std::move(config)), context_(std::move(context)) {}

Status DatagenSource::Open(const std::optional<std::string>& checkpoint) {
  if (checkpoint && !checkpoint->empty()) {
    RC_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpoint(*checkpoint));
    seed_ = cp.seed;
    next_ = cp.next;
    if (config_.seed && *config_.seed != cp.seed) {
      // The configuration is the user's latest word; the key lifecycle depends only on n, so
      // a CDC stream stays consistent across the change.
      log::Warn("datagen", "{}: seed changed from {} (checkpoint) to {}; continuing at {}",
                context_.name, cp.seed, *config_.seed, cp.next);
      seed_ = *config_.seed;
    }
  } else {
    seed_ = config_.seed ? *config_.seed : RandomSeed();
    next_ = 0;
  }
  finished_ = config_.max_events > 0 && next_ >= config_.max_events;
  origin_ = SteadyClock::now();
  slot_ = 0;
  cdc_source_ = DatagenSourceInfo(config_.pattern, config_.stream_name);
  opened_ = true;
  log::Info("datagen", "{}: pattern {}{}, seed {}, starting at {}", context_.name,
            PatternName(config_.pattern), config_.cdc_mode ? " (cdc)" : "", seed_, next_);
  return Status::Ok();
}

std::string DatagenSource::Position() const {
  std::string out = "{\"seed\":";
  json::AppendInt(out, seed_);
  out += ",\"next\":";
  json::AppendInt(out, next_);
  out.push_back('}');
  return out;
}

Record DatagenSource::MakeRecord(int64_t n) {
  Record r;
  const auto seed = static_cast<uint64_t>(seed_);
  r.value.emplace();
  if (config_.cdc_mode) {
    const CdcEvent event = CdcEventAt(seed, n);
    r.key.emplace();
    AppendKey(*r.key, config_.pattern, event.id);
    r.value->reserve(384);
    AppendCdcValue(*r.value, event, config_.pattern, seed, n, cdc_source_, scratch_);
  } else {
    const int64_t id = n + 1;  // ids are 1..max_events, so a test can prove every one arrived
    if (config_.pattern != Pattern::kPageviews) {
      r.key.emplace();
      AppendKey(*r.key, config_.pattern, id);
    }
    r.value->reserve(160);
    AppendRow(*r.value, config_.pattern, seed, id, n, RowVersion::kPlain);
  }
  r.headers.push_back(RecordHeader{"stream", config_.stream_name});
  return r;
}

int64_t DatagenSource::DueAt(SteadyClock::time_point now) {
  const Int128 elapsed_ns =
      std::max<Int128>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(now - origin_)
                              .count());
  const auto slots_due =
      static_cast<int64_t>(elapsed_ns * config_.events_per_second / kNanosPerSecond) + 1;
  // A bucket of at most one second of events: after a stall (a slow sink) the source catches
  // up by at most that much instead of bursting everything it missed.
  const int64_t burst = std::max<int64_t>(1, config_.events_per_second);
  if (slots_due - slot_ > burst) slot_ = slots_due - burst;
  return std::max<int64_t>(0, slots_due - slot_);
}

SteadyClock::time_point DatagenSource::NextDueTime() const {
  const Int128 eps = config_.events_per_second;
  const Int128 ns = (Int128{slot_} * kNanosPerSecond + eps - 1) / eps;
  return origin_ + std::chrono::nanoseconds(static_cast<int64_t>(ns));
}

Result<SourceBatch> DatagenSource::Poll(size_t max_records, std::chrono::milliseconds max_wait,
                                        std::stop_token stop) {
  if (!opened_) return Status::FailedPrecondition("datagen: Poll before Open");
  SourceBatch batch;
  if (finished_) {
    batch.finished = true;
    batch.position = Position();
    return batch;
  }
  int64_t limit = static_cast<int64_t>(
      std::min<size_t>(max_records, static_cast<size_t>(std::numeric_limits<int64_t>::max())));
  if (config_.max_events > 0) limit = std::min(limit, config_.max_events - next_);
  if (limit <= 0) return batch;

  int64_t count = limit;
  if (config_.events_per_second > 0) {
    const auto deadline = SteadyClock::now() + max_wait;
    while (true) {
      if (stop.stop_requested()) return batch;
      const auto now = SteadyClock::now();
      const int64_t due = DueAt(now);
      if (due > 0) {
        count = std::min(limit, due);
        break;
      }
      if (now >= deadline) return batch;
      std::unique_lock lock(wait_mutex_);
      // Nothing notifies this variable: it sleeps until the next slot or the deadline, and
      // wakes at once when `stop` is requested.
      wait_cv_.wait_until(lock, stop, std::min(NextDueTime(), deadline), [] { return false; });
    }
  }

  const TimestampMs now_ms = NowMs();
  batch.records.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    batch.records.push_back(MakeRecord(next_));
    batch.records.back().timestamp_ms = now_ms;
    ++next_;
  }
  slot_ += count;
  if (config_.max_events > 0 && next_ >= config_.max_events) {
    finished_ = true;
    batch.finished = true;
  }
  batch.position = Position();
  if (config_.max_events > 0) {
    batch.progress = SourceProgress{static_cast<uint64_t>(next_),
                                    static_cast<uint64_t>(config_.max_events), "events"};
  }
  return batch;
}

}  // namespace datagen

void RegisterDatagen(Registry& registry) {
  ConnectorDescriptor d;
  d.name = "datagen";
  d.kind = ConnectorKind::kSource;
  d.description =
      "Synthetic data for tests and demos: orders, users or pageviews as JSON rows or Debezium "
      "change events, reproducible from a seed, paced by events_per_second";
  d.schema = datagen::DatagenSchema();
  d.bounded_when_configured = true;  // with max_events > 0
  d.make_source = [](const config::BoundConfig& bound,
                     const ConnectorContext& context) -> Result<std::unique_ptr<Source>> {
    RC_ASSIGN_OR_RETURN(datagen::DatagenConfig config, datagen::DatagenConfigFromBound(bound));
    return std::unique_ptr<Source>(
        std::make_unique<datagen::DatagenSource>(std::move(config), context));
  };
  d.discover = [](const config::BoundConfig& bound)
      -> Result<std::vector<StreamDescription>> {
    RC_ASSIGN_OR_RETURN(datagen::DatagenConfig config, datagen::DatagenConfigFromBound(bound));
    std::vector<StreamDescription> streams;
    streams.push_back(StreamDescription{
        config.stream_name, datagen::ValueJsonSchema(config.pattern, config.cdc_mode)});
    return streams;
  };
  d.validate = datagen::ValidateDatagenConfig;
  registry.Add(std::move(d));
}

}  // namespace rivven
