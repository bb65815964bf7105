// SqlApi against a cpp-httplib fake of POST /api/v2/statements: request shape (headers, JSON
// body, bindings), requestId reused with retry=true on resends, Retry-After, 202 polling,
// partitions (one gzip-encoded), and the classification of 422/401/403/503 answers.
#include "clients/snowflake/sql_api.h"

#include <httplib.h>
#include <rapidjson/document.h>
#include <zlib.h>

#include <atomic>
#include <mutex>
#include <regex>

#include <gtest/gtest.h>

#include "clients/snowflake/keypair_jwt.h"
#include "clients/snowflake/tests/test_keys.h"
#include "support/http_test_server.h"

namespace rivven::snowflake {
namespace {

using namespace std::chrono_literals;
using TestServer = rivven::testing::HttpTestServer;

struct Seen {
  std::string method, path, request_id, retry, authorization, token_type, content_type, accept,
      body;
};

class SqlApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto jwt = KeyPairJwt::Load("xy12345.us-east-1", "loader", testing::TestKey().path, "");
    ASSERT_TRUE(jwt.ok()) << jwt.status().ToString();
    jwt_ = std::move(jwt).value();
  }

  SnowflakeConnection Connection(int port) const {
    SnowflakeConnection c;
    c.account = "xy12345.us-east-1";
    c.base_url = "http://127.0.0.1:" + std::to_string(port);
    c.user = "loader";
    c.database = "DB";
    c.schema = "PUBLIC";
    c.warehouse = "WH";
    c.role = "LOADER";
    c.initial_backoff = 1ms;
    c.max_backoff = 4ms;
    c.max_attempts = 4;
    return c;
  }

  std::unique_ptr<SqlApi> Api(int port) {
    auto api = SqlApi::Create(Connection(port), jwt_.get());
    EXPECT_TRUE(api.ok()) << api.status().ToString();
    return api.ok() ? std::move(api).value() : nullptr;
  }

  void Record(const httplib::Request& req) {
    std::lock_guard<std::mutex> l(mu_);
    seen_.push_back({req.method, req.path, req.get_param_value("requestId"),
                     req.has_param("retry") ? req.get_param_value("retry") : "<none>",
                     req.get_header_value("Authorization"),
                     req.get_header_value("X-Snowflake-Authorization-Token-Type"),
                     req.get_header_value("Content-Type"), req.get_header_value("Accept"),
                     req.body});
  }

  std::vector<Seen> SeenRequests() {
    std::lock_guard<std::mutex> l(mu_);
    return seen_;
  }

  std::unique_ptr<KeyPairJwt> jwt_;
  std::mutex mu_;
  std::vector<Seen> seen_;
};

constexpr char kOneRowResult[] = R"({
  "resultSetMetaData": {"numRows": 2, "format": "jsonv2",
    "rowType": [{"name": "ID", "type": "fixed"}, {"name": "NAME", "type": "text"}],
    "partitionInfo": [{"rowCount": 2, "uncompressedSize": 40}]},
  "data": [["1", "a"], ["2", null]],
  "code": "090001", "statementStatusUrl": "/api/v2/statements/h-1?requestId=x",
  "sqlState": "00000", "statementHandle": "h-1", "message": "Statement executed successfully.",
  "stats": {"numRowsInserted": 2, "numRowsUpdated": 1, "numRowsDeleted": 0}
})";

TEST_F(SqlApiTest, TurningTlsVerificationOffWarnsOnceNamingTheConfigBlock) {
  SnowflakeConnection c = Connection(1);
  EXPECT_TRUE(c.verify_tls) << "verified by default";
  c.verify_tls = false;
  c.tls_owner = "sinks.sf-unverified.config.tls.verify";
  ::testing::internal::CaptureStderr();
  auto first = SqlApi::Create(c, jwt_.get());
  auto second = SqlApi::Create(c, jwt_.get());
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  const std::string warning =
      "sinks.sf-unverified.config.tls.verify: TLS certificate verification is off, "
      "the server's identity is not checked";
  const size_t at = log.find(warning);
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_EQ(log.find(warning, at + 1), std::string::npos) << log;
}

