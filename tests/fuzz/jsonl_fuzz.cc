// Fuzz target of the file source's JSON decoding: JSON Lines and top-level arrays
// (src/formats/json_reader.h through src/connectors/file/file_source_reader.h). Input: two
// option bytes (where the reader restarts, where a growing file is cut), then the file; see
// file_reader_harness.h for what is checked.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "file_reader_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  rivven::file::FileSourceConfig config;
  config.format = rivven::file::SourceFormat::kJson;
  const uint32_t choice = data[0] | static_cast<uint32_t>(data[1]) << 8;
  rivven::fuzz::CheckFileReader(
      config, std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2), choice);
  return 0;
}
