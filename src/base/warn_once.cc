#include "base/warn_once.h"

#include <mutex>
#include <set>

#include "base/log.h"

namespace rivven::log {

bool WarnOnce(std::string_view component, const std::string& message) {
  static std::mutex mu;
  static std::set<std::string, std::less<>> warned;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!warned.insert(message).second) return false;
  }
  Warn(component, "{}", message);
  return true;
}

}  // namespace rivven::log
