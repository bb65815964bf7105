#include "base/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

#include "base/json_escape.h"
#include "base/redaction.h"

namespace rivven::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<bool> g_json{false};
std::mutex g_mu;

const char* LevelName(Level l) {
  switch (l) {
    case Level::kDebug: return "DEBUG";
    case Level::kInfo: return "INFO";
    case Level::kWarn: return "WARN";
    case Level::kError: return "ERROR";
  }
  return "INFO";
}

std::string Timestamp() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

void Init(Format format, Level level) {
  g_level = static_cast<int>(level);
  g_json = format == Format::kJson;
}

bool Enabled(Level level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

Level ParseLevel(std::string_view name, Level fallback) {
  if (name == "debug" || name == "trace") return Level::kDebug;
  if (name == "info") return Level::kInfo;
  if (name == "warn" || name == "warning") return Level::kWarn;
  if (name == "error") return Level::kError;
  return fallback;
}

void Write(Level level, std::string_view component, std::string_view raw_message) {
  // The backstop against a resolved secret reaching a log line (base/redaction.h).
  const bool scrub = redaction::Active();
  const std::string scrubbed = scrub ? redaction::Scrub(raw_message) : std::string();
  const std::string_view message = scrub ? std::string_view(scrubbed) : raw_message;
  std::string line;
  line.reserve(message.size() + 64);
  if (g_json.load(std::memory_order_relaxed)) {
    line += "{\"ts\":\"";
    line += Timestamp();
    line += "\",\"level\":\"";
    line += LevelName(level);
    line += "\",\"component\":";
    AppendJsonString(line, component);
    line += ",\"msg\":";
    AppendJsonString(line, message);
    line += "}\n";
  } else {
    line += Timestamp();
    line += ' ';
    std::string lv = LevelName(level);
    lv.resize(5, ' ');
    line += lv;
    line += " [";
    line += component;
    line += "] ";
    line += message;
    line += '\n';
  }
  std::lock_guard<std::mutex> lock(g_mu);
  // stderr is unbuffered; one write keeps lines from interleaving across processes too.
  ssize_t rc = ::write(STDERR_FILENO, line.data(), line.size());
  (void)rc;
}

}  // namespace rivven::log
