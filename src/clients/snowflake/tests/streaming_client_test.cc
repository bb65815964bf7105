// StreamingClient against a cpp-httplib fake that plays both the account host (hostname, scoped
// token) and the streaming host: the token exchange happens once, request paths, headers and
// bodies, the stale-continuation marker, retries, and a 401 that makes the client exchange again.
#include "clients/snowflake/streaming_client.h"

#include <httplib.h>
#include <rapidjson/document.h>

#include <atomic>
#include <mutex>

#include <gtest/gtest.h>

#include "clients/snowflake/keypair_jwt.h"
#include "clients/snowflake/tests/test_keys.h"
#include "support/http_test_server.h"

namespace rivven::snowflake {
namespace {

using namespace std::chrono_literals;
using TestServer = rivven::testing::HttpTestServer;

constexpr char kPipePath[] = "/v2/streaming/databases/DB/schemas/PUBLIC/pipes/ORDERS-STREAMING";
constexpr char kRowsPath[] =
    "/v2/streaming/data/databases/DB/schemas/PUBLIC/pipes/ORDERS-STREAMING/channels/CH_0/rows";

struct Seen {
  std::string method, path, authorization, token_type, content_type, body;
  httplib::Params params;
};

class StreamingClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto jwt = KeyPairJwt::Load("myorg-acct", "loader", testing::TestKey().path, "");
    ASSERT_TRUE(jwt.ok()) << jwt.status().ToString();
    jwt_ = std::move(jwt).value();
    auto& srv = server_.server();
    srv.Get("/v2/streaming/hostname", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      ++hostname_calls_;
      res.set_content("{\"hostname\":\"127.0.0.1:" + std::to_string(server_.port()) + "\"}",
                      "application/json");
    });
    srv.Post("/oauth/token", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      const int n = ++token_calls_;
      res.set_content("{\"token\":\"scoped-" + std::to_string(n) + "\"}", "application/json");
    });
  }

  std::unique_ptr<StreamingClient> Client() {
    SnowflakeConnection c;
    c.account = "myorg-acct";
    c.base_url = server_.Url("");
    c.user = "loader";
    c.initial_backoff = 1ms;
    c.max_backoff = 4ms;
    c.max_attempts = 3;
    auto client = StreamingClient::Create(c, jwt_.get());
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }

  void Record(const httplib::Request& req) {
    std::lock_guard<std::mutex> l(mu_);
    seen_.push_back({req.method, req.path, req.get_header_value("Authorization"),
                     req.get_header_value("X-Snowflake-Authorization-Token-Type"),
                     req.get_header_value("Content-Type"), req.body, req.params});
  }
  std::vector<Seen> SeenOn(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<Seen> out;
    for (const auto& s : seen_) {
      if (s.path == path) out.push_back(s);
    }
    return out;
  }

  std::unique_ptr<KeyPairJwt> jwt_;
  std::mutex mu_;
  std::vector<Seen> seen_;
  std::atomic<int> hostname_calls_{0}, token_calls_{0};
  TestServer server_;  // after the state its handlers use
};

