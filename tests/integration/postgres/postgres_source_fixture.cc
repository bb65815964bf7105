#include "postgres_source_fixture.h"

#include <algorithm>
#include <cctype>

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "base/clock.h"

namespace rivven::testing {

std::unique_ptr<PostgresServer> PostgresSourceTest::server_;
std::string PostgresSourceTest::start_error_;

void PostgresSourceTest::SetUpTestSuite() {
  if (PostgresServer::Available() && !server_) server_ = PostgresServer::Start({}, &start_error_);
}

void PostgresSourceTest::TearDownTestSuite() {}

void PostgresSourceTest::SetUp() {
  ASSERT_TRUE(PostgresServer::Available())
      << "PostgreSQL 15 is not installed: run scripts/install-deps.sh";
  ASSERT_NE(server_, nullptr) << start_error_;
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::isalnum(c) ? std::tolower(c) : '_'; });
  name = name.substr(0, 40);
  db_ = "db_" + name;
  slot_ = "slot_" + name;
  publication_ = "pub_" + name;
  // A test that ran before (a rerun) may have left its slot and database behind.
  server_->Exec("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE "
                "slot_name = '" + slot_ + "'");
  server_->Exec("DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)");
  ASSERT_EQ(server_->Exec("CREATE DATABASE " + db_), "");
}

postgres::PostgresSourceConfig PostgresSourceTest::Config() const {
  postgres::PostgresSourceConfig c;
  c.connection = server_->Params(db_);
  for (const auto& [name, value] : postgres::kSessionSettings) c.connection.settings.emplace_back(name, value);
  c.slot_name = slot_;
  c.publication_name = publication_;
  c.server_name = "pg";
  c.heartbeat_interval = std::chrono::milliseconds(0);
  c.status_interval = std::chrono::milliseconds(1000);
  return c;
}

void PostgresSourceTest::Sql(const std::string& sql) const {
  const std::string error = server_->Exec(sql, db_);
  ASSERT_EQ(error, "") << sql;
}

std::string PostgresSourceTest::Value(const std::string& sql) const {
  return server_->QueryValue(sql, db_);
}

PostgresSourceTest::Polled PostgresSourceTest::PollRecords(postgres::PostgresSource& source,
                                                           size_t count,
                                                           std::chrono::milliseconds timeout,
                                                           size_t max_records) {
  Polled polled;
  std::stop_source stop;
  const auto deadline = SteadyClock::now() + timeout;
  while (polled.records.size() < count && SteadyClock::now() < deadline && !polled.finished) {
    auto batch = source.Poll(std::min(max_records, count - polled.records.size()),
                             std::chrono::milliseconds(200), stop.get_token());
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok()) break;
    for (auto& r : batch->records) polled.records.push_back(std::move(r));
    if (!batch->position.empty()) {
      polled.position = batch->position;
      EXPECT_TRUE(source.Acknowledge(batch->position).ok());
    }
    polled.finished = batch->finished;
  }
  return polled;
}

std::string Field(const Record& record, const std::string& pointer) {
  rapidjson::Document d;
  if (!record.value) return "<tombstone>";
  d.Parse(record.value->c_str());
  if (d.HasParseError()) return "<not json>";
  const rapidjson::Value* v = rapidjson::Pointer(pointer.c_str()).Get(d);
  if (v == nullptr) return "<missing>";
  if (v->IsString()) return v->GetString();
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v->Accept(writer);
  return buffer.GetString();
}

}  // namespace rivven::testing
