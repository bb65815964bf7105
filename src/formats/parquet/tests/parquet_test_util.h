#pragma once

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_writer.h"

namespace rivven::formats::parquet::testing {

/// Writes `records` with `options`; fails the test on an error.
inline std::string WriteFile(const std::vector<std::string>& records, WriterOptions options = {}) {
  Writer w(options);
  for (const std::string& r : records) {
    Status s = w.Append(r);
    EXPECT_TRUE(s.ok()) << r << ": " << s.ToString();
  }
  Result<std::string> file = w.Finish();
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  return file.ok() ? *file : std::string();
}

/// Every row of `file` as JSON, or the error as "error: ...".
inline std::vector<std::string> ReadRows(const std::string& file) {
  std::vector<std::string> rows;
  Result<std::unique_ptr<Reader>> r = Reader::Open(file);
  if (!r.ok()) return {"error: " + r.status().ToString()};
  Status s = (*r)->ForEachRow([&](std::string_view row) {
    rows.emplace_back(row);
    return true;
  });
  if (!s.ok()) rows.push_back("error: " + s.ToString());
  return rows;
}

inline FileMetaData Footer(const std::string& file) {
  uint32_t n;
  std::memcpy(&n, file.data() + file.size() - 8, 4);
  Result<FileMetaData> m = ParseFileMetaData(std::string_view(file).substr(file.size() - 8 - n, n));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : FileMetaData{};
}

}  // namespace rivven::formats::parquet::testing
