// The parts of the MySQL client that need no server: parameters, quoting, names.
#include "clients/mysql/mysql_connection.h"

#include <gtest/gtest.h>

#include "clients/mysql/binlog_stream.h"

namespace rivven::mysql {
namespace {

TEST(SslModeTest, ParsesEveryConfigName) {
  const std::pair<const char*, SslMode> cases[] = {
      {"disabled", SslMode::kDisabled},
      {"preferred", SslMode::kPreferred},
      {"required", SslMode::kRequired},
      {"verify_ca", SslMode::kVerifyCa},
      {"verify_identity", SslMode::kVerifyIdentity},
  };
  for (const auto& [name, mode] : cases) {
    auto parsed = ParseSslMode(name);
    ASSERT_TRUE(parsed.ok()) << name << ": " << parsed.status().ToString();
    EXPECT_EQ(*parsed, mode) << name;
    EXPECT_STREQ(SslModeName(mode), name);
  }
}

TEST(SslModeTest, UnknownNameListsTheChoices) {
  for (const char* bad : {"verify-full", "REQUIRED", "", "true"}) {
    auto parsed = ParseSslMode(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.status().message(),
              "unknown ssl mode '" + std::string(bad) +
                  "' (expected one of disabled, preferred, required, verify_ca, verify_identity)");
  }
}

TEST(ConnectionParamsTest, WhereNeverShowsThePassword) {
  ConnectionParams p;
  p.host = "db.example";
  p.port = 3307;
  p.user = "rivven";
  p.password = "hunter2";
  p.database = "shop";
  EXPECT_EQ(p.Where(), "rivven@db.example:3307/shop");
  p.database.clear();
  EXPECT_EQ(p.Where(), "rivven@db.example:3307/");
  EXPECT_EQ(ConnectionParams().port, 3306);
  EXPECT_EQ(ConnectionParams().ssl_mode, SslMode::kPreferred);
}

TEST(ConnectionParamsTest, BadParametersFailBeforeConnecting) {
  ConnectionParams p;
  p.host = "127.0.0.1";
  p.port = 1;  // nothing listens there; the checks must come first
  p.user = "rivven";
  p.ssl_mode = SslMode::kVerifyCa;
  auto no_ca = Connection::Open(p);
  ASSERT_FALSE(no_ca.ok());
  EXPECT_EQ(no_ca.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_ca.status().message().find("verify_ca needs a CA certificate"), std::string::npos);

  p.ssl_mode = SslMode::kRequired;
  p.cert_path = "/tmp/client.crt";
  auto half_pair = Connection::Open(p);
  ASSERT_FALSE(half_pair.ok());
  EXPECT_NE(half_pair.status().message().find("both cert_path and key_path"), std::string::npos);

  p.cert_path.clear();
  p.host.clear();
  auto no_host = Connection::Open(p);
  ASSERT_FALSE(no_host.ok());
  EXPECT_EQ(no_host.status().code(), StatusCode::kInvalidArgument);
}

TEST(QuoteIdentifierTest, BackticksAroundAndDoubledInside) {
  EXPECT_EQ(Connection::QuoteIdentifier("orders"), "`orders`");
  EXPECT_EQ(Connection::QuoteIdentifier("we`ird"), "`we``ird`");
  EXPECT_EQ(Connection::QuoteIdentifier("``"), "``````");
  EXPECT_EQ(Connection::QuoteIdentifier(""), "``");
  EXPECT_EQ(Connection::QuoteIdentifier("a b;\"c'"), "`a b;\"c'`");
}

TEST(BinlogStreamOptionsTest, BadOptionsFailBeforeConnecting) {
  ConnectionParams p;
  p.host = "127.0.0.1";
  p.port = 1;
  p.user = "rivven";
  BinlogStream::Options o;
  o.file = "mysql-bin.000001";
  auto no_id = BinlogStream::Open(p, o);
  ASSERT_FALSE(no_id.ok());
  EXPECT_EQ(no_id.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_id.status().message().find("server_id"), std::string::npos);

  o.server_id = 7;
  o.file.clear();
  auto nowhere = BinlogStream::Open(p, o);
  ASSERT_FALSE(nowhere.ok());
  EXPECT_NE(nowhere.status().message().find("neither a binlog file nor a GTID state"),
            std::string::npos);

  o.file = "mysql-bin.000001";
  o.position = 3;
  auto too_early = BinlogStream::Open(p, o);
  ASSERT_FALSE(too_early.ok());
  EXPECT_EQ(too_early.status().code(), StatusCode::kInvalidArgument);
}

TEST(EventTypeNameTest, KnownAndUnknownTypes) {
  EXPECT_EQ(EventTypeName(EventType::kWriteRowsV1), "WRITE_ROWS_V1");
  EXPECT_EQ(EventTypeName(EventType::kGtid), "GTID");
  EXPECT_EQ(EventTypeName(EventType::kHeartbeat), "HEARTBEAT");
  EXPECT_EQ(EventTypeName(static_cast<EventType>(200)), "EVENT_200");
}

}  // namespace
}  // namespace rivven::mysql
