// The file source with format: parquet: rows as records, resume by row, bad files to the error
// handler, the size limit, and watching (incomplete files wait, rewritten files are read again).
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "connectors/file/file_source.h"
#include "connectors/file/file_source_checkpoint.h"
#include "connectors/file/file_source_discover.h"
#include "connectors/file/tests/file_test_util.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/parquet_writer.h"
#include "connectors/tests/collecting_errors.h"

namespace rivven::file {
namespace {

using std::chrono::milliseconds;
using testing::TempDir;
using testing::WriteFile;
using Values = std::vector<std::string>;

using TestErrors = ::rivven::testing::CollectingErrors;

FileSourceConfig ParquetConfig(const std::string& path, bool watch = false) {
  FileSourceConfig c;
  c.path = path;
  c.format = SourceFormat::kParquet;
  c.watch = watch;
  c.poll_interval = std::chrono::seconds(1);
  return c;
}

std::unique_ptr<FileSource> Open(const FileSourceConfig& c, RecordErrorHandler* errors,
                                 const std::optional<std::string>& checkpoint = {}) {
  ConnectorContext ctx;
  ctx.name = "pq";
  ctx.topic = "imported";
  ctx.errors = errors;
  auto s = std::make_unique<FileSource>(c, ctx);
  Status st = s->Open(checkpoint);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return s;
}

struct Drained {
  Values values;
  std::string position;
  bool finished = false;
  Status error;
};

Drained Drain(FileSource& s, size_t per_poll = 1000, size_t limit = SIZE_MAX) {
  Drained d;
  for (int i = 0; i < 100000 && d.values.size() < limit; ++i) {
    auto batch = s.Poll(std::min(per_poll, limit - d.values.size()), milliseconds(50), {});
    if (!batch.ok()) {
      d.error = batch.status();
      break;
    }
    for (auto& r : batch->records) d.values.push_back(*r.value);
    if (!batch->position.empty()) d.position = batch->position;
    if (batch->finished) {
      d.finished = true;
      break;
    }
  }
  return d;
}

/// Rows {"id":i,"name":"n<i%3>","score":i.5 or null}; small pages and row groups.
std::string ParquetFile(int first, int n, Values* expected = nullptr) {
  formats::parquet::WriterOptions o;
  o.page_bytes = 64;
  o.row_group_bytes = 400;
  formats::parquet::Writer w(o);
  for (int i = first; i < first + n; ++i) {
    const std::string score = i % 4 == 0 ? "null" : std::to_string(i) + ".5";
    const std::string row = "{\"id\":" + std::to_string(i) + ",\"name\":\"n" +
                            std::to_string(i % 3) + "\",\"score\":" + score + "}";
    EXPECT_TRUE(w.Append(row).ok());
    if (expected) expected->push_back(row);
  }
  Result<std::string> f = w.Finish();
  EXPECT_TRUE(f.ok());
  return *f;
}

TEST(FileSourceParquetTest, RowsBecomeRecordsInFileOrder) {
  TempDir dir;
  Values expected;
  WriteFile(dir / "b.parquet", ParquetFile(0, 30, &expected));
  WriteFile(dir / "c.parquet", ParquetFile(30, 5, &expected));
  WriteFile(dir / "notes.txt", "not parquet, not included");
  FileSourceConfig c = ParquetConfig(dir.path());
  c.include = "*.parquet";
  TestErrors errors;
  auto s = Open(c, &errors);
  Drained d = Drain(*s, 7);
  EXPECT_TRUE(d.finished);
  EXPECT_EQ(d.values, expected);
  EXPECT_TRUE(errors.rejected.empty());
  EXPECT_EQ(d.values[4], R"({"id":4,"name":"n1","score":null})");
  // Done files record their size as the offset and every row.
  Result<std::vector<FileState>> states = ParseCheckpoint(d.position);
  ASSERT_TRUE(states.ok());
  ASSERT_EQ(states->size(), 2u);
  EXPECT_EQ((*states)[0].cursor.row, 30u);
  EXPECT_EQ((*states)[0].cursor.offset, (*states)[0].size);
}

TEST(FileSourceParquetTest, ResumeAfterARestartMidFileIsExact) {
  TempDir dir;
  Values all;
  std::filesystem::create_directory(dir / "in");
  WriteFile(dir / "in/1.parquet", ParquetFile(0, 23, &all));
  WriteFile(dir / "in/2.parquet", ParquetFile(100, 9, &all));
  const FileSourceConfig c = ParquetConfig(dir / "in");
  for (size_t k = 0; k <= all.size(); ++k) {
    for (size_t per_poll : {size_t{1}, size_t{5}}) {
      auto first = Open(c, nullptr);
      Drained head = Drain(*first, per_poll, k);
      ASSERT_EQ(head.values.size(), k);
      first.reset();  // the process stops; only the position survives
      auto second =
          Open(c, nullptr, head.position.empty() ? std::nullopt : std::optional(head.position));
      Drained tail = Drain(*second, 3);
      EXPECT_TRUE(tail.finished);
      Values joined = head.values;
      joined.insert(joined.end(), tail.values.begin(), tail.values.end());
      ASSERT_EQ(joined, all) << "resumed after " << k << " rows at " << head.position;
    }
  }
  // The position of a file read part-way names its row.
  auto s = Open(c, nullptr);
  Drained head = Drain(*s, 10, 10);
  EXPECT_NE(head.position.find("\"offset\":0,"), std::string::npos) << head.position;
  EXPECT_NE(head.position.find("\"row\":10"), std::string::npos) << head.position;
}

TEST(FileSourceParquetTest, BadFilesGoToTheErrorHandler) {
  TempDir dir;
  std::string good = ParquetFile(0, 40);
  WriteFile(dir / "a.parquet", "PAR1 this is not parquet at all PAR1");
  // A file whose last row group is damaged: the rows before it are delivered.
  std::string damaged = good;
  uint32_t footer_len;
  std::memcpy(&footer_len, good.data() + good.size() - 8, 4);
  Result<formats::parquet::FileMetaData> meta = formats::parquet::ParseFileMetaData(
      std::string_view(good).substr(good.size() - 8 - footer_len, footer_len));
  ASSERT_TRUE(meta.ok());
  ASSERT_GE(meta->row_groups.size(), 2u);
  const int64_t page = meta->row_groups.back().columns[0].meta_data->data_page_offset;
  for (int64_t i = page; i < page + 6; ++i) damaged[static_cast<size_t>(i)] = '\xff';
  WriteFile(dir / "b.parquet", damaged);
  WriteFile(dir / "c.parquet", ParquetFile(7, 2));
  TestErrors errors;
  auto s = Open(ParquetConfig(dir.path()), &errors);
  Drained d = Drain(*s);
  EXPECT_TRUE(d.finished);
  ASSERT_GE(errors.rejected.size(), 2u);
  EXPECT_NE(errors.rejected[0].reason.find("a.parquet:1: not a readable Parquet file: parquet:"),
            std::string::npos)
      << errors.rejected[0].reason;
  EXPECT_NE(errors.rejected[1].reason.find("b.parquet"), std::string::npos);
  EXPECT_NE(errors.rejected[1].reason.find("and after"), std::string::npos)
      << errors.rejected[1].reason;
  EXPECT_NE(errors.rejected[0].position.find("a.parquet"), std::string::npos);
  ASSERT_GE(d.values.size(), 2u);
  EXPECT_EQ(d.values.back(), R"({"id":8,"name":"n2","score":null})");
  const int64_t before_damage = 40 - meta->row_groups.back().num_rows;
  EXPECT_EQ(d.values.size(), static_cast<size_t>(before_damage) + 2);

  // on_error: fail stops the source naming the file; a restart fails on it again.
  TestErrors fail(true);
  auto f = Open(ParquetConfig(dir / "a.parquet"), &fail);
  Drained stopped = Drain(*f);
  EXPECT_FALSE(stopped.error.ok());
  EXPECT_NE(stopped.error.message().find("a.parquet"), std::string::npos)
      << stopped.error.ToString();
}

TEST(FileSourceParquetTest, FilesOverTheSizeLimitAreRejectedUnread) {
  TempDir dir;
  const std::string path = dir / "huge.parquet";
  WriteFile(path, "PAR1");
  ASSERT_EQ(::truncate(path.c_str(), (1ll << 30) + 1), 0);  // sparse: nothing is written
  TestErrors errors;
  auto s = Open(ParquetConfig(path), &errors);
  Drained d = Drain(*s);
  EXPECT_TRUE(d.finished);
  EXPECT_TRUE(d.values.empty());
  ASSERT_EQ(errors.rejected.size(), 1u);
  EXPECT_NE(errors.rejected[0].reason.find("larger than the 1024 MiB"), std::string::npos)
      << errors.rejected[0].reason;
}

TEST(FileSourceParquetTest, DiscoverInfersTheSchemaFromRows) {
  TempDir dir;
  WriteFile(dir / "d.parquet", ParquetFile(0, 10));
  Result<std::vector<StreamDescription>> streams =
      DiscoverFileStreams(ParquetConfig(dir / "d.parquet"));
  ASSERT_TRUE(streams.ok()) << streams.status().ToString();
  ASSERT_EQ(streams->size(), 1u);
  const std::string schema = (*streams)[0].json_schema;
  EXPECT_NE(schema.find("\"id\""), std::string::npos) << schema;
  EXPECT_NE(schema.find("\"score\""), std::string::npos) << schema;
}

// Polls a watching source until `n` records or `timeout`.
Values PollFor(FileSource& s, size_t n, milliseconds timeout, std::string* position = nullptr) {
  Values out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
    auto batch = s.Poll(n - out.size(), milliseconds(100), {});
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok()) break;
    for (auto& r : batch->records) out.push_back(*r.value);
    if (position && !batch->position.empty()) *position = batch->position;
  }
  return out;
}

