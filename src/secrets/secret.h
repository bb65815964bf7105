#pragma once

#include <ostream>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace rivven::secrets {

/// A resolved secret value. It prints as `***` through fmt and iostreams, so logging one by
/// mistake shows nothing; Reveal() is the one way to the value, for the code that hands it to
/// the system it authenticates against. Cheap to copy; immutable.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& Reveal() const { return value_; }
  bool operator==(const Secret& o) const { return value_ == o.value_; }

 private:
  std::string value_;
};

inline std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "***"; }

}  // namespace rivven::secrets

template <>
struct fmt::formatter<rivven::secrets::Secret> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const rivven::secrets::Secret&, Context& ctx) const {
    return fmt::formatter<std::string_view>::format("***", ctx);
  }
};