TEST_F(StreamingClientTest, OpenAppendStatusDropWithOneTokenExchange) {
  auto& srv = server_.server();
  srv.Put(std::string(kPipePath) + "/channels/CH_0",
          [this](const httplib::Request& req, httplib::Response& res) {
            Record(req);
            res.set_content(R"({"next_continuation_token":"ct-1",
                                "channel_status":{"channel_name":"CH_0",
                                  "channel_status_code":"SUCCESS",
                                  "last_committed_offset_token":"41"}})",
                            "application/json");
          });
  srv.Post(kRowsPath, [this](const httplib::Request& req, httplib::Response& res) {
    Record(req);
    res.set_content(R"({"next_continuation_token":"ct-2"})", "application/json");
  });
  srv.Post(std::string(kPipePath) + ":bulk-channel-status",
           [this](const httplib::Request& req, httplib::Response& res) {
             Record(req);
             res.set_content(R"({"channel_statuses":{"CH_0":{"channel_status_code":"SUCCESS",
                                 "last_committed_offset_token":"42","rows_error_count":0}}})",
                             "application/json");
           });
  srv.Delete(std::string(kPipePath) + "/channels/CH_0",
             [this](const httplib::Request& req, httplib::Response&) { Record(req); });

  auto client = Client();
  ASSERT_TRUE(client);
  const std::string pipe = DefaultPipeName("ORDERS");
  auto opened = client->OpenChannel("DB", "PUBLIC", pipe, "CH_0");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->continuation_token, "ct-1");
  EXPECT_EQ(opened->last_committed_offset_token, std::optional<std::string>("41"));

  const std::string rows = "{\"ID\":1}\n{\"ID\":2}\n";
  auto next =
      client->AppendRows("DB", "PUBLIC", pipe, "CH_0", opened->continuation_token, "42", rows);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(*next, "ct-2");

  auto committed = client->CommittedOffsetToken("DB", "PUBLIC", pipe, "CH_0");
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ(*committed, std::optional<std::string>("42"));
  ASSERT_TRUE(client->DropChannel("DB", "PUBLIC", pipe, "CH_0").ok());

  EXPECT_EQ(hostname_calls_.load(), 1);
  EXPECT_EQ(token_calls_.load(), 1);
  EXPECT_EQ(client->token_exchanges(), 1u);

  const auto host = SeenOn("/v2/streaming/hostname");
  ASSERT_EQ(host.size(), 1u);
  EXPECT_EQ(host[0].authorization, "Bearer " + jwt_->Token());
  EXPECT_EQ(host[0].token_type, "KEYPAIR_JWT");
  const auto token = SeenOn("/oauth/token");
  ASSERT_EQ(token.size(), 1u);
  EXPECT_EQ(token[0].authorization, "Bearer " + jwt_->Token());
  EXPECT_EQ(token[0].content_type, "application/x-www-form-urlencoded");
  {
    httplib::Params params;
    httplib::detail::parse_query_text(token[0].body, params);
    ASSERT_EQ(params.count("grant_type"), 1u);
    EXPECT_EQ(params.find("grant_type")->second, "urn:ietf:params:oauth:grant-type:jwt-bearer");
    EXPECT_EQ(params.find("scope")->second, "127.0.0.1:" + std::to_string(server_.port()));
  }

  const auto open = SeenOn(std::string(kPipePath) + "/channels/CH_0");
  ASSERT_EQ(open.size(), 2u);  // PUT, DELETE
  EXPECT_EQ(open[0].method, "PUT");
  EXPECT_EQ(open[0].authorization, "Bearer scoped-1");
  EXPECT_EQ(open[0].content_type, "application/json");
  EXPECT_EQ(open[0].body, "{}");
  EXPECT_EQ(open[1].method, "DELETE");
  EXPECT_EQ(open[1].authorization, "Bearer scoped-1");

  const auto append = SeenOn(kRowsPath);
  ASSERT_EQ(append.size(), 1u);
  EXPECT_EQ(append[0].content_type, "application/x-ndjson");
  EXPECT_EQ(append[0].body, rows);
  EXPECT_EQ(append[0].params.find("continuationToken")->second, "ct-1");
  EXPECT_EQ(append[0].params.find("offsetToken")->second, "42");
  EXPECT_EQ(append[0].authorization, "Bearer scoped-1");

  const auto status = SeenOn(std::string(kPipePath) + ":bulk-channel-status");
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].content_type, "application/json");
  rapidjson::Document body;
  body.Parse(status[0].body.c_str());
  ASSERT_TRUE(body.IsObject() && body["channel_names"].IsArray()) << status[0].body;
  ASSERT_EQ(body["channel_names"].Size(), 1u);
  EXPECT_STREQ(body["channel_names"][0].GetString(), "CH_0");
}

