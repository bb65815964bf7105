// S3Client against a fake S3 endpoint (cpp-httplib on loopback): retries, Retry-After, errors
// that must not be retried, multipart bookkeeping, list pagination. The real-server round trips
// are in tests/integration/s3 (against s3rver).
#include "clients/s3/s3_client.h"

#include <httplib.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

#include <gtest/gtest.h>

#include "clients/s3/sigv4.h"
#include "support/http_test_server.h"

namespace rivven::s3 {
namespace {

using namespace std::chrono_literals;
using TestServer = rivven::testing::HttpTestServer;

constexpr char kSecret[] = "SECRETKEY-never-in-messages";

S3Options FakeOptions(int port) {
  S3Options o;
  o.region = "us-east-1";
  o.endpoint = "http://127.0.0.1:" + std::to_string(port);
  o.credentials = {"AKIDFAKE", kSecret, ""};
  o.initial_backoff = 1ms;
  o.max_backoff = 5ms;
  o.max_attempts = 4;
  return o;
}

std::unique_ptr<S3Client> MakeClient(const S3Options& o) {
  auto c = S3Client::Create(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : nullptr;
}

void ErrorAnswer(httplib::Response& res, int status, const std::string& code) {
  res.status = status;
  res.set_content("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code +
                      "</Code><Message>fake " + code +
                      "</Message><RequestId>RID</RequestId></Error>",
                  "application/xml");
}

void ExpectNoSecrets(const Status& s) {
  EXPECT_EQ(s.message().find(kSecret), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("Signature="), std::string::npos) << s.message();
}

TEST(S3ClientTest, TurningTlsVerificationOffWarnsOnceNamingTheConfigBlock) {
  S3Options o = FakeOptions(1);
  EXPECT_TRUE(o.verify_tls) << "verified by default";
  o.verify_tls = false;
  o.tls_owner = "sinks.s3-unverified.config.tls.verify";
  ::testing::internal::CaptureStderr();
  auto first = MakeClient(o);
  auto second = MakeClient(o);
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  const std::string warning =
      "sinks.s3-unverified.config.tls.verify: TLS certificate verification is off, "
      "the server's identity is not checked";
  const size_t at = log.find(warning);
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_EQ(log.find(warning, at + 1), std::string::npos) << log;
}

TEST(S3ClientTest, RetriesSlowDownThenSucceedsAndSignsEveryAttempt) {
  std::mutex mu;
  int calls = 0;
  std::vector<std::string> hashes, auths;
  std::string stored;
  TestServer s;
  s.server().Put(R"(/bucket/.*)", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> l(mu);
    hashes.push_back(req.get_header_value("x-amz-content-sha256"));
    auths.push_back(req.get_header_value("Authorization"));
    if (++calls <= 2) return ErrorAnswer(res, 503, "SlowDown");
    stored = req.body;
    res.set_header("ETag", "\"abc\"");
  });
  auto client = MakeClient(FakeOptions(s.port()));
  ASSERT_TRUE(client);
  Status st = client->PutObject("bucket", "dir/k 1.txt", "hello", "text/plain");
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(stored, "hello");
  EXPECT_EQ(client->requests(), 3u);
  EXPECT_EQ(client->retries(), 2u);
  ASSERT_EQ(hashes.size(), 3u);
  for (const auto& h : hashes) EXPECT_EQ(h, Sha256Hex("hello"));
  for (const auto& a : auths) {
    EXPECT_TRUE(a.starts_with("AWS4-HMAC-SHA256 Credential=AKIDFAKE/")) << a;
    EXPECT_NE(a.find("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date"),
              std::string::npos)
        << a;
  }
}

TEST(S3ClientTest, HonoursRetryAfter) {
  std::atomic<int> calls{0};
  TestServer s;
  s.server().Get(R"(/bucket/.*)", [&](const httplib::Request&, httplib::Response& res) {
    if (calls++ == 0) {
      res.set_header("Retry-After", "1");
      return ErrorAnswer(res, 503, "SlowDown");
    }
    res.set_content("body", "application/octet-stream");
  });
  auto client = MakeClient(FakeOptions(s.port()));
  ASSERT_TRUE(client);
  const auto start = std::chrono::steady_clock::now();
  auto got = client->GetObject("bucket", "k");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "body");
  EXPECT_GE(elapsed, 1s);  // max_backoff is 5 ms: only Retry-After explains the wait
  EXPECT_LT(elapsed, 5s);
  EXPECT_EQ(client->retries(), 1u);
}

TEST(S3ClientTest, ForbiddenIsNotRetried) {
  std::atomic<int> calls{0};
  TestServer s;
  s.server().Put(R"(/bucket/.*)", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    ErrorAnswer(res, 403, "SignatureDoesNotMatch");
  });
  auto client = MakeClient(FakeOptions(s.port()));
  ASSERT_TRUE(client);
  Status st = client->PutObject("bucket", "secret-plans.txt", "x");
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(st.retriable());
  EXPECT_NE(st.message().find("SignatureDoesNotMatch"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("s3://bucket/secret-plans.txt"), std::string::npos);
  EXPECT_NE(st.message().find("HTTP 403"), std::string::npos);
  ExpectNoSecrets(st);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(client->requests(), 1u);
  EXPECT_EQ(client->retries(), 0u);
}

TEST(S3ClientTest, GivesUpAfterMaxAttemptsAsRetriable) {
  std::atomic<int> calls{0};
  TestServer s;
  s.server().Get(R"(/bucket/.*)", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    ErrorAnswer(res, 500, "InternalError");
  });
  auto client = MakeClient(FakeOptions(s.port()));
  ASSERT_TRUE(client);
  auto got = client->GetObject("bucket", "k");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(got.status().retriable());
  EXPECT_NE(got.status().message().find("gave up after 4 attempts"), std::string::npos)
      << got.status().message();
  EXPECT_NE(got.status().message().find("InternalError"), std::string::npos);
  EXPECT_EQ(calls.load(), 4);
  EXPECT_EQ(client->retries(), 3u);
}

