// postgres-cdc against a real PostgreSQL 15: snapshot, streaming, resume and acknowledgement.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "connectors/postgres/postgres_catalog.h"
#include "connectors/postgres/postgres_position.h"
#include "postgres_source_fixture.h"
#include "support/sanitizer_slowdown.h"

namespace rivven::testing {
namespace {

using postgres::PostgresSource;
using postgres::SnapshotMode;

std::unique_ptr<PostgresSource> OpenSource(const postgres::PostgresSourceConfig& config,
                                           const std::optional<std::string>& checkpoint = {}) {
  ConnectorContext context;
  context.name = "pg";
  context.topic = "cdc";
  auto source = std::make_unique<PostgresSource>(config, context);
  Status opened = source->Open(checkpoint);
  EXPECT_TRUE(opened.ok()) << opened.ToString();
  return opened.ok() ? std::move(source) : nullptr;
}

std::string KeyOf(const Record& record) { return record.key ? *record.key : "<null key>"; }

std::vector<std::string> Ops(const std::vector<Record>& records) {
  std::vector<std::string> ops;
  for (const Record& r : records) ops.push_back(Field(r, "/op"));
  return ops;
}

TEST_F(PostgresSourceTest, SnapshotThenEveryChangeKind) {
  Sql("CREATE TABLE orders (id int PRIMARY KEY, item text, qty int)");
  Sql("INSERT INTO orders VALUES (1, 'pen', 2), (2, 'ink', 1), (3, 'pad', 5)");
  auto source = OpenSource(Config());
  ASSERT_NE(source, nullptr);
  auto snap = PollRecords(*source, 3);
  ASSERT_EQ(snap.records.size(), 3u);
  EXPECT_EQ(Ops(snap.records), (std::vector<std::string>{"r", "r", "r"}));
  EXPECT_EQ(Field(snap.records[0], "/source/snapshot"), "true");
  EXPECT_EQ(Field(snap.records[2], "/source/snapshot"), "last");
  EXPECT_EQ(KeyOf(snap.records[0]), R"({"id":1})");
  EXPECT_EQ(Field(snap.records[1], "/after"), R"({"id":2,"item":"ink","qty":1})");
  EXPECT_EQ(Field(snap.records[0], "/source/connector"), "postgresql");
  EXPECT_EQ(Field(snap.records[0], "/source/schema"), "public");
  EXPECT_EQ(Field(snap.records[0], "/source/table"), "orders");
  EXPECT_EQ(Field(snap.records[0], "/source/db"), db_);

  Sql("INSERT INTO orders VALUES (4, 'cap', 3)");
  Sql("UPDATE orders SET qty = 9 WHERE id = 2");
  Sql("DELETE FROM orders WHERE id = 1");
  Sql("UPDATE orders SET id = 30 WHERE id = 3");  // a key change: old key sent
  auto changes = PollRecords(*source, 4);
  ASSERT_EQ(changes.records.size(), 4u);
  EXPECT_TRUE(PollRecords(*source, 1, std::chrono::milliseconds(500)).records.empty());
  EXPECT_EQ(Ops(changes.records), (std::vector<std::string>{"c", "u", "d", "u"}));
  EXPECT_EQ(Field(changes.records[0], "/after"), R"({"id":4,"item":"cap","qty":3})");
  EXPECT_EQ(Field(changes.records[0], "/before"), "null");
  EXPECT_EQ(Field(changes.records[0], "/source/snapshot"), "false");
  EXPECT_NE(Field(changes.records[0], "/source/txId"), "<missing>");
  EXPECT_NE(Field(changes.records[0], "/source/lsn"), "<missing>");
  EXPECT_EQ(Field(changes.records[1], "/after/qty"), "9");
  EXPECT_EQ(Field(changes.records[1], "/before"), "null");  // default identity, key unchanged
  EXPECT_EQ(Field(changes.records[2], "/before"), R"({"id":1,"item":null,"qty":null})");
  EXPECT_EQ(Field(changes.records[2], "/after"), "null");
  EXPECT_EQ(KeyOf(changes.records[2]), R"({"id":1})");
  EXPECT_EQ(Field(changes.records[3], "/before/id"), "3");
  EXPECT_EQ(KeyOf(changes.records[3]), R"({"id":30})");
  ASSERT_TRUE(source->Close().ok());
}

TEST_F(PostgresSourceTest, ReplicaIdentityFullSendsTheWholeOldRow) {
  Sql("CREATE TABLE t (id int PRIMARY KEY, v text)");
  Sql("ALTER TABLE t REPLICA IDENTITY FULL");
  auto config = Config();
  config.snapshot_mode = SnapshotMode::kNever;
  auto source = OpenSource(config);
  ASSERT_NE(source, nullptr);
  Sql("INSERT INTO t VALUES (1, 'a')");
  Sql("UPDATE t SET v = 'b' WHERE id = 1");
  Sql("DELETE FROM t WHERE id = 1");
  auto polled = PollRecords(*source, 3);
  ASSERT_EQ(polled.records.size(), 3u);
  EXPECT_EQ(Field(polled.records[1], "/before"), R"({"id":1,"v":"a"})");
  EXPECT_EQ(Field(polled.records[1], "/after"), R"({"id":1,"v":"b"})");
  EXPECT_EQ(Field(polled.records[2], "/before"), R"({"id":1,"v":"b"})");
  EXPECT_EQ(KeyOf(polled.records[2]), R"({"id":1})");  // the primary key, not every column
}

TEST_F(PostgresSourceTest, TruncateIsOpT) {
  Sql("CREATE TABLE a (id int PRIMARY KEY)");
  Sql("CREATE TABLE b (id int PRIMARY KEY)");
  auto config = Config();
  config.snapshot_mode = SnapshotMode::kNever;
  auto source = OpenSource(config);
  ASSERT_NE(source, nullptr);
  Sql("INSERT INTO a VALUES (1)");
  Sql("TRUNCATE a, b");
  auto polled = PollRecords(*source, 3);
  ASSERT_EQ(polled.records.size(), 3u);
  EXPECT_EQ(Ops(polled.records), (std::vector<std::string>{"c", "t", "t"}));
  EXPECT_FALSE(polled.records[1].key.has_value());
  EXPECT_EQ(Field(polled.records[1], "/source/table"), "a");
  EXPECT_EQ(Field(polled.records[2], "/source/table"), "b");
}

TEST_F(PostgresSourceTest, UnchangedToastIsNeverWrittenAsData) {
  Sql("CREATE TABLE docs (id int PRIMARY KEY, title text, body text)");
  Sql("ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL");  // out of line, uncompressed
  Sql("CREATE TABLE full_docs (id int PRIMARY KEY, title text, body text)");
  Sql("ALTER TABLE full_docs ALTER COLUMN body SET STORAGE EXTERNAL");
  Sql("ALTER TABLE full_docs REPLICA IDENTITY FULL");
  auto config = Config();
  config.snapshot_mode = SnapshotMode::kNever;
  auto source = OpenSource(config);
  ASSERT_NE(source, nullptr);
  Sql("INSERT INTO docs VALUES (1, 'x', repeat('b', 5000))");
  Sql("INSERT INTO full_docs VALUES (1, 'x', repeat('b', 5000))");
  Sql("UPDATE docs SET title = 'y' WHERE id = 1");
  Sql("UPDATE full_docs SET title = 'y' WHERE id = 1");
  auto polled = PollRecords(*source, 4);
  ASSERT_EQ(polled.records.size(), 4u);
  const Record& plain = polled.records[2];
  EXPECT_EQ(Field(plain, "/after/body"), "__debezium_unavailable_value");
  EXPECT_EQ(Field(plain, "/after/title"), "y");
  ASSERT_EQ(plain.headers.size(), 1u);
  EXPECT_EQ(plain.headers[0].key, "rivven.unavailable_columns");
  EXPECT_EQ(plain.headers[0].value, "body");
  const Record& full = polled.records[3];
  EXPECT_EQ(Field(full, "/after/body"), std::string(5000, 'b'));  // taken from the old row
  EXPECT_TRUE(full.headers.empty());
}

TEST_F(PostgresSourceTest, SchemaChangeShowsFromTheNextRecord) {
  Sql("CREATE TABLE t (id int PRIMARY KEY, a text)");
  auto config = Config();
  config.snapshot_mode = SnapshotMode::kNever;
  auto source = OpenSource(config);
  ASSERT_NE(source, nullptr);
  Sql("INSERT INTO t VALUES (1, 'x')");
  Sql("ALTER TABLE t ADD COLUMN b int DEFAULT 7");
  Sql("INSERT INTO t VALUES (2, 'y', 8)");
  Sql("ALTER TABLE t DROP COLUMN a");
  Sql("INSERT INTO t VALUES (3, 9)");
  auto polled = PollRecords(*source, 3);
  ASSERT_EQ(polled.records.size(), 3u);
  EXPECT_EQ(Field(polled.records[0], "/after"), R"({"id":1,"a":"x"})");
  EXPECT_EQ(Field(polled.records[1], "/after"), R"({"id":2,"a":"y","b":8})");
  EXPECT_EQ(Field(polled.records[2], "/after"), R"({"id":3,"b":9})");
}

TEST_F(PostgresSourceTest, SnapshotResumesAfterTheLastDeliveredRow) {
  // Tables are read in name order: a_keyed by primary key, then z_keyless by page ranges.
  Sql("CREATE TABLE a_keyed (id int PRIMARY KEY, v text)");
  Sql("INSERT INTO a_keyed SELECT g, 'v' || g FROM generate_series(1, 25) g");
  Sql("CREATE TABLE z_keyless (v int)");
  Sql("INSERT INTO z_keyless SELECT g FROM generate_series(1, 30) g");
  auto config = Config();
  config.snapshot_chunk_rows = 4;
  auto source = OpenSource(config);
  ASSERT_NE(source, nullptr);
  auto first = PollRecords(*source, 10, std::chrono::seconds(20), 5);
  ASSERT_EQ(first.records.size(), 10u);
  EXPECT_EQ(Field(first.records.back(), "/after/id"), "10");
  ASSERT_TRUE(source->Close().ok());
  source.reset();
  // A new process: the snapshot goes on after row 10 of a_keyed, then reads z_keyless.
  auto again = OpenSource(config, first.position);
  ASSERT_NE(again, nullptr);
  auto rest = PollRecords(*again, 45, std::chrono::seconds(10), 7);
  ASSERT_EQ(rest.records.size(), 45u);
  for (size_t i = 0; i < 15; ++i) {
    EXPECT_EQ(Field(rest.records[i], "/source/table"), "a_keyed");
    EXPECT_EQ(Field(rest.records[i], "/after/id"), std::to_string(11 + i));
  }
  std::vector<std::string> keyless;
  for (size_t i = 15; i < rest.records.size(); ++i) keyless.push_back(Field(rest.records[i], "/after/v"));
  EXPECT_EQ(keyless.size(), 30u);
  EXPECT_EQ(keyless.front(), "1");
  EXPECT_EQ(Field(rest.records.back(), "/source/snapshot"), "last");
  EXPECT_EQ(Field(rest.records[0], "/source/snapshot"), "true");
  // Keyless rows resume at the start of their page range: a stop in the middle of the table
  // repeats that range's rows, never skips one.
  ASSERT_TRUE(again->Close().ok());
  again.reset();
  auto middle = postgres::SourcePosition::FromJson(rest.position);
  ASSERT_TRUE(middle.ok());
  EXPECT_TRUE(middle->snapshot_done) << rest.position;

  // Then streaming picks up what changed meanwhile.
  auto streaming = OpenSource(config, rest.position);
  ASSERT_NE(streaming, nullptr);
  Sql("INSERT INTO a_keyed VALUES (26, 'new')");
  auto streamed = PollRecords(*streaming, 1);
  ASSERT_EQ(streamed.records.size(), 1u);
  EXPECT_EQ(Field(streamed.records[0], "/op"), "c");
  EXPECT_EQ(Field(streamed.records[0], "/after/id"), "26");
}

TEST_F(PostgresSourceTest, KeylessSnapshotRepeatsAPageRangeRatherThanSkipping) {
  Sql("CREATE TABLE logs (line text)");
  Sql("INSERT INTO logs SELECT repeat('x', 500) || g FROM generate_series(1, 200) g");  // ~15 pages
  auto config = Config();
  config.snapshot_chunk_rows = 100;  // two pages per chunk
  config.snapshot_mode = SnapshotMode::kInitialOnly;
  auto source = OpenSource(config);
  ASSERT_NE(source, nullptr);
  auto first = PollRecords(*source, 23, std::chrono::seconds(10), 23);
  ASSERT_EQ(first.records.size(), 23u);
  ASSERT_TRUE(source->Close().ok());
  auto again = OpenSource(config, first.position);
  ASSERT_NE(again, nullptr);
  auto rest = PollRecords(*again, 1000, std::chrono::seconds(10));
  EXPECT_TRUE(rest.finished);
  std::set<std::string> seen;
  for (const Record& r : first.records) seen.insert(Field(r, "/after/line"));
  for (const Record& r : rest.records) seen.insert(Field(r, "/after/line"));
  EXPECT_EQ(seen.size(), 200u);  // every row, some twice
  EXPECT_LT(first.records.size() + rest.records.size(), 200u + 40u);  // at most a chunk again
}

TEST_F(PostgresSourceTest, TransactionResumesAfterTheLastDeliveredChange) {
  Sql("CREATE TABLE t (id int PRIMARY KEY)");
  auto config = Config();
  config.snapshot_mode = SnapshotMode::kNever;
  auto source = OpenSource(config);
  ASSERT_NE(source, nullptr);
  Sql("INSERT INTO t SELECT generate_series(1, 10)");  // one transaction
  auto first = PollRecords(*source, 4, std::chrono::seconds(20), 4);
  ASSERT_EQ(first.records.size(), 4u);
  auto position = postgres::SourcePosition::FromJson(first.position);
  ASSERT_TRUE(position.ok());
  ASSERT_TRUE(position->tx.has_value()) << first.position;
  EXPECT_EQ(position->tx->skip, 4u);
  ASSERT_TRUE(source->Close().ok());
  source.reset();
  auto again = OpenSource(config, first.position);
  ASSERT_NE(again, nullptr);
  auto rest = PollRecords(*again, 6);
  ASSERT_EQ(rest.records.size(), 6u);
  EXPECT_EQ(Field(rest.records.front(), "/after/id"), "5");
  EXPECT_EQ(Field(rest.records.back(), "/after/id"), "10");
  // The next poll reads the commit: the transaction is then complete in the position.
  auto commit = PollRecords(*again, 1, std::chrono::milliseconds(500));
  EXPECT_TRUE(commit.records.empty());
  auto after = postgres::SourcePosition::FromJson(commit.position);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->tx.has_value());
}

TEST_F(PostgresSourceTest, AcknowledgedPositionBecomesTheSlotsConfirmedFlush) {
  Sql("CREATE TABLE t (id int PRIMARY KEY)");
  auto config = Config();
  config.snapshot_mode = SnapshotMode::kNever;
  auto source = OpenSource(config);
  ASSERT_NE(source, nullptr);
  Sql("INSERT INTO t VALUES (1)");
  auto polled = PollRecords(*source, 1);
  ASSERT_EQ(polled.records.size(), 1u);
  auto position = postgres::SourcePosition::FromJson(polled.position);
  ASSERT_TRUE(position.ok());
  // PollRecords acknowledged it; the status update reaches the server at once.
  std::string confirmed;
  for (int i = 0; i < 50; ++i) {
    confirmed = Value("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + slot_ + "'");
    if (confirmed == postgres::FormatLsn(position->lsn)) break;
    PollRecords(*source, 1, std::chrono::milliseconds(100));
  }
  EXPECT_EQ(confirmed, postgres::FormatLsn(position->lsn));
}

TEST_F(PostgresSourceTest, HeartbeatsAdvanceTheSlotWhileTheTablesAreIdle) {
  Sql("CREATE TABLE watched (id int PRIMARY KEY)");
  Sql("CREATE TABLE other (id int PRIMARY KEY)");
  auto config = Config();
  config.snapshot_mode = SnapshotMode::kNever;
  config.publication_tables = {{"public", "watched"}};
  config.heartbeat_interval = std::chrono::milliseconds(200);
  auto source = OpenSource(config);
  ASSERT_NE(source, nullptr);
  const std::string start =
      Value("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + slot_ + "'");
  Sql("INSERT INTO other SELECT generate_series(1, 1000)");  // WAL the slot must not hold
  const std::string wal = Value("SELECT pg_current_wal_lsn()");
  bool advanced = false;
  for (int i = 0; i < 50 && !advanced; ++i) {
    PollRecords(*source, 1, std::chrono::milliseconds(200));
    advanced = Value("SELECT confirmed_flush_lsn >= '" + wal + "'::pg_lsn FROM pg_replication_slots "
                     "WHERE slot_name = '" + slot_ + "'") == "t";
  }
  EXPECT_TRUE(advanced) << "confirmed_flush_lsn stayed at " << start << ", WAL is at " << wal;
}

TEST_F(PostgresSourceTest, SlotLagIsReportedAsAGauge) {
  Sql("CREATE TABLE t (id int PRIMARY KEY)");
  auto config = Config();
  config.snapshot_mode = SnapshotMode::kNever;
  auto source = OpenSource(config);
  ASSERT_NE(source, nullptr);
  std::stop_source stop;
  auto batch = source->Poll(10, std::chrono::milliseconds(50), stop.get_token());
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->gauges.size(), 1u);
  EXPECT_EQ(batch->gauges[0].name, "postgres_slot_lag_bytes");
  EXPECT_GE(batch->gauges[0].value, 0);
  // Not on every poll: every few seconds.
  auto next = source->Poll(10, std::chrono::milliseconds(50), stop.get_token());
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->gauges.empty());
}

TEST_F(PostgresSourceTest, DroppedSlotIsAClearErrorUnlessWhenNeeded) {
  Sql("CREATE TABLE t (id int PRIMARY KEY)");
  Sql("INSERT INTO t VALUES (1)");
  auto config = Config();
  auto source = OpenSource(config);
  ASSERT_NE(source, nullptr);
  auto polled = PollRecords(*source, 1);
  ASSERT_EQ(polled.records.size(), 1u);
  ASSERT_TRUE(source->Close().ok());
  source.reset();
  ASSERT_EQ(server_->Exec("SELECT pg_drop_replication_slot('" + slot_ + "')"), "");
  {
    ConnectorContext context;
    context.name = "pg";
    PostgresSource broken(config, context);
    Status opened = broken.Open(polled.position);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.disposition(), Disposition::kFatal);
    EXPECT_NE(opened.message().find("no longer exists"), std::string::npos) << opened.ToString();
    EXPECT_NE(opened.message().find("snapshot.mode: when_needed"), std::string::npos);
  }
  config.snapshot_mode = SnapshotMode::kWhenNeeded;
  auto again = OpenSource(config, polled.position);
  ASSERT_NE(again, nullptr);
  auto resnap = PollRecords(*again, 1);
  ASSERT_EQ(resnap.records.size(), 1u);
  EXPECT_EQ(Field(resnap.records[0], "/op"), "r");
}