TEST_F(StreamingClientTest, StaleContinuationTokenIsADistinctErrorAndNotRetried) {
  std::atomic<int> appends{0};
  server_.server().Post(kRowsPath, [&](const httplib::Request&, httplib::Response& res) {
    ++appends;
    res.status = 400;
    res.set_content(R"({"code":"STALE_CONTINUATION_TOKEN_SEQUENCER",
                        "message":"Channel sequencer in the continuation token is stale. Please reopen the channel"})",
                    "application/json");
  });
  auto client = Client();
  ASSERT_TRUE(client);
  auto r = client->AppendRows("DB", "PUBLIC", "ORDERS-STREAMING", "CH_0", "old", "7", "{}\n");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsStaleContinuation(r.status())) << r.status().ToString();
  EXPECT_TRUE(IsStaleContinuation(r.status().WithContext("sink")));
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(r.status().retriable());
  EXPECT_NE(r.status().message().find("STALE_CONTINUATION_TOKEN_SEQUENCER"), std::string::npos);
  EXPECT_EQ(appends.load(), 1);
}

TEST_F(StreamingClientTest, OtherErrorsAreNotStale) {
  std::atomic<int> appends{0};
  server_.server().Post(kRowsPath, [&](const httplib::Request&, httplib::Response& res) {
    ++appends;
    res.status = 400;
    res.set_content(R"({"code":"ERR_INVALID_ROW","message":"row 1 is not an object"})",
                    "application/json");
  });
  auto client = Client();
  ASSERT_TRUE(client);
  auto r = client->AppendRows("DB", "PUBLIC", "ORDERS-STREAMING", "CH_0", "ct", "7", "[]\n");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(IsStaleContinuation(r.status()));
  EXPECT_FALSE(IsStaleContinuation(Status::FailedPrecondition("permission denied")));
  EXPECT_EQ(appends.load(), 1);
}

TEST_F(StreamingClientTest, RetriesThrottlingWithTheSameContinuationToken) {
  std::atomic<int> appends{0};
  std::mutex mu;
  std::vector<std::string> tokens;
  server_.server().Post(kRowsPath, [&](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard<std::mutex> l(mu);
      tokens.push_back(req.get_param_value("continuationToken"));
    }
    const int n = ++appends;
    if (n == 1) {
      res.status = 429;
      res.set_header("Retry-After", "0");
      return;
    }
    if (n == 2) {
      res.status = 503;
      return;
    }
    res.set_content(R"({"next_continuation_token":"ct-9"})", "application/json");
  });
  auto client = Client();
  ASSERT_TRUE(client);
  auto r = client->AppendRows("DB", "PUBLIC", "ORDERS-STREAMING", "CH_0", "ct-8", "9", "{}\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "ct-9");
  EXPECT_EQ(tokens, (std::vector<std::string>{"ct-8", "ct-8", "ct-8"}));
  EXPECT_EQ(token_calls_.load(), 1);
}

TEST_F(StreamingClientTest, An401MakesTheClientExchangeTheTokenAgain) {
  std::atomic<int> opens{0};
  std::mutex mu;
  std::vector<std::string> auths;
  server_.server().Put(std::string(kPipePath) + "/channels/CH_0", [&](const httplib::Request& req,
                                                                      httplib::Response& res) {
    {
      std::lock_guard<std::mutex> l(mu);
      auths.push_back(req.get_header_value("Authorization"));
    }
    if (++opens == 2) {  // the second open finds its token expired
      res.status = 401;
      res.set_content(R"({"code":"UNAUTHORIZED","message":"expired"})", "application/json");
      return;
    }
    res.set_content(R"({"next_continuation_token":"ct",
                                             "channel_status":{"last_committed_offset_token":null}})",
                    "application/json");
  });
  auto client = Client();
  ASSERT_TRUE(client);
  auto first = client->OpenChannel("DB", "PUBLIC", "ORDERS-STREAMING", "CH_0");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->last_committed_offset_token, std::nullopt);
  auto second = client->OpenChannel("DB", "PUBLIC", "ORDERS-STREAMING", "CH_0");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(auths,
            (std::vector<std::string>{"Bearer scoped-1", "Bearer scoped-1", "Bearer scoped-2"}));
  EXPECT_EQ(token_calls_.load(), 2);
  EXPECT_EQ(hostname_calls_.load(), 2);
  EXPECT_EQ(client->token_exchanges(), 2u);
}

