// The http-poll source against a cpp-httplib API on loopback: every kind of pagination,
// JSONPath selection, auth, ETag, the incremental cursor across a restart, dedup, errors.
#include "connectors/http/http_poll_source.h"

#include <httplib.h>

#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "support/http_test_server.h"

#include "config/schema.h"

namespace rivven::http {
namespace {

using namespace std::chrono_literals;

using Api = rivven::testing::HttpTestServer;

// Items 0..n-1 as {"id":i}, pages of `size`.
std::string Items(int from, int to) {
  std::string out = "[";
  for (int i = from; i < to; ++i) out += (i > from ? "," : "") + std::string("{\"id\":") + std::to_string(i) + "}";
  return out + "]";
}

HttpPollConfig Base(const std::string& url) {
  HttpPollConfig c;
  c.url = url;
  c.poll_interval = 0ms;
  return c;
}

// Polls until a batch comes back empty (the poll's pages are all emitted).
std::vector<std::string> Drain(HttpPollSource& s, std::string* position = nullptr) {
  std::vector<std::string> out;
  std::stop_source stop;
  for (int i = 0; i < 100; ++i) {
    auto b = s.Poll(1000, 10ms, stop.get_token());
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    if (!b.ok()) break;
    if (position && !b->position.empty()) *position = b->position;
    for (auto& r : b->records) out.push_back(*r.value);
    if (b->records.empty()) break;
  }
  return out;
}

std::vector<std::string> Ids(int from, int to) {
  std::vector<std::string> v;
  for (int i = from; i < to; ++i) v.push_back("{\"id\":" + std::to_string(i) + "}");
  return v;
}

TEST(HttpPollTest, EveryKindOfPaginationReadsEveryPageInOrder) {
  // 23 items in pages of 5, served five ways.
  Api api;  // after the state its handlers use: it stops first
  api.server().Get("/next", [&](const httplib::Request& req, httplib::Response& res) {
    const int p = req.has_param("p") ? std::stoi(req.get_param_value("p")) : 0;
    const int to = std::min(23, p * 5 + 5);
    std::string next = to < 23 ? "\"/next?p=" + std::to_string(p + 1) + "\"" : "null";
    res.set_content("{\"data\":" + Items(p * 5, to) + ",\"links\":{\"next\":" + next + "}}",
                    "application/json");
  });
  api.server().Get("/link", [&](const httplib::Request& req, httplib::Response& res) {
    const int p = req.has_param("p") ? std::stoi(req.get_param_value("p")) : 0;
    const int to = std::min(23, p * 5 + 5);
    if (to < 23) res.set_header("Link", "<?p=" + std::to_string(p + 1) + ">; rel=\"next\"");
    res.set_content(Items(p * 5, to), "application/json");
  });
  api.server().Get("/cursor", [&](const httplib::Request& req, httplib::Response& res) {
    const int p = req.has_param("after") ? std::stoi(req.get_param_value("after").substr(1)) : 0;
    const int to = std::min(23, p * 5 + 5);
    const std::string next = to < 23 ? "\"c" + std::to_string(p + 1) + "\"" : "null";
    res.set_content("{\"items\":" + Items(p * 5, to) + ",\"next_cursor\":" + next + "}",
                    "application/json");
  });
  api.server().Get("/page", [&](const httplib::Request& req, httplib::Response& res) {
    const int p = std::stoi(req.get_param_value("page"));  // 1-based
    EXPECT_EQ(req.get_param_value("per_page"), "5");
    res.set_content(Items(std::min(23, (p - 1) * 5), std::min(23, p * 5)), "application/json");
  });
  api.server().Get("/offset", [&](const httplib::Request& req, httplib::Response& res) {
    const int o = std::stoi(req.get_param_value("offset"));
    res.set_content(Items(std::min(23, o), std::min(23, o + 5)), "application/json");
  });

  auto run = [&](HttpPollConfig c) {
    c.poll_interval = 1h;  // one poll: Drain ends when its pages are emitted
    HttpPollSource s(std::move(c));
    EXPECT_TRUE(s.Open(std::nullopt).ok());
    return Drain(s);
  };
  HttpPollConfig next = Base(api.Url("/next"));
  next.response_path = "$.data[*]";
  next.pagination.type = Pagination::kNextLink;
  next.pagination.next_path = "$.links.next";
  EXPECT_EQ(run(next), Ids(0, 23));

  HttpPollConfig link = Base(api.Url("/link"));
  link.pagination.type = Pagination::kLinkHeader;
  EXPECT_EQ(run(link), Ids(0, 23));

  HttpPollConfig cursor = Base(api.Url("/cursor"));
  cursor.response_path = "$.items[*]";
  cursor.pagination.type = Pagination::kCursor;
  cursor.pagination.next_path = "$.next_cursor";
  cursor.pagination.cursor_param = "after";
  EXPECT_EQ(run(cursor), Ids(0, 23));

  HttpPollConfig page = Base(api.Url("/page"));
  page.pagination.type = Pagination::kPage;
  page.pagination.limit_param = "per_page";
  page.pagination.page_size = 5;
  EXPECT_EQ(run(page), Ids(0, 23));

  HttpPollConfig offset = Base(api.Url("/offset"));
  offset.pagination.type = Pagination::kOffset;
  EXPECT_EQ(run(offset), Ids(0, 23));  // ends at the first empty page
}

TEST(HttpPollTest, ResponsePathFiltersAndKeys) {
  Api api;
  api.server().Get("/x", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"result":{"rows":[{"id":1,"v":5},{"id":2,"v":50},{"id":3,"v":500}]}})",
                    "application/json");
  });
  HttpPollConfig c = Base(api.Url("/x"));
  c.response_path = "$..rows[?(@.v >= 50)]";
  c.key_path = "$.id";
  HttpPollSource s(c);
  ASSERT_TRUE(s.Open(std::nullopt).ok());
  std::stop_source stop;
  auto b = s.Poll(100, 10ms, stop.get_token());
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->records.size(), 2u);
  EXPECT_EQ(*b->records[0].value, R"({"id":2,"v":50})");
  EXPECT_EQ(*b->records[0].key, "2");
  EXPECT_EQ(*b->records[1].key, "3");
}

