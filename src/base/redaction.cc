#include "base/redaction.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

#include "base/json_escape.h"

namespace rivven::redaction {
namespace {

std::mutex g_mu;
std::vector<std::string>* g_values = nullptr;  // longest first; guarded by g_mu, never freed
std::atomic<bool> g_active{false};

std::string JsonEscaped(std::string_view value) {
  std::string quoted;
  AppendJsonString(quoted, value);
  return quoted.substr(1, quoted.size() - 2);
}

// RFC 3986 unreserved characters stay; everything else is %XX (upper-case hex), as curl and
// our URL helpers write it.
std::string PercentEncoded(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

void AddLocked(std::string value) {
  if (value.size() < kMinLength) return;
  if (g_values == nullptr) g_values = new std::vector<std::string>();
  if (std::find(g_values->begin(), g_values->end(), value) != g_values->end()) return;
  const auto at = std::find_if(g_values->begin(), g_values->end(),
                               [&](const std::string& v) { return v.size() < value.size(); });
  g_values->insert(at, std::move(value));
}

}  // namespace

void RegisterSecret(std::string_view value) {
  if (value.size() < kMinLength) return;
  std::lock_guard<std::mutex> lock(g_mu);
  AddLocked(std::string(value));
  AddLocked(JsonEscaped(value));
  AddLocked(PercentEncoded(value));
  g_active.store(true, std::memory_order_release);
}

std::string Scrub(std::string_view text) {
  std::string out(text);
  if (!Active()) return out;
  std::lock_guard<std::mutex> lock(g_mu);
  for (const std::string& value : *g_values) {
    for (size_t at = out.find(value); at != std::string::npos;
         at = out.find(value, at + kMask.size())) {
      out.replace(at, value.size(), kMask);
    }
  }
  return out;
}

bool Active() { return g_active.load(std::memory_order_acquire); }

void ResetForTesting() {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_values != nullptr) g_values->clear();
  g_active.store(false, std::memory_order_release);
}

}  // namespace rivven::redaction