TEST_F(StreamingClientTest, PersistentUnauthorizedIsAFatalAuthenticationError) {
  std::atomic<int> opens{0};
  server_.server().Put(std::string(kPipePath) + "/channels/CH_0",
                       [&](const httplib::Request&, httplib::Response& res) {
                         ++opens;
                         res.status = 401;
                       });
  auto client = Client();
  ASSERT_TRUE(client);
  auto r = client->OpenChannel("DB", "PUBLIC", "ORDERS-STREAMING", "CH_0");
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(r.status().retriable());
  EXPECT_NE(r.status().message().find("authentication"), std::string::npos);
  EXPECT_EQ(r.status().message().find("scoped-"), std::string::npos);
  EXPECT_EQ(opens.load(), 2);
}

TEST_F(StreamingClientTest, CommittedOffsetTokenIsNulloptForANewOrUnlistedChannel) {
  std::atomic<int> calls{0};
  server_.server().Post(std::string(kPipePath) + ":bulk-channel-status",
                        [&](const httplib::Request&, httplib::Response& res) {
                          switch (++calls) {
                            case 1:
                              res.set_content(R"({"channel_statuses":{"CH_0":
                                                  {"last_committed_offset_token":null}}})",
                                              "application/json");
                              break;
                            case 2:
                              res.set_content(R"({"channel_statuses":{}})", "application/json");
                              break;
                            default:
                              res.set_content(R"({"channel_statuses":{"ch_0":
                                                  {"last_committed_offset_token":"5"}}})",
                                              "application/json");
                          }
                        });
  auto client = Client();
  ASSERT_TRUE(client);
  for (const std::optional<std::string>& want :
       {std::optional<std::string>(), std::optional<std::string>(),
        std::optional<std::string>("5")}) {
    auto r = client->CommittedOffsetToken("DB", "PUBLIC", "ORDERS-STREAMING", "CH_0");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, want);
  }
}

TEST_F(StreamingClientTest, DroppingAMissingChannelIsNotFound) {
  server_.server().Delete(std::string(kPipePath) + "/channels/GONE", [&](const httplib::Request&,
                                                                         httplib::Response& res) {
    res.status = 404;
    res.set_content(R"({"code":"ERR_CHANNEL_DOES_NOT_EXIST_OR_IS_NOT_AUTHORIZED",
                                                "message":"no such channel"})",
                    "application/json");
  });
  auto client = Client();
  ASSERT_TRUE(client);
  Status s = client->DropChannel("DB", "PUBLIC", "ORDERS-STREAMING", "GONE");
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
}

TEST(StreamingClientRawAnswersTest, HostnameAndTokenAsPlainBodiesAreAccepted) {
  // The tutorials use the bodies of GET /v2/streaming/hostname and POST /oauth/token as they are.
  auto jwt = KeyPairJwt::Load("acct", "loader", testing::TestKey().path, "");
  ASSERT_TRUE(jwt.ok());
  std::mutex mu;
  std::string auth;
  TestServer s;
  s.server().Get("/v2/streaming/hostname", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content("127.0.0.1:" + std::to_string(s.port()) + "\n", "text/plain");
  });
  s.server().Post("/oauth/token", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content("raw-scoped-token", "text/plain");
  });
  s.server().Put(std::string(kPipePath) + "/channels/CH_0",
                 [&](const httplib::Request& req, httplib::Response& res) {
                   std::lock_guard<std::mutex> l(mu);
                   auth = req.get_header_value("Authorization");
                   res.set_content(R"({"next_continuation_token":"ct"})", "application/json");
                 });
  SnowflakeConnection c;
  c.account = "acct";
  c.user = "loader";
  c.base_url = s.Url("/");
  auto client = StreamingClient::Create(c, jwt->get());
  ASSERT_TRUE(client.ok());
  auto r = (*client)->OpenChannel("DB", "PUBLIC", "ORDERS-STREAMING", "CH_0");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->last_committed_offset_token, std::nullopt);
  std::lock_guard<std::mutex> l(mu);
  EXPECT_EQ(auth, "Bearer raw-scoped-token");
}

TEST(StreamingNamesTest, DefaultPipeIsTableDashStreaming) {
  EXPECT_EQ(DefaultPipeName("ORDERS"), "ORDERS-STREAMING");
  EXPECT_EQ(DefaultPipeName("MY_TABLE"), "MY_TABLE-STREAMING");
}

}  // namespace
}  // namespace rivven::snowflake
