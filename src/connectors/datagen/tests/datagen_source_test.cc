#include "connectors/datagen/datagen_source.h"

#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "connectors/datagen/datagen_rows.h"
#include "record/json.h"

namespace rivven::datagen {
namespace {

using std::chrono::milliseconds;

DatagenConfig Config(Pattern pattern, std::optional<int64_t> seed = 42) {
  DatagenConfig c;
  c.pattern = pattern;
  c.events_per_second = 0;
  c.seed = seed;
  c.stream_name = "demo_orders";
  return c;
}

std::unique_ptr<DatagenSource> Open(const DatagenConfig& c,
                                    const std::optional<std::string>& checkpoint = {}) {
  auto s = std::make_unique<DatagenSource>(c, ConnectorContext{"demo", "demo-events", {}, ""});
  Status st = s->Open(checkpoint);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return s;
}

std::vector<Record> PollN(DatagenSource& s, size_t n) {
  std::vector<Record> out;
  while (out.size() < n) {
    auto batch = s.Poll(n - out.size(), milliseconds(100), {});
    EXPECT_TRUE(batch.ok());
    for (auto& r : batch->records) out.push_back(std::move(r));
    if (batch->finished) break;
  }
  return out;
}

void ExpectSameBytes(const std::vector<Record>& a, const std::vector<Record>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].key, b[i].key) << i;
    ASSERT_EQ(a[i].value, b[i].value) << i;
    ASSERT_EQ(a[i].headers.size(), b[i].headers.size());
  }
}

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

std::set<std::string> Keys(const rapidjson::Value& object) {
  std::set<std::string> keys;
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    keys.insert(it->name.GetString());
  }
  return keys;
}

TEST(DatagenSourceTest, SameSeedGivesIdenticalBytes) {
  for (Pattern p : {Pattern::kOrders, Pattern::kUsers, Pattern::kPageviews}) {
    auto a = Open(Config(p));
    auto b = Open(Config(p));
    ExpectSameBytes(PollN(*a, 2000), PollN(*b, 2000));
  }
  DatagenConfig cdc = Config(Pattern::kUsers);
  cdc.cdc_mode = true;
  auto a = Open(cdc);
  auto b = Open(cdc);
  ExpectSameBytes(PollN(*a, 5000), PollN(*b, 5000));
}

TEST(DatagenSourceTest, DifferentSeedsGiveDifferentValues) {
  auto a = PollN(*Open(Config(Pattern::kOrders, 1)), 50);
  auto b = PollN(*Open(Config(Pattern::kOrders, 2)), 50);
  int same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i].value == b[i].value ? 1 : 0;
  EXPECT_LT(same, 10);
}

