#pragma once

#include <string_view>

#include <fmt/core.h>

namespace rivven::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kAuto, kText, kJson };

/// Configures the process-wide logger: human-readable text (kAuto, kText) or JSON lines
/// (kJson, from --log-format json). Thread-safe; call once at startup.
void Init(Format format, Level level);
bool Enabled(Level level);
/// Writes one line to stderr: "2026-11-23T19:42:38.123Z INFO  [component] message" or a JSON
/// object {"ts":..,"level":..,"component":..,"msg":..}. Never pass a secret here; resolved secret
/// values (base/redaction.h) are masked as a backstop.
void Write(Level level, std::string_view component, std::string_view message);
Level ParseLevel(std::string_view name, Level fallback);

template <typename... Args>
void Debug(std::string_view c, fmt::format_string<Args...> f, Args&&... a) {
  if (Enabled(Level::kDebug)) Write(Level::kDebug, c, fmt::format(f, std::forward<Args>(a)...));
}
template <typename... Args>
void Info(std::string_view c, fmt::format_string<Args...> f, Args&&... a) {
  if (Enabled(Level::kInfo)) Write(Level::kInfo, c, fmt::format(f, std::forward<Args>(a)...));
}
template <typename... Args>
void Warn(std::string_view c, fmt::format_string<Args...> f, Args&&... a) {
  if (Enabled(Level::kWarn)) Write(Level::kWarn, c, fmt::format(f, std::forward<Args>(a)...));
}
template <typename... Args>
void Error(std::string_view c, fmt::format_string<Args...> f, Args&&... a) {
  if (Enabled(Level::kError)) Write(Level::kError, c, fmt::format(f, std::forward<Args>(a)...));
}

}  // namespace rivven::log