TEST(FileSourceParquetTest, WatchingWaitsForIncompleteFilesAndRereadsRewrittenOnes) {
  TempDir dir;
  Values first_rows;
  const std::string file = ParquetFile(0, 12, &first_rows);
  const std::string path = dir / "w.parquet";
  WriteFile(path, file.substr(0, file.size() / 2));  // being written
  TestErrors errors;
  auto s = Open(ParquetConfig(dir.path(), /*watch=*/true), &errors);
  EXPECT_TRUE(PollFor(*s, 1, milliseconds(400)).empty());
  EXPECT_TRUE(errors.rejected.empty()) << errors.rejected[0].reason;
  testing::AppendFile(path, file.substr(file.size() / 2));  // complete now
  EXPECT_EQ(PollFor(*s, 12, milliseconds(5000)), first_rows);
  EXPECT_TRUE(errors.rejected.empty());
  // Rewritten in place (same inode, another size): a new file, read from its first row.
  Values second_rows;
  const std::string rewritten = ParquetFile(50, 3, &second_rows);
  {
    const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, rewritten.data(), rewritten.size()),
              static_cast<ssize_t>(rewritten.size()));
    ::close(fd);
  }
  EXPECT_EQ(PollFor(*s, 3, milliseconds(5000)), second_rows);
  // A file that never parses is rejected once it has been quiet for poll_interval_secs.
  WriteFile(dir / "z.parquet", "PAR1 garbage");
  EXPECT_TRUE(PollFor(*s, 1, milliseconds(2500)).empty());
  ASSERT_EQ(errors.rejected.size(), 1u);
  EXPECT_NE(errors.rejected[0].reason.find("z.parquet"), std::string::npos);
}

}  // namespace
}  // namespace rivven::file