TEST(DatagenSourceTest, GoldenValues) {
  // Pins the generator: a change here changes every seeded data set users may rely on.
  auto orders = Open(Config(Pattern::kOrders, 42));
  Record r = orders->MakeRecord(1);
  EXPECT_EQ(*r.key, R"({"order_id":2})");
  EXPECT_EQ(*r.value, R"({"order_id":2,"customer_id":3293,"product":"keyboard","quantity":3,)"
                      R"("total":269.97,"status":"shipped"})");
  r = Open(Config(Pattern::kUsers, 42))->MakeRecord(0);
  EXPECT_EQ(*r.key, R"({"user_id":1})");
  EXPECT_EQ(*r.value, R"({"user_id":1,"name":"Kemal Patel","email":"kemal.patel1@example.org",)"
                      R"("created_at":"2024-01-01T00:00:00.507Z"})");
  r = Open(Config(Pattern::kPageviews, 42))->MakeRecord(1);
  EXPECT_FALSE(r.key.has_value());
  EXPECT_EQ(*r.value, R"({"page_url":"https://shop.example.com/search?q=monitor","user_id":4325,)"
                      R"("timestamp":1704067200178,"referrer":"https://news.ycombinator.com/"})");
  DatagenConfig cdc = Config(Pattern::kOrders, 42);
  cdc.cdc_mode = true;
  r = Open(cdc)->MakeRecord(2);
  EXPECT_EQ(*r.key, R"({"order_id":1})");
  EXPECT_EQ(*r.value,
            R"({"before":null,"after":{"order_id":1,"customer_id":6332,"product":"notebook",)"
            R"("quantity":4,"total":23.96,"status":"cancelled"},"source":{"version":"0.1.0",)"
            R"("connector":"datagen","name":"demo_orders","ts_ms":1704067200200,)"
            R"("snapshot":"false","db":"datagen","table":"orders"},"op":"u",)"
            R"("ts_ms":1704067200200})");
}

TEST(DatagenSourceTest, ResumeFromCheckpointContinuesTheSequence) {
  for (bool cdc : {false, true}) {
    DatagenConfig c = Config(Pattern::kOrders, 7);
    c.cdc_mode = cdc;
    auto fresh = Open(c);
    auto all = PollN(*fresh, 600);
    // Stop after 137 records and resume from the position of that batch.
    auto first = Open(c);
    auto head = first->Poll(137, milliseconds(0), {});
    ASSERT_TRUE(head.ok());
    EXPECT_EQ(head->position, R"({"seed":7,"next":137})");
    auto resumed = Open(c, head->position);
    auto tail = PollN(*resumed, 600 - 137);
    std::vector<Record> expected(std::make_move_iterator(all.begin() + 137),
                                 std::make_move_iterator(all.end()));
    ExpectSameBytes(tail, expected);
  }
}

TEST(DatagenSourceTest, RandomSeedIsRecordedInThePosition) {
  DatagenConfig c = Config(Pattern::kUsers, std::nullopt);
  auto a = Open(c);
  auto batch = a->Poll(10, milliseconds(0), {});
  ASSERT_TRUE(batch.ok());
  auto pos = Parse(batch->position);
  ASSERT_TRUE(pos["seed"].IsInt64());
  EXPECT_EQ(pos["seed"].GetInt64(), a->seed());
  EXPECT_EQ(pos["next"].GetInt64(), 10);
  EXPECT_LT(a->seed(), int64_t{1} << 53);
  // A restart without a configured seed continues with the recorded one.
  auto continued = PollN(*a, 20);
  auto resumed = Open(c, batch->position);
  EXPECT_EQ(resumed->seed(), a->seed());
  ExpectSameBytes(PollN(*resumed, 20), continued);
  // Two fresh random sources almost surely pick different seeds.
  EXPECT_NE(Open(c)->seed(), Open(c)->seed());
}

TEST(DatagenSourceTest, InvalidCheckpointIsAnError) {
  DatagenSource s(Config(Pattern::kOrders), ConnectorContext{});
  for (const char* bad : {"nope", "{}", R"({"seed":1})", R"({"seed":1,"next":-4})",
                          R"({"seed":"x","next":1})"}) {
    Status st = s.Open(std::string(bad));
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(DatagenSourceTest, MaxEventsFinishesExactly) {
  DatagenConfig c = Config(Pattern::kOrders);
  c.max_events = 10;
  auto s = Open(c);
  std::vector<size_t> sizes;
  std::vector<int64_t> ids;
  bool finished = false;
  while (!finished) {
    auto b = s->Poll(3, milliseconds(0), {});
    ASSERT_TRUE(b.ok());
    sizes.push_back(b->records.size());
    for (auto& r : b->records) ids.push_back(Parse(*r.value)["order_id"].GetInt64());
    finished = b->finished;
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{3, 3, 3, 1}));
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  auto after = s->Poll(3, milliseconds(0), {});
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->finished);
  EXPECT_TRUE(after->records.empty());

  auto done = Open(c, R"({"seed":42,"next":10})");
  auto b = done->Poll(100, milliseconds(0), {});
  EXPECT_TRUE(b->finished);
  EXPECT_TRUE(b->records.empty());

  auto partial = Open(c, R"({"seed":42,"next":8})");
  b = partial->Poll(100, milliseconds(0), {});
  EXPECT_TRUE(b->finished);
  ASSERT_EQ(b->records.size(), 2u);
  EXPECT_EQ(*b->records[1].key, R"({"order_id":10})");
}

TEST(DatagenSourceTest, PacingFollowsEventsPerSecond) {
  DatagenConfig c = Config(Pattern::kPageviews);
  c.events_per_second = 200;
  auto s = Open(c);
  const auto start = std::chrono::steady_clock::now();
  size_t n = 0;
  int polls = 0;
  while (std::chrono::steady_clock::now() - start < milliseconds(500)) {
    auto b = s->Poll(1000, milliseconds(20), {});
    ASSERT_TRUE(b.ok());
    n += b->records.size();
    ++polls;
  }
  EXPECT_GE(n, 70u);
  EXPECT_LE(n, 130u);
  // Sleeping, not spinning: one poll per event at most (plus deadline returns).
  EXPECT_LT(polls, 200);
}

TEST(DatagenSourceTest, StopInterruptsASleepingPoll) {
  DatagenConfig c = Config(Pattern::kOrders);
  c.events_per_second = 1;
  auto s = Open(c);
  auto first = s->Poll(10, milliseconds(0), {});
  ASSERT_EQ(first->records.size(), 1u);  // slot 0 is due at once; the next in one second
  std::stop_source stop;
  auto started = std::chrono::steady_clock::now();
  auto pending = std::async(std::launch::async, [&] {
    return s->Poll(10, milliseconds(10'000), stop.get_token());
  });
  std::this_thread::sleep_for(milliseconds(50));
  const auto requested = std::chrono::steady_clock::now();
  stop.request_stop();
  ASSERT_EQ(pending.wait_for(milliseconds(100)), std::future_status::ready);
  auto b = pending.get();
  EXPECT_LT(std::chrono::steady_clock::now() - requested, milliseconds(100));
  EXPECT_GE(requested - started, milliseconds(50));
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->records.empty());
}

TEST(DatagenSourceTest, PollReturnsEmptyAtTheDeadline) {
  DatagenConfig c = Config(Pattern::kOrders);
  c.events_per_second = 1;
  auto s = Open(c);
  ASSERT_EQ(s->Poll(10, milliseconds(0), {})->records.size(), 1u);
  const auto start = std::chrono::steady_clock::now();
  auto b = s->Poll(10, milliseconds(30), {});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(b->records.empty());
  EXPECT_TRUE(b->position.empty());
  EXPECT_GE(took, milliseconds(29));
  EXPECT_LT(took, milliseconds(200));
}

TEST(DatagenSourceTest, OrdersFields) {
  auto s = Open(Config(Pattern::kOrders));
  const std::set<std::string> statuses = {"pending", "paid", "shipped", "delivered", "cancelled"};
  auto records = PollN(*s, 500);
  for (size_t i = 0; i < records.size(); ++i) {
    const Record& r = records[i];
    auto v = Parse(*r.value);
    EXPECT_EQ(Keys(v), (std::set<std::string>{"order_id", "customer_id", "product", "quantity",
                                               "total", "status"}));
    EXPECT_EQ(v["order_id"].GetInt64(), static_cast<int64_t>(i) + 1);
    EXPECT_EQ(*r.key, "{\"order_id\":" + std::to_string(i + 1) + "}");
    EXPECT_GE(v["customer_id"].GetInt64(), 1);
    EXPECT_TRUE(v["product"].IsString());
    EXPECT_GE(v["quantity"].GetInt(), 1);
    EXPECT_LE(v["quantity"].GetInt(), 5);
    EXPECT_TRUE(v["total"].IsDouble());
    EXPECT_TRUE(statuses.count(v["status"].GetString()));
    // "total":123.45 — always two decimals.
    const auto at = r.value->find("\"total\":");
    const auto comma = r.value->find(',', at);
    const auto dot = r.value->find('.', at);
    EXPECT_EQ(comma - dot, 3u) << *r.value;
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].key, "stream");
    EXPECT_EQ(r.headers[0].value, "demo_orders");
    EXPECT_GT(r.timestamp_ms, 0);
  }
}

