// The file source on real files in temp directories, read once (watch: false): formats, bad
// input through the error handler, checkpoints and resume, discover.
#include "connectors/file/file_source.h"
#include "connectors/file/tests/file_test_util.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "connectors/file/file_source_discover.h"
#include "connectors/file/file_source_reader.h"
#include "connectors/registry.h"
#include "connectors/tests/collecting_errors.h"

namespace rivven::file {
namespace {

using std::chrono::milliseconds;

using testing::AppendFile;
using testing::TempDir;
using testing::WriteFile;

using TestErrors = ::rivven::testing::CollectingErrors;

FileSourceConfig Config(const std::string& path, SourceFormat format = SourceFormat::kJson) {
  FileSourceConfig c;
  c.path = path;
  c.format = format;
  return c;
}

std::unique_ptr<FileSource> OpenSource(const FileSourceConfig& c, RecordErrorHandler* errors,
                                       const std::optional<std::string>& checkpoint = {}) {
  ConnectorContext ctx;
  ctx.name = "files";
  ctx.topic = "imported";
  ctx.errors = errors;
  auto s = std::make_unique<FileSource>(c, ctx);
  Status st = s->Open(checkpoint);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return s;
}

struct Drained {
  std::vector<std::string> values;
  std::string position;  // the last one returned
  bool finished = false;
  std::optional<SourceProgress> progress;
};

// Polls a bounded source until it finishes (or `limit` records, taking `per_poll` at a time).
Drained Drain(FileSource& s, size_t per_poll = 1000, size_t limit = SIZE_MAX) {
  Drained d;
  for (int i = 0; i < 100000 && d.values.size() < limit; ++i) {
    auto batch = s.Poll(std::min(per_poll, limit - d.values.size()), milliseconds(50), {});
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok()) break;
    for (auto& r : batch->records) {
      EXPECT_FALSE(r.key.has_value());
      EXPECT_TRUE(r.headers.empty());
      EXPECT_GT(r.timestamp_ms, 0);
      d.values.push_back(*r.value);
    }
    if (!batch->position.empty()) d.position = batch->position;
    if (batch->progress) d.progress = batch->progress;
    if (batch->finished) {
      d.finished = true;
      break;
    }
  }
  return d;
}

using Values = std::vector<std::string>;

TEST(FileSourceTest, JsonLinesCompactedWithBlankLinesCrlfAndNoFinalLineBreak) {
  TempDir dir;
  WriteFile(dir / "a.jsonl",
            "{\"id\":1,\"name\":\"a\"}\n"
            "\n"
            "  { \"id\" : 2 , \"tags\" : [ \"x\", \"y z\" ] }\r\n"
            "   \t\n"
            "\"just a string\"\n"
            "{\"id\":3}");
  TestErrors errors;
  auto s = OpenSource(Config(dir / "a.jsonl"), &errors);
  Drained d = Drain(*s);
  EXPECT_TRUE(d.finished);
  EXPECT_EQ(d.values, (Values{R"({"id":1,"name":"a"})", R"({"id":2,"tags":["x","y z"]})",
                              "\"just a string\"", R"({"id":3})"}));
  EXPECT_TRUE(errors.rejected.empty());
  ASSERT_TRUE(d.progress.has_value());
  EXPECT_EQ(d.progress->unit, "bytes");
  EXPECT_EQ(d.progress->done, d.progress->total);
  EXPECT_EQ(d.progress->total, std::filesystem::file_size(dir / "a.jsonl"));
}

TEST(FileSourceTest, BomIsStripped) {
  TempDir dir;
  WriteFile(dir / "bom.jsonl", "\xEF\xBB\xBF{\"a\":1}\n{\"a\":2}\n");
  auto s = OpenSource(Config(dir / "bom.jsonl"), nullptr);
  EXPECT_EQ(Drain(*s).values, (Values{R"({"a":1})", R"({"a":2})"}));
}

TEST(FileSourceTest, JsonArrayIsStreamedElementByElement) {
  TempDir dir;
  WriteFile(dir / "pretty.json", "[\n  {\"id\": 1},\n  {\"id\": 2, \"s\": \"],\"}\n]\n");
  auto s = OpenSource(Config(dir / "pretty.json"), nullptr);
  Drained d = Drain(*s);
  EXPECT_TRUE(d.finished);
  EXPECT_EQ(d.values, (Values{R"({"id":1})", R"({"id":2,"s":"],"})"}));

