// SigV4 against AWS's published test suite (aws-sig-v4-test-suite, service "service"), the S3
// documentation's worked examples, and `curl --aws-sigv4` as an independent implementation.
#include "clients/s3/sigv4.h"

#include <spawn.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <gtest/gtest.h>

#include "clients/s3/s3_url.h"
#include "support/http_test_server.h"

extern char** environ;

namespace rivven::s3 {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

constexpr char kEmptySha[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// The test suite's fixed inputs.
constexpr char kSuiteDate[] = "20150830T123600Z";
const SigningKeys kSuiteKeys{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
constexpr char kSuiteAuthPrefix[] =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ";
constexpr char kSuiteStsPrefix[] =
    "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n";

// The S3 documentation's examples (sig-v4-header-based-auth).
constexpr char kDocDate[] = "20130524T000000Z";
const SigningKeys kDocKeys{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};

std::string Header(const Pairs& headers, const std::string& name) {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return "";
}

SigningInput SuiteInput(std::string method, std::string path, Pairs query, Pairs headers,
                        std::string_view body = "") {
  SigningInput in;
  in.method = std::move(method);
  in.path = std::move(path);
  in.query = std::move(query);
  in.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kSuiteDate}};
  for (auto& h : headers) in.headers.push_back(std::move(h));
  in.payload_sha256 = Sha256Hex(body);
  return in;
}

std::string SuiteAuthorization(const SigningInput& in, const SigningKeys& keys = kSuiteKeys) {
  return Header(SignAt(in, keys, "us-east-1", "service", kSuiteDate), "Authorization");
}

TEST(SigV4Test, HashesAndHmac) {
  EXPECT_EQ(Sha256Hex(""), kEmptySha);
  EXPECT_EQ(Sha256Hex("Welcome to Amazon S3."),
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  // RFC 4231 test case 2.
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SigV4Test, UriEncodingFollowsSigV4) {
  EXPECT_EQ(UriEncode("a b+c=d/e~f", false), "a%20b%2Bc%3Dd%2Fe~f");
  EXPECT_EQ(UriEncode("a b+c=d/e~f", true), "a%20b%2Bc%3Dd/e~f");
  EXPECT_EQ(UriEncode("ключ€", true), "%D0%BA%D0%BB%D1%8E%D1%87%E2%82%AC");
  EXPECT_EQ(UriEncode("-._~AZaz09", false), "-._~AZaz09");
  EXPECT_EQ(UriEncode("!*'();:@&$,?#[]%", false),
            "%21%2A%27%28%29%3B%3A%40%26%24%2C%3F%23%5B%5D%25");
  // S3: no normalisation, no double encoding.
  EXPECT_EQ(CanonicalUri("/bucket//a/./b/../100%"), "/bucket//a/./b/../100%25");
  EXPECT_EQ(CanonicalUri(""), "/");
  EXPECT_EQ(CanonicalQueryString({{"prefix", "a b/c"}, {"list-type", "2"}, {"uploads", ""}}),
            "list-type=2&prefix=a%20b%2Fc&uploads=");
  EXPECT_EQ(AmzDate(std::chrono::system_clock::time_point(std::chrono::seconds(1440938160))),
            kSuiteDate);
}

TEST(SigV4Test, SuiteGetVanilla) {
  const SigningInput in = SuiteInput("GET", "/", {}, {});
  const std::string creq = CanonicalRequest(in, kSuiteKeys, kSuiteDate, "service");
  EXPECT_EQ(
      creq,
      "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
          std::string(kEmptySha));
  EXPECT_EQ(StringToSign(creq, kSuiteDate, "us-east-1", "service"),
            std::string(kSuiteStsPrefix) +
                "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  const Pairs added = SignAt(in, kSuiteKeys, "us-east-1", "service", kSuiteDate);
  EXPECT_EQ(Header(added, "Authorization"),
            std::string(kSuiteAuthPrefix) +
                "SignedHeaders=host;x-amz-date, "
                "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(Header(added, "x-amz-date"), kSuiteDate);
  // Only S3 gets x-amz-content-sha256.
  EXPECT_EQ(Header(added, "x-amz-content-sha256"), "");
}

TEST(SigV4Test, SuiteQueryOrder) {
  const SigningInput key_case =
      SuiteInput("GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}}, {});
  const std::string creq = CanonicalRequest(key_case, kSuiteKeys, kSuiteDate, "service");
  EXPECT_EQ(creq.substr(0, creq.find("host")), "GET\n/\nParam1=value1&Param2=value2\n");
  EXPECT_EQ(StringToSign(creq, kSuiteDate, "us-east-1", "service"),
            std::string(kSuiteStsPrefix) +
                "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0");
  EXPECT_EQ(SuiteAuthorization(key_case),
            std::string(kSuiteAuthPrefix) +
                "SignedHeaders=host;x-amz-date, "
                "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
  // get-vanilla-query-order-key: same name, sorted by value (upper case first).
  EXPECT_EQ(
      SuiteAuthorization(SuiteInput("GET", "/", {{"Param1", "value2"}, {"Param1", "Value1"}}, {})),
      std::string(kSuiteAuthPrefix) +
          "SignedHeaders=host;x-amz-date, "
          "Signature=eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1");
  // get-vanilla-query-order-value
  EXPECT_EQ(
      SuiteAuthorization(SuiteInput("GET", "/", {{"Param1", "value2"}, {"Param1", "value1"}}, {})),
      std::string(kSuiteAuthPrefix) +
          "SignedHeaders=host;x-amz-date, "
          "Signature=5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694");
}

TEST(SigV4Test, SuiteUnreservedAndUtf8) {
  const std::string unreserved =
      "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  // get-unreserved
  const SigningInput path = SuiteInput("GET", "/" + unreserved, {}, {});
  EXPECT_EQ(StringToSign(CanonicalRequest(path, kSuiteKeys, kSuiteDate, "service"), kSuiteDate,
                         "us-east-1", "service"),
            std::string(kSuiteStsPrefix) +
                "6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9");
  EXPECT_EQ(SuiteAuthorization(path),
            std::string(kSuiteAuthPrefix) +
                "SignedHeaders=host;x-amz-date, "
                "Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f");
  // get-vanilla-query-unreserved
  EXPECT_EQ(SuiteAuthorization(SuiteInput("GET", "/", {{unreserved, unreserved}}, {})),
            std::string(kSuiteAuthPrefix) +
                "SignedHeaders=host;x-amz-date, "
                "Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197");
  // get-utf8: the path is encoded once.
  const SigningInput utf8 = SuiteInput("GET", "/\u1234", {}, {});
  const std::string creq = CanonicalRequest(utf8, kSuiteKeys, kSuiteDate, "service");
  EXPECT_EQ(creq.substr(0, creq.find("host")), "GET\n/%E1%88%B4\n\n");
  EXPECT_EQ(StringToSign(creq, kSuiteDate, "us-east-1", "service"),
            std::string(kSuiteStsPrefix) +
                "2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102");
  EXPECT_EQ(SuiteAuthorization(utf8),
            std::string(kSuiteAuthPrefix) +
                "SignedHeaders=host;x-amz-date, "
                "Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85");
  // get-vanilla-utf8-query
  EXPECT_EQ(SuiteAuthorization(SuiteInput("GET", "/", {{"\u1234", "bar"}}, {})),
            std::string(kSuiteAuthPrefix) +
                "SignedHeaders=host;x-amz-date, "
                "Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04");
  // get-space (normalize-path suite; S3 keeps the path as it is, which here is the same)
  EXPECT_EQ(SuiteAuthorization(SuiteInput("GET", "/example space/", {}, {})),
            std::string(kSuiteAuthPrefix) +
                "SignedHeaders=host;x-amz-date, "
                "Signature=652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741");
}

TEST(SigV4Test, SuiteHeaders) {
  // get-header-value-trim: values trimmed, inner runs of spaces collapsed.
  const SigningInput trim =
      SuiteInput("GET", "/", {}, {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}});
  const std::string creq = CanonicalRequest(trim, kSuiteKeys, kSuiteDate, "service");
  EXPECT_EQ(creq,
            "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
            "x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n" +
                std::string(kEmptySha));
  EXPECT_EQ(SuiteAuthorization(trim),
            std::string(kSuiteAuthPrefix) +
                "SignedHeaders=host;my-header1;my-header2;x-amz-date, "
                "Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736");
  // get-header-key-duplicate: repeated names joined in order.
  EXPECT_EQ(SuiteAuthorization(SuiteInput(
                "GET", "/", {},
                {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}})),
            std::string(kSuiteAuthPrefix) +
                "SignedHeaders=host;my-header1;x-amz-date, "
                "Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea");
  // get-header-value-order
  EXPECT_EQ(SuiteAuthorization(SuiteInput("GET", "/", {},
                                          {{"My-Header1", "value4"},
                                           {"My-Header1", "value1"},
                                           {"My-Header1", "value3"},
                                           {"My-Header1", "value2"}})),
            std::string(kSuiteAuthPrefix) +
                "SignedHeaders=host;my-header1;x-amz-date, "
                "Signature=08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01");
  // post-header-key-sort and post-header-value-case: names lower-cased, values kept.
  EXPECT_EQ(SuiteAuthorization(SuiteInput("POST", "/", {}, {{"My-Header1", "value1"}})),
            std::string(kSuiteAuthPrefix) +
                "SignedHeaders=host;my-header1;x-amz-date, "
                "Signature=c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c");
  EXPECT_EQ(SuiteAuthorization(SuiteInput("POST", "/", {}, {{"My-Header1", "VALUE1"}})),
            std::string(kSuiteAuthPrefix) +
                "SignedHeaders=host;my-header1;x-amz-date, "
                "Signature=cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d");
}

TEST(SigV4Test, SuitePost) {
  const SigningInput vanilla = SuiteInput("POST", "/", {}, {});
  EXPECT_EQ(StringToSign(CanonicalRequest(vanilla, kSuiteKeys, kSuiteDate, "service"), kSuiteDate,
                         "us-east-1", "service"),
            std::string(kSuiteStsPrefix) +
                "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87");
  EXPECT_EQ(SuiteAuthorization(vanilla),
            std::string(kSuiteAuthPrefix) +
                "SignedHeaders=host;x-amz-date, "
                "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
  // post-vanilla-query
  EXPECT_EQ(SuiteAuthorization(SuiteInput("POST", "/", {{"Param1", "value1"}}, {})),
            std::string(kSuiteAuthPrefix) +
                "SignedHeaders=host;x-amz-date, "
                "Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11");
  // post-x-www-form-urlencoded: a body, its hash signed.
  const SigningInput form = SuiteInput(
      "POST", "/", {}, {{"Content-Type", "application/x-www-form-urlencoded"}}, "Param1=value1");
  EXPECT_EQ(form.payload_sha256,
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  EXPECT_EQ(SuiteAuthorization(form),
            std::string(kSuiteAuthPrefix) +
                "SignedHeaders=content-type;host;x-amz-date, "
                "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
  // post-x-www-form-urlencoded-parameters (the suite's own files write "charset=utf8")
  EXPECT_EQ(
      SuiteAuthorization(SuiteInput(
          "POST", "/", {}, {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"}},
          "Param1=value1")),
      std::string(kSuiteAuthPrefix) +
          "SignedHeaders=content-type;host;x-amz-date, "
          "Signature=1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe");
}

TEST(SigV4Test, SuiteSessionToken) {
  // post-sts-header-before: the token is signed.
  SigningKeys keys = kSuiteKeys;
  keys.session_token =
      "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSP"
      "fIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQD"
      "YwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+sc"
      "qKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
  const SigningInput in = SuiteInput("POST", "/", {}, {});
  EXPECT_EQ(StringToSign(CanonicalRequest(in, keys, kSuiteDate, "service"), kSuiteDate, "us-east-1",
                         "service"),
            std::string(kSuiteStsPrefix) +
                "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6");
  const Pairs added = SignAt(in, keys, "us-east-1", "service", kSuiteDate);
  EXPECT_EQ(Header(added, "Authorization"),
            std::string(kSuiteAuthPrefix) +
                "SignedHeaders=host;x-amz-date;x-amz-security-token, "
                "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead");
  EXPECT_EQ(Header(added, "x-amz-security-token"), keys.session_token);
}

TEST(SigV4Test, S3DocumentationGetObject) {
  SigningInput in;
  in.method = "GET";
  in.path = "/test.txt";
  in.headers = {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}};
  in.payload_sha256 = kEmptySha;
  const std::string creq = CanonicalRequest(in, kDocKeys, kDocDate, "s3");
  EXPECT_EQ(
      creq,
      "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
      "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n" +
          std::string(kEmptySha));
  EXPECT_EQ(StringToSign(creq, kDocDate, "us-east-1", "s3"),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  const Pairs added = SignAt(in, kDocKeys, "us-east-1", "s3", kDocDate);
  EXPECT_EQ(Header(added, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(Header(added, "x-amz-content-sha256"), kEmptySha);
}

TEST(SigV4Test, S3DocumentationPutObject) {
  SigningInput in;
  in.method = "PUT";
  in.path = "/test$file.text";  // '$' is encoded: %24
  in.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  in.payload_sha256 = Sha256Hex("Welcome to Amazon S3.");
  const std::string creq = CanonicalRequest(in, kDocKeys, kDocDate, "s3");
  EXPECT_EQ(creq.substr(0, creq.find('\n', 4)), "PUT\n/test%24file.text");
  EXPECT_EQ(StringToSign(creq, kDocDate, "us-east-1", "s3"),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  EXPECT_EQ(Header(SignAt(in, kDocKeys, "us-east-1", "s3", kDocDate), "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
            "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4Test, S3DocumentationBucketQueries) {
  SigningInput in;
  in.method = "GET";
  in.path = "/";
  in.headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  in.payload_sha256 = kEmptySha;
  in.query = {{"lifecycle", ""}};
  EXPECT_EQ(Header(SignAt(in, kDocKeys, "us-east-1", "s3", kDocDate), "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
            "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
  in.query = {{"prefix", "J"}, {"max-keys", "2"}};
  EXPECT_EQ(Header(SignAt(in, kDocKeys, "us-east-1", "s3", kDocDate), "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
            "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

// --- curl --aws-sigv4 as an oracle ---------------------------------------------------------

std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

// Runs argv (no shell: keys with spaces need no quoting) and returns its exit code.
int RunProgram(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Captured {
  std::string method;
  Pairs headers;  // as received
};

class CurlOracleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    curl_ = FindOnPath("curl");
    ASSERT_FALSE(curl_.empty()) << "curl not found on PATH: run scripts/install-deps.sh";
    auto record = [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> l(mu_);
      last_.method = req.method;
      last_.headers.clear();
      for (const auto& [k, v] : req.headers) last_.headers.emplace_back(k, v);
      res.set_content("", "text/plain");
    };
    server_.server().Get(R"(/.*)", record);
    server_.server().Put(R"(/.*)", record);
  }

  // Has curl sign a request to the URL our client builds for (bucket, key, query), then signs
  // the same request (the headers curl signed, with the values the server received) ourselves.
  void Compare(const std::string& method, const std::string& key, const Pairs& query,
               const std::string& body, const Pairs& extra_headers) {
    Endpoint endpoint{"http", "127.0.0.1", server_.port(), ""};
    const RequestTarget target = BuildTarget(endpoint, true, "bucket", key, query);
    const std::string hash = Sha256Hex(body);
    std::vector<std::string> argv = {curl_,         "-s",
                                     "-o",          "/dev/null",
                                     "--aws-sigv4", "aws:amz:us-east-1:s3",
                                     "--user",      "AKIDEXAMPLE:" + secret_,
                                     "-H",          std::string("x-amz-date: ") + kSuiteDate,
                                     "-H",          "x-amz-content-sha256: " + hash};
    for (const auto& [k, v] : extra_headers) argv.insert(argv.end(), {"-H", k + ": " + v});
    const std::string body_file = testing_dir_ + "/rivven-sigv4-body-" + std::to_string(getpid());
    if (method == "PUT") {
      std::ofstream(body_file, std::ios::binary) << body;
      argv.insert(argv.end(), {"-X", "PUT", "--data-binary", "@" + body_file});
    }
    argv.push_back(target.url);
    const int exit_code = RunProgram(argv);
    if (method == "PUT") std::filesystem::remove(body_file);
    ASSERT_EQ(exit_code, 0) << target.url;

    Captured got;
    {
      std::lock_guard<std::mutex> l(mu_);
      got = last_;
    }
    ASSERT_EQ(got.method, method);
    const std::string curl_auth = Value(got.headers, "Authorization");
    ASSERT_FALSE(curl_auth.empty());
    const size_t sh = curl_auth.find("SignedHeaders=");
    ASSERT_NE(sh, std::string::npos);
    const std::string signed_list = curl_auth.substr(sh + 14, curl_auth.find(',', sh) - sh - 14);

    SigningInput in;
    in.method = method;
    in.path = target.path;
    in.query = query;
    in.payload_sha256 = hash;
    size_t start = 0;
    while (start < signed_list.size()) {
      const size_t end = std::min(signed_list.find(';', start), signed_list.size());
      const std::string name = signed_list.substr(start, end - start);
      if (name != "x-amz-date" && name != "x-amz-content-sha256") {
        in.headers.emplace_back(name, Value(got.headers, name));
      }
      start = end + 1;
    }
    const SigningKeys keys{"AKIDEXAMPLE", secret_, ""};
    EXPECT_EQ(Header(SignAt(in, keys, "us-east-1", "s3", kSuiteDate), "Authorization"), curl_auth)
        << method << " " << target.url;
  }

  static std::string Value(const Pairs& headers, const std::string& name) {
    for (const auto& [k, v] : headers) {
      if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
    }
    return "";
  }

  std::string curl_;
  std::string secret_ = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  std::mutex mu_;
  Captured last_;
  std::string testing_dir_ = std::filesystem::temp_directory_path().string();
  rivven::testing::HttpTestServer server_;  // after the state its handlers use
};

TEST_F(CurlOracleTest, GetPathStyle) { Compare("GET", "dir/plain.txt", {}, "", {}); }

TEST_F(CurlOracleTest, PutWithBodyAndContentType) {
  Compare("PUT", "dir/data.json", {}, "{\"a\": 1, \"snow\": \"\u2603\"}\n",
          {{"Content-Type", "application/json"}, {"x-amz-meta-origin", "rivven test"}});
}

TEST_F(CurlOracleTest, KeysWithSpacesUnicodeAndReservedCharacters) {
  Compare("GET", "dir/my key \u20ac \u65e5\u672c.txt", {}, "", {});
  Compare("PUT", "a=b+c/d e", {}, "payload", {{"Content-Type", "text/plain"}});
  Compare("GET", "tilde~_-.!*'()$&,;:@", {}, "", {});
}

TEST_F(CurlOracleTest, QueryParameters) {
  Compare("GET", "", {{"list-type", "2"}, {"prefix", "dir/my key"}}, "", {});
  Compare("GET", "", {{"continuation-token", "a+b/c=="}, {"list-type", "2"}, {"prefix", ""}}, "",
          {});
}

}  // namespace
}  // namespace rivven::s3