TEST(HttpPollTest, AuthenticationOfEveryKind) {
  std::mutex mu;
  std::vector<std::string> seen;
  Api api;  // after the state its handlers use: it stops first
  api.server().Get("/a", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> l(mu);
    seen.push_back(req.get_header_value("Authorization") + "|" + req.get_header_value("X-Key") +
                   "|" + req.get_param_value("api_key"));
    res.set_content("[]", "application/json");
  });
  auto poll = [&](HttpPollConfig c) {
    HttpPollSource s(std::move(c));
    ASSERT_TRUE(s.Open(std::nullopt).ok());
    Drain(s);
  };
  HttpPollConfig bearer = Base(api.Url("/a"));
  bearer.auth.type = AuthType::kBearer;
  bearer.auth.token = "t0k";
  poll(bearer);
  HttpPollConfig basic = Base(api.Url("/a"));
  basic.auth.type = AuthType::kBasic;
  basic.auth.username = "Aladdin";
  basic.auth.password = "open sesame";
  poll(basic);
  HttpPollConfig header = Base(api.Url("/a"));
  header.auth.type = AuthType::kApiKey;
  header.auth.key_name = "X-Key";
  header.auth.key_value = "k1";
  poll(header);
  HttpPollConfig query = Base(api.Url("/a"));
  query.auth.type = AuthType::kApiKey;
  query.auth.key_name = "api_key";
  query.auth.key_value = "k2";
  query.auth.key_in_query = true;
  poll(query);
  // The handlers wrote under the lock on the server's threads; a response reaching the source
  // does not order that write before this read for ThreadSanitizer, the lock does.
  std::lock_guard<std::mutex> l(mu);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0], "Bearer t0k||");
  EXPECT_EQ(seen[1], "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==||");  // RFC 7617's example
  EXPECT_EQ(seen[2], "|k1|");
  EXPECT_EQ(seen[3], "||k2");
}