TEST(S3ClientTest, TransportFailuresAreRetried) {
  int port = 0;
  {
    TestServer gone;  // a port nobody listens on once it is destroyed
    port = gone.port();
  }
  auto client = MakeClient(FakeOptions(port));
  ASSERT_TRUE(client);
  Status st = client->DeleteObject("bucket", "k");
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(st.retriable());
  EXPECT_EQ(client->requests(), 4u);
  ExpectNoSecrets(st);
}

struct FakeMultipart {
  std::mutex mu;
  std::map<int, std::string> parts;
  std::string complete_body;
  std::string content_type;
  int completes = 0;
  bool aborted = false;
  int fail_part = 0;        // answer 403 to this part number
  int complete_errors = 0;  // answer 200 + <Error> this many times
};

void ServeMultipart(TestServer& s, FakeMultipart& m) {
  s.server().Post(R"(/bucket/big)", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> l(m.mu);
    if (req.has_param("uploads")) {
      m.content_type = req.get_header_value("Content-Type");
      res.set_content(
          "<InitiateMultipartUploadResult><Bucket>bucket</Bucket><Key>big</Key>"
          "<UploadId>up&amp;1</UploadId></InitiateMultipartUploadResult>",
          "application/xml");
      return;
    }
    EXPECT_EQ(req.get_param_value("uploadId"), "up&1");
    ++m.completes;
    m.complete_body = req.body;
    if (m.complete_errors-- > 0) {  // S3 can fail after it sent 200
      res.set_content("<Error><Code>InternalError</Code><Message>retry</Message></Error>",
                      "application/xml");
      return;
    }
    res.set_content(
        "<CompleteMultipartUploadResult><ETag>\"x-3\"</ETag>"
        "</CompleteMultipartUploadResult>",
        "application/xml");
  });
  s.server().Put(R"(/bucket/big)", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> l(m.mu);
    EXPECT_EQ(req.get_param_value("uploadId"), "up&1");
    const int n = std::stoi(req.get_param_value("partNumber"));
    if (n == m.fail_part) return ErrorAnswer(res, 403, "AccessDenied");
    m.parts[n] = req.body;
    res.set_header("ETag", "\"etag-" + std::to_string(n) + "\"");
  });
  s.server().Delete(R"(/bucket/big)", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> l(m.mu);
    m.aborted = req.get_param_value("uploadId") == "up&1";
    res.status = 204;
  });
}

std::string Body(size_t size) {
  std::string body(size, '\0');
  uint32_t x = 12345;
  for (auto& c : body) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return body;
}

