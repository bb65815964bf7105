// Fuzz target of the file source's JSON decoding: JSON Lines and top-level arrays
// (src/formats/json_reader.h through src/connectors/file/file_source_reader.h). Input: two
// option bytes (where the reader restarts, where a growing file is cut), then the file; see
// file_reader_harness.h for what is checked.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "file_reader_harness.h"

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/// Where a growing file may first be cut. A file that starts with an array complete on its
/// first line is JSON Lines if another value follows, else one array; by design the reader
/// decides "array" as soon as that line has its line break (formats::DetectJsonLayout), so a
/// writer must not stop between the first line and the second value. The cut respects that.
size_t FirstCut(std::string_view content) {
  size_t i = content.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (i < content.size() && IsSpace(content[i])) ++i;
  if (i == content.size() || content[i] != '[') return 0;
  i = content.find('\n', i);
  if (i == std::string_view::npos) return 0;
  while (i < content.size() && IsSpace(content[i])) ++i;
  return i + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  rivven::file::FileSourceConfig config;
  config.format = rivven::file::SourceFormat::kJson;
  const uint32_t choice = data[0] | static_cast<uint32_t>(data[1]) << 8;
  const std::string_view content(reinterpret_cast<const char*>(data) + 2, size - 2);
  rivven::fuzz::CheckFileReader(config, content, choice, FirstCut(content));
  return 0;
}
