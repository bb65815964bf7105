#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "record/record.h"

namespace rivven {

/// Value buffers of records that were already delivered, kept so that a source producing many
/// records of similar size reuses them instead of allocating (and its runner freeing, on another
/// thread) one buffer per record. Bounded: at most `max_kept` buffers are kept, and buffers much
/// larger than typical are dropped rather than pinned. Not thread-safe (one owner, the source).
class SpareValues {
 public:
  explicit SpareValues(size_t max_kept = 16384, size_t max_capacity = 64u << 10)
      : max_kept_(max_kept), max_capacity_(max_capacity) {}

  /// Takes the value buffers out of `spent` (leaving those values empty or null).
  void Keep(std::vector<Record>& spent);

  /// An empty string, with the capacity of a kept buffer when there is one.
  std::string Take() {
    if (spare_.empty()) return {};
    std::string s = std::move(spare_.back());
    spare_.pop_back();
    s.clear();
    return s;
  }

  size_t size() const { return spare_.size(); }

 private:
  size_t max_kept_;
  size_t max_capacity_;
  std::vector<std::string> spare_;
};

}  // namespace rivven
