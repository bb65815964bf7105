// The s3 sink against s3rver on loopback, every object read back by boto3 (and Parquet by
// hyparquet and arrow-rs): formats and compressions, batch cuts by size, time and stop, time
// folders, replays that rewrite the same keys, records the format cannot hold, clear errors.
#include "connectors/s3/s3_sink.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <map>

#include <gtest/gtest.h>

#include <httplib.h>

#include "s3_readback.h"
#include "support/http_test_server.h"
#include "support/process.h"
#include "support/s3rver.h"
#include "connectors/tests/collecting_errors.h"

namespace rivven::s3 {
namespace {

using namespace std::chrono_literals;
using testing::ParquetRows;
using testing::ReadBack;
using testing::S3rver;
using testing::StoredObject;
using testing::TempDir;
using testing::TextValues;

constexpr char kBucket[] = "lake";
constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kT0 = 1709247600000;  // 2024-02-29T23:00:00Z

std::unique_ptr<S3rver> StartS3rver() {
  std::string error;
  auto s = S3rver::Start({kBucket}, &error);
  EXPECT_TRUE(s) << error;
  return s;
}

S3SinkConfig Config(const S3rver& s, const std::string& prefix) {
  S3SinkConfig c;
  c.bucket = kBucket;
  c.prefix = prefix;
  c.region = S3rver::kRegion;
  c.endpoint = s.endpoint();
  c.force_path_style = true;
  c.access_key_id = S3rver::kAccessKey;
  c.secret_access_key = S3rver::kSecretKey;
  c.batch_size = 1000;
  c.batch_timeout = 3600s;
  c.max_attempts = 3;
  return c;
}

std::string Value(int i) {
  return "{\"n\":" + std::to_string(i) + ",\"name\":\"item \\\"" + std::to_string(i) +
         "\\\"\",\"price\":" + std::to_string(i) + ".25,\"ok\":" + (i % 3 ? "true" : "false") +
         "}";
}

std::string CsvRow(int i) {
  return std::to_string(i) + ",\"item \"\"" + std::to_string(i) + "\"\"\"," + std::to_string(i) +
         ".25," + (i % 3 ? "true" : "false");
}

std::vector<ConsumedRecord> Records(int from, int to, int32_t partition = 0,
                                    int64_t timestamp = kT0) {
  std::vector<ConsumedRecord> v;
  for (int i = from; i < to; ++i) {
    ConsumedRecord r;
    r.topic = "orders";
    r.partition = partition;
    r.offset = Offset(i);
    r.record.value = Value(i);
    r.record.timestamp_ms = timestamp;
    v.push_back(std::move(r));
  }
  return v;
}

using CollectingErrors = ::rivven::testing::CollectingErrors;

/// The values an object holds, whatever its format.
std::vector<std::string> ValuesOf(const StoredObject& o, ObjectFormat format) {
  if (format == ObjectFormat::kParquet) return ParquetRows(o.parquet_path);
  std::vector<std::string> v = TextValues(o);
  if (format == ObjectFormat::kCsv && !v.empty()) {
    EXPECT_EQ(v.front(), "n,name,price,ok") << o.key;
    v.erase(v.begin());
  }
  return v;
}

struct Shape {
  ObjectFormat format;
  formats::Compression compression;
  const char* extension;
  const char* content_type;
};

TEST(S3SinkTest, EveryFormatAndCompressionReadsBackIdentically) {
  auto s3 = StartS3rver();
  ASSERT_TRUE(s3);
  TempDir scratch;
  const Shape shapes[] = {
      {ObjectFormat::kJsonl, formats::Compression::kNone, ".jsonl", "application/x-ndjson"},
      {ObjectFormat::kJsonl, formats::Compression::kGzip, ".jsonl.gz", "application/gzip"},
      {ObjectFormat::kJson, formats::Compression::kZstd, ".json.zst", "application/zstd"},
      {ObjectFormat::kCsv, formats::Compression::kSnappy, ".csv.sz", "application/x-snappy-framed"},
      {ObjectFormat::kCsv, formats::Compression::kNone, ".csv", "text/csv"},
      {ObjectFormat::kParquet, formats::Compression::kZstd, ".parquet",
       "application/vnd.apache.parquet"},
      {ObjectFormat::kParquet, formats::Compression::kSnappy, ".parquet",
       "application/vnd.apache.parquet"},
      {ObjectFormat::kParquet, formats::Compression::kGzip, ".parquet",
       "application/vnd.apache.parquet"},
  };
  int n = 0;
  for (const Shape& shape : shapes) {
    const std::string prefix = "shape" + std::to_string(n++);
    SCOPED_TRACE(prefix + std::string(" ") + shape.extension);
    S3SinkConfig c = Config(*s3, prefix);
    c.format = shape.format;
    c.compression = shape.compression;
    S3Sink sink(c, nullptr);
    ASSERT_TRUE(sink.Open().ok());
    ASSERT_TRUE(sink.Write(Records(0, 2500)).ok());
    // Two full batches are cut (and uploaded in the background); the last 500 records are
    // held, and named as such.
    sink.WaitForUploads();
    EXPECT_EQ(sink.counters().objects.load(), 2u);
    EXPECT_EQ(sink.FirstHeld("orders", 0), Offset(2000));
    EXPECT_EQ(sink.FirstHeld("orders", 1), std::nullopt);
    ASSERT_TRUE(sink.Flush().ok());
    EXPECT_EQ(sink.counters().objects.load(), 2u) << "the timeout is an hour away";
    ASSERT_TRUE(sink.FlushAll().ok());
    EXPECT_EQ(sink.counters().objects.load(), 3u);
    EXPECT_EQ(sink.FirstHeld("orders", 0), std::nullopt);

    const auto objects = ReadBack(*s3, kBucket, prefix + "/", scratch);
    ASSERT_EQ(objects.size(), 3u);
    std::vector<std::string> values;
    for (int b = 0; b < 3; ++b) {
      char first[24];
      std::snprintf(first, sizeof first, "%020d", b * 1000);
      EXPECT_EQ(objects[b].key, prefix + "/orders/orders+0+" + first + shape.extension);
      EXPECT_EQ(objects[b].content_type, shape.content_type);
      for (std::string& v : ValuesOf(objects[b], shape.format)) values.push_back(std::move(v));
    }
    ASSERT_EQ(values.size(), 2500u);
    for (int i = 0; i < 2500; ++i) {
      const std::string want = shape.format == ObjectFormat::kCsv ? CsvRow(i) : Value(i);
      ASSERT_EQ(values[static_cast<size_t>(i)], want) << "record " << i;
    }
  }
}

std::atomic<int64_t> fake_now_ms{0};
std::chrono::steady_clock::time_point FakeNow() {
  return std::chrono::steady_clock::time_point(std::chrono::milliseconds(fake_now_ms.load()));
}

TEST(S3SinkTest, ABatchIsWrittenWhenItsTimeoutPassesFullOrNot) {
  auto s3 = StartS3rver();
  ASSERT_TRUE(s3);
  TempDir scratch;
  S3SinkConfig c = Config(*s3, "timeout");
  c.batch_timeout = 60s;
  S3Sink sink(c, nullptr);
  fake_now_ms = 1000000;
  sink.SetClockForTest(&FakeNow);
  ASSERT_TRUE(sink.Open().ok());
  ASSERT_TRUE(sink.Write(Records(0, 10)).ok());
  fake_now_ms += 59000;
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_EQ(sink.counters().objects.load(), 0u);
  EXPECT_EQ(sink.FirstHeld("orders", 0), Offset(0));
  fake_now_ms += 1000;
  ASSERT_TRUE(sink.Flush().ok());
  sink.WaitForUploads();
  EXPECT_EQ(sink.counters().objects.load(), 1u);
  EXPECT_EQ(sink.FirstHeld("orders", 0), std::nullopt);
  // The next batch starts its own clock.
  ASSERT_TRUE(sink.Write(Records(10, 15)).ok());
  fake_now_ms += 30000;
  ASSERT_TRUE(sink.Write(Records(15, 20)).ok());
  sink.WaitForUploads();
  EXPECT_EQ(sink.counters().objects.load(), 1u);
  fake_now_ms += 30000;
  ASSERT_TRUE(sink.Flush().ok());
  sink.WaitForUploads();
  const auto objects = ReadBack(*s3, kBucket, "timeout/", scratch);
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(TextValues(objects[0]).size(), 10u);
  EXPECT_EQ(TextValues(objects[1]).size(), 10u);
}

TEST(S3SinkTest, PartitionByHourPutsRecordsInTheFolderOfTheirTime) {
  auto s3 = StartS3rver();
  ASSERT_TRUE(s3);
  TempDir scratch;
  S3SinkConfig c = Config(*s3, "hourly");
  c.partition_by = PartitionBy::kHour;
  S3Sink sink(c, nullptr);
  ASSERT_TRUE(sink.Open().ok());
  // Partition 0 and 1, records alternating between 23:xx on the leap day and 00:xx of March 1st.
  std::vector<ConsumedRecord> batch;
  for (int p = 0; p < 2; ++p) {
    for (int i = 0; i < 20; ++i) {
      auto r = Records(p * 100 + i, p * 100 + i + 1, p, kT0 + (i % 2) * kHour + 59 * 60 * 1000);
      batch.push_back(std::move(r[0]));
    }
  }
  ASSERT_TRUE(sink.Write(batch).ok());
  // Partition 0 holds two batches (one per hour): the older first offset is what is held.
  EXPECT_EQ(sink.FirstHeld("orders", 0), Offset(0));
  EXPECT_EQ(sink.FirstHeld("orders", 1), Offset(100));
  ASSERT_TRUE(sink.FlushAll().ok());
  const auto objects = ReadBack(*s3, kBucket, "hourly/", scratch);
  std::map<std::string, std::vector<std::string>> by_key;
  for (const auto& o : objects) by_key[o.key] = TextValues(o);
  const std::string a = "hourly/orders/dt=2024-02-29/hour=23/", b = "hourly/orders/dt=2024-03-01/hour=00/";
  ASSERT_EQ(by_key.size(), 4u);
  ASSERT_TRUE(by_key.count(a + "orders+0+00000000000000000000.jsonl"));
  ASSERT_TRUE(by_key.count(b + "orders+0+00000000000000000001.jsonl"));
  ASSERT_TRUE(by_key.count(a + "orders+1+00000000000000000100.jsonl"));
  ASSERT_TRUE(by_key.count(b + "orders+1+00000000000000000101.jsonl"));
  const auto& evens = by_key[a + "orders+0+00000000000000000000.jsonl"];
  ASSERT_EQ(evens.size(), 10u);
  for (int k = 0; k < 10; ++k) EXPECT_EQ(evens[static_cast<size_t>(k)], Value(2 * k));
}

TEST(S3SinkTest, AReplayRewritesTheSameObjectsInsteadOfAddingOnes) {
  auto s3 = StartS3rver();
  ASSERT_TRUE(s3);
  TempDir scratch;
  S3SinkConfig c = Config(*s3, "replay");
  c.compression = formats::Compression::kGzip;
  {
    S3Sink sink(c, nullptr);
    ASSERT_TRUE(sink.Open().ok());
    ASSERT_TRUE(sink.Write(Records(0, 1500)).ok());
    sink.WaitForUploads();
    EXPECT_EQ(sink.FirstHeld("orders", 0), Offset(1000));
    // Gone without FlushAll: the runner committed offset 1000 at most.
  }
  {
    S3Sink sink(c, nullptr);  // restarted from the commit
    ASSERT_TRUE(sink.Open().ok());
    ASSERT_TRUE(sink.Write(Records(1000, 1500)).ok());
    ASSERT_TRUE(sink.FlushAll().ok());
  }
  const auto before = ReadBack(*s3, kBucket, "replay/", scratch);
  ASSERT_EQ(before.size(), 2u);
  {
    S3Sink sink(c, nullptr);  // everything again, as if no commit had been stored
    ASSERT_TRUE(sink.Open().ok());
    ASSERT_TRUE(sink.Write(Records(0, 1500)).ok());
    ASSERT_TRUE(sink.FlushAll().ok());
  }
  const auto after = ReadBack(*s3, kBucket, "replay/", scratch);
  ASSERT_EQ(after.size(), 2u) << "a replay added objects";
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(after[i].key, before[i].key);
    EXPECT_EQ(after[i].size, before[i].size);
    EXPECT_EQ(after[i].body, before[i].body);
  }
  EXPECT_EQ(TextValues(after[0]).size() + TextValues(after[1]).size(), 1500u);
}

TEST(S3SinkTest, RecordsTheFormatCannotHoldGoToOnError) {
  auto s3 = StartS3rver();
  ASSERT_TRUE(s3);
  TempDir scratch;
  for (ObjectFormat f : {ObjectFormat::kCsv, ObjectFormat::kParquet}) {
    const std::string prefix = std::string("bad-") + ObjectFormatName(f);
    S3SinkConfig c = Config(*s3, prefix);
    c.format = f;
    CollectingErrors errors;
    S3Sink sink(c, &errors);
    ASSERT_TRUE(sink.Open().ok());
    auto records = Records(0, 10);
    records[0].record.value = "not json";  // the first of the batch: the batch starts after it
    records[4].record.value = f == ObjectFormat::kCsv ? "{\"n\":4,\"extra\":1}" : "[1,2]";
    ASSERT_TRUE(sink.Write(records).ok());
    EXPECT_EQ(sink.FirstHeld("orders", 0), Offset(1));
    ASSERT_TRUE(sink.FlushAll().ok());
    ASSERT_EQ(errors.rejected.size(), 2u) << prefix;
    EXPECT_EQ(errors.rejected[0].position, "orders/0/0");
    EXPECT_EQ(errors.rejected[1].position, "orders/0/4");
    EXPECT_NE(errors.rejected[1].reason.find(ObjectFormatName(f)), std::string::npos)
        << errors.rejected[1].reason;
    const auto objects = ReadBack(*s3, kBucket, prefix + "/", scratch);
    ASSERT_EQ(objects.size(), 1u);
    EXPECT_EQ(objects[0].key.substr(objects[0].key.rfind('/') + 1, 30),
              "orders+0+00000000000000000001.");
    EXPECT_EQ(ValuesOf(objects[0], f).size(), 8u);
  }
}

TEST(S3SinkTest, ObjectsOnTheirWayAreHeldUntilWrittenAndUploadsRunSideBySide) {
  // A fake endpoint that keeps every PUT waiting until released.
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  int waiting = 0, most_waiting = 0;
  std::vector<std::string> paths;
  testing::HttpTestServer server;  // after the state its handlers use: it stops first
  server.server().new_task_queue = [] { return new httplib::ThreadPool(8); };
  server.server().Put(".*", [&](const httplib::Request& req, httplib::Response& res) {
    std::unique_lock<std::mutex> l(mu);
    most_waiting = std::max(most_waiting, ++waiting);
    cv.notify_all();
    cv.wait(l, [&] { return release; });
    --waiting;
    paths.push_back(req.path);
    res.set_header("ETag", "\"e\"");
    res.status = 200;
  });
  S3SinkConfig c;
  c.bucket = kBucket;
  c.region = "us-east-1";
  c.endpoint = "http://127.0.0.1:" + std::to_string(server.port());
  c.force_path_style = true;
  c.access_key_id = "AK";
  c.secret_access_key = "SK";
  c.batch_size = 100;
  c.batch_timeout = 3600s;
  c.max_in_flight = 2;
  S3Sink sink(c, nullptr);
  ASSERT_TRUE(sink.Open().ok());
  ASSERT_TRUE(sink.Write(Records(0, 250)).ok());  // two objects cut, 50 records open
  {
    std::unique_lock<std::mutex> l(mu);
    ASSERT_TRUE(cv.wait_for(l, 10s, [&] { return waiting == 2; })) << "uploads in parallel";
  }
  EXPECT_EQ(sink.FirstHeld("orders", 0), Offset(0)) << "objects not written yet are held";
  EXPECT_EQ(sink.counters().objects.load(), 0u);
  {
    std::lock_guard<std::mutex> l(mu);
    release = true;
  }
  cv.notify_all();
  sink.WaitForUploads();
  EXPECT_EQ(sink.FirstHeld("orders", 0), Offset(200));
  EXPECT_EQ(sink.counters().objects.load(), 2u);
  ASSERT_TRUE(sink.FlushAll().ok());
  EXPECT_EQ(sink.FirstHeld("orders", 0), std::nullopt);
  std::lock_guard<std::mutex> l(mu);
  EXPECT_EQ(most_waiting, 2);
  std::sort(paths.begin(), paths.end());
  ASSERT_EQ(paths.size(), 3u);
  EXPECT_EQ(paths[0], "/lake/orders/orders+0+00000000000000000000.jsonl");
  EXPECT_EQ(paths[2], "/lake/orders/orders+0+00000000000000000200.jsonl");
}

TEST(S3SinkTest, AMissingBucketFailsNamingItAndIsNotRetried) {
  auto s3 = StartS3rver();
  ASSERT_TRUE(s3);
  S3SinkConfig c = Config(*s3, "x");
  c.bucket = "no-such-bucket";
  c.max_attempts = 5;
  S3Sink sink(c, nullptr);
  ASSERT_TRUE(sink.Open().ok());
  ASSERT_TRUE(sink.Write(Records(0, 3)).ok());
  const auto t0 = std::chrono::steady_clock::now();
  Status s = sink.FlushAll();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no-such-bucket"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("NoSuchBucket"), std::string::npos) << s.ToString();
  EXPECT_FALSE(s.retriable()) << s.ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

}  // namespace
}  // namespace rivven::s3
