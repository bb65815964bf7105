// Rolling files: temp name + rename, rotation by size and age, compression, json arrays.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "connectors/file/file_sink.h"
#include "connectors/file/tests/file_test_util.h"
#include "formats/compression.h"
#include "record/json.h"

namespace rivven::file {
namespace {

namespace fs = std::filesystem;
using formats::Compression;

constexpr TimestampMs kT0 = 1709251198500;  // 2024-02-29T23:59:58.500Z
constexpr int64_t kHourMs = 3600 * 1000;

using testing::ReadFile;
using testing::Rec;

/// The decoded content of a file, by its extension.
std::string Decoded(const fs::path& p) {
  const std::string raw = ReadFile(p);
  std::string name = p.filename().string();
  if (name.ends_with(".inprogress")) name.resize(name.size() - 11);
  Compression c = Compression::kNone;
  if (name.ends_with(".gz")) c = Compression::kGzip;
  if (name.ends_with(".zst")) c = Compression::kZstd;
  if (name.ends_with(".sz")) c = Compression::kSnappy;
  if (c == Compression::kNone) return raw;
  auto d = formats::Decompress(c, raw);
  EXPECT_TRUE(d.ok()) << p << ": " << d.status().ToString();
  return d.ok() ? *d : "";
}

std::vector<std::string> Names(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

std::string Orders(int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) s += "{\"order_id\":" + std::to_string(i) + "}\n";
  return s;
}

std::vector<ConsumedRecord> OrderRecords(int from, int to, const std::string& topic = "orders") {
  std::vector<ConsumedRecord> v;
  for (int i = from; i < to; ++i)
    v.push_back(Rec(topic, "{\"order_id\":" + std::to_string(i) + "}", i));
  return v;
}

class FileSinkRollingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/file_sink_rollingXXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    out_ = root_ / "out";
  }
  void TearDown() override { fs::remove_all(root_); }

  FileSinkConfig Config(FileFormat format, Compression c = Compression::kNone) {
    FileSinkConfig config;
    config.path = out_.string();
    config.format = format;
    config.compression = c;
    return config;
  }

  std::unique_ptr<FileSink> OpenSink(FileSinkConfig config) {
    auto sink = std::make_unique<FileSink>(std::move(config), nullptr, std::vector<std::string>{},
                                           [this] { return now_; });
    Status st = sink->Open();
    EXPECT_TRUE(st.ok()) << st.ToString();
    return sink;
  }

  fs::path root_;
  fs::path out_;
  TimestampMs now_ = kT0;
};

TEST_F(FileSinkRollingTest, HiddenWhileWrittenRenamedWhenClosed) {
  for (Compression c :
       {Compression::kNone, Compression::kGzip, Compression::kZstd, Compression::kSnappy}) {
    SCOPED_TRACE(formats::CompressionName(c));
    fs::remove_all(out_);
    FileSinkConfig config = Config(FileFormat::kJsonl, c);
    config.max_size_bytes = 1 << 30;  // uncompressed jsonl rolls only with a rotation limit
    auto sink = OpenSink(config);
    ASSERT_TRUE(sink->Write(OrderRecords(0, 3)).ok());
    ASSERT_TRUE(sink->Flush().ok());
    const std::string ext = std::string(".jsonl") + formats::CompressionExtension(c);
    const std::string final_name = "orders-20240229T235958Z-0000" + ext;
    // Before Close: only the hidden in-progress file, already holding every flushed record.
    EXPECT_EQ(Names(out_), std::vector<std::string>{"." + final_name + ".inprogress"});
    EXPECT_EQ(Decoded(out_ / ("." + final_name + ".inprogress")), Orders(0, 3));
    ASSERT_TRUE(sink->Write(OrderRecords(3, 5)).ok());
    ASSERT_TRUE(sink->Flush().ok());
    EXPECT_FALSE(fs::exists(out_ / final_name));
    ASSERT_TRUE(sink->Close().ok());
    EXPECT_EQ(Names(out_), std::vector<std::string>{final_name});
    EXPECT_EQ(Decoded(out_ / final_name), Orders(0, 5));
    EXPECT_EQ(sink->files_completed(), 1u);
  }
}

