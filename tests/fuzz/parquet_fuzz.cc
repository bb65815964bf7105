// Fuzz target of the Parquet reader (src/formats/parquet): any bytes, opened as a file held in
// memory, must open or fail with a Status, and every row it yields must be one valid compact
// JSON object — never a crash, an out-of-bounds read or an unbounded allocation. Rows are also
// read from the middle (the file source's resume path).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "formats/json_reader.h"
#include "formats/parquet/parquet_reader.h"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using rivven::formats::parquet::Reader;
  rivven::Result<std::unique_ptr<Reader>> r =
      Reader::Open(std::string(reinterpret_cast<const char*>(data), size));
  if (!r.ok()) return 0;
  Reader& reader = **r;
  (void)reader.column_names();
  rivven::formats::JsonCompactor json;
  std::string compact;
  size_t rows = 0;
  // A hostile footer may claim billions of (all-null) rows: a bounded number is enough.
  const auto check_row = [&](std::string_view row) {
    Check(row.size() >= 2 && row.front() == '{' && row.back() == '}');
    Check(json.Compact(row, &compact).ok());
    return ++rows < 2000;
  };
  (void)reader.ForEachRow(check_row);
  if (reader.num_rows() > 1) {
    rows = 0;
    (void)reader.ForEachRowFrom(reader.num_rows() / 2, check_row);
  }
  return 0;
}