TEST(DatagenSourceTest, UsersFields) {
  auto records = PollN(*Open(Config(Pattern::kUsers)), 300);
  std::string previous_created_at;
  for (size_t i = 0; i < records.size(); ++i) {
    auto v = Parse(*records[i].value);
    EXPECT_EQ(Keys(v), (std::set<std::string>{"user_id", "name", "email", "created_at"}));
    EXPECT_EQ(v["user_id"].GetInt64(), static_cast<int64_t>(i) + 1);
    EXPECT_EQ(*records[i].key, "{\"user_id\":" + std::to_string(i + 1) + "}");
    const std::string email = v["email"].GetString();
    EXPECT_NE(email.find(std::to_string(i + 1) + "@"), std::string::npos) << email;
    const std::string created_at = v["created_at"].GetString();
    ASSERT_EQ(created_at.size(), 24u) << created_at;  // 2024-01-01T00:00:00.000Z
    EXPECT_EQ(created_at.substr(0, 4), "2024");
    EXPECT_EQ(created_at.back(), 'Z');
    EXPECT_GT(created_at, previous_created_at);
    previous_created_at = created_at;
  }
}

TEST(DatagenSourceTest, PageviewsFields) {
  auto records = PollN(*Open(Config(Pattern::kPageviews)), 500);
  int with_referrer = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_FALSE(records[i].key.has_value());
    auto v = Parse(*records[i].value);
    EXPECT_EQ(Keys(v), (std::set<std::string>{"page_url", "user_id", "timestamp", "referrer"}));
    EXPECT_EQ(std::string(v["page_url"].GetString()).rfind("https://", 0), 0u);
    EXPECT_TRUE(v["user_id"].IsInt64());
    const int64_t ts = v["timestamp"].GetInt64();
    EXPECT_GE(ts, EventTimeMs(static_cast<int64_t>(i)));
    EXPECT_LT(ts, EventTimeMs(static_cast<int64_t>(i) + 1));
    EXPECT_TRUE(v["referrer"].IsNull() || v["referrer"].IsString());
    with_referrer += v["referrer"].IsString() ? 1 : 0;
  }
  EXPECT_GT(with_referrer, 200);
  EXPECT_LT(with_referrer, 400);
}

