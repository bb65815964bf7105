// The csv format: header from the first record, RFC 4180 quoting, and records it cannot hold.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "connectors/file/file_sink.h"
#include "connectors/tests/collecting_errors.h"

namespace rivven::file {
namespace {

namespace fs = std::filesystem;

ConsumedRecord Rec(std::optional<std::string> value, int64_t offset = 0,
                   std::string topic = "orders") {
  ConsumedRecord r;
  r.topic = std::move(topic);
  r.partition = 2;
  r.offset = Offset(offset);
  r.record.value = std::move(value);
  r.record.key = "k" + std::to_string(offset);
  return r;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using Handler = ::rivven::testing::CollectingErrors;

class FileSinkCsvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/file_sink_csvXXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    out_ = tmpl;
  }
  void TearDown() override { fs::remove_all(out_); }

  std::unique_ptr<FileSink> OpenSink(RecordErrorHandler* errors, uint64_t max_size = 0) {
    FileSinkConfig config;
    config.path = out_.string();
    config.format = FileFormat::kCsv;
    config.max_size_bytes = max_size;
    auto sink = std::make_unique<FileSink>(config, errors, std::vector<std::string>{},
                                           [] { return TimestampMs{0}; });
    Status st = sink->Open();
    EXPECT_TRUE(st.ok()) << st.ToString();
    return sink;
  }

  std::string Only() {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(out_)) files.push_back(e.path());
    EXPECT_EQ(files.size(), 1u);
    return files.empty() ? "" : ReadFile(files[0]);
  }

  fs::path out_;
};

TEST_F(FileSinkCsvTest, Golden) {
  auto sink = OpenSink(nullptr);
  ASSERT_TRUE(
      sink
          ->Write({
              Rec(R"({"id":1,"name":"plain","note":"a,b","quote":"say \"hi\"","multi":"two\nlines",)"
                  R"("tags":["x", 1, {"k": null}],"meta":{"a": {"b": [true, false]}},"ok":true,)"
                  R"("none":null,"empty":"","big":12345678901234567890123,"pi":-3.14e-10,)"
                  R"("esc":"caf\u00e9 \t tab","cr":"a\rb"})"),
              // Keys in another order, some missing: each goes to its column.
              Rec(R"({"note":"n2","id":2})"),
          })
          .ok());
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_EQ(Only(),
            "id,name,note,quote,multi,tags,meta,ok,none,empty,big,pi,esc,cr\n"
            "1,plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"[\"\"x\"\",1,{\"\"k\"\":null}]\","
            "\"{\"\"a\"\":{\"\"b\"\":[true,false]}}\",true,,\"\",12345678901234567890123,-3.14e-10,"
            "caf\xC3\xA9 \t tab,\"a\rb\"\n"
            "2,,n2,,,,,,,,,,,\n");
}

TEST_F(FileSinkCsvTest, HeaderNamesAreQuotedToo) {
  auto sink = OpenSink(nullptr);
  ASSERT_TRUE(sink->Write({Rec(R"({"a,b":1,"say \"x\"":2,"":3})")}).ok());
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_EQ(Only(), "\"a,b\",\"say \"\"x\"\"\",\"\"\n1,2,3\n");
}

TEST_F(FileSinkCsvTest, ExtraKeysAreRejectedWithTheirNamesAndPosition) {
  Handler skip(false);
  auto sink = OpenSink(&skip);
  ASSERT_TRUE(sink->Write({Rec(R"({"id":1,"a":"x"})", 10), Rec(R"({"id":2,"b":1,"c":{"d":1}})", 11),
                           Rec(R"({"id":3})", 12)})
                  .ok());
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_EQ(Only(), "id,a\n1,x\n3,\n");
  ASSERT_EQ(skip.rejected.size(), 1u);
  const RejectedRecord& r = skip.rejected[0];
  EXPECT_EQ(r.position, "orders/2/11");
  EXPECT_EQ(r.value, R"({"id":2,"b":1,"c":{"d":1}})");
  EXPECT_EQ(r.key, "k11");
  EXPECT_NE(r.reason.find("orders/2/11"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("\"b\", \"c\""), std::string::npos) << r.reason;
}

TEST_F(FileSinkCsvTest, ValuesThatAreNotObjectsAreRejected) {
  Handler skip(false);
  auto sink = OpenSink(&skip);
  ASSERT_TRUE(sink->Write({Rec("[1,2]", 1), Rec("\"text\"", 2), Rec("42", 3), Rec(std::nullopt, 4),
                           Rec("not json", 5), Rec("{\"truncated\":", 6), Rec("{}", 7),
                           Rec("{\"id\":1}", 8), Rec("{}", 9)})
                  .ok());
  ASSERT_TRUE(sink->Close().ok());
  // An empty object cannot define the header, but fits one with every field empty.
  EXPECT_EQ(Only(), "id\n1\n\n");
  ASSERT_EQ(skip.rejected.size(), 7u);
  EXPECT_NE(skip.rejected[0].reason.find("not a JSON object"), std::string::npos);
  EXPECT_NE(skip.rejected[3].reason.find("null"), std::string::npos);
  EXPECT_NE(skip.rejected[4].reason.find("not JSON"), std::string::npos);
  EXPECT_NE(skip.rejected[6].reason.find("empty JSON object"), std::string::npos);
}

TEST_F(FileSinkCsvTest, OnErrorFailStopsTheWrite) {
  Handler fail(true);
  auto sink = OpenSink(&fail);
  Status st = sink->Write({Rec(R"({"id":1})", 1), Rec(R"({"other":1})", 2), Rec(R"({"id":3})", 3)});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("orders/2/2"), std::string::npos) << st.ToString();
  EXPECT_EQ(fail.rejected.size(), 1u);
  // The runtime closes the sink after a failed Write; what was accepted is completed.
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_EQ(Only(), "id\n1\n");

  // Without a handler (tests, tools) a record that cannot be written fails the sink.
  fs::remove_all(out_);
  auto bare = OpenSink(nullptr);
  EXPECT_FALSE(bare->Write({Rec("[]", 1)}).ok());
}

TEST_F(FileSinkCsvTest, EachFileHasTheHeaderOfItsFirstRecord) {
  Handler skip(false);
  auto sink = OpenSink(&skip, 10);  // the second record takes the file past 10 bytes
  ASSERT_TRUE(sink->Write({Rec(R"({"a":1,"b":2})"), Rec(R"({"a":3})"), Rec(R"({"c":"x"})")}).ok());
  ASSERT_TRUE(sink->Close().ok());
  std::vector<std::string> texts;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(out_)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) texts.push_back(ReadFile(f));
  EXPECT_EQ(texts, (std::vector<std::string>{"a,b\n1,2\n3,\n", "c\nx\n"}));
  EXPECT_TRUE(skip.rejected.empty());
}

TEST_F(FileSinkCsvTest, AFileWithOnlyRejectedRecordsIsRemoved) {
  Handler skip(false);
  auto sink = OpenSink(&skip);
  ASSERT_TRUE(sink->Write({Rec("[1]"), Rec("2")}).ok());
  ASSERT_TRUE(sink->Flush().ok());
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_TRUE(fs::is_empty(out_));
  EXPECT_EQ(skip.rejected.size(), 2u);
}

}  // namespace
}  // namespace rivven::file