TEST(HttpPollTest, IncrementalCursorEtagAndDedupSurviveARestart) {
  std::mutex mu;
  std::vector<std::string> sinces, etags;
  int version = 1;  // the data set; changes bump the ETag
  Api api;  // after the state its handlers use: it stops first
  api.server().Get("/events", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> l(mu);
    sinces.push_back(req.get_param_value("since"));
    etags.push_back(req.get_header_value("If-None-Match"));
    const std::string etag = "\"v" + std::to_string(version) + "\"";
    if (req.get_header_value("If-None-Match") == etag) {
      res.status = 304;
      return;
    }
    res.set_header("ETag", etag);
    // Events at t=1..5*version; the API returns those after `since`, and always repeats the
    // last one (a common "inclusive" API): dedup drops it.
    const int since = req.has_param("since") ? std::stoi(req.get_param_value("since")) : 0;
    std::string body = "[";
    for (int t = std::max(1, since); t <= 5 * version; ++t) {
      body += (body.size() > 1 ? "," : "") + std::string("{\"id\":\"e") + std::to_string(t) +
              "\",\"t\":" + std::to_string(t) + "}";
    }
    res.set_content(body + "]", "application/json");
  });
  HttpPollConfig c = Base(api.Url("/events"));
  c.incremental.field = "$.t";
  c.incremental.param = "since";
  c.incremental.initial = "0";
  c.dedup_path = "$.id";
  std::string position;
  {
    HttpPollSource s(c);
    ASSERT_TRUE(s.Open(std::nullopt).ok());
    EXPECT_EQ(Drain(s, &position).size(), 5u);  // e1..e5
    EXPECT_TRUE(Drain(s, &position).empty());   // unchanged: 304
  }
  EXPECT_NE(position.find("\"cursor\":\"5\""), std::string::npos) << position;
  EXPECT_NE(position.find("\"etag\":\"\\\"v1\\\"\""), std::string::npos) << position;
  {
    std::lock_guard<std::mutex> l(mu);
    version = 2;  // e6..e10 appear
  }
  HttpPollSource restarted(c);
  ASSERT_TRUE(restarted.Open(position).ok());
  const auto after = Drain(restarted, &position);
  ASSERT_EQ(after.size(), 5u);  // e5 repeated by the API is dropped; e6..e10
  EXPECT_EQ(after.front(), R"({"id":"e6","t":6})");
  EXPECT_EQ(after.back(), R"({"id":"e10","t":10})");
  std::lock_guard<std::mutex> l(mu);
  EXPECT_EQ(sinces[0], "0");
  EXPECT_EQ(sinces[1], "5");  // the second poll of the first life
  EXPECT_EQ(sinces[2], "5");  // the restart resumes from the checkpoint
  EXPECT_EQ(etags[1], "\"v1\"");
  EXPECT_EQ(etags[2], "\"v1\"");
}

TEST(HttpPollTest, ErrorsAreRetriableOrFatalAndNameTheUrl) {
  Api api;
  api.server().Get("/busy", [](const httplib::Request&, httplib::Response& res) { res.status = 503; });
  api.server().Get("/gone", [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content("no such thing", "text/plain");
  });
  api.server().Get("/html", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<html>", "text/html");
  });
  auto first = [&](const std::string& path) {
    HttpPollSource s(Base(api.Url(path + "?token=hidden")));
    EXPECT_TRUE(s.Open(std::nullopt).ok());
    std::stop_source stop;
    return s.Poll(10, 10ms, stop.get_token()).status();
  };
  Status busy = first("/busy");
  EXPECT_TRUE(busy.retriable()) << busy.ToString();
  EXPECT_NE(busy.message().find("HTTP 503"), std::string::npos);
  Status gone = first("/gone");
  EXPECT_FALSE(gone.retriable());
  EXPECT_NE(gone.message().find("GET http://127.0.0.1:"), std::string::npos) << gone.message();
  EXPECT_NE(gone.message().find("/gone answered HTTP 404: no such thing"), std::string::npos)
      << gone.message();
  EXPECT_EQ(gone.message().find("hidden"), std::string::npos);
  Status html = first("/html");
  EXPECT_EQ(html.code(), StatusCode::kCorruption);
  EXPECT_NE(html.message().find("not JSON"), std::string::npos) << html.message();
}

}  // namespace
}  // namespace rivven::http