TEST_F(FileSinkRollingTest, RestartStartsANewFileAndNeverOverwrites) {
  {
    auto sink = OpenSink(Config(FileFormat::kJsonl, Compression::kGzip));
    ASSERT_TRUE(sink->Write(OrderRecords(0, 2)).ok());
    ASSERT_TRUE(sink->Close().ok());
  }
  // Same second: the next file takes the next sequence number.
  auto sink = OpenSink(Config(FileFormat::kJsonl, Compression::kGzip));
  ASSERT_TRUE(sink->Write(OrderRecords(2, 4)).ok());
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_EQ(Names(out_), (std::vector<std::string>{"orders-20240229T235958Z-0000.jsonl.gz",
                                                   "orders-20240229T235958Z-0001.jsonl.gz"}));
  EXPECT_EQ(Decoded(out_ / "orders-20240229T235958Z-0001.jsonl.gz"), Orders(2, 4));
}

TEST_F(FileSinkRollingTest, AFinalNameTakenMeanwhileIsNotReplaced) {
  FileSinkConfig config = Config(FileFormat::kJsonl);
  config.max_age_ms = kHourMs;
  auto sink = OpenSink(config);
  ASSERT_TRUE(sink->Write(OrderRecords(0, 1)).ok());
  // Someone else creates the name our file was going to get.
  { std::ofstream(out_ / "orders-20240229T235958Z-0000.jsonl") << "theirs\n"; }
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_EQ(ReadFile(out_ / "orders-20240229T235958Z-0000.jsonl"), "theirs\n");
  EXPECT_EQ(ReadFile(out_ / "orders-20240229T235958Z-0001.jsonl"), Orders(0, 1));
}

TEST_F(FileSinkRollingTest, RotationBySizeUncompressed) {
  FileSinkConfig config = Config(FileFormat::kJsonl);
  config.max_size_bytes = 1000;
  auto sink = OpenSink(config);
  // 100 records of 17-18 bytes: a file closes with the record that takes it to 1000 bytes.
  ASSERT_TRUE(sink->Write(OrderRecords(0, 100)).ok());
  ASSERT_TRUE(sink->Flush().ok());
  auto names = Names(out_);
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], ".orders-20240229T235958Z-0001.jsonl.inprogress");
  EXPECT_EQ(names[1], "orders-20240229T235958Z-0000.jsonl");
  const auto first = fs::file_size(out_ / names[1]);
  EXPECT_GE(first, 1000u);
  EXPECT_LT(first, 1000u + 20);
  ASSERT_TRUE(sink->Write(OrderRecords(100, 200)).ok());
  ASSERT_TRUE(sink->Close().ok());
  names = Names(out_);
  std::string all;
  for (const auto& n : names) {
    EXPECT_FALSE(n.ends_with(".inprogress")) << n;
    all += ReadFile(out_ / n);
    if (n != names.back()) {
      EXPECT_GE(fs::file_size(out_ / n), 1000u) << n;
    }
  }
  EXPECT_EQ(names.size(), 4u);  // 3290 bytes in files of >= 1000
  EXPECT_EQ(all, Orders(0, 200));
  EXPECT_EQ(sink->files_completed(), 4u);
}

TEST_F(FileSinkRollingTest, RotationBySizeCompressedCountsCompressedBytes) {
  for (Compression c : {Compression::kGzip, Compression::kZstd, Compression::kSnappy}) {
    SCOPED_TRACE(formats::CompressionName(c));
    fs::remove_all(out_);
    FileSinkConfig config = Config(FileFormat::kJsonl, c);
    config.max_size_bytes = 256 * 1024;
    auto sink = OpenSink(config);
    // Poorly compressible values so that several files fill up.
    std::vector<ConsumedRecord> batch;
    std::string expected;
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 40'000; ++i) {
      std::string v = "\"";
      for (int k = 0; k < 4; ++k) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        v += std::to_string(x);
      }
      v += "\"";
      expected += v + "\n";
      batch.push_back(Rec("orders", v, i));
    }
    ASSERT_TRUE(sink->Write(batch).ok());
    ASSERT_TRUE(sink->Close().ok());
    const auto names = Names(out_);
    EXPECT_GE(names.size(), 4u);
    std::string all;
    for (const auto& n : names) {
      all += Decoded(out_ / n);
      const auto size = fs::file_size(out_ / n);
      if (n != names.back()) {
        EXPECT_GE(size, config.max_size_bytes) << n;
      }
      // Measured at the compressor's output: one 64 KiB chunk plus its internal block late.
      EXPECT_LT(size, config.max_size_bytes + 256 * 1024) << n;
    }
    EXPECT_EQ(all, expected);
  }
}

