#include "record/spare_values.h"

namespace rivven {

void SpareValues::Keep(std::vector<Record>& spent) {
  for (Record& r : spent) {
    if (spare_.size() >= max_kept_) return;
    if (!r.value || r.value->capacity() > max_capacity_) continue;
    // Short values live inside the string object itself: nothing to keep.
    if (r.value->capacity() < 2 * sizeof(std::string)) continue;
    spare_.push_back(std::move(*r.value));
    r.value.reset();
  }
}

}  // namespace rivven
