// The s3 sink through the binary: `check`, and kill -9 while objects are being written, then
// proof from an independent read-back (boto3) that every record is in exactly one object.
#include <signal.h>

#include <map>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "s3_readback.h"
#include "support/process.h"
#include "support/s3rver.h"

namespace rivven::testing {
namespace {

constexpr char kBucket[] = "lake";

std::string SinkYaml(const S3rver& s3, const std::string& data_dir, const std::string& bucket,
                     const std::string& prefix, int batch_size) {
  // The datagen "tick" (one event) makes the run bounded: when it is done, the sink drains the
  // topic to its end, writes what it holds and the run ends.
  return "broker: {data_dir: " + data_dir + "}\n"
         "sources:\n"
         "  tick: {connector: datagen, topic: tick, config: {pattern: orders, max_events: 1, "
         "events_per_second: 0}}\n"
         "sinks:\n"
         "  lake:\n"
         "    connector: s3\n"
         "    topics: [rows]\n"
         "    consumer_group: lake\n"
         "    config:\n"
         "      bucket: " + bucket + "\n"
         "      prefix: " + prefix + "\n"
         "      region: us-east-1\n"
         "      endpoint: " + s3.endpoint() + "\n"
         "      force_path_style: true\n"
         "      access_key_id: " + S3rver::kAccessKey + "\n"
         "      secret_access_key: " + S3rver::kSecretKey + "\n"
         "      compression: gzip\n"
         "      batch_size: " + std::to_string(batch_size) + "\n"
         "      batch_timeout_secs: 3600\n";
}

TEST(S3PipelineTest, CheckReachesTheBucketAndNamesAMissingOne) {
  std::string error;
  auto s3 = S3rver::Start({kBucket}, &error);
  ASSERT_TRUE(s3) << error;
  TempDir dir;
  WriteFile(dir / "ok.yaml", SinkYaml(*s3, dir / "data", kBucket, "p", 10));
  auto ok = RunProcess({BinaryPath(), "check", "-c", dir / "ok.yaml", "--sink", "lake"});
  EXPECT_EQ(ok.exit_code, 0) << DescribeResult(ok);
  WriteFile(dir / "bad.yaml", SinkYaml(*s3, dir / "data", "missing-bucket", "p", 10));
  auto bad = RunProcess({BinaryPath(), "check", "-c", dir / "bad.yaml", "--sink", "lake"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE((bad.out + bad.err).find("missing-bucket"), std::string::npos) << DescribeResult(bad);
  // check writes nothing.
  auto objects = ReadBack(*s3, kBucket, "", dir);
  EXPECT_TRUE(objects.empty());
}

TEST(S3PipelineTest, TheS3ExampleWritesEveryOrderAsParquetInHourlyFolders) {
  std::string error;
  auto s3 = S3rver::Start({kBucket}, &error);
  ASSERT_TRUE(s3) << error;
  TempDir dir;
  ProcessOptions o;
  o.env["RIVVEN_DATA_DIR"] = dir / "data";
  o.env["S3_ENDPOINT"] = s3->endpoint();
  o.env["S3_BUCKET"] = kBucket;
  o.env["AWS_ACCESS_KEY_ID"] = S3rver::kAccessKey;
  o.env["AWS_SECRET_ACCESS_KEY"] = S3rver::kSecretKey;
  o.cwd = SourceDir();
  const std::string config = SourceDir() + "/examples/s3/datagen-to-s3.yaml";
  auto v = RunProcess({BinaryPath(), "validate", "-c", config}, o);
  ASSERT_EQ(v.exit_code, 0) << DescribeResult(v);
  auto r = RunProcess({BinaryPath(), "run", "-c", config}, o);
  ASSERT_EQ(r.exit_code, 0) << DescribeResult(r);
  const auto objects = ReadBack(*s3, kBucket, "lake/", dir);
  ASSERT_FALSE(objects.empty());
  std::set<std::string> order_ids;
  size_t rows = 0;
  for (const StoredObject& o : objects) {
    EXPECT_TRUE(o.key.starts_with("lake/orders/dt=")) << o.key;
    EXPECT_NE(o.key.find("/hour="), std::string::npos) << o.key;
    EXPECT_TRUE(o.key.ends_with(".parquet")) << o.key;
    for (const std::string& row : ParquetRows(o.parquet_path)) {
      ++rows;
      const size_t at = row.find("\"order_id\":");
      ASSERT_NE(at, std::string::npos) << row;
      order_ids.insert(row.substr(at, row.find_first_of(",}", at) - at));
    }
  }
  EXPECT_EQ(rows, 5000u);
  EXPECT_EQ(order_ids.size(), 5000u);
}

TEST(S3PipelineTest, KillNineWhileWritingObjectsLeavesEveryRecordInExactlyOneObject) {
  std::string error;
  auto s3 = S3rver::Start({kBucket}, &error);
  ASSERT_TRUE(s3) << error;
  TempDir dir;
  // 150,000 distinct records in a topic of 3 partitions, loaded once (not under kill).
  std::set<std::string> expected;
  std::string text;
  for (int i = 0; i < 150000; ++i) {
    const std::string line = "{\"n\":" + std::to_string(i) + ",\"pad\":\"" + std::string(40, 'p') + "\"}";
    expected.insert(line);
    text += line + "\n";
  }
  WriteFile(dir / "in.jsonl", text);
  WriteFile(dir / "load.yaml",
            "broker: {data_dir: " + dir / "data" + "}\n"
            "sources:\n"
            "  in: {connector: file, topic: rows, topic_config: {partitions: 3}, "
            "config: {path: " + dir / "in.jsonl" + "}}\n");
  auto load = RunProcess({BinaryPath(), "run", "-c", dir / "load.yaml"});
  ASSERT_EQ(load.exit_code, 0) << DescribeResult(load);

  const int batch = 100;
  WriteFile(dir / "sink.yaml", SinkYaml(*s3, dir / "data", kBucket, "crash", batch));
  const std::vector<std::string> cmd = {BinaryPath(), "run", "-c", dir / "sink.yaml"};
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> delay_ms(100, 400);
  int kills = 0;
  for (int attempt = 0; attempt < 30 && kills < 6; ++attempt) {
    BackgroundProcess p(cmd, {}, dir / "stdout", dir / "stderr");
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    if (!p.Running()) break;
    p.Signal(SIGKILL);
    if (p.Wait(std::chrono::seconds(10)).signal == SIGKILL) ++kills;
  }
  EXPECT_GE(kills, 3) << "the run finished too quickly to be killed 3 times";
  auto last = RunProcess(cmd);
  ASSERT_EQ(last.exit_code, 0) << DescribeResult(last);

  const auto objects = ReadBack(*s3, kBucket, "crash/", dir);
  // Per partition, the objects' offset ranges [first, first + records) tile [0, end) exactly.
  std::map<int, std::map<int64_t, size_t>> ranges;  // partition -> first offset -> records
  std::multiset<std::string> got;
  for (const StoredObject& o : objects) {
    const std::string name = o.key.substr(o.key.rfind('/') + 1);  // rows+P+OFFSET.jsonl.gz
    const size_t a = name.find('+'), b = name.find('+', a + 1), dot = name.find('.', b);
    ASSERT_NE(b, std::string::npos) << o.key;
    const int partition = std::stoi(name.substr(a + 1, b - a - 1));
    const int64_t first = std::stoll(name.substr(b + 1, dot - b - 1));
    const auto values = TextValues(o);
    ranges[partition][first] = values.size();
    for (const auto& v : values) got.insert(v);
  }
  size_t total = 0;
  for (const auto& [partition, by_first] : ranges) {
    int64_t next = 0;
    for (const auto& [first, n] : by_first) {
      EXPECT_EQ(first, next) << "partition " << partition << ": a gap or an overlap at " << first;
      next = first + static_cast<int64_t>(n);
      total += n;
    }
  }
  EXPECT_EQ(total, expected.size()) << "records in objects after " << kills << " kills";
  EXPECT_EQ(got.size(), expected.size());
  EXPECT_TRUE(std::set<std::string>(got.begin(), got.end()) == expected);
  std::cout << "kills=" << kills << " objects=" << objects.size() << " records=" << total << "\n";
}

}  // namespace
}  // namespace rivven::testing
