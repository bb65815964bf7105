// The snowflake sink against FakeSnowflake (tests/support/fake_snowflake.h, built from Snowflake's
// published API documentation): Snowpipe Streaming with offset tokens (exactly-once across
// replays, stale continuation tokens, lost responses, delayed commits), auto_create_table DDL,
// INSERT and MERGE through the SQL API, retries, records refused to on_error, check, and kill -9
// of the binary.
#include "connectors/snowflake/snowflake_sink.h"

#include <signal.h>

#include <map>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "config/pipeline_config.h"
#include "connectors/registry.h"
#include "support/fake_snowflake.h"
#include "support/process.h"
#include "connectors/tests/collecting_errors.h"

namespace rivven::snowflake {
namespace {

using namespace std::chrono_literals;
using testing::FakeSnowflake;
using testing::TempDir;

/// An RSA key pair made by the openssl command: the private key as encrypted PKCS#8.
struct KeyFiles {
  std::string private_key_path;
  std::string passphrase = "correct horse";
  std::string public_pem;
};

KeyFiles MakeKeys(const TempDir& dir) {
  KeyFiles k;
  auto gen = testing::RunProcess({testing::FindOnPath("openssl"), "genrsa", "-out", dir / "rsa.pem", "2048"});
  EXPECT_EQ(gen.exit_code, 0) << testing::DescribeResult(gen);
  k.private_key_path = dir / "rsa_key.p8";
  auto p8 = testing::RunProcess({testing::FindOnPath("openssl"), "pkcs8", "-topk8", "-v2", "aes256", "-in",
                                 dir / "rsa.pem", "-out", k.private_key_path, "-passout",
                                 "pass:" + k.passphrase});
  EXPECT_EQ(p8.exit_code, 0) << testing::DescribeResult(p8);
  auto pub = testing::RunProcess({testing::FindOnPath("openssl"), "rsa", "-in", dir / "rsa.pem", "-pubout"});
  EXPECT_EQ(pub.exit_code, 0) << testing::DescribeResult(pub);
  k.public_pem = pub.out;
  return k;
}

class SnowflakeSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = MakeKeys(dir_);
    FakeSnowflake::Options o;
    o.public_key_pem = keys_.public_pem;
    std::string error;
    fake_ = FakeSnowflake::Start(o, &error);
    ASSERT_TRUE(fake_) << error;
  }

  SnowflakeSinkConfig Config(LoadMode mode = LoadMode::kStreaming) const {
    SnowflakeSinkConfig c;
    c.account = "testorg-testacct";
    c.user = "rivven";
    c.private_key_path = keys_.private_key_path;
    c.private_key_passphrase = keys_.passphrase;
    c.database = "ANALYTICS";
    c.schema = "CDC";
    c.table = "ORDERS";
    c.warehouse = "COMPUTE_WH";
    c.batch_size = 1000;
    c.batch_timeout = 3600s;
    c.mode = mode;
    c.url = fake_->base_url();
    c.max_attempts = 4;
    c.commit_wait = 5s;
    return c;
  }

  void CreateOrders(const std::string& columns = "ID NUMBER(38,0), NAME VARCHAR, PRICE FLOAT, "
                                                 "DOC VARIANT") {
    std::string error;
    ASSERT_TRUE(fake_->ExecuteSql("CREATE TABLE ORDERS (" + columns + ")", "ANALYTICS", "CDC",
                                  &error))
        << error;
  }

  std::vector<std::map<std::string, std::optional<std::string>>> Rows() const {
    auto t = fake_->Table("ANALYTICS.CDC.ORDERS");
    return t ? t->rows : std::vector<std::map<std::string, std::optional<std::string>>>{};
  }

  /// The IDs in the table, each with how often it is there.
  std::map<int64_t, int> IdCounts() const {
    std::map<int64_t, int> out;
    for (const auto& row : Rows()) {
      auto it = row.find("ID");
      if (it != row.end() && it->second) out[std::stoll(*it->second)]++;
    }
    return out;
  }

  TempDir dir_;
  KeyFiles keys_;
  std::unique_ptr<FakeSnowflake> fake_;
};