TEST_F(PostgresSourceTest, InitialOnlyFinishesAndStaysFinished) {
  Sql("CREATE TABLE t (id int PRIMARY KEY)");
  Sql("INSERT INTO t VALUES (1), (2)");
  auto config = Config();
  config.snapshot_mode = SnapshotMode::kInitialOnly;
  auto source = OpenSource(config);
  ASSERT_NE(source, nullptr);
  auto polled = PollRecords(*source, 10, std::chrono::seconds(10));
  EXPECT_EQ(polled.records.size(), 2u);
  EXPECT_TRUE(polled.finished);
  ASSERT_TRUE(source->Close().ok());
  auto again = OpenSource(config, polled.position);
  ASSERT_NE(again, nullptr);
  auto nothing = PollRecords(*again, 10, std::chrono::seconds(2));
  EXPECT_TRUE(nothing.records.empty());
  EXPECT_TRUE(nothing.finished);
}

TEST_F(PostgresSourceTest, CheckAndDiscover) {
  Sql("CREATE TABLE t (id int, region text, amount numeric(10,2), PRIMARY KEY (region, id))");
  auto config = Config();
  Status checked = postgres::CheckPostgresSource(config);
  EXPECT_TRUE(checked.ok()) << checked.ToString();
  // check creates nothing
  EXPECT_EQ(Value("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot_ + "'"), "0");
  EXPECT_EQ(Value("SELECT count(*) FROM pg_publication"), "0");
  auto streams = postgres::DiscoverPostgresStreams(config);
  ASSERT_TRUE(streams.ok()) << streams.status().ToString();
  ASSERT_EQ(streams->size(), 1u);
  EXPECT_EQ((*streams)[0].name, "public.t");
  EXPECT_NE((*streams)[0].json_schema.find(R"("x-primary-key":["region","id"])"), std::string::npos)
      << (*streams)[0].json_schema;
  EXPECT_NE((*streams)[0].json_schema.find("numeric(10,2)"), std::string::npos);

  config.connection.user = "nobody_here";
  Status denied = postgres::CheckPostgresSource(config);
  EXPECT_FALSE(denied.ok());
  EXPECT_NE(denied.message().find("nobody_here"), std::string::npos) << denied.ToString();
}

}  // namespace
}  // namespace rivven::testing

