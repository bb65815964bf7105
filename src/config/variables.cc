#include "config/variables.h"

#include <cctype>

namespace rivven::config {
namespace {

bool IsValidName(const std::string& name) {
  if (name.empty()) return false;
  if (!std::isalpha(static_cast<unsigned char>(name[0])) && name[0] != '_') return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

std::string ExpandVariables(const std::string& value, const EnvLookup& env,
                            std::vector<std::string>* errors) {
  std::string out;
  out.reserve(value.size());
  size_t i = 0;
  while (i < value.size()) {
    if (value.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (value.compare(i, 2, "${") != 0) {
      out += value[i++];
      continue;
    }
    const size_t close = value.find('}', i + 2);
    if (close == std::string::npos) {
      errors->push_back("unterminated '${' (write '$${' for a literal '${')");
      out.append(value, i, std::string::npos);
      break;
    }
    const std::string inner = value.substr(i + 2, close - i - 2);
    i = close + 1;
    const size_t sep = inner.find(":-");
    const std::string name = inner.substr(0, sep);
    if (!IsValidName(name)) {
      errors->push_back("invalid variable reference '${" + inner +
                        "}': expected ${NAME} or ${NAME:-default}, NAME of letters, digits "
                        "and '_' (write '$${' for a literal '${')");
      continue;
    }
    std::optional<std::string> resolved = env ? env(name) : std::nullopt;
    if (sep != std::string::npos) {
      if (!resolved || resolved->empty()) resolved = inner.substr(sep + 2);
    } else if (!resolved) {
      errors->push_back("environment variable '" + name + "' is not set (set it, or write ${" +
                        name + ":-default} to give a default)");
      continue;
    }
    out += *resolved;
  }
  return out;
}

}  // namespace rivven::config
