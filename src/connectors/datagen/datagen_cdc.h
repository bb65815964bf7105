#pragma once

#include <cstdint>
#include <string>

#include "connectors/datagen/datagen_config.h"
#include "record/debezium.h"

/// The change-event lifecycle of datagen's cdc_mode. Events come in blocks of four; block
/// b = n / 4 (0-based) is:
///   n % 4 == 0  create id b + 1
///   n % 4 == 1  update a live id
///   n % 4 == 2  update a live id
///   n % 4 == 3  delete id b + 1 - kCdcWindow, the oldest live id, once b >= kCdcWindow;
///               before that (the window is still filling) one more update
/// Live ids during block b are [max(1, b + 1 - kCdcWindow), b + 1], so an update picks one
/// uniformly from that range with RowRandom(seed, kCdcStream, n). Ids only grow, so a create
/// never reuses a key, and every update/delete hits a key that was created and not yet deleted
/// — each event is still a pure function of (seed, n). Thread-safe (no shared state).
namespace rivven::datagen {

/// At most this many keys are live at once (at most one more between a create and a delete).
inline constexpr int64_t kCdcWindow = 1000;

struct CdcEvent {
  debezium::Op op = debezium::Op::kCreate;
  int64_t id = 0;
};

/// The change at sequence number n (n >= 0).
CdcEvent CdcEventAt(uint64_t seed, int64_t n);

/// Appends the Debezium envelope of `event` (sequence n) to `out`: a create has after = the new
/// row, an update before = null (like PostgreSQL's default replica identity) and after = the
/// full row, a delete before = the key columns and after = null. `source` is the caller's
/// template; its ts_ms is set to the event's synthetic time. `scratch` is reused for the row.
void AppendCdcValue(std::string& out, const CdcEvent& event, Pattern pattern, uint64_t seed,
                    int64_t n, debezium::SourceInfo& source, std::string& scratch);

/// The source block datagen writes: connector "datagen", name = stream_name, db "datagen",
/// table = the pattern, snapshot "false".
debezium::SourceInfo DatagenSourceInfo(Pattern pattern, const std::string& stream_name);

}  // namespace rivven::datagen