TEST(S3ClientTest, MultipartUploadsPartsInOrderAndRetriesAnErrorInside200) {
  FakeMultipart m;
  m.complete_errors = 1;
  TestServer s;
  ServeMultipart(s, m);
  S3Options o = FakeOptions(s.port());
  o.part_size = 5u << 20;
  o.multipart_threshold = 6u << 20;
  auto client = MakeClient(o);
  ASSERT_TRUE(client);
  const std::string body = Body((12u << 20) + 7);
  Status st = client->PutObject("bucket", "big", body, "application/x-parquet");
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(m.parts.size(), 3u);
  EXPECT_EQ(m.parts[1].size(), 5u << 20);
  EXPECT_EQ(m.parts[2].size(), 5u << 20);
  EXPECT_EQ(m.parts[3].size(), (2u << 20) + 7);
  EXPECT_EQ(m.parts[1] + m.parts[2] + m.parts[3], body);
  EXPECT_EQ(m.content_type, "application/x-parquet");
  EXPECT_EQ(m.complete_body,
            "<CompleteMultipartUpload>"
            "<Part><PartNumber>1</PartNumber><ETag>&quot;etag-1&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;etag-2&quot;</ETag></Part>"
            "<Part><PartNumber>3</PartNumber><ETag>&quot;etag-3&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
  EXPECT_EQ(m.completes, 2);
  EXPECT_FALSE(m.aborted);
  EXPECT_EQ(client->requests(), 6u);  // initiate, 3 parts, complete twice
  EXPECT_EQ(client->retries(), 1u);
}

TEST(S3ClientTest, FailedMultipartUploadIsAborted) {
  FakeMultipart m;
  m.fail_part = 2;
  TestServer s;
  ServeMultipart(s, m);
  S3Options o = FakeOptions(s.port());
  o.part_size = 5u << 20;
  o.multipart_threshold = 5u << 20;
  auto client = MakeClient(o);
  ASSERT_TRUE(client);
  Status st = client->PutObject("bucket", "big", Body(11u << 20));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("AccessDenied"), std::string::npos);
  EXPECT_TRUE(m.aborted);
  EXPECT_EQ(m.completes, 0);
}

TEST(S3ClientTest, ListFollowsContinuationTokens) {
  std::mutex mu;
  std::vector<std::string> tokens;
  TestServer s;
  s.server().Get(R"(/bucket)", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> l(mu);
    EXPECT_EQ(req.get_param_value("list-type"), "2");
    EXPECT_EQ(req.get_param_value("prefix"), "p/");
    EXPECT_EQ(req.get_param_value("max-keys"), "2");
    tokens.push_back(req.get_param_value("continuation-token"));
    if (tokens.size() == 1) {
      res.set_content(
          "<ListBucketResult><IsTruncated>true</IsTruncated>"
          "<Contents><Key>p/a &amp; b</Key><Size>1</Size><ETag>&quot;e1&quot;</ETag></Contents>"
          "<Contents><Key>p/\xc3\xa9</Key><Size>22</Size><ETag>\"e2\"</ETag></Contents>"
          "<NextContinuationToken>t/1+=</NextContinuationToken></ListBucketResult>",
          "application/xml");
    } else {
      res.set_content(
          "<ListBucketResult><IsTruncated>false</IsTruncated>"
          "<Contents><Key>p/z</Key><Size>18446744073709551615</Size><ETag>e3</ETag></Contents>"
          "</ListBucketResult>",
          "application/xml");
    }
  });
  S3Options o = FakeOptions(s.port());
  o.list_max_keys = 2;
  auto client = MakeClient(o);
  ASSERT_TRUE(client);
  auto listed = client->ListObjects("bucket", "p/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].key, "p/a & b");
  EXPECT_EQ((*listed)[0].etag, "e1");
  EXPECT_EQ((*listed)[1].key, "p/\xc3\xa9");
  EXPECT_EQ((*listed)[1].size, 22u);
  EXPECT_EQ((*listed)[2].size, 18446744073709551615u);
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0], "");
  EXPECT_EQ(tokens[1], "t/1+=");  // sent encoded, decoded by the server
}