  // Larger than the read buffer, on one line, with elements straddling every refill.
  std::string big = "[";
  const int n = 60000;
  for (int i = 0; i < n; ++i) {
    if (i > 0) big += ", ";
    big += "{\"i\": " + std::to_string(i) + ", \"pad\": \"" + std::string(i % 50, 'p') + "\"}";
  }
  big += "]";
  ASSERT_GT(big.size(), 2 * FileReader::kChunkBytes);
  WriteFile(dir / "big.json", big);
  auto b = OpenSource(Config(dir / "big.json"), nullptr);
  Drained all = Drain(*b, 7000);
  ASSERT_EQ(all.values.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; i += 997) {
    EXPECT_EQ(all.values[i],
              "{\"i\":" + std::to_string(i) + ",\"pad\":\"" + std::string(i % 50, 'p') + "\"}");
  }
}

TEST(FileSourceTest, JsonLinesWhoseValuesAreArrays) {
  TempDir dir;
  WriteFile(dir / "arrays.jsonl", "[1,2]\n[3, 4]\n");
  auto s = OpenSource(Config(dir / "arrays.jsonl"), nullptr);
  EXPECT_EQ(Drain(*s).values, (Values{"[1,2]", "[3,4]"}));
}

TEST(FileSourceTest, InvalidLinesAreRejectedWithFileAndLineAndSkipped) {
  TempDir dir;
  const std::string path = dir / "bad.jsonl";
  WriteFile(path, "{\"ok\":1}\n{\"broken\":\n{\"ok\":2}\nnot json\n{\"ok\":3}\n");
  TestErrors errors;
  auto s = OpenSource(Config(path), &errors);
  Drained d = Drain(*s);
  EXPECT_TRUE(d.finished);
  EXPECT_EQ(d.values, (Values{R"({"ok":1})", R"({"ok":2})", R"({"ok":3})"}));
  ASSERT_EQ(errors.rejected.size(), 2u);
  EXPECT_EQ(errors.rejected[0].value, "{\"broken\":");
  EXPECT_EQ(errors.rejected[0].reason.rfind(path + ":2: invalid JSON at byte", 0), 0u)
      << errors.rejected[0].reason;
  EXPECT_EQ(errors.rejected[1].value, "not json");
  EXPECT_EQ(errors.rejected[1].reason.rfind(path + ":4: ", 0), 0u) << errors.rejected[1].reason;
  EXPECT_NE(errors.rejected[1].position.find("\"line\":4"), std::string::npos);
}

TEST(FileSourceTest, InvalidArrayElementsAreRejected) {
  TempDir dir;
  const std::string path = dir / "bad.json";
  WriteFile(path, "[\n {\"a\":1},\n {\"a\":tru},\n {\"a\":3}\n]\n");
  TestErrors errors;
  auto s = OpenSource(Config(path), &errors);
  EXPECT_EQ(Drain(*s).values, (Values{R"({"a":1})", R"({"a":3})"}));
  ASSERT_EQ(errors.rejected.size(), 1u);
  EXPECT_EQ(errors.rejected[0].value, "{\"a\":tru}");
  EXPECT_EQ(errors.rejected[0].reason.rfind(path + ":3: array element: invalid JSON", 0), 0u)
      << errors.rejected[0].reason;
}

TEST(FileSourceTest, FailPolicyDeliversWhatCameBeforeThenFailsNamingFileAndLine) {
  TempDir dir;
  const std::string path = dir / "bad.jsonl";
  WriteFile(path, "{\"ok\":1}\n{\"ok\":2}\n{oops}\n{\"ok\":3}\n");
  for (bool null_handler : {false, true}) {
    TestErrors errors(/*fail=*/true);
    auto s = OpenSource(Config(path), null_handler ? nullptr : &errors);
    auto first = s->Poll(100, milliseconds(10), {});
    ASSERT_TRUE(first.ok());
    ASSERT_EQ(first->records.size(), 2u);
    EXPECT_FALSE(first->finished);
    auto second = s->Poll(100, milliseconds(10), {});
    ASSERT_FALSE(second.ok());
    EXPECT_FALSE(second.status().retriable());
    EXPECT_NE(second.status().message().find(path + ":3: "), std::string::npos)
        << second.status().ToString();
    // The checkpoint points at the bad line: a restart fails on it again, nothing skipped.
    auto again = OpenSource(Config(path), &errors, first->position);
    auto third = again->Poll(100, milliseconds(10), {});
    EXPECT_FALSE(third.ok());
  }
}