namespace rivven::testing {
namespace {

TEST_F(PostgresSourceTest, SignalStartsAnIncrementalSnapshotThatNeverOvertakesTheStream) {
  Sql("CREATE TABLE items (id int PRIMARY KEY, version int NOT NULL)");
  Sql("INSERT INTO items SELECT g, 0 FROM generate_series(1, 40) g");
  Sql("CREATE TABLE signals (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, "
      "data varchar(2048))");
  auto config = Config();
  config.snapshot_mode = postgres::SnapshotMode::kNever;
  config.signal_table = postgres::TableName{"public", "signals"};
  config.snapshot_chunk_rows = 7;
  ConnectorContext context;
  context.name = "pg";
  auto source = std::make_unique<postgres::PostgresSource>(config, context);
  ASSERT_TRUE(source->Open(std::nullopt).ok());
  Sql("INSERT INTO signals VALUES ('s1', 'execute-snapshot', "
      "'{\"data-collections\": [\"public.items\"], \"type\": \"incremental\"}')");
  // While the chunks are read, another client keeps changing rows: each update bumps the
  // version, so per key the versions in the events must never go down.
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    auto conn = server_->Connect(db_);
    for (int i = 0; writing.load(); ++i) {
      const int id = 1 + (i * 7) % 40;
      (void)conn->Exec("UPDATE items SET version = version + 1 WHERE id = " + std::to_string(id));
      // An instrumented source falls ever further behind an unthrottled writer (its final poll
      // then ends before the stream's end); a sanitizer build writes at most ~2,000 updates/s.
      if (kSanitizerSlowdown > 1) std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  });
  std::map<std::string, std::string> state;  // key -> last version seen
  size_t reads = 0;
  auto apply = [&](const std::vector<Record>& records) {
    for (const Record& r : records) {
      const std::string op = Field(r, "/op");
      ASSERT_EQ(Field(r, "/source/table"), "items");  // signal rows are not events
      if (op == "r") {
        ++reads;
        EXPECT_EQ(Field(r, "/source/snapshot"), "incremental");
      }
      const std::string id = Field(r, "/after/id");
      const std::string version = Field(r, "/after/version");
      if (state.count(id)) {
        EXPECT_GE(std::stoi(version), std::stoi(state[id]))
            << "key " << id << ": an " << op << " event carries an older version";
      }
      state[id] = version;
    }
  };
  // Several snapshots one after the other, to give the race many chances.
  bool done = false;
  const auto deadline =
      SteadyClock::now() + std::chrono::seconds(30) * kSanitizerSlowdown;
  for (int signal = 2; signal <= 6 && SteadyClock::now() < deadline; ++signal) {
    done = false;
    const size_t reads_before = reads;
    while (!done && SteadyClock::now() < deadline) {
      auto polled = PollRecords(*source, 1000, std::chrono::milliseconds(100), 100);
      apply(polled.records);
      if (!polled.position.empty()) {
        auto position = postgres::SourcePosition::FromJson(polled.position);
        ASSERT_TRUE(position.ok());
        done = reads > reads_before && !position->incremental.has_value();
      }
    }
    if (signal < 6) {
      Sql("INSERT INTO signals VALUES ('s" + std::to_string(signal) +
          "', 'execute-snapshot', '{\"data-collections\": [\"public.items\"]}')");
    }
  }
  writing = false;
  writer.join();
  EXPECT_TRUE(done) << "the incremental snapshot did not finish";
  apply(PollRecords(*source, 100000, std::chrono::milliseconds(1500)).records);
  EXPECT_GT(reads, 0u);
  // Every row of the table in its latest version: a chunk row read before a concurrent change
  // never arrives after that change.
  auto conn = server_->Connect(db_);
  auto rows = conn->Exec("SELECT id, version FROM items ORDER BY id");
  ASSERT_TRUE(rows.ok());
  std::map<std::string, std::string> table;
  for (int i = 0; i < rows->rows(); ++i) table[std::string(rows->get(i, 0))] = std::string(rows->get(i, 1));
  EXPECT_EQ(state.size(), 40u);
  EXPECT_EQ(state, table);
}

}  // namespace
}  // namespace rivven::testing

