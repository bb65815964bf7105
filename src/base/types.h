#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

namespace rivven {

/// A strongly typed integer so offsets, LSNs and sequence numbers never mix.
template <typename Tag, typename Rep = int64_t>
class StrongInt {
 public:
  using rep = Rep;
  constexpr StrongInt() = default;
  constexpr explicit StrongInt(Rep v) : v_(v) {}
  constexpr Rep value() const { return v_; }
  constexpr auto operator<=>(const StrongInt&) const = default;
  constexpr StrongInt operator+(Rep d) const { return StrongInt(v_ + d); }
  constexpr StrongInt operator-(Rep d) const { return StrongInt(v_ - d); }
  constexpr Rep operator-(StrongInt o) const { return v_ - o.v_; }
  StrongInt& operator++() { ++v_; return *this; }
  std::string ToString() const { return std::to_string(v_); }

 private:
  Rep v_{};
};

struct OffsetTag {};
struct PartitionTag {};
/// Position of a record inside one topic partition (Kafka semantics: next = last + 1).
using Offset = StrongInt<OffsetTag, int64_t>;
/// Milliseconds since the Unix epoch.
using TimestampMs = int64_t;

}  // namespace rivven

template <typename Tag, typename Rep>
struct std::hash<rivven::StrongInt<Tag, Rep>> {
  size_t operator()(const rivven::StrongInt<Tag, Rep>& v) const noexcept {
    return std::hash<Rep>()(v.value());
  }
};