TEST(FileSourceTest, CsvEdgeCases) {
  TempDir dir;
  const std::string path = dir / "people.csv";
  WriteFile(path,
            "\xEF\xBB\xBF"
            "id,name,note,active,score\r\n"
            "1,Ann,\"likes \"\"quotes\"\", commas\",true,3.5\r\n"
            "2,Bob,\"two\r\nlines\",FALSE,\r\n"
            "\r\n"
            "3,,\"\",,007\r\n"
            "4,Dee\r\n"
            "5,Eve,x,true,1,extra\r\n"
            "6,Fay,last,false,-2");
  TestErrors errors;
  auto s = OpenSource(Config(path, SourceFormat::kCsv), &errors);
  Drained d = Drain(*s);
  EXPECT_TRUE(d.finished);
  EXPECT_EQ(
      d.values,
      (Values{
          R"({"id":1,"name":"Ann","note":"likes \"quotes\", commas","active":true,"score":3.5})",
          R"({"id":2,"name":"Bob","note":"two\r\nlines","active":false,"score":null})",
          R"({"id":3,"name":null,"note":"","active":null,"score":"007"})",
          R"({"id":4,"name":"Dee","note":null,"active":null,"score":null})",
          R"({"id":6,"name":"Fay","note":"last","active":false,"score":-2})",
      }));
  ASSERT_EQ(errors.rejected.size(), 1u);
  EXPECT_EQ(errors.rejected[0].value, "5,Eve,x,true,1,extra");
  EXPECT_EQ(errors.rejected[0].reason, path + ":8: 6 fields, but the header has 5");
}

TEST(FileSourceTest, CsvCustomDelimiterWithoutHeaderAllStrings) {
  TempDir dir;
  WriteFile(dir / "t.tsv", "a\t1\ttrue\nb\t\t\"x\ty\"\n");
  FileSourceConfig c = Config(dir / "t.tsv", SourceFormat::kCsv);
  c.csv.delimiter = '\t';
  c.csv.header = false;
  c.csv.infer_types = false;
  auto s = OpenSource(c, nullptr);
  EXPECT_EQ(Drain(*s).values, (Values{R"({"column_1":"a","column_2":"1","column_3":"true"})",
                                      R"({"column_1":"b","column_2":"","column_3":"x\ty"})"}));
}

TEST(FileSourceTest, CsvQuotedFieldSpanningReadBuffers) {
  TempDir dir;
  std::string long_field;
  for (int i = 0; i < 100000; ++i) long_field += "line " + std::to_string(i) + ", \"q\"\n";
  ASSERT_GT(long_field.size(), FileReader::kChunkBytes);
  std::string escaped;
  for (char c : long_field) {
    escaped += c;
    if (c == '"') escaped += '"';
  }
  WriteFile(dir / "long.csv", "k,text\n1,\"" + escaped + "\"\n2,short\n");
  auto s = OpenSource(Config(dir / "long.csv", SourceFormat::kCsv), nullptr);
  Drained d = Drain(*s);
  ASSERT_EQ(d.values.size(), 2u);
  std::string expected = "{\"k\":1,\"text\":\"";
  for (char c : long_field) {
    if (c == '\n') {
      expected += "\\n";
    } else if (c == '"') {
      expected += "\\\"";
    } else {
      expected += c;
    }
  }
  expected += "\"}";
  EXPECT_EQ(d.values[0], expected);
  EXPECT_EQ(d.values[1], R"({"k":2,"text":"short"})");
}