TEST_F(SqlApiTest, SendsStatementBindingsContextAndJwtHeaders) {
  TestServer s;
  s.server().Post("/api/v2/statements", [&](const httplib::Request& req, httplib::Response& res) {
    Record(req);
    res.set_content(kOneRowResult, "application/json");
  });
  auto api = Api(s.port());
  ASSERT_TRUE(api);
  auto r = api->Execute("INSERT INTO T (ID, NAME) SELECT ?, ?",
                        {{"FIXED", "42"}, {"TEXT", std::nullopt}, {"TEXT", "x\"y"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->statement_handle, "h-1");
  EXPECT_EQ(r->column_names, (std::vector<std::string>{"ID", "NAME"}));
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->rows[0][1], std::optional<std::string>("a"));
  EXPECT_EQ(r->rows[1][1], std::nullopt);
  EXPECT_EQ(r->rows_affected, 3);

  const auto seen = SeenRequests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(std::regex_match(seen[0].request_id,
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                          "[0-9a-f]{12}")))
      << seen[0].request_id;
  EXPECT_EQ(seen[0].retry, "<none>");
  EXPECT_EQ(seen[0].authorization, "Bearer " + jwt_->Token());
  EXPECT_EQ(seen[0].token_type, "KEYPAIR_JWT");
  EXPECT_EQ(seen[0].content_type, "application/json");
  EXPECT_EQ(seen[0].accept, "application/json");

  rapidjson::Document body;
  body.Parse(seen[0].body.c_str());
  ASSERT_TRUE(body.IsObject()) << seen[0].body;
  EXPECT_STREQ(body["statement"].GetString(), "INSERT INTO T (ID, NAME) SELECT ?, ?");
  EXPECT_EQ(body["timeout"].GetInt(), 60);
  EXPECT_STREQ(body["database"].GetString(), "DB");
  EXPECT_STREQ(body["schema"].GetString(), "PUBLIC");
  EXPECT_STREQ(body["warehouse"].GetString(), "WH");
  EXPECT_STREQ(body["role"].GetString(), "LOADER");
  const auto& b = body["bindings"];
  ASSERT_EQ(b.MemberCount(), 3u);
  EXPECT_STREQ(b["1"]["type"].GetString(), "FIXED");
  EXPECT_STREQ(b["1"]["value"].GetString(), "42");
  EXPECT_STREQ(b["2"]["type"].GetString(), "TEXT");
  EXPECT_TRUE(b["2"]["value"].IsNull());
  EXPECT_STREQ(b["3"]["value"].GetString(), "x\"y");
}

TEST_F(SqlApiTest, ResendsWithTheSameRequestIdAndRetryTrue) {
  std::atomic<int> calls{0};
  TestServer s;
  s.server().Post("/api/v2/statements", [&](const httplib::Request& req, httplib::Response& res) {
    Record(req);
    const int n = ++calls;
    if (n == 1) {
      res.status = 503;
      res.set_content(R"({"code":"390000","message":"busy"})", "application/json");
    } else if (n == 2) {
      res.status = 429;
      res.set_content(R"({"message":"too many"})", "application/json");
    } else if (n == 3) {
      res.status = 504;
    } else {
      res.set_content(kOneRowResult, "application/json");
    }
  });
  auto api = Api(s.port());
  ASSERT_TRUE(api);
  auto r = api->Execute("SELECT 1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto seen = SeenRequests();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].retry, "<none>");
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].request_id, seen[0].request_id);
    EXPECT_EQ(seen[i].retry, "true");
    EXPECT_EQ(seen[i].body, seen[0].body);
  }
  EXPECT_EQ(api->requests(), 4u);
  // A new statement gets a new request id.
  ASSERT_TRUE(api->Execute("SELECT 2").ok());
  EXPECT_NE(SeenRequests().back().request_id, seen[0].request_id);
}

TEST_F(SqlApiTest, HonoursRetryAfter) {
  std::atomic<int> calls{0};
  TestServer s;
  s.server().Post("/api/v2/statements", [&](const httplib::Request&, httplib::Response& res) {
    if (++calls == 1) {
      res.status = 429;
      res.set_header("Retry-After", "1");
      return;
    }
    res.set_content(kOneRowResult, "application/json");
  });
  auto api = Api(s.port());
  ASSERT_TRUE(api);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(api->Execute("SELECT 1").ok());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(calls.load(), 2);
}

TEST_F(SqlApiTest, PollsA202UntilTheResultIsThere) {
  std::atomic<int> polls{0};
  TestServer s;
  s.server().Post("/api/v2/statements", [&](const httplib::Request& req, httplib::Response& res) {
    Record(req);
    res.status = 202;
    res.set_content(R"({"code":"333334","message":"Asynchronous execution in progress.",
                        "statementHandle":"h-async",
                        "statementStatusUrl":"/api/v2/statements/h-async"})",
                    "application/json");
  });
  s.server().Get(
      "/api/v2/statements/h-async", [&](const httplib::Request& req, httplib::Response& res) {
        Record(req);
        if (++polls < 3) {
          res.status = 202;
          res.set_content(R"({"code":"333334","statementHandle":"h-async"})", "application/json");
          return;
        }
        res.set_content(R"({"resultSetMetaData":{"rowType":[{"name":"N"}]},
                                       "data":[["7"]],"statementHandle":"h-async"})",
                        "application/json");
      });
  auto api = Api(s.port());
  ASSERT_TRUE(api);
  auto r = api->Execute("CALL slow()");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, (std::vector<std::vector<std::optional<std::string>>>{{"7"}}));
  EXPECT_EQ(r->rows_affected, -1);
  EXPECT_EQ(polls.load(), 3);
  const auto seen = SeenRequests();
  ASSERT_EQ(seen.size(), 4u);
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].method, "GET");
    EXPECT_EQ(seen[i].token_type, "KEYPAIR_JWT");
  }
}

