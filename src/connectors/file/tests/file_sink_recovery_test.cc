// Crash recovery: whatever a crash leaves in an in-progress file, the next Open completes it as a
// valid file of its format holding at least every record a successful Flush covered.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "connectors/file/file_sink.h"
#include "connectors/file/tests/file_test_util.h"
#include "formats/compression.h"
#include "formats/csv_writer.h"
#include "record/json.h"

namespace rivven::file {
namespace {

namespace fs = std::filesystem;
using formats::Compression;

constexpr TimestampMs kT0 = 1709251198500;

using testing::ReadFile;
using testing::Rec;

void WriteFile(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

std::vector<std::string> Names(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

/// Records whose text exercises each format: quotes, commas and line breaks inside strings
/// (a CSV record spanning lines), nested values.
std::vector<ConsumedRecord> Records(int from, int to) {
  std::vector<ConsumedRecord> v;
  for (int i = from; i < to; ++i) {
    std::string value = "{\"id\":" + std::to_string(i) + ",\"note\":\"line one\\nline \\\"" +
                        std::to_string(i) + "\\\", two\",\"tags\":[" + std::to_string(i % 7) +
                        ",{\"k\":null}]}";
    v.push_back(Rec("orders", value, i));
  }
  return v;
}

using Param = std::tuple<FileFormat, Compression>;

class FileSinkRecoveryTest : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/file_sink_recoveryXXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    out_ = root_ / "out";
    // The reference: every record written by a sink that was never interrupted.
    auto sink = OpenSink(root_ / "reference");
    ASSERT_TRUE(sink->Write(Records(0, kTotal)).ok());
    ASSERT_TRUE(sink->Close().ok());
    const auto names = Names(root_ / "reference");
    ASSERT_EQ(names.size(), 1u);
    reference_ = Decode(root_ / "reference" / names[0]);
    // The plain text of the first kFlushed records: a recovered file must hold at least this.
    auto prefix = OpenSink(root_ / "prefix");
    ASSERT_TRUE(prefix->Write(Records(0, kFlushed)).ok());
    ASSERT_TRUE(prefix->Close().ok());
    flushed_text_ = Body(Decode(root_ / "prefix" / Names(root_ / "prefix")[0]));
  }
  void TearDown() override { fs::remove_all(root_); }

  FileFormat format() const { return std::get<0>(GetParam()); }
  Compression compression() const { return std::get<1>(GetParam()); }

  std::unique_ptr<FileSink> OpenSink(const fs::path& dir) {
    FileSinkConfig config;
    config.path = dir.string();
    config.format = format();
    config.compression = compression();
    config.max_size_bytes = 1 << 30;  // so that plain jsonl rolls too (it appends otherwise)
    auto sink = std::make_unique<FileSink>(config, nullptr, std::vector<std::string>{"orders"},
                                           [] { return kT0; });
    Status st = sink->Open();
    EXPECT_TRUE(st.ok()) << st.ToString();
    return sink;
  }

  std::string Decode(const fs::path& p) {
    const std::string raw = ReadFile(p);
    if (compression() == Compression::kNone) return raw;
    auto d = formats::Decompress(compression(), raw);
    EXPECT_TRUE(d.ok()) << p << ": " << d.status().ToString();
    return d.ok() ? *d : "";
  }

  /// The text without a json array's closing line.
  std::string Body(std::string text) {
    if (format() == FileFormat::kJson) {
      EXPECT_TRUE(text.ends_with("\n]\n")) << text;
      text.resize(text.size() - 2);
    }
    return text;
  }

  /// Writes kFlushed records and Flushes, then writes the rest and hands them to the kernel
  /// with a second Flush, and "crashes" (the sink is dropped without Close). Returns the
  /// in-progress file and the size the first Flush left it at.
  std::pair<fs::path, uint64_t> CrashAfterTwoFlushes() {
    auto sink = OpenSink(out_);
    EXPECT_TRUE(sink->Write(Records(0, kFlushed)).ok());
    EXPECT_TRUE(sink->Flush().ok());
    const auto names = Names(out_);
    EXPECT_EQ(names.size(), 1u);
    const fs::path file = out_ / names[0];
    EXPECT_TRUE(names[0].ends_with(".inprogress"));
    const uint64_t flushed_size = fs::file_size(file);
    EXPECT_TRUE(sink->Write(Records(kFlushed, kTotal)).ok());
    EXPECT_TRUE(sink->Flush().ok());
    sink.reset();  // no Close: like kill -9 after the page cache has the bytes
    return {file, flushed_size};
  }

  /// Opens a sink on the directory and checks what recovery made of it: one complete file, of
  /// the right format, whose records are a prefix of the reference holding at least the
  /// flushed ones.
  void ExpectRecovered(size_t min_records_text) {
    auto sink = OpenSink(out_);
    EXPECT_EQ(sink->files_completed(), 1u);
    ASSERT_TRUE(sink->Close().ok());
    const auto names = Names(out_);
    ASSERT_EQ(names.size(), 1u) << ::testing::PrintToString(names);
    EXPECT_EQ(names[0], "orders-20240229T235958Z-0000" + Extension());
    const std::string text = Decode(out_ / names[0]);
    const std::string body = Body(text);
    EXPECT_GE(body.size(), min_records_text);
    EXPECT_EQ(body, Body(reference_).substr(0, body.size()));
    switch (format()) {
      case FileFormat::kJson:
        EXPECT_TRUE(json::IsJson(text)) << text;
        break;
      case FileFormat::kJsonl:
        EXPECT_TRUE(text.ends_with("\n"));
        break;
      case FileFormat::kCsv: {
        formats::CsvRecordScanner s;
        s.Feed(text);
        EXPECT_EQ(s.complete_bytes(), text.size());
        break;
      }
    }
  }

  std::string Extension() const {
    const char* f = format() == FileFormat::kCsv    ? ".csv"
                    : format() == FileFormat::kJson ? ".json"
                                                    : ".jsonl";
    return std::string(f) + formats::CompressionExtension(compression());
  }

  static constexpr int kFlushed = 40;
  static constexpr int kTotal = 100;
  fs::path root_;
  fs::path out_;
  std::string reference_;
  std::string flushed_text_;
};

TEST_P(FileSinkRecoveryTest, CleanCrashKeepsEverything) {
  CrashAfterTwoFlushes();
  ExpectRecovered(Body(reference_).size());
}

TEST_P(FileSinkRecoveryTest, TornWriteIsCutAtEveryPoint) {
  const auto [file, flushed_size] = CrashAfterTwoFlushes();
  const std::string full = ReadFile(file);
  // Tear the file at many points between the first Flush and the end.
  const uint64_t span = full.size() - flushed_size;
  for (uint64_t cut : {flushed_size, flushed_size + 1, flushed_size + span / 3,
                       flushed_size + span / 2, static_cast<uint64_t>(full.size() - 1)}) {
    SCOPED_TRACE("cut at " + std::to_string(cut) + " of " + std::to_string(full.size()));
    fs::remove_all(out_);
    fs::create_directories(out_);
    WriteFile(file, full.substr(0, cut));
    ExpectRecovered(flushed_text_.size());
  }
}

TEST_P(FileSinkRecoveryTest, GarbageAfterTheLastFlushIsRemoved) {
  const auto [file, flushed_size] = CrashAfterTwoFlushes();
  const std::string full = ReadFile(file);
  for (const std::string& garbage :
       {std::string("{\"id\":9"), std::string("\"open quote, never closed"), std::string(512, '\0'),
        std::string("\x1f\x8b\x08\x00garbage", 12), std::string("\x28\xb5\x2f\xfd\x00\x00", 6)}) {
    fs::remove_all(out_);
    fs::create_directories(out_);
    WriteFile(file, full.substr(0, flushed_size) + garbage);
    ExpectRecovered(flushed_text_.size());
  }
}

TEST_P(FileSinkRecoveryTest, NothingFlushedLeavesNoFile) {
  {
    auto sink = OpenSink(out_);
    ASSERT_TRUE(sink->Write(Records(0, 3)).ok());
    ASSERT_TRUE(sink->Flush().ok());
  }
  const auto names = Names(out_);
  ASSERT_EQ(names.size(), 1u);
  // Torn within the first record (or the first member).
  WriteFile(out_ / names[0], ReadFile(out_ / names[0]).substr(0, 5));
  auto sink = OpenSink(out_);
  EXPECT_EQ(sink->files_completed(), 0u);
  EXPECT_TRUE(Names(out_).empty());
  ASSERT_TRUE(sink->Close().ok());
}

TEST_P(FileSinkRecoveryTest, RecoveredSinkGoesOnWritingANewFile) {
  CrashAfterTwoFlushes();
  auto sink = OpenSink(out_);
  ASSERT_TRUE(sink->Write(Records(kTotal, kTotal + 5)).ok());
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_EQ(Names(out_), (std::vector<std::string>{"orders-20240229T235958Z-0000" + Extension(),
                                                   "orders-20240229T235958Z-0001" + Extension()}));
}

std::string ParamName(const ::testing::TestParamInfo<Param>& info) {
  const FileFormat f = std::get<0>(info.param);
  return std::string(f == FileFormat::kCsv    ? "csv"
                     : f == FileFormat::kJson ? "json"
                                              : "jsonl") +
         "_" + formats::CompressionName(std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(
    Formats, FileSinkRecoveryTest,
    ::testing::Combine(::testing::Values(FileFormat::kJsonl, FileFormat::kCsv, FileFormat::kJson),
                       ::testing::Values(Compression::kNone, Compression::kGzip, Compression::kZstd,
                                         Compression::kSnappy)),
    ParamName);

/// Snappy emits a checksummed chunk per 64 KiB of input, wherever that falls in a record; only
/// the marker at the end of a member says a Flush ended there.
class FileSinkSnappyRecoveryTest : public FileSinkRecoveryTest {};

TEST_P(FileSinkSnappyRecoveryTest, AChunkEndInsideAFlushIsNoCutPoint) {
  uint64_t flushed_size = 0;
  fs::path file;
  {
    auto sink = OpenSink(out_);
    ASSERT_TRUE(sink->Write(Records(0, kFlushed)).ok());
    ASSERT_TRUE(sink->Flush().ok());
    file = out_ / Names(out_)[0];
    flushed_size = fs::file_size(file);
    // 4,000 records in one Flush (250-500 KiB by format): a member of several data chunks.
    ASSERT_TRUE(sink->Write(Records(kFlushed, kFlushed + 4'000)).ok());
    ASSERT_TRUE(sink->Flush().ok());
  }
  const std::string full = ReadFile(file);
  // The ends of the data chunks of the second member (its identifier is 10 bytes).
  std::vector<uint64_t> chunk_ends;
  for (uint64_t at = flushed_size + 10; at + 4 <= full.size();) {
    const auto byte = [&](uint64_t i) { return uint64_t{static_cast<unsigned char>(full[i])}; };
    if (byte(at) == 0xfe) break;  // the member's end marker
    at += 4 + (byte(at + 1) | byte(at + 2) << 8 | byte(at + 3) << 16);
    chunk_ends.push_back(at);
  }
  ASSERT_GE(chunk_ends.size(), 3u);
  for (const uint64_t cut : chunk_ends) {
    SCOPED_TRACE("cut at " + std::to_string(cut) + " of " + std::to_string(full.size()));
    fs::remove_all(out_);
    fs::create_directories(out_);
    WriteFile(file, full.substr(0, cut));
    ExpectRecovered(flushed_text_.size());
    // Exactly the first Flush: the whole chunks after it hold a record cut in two.
    EXPECT_EQ(Body(Decode(out_ / Names(out_)[0])), flushed_text_);
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, FileSinkSnappyRecoveryTest,
                         ::testing::Combine(::testing::Values(FileFormat::kJsonl, FileFormat::kCsv,
                                                              FileFormat::kJson),
                                            ::testing::Values(Compression::kSnappy)),
                         ParamName);

class FileSinkRecoveryCasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/file_sink_recoveryXXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    out_ = fs::path(tmpl) / "out";
    fs::create_directories(out_);
  }
  void TearDown() override { fs::remove_all(out_.parent_path()); }

  std::unique_ptr<FileSink> OpenSink(std::vector<std::string> topics, FileFormat format) {
    FileSinkConfig config;
    config.path = out_.string();
    config.format = format;
    auto sink = std::make_unique<FileSink>(config, nullptr, std::move(topics), [] { return kT0; });
    Status st = sink->Open();
    EXPECT_TRUE(st.ok()) << st.ToString();
    return sink;
  }

  fs::path out_;
};

TEST_F(FileSinkRecoveryCasesTest, JsonClosedButNotRenamedIsNotClosedTwice) {
  // A crash after the closing "]" reached the disk but before the rename.
  WriteFile(out_ / ".t-20240101T000000Z-0003.json.inprogress", "[\n[1]\n,{\"a\":[2]}\n]\n");
  auto sink = OpenSink({}, FileFormat::kJson);
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_EQ(ReadFile(out_ / "t-20240101T000000Z-0003.json"), "[\n[1]\n,{\"a\":[2]}\n]\n");
  // An element ending in "]" is not mistaken for the close.
  WriteFile(out_ / ".u-20240101T000000Z-0000.json.inprogress", "[\n[1]\n,[2]\n");
  sink = OpenSink({}, FileFormat::kJson);
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_EQ(ReadFile(out_ / "u-20240101T000000Z-0000.json"), "[\n[1]\n,[2]\n]\n");
}

TEST_F(FileSinkRecoveryCasesTest, OnlyTheSubscribedTopicsAreTouched) {
  // Another sink may be writing "other" into the same directory right now.
  WriteFile(out_ / ".orders-20240101T000000Z-0000.jsonl.inprogress", "1\n2\n3");
  WriteFile(out_ / ".other-20240101T000000Z-0000.jsonl.inprogress", "4\n5");
  WriteFile(out_ / ".not-ours.inprogress", "x");
  auto sink = OpenSink({"orders"}, FileFormat::kJsonl);
  EXPECT_EQ(sink->files_completed(), 1u);
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_EQ(Names(out_), (std::vector<std::string>{".not-ours.inprogress",
                                                   ".other-20240101T000000Z-0000.jsonl.inprogress",
                                                   "orders-20240101T000000Z-0000.jsonl"}));
  EXPECT_EQ(ReadFile(out_ / "orders-20240101T000000Z-0000.jsonl"), "1\n2\n");
  EXPECT_EQ(ReadFile(out_ / ".other-20240101T000000Z-0000.jsonl.inprogress"), "4\n5");
}

TEST_F(FileSinkRecoveryCasesTest, LeftoversOfAnotherConfigurationAreCompletedByTheirName) {
  // The sink now writes plain jsonl; an earlier run wrote zstd csv and gzip json.
  auto csv = formats::Compress(Compression::kZstd, "a,b\n1,2\n");
  auto json = formats::Compress(Compression::kGzip, "[\n{\"a\":1}\n");
  ASSERT_TRUE(csv.ok() && json.ok());
  WriteFile(out_ / ".t-20240101T000000Z-0000.csv.zst.inprogress", *csv + "torn");
  WriteFile(out_ / ".t-20240101T000000Z-0000.json.gz.inprogress", *json);
  auto sink = OpenSink({"t"}, FileFormat::kJsonl);
  EXPECT_EQ(sink->files_completed(), 2u);
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_EQ(
      *formats::Decompress(Compression::kZstd, ReadFile(out_ / "t-20240101T000000Z-0000.csv.zst")),
      "a,b\n1,2\n");
  EXPECT_EQ(
      *formats::Decompress(Compression::kGzip, ReadFile(out_ / "t-20240101T000000Z-0000.json.gz")),
      "[\n{\"a\":1}\n]\n");
}

TEST_F(FileSinkRecoveryCasesTest, CsvCutRespectsLineBreaksInsideQuotes) {
  // Torn right after a line break inside a quoted field: a last-newline cut would keep half a
  // record.
  WriteFile(out_ / ".t-20240101T000000Z-0000.csv.inprogress",
            "id,note\n1,\"two\nlines\"\n2,\"torn\nhere");
  auto sink = OpenSink({}, FileFormat::kCsv);
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_EQ(ReadFile(out_ / "t-20240101T000000Z-0000.csv"), "id,note\n1,\"two\nlines\"\n");
}

}  // namespace
}  // namespace rivven::file