TEST_F(FileSinkRollingTest, RotationByAgeOnWriteAndOnFlush) {
  FileSinkConfig config = Config(FileFormat::kJsonl, Compression::kZstd);
  config.max_age_ms = kHourMs;
  auto sink = OpenSink(config);
  ASSERT_TRUE(sink->Write(OrderRecords(0, 1)).ok());
  ASSERT_TRUE(sink->Flush().ok());
  now_ = kT0 + kHourMs - 1;
  ASSERT_TRUE(sink->Write(OrderRecords(1, 2)).ok());
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_EQ(sink->files_completed(), 0u);
  // An hour after it was created, a record for the topic completes the file first.
  now_ = kT0 + kHourMs;
  ASSERT_TRUE(sink->Write(OrderRecords(2, 3)).ok());
  EXPECT_EQ(sink->files_completed(), 1u);
  EXPECT_EQ(Decoded(out_ / "orders-20240229T235958Z-0000.jsonl.zst"), Orders(0, 2));
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_EQ(Decoded(out_ / ".orders-20240301T005958Z-0000.jsonl.zst.inprogress"), Orders(2, 3));
  // With no record arriving, a Flush completes an aged file; nothing new is opened.
  now_ = kT0 + 2 * kHourMs + 5;
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_EQ(sink->files_completed(), 2u);
  EXPECT_EQ(Names(out_), (std::vector<std::string>{"orders-20240229T235958Z-0000.jsonl.zst",
                                                   "orders-20240301T005958Z-0000.jsonl.zst"}));
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_EQ(Names(out_).size(), 2u);
}

TEST_F(FileSinkRollingTest, EveryFlushEndsAMemberAndToolsReadTheFile) {
  for (Compression c : {Compression::kGzip, Compression::kZstd, Compression::kSnappy}) {
    SCOPED_TRACE(formats::CompressionName(c));
    fs::remove_all(out_);
    auto sink = OpenSink(Config(FileFormat::kCsv, c));
    for (int batch = 0; batch < 5; ++batch) {
      std::vector<ConsumedRecord> records;
      for (int i = batch * 10; i < batch * 10 + 10; ++i) {
        records.push_back(Rec("t", "{\"id\":" + std::to_string(i) + ",\"v\":\"a,b\"}", i));
      }
      ASSERT_TRUE(sink->Write(records).ok());
      ASSERT_TRUE(sink->Flush().ok());
      // Everything flushed decodes on its own: the file ends with a complete member.
      const auto names = Names(out_);
      ASSERT_EQ(names.size(), 1u);
      auto d = formats::Decompressor::Create(c);
      ASSERT_TRUE(d.ok());
      std::string decoded;
      ASSERT_TRUE((*d)->Feed(ReadFile(out_ / names[0]), &decoded).ok());
      EXPECT_TRUE((*d)->at_member_boundary());
      EXPECT_EQ(std::count(decoded.begin(), decoded.end(), '\n'), 1 + 10 * (batch + 1));
    }
    ASSERT_TRUE(sink->Close().ok());
    const fs::path file = out_ / Names(out_)[0];
    std::string expected = "id,v\n";
    for (int i = 0; i < 50; ++i) expected += std::to_string(i) + ",\"a,b\"\n";
    EXPECT_EQ(Decoded(file), expected);
    if (c == Compression::kSnappy) continue;  // no system tool (formats' tests use python-snappy)
    const char* tool = c == Compression::kGzip ? "gzip" : "zstd";
    if (std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0) {
      EXPECT_EQ(std::system((std::string(tool) + " -t -q " + file.string()).c_str()), 0);
    }
  }
}

