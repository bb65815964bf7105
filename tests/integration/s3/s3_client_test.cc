// S3Client against s3rver (a fake S3 in Node.js, tests/support/s3rver.h), cross-checked with
// boto3 as an independent client. s3rver does not verify SigV4 signatures: the signer is tested
// against AWS's vectors and curl in src/clients/s3/tests/sigv4_test.cc.
#include "clients/s3/s3_client.h"

#include <unistd.h>

#include <set>

#include <gtest/gtest.h>

#include "clients/s3/sigv4.h"
#include "support/process.h"
#include "support/s3rver.h"

namespace rivven::s3 {
namespace {

using rivven::testing::S3rver;

constexpr char kBucket[] = "rivven-test";
constexpr char kPython[] = "/usr/bin/python3";

// boto3 with path-style addressing: `get BUCKET KEY` prints "<size> <sha256>", `list BUCKET
// PREFIX` prints one key per line.
constexpr char kBoto3Script[] = R"(
import sys, hashlib, boto3
from botocore.config import Config
s3 = boto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id='S3RVER',
                  aws_secret_access_key='S3RVER', region_name='us-east-1',
                  config=Config(s3={'addressing_style': 'path'}))
if sys.argv[2] == 'get':
    body = s3.get_object(Bucket=sys.argv[3], Key=sys.argv[4])['Body'].read()
    print(len(body), hashlib.sha256(body).hexdigest())
elif sys.argv[2] == 'list':
    for page in s3.get_paginator('list_objects_v2').paginate(Bucket=sys.argv[3], Prefix=sys.argv[4]):
        for o in page.get('Contents', []):
            print(o['Key'])
)";

const std::vector<std::string>& AwkwardKeys() {
  static const std::vector<std::string> keys = {
      "plain.txt",
      "dir/sub/file.json",
      "with space/and  two  spaces.txt",
      "unicode/\u043a\u043b\u044e\u0447-\u20ac-\u65e5\u672c\u8a9e-\U0001F600.txt",
      "a=b+c&d.txt",
      "plus+and=equals/x=1+2",
      "percent%20literal%.txt",
      "punct/!'()*$,;:@~_-.txt",
  };
  return keys;
}

class S3ClientIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = S3rver::Start({kBucket, "rivven-list", "rivven-multipart"}, &start_error_).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr) << start_error_; }

  static S3Options Options() {
    S3Options o;
    o.region = S3rver::kRegion;
    o.endpoint = server_->endpoint();
    o.force_path_style = true;
    o.credentials = {S3rver::kAccessKey, S3rver::kSecretKey, ""};
    o.initial_backoff = std::chrono::milliseconds(10);
    o.max_backoff = std::chrono::milliseconds(50);
    return o;
  }
  static std::unique_ptr<S3Client> Client(const S3Options& o = Options()) {
    auto c = S3Client::Create(o);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  // Runs the boto3 script; fails the test when python3/boto3 are missing or it fails.
  static std::string Boto3(const std::vector<std::string>& args) {
    if (access(kPython, X_OK) != 0) {
      ADD_FAILURE() << kPython << " not found: run scripts/install-deps.sh (python3-boto3)";
      return "";
    }
    std::vector<std::string> argv = {kPython, "-c", kBoto3Script, server_->endpoint()};
    argv.insert(argv.end(), args.begin(), args.end());
    rivven::testing::ProcessOptions options;
    options.env["PYTHONIOENCODING"] = "utf-8";
    options.timeout = std::chrono::seconds(60);
    const auto r = rivven::testing::RunProcess(argv, options);
    EXPECT_EQ(r.exit_code, 0) << "boto3: " << rivven::testing::DescribeResult(r);
    return r.out;
  }

  static S3rver* server_;
  static std::string start_error_;
};

S3rver* S3ClientIntegrationTest::server_ = nullptr;
std::string S3ClientIntegrationTest::start_error_;

TEST_F(S3ClientIntegrationTest, PutHeadGetListDeleteWithAwkwardKeys) {
  auto client = Client();
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->CheckBucket(kBucket).ok());
  for (const auto& key : AwkwardKeys()) {
    const std::string body = "content of " + key;
    Status put = client->PutObject(kBucket, "awkward/" + key, body, "text/plain; charset=utf-8",
                                   {{"x-amz-meta-origin", "rivven test"}});
    ASSERT_TRUE(put.ok()) << key << ": " << put.ToString();
    auto head = client->HeadObject(kBucket, "awkward/" + key);
    ASSERT_TRUE(head.ok()) << key << ": " << head.status().ToString();
    ASSERT_TRUE(head->has_value()) << key;
    EXPECT_EQ((*head)->size, body.size()) << key;
    EXPECT_EQ((*head)->etag.size(), 32u) << key;  // MD5 hex, quotes stripped
    auto got = client->GetObject(kBucket, "awkward/" + key);
    ASSERT_TRUE(got.ok()) << key << ": " << got.status().ToString();
    EXPECT_EQ(*got, body) << key;
  }

  auto listed = client->ListObjects(kBucket, "awkward/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::set<std::string> keys;
  for (const auto& o : *listed) {
    keys.insert(o.key);
    EXPECT_EQ(o.size, ("content of " + o.key.substr(8)).size()) << o.key;
  }
  std::set<std::string> expected;
  for (const auto& k : AwkwardKeys()) expected.insert("awkward/" + k);
  EXPECT_EQ(keys, expected);

  // An independent client sees the same keys and bytes.
  std::set<std::string> boto_keys;
  for (const auto& line : rivven::testing::SplitLines(Boto3({"list", kBucket, "awkward/"}))) {
    if (!line.empty()) boto_keys.insert(line);
  }
  EXPECT_EQ(boto_keys, expected);
  const std::string unicode_key = "awkward/" + AwkwardKeys()[3];
  const std::string body = "content of " + AwkwardKeys()[3];
  EXPECT_EQ(Boto3({"get", kBucket, unicode_key}),
            std::to_string(body.size()) + " " + Sha256Hex(body) + "\n");

  for (const auto& key : AwkwardKeys()) {
    ASSERT_TRUE(client->DeleteObject(kBucket, "awkward/" + key).ok()) << key;
    auto head = client->HeadObject(kBucket, "awkward/" + key);
    ASSERT_TRUE(head.ok()) << head.status().ToString();
    EXPECT_FALSE(head->has_value()) << key;
  }
  auto after = client->ListObjects(kBucket, "awkward/");
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->empty());
  EXPECT_EQ(client->retries(), 0u);
}

