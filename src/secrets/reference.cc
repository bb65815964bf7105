#include "secrets/reference.h"

#include <algorithm>
#include <cctype>

namespace rivven::secrets {
namespace {

bool HasSpace(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; });
}

bool IsEnvName(std::string_view s) {
  if (s.empty()) return false;
  const auto head = static_cast<unsigned char>(s[0]);
  if (!(std::isalpha(head) || head == '_')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

}  // namespace

Result<std::optional<Reference>> ParseReference(std::string_view value) {
  Reference ref;
  ref.text = std::string(value);
  if (value.starts_with("vault:")) {
    const std::string_view rest = value.substr(6);
    const size_t hash = rest.find('#');
    const std::string_view path = rest.substr(0, hash);
    const std::string_view key = hash == std::string_view::npos ? "" : rest.substr(hash + 1);
    if (hash == std::string_view::npos || path.empty() || key.empty() || HasSpace(rest) ||
        key.find('#') != std::string_view::npos || path.front() == '/') {
      return Status::InvalidArgument(
          "malformed secret reference '" + ref.text +
          "': expected vault:<path>#<key>, e.g. vault:secret/data/postgres#password");
    }
    ref.kind = Reference::Kind::kVault;
    ref.path = std::string(path);
    ref.key = std::string(key);
    return std::optional<Reference>(std::move(ref));
  }
  if (value.starts_with("env:") && IsEnvName(value.substr(4))) {
    ref.kind = Reference::Kind::kEnv;
    ref.path = std::string(value.substr(4));
    return std::optional<Reference>(std::move(ref));
  }
  if (value.starts_with("file:/") && value.size() > 6 && value[6] != '/' &&
      value.find('\n') == std::string_view::npos) {
    ref.kind = Reference::Kind::kFile;
    ref.path = std::string(value.substr(5));
    return std::optional<Reference>(std::move(ref));
  }
  return std::optional<Reference>();
}

}  // namespace rivven::secrets