TEST_F(FileSinkRollingTest, JsonArrayIsValidAfterClose) {
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kSnappy}) {
    fs::remove_all(out_);
    auto sink = OpenSink(Config(FileFormat::kJson, c));
    ASSERT_TRUE(
        sink->Write({Rec("t", R"({"a": 1})"), Rec("t", "not json"), Rec("t", std::nullopt),
                     Rec("t", "{\n  \"multi\": [1,\n 2]\n}"), Rec("t", "[1,2]"), Rec("t", "42")})
            .ok());
    ASSERT_TRUE(sink->Flush().ok());
    ASSERT_TRUE(sink->Write({Rec("t", "\"s\"")}).ok());
    ASSERT_TRUE(sink->Close().ok());
    const auto names = Names(out_);
    ASSERT_EQ(names.size(), 1u);
    EXPECT_TRUE(names[0].starts_with("t-20240229T235958Z-0000.json"));
    const std::string text = Decoded(out_ / names[0]);
    EXPECT_EQ(text,
              "[\n"
              "{\"a\": 1}\n"
              ",\"not json\"\n"
              ",null\n"
              ",{\"multi\":[1,2]}\n"
              ",[1,2]\n"
              ",42\n"
              ",\"s\"\n"
              "]\n");
    EXPECT_TRUE(json::IsJson(text));
  }
}

TEST_F(FileSinkRollingTest, JsonFilesRotateIntoSeparateValidArrays) {
  FileSinkConfig config = Config(FileFormat::kJson);
  config.max_size_bytes = 100;
  auto sink = OpenSink(config);
  ASSERT_TRUE(sink->Write(OrderRecords(0, 20)).ok());
  ASSERT_TRUE(sink->Close().ok());
  int elements = 0;
  for (const auto& n : Names(out_)) {
    const std::string text = ReadFile(out_ / n);
    EXPECT_TRUE(json::IsJson(text)) << n << "\n" << text;
    elements += static_cast<int>(std::count(text.begin(), text.end(), '\n')) - 2;
  }
  EXPECT_GT(Names(out_).size(), 3u);
  EXPECT_EQ(elements, 20);
}

TEST_F(FileSinkRollingTest, TopicsGetTheirOwnFilesAndNeverLeaveTheDirectory) {
  auto sink = OpenSink(Config(FileFormat::kCsv, Compression::kGzip));
  ASSERT_TRUE(sink->Write({Rec("../escaped", "{\"a\":1}"), Rec("/tmp/abs", "{\"a\":2}"),
                           Rec("..", "{\"a\":3}"), Rec("a-20240101T000000Z-0001", "{\"a\":4}")})
                  .ok());
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_FALSE(fs::exists(root_ / "escaped-20240229T235958Z-0000.csv.gz"));
  EXPECT_EQ(Names(out_),
            (std::vector<std::string>{"%2E%2E-20240229T235958Z-0000.csv.gz",
                                      "%2Ftmp%2Fabs-20240229T235958Z-0000.csv.gz",
                                      "..%2Fescaped-20240229T235958Z-0000.csv.gz",
                                      "a-20240101T000000Z-0001-20240229T235958Z-0000.csv.gz"}));
  EXPECT_EQ(Decoded(out_ / "..%2Fescaped-20240229T235958Z-0000.csv.gz"), "a\n1\n");
  EXPECT_FALSE(sink->Write({Rec("", "{}")}).ok());
}

TEST_F(FileSinkRollingTest, SymlinkedInProgressNameIsNotFollowed) {
  fs::create_directories(out_);
  const fs::path outside = root_ / "outside.txt";
  { std::ofstream(outside) << "keep\n"; }
  fs::create_symlink(outside, out_ / ".t-20240229T235958Z-0000.jsonl.gz.inprogress");
  auto sink = OpenSink(Config(FileFormat::kJsonl, Compression::kGzip));
  // Not ours (a symlink): left alone by recovery, and skipped for a new name.
  ASSERT_TRUE(sink->Write({Rec("t", "1")}).ok());
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_EQ(ReadFile(outside), "keep\n");
  EXPECT_EQ(Decoded(out_ / "t-20240229T235958Z-0001.jsonl.gz"), "1\n");
}

}  // namespace
}  // namespace rivven::file
