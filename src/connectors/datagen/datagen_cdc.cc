#include "connectors/datagen/datagen_cdc.h"

#include <algorithm>

#include "base/version.h"
#include "connectors/datagen/datagen_rows.h"

namespace rivven::datagen {
namespace {

// The rivven-connect release that writes these events (source.version).
constexpr int64_t kBlock = 4;

}  // namespace

CdcEvent CdcEventAt(uint64_t seed, int64_t n) {
  const int64_t block = n / kBlock;
  const int64_t phase = n % kBlock;
  const int64_t newest = block + 1;
  const int64_t oldest = std::max<int64_t>(1, block + 1 - kCdcWindow);
  if (phase == 0) return {debezium::Op::kCreate, newest};
  if (phase == kBlock - 1 && block >= kCdcWindow) return {debezium::Op::kDelete, oldest};
  RowRandom r(seed, kCdcStream, static_cast<uint64_t>(n));
  const auto live = static_cast<uint64_t>(newest - oldest + 1);
  return {debezium::Op::kUpdate, oldest + static_cast<int64_t>(r.Below(live))};
}

void AppendCdcValue(std::string& out, const CdcEvent& event, Pattern pattern, uint64_t seed,
                    int64_t n, debezium::SourceInfo& source, std::string& scratch) {
  source.ts_ms = EventTimeMs(n);
  scratch.clear();
  switch (event.op) {
    case debezium::Op::kDelete:
      AppendKey(scratch, pattern, event.id);
      debezium::AppendEnvelope(out, scratch, std::nullopt, source, event.op, source.ts_ms);
      return;
    case debezium::Op::kUpdate:
      AppendRow(scratch, pattern, seed, event.id, n, RowVersion::kUpdated);
      debezium::AppendEnvelope(out, std::nullopt, scratch, source, event.op, source.ts_ms);
      return;
    default:
      AppendRow(scratch, pattern, seed, event.id, n, RowVersion::kCreated);
      debezium::AppendEnvelope(out, std::nullopt, scratch, source, event.op, source.ts_ms);
      return;
  }
}

debezium::SourceInfo DatagenSourceInfo(Pattern pattern, const std::string& stream_name) {
  debezium::SourceInfo s;
  s.version = kVersion;
  s.connector = "datagen";
  s.name = stream_name;
  s.snapshot = debezium::Snapshot::kFalse;
  s.db = "datagen";
  s.table = PatternName(pattern);
  return s;
}

}  // namespace rivven::datagen