std::vector<ConsumedRecord> Orders(int from, int to, int32_t partition = 0) {
  std::vector<ConsumedRecord> v;
  for (int i = from; i < to; ++i) {
    ConsumedRecord r;
    r.topic = "orders";
    r.partition = partition;
    r.offset = Offset(i);
    r.record.key = "{\"id\":" + std::to_string(i) + "}";
    r.record.value = "{\"id\":" + std::to_string(i) + ",\"name\":\"order " + std::to_string(i) +
                     "\",\"price\":" + std::to_string(i) + ".5,\"doc\":{\"n\":[" +
                     std::to_string(i) + "]}}";
    v.push_back(std::move(r));
  }
  return v;
}

using CollectingErrors = ::rivven::testing::CollectingErrors;

TEST_F(SnowflakeSinkTest, StreamingLoadsEveryRecordOnceAcrossAReplay) {
  CreateOrders();
  {
    SnowflakeSink sink(Config(), "lake", nullptr);
    ASSERT_TRUE(sink.Open().ok());
    ASSERT_TRUE(sink.Write(Orders(0, 2500)).ok());
    EXPECT_EQ(sink.FirstHeld("orders", 0), Offset(0)) << "appended, the commit not seen yet";
    ASSERT_TRUE(sink.Flush().ok());  // asks for the channel's committed offset token
    EXPECT_EQ(sink.FirstHeld("orders", 0), Offset(2000)) << "500 records wait for their batch";
    ASSERT_TRUE(sink.FlushAll().ok());
    EXPECT_EQ(sink.FirstHeld("orders", 0), std::nullopt);
    EXPECT_EQ(sink.counters().rows, 2500u);
  }
  EXPECT_EQ(fake_->CommittedOffsetToken("ORDERS-STREAMING", "LAKE_ORDERS_0"), "2499");
  {
    // A restart that replays everything (its commit was lost) and goes on.
    SnowflakeSink sink(Config(), "lake", nullptr);
    ASSERT_TRUE(sink.Open().ok());
    ASSERT_TRUE(sink.Write(Orders(0, 3000)).ok());
    ASSERT_TRUE(sink.FlushAll().ok());
    EXPECT_EQ(sink.counters().skipped_committed, 2500u);
    EXPECT_EQ(sink.counters().rows, 500u);
  }
  const auto ids = IdCounts();
  ASSERT_EQ(ids.size(), 3000u);
  for (const auto& [id, n] : ids) ASSERT_EQ(n, 1) << "id " << id;
  // Values arrive typed, VARIANT as JSON.
  const auto rows = Rows();
  bool seen = false;
  for (const auto& row : rows) {
    if (row.at("ID") == std::optional<std::string>("7")) {
      EXPECT_EQ(row.at("NAME"), std::optional<std::string>("\"order 7\""));
      EXPECT_EQ(row.at("PRICE"), std::optional<std::string>("7.5"));
      EXPECT_EQ(row.at("DOC"), std::optional<std::string>("{\"n\":[7]}"));
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
}

TEST_F(SnowflakeSinkTest, APartialBatchIsLoadedOnceItsTimeoutPasses) {
  CreateOrders();
  SnowflakeSinkConfig c = Config();
  c.batch_timeout = 100ms;
  SnowflakeSink sink(c, "lake", nullptr);
  ASSERT_TRUE(sink.Open().ok());
  ASSERT_TRUE(sink.Write(Orders(0, 10)).ok());
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_EQ(sink.counters().rows, 0u) << "the batch is young";
  EXPECT_EQ(sink.FirstHeld("orders", 0), Offset(0));
  std::this_thread::sleep_for(150ms);
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_EQ(sink.counters().rows, 10u);
  EXPECT_EQ(sink.FirstHeld("orders", 0), std::nullopt);
  EXPECT_EQ(IdCounts().size(), 10u);
}

TEST_F(SnowflakeSinkTest, StreamedRowsThatCannotFitTheTableGoToOnError) {
  CreateOrders();
  CollectingErrors errors;
  SnowflakeSink sink(Config(), "lake", &errors);
  ASSERT_TRUE(sink.Open().ok());
  auto records = Orders(0, 20);
  records[3].record.value = "{\"id\":3,\"colour\":\"red\"}";  // no such column
  records[4].record.value = "{\"id\":{\"n\":4}}";             // an object in a NUMBER column
  records[5].record.value = "\"just text\"";                   // not an object
  ASSERT_TRUE(sink.Write(records).ok());
  ASSERT_TRUE(sink.FlushAll().ok());
  ASSERT_EQ(errors.rejected.size(), 3u);
  EXPECT_EQ(errors.rejected[0].position, "orders/0/3");
  EXPECT_NE(errors.rejected[0].reason.find("colour"), std::string::npos) << errors.rejected[0].reason;
  EXPECT_EQ(errors.rejected[1].position, "orders/0/4");
  EXPECT_EQ(errors.rejected[2].position, "orders/0/5");
  EXPECT_EQ(IdCounts().size(), 17u);
  EXPECT_EQ(fake_->Channel("ORDERS-STREAMING", "LAKE_ORDERS_0")->rows_errors, 0)
      << "nothing was left for Snowflake to skip";
  // The committed offset covers the rejected records too (they are dealt with).
  EXPECT_EQ(fake_->CommittedOffsetToken("ORDERS-STREAMING", "LAKE_ORDERS_0"), "19");
}

TEST_F(SnowflakeSinkTest, AMissingTableWithoutAutoCreateIsAClearError) {
  SnowflakeSink sink(Config(), "lake", nullptr);
  ASSERT_TRUE(sink.Open().ok());
  Status s = sink.Write(Orders(0, 1000));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("ANALYTICS.CDC.ORDERS"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("auto_create_table"), std::string::npos) << s.ToString();
}

TEST_F(SnowflakeSinkTest, AStaleChannelIsReopenedAndNothingIsLoadedTwice) {
  CreateOrders();
  SnowflakeSink a(Config(), "lake", nullptr);
  ASSERT_TRUE(a.Open().ok());
  ASSERT_TRUE(a.Write(Orders(0, 1000)).ok());  // opens the channel, one append
  {
    // Another instance of the sink takes the channel over (a restart elsewhere) and loads more.
    SnowflakeSink b(Config(), "lake", nullptr);
    ASSERT_TRUE(b.Open().ok());
    ASSERT_TRUE(b.Write(Orders(0, 1500)).ok());
    ASSERT_TRUE(b.FlushAll().ok());
  }
  // a's continuation token is stale now: it reopens, sees 1499 committed, and sends only after.
  ASSERT_TRUE(a.Write(Orders(1000, 2000)).ok());
  ASSERT_TRUE(a.FlushAll().ok());
  EXPECT_EQ(a.counters().channel_reopens, 1u);
  const auto ids = IdCounts();
  ASSERT_EQ(ids.size(), 2000u);
  for (const auto& [id, n] : ids) ASSERT_EQ(n, 1) << "id " << id;
}

TEST_F(SnowflakeSinkTest, ALostAppendResponseIsNotLoadedTwice) {
  CreateOrders();
  SnowflakeSink sink(Config(), "lake", nullptr);
  ASSERT_TRUE(sink.Open().ok());
  ASSERT_TRUE(sink.Write(Orders(0, 1000)).ok());
  fake_->LoseNextResponse(FakeSnowflake::Endpoint::kAppendRows);
  ASSERT_TRUE(sink.Write(Orders(1000, 2000)).ok());  // stored by the fake, answer lost
  ASSERT_TRUE(sink.Write(Orders(2000, 2100)).ok());
  ASSERT_TRUE(sink.FlushAll().ok());
  const auto ids = IdCounts();
  ASSERT_EQ(ids.size(), 2100u);
  for (const auto& [id, n] : ids) ASSERT_EQ(n, 1) << "id " << id;
}

TEST_F(SnowflakeSinkTest, OffsetsAreHeldUntilSnowflakeCommits) {
  CreateOrders();
  fake_->SetCommitDelayed(true);
  SnowflakeSink sink(Config(), "lake", nullptr);
  ASSERT_TRUE(sink.Open().ok());
  ASSERT_TRUE(sink.Write(Orders(0, 1000)).ok());
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_EQ(sink.FirstHeld("orders", 0), Offset(0)) << "appended, not committed";
  fake_->CommitPending();
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_EQ(sink.FirstHeld("orders", 0), std::nullopt);
  // When the sink stops it waits for the commit, at most commit_wait.
  ASSERT_TRUE(sink.Write(Orders(1000, 1200)).ok());
  SnowflakeSinkConfig c = Config();
  Status s = sink.FlushAll();
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.retriable()) << s.ToString();
  EXPECT_NE(s.message().find("not committed"), std::string::npos) << s.ToString();
}

TEST_F(SnowflakeSinkTest, AutoCreateTableWritesTheDocumentedDdl) {
  SnowflakeSinkConfig c = Config();
  c.auto_create_table = true;
  SnowflakeSink sink(c, "lake", nullptr);
  ASSERT_TRUE(sink.Open().ok());
  auto records = Orders(0, 10);
  records[3].record.value = "{\"id\":3,\"name\":null,\"price\":4,\"doc\":[1],\"flag\":true}";
  ASSERT_TRUE(sink.Write(records).ok());
  ASSERT_TRUE(sink.FlushAll().ok());
  std::string ddl;
  for (const std::string& s : fake_->Statements()) {
    if (s.starts_with("CREATE TABLE")) ddl = s;
  }
  EXPECT_EQ(ddl,
            "CREATE TABLE IF NOT EXISTS ANALYTICS.CDC.ORDERS (ID NUMBER(38,0), NAME VARCHAR, "
            "PRICE FLOAT, DOC VARIANT, FLAG BOOLEAN)");
  auto table = fake_->Table("ANALYTICS.CDC.ORDERS");
  ASSERT_TRUE(table);
  ASSERT_EQ(table->columns.size(), 5u);
  EXPECT_EQ(table->rows.size(), 10u);
}

TEST_F(SnowflakeSinkTest, InsertModeLoadsWithBindingsAndRefusedRowsGoToOnError) {
  CreateOrders();
  CollectingErrors errors;
  SnowflakeSinkConfig c = Config(LoadMode::kInsert);
  c.batch_size = 50;
  SnowflakeSink sink(c, "lake", &errors);
  ASSERT_TRUE(sink.Open().ok());
  auto records = Orders(0, 120);
  records[7].record.value = "{\"id\":\"not a number\",\"name\":\"x\"}";  // Snowflake refuses it
  records[8].record.value = "[1,2,3]";                                    // not an object
  ASSERT_TRUE(sink.Write(records).ok());
  ASSERT_TRUE(sink.FlushAll().ok());
  ASSERT_EQ(errors.rejected.size(), 2u);
  std::set<std::string> positions;
  for (const auto& r : errors.rejected) positions.insert(r.position);
  EXPECT_TRUE(positions.count("orders/0/7"));
  EXPECT_TRUE(positions.count("orders/0/8"));
  EXPECT_EQ(IdCounts().size(), 118u);
  bool insert_seen = false;
  for (const std::string& s : fake_->Statements()) {
    if (s.starts_with("INSERT INTO ANALYTICS.CDC.ORDERS (ID, NAME, PRICE, DOC) SELECT column1, "
                      "column2, column3, PARSE_JSON(column4) FROM VALUES (?, ?, ?, ?)")) {
      insert_seen = true;
    }
  }
  EXPECT_TRUE(insert_seen);
}

std::string Envelope(const std::string& op, std::optional<int> id, const std::string& name) {
  const std::string image =
      id ? "{\"id\":" + std::to_string(*id) + ",\"name\":\"" + name + "\"}" : "null";
  const std::string before = op == "d" ? image : "null";
  const std::string after = op == "d" ? "null" : image;
  return "{\"before\":" + before + ",\"after\":" + after +
         ",\"source\":{\"connector\":\"postgresql\",\"table\":\"orders\"},\"op\":\"" + op +
         "\",\"ts_ms\":1}";
}

TEST_F(SnowflakeSinkTest, MergeModeAppliesUpsertsAndDeletesAndConvergesOnReplay) {
  CreateOrders("ID NUMBER(38,0), NAME VARCHAR");
  SnowflakeSinkConfig c = Config(LoadMode::kMerge);
  c.batch_size = 100;
  auto change = [](int64_t offset, const std::string& op, int id, const std::string& name) {
    ConsumedRecord r;
    r.topic = "cdc.orders";
    r.partition = 0;
    r.offset = Offset(offset);
    r.record.key = "{\"id\":" + std::to_string(id) + "}";
    r.record.value = Envelope(op, id, name);
    return r;
  };
  std::vector<ConsumedRecord> changes = {
      change(0, "r", 1, "snap one"), change(1, "r", 2, "snap two"), change(2, "c", 3, "three"),
      change(3, "u", 1, "one v2"),   change(4, "u", 1, "one v3"),   change(5, "d", 2, ""),
      change(6, "c", 4, "four"),     change(7, "d", 4, ""),
  };
  ConsumedRecord tombstone;
  tombstone.topic = "cdc.orders";
  tombstone.offset = Offset(8);
  tombstone.record.key = "{\"id\":4}";
  changes.push_back(tombstone);
  for (int pass = 0; pass < 2; ++pass) {  // the second pass is a replay
    SnowflakeSink sink(c, "lake", nullptr);
    ASSERT_TRUE(sink.Open().ok());
    ASSERT_TRUE(sink.Write(changes).ok());
    ASSERT_TRUE(sink.FlushAll().ok()) << "pass " << pass;
    std::map<std::string, std::string> state;
    for (const auto& row : Rows()) state[*row.at("ID")] = row.at("NAME").value_or("null");
    const std::map<std::string, std::string> want = {{"1", "\"one v3\""}, {"3", "\"three\""}};
    EXPECT_EQ(state, want) << "pass " << pass;
  }
  bool merge_seen = false;
  for (const std::string& s : fake_->Statements()) merge_seen |= s.starts_with("MERGE INTO ");
  EXPECT_TRUE(merge_seen);
}

TEST_F(SnowflakeSinkTest, ThrottlingAndServerErrorsAreRetried) {
  CreateOrders();
  fake_->FailNext(FakeSnowflake::Endpoint::kAppendRows, 503, 2);
  fake_->FailNext(FakeSnowflake::Endpoint::kOpenChannel, 429, 1, 0);
  SnowflakeSink sink(Config(), "lake", nullptr);
  ASSERT_TRUE(sink.Open().ok());
  ASSERT_TRUE(sink.Write(Orders(0, 1000)).ok());
  ASSERT_TRUE(sink.FlushAll().ok());
  EXPECT_EQ(IdCounts().size(), 1000u);
  EXPECT_GE(fake_->RequestCount(FakeSnowflake::Endpoint::kAppendRows), 3);
  EXPECT_GE(fake_->RequestCount(FakeSnowflake::Endpoint::kOpenChannel), 2);
}

Status Check(const SnowflakeSinkConfig& c) {
  const ConnectorDescriptor* d = BuiltinRegistry().Find(ConnectorKind::kSink, "snowflake");
  if (d == nullptr) return Status::Internal("no snowflake connector");
  std::string yaml = "account: " + c.account + "\nuser: " + c.user + "\nprivate_key_path: " +
                     c.private_key_path + "\nprivate_key_passphrase: \"" +
                     c.private_key_passphrase + "\"\ndatabase: " + c.database + "\nschema: " +
                     c.schema + "\ntable: " + c.table + "\nurl: " + c.url + "\nauto_create_table: " +
                     (c.auto_create_table ? "true" : "false") + "\n";
  config::Diagnostics diags;
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  std::optional<config::Node> node = config::ParseYaml(yaml, env, &diags);
  if (!node) return Status::InvalidArgument("test yaml does not parse");
  const config::BoundConfig bound =
      config::Bind(d->schema, &*node, "sinks.lake.config", node->mark, &diags);
  if (!diags.empty()) return Status::InvalidArgument("test yaml does not bind");
  return d->check(bound);
}

TEST_F(SnowflakeSinkTest, CheckAuthenticatesAndLooksAtTheTableWithoutWriting) {
  SnowflakeSinkConfig c = Config();
  Status missing = Check(c);
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("ORDERS"), std::string::npos) << missing.ToString();
  c.auto_create_table = true;
  EXPECT_TRUE(Check(c).ok());
  CreateOrders();
  c.auto_create_table = false;
  EXPECT_TRUE(Check(c).ok()) << Check(c).ToString();
  c.private_key_passphrase = "Xyzzy-Plugh-42";
  Status bad_key = Check(c);
  EXPECT_FALSE(bad_key.ok());
  EXPECT_NE(bad_key.message().find(c.private_key_path), std::string::npos) << bad_key.ToString();
  EXPECT_EQ(bad_key.message().find("Xyzzy"), std::string::npos) << "the passphrase leaked";
  // Another key than the user's: Snowflake (the fake) refuses the JWT.
  TempDir other;
  KeyFiles k2 = MakeKeys(other);
  c.private_key_path = k2.private_key_path;
  c.private_key_passphrase = k2.passphrase;
  Status foreign = Check(c);
  EXPECT_FALSE(foreign.ok());
  EXPECT_FALSE(foreign.retriable()) << foreign.ToString();
  for (const std::string& s : fake_->Statements()) {
    EXPECT_TRUE(s.starts_with("DESCRIBE TABLE")) << "check ran " << s;
  }
}

}  // namespace
}  // namespace rivven::snowflake