TEST_F(S3ClientIntegrationTest, EmptyObjectsAndOverwrites) {
  auto client = Client();
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->PutObject(kBucket, "empty", "").ok());
  auto head = client->HeadObject(kBucket, "empty");
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->size, 0u);
  auto got = client->GetObject(kBucket, "empty");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "");
  ASSERT_TRUE(client->PutObject(kBucket, "empty", "now with bytes").ok());
  got = client->GetObject(kBucket, "empty");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "now with bytes");
  EXPECT_TRUE(client->DeleteObject(kBucket, "empty").ok());
  // Deleting what is not there is not an error (S3 answers 204).
  EXPECT_TRUE(client->DeleteObject(kBucket, "empty").ok());
  auto missing = client->GetObject(kBucket, "empty");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("NoSuchKey"), std::string::npos)
      << missing.status().message();
}

TEST_F(S3ClientIntegrationTest, MultipartUploadReadsBackByteIdentical) {
  S3Options o = Options();
  o.part_size = 5u << 20;
  o.multipart_threshold = 6u << 20;
  auto client = Client(o);
  ASSERT_TRUE(client);
  std::string body((12u << 20) + 12345, '\0');
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (auto& c : body) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  const std::string key = "multi part/\u20ac big.bin";
  Status put = client->PutObject("rivven-multipart", key, body);
  ASSERT_TRUE(put.ok()) << put.ToString() << "\n" << server_->Log().substr(0, 4000);
  EXPECT_EQ(client->requests(), 5u);  // initiate, 3 parts, complete
  auto head = client->HeadObject("rivven-multipart", key);
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->size, body.size());
  auto got = client->GetObject("rivven-multipart", key);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->size(), body.size());
  EXPECT_TRUE(*got == body);
  EXPECT_EQ(Boto3({"get", "rivven-multipart", key}),
            std::to_string(body.size()) + " " + Sha256Hex(body) + "\n");
  // Below the threshold: one PUT.
  const uint64_t before = client->requests();
  ASSERT_TRUE(client->PutObject("rivven-multipart", "small", body.substr(0, 3u << 20)).ok());
  EXPECT_EQ(client->requests(), before + 1);
}

TEST_F(S3ClientIntegrationTest, ListFollowsContinuationTokens) {
  S3Options o = Options();
  o.list_max_keys = 2;
  auto client = Client(o);
  ASSERT_TRUE(client);
  std::set<std::string> expected;
  for (int i = 0; i < 5; ++i) {
    const std::string key = "page/" + std::to_string(i) + " \u00e9.txt";
    ASSERT_TRUE(client->PutObject("rivven-list", key, std::string(i, 'x')).ok());
    expected.insert(key);
  }
  ASSERT_TRUE(client->PutObject("rivven-list", "other/x", "x").ok());
  const uint64_t before = client->requests();
  auto listed = client->ListObjects("rivven-list", "page/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(client->requests() - before, 3u);  // 2 + 2 + 1
  std::set<std::string> keys;
  for (const auto& obj : *listed) {
    keys.insert(obj.key);
    EXPECT_EQ(obj.size, static_cast<uint64_t>(obj.key[5] - '0')) << obj.key;
  }
  EXPECT_EQ(keys, expected);
  auto none = client->ListObjects("rivven-list", "nothing-here/");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(S3ClientIntegrationTest, MissingBucketIsAClearPermanentError) {
  auto client = Client();
  ASSERT_TRUE(client);
  Status put = client->PutObject("no-such-bucket", "k", "x");
  EXPECT_EQ(put.code(), StatusCode::kNotFound);
  EXPECT_FALSE(put.retriable());
  EXPECT_NE(put.message().find("NoSuchBucket"), std::string::npos) << put.message();
  EXPECT_NE(put.message().find("s3://no-such-bucket/k"), std::string::npos) << put.message();
  EXPECT_EQ(client->requests(), 1u);
  Status check = client->CheckBucket("no-such-bucket");
  EXPECT_EQ(check.code(), StatusCode::kNotFound);
  EXPECT_NE(check.message().find("bucket 'no-such-bucket' does not exist"), std::string::npos)
      << check.message();
  auto list = client->ListObjects("no-such-bucket", "");
  EXPECT_EQ(list.status().code(), StatusCode::kNotFound);
}

TEST_F(S3ClientIntegrationTest, UnknownAccessKeyIsNotRetried) {
  S3Options o = Options();
  o.credentials = {"NOT-S3RVER", "some-secret-value", ""};
  auto client = Client(o);
  ASSERT_TRUE(client);
  Status put = client->PutObject(kBucket, "k", "x");
  EXPECT_EQ(put.code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(put.retriable());
  EXPECT_NE(put.message().find("InvalidAccessKeyId"), std::string::npos) << put.message();
  EXPECT_EQ(put.message().find("some-secret-value"), std::string::npos);
  EXPECT_EQ(client->requests(), 1u);
  Status check = client->CheckBucket(kBucket);
  EXPECT_EQ(check.code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace rivven::s3