namespace rivven::testing {
namespace {

// One row of every mapped type, captured by the snapshot and by streaming: both must give the
// same JSON, as docs/postgres-types.md says.
TEST_F(PostgresSourceTest, EveryMappedTypeLooksTheSameFromSnapshotAndStream) {
  Sql("CREATE TYPE mood AS ENUM ('sad', 'happy')");
  Sql("CREATE DOMAIN price AS numeric(10,2)");
  Sql(R"(CREATE TABLE typed (
        id int PRIMARY KEY, b boolean, i2 smallint, i8 bigint, f4 real, f8 double precision,
        n numeric(12,4), m money, t text, vc varchar(10), bp char(4), u uuid, j json, jb jsonb,
        by bytea, d date, ts timestamp(3), tstz timestamptz, tm time, tmtz timetz,
        iv interval, e mood, p price, r int4range, ia int[], ta text[], na numeric[],
        f8nan double precision, nnan numeric))");
  const std::string values = R"((%d, true, -32768, 9223372036854775807, 1.5, 0.1,
        1234.5600, '-1234.56', 'tab	"quote" \ back', 'short', 'ab', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
        '{"k": [1, 2]}', '{"k": [1, 2]}', '\x00ff10', '2024-02-29', '2024-01-02 03:04:05.678',
        '2024-01-02 03:04:05.678+02', '23:59:59.5', '10:00:00+05:30', '1 year 2 months 3 days 04:05:06.5',
        'happy', 12.5, '[1,10)', '{1,NULL,3}', '{"a,b","c\"d",NULL,""}', '{1.50,NaN}',
        'NaN', 'NaN'))";
  auto row = [&](int id) {
    std::string v = values;
    v.replace(v.find("%d"), 2, std::to_string(id));
    return v;
  };
  Sql("INSERT INTO typed VALUES " + row(1));
  auto source = OpenSource(Config());
  ASSERT_NE(source, nullptr);
  auto snap = PollRecords(*source, 1);
  ASSERT_EQ(snap.records.size(), 1u);
  Sql("INSERT INTO typed VALUES " + row(2));
  auto streamed = PollRecords(*source, 1);
  ASSERT_EQ(streamed.records.size(), 1u);
  std::string from_snapshot = Field(snap.records[0], "/after");
  std::string from_stream = Field(streamed.records[0], "/after");
  from_snapshot.replace(from_snapshot.find(R"("id":1)"), 6, R"("id":2)");
  EXPECT_EQ(from_snapshot, from_stream);
  const std::string expected =
      R"({"id":2,"b":true,"i2":-32768,"i8":9223372036854775807,"f4":1.5,"f8":0.1,)"
      R"("n":"1234.5600","m":"-1234.56","t":"tab\t\"quote\" \\ back","vc":"short","bp":"ab  ",)"
      R"("u":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","j":"{\"k\": [1, 2]}","jb":"{\"k\": [1, 2]}",)"
      R"("by":"AP8Q","d":"2024-02-29","ts":"2024-01-02T03:04:05.678",)"
      R"("tstz":"2024-01-02T01:04:05.678Z","tm":"23:59:59.5","tmtz":"10:00:00+05:30",)"
      R"x("iv":"P1Y2M3DT4H5M6.5S","e":"happy","p":"12.50","r":"[1,10)","ia":[1,null,3],)x"
      R"("ta":["a,b","c\"d",null,""],"na":["1.50","NaN"],"f8nan":"NaN","nnan":"NaN"})";
  EXPECT_EQ(from_stream, expected);
}