TEST(FileSourceTest, CsvUnterminatedQuoteAtEndIsRejected) {
  TempDir dir;
  WriteFile(dir / "u.csv", "a,b\n1,2\n3,\"open\n");
  TestErrors errors;
  auto s = OpenSource(Config(dir / "u.csv", SourceFormat::kCsv), &errors);
  EXPECT_EQ(Drain(*s).values, (Values{R"({"a":1,"b":2})"}));
  ASSERT_EQ(errors.rejected.size(), 1u);
  EXPECT_NE(errors.rejected[0].reason.find(":3: unterminated quoted field"), std::string::npos);
}

// Found by fuzzing (tests/fuzz/corpus/csv/unterminated_header_restart): a restart re-reads the
// CSV header, and an open quote in it was rejected a second time on every restart.
TEST(FileSourceTest, CsvUnterminatedHeaderIsRejectedOnceAcrossRestarts) {
  TempDir dir;
  WriteFile(dir / "h.csv", "\"a,b\n1,2\n");
  TestErrors errors;
  auto s = OpenSource(Config(dir / "h.csv", SourceFormat::kCsv), &errors);
  const Drained first = Drain(*s);
  EXPECT_TRUE(first.values.empty());
  ASSERT_EQ(errors.rejected.size(), 1u);
  EXPECT_NE(errors.rejected[0].reason.find(":1: unterminated quoted field"), std::string::npos);
  ASSERT_FALSE(first.position.empty());

  TestErrors again;
  auto restarted = OpenSource(Config(dir / "h.csv", SourceFormat::kCsv), &again, first.position);
  EXPECT_TRUE(Drain(*restarted).values.empty());
  EXPECT_TRUE(again.rejected.empty());
}

TEST(FileSourceTest, JsonLineOverTheRecordLimitIsRejectedAndSkipped) {
  TempDir dir;
  const std::string path = dir / "huge.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    out << "{\"n\":1}\n\"";
    const std::string chunk(1 << 20, 'x');
    for (size_t i = 0; i <= FileReader::kMaxRecordBytes >> 20; ++i) out << chunk;
    out << "\"\n{\"n\":2}\n";
  }
  TestErrors errors;
  auto s = OpenSource(Config(path), &errors);
  Drained d = Drain(*s);
  EXPECT_TRUE(d.finished);
  EXPECT_EQ(d.values, (Values{R"({"n":1})", R"({"n":2})"}));
  ASSERT_EQ(errors.rejected.size(), 1u);
  EXPECT_EQ(errors.rejected[0].reason, path + ":2: line longer than 64 MiB (first 1 KiB shown)");
  EXPECT_EQ(errors.rejected[0].value->size(), 1024u);
  // The position after the skipped line resumes at the next one.
  auto again = OpenSource(Config(path), &errors, d.position);
  EXPECT_TRUE(Drain(*again).values.empty());
}

TEST(FileSourceTest, DirectoryInNameOrderSkippingHiddenTempAndUnmatchedFiles) {
  TempDir dir;
  WriteFile(dir / "b.jsonl", "{\"f\":\"b\"}\n");
  WriteFile(dir / "a.jsonl", "{\"f\":\"a1\"}\n{\"f\":\"a2\"}\n");
  WriteFile(dir / ".hidden.jsonl", "{\"f\":\"hidden\"}\n");
  WriteFile(dir / "c.jsonl.tmp", "{\"f\":\"tmp\"}\n");
  WriteFile(dir / "d.txt", "{\"f\":\"txt\"}\n");
  std::filesystem::create_directory(dir / "sub");
  WriteFile(dir / "sub/e.jsonl", "{\"f\":\"sub\"}\n");
  auto s = OpenSource(Config(dir.path()), nullptr);
  EXPECT_EQ(Drain(*s).values,
            (Values{R"({"f":"a1"})", R"({"f":"a2"})", R"({"f":"b"})", R"({"f":"txt"})"}));
  FileSourceConfig only = Config(dir.path());
  only.include = "*.jsonl";
  auto t = OpenSource(only, nullptr);
  EXPECT_EQ(Drain(*t).values, (Values{R"({"f":"a1"})", R"({"f":"a2"})", R"({"f":"b"})"}));
}

TEST(FileSourceTest, MissingPathFailsOpen) {
  ConnectorContext ctx;
  FileSource s(Config("/nonexistent/rivven/file.jsonl"), ctx);
  Status st = s.Open(std::nullopt);
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
}