TEST(S3ClientTest, HeadObjectAndCheckBucket) {
  TestServer s;
  s.server().Get(R"(/bucket/there)", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("ETag", "\"d41d8\"");
    res.set_content(std::string(1234, 'x'), "application/octet-stream");
  });
  s.server().Get(R"(/bucket/missing)",
                 [](const httplib::Request&, httplib::Response& res) { res.status = 404; });
  s.server().Get(R"(/bucket)",
                 [](const httplib::Request&, httplib::Response& res) { res.status = 200; });
  s.server().Get(R"(/forbidden)",
                 [](const httplib::Request&, httplib::Response& res) { res.status = 403; });
  s.server().Get(R"(/nobucket)",
                 [](const httplib::Request&, httplib::Response& res) { res.status = 404; });
  auto client = MakeClient(FakeOptions(s.port()));
  ASSERT_TRUE(client);
  auto there = client->HeadObject("bucket", "there");
  ASSERT_TRUE(there.ok()) << there.status().ToString();
  ASSERT_TRUE(there->has_value());
  EXPECT_EQ((*there)->size, 1234u);
  EXPECT_EQ((*there)->etag, "d41d8");
  auto missing = client->HeadObject("bucket", "missing");
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_FALSE(missing->has_value());

  EXPECT_TRUE(client->CheckBucket("bucket").ok());
  Status forbidden = client->CheckBucket("forbidden");
  EXPECT_EQ(forbidden.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(forbidden.message().find("may not use"), std::string::npos) << forbidden.message();
  Status nobucket = client->CheckBucket("nobucket");
  EXPECT_EQ(nobucket.code(), StatusCode::kNotFound);
  EXPECT_NE(nobucket.message().find("bucket 'nobucket' does not exist"), std::string::npos)
      << nobucket.message();
}

TEST(S3ClientTest, SessionTokenIsSentAndSigned) {
  std::string token, auth;
  TestServer s;
  s.server().Delete(R"(/bucket/k)", [&](const httplib::Request& req, httplib::Response& res) {
    token = req.get_header_value("x-amz-security-token");
    auth = req.get_header_value("Authorization");
    res.status = 204;
  });
  S3Options o = FakeOptions(s.port());
  o.credentials.session_token = "TOKEN/xyz==";
  auto client = MakeClient(o);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->DeleteObject("bucket", "k").ok());
  EXPECT_EQ(token, "TOKEN/xyz==");
  EXPECT_NE(auth.find(";x-amz-security-token,"), std::string::npos) << auth;
}

TEST(S3ClientTest, CreateChecksOptions) {
  S3Options o = FakeOptions(1);
  o.part_size = 1u << 20;
  EXPECT_EQ(S3Client::Create(o).status().code(), StatusCode::kInvalidArgument);
  o = FakeOptions(1);
  o.region.clear();
  EXPECT_FALSE(S3Client::Create(o).ok());
  o = FakeOptions(1);
  o.credentials.secret_access_key.clear();
  EXPECT_FALSE(S3Client::Create(o).ok());
  o = FakeOptions(1);
  o.endpoint = "127.0.0.1:9000";
  EXPECT_FALSE(S3Client::Create(o).ok());
  o = FakeOptions(1);
  o.max_attempts = 0;
  EXPECT_FALSE(S3Client::Create(o).ok());
  EXPECT_TRUE(S3Client::Create(FakeOptions(1)).ok());
}

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(S3ClientTest, ResolveCredentials) {
  {
    ScopedEnv a("AWS_ACCESS_KEY_ID", "ENVKEY"), b("AWS_SECRET_ACCESS_KEY", "ENVSECRET"),
        c("AWS_SESSION_TOKEN", "ENVTOKEN");
    auto from_config = ResolveCredentials("CFGKEY", "CFGSECRET");
    ASSERT_TRUE(from_config.ok());
    EXPECT_EQ(from_config->access_key_id, "CFGKEY");
    EXPECT_EQ(from_config->secret_access_key, "CFGSECRET");
    EXPECT_EQ(from_config->session_token, "");  // the environment's token goes with its keys
    auto from_env = ResolveCredentials("", "");
    ASSERT_TRUE(from_env.ok());
    EXPECT_EQ(from_env->access_key_id, "ENVKEY");
    EXPECT_EQ(from_env->secret_access_key, "ENVSECRET");
    EXPECT_EQ(from_env->session_token, "ENVTOKEN");
    EXPECT_EQ(ResolveCredentials("CFGKEY", "").status().code(), StatusCode::kInvalidArgument);
  }
  {
    ScopedEnv a("AWS_ACCESS_KEY_ID", nullptr), b("AWS_SECRET_ACCESS_KEY", nullptr);
    auto none = ResolveCredentials("", "");
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(none.status().message().find("access_key_id"), std::string::npos);
    EXPECT_NE(none.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  }
}

}  // namespace
}  // namespace rivven::s3
