#pragma once

#include <cstdint>
#include <string>

#include "base/types.h"
#include "connectors/datagen/datagen_config.h"

/// Row generation for the datagen source. Every value is a pure function of (seed, inputs): no
/// generator state is carried from one record to the next, so record n is the same bytes in
/// every run with the same seed, and a run resumed at n continues exactly where it left off.
/// Thread-safe (no shared state).
namespace rivven::datagen {

/// Origin of the synthetic clock used inside values: 2024-01-01T00:00:00.000Z.
inline constexpr TimestampMs kEpochMs = 1'704'067'200'000;
/// The synthetic clock advances this much per event: event n happens at kEpochMs + n * 100.
inline constexpr TimestampMs kEventSpacingMs = 100;

inline TimestampMs EventTimeMs(int64_t n) { return kEpochMs + n * kEventSpacingMs; }

/// splitmix64's finalizer: a bijective 64-bit mix.
uint64_t Mix64(uint64_t x);

/// A counter-based random sequence: the numbers drawn from RowRandom(seed, stream, index)
/// depend only on those three inputs. `stream` separates independent uses of the same index.
class RowRandom {
 public:
  RowRandom(uint64_t seed, uint64_t stream, uint64_t index);
  uint64_t Next();
  /// Uniform in [0, bound); bound > 0.
  uint64_t Below(uint64_t bound);

 private:
  uint64_t state_;
};

/// Draw streams; each is an independent sequence for the same seed.
inline constexpr uint64_t kEntityStream = 1;  ///< per id: fields fixed for an entity's life
inline constexpr uint64_t kEventStream = 2;   ///< per sequence number: fields of one event
inline constexpr uint64_t kCdcStream = 3;     ///< per sequence number: which key a change hits

/// Which version of a row is written: plain rows (not CDC) pick any status; a CDC create starts
/// an order as "pending" and later updates move it on.
enum class RowVersion { kPlain, kCreated, kUpdated };

/// Appends the value object of entity `id` as of event `n`. Fields fixed for an entity (an
/// order's customer and product, a user's name and created_at) derive from (seed, id); the
/// others from (seed, n). Pageviews have no id: every field derives from (seed, n).
void AppendRow(std::string& out, Pattern pattern, uint64_t seed, int64_t id, int64_t n,
               RowVersion version);

/// The primary-key column of keyed patterns ("order_id", "user_id"); nullptr for pageviews.
const char* IdField(Pattern pattern);

/// Appends the primary-key object, e.g. {"order_id":42}. Keyed patterns only.
void AppendKey(std::string& out, Pattern pattern, int64_t id);

/// JSON Schema (draft 2020-12) of record values: the row, or in CDC mode the Debezium envelope.
std::string ValueJsonSchema(Pattern pattern, bool cdc_mode);

}  // namespace rivven::datagen