// Reads `k` records, then a new source opened at the position continues exactly after them.
void ExpectExactResume(const FileSourceConfig& c, const Values& all) {
  for (size_t k = 0; k <= all.size(); ++k) {
    auto first = OpenSource(c, nullptr);
    Drained head = Drain(*first, 1, k);
    ASSERT_EQ(head.values.size(), k);
    auto second =
        OpenSource(c, nullptr, head.position.empty() ? std::nullopt : std::optional(head.position));
    Drained tail = Drain(*second, 2);
    EXPECT_TRUE(tail.finished);
    Values joined = head.values;
    joined.insert(joined.end(), tail.values.begin(), tail.values.end());
    EXPECT_EQ(joined, all) << "resumed after " << k << " records at " << head.position;
  }
}

TEST(FileSourceTest, ResumeAtACheckpointIsExactForEveryFormat) {
  TempDir dir;
  WriteFile(dir / "l.jsonl", "\xEF\xBB\xBF{\"a\":1}\n\n{\"a\":2}\r\n{\"a\":3}\n{\"a\":4}");
  ExpectExactResume(Config(dir / "l.jsonl"),
                    {R"({"a":1})", R"({"a":2})", R"({"a":3})", R"({"a":4})"});
  WriteFile(dir / "arr.json", "[ {\"a\":1},\n{\"a\":2} , 3,\n\"x\"]\n");
  ExpectExactResume(Config(dir / "arr.json"), {R"({"a":1})", R"({"a":2})", "3", "\"x\""});
  WriteFile(dir / "c.csv", "x,y\n1,\"multi\nline\"\n\n2,b\n3,c");
  ExpectExactResume(Config(dir / "c.csv", SourceFormat::kCsv),
                    {R"({"x":1,"y":"multi\nline"})", R"({"x":2,"y":"b"})", R"({"x":3,"y":"c"})"});
  std::filesystem::create_directory(dir / "many");
  WriteFile(dir / "many/1.jsonl", "{\"f\":1}\n{\"f\":2}\n");
  WriteFile(dir / "many/2.jsonl", "{\"f\":3}\n");
  WriteFile(dir / "many/3.jsonl", "{\"f\":4}\n{\"f\":5}\n");
  ExpectExactResume(Config(dir / "many"),
                    {R"({"f":1})", R"({"f":2})", R"({"f":3})", R"({"f":4})", R"({"f":5})"});
}

TEST(FileSourceTest, CheckpointRecordsIdentityOffsetAndLine) {
  TempDir dir;
  const std::string path = dir / "p.jsonl";
  WriteFile(path, "{\"a\":1}\n{\"a\":2}\n");
  auto s = OpenSource(Config(path), nullptr);
  Drained d = Drain(*s, 1, 1);
  const Result<std::vector<FileState>> states = ParseCheckpoint(d.position);
  ASSERT_TRUE(states.ok()) << d.position;
  ASSERT_EQ(states->size(), 1u);
  const FileState& f = states->front();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(f.path, path);
  EXPECT_EQ(f.id.dev, static_cast<uint64_t>(st.st_dev));
  EXPECT_EQ(f.id.ino, static_cast<uint64_t>(st.st_ino));
  EXPECT_EQ(f.size, 16u);
  EXPECT_EQ(f.cursor.offset, 8u);
  EXPECT_EQ(f.cursor.line, 1u);
  EXPECT_EQ(f.fp.length, 8u);
}

TEST(FileSourceTest, RerunAfterAppendReadsOnlyTheNewLines) {
  TempDir dir;
  const std::string path = dir / "grow.jsonl";
  WriteFile(path, "{\"n\":1}\n{\"n\":2}\n");
  auto s = OpenSource(Config(path), nullptr);
  Drained first = Drain(*s);
  ASSERT_EQ(first.values.size(), 2u);
  AppendFile(path, "{\"n\":3}\n");
  auto again = OpenSource(Config(path), nullptr, first.position);
  EXPECT_EQ(Drain(*again).values, (Values{R"({"n":3})"}));
}

