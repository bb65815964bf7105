#include "connectors/file/file_sink.h"
#include "connectors/file/tests/file_test_util.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rivven::file {
namespace {

namespace fs = std::filesystem;

using testing::ReadFile;
using testing::Rec;

class FileSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/file_sink_testXXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    out_ = root_ / "out" / "nested";  // does not exist yet: Open creates it
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<FileSink> OpenSink() {
    auto sink = std::make_unique<FileSink>(FileSinkConfig{out_.string(), FileFormat::kJsonl});
    Status st = sink->Open();
    EXPECT_TRUE(st.ok()) << st.ToString();
    return sink;
  }

  fs::path root_;
  fs::path out_;
};

TEST_F(FileSinkTest, OneFilePerTopicWithValueBytesPerLine) {
  auto sink = OpenSink();
  ASSERT_TRUE(sink->Write({Rec("orders", R"({"order_id":1})"), Rec("users", R"({"user_id":1})"),
                           Rec("orders", std::nullopt), Rec("orders", R"({"a": 1,  "b":2})")})
                  .ok());
  ASSERT_TRUE(
      sink->Write({Rec("orders", "{\n  \"pretty\": true\n}"), Rec("orders", "not json\nat all")})
          .ok());
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_EQ(ReadFile(out_ / "orders.jsonl"),
            "{\"order_id\":1}\n"
            "null\n"
            "{\"a\": 1,  \"b\":2}\n"  // copied, not re-encoded
            "{\"pretty\":true}\n"
            "\"not json\\nat all\"\n");
  EXPECT_EQ(ReadFile(out_ / "users.jsonl"), "{\"user_id\":1}\n");
  ASSERT_TRUE(sink->Close().ok());
}

TEST_F(FileSinkTest, DataIsInTheFileOnlyAfterFlushAndThenSynced) {
  auto sink = OpenSink();
  ASSERT_TRUE(sink->Write({Rec("t", "1"), Rec("t", "2"), Rec("u", "3")}).ok());
  EXPECT_EQ(ReadFile(out_ / "t.jsonl"), "");  // buffered
  const uint64_t before = sink->sync_count();
  ASSERT_TRUE(sink->Flush().ok());
  // Two files plus the directory that gained them.
  EXPECT_EQ(sink->sync_count() - before, 3u);
  // A fresh open of the file (another reader) sees the data without Close.
  EXPECT_EQ(ReadFile(out_ / "t.jsonl"), "1\n2\n");
  EXPECT_EQ(ReadFile(out_ / "u.jsonl"), "3\n");
  // Nothing written since: nothing to sync.
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_EQ(sink->sync_count() - before, 3u);
  ASSERT_TRUE(sink->Write({Rec("t", "4")}).ok());
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_EQ(sink->sync_count() - before, 4u);
}

TEST_F(FileSinkTest, ReopenAppends) {
  {
    auto sink = OpenSink();
    ASSERT_TRUE(sink->Write({Rec("t", "1"), Rec("t", "2")}).ok());
    ASSERT_TRUE(sink->Close().ok());
  }
  auto sink = OpenSink();
  ASSERT_TRUE(sink->Write({Rec("t", "2"), Rec("t", "3")}).ok());  // a replayed record
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_EQ(ReadFile(out_ / "t.jsonl"), "1\n2\n2\n3\n");
}

TEST_F(FileSinkTest, TornLastLineIsCutOnReopen) {
  fs::create_directories(out_);
  { std::ofstream(out_ / "t.jsonl", std::ios::binary) << "{\"a\":1}\n{\"a\":2}\n{\"a\":"; }
  { std::ofstream(out_ / "none.jsonl", std::ios::binary) << "no newline at all"; }
  auto sink = OpenSink();
  ASSERT_TRUE(sink->Write({Rec("t", "{\"a\":3}"), Rec("none", "1")}).ok());
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_EQ(ReadFile(out_ / "t.jsonl"), "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");
  EXPECT_EQ(ReadFile(out_ / "none.jsonl"), "1\n");
}