TEST_F(PostgresSourceTest, LogicalMessagesOnRequest) {
  Sql("CREATE TABLE t (id int PRIMARY KEY)");
  auto config = Config();
  config.snapshot_mode = postgres::SnapshotMode::kNever;
  config.include_logical_messages = true;
  auto source = OpenSource(config);
  ASSERT_NE(source, nullptr);
  Sql("SELECT pg_logical_emit_message(true, 'audit', 'in a transaction')");
  Sql("SELECT pg_logical_emit_message(false, 'audit', 'alone')");
  auto polled = PollRecords(*source, 2);
  ASSERT_EQ(polled.records.size(), 2u);
  EXPECT_EQ(Field(polled.records[0], "/op"), "m");
  EXPECT_EQ(Field(polled.records[0], "/message/prefix"), "audit");
  EXPECT_EQ(Field(polled.records[0], "/message/content"), "aW4gYSB0cmFuc2FjdGlvbg==");
  EXPECT_EQ(Field(polled.records[1], "/message/content"), "YWxvbmU=");
}

}  // namespace
}  // namespace rivven::testing

namespace rivven::testing {
namespace {

// Names that only work quoted: spaces, upper case, a double quote, a semicolon and SQL after it,
// a reserved word. Snapshot queries, the publication (named oddly too) and the stream must all
// treat them as names, never as SQL.
TEST_F(PostgresSourceTest, HostileIdentifiersAreQuotedEverywhere) {
  const std::string schema = "Odd Schema";
  const std::string table = "we\"ird; DROP TABLE victim; --";
  Sql("CREATE TABLE victim (id int PRIMARY KEY)");
  Sql("CREATE SCHEMA \"Odd Schema\"");
  Sql("CREATE TABLE \"Odd Schema\".\"we\"\"ird; DROP TABLE victim; --\" "
      "(\"select\" int PRIMARY KEY, \"a\"\"b c\" text)");
  Sql("INSERT INTO \"Odd Schema\".\"we\"\"ird; DROP TABLE victim; --\" VALUES (1, 'one'), (2, 'two')");
  auto config = Config();
  config.publication_name = "Pub \"odd\"; name";
  config.publication_tables = {{schema, table}};
  auto source = OpenSource(config);
  ASSERT_NE(source, nullptr);
  auto snap = PollRecords(*source, 2);
  ASSERT_EQ(snap.records.size(), 2u);
  EXPECT_EQ(Field(snap.records[0], "/after"), R"({"select":1,"a\"b c":"one"})");
  EXPECT_EQ(Field(snap.records[0], "/source/schema"), schema);
  EXPECT_EQ(Field(snap.records[0], "/source/table"), table);
  EXPECT_EQ(KeyOf(snap.records[1]), R"({"select":2})");

  Sql("UPDATE \"Odd Schema\".\"we\"\"ird; DROP TABLE victim; --\" SET \"a\"\"b c\" = 'uno' "
      "WHERE \"select\" = 1");
  auto changes = PollRecords(*source, 1);
  ASSERT_EQ(changes.records.size(), 1u);
  EXPECT_EQ(Field(changes.records[0], "/after"), R"({"select":1,"a\"b c":"uno"})");
  EXPECT_EQ(Value("SELECT count(*) FROM pg_publication WHERE pubname = 'Pub \"odd\"; name'"), "1");
  EXPECT_EQ(Value("SELECT to_regclass('victim') IS NOT NULL"), "t");  // nothing was executed
}

}  // namespace
}  // namespace rivven::testing