TEST(FileSourceTest, TruncatedOrRewrittenFileIsReadAgainFromTheStart) {
  TempDir dir;
  const std::string path = dir / "t.jsonl";
  WriteFile(path, "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
  auto s = OpenSource(Config(path), nullptr);
  Drained first = Drain(*s);
  ASSERT_EQ(first.values.size(), 3u);
  // Truncated in place (same inode), shorter than the checkpoint's offset.
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);
  AppendFile(path, "{\"n\":9}\n");
  auto t = OpenSource(Config(path), nullptr, first.position);
  EXPECT_EQ(Drain(*t).values, (Values{R"({"n":9})"}));
  // Rewritten in place to a longer file with other first bytes: the fingerprint tells.
  Drained second = Drain(*OpenSource(Config(path), nullptr));
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);
  AppendFile(path, "{\"m\":1}\n{\"m\":2}\n{\"m\":3}\n");
  auto u = OpenSource(Config(path), nullptr, second.position);
  EXPECT_EQ(Drain(*u).values, (Values{R"({"m":1})", R"({"m":2})", R"({"m":3})"}));
}

TEST(FileSourceTest, FileRenamedInsideTheDirectoryKeepsItsOffset) {
  TempDir dir;
  WriteFile(dir / "app.log", "{\"n\":1}\n{\"n\":2}\n");
  auto s = OpenSource(Config(dir.path()), nullptr);
  Drained first = Drain(*s);
  ASSERT_EQ(first.values.size(), 2u);
  std::filesystem::rename(dir / "app.log", dir / "app.log.1");
  AppendFile(dir / "app.log.1", "{\"n\":3}\n");
  WriteFile(dir / "app.log", "{\"n\":4}\n");
  auto again = OpenSource(Config(dir.path()), nullptr, first.position);
  EXPECT_EQ(Drain(*again).values, (Values{R"({"n":4})", R"({"n":3})"}));  // name order
}

TEST(FileSourceTest, BadCheckpointIsAnError) {
  TempDir dir;
  WriteFile(dir / "a.jsonl", "{}\n");
  ConnectorContext ctx;
  FileSource s(Config(dir / "a.jsonl"), ctx);
  EXPECT_FALSE(s.Open(std::string("{\"seed\":1}")).ok());
}

TEST(FileSourceTest, DiscoverInfersASchemaFromTheFirstRecords) {
  TempDir dir;
  WriteFile(dir / "orders.jsonl",
            "{\"id\":1,\"total\":9.5,\"tags\":[],\"note\":null}\n"
            "{\"id\":2,\"total\":3,\"note\":\"x\",\"paid\":true}\nnot json\n");
  const ConnectorDescriptor* d = BuiltinRegistry().Find(ConnectorKind::kSource, "file");
  ASSERT_NE(d, nullptr);
  ASSERT_TRUE(d->discover);
  auto streams = DiscoverFileStreams(Config(dir / "orders.jsonl"));
  ASSERT_TRUE(streams.ok()) << streams.status().ToString();
  ASSERT_EQ(streams->size(), 1u);
  EXPECT_EQ((*streams)[0].name, "orders.jsonl");
  EXPECT_EQ((*streams)[0].json_schema,
            "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"title\":"
            "\"orders.jsonl\",\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},"
            "\"total\":{\"type\":\"number\"},\"tags\":{\"type\":\"array\"},\"note\":{\"type\":"
            "[\"string\",\"null\"]},\"paid\":{\"type\":\"boolean\"}}}");

  std::filesystem::create_directory(dir / "csvs");
  WriteFile(dir / "csvs/a.csv", "name,age\nann,30\n");
  WriteFile(dir / "csvs/b.csv", "name,age\nbob,\n");
  auto csv = DiscoverFileStreams(Config(dir / "csvs", SourceFormat::kCsv));
  ASSERT_TRUE(csv.ok());
  ASSERT_EQ(csv->size(), 1u);
  EXPECT_EQ((*csv)[0].name, "csvs");
  EXPECT_NE(
      (*csv)[0].json_schema.find("\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":"
                                 "[\"integer\",\"null\"]}}"),
      std::string::npos)
      << (*csv)[0].json_schema;
}

TEST(FileSourceTest, CheckNeedsAReadablePath) {
  TempDir dir;
  EXPECT_TRUE(CheckFileSource(Config(dir.path())).ok());
  EXPECT_EQ(CheckFileSource(Config(dir / "missing")).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace rivven::file