TEST_F(FileSinkTest, LargeBatchesReachTheFileInBigWrites) {
  auto sink = OpenSink();
  const std::string value(100, 'x');
  std::vector<ConsumedRecord> batch(30'000, Rec("big", "\"" + value + "\""));
  ASSERT_TRUE(sink->Write(batch).ok());
  // Past the 1 MiB buffer the data went to the kernel without a Flush; the rest is buffered.
  const auto size = fs::file_size(out_ / "big.jsonl");
  EXPECT_GE(size, FileSink::kBufferBytes);
  EXPECT_LT(size, 30'000u * 103);
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_EQ(fs::file_size(out_ / "big.jsonl"), 30'000u * 103);
}

TEST(TopicFileNameTest, KafkaNamesAreKeptEverythingElseEscaped) {
  auto name = [](std::string_view t) {
    auto r = TopicFileName(t, ".jsonl");
    return r.ok() ? *r : "error: " + r.status().message();
  };
  EXPECT_EQ(name("orders"), "orders.jsonl");
  EXPECT_EQ(name("demo-events_v1.2"), "demo-events_v1.2.jsonl");
  EXPECT_EQ(name("../etc/passwd"), "..%2Fetc%2Fpasswd.jsonl");
  EXPECT_EQ(name("/abs"), "%2Fabs.jsonl");
  EXPECT_EQ(name("."), "%2E.jsonl");
  EXPECT_EQ(name(".."), "%2E%2E.jsonl");
  EXPECT_EQ(name(std::string_view("a\0b", 3)), "a%00b.jsonl");
  EXPECT_EQ(name("a%2Fb"), "a%252Fb.jsonl");  // '%' is escaped too: no two topics collide
  EXPECT_EQ(name("a\\b c"), "a%5Cb%20c.jsonl");
  EXPECT_EQ(name("caf\xC3\xA9"), "caf%C3%A9.jsonl");
  EXPECT_EQ(name(""), "error: file sink: empty topic name");
  EXPECT_TRUE(TopicFileName(std::string(249, 'a'), ".jsonl").ok());
  EXPECT_FALSE(TopicFileName(std::string(250, 'a'), ".jsonl").ok());
  EXPECT_FALSE(TopicFileName(std::string(100, '/'), ".jsonl").ok());
}

TEST_F(FileSinkTest, HostileTopicsStayInsideTheDirectory) {
  auto sink = OpenSink();
  ASSERT_TRUE(sink->Write({Rec("../escaped", "1"), Rec("/tmp/abs", "2"), Rec("..", "3"),
                           Rec(std::string("nul\0x", 5), "4")})
                  .ok());
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_FALSE(fs::exists(out_.parent_path() / "escaped.jsonl"));
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(out_)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"%2E%2E.jsonl", "%2Ftmp%2Fabs.jsonl",
                                             "..%2Fescaped.jsonl", "nul%00x.jsonl"}));
  EXPECT_EQ(ReadFile(out_ / "..%2Fescaped.jsonl"), "1\n");
  EXPECT_FALSE(sink->Write({Rec("", "5")}).ok());
}

TEST_F(FileSinkTest, SymlinksAreNotFollowed) {
  fs::create_directories(out_);
  const fs::path outside = root_ / "outside.txt";
  { std::ofstream(outside) << "keep\n"; }
  fs::create_symlink(outside, out_ / "t.jsonl");
  auto sink = OpenSink();
  EXPECT_FALSE(sink->Write({Rec("t", "1")}).ok());
  EXPECT_EQ(ReadFile(outside), "keep\n");
}

TEST_F(FileSinkTest, PathThatIsAFileIsAnError) {
  fs::create_directories(out_.parent_path());
  { std::ofstream(out_) << "x"; }
  FileSink sink(FileSinkConfig{out_.string(), FileFormat::kJsonl});
  EXPECT_FALSE(sink.Open().ok());
  EXPECT_FALSE(sink.Write({Rec("t", "1")}).ok());
}

}  // namespace
}  // namespace rivven::file
