// Corrupt and hostile files must give errors naming what and where, never crash or allocate
// without bound (tests/fuzz/parquet_fuzz.cc explores the same surface at random).
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/tests/parquet_test_util.h"

namespace rivven::formats::parquet {
namespace {

using testing::Footer;
using testing::ReadRows;
using testing::WriteFile;

std::string Sample(Codec codec = Codec::kUncompressed) {
  std::vector<std::string> records;
  for (int i = 0; i < 50; ++i) {
    records.push_back("{\"id\":" + std::to_string(i) + ",\"name\":\"n" + std::to_string(i % 4) +
                      "\",\"x\":" + std::to_string(i) + ".5}");
  }
  WriterOptions o;
  o.codec = codec;
  return WriteFile(records, o);
}

/// Replaces the footer with `m` serialised (the data stays).
std::string WithFooter(const std::string& file, const FileMetaData& m) {
  uint32_t n;
  std::memcpy(&n, file.data() + file.size() - 8, 4);
  std::string out = file.substr(0, file.size() - 8 - n);
  const size_t start = out.size();
  SerializeFileMetaData(m, &out);
  const uint32_t len = static_cast<uint32_t>(out.size() - start);
  out.append(reinterpret_cast<const char*>(&len), 4);
  out += "PAR1";
  return out;
}

std::string OpenError(const std::string& file) {
  Result<std::unique_ptr<Reader>> r = Reader::Open(file);
  return r.ok() ? "" : r.status().ToString();
}

std::string ReadError(const std::string& file) {
  const std::vector<std::string> rows = ReadRows(file);
  return !rows.empty() && rows.back().rfind("error: ", 0) == 0 ? rows.back() : "";
}

TEST(ParquetCorruptTest, BadMagicShortFilesAndTruncatedFooters) {
  const std::string file = Sample();
  EXPECT_NE(OpenError("").find("too short"), std::string::npos);
  EXPECT_NE(OpenError("PAR1PAR1").find("too short"), std::string::npos);
  std::string bad = file;
  bad[0] = 'X';
  EXPECT_NE(OpenError(bad).find("no PAR1 magic"), std::string::npos);
  EXPECT_NE(OpenError(file.substr(0, file.size() - 1)).find("magic"), std::string::npos);
  // Every truncation is an error at Open or while reading, never a crash.
  for (size_t n = 0; n < file.size(); ++n) {
    const std::string cut = file.substr(0, n);
    EXPECT_FALSE(OpenError(cut).empty() && ReadError(cut).empty()) << n;
  }
  // A footer length past the start of the file.
  std::string huge = file;
  const uint32_t len = 0x7fffffff;
  std::memcpy(huge.data() + huge.size() - 8, &len, 4);
  EXPECT_NE(OpenError(huge).find("footer length 2147483647"), std::string::npos) << OpenError(huge);
  // A footer one byte shorter than it says: the Thrift decoder runs out.
  std::string shorter = file;
  uint32_t n;
  std::memcpy(&n, file.data() + file.size() - 8, 4);
  shorter.erase(shorter.size() - 9, 1);
  --n;
  std::memcpy(shorter.data() + shorter.size() - 8, &n, 4);
  EXPECT_NE(OpenError(shorter).find("parquet: footer"), std::string::npos) << OpenError(shorter);
  EXPECT_NE(OpenError(std::string("PAR1") + std::string(8, '\0') + "PARE").find("encrypted"),
            std::string::npos);
}

TEST(ParquetCorruptTest, ChunkAndPageBoundsAreChecked) {
  const std::string file = Sample();
  FileMetaData m = Footer(file);
  // A column chunk reaching past the footer.
  FileMetaData past = m;
  past.row_groups[0].columns[1].meta_data->total_compressed_size = 1 << 30;
  EXPECT_NE(ReadError(WithFooter(file, past)).find("column 'name' in row group 0"),
            std::string::npos)
      << ReadError(WithFooter(file, past));
  // More rows than the pages hold.
  FileMetaData more = m;
  more.num_rows = 60;
  more.row_groups[0].num_rows = 60;
  EXPECT_NE(ReadError(WithFooter(file, more)).find("short of its row group"), std::string::npos)
      << ReadError(WithFooter(file, more));
  // Row groups that do not add up to num_rows.
  FileMetaData sum = m;
  sum.num_rows = 10;
  EXPECT_NE(OpenError(WithFooter(file, sum)).find("more than the file's"), std::string::npos);
  // A type that disagrees with the schema.
  FileMetaData type = m;
  type.row_groups[0].columns[0].meta_data->type = PhysicalType::kDouble;
  EXPECT_NE(OpenError(WithFooter(file, type)).find("is DOUBLE, the schema says INT64"),
            std::string::npos);
  // Nested and repeated columns are refused by name.
  FileMetaData nested = m;
  nested.schema[1].num_children = 1;
  EXPECT_NE(OpenError(WithFooter(file, nested)).find("column 'id' is a nested group"),
            std::string::npos);
  FileMetaData repeated = m;
  repeated.schema[2].repetition = Repetition::kRepeated;
  EXPECT_NE(OpenError(WithFooter(file, repeated)).find("column 'name' is repeated"),
            std::string::npos);
}

TEST(ParquetCorruptTest, PageHeadersClaimingTooMuch) {
  // Write one column, then patch its data page header's sizes and counts.
  const std::string file = WriteFile({R"({"a":1})", R"({"a":2})"});
  const FileMetaData m = Footer(file);
  const int64_t page = m.row_groups[0].columns[0].meta_data->data_page_offset;
  size_t header_len = 0;
  Result<PageHeader> h =
      ParsePageHeader(std::string_view(file).substr(static_cast<size_t>(page)), &header_len);
  ASSERT_TRUE(h.ok());
  auto with_header = [&](const PageHeader& nh) {
    std::string out = file.substr(0, static_cast<size_t>(page));
    SerializePageHeader(nh, &out);
    out += file.substr(static_cast<size_t>(page) + header_len);
    // Offsets after the page moved: rebuild the footer with the new chunk size.
    FileMetaData fm = m;
    fm.row_groups[0].columns[0].meta_data->total_compressed_size +=
        static_cast<int64_t>(out.size()) - static_cast<int64_t>(file.size());
    return WithFooter(out, fm);
  };
  PageHeader big = *h;
  big.compressed_page_size = 1 << 30;
  EXPECT_NE(ReadError(with_header(big)).find("past the end of the column chunk"), std::string::npos)
      << ReadError(with_header(big));
  PageHeader values = *h;
  values.data_page_header->num_values = 2000000000;
  EXPECT_NE(ReadError(with_header(values)).find("page claims 2000000000 values"), std::string::npos)
      << ReadError(with_header(values));
  PageHeader uncompressed = *h;
  uncompressed.uncompressed_page_size = 2000000000;
  EXPECT_NE(ReadError(with_header(uncompressed)).find("uncompressed page size"), std::string::npos)
      << ReadError(with_header(uncompressed));
  PageHeader encoding = *h;
  encoding.data_page_header->encoding = static_cast<Encoding>(42);
  EXPECT_NE(ReadError(with_header(encoding)).find("not supported"), std::string::npos)
      << ReadError(with_header(encoding));
}

TEST(ParquetCorruptTest, RandomByteFlipsNeverCrash) {
  std::mt19937 rng(1234);
  for (Codec codec : {Codec::kUncompressed, Codec::kSnappy, Codec::kGzip, Codec::kZstd}) {
    const std::string file = Sample(codec);
    for (int i = 0; i < 300; ++i) {
      std::string bad = file;
      for (int k = 0; k < 1 + i % 4; ++k) bad[rng() % bad.size()] = static_cast<char>(rng());
      (void)ReadRows(bad);  // any outcome but a crash (ASan/UBSan runs in the fuzz replay)
    }
  }
}

}  // namespace
}  // namespace rivven::formats::parquet
