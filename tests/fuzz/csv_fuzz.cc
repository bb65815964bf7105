// Fuzz target of the file source's CSV decoding (src/formats/csv_reader.h through
// src/connectors/file/file_source_reader.h). Input: three option bytes, then the file: the dialect
// (delimiter, header, type inference), where the reader restarts, where a growing file is cut;
// see file_reader_harness.h for what is checked.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "file_reader_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  static constexpr char kDelimiters[] = {',', ';', '\t', '|'};
  rivven::file::FileSourceConfig config;
  config.format = rivven::file::SourceFormat::kCsv;
  config.csv.delimiter = kDelimiters[data[0] & 3];
  config.csv.header = (data[0] & 4) == 0;
  config.csv.infer_types = (data[0] & 8) == 0;
  const uint32_t choice = data[1] | static_cast<uint32_t>(data[2]) << 8;
  rivven::fuzz::CheckFileReader(
      config, std::string_view(reinterpret_cast<const char*>(data) + 3, size - 3), choice);
  return 0;
}