TEST(DatagenSourceTest, ValueSchemasAreJson) {
  for (Pattern p : {Pattern::kOrders, Pattern::kUsers, Pattern::kPageviews}) {
    for (bool cdc : {false, true}) {
      const std::string schema = ValueJsonSchema(p, cdc);
      EXPECT_TRUE(json::IsJson(schema)) << schema;
      EXPECT_NE(schema.find(PatternName(p)), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace rivven::datagen

namespace rivven::datagen {
namespace {

TEST(DatagenProgressTest, BoundedRunsReportEventsDoneOfMaxEvents) {
  DatagenConfig config;
  config.pattern = Pattern::kOrders;
  config.events_per_second = 0;
  config.max_events = 250;
  config.seed = 9;
  DatagenSource source(config, ConnectorContext{});
  ASSERT_TRUE(source.Open(std::nullopt).ok());
  auto batch = source.Poll(100, std::chrono::milliseconds(10), {});
  ASSERT_TRUE(batch.ok());
  ASSERT_TRUE(batch->progress.has_value());
  EXPECT_EQ(batch->progress->done, 100u);
  EXPECT_EQ(batch->progress->total, 250u);
  EXPECT_EQ(batch->progress->unit, "events");
}

}  // namespace
}  // namespace rivven::datagen
