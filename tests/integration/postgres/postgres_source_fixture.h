#pragma once

// Shared by the postgres-cdc integration tests: one server per test binary, one database per
// test, and a driver that polls a PostgresSource the way the source runner does.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/postgres/postgres_source.h"
#include "support/postgres_server.h"

namespace rivven::testing {

class PostgresSourceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  /// A config for this test's database, slot and publication (named after the test).
  postgres::PostgresSourceConfig Config() const;
  /// Runs SQL in this test's database; fails the test on error.
  void Sql(const std::string& sql) const;
  std::string Value(const std::string& sql) const;

  struct Polled {
    std::vector<Record> records;
    std::string position;  ///< the last position returned
    bool finished = false;
  };
  /// Polls until `count` records arrived (or `timeout`), acknowledging each position as the
  /// runner would once it is durable.
  static Polled PollRecords(postgres::PostgresSource& source, size_t count,
                            std::chrono::milliseconds timeout = std::chrono::seconds(20),
                            size_t max_records = 1000);

  std::string db_;
  std::string slot_;
  std::string publication_;
  static std::unique_ptr<PostgresServer> server_;
  static std::string start_error_;
};

/// The parsed value of a change record (RapidJSON kept out of the header).
std::string Field(const Record& record, const std::string& pointer);  ///< JSON pointer, as text

}  // namespace rivven::testing