std::string Gzip(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST_F(SqlApiTest, ReadsEveryPartition) {
  TestServer s;
  s.server().Post("/api/v2/statements", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"resultSetMetaData":{"numRows":4,"rowType":[{"name":"X"}],
                        "partitionInfo":[{"rowCount":2},{"rowCount":1},{"rowCount":1}]},
                        "data":[["p0a"],["p0b"]],"statementHandle":"h-big"})",
                    "application/json");
  });
  s.server().Get("/api/v2/statements/h-big",
                 [&](const httplib::Request& req, httplib::Response& res) {
                   Record(req);
                   const std::string p = req.get_param_value("partition");
                   if (p == "1") {
                     res.set_header("Content-Encoding", "gzip");
                     res.set_content(Gzip(R"({"data":[["p1"]]})"), "application/json");
                   } else if (p == "2") {
                     res.set_content(R"({"data":[[null]]})", "application/json");
                   } else {
                     res.status = 400;
                   }
                 });
  auto api = Api(s.port());
  ASSERT_TRUE(api);
  auto r = api->Execute("SELECT X FROM BIG");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, (std::vector<std::vector<std::optional<std::string>>>{
                         {"p0a"}, {"p0b"}, {"p1"}, {std::nullopt}}));
  EXPECT_EQ(SeenRequests().size(), 2u);
}

TEST_F(SqlApiTest, A422IsInvalidArgumentWithSnowflakesCodeAndIsNotRetried) {
  TestServer s;
  s.server().Post("/api/v2/statements", [&](const httplib::Request& req, httplib::Response& res) {
    Record(req);
    res.status = 422;
    res.set_content(R"({"code":"002003","sqlState":"42S02","statementHandle":"h-bad",
                        "message":"SQL compilation error:\nObject 'T' does not exist."})",
                    "application/json");
  });
  auto api = Api(s.port());
  ASSERT_TRUE(api);
  auto r = api->Execute("SELECT * FROM T");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(r.status().retriable());
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("002003"), std::string::npos) << m;
  EXPECT_NE(m.find("42S02"), std::string::npos) << m;
  EXPECT_NE(m.find("does not exist"), std::string::npos) << m;
  EXPECT_EQ(SeenRequests().size(), 1u);
}

TEST_F(SqlApiTest, AuthenticationAndPermissionFailuresAreFatalAndSentOnce) {
  std::atomic<int> status{401};
  TestServer s;
  s.server().Post("/api/v2/statements", [&](const httplib::Request& req, httplib::Response& res) {
    Record(req);
    res.status = status.load();
    res.set_content(R"({"code":"390144","message":"JWT token is invalid."})", "application/json");
  });
  auto api = Api(s.port());
  ASSERT_TRUE(api);
  auto r = api->Execute("SELECT 1");
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("authentication"), std::string::npos);
  EXPECT_EQ(r.status().message().find(jwt_->Token()), std::string::npos);
  EXPECT_EQ(SeenRequests().size(), 1u);
  status = 403;
  r = api->Execute("SELECT 1");
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("permission"), std::string::npos);
  EXPECT_EQ(SeenRequests().size(), 2u);
}

TEST_F(SqlApiTest, AStatementTimeoutIsTimeoutAndNotResent) {
  TestServer s;
  s.server().Post("/api/v2/statements", [&](const httplib::Request& req, httplib::Response& res) {
    Record(req);
    res.status = 408;
    res.set_content(
        R"({"code":"000630","message":"Statement reached its statement or warehouse timeout"})",
        "application/json");
  });
  auto api = Api(s.port());
  ASSERT_TRUE(api);
  auto r = api->Execute("CALL slow()");
  EXPECT_EQ(r.status().code(), StatusCode::kTimeout);
  EXPECT_NE(r.status().message().find("000630"), std::string::npos);
  EXPECT_EQ(SeenRequests().size(), 1u);
}

TEST_F(SqlApiTest, GivesUpAfterMaxAttemptsAsUnavailable) {
  TestServer s;
  s.server().Post("/api/v2/statements", [&](const httplib::Request& req, httplib::Response& res) {
    Record(req);
    res.status = 503;
  });
  auto api = Api(s.port());
  ASSERT_TRUE(api);
  auto r = api->Execute("SELECT 1");
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(r.status().retriable());
  EXPECT_NE(r.status().message().find("gave up after 4 attempts"), std::string::npos);
  EXPECT_EQ(SeenRequests().size(), 4u);
}

TEST_F(SqlApiTest, RetriesWhenTheServerIsNotThereYet) {
  SnowflakeConnection c = Connection(1);  // nothing listens on port 1
  c.max_attempts = 2;
  auto api = SqlApi::Create(c, jwt_.get());
  ASSERT_TRUE(api.ok());
  auto r = (*api)->Execute("SELECT 1");
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ((*api)->requests(), 2u);
}

TEST(SnowflakeIdentifiersTest, QuoteIdentifierDoublesInnerQuotes) {
  EXPECT_EQ(QuoteIdentifier("ORDERS"), "\"ORDERS\"");
  EXPECT_EQ(QuoteIdentifier("my \"odd\" name"), "\"my \"\"odd\"\" name\"");
  EXPECT_EQ(QuoteIdentifier(""), "\"\"");
}

}  // namespace
}  // namespace rivven::snowflake
