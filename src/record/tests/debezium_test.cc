#include "record/debezium.h"

#include <gtest/gtest.h>

#include <limits>

#include "record/json.h"

namespace rivven::debezium {
namespace {

SourceInfo PostgresSource() {
  SourceInfo s;
  s.version = "0.1.0";
  s.connector = "postgresql";
  s.name = "pg";
  s.ts_ms = 1700000000000;
  s.snapshot = Snapshot::kFalse;
  s.db = "shop";
  s.schema = "public";
  s.table = "orders";
  s.tx_id = 771;
  s.lsn = 24023128;
  return s;
}

TEST(DebeziumTest, OpCharRoundTrip) {
  for (Op op : {Op::kCreate, Op::kUpdate, Op::kDelete, Op::kRead, Op::kTruncate}) {
    auto back = OpFromChar(OpChar(op));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, op);
  }
  EXPECT_EQ(OpChar(Op::kCreate), 'c');
  EXPECT_EQ(OpChar(Op::kUpdate), 'u');
  EXPECT_EQ(OpChar(Op::kDelete), 'd');
  EXPECT_EQ(OpChar(Op::kRead), 'r');
  EXPECT_EQ(OpChar(Op::kTruncate), 't');
  EXPECT_FALSE(OpFromChar('x').has_value());
  EXPECT_FALSE(OpFromChar('C').has_value());
}

TEST(DebeziumTest, PostgresInsertGolden) {
  const std::string v = BuildEnvelope(std::nullopt, R"({"id":1,"name":"a"})", PostgresSource(),
                                      Op::kCreate, 1700000000123);
  EXPECT_EQ(v,
            R"({"before":null,"after":{"id":1,"name":"a"},)"
            R"("source":{"version":"0.1.0","connector":"postgresql","name":"pg",)"
            R"("ts_ms":1700000000000,"snapshot":"false","db":"shop","schema":"public",)"
            R"("table":"orders","txId":771,"lsn":24023128},"op":"c","ts_ms":1700000000123})");
  EXPECT_TRUE(json::IsJson(v));
}

TEST(DebeziumTest, MysqlUpdateGoldenOmitsAbsentFields) {
  SourceInfo s;
  s.version = "0.1.0";
  s.connector = "mysql";
  s.name = "my";
  s.ts_ms = 5;
  s.snapshot = Snapshot::kFalse;
  s.db = "inventory";
  s.table = "customers";
  s.file = "mysql-bin.000003";
  s.pos = 154;
  s.gtid = "3E11FA47-71CA-11E1-9E33-C80AA9429562:23";
  s.server_id = 223344;
  s.row = 2;
  const std::string v =
      BuildEnvelope(R"({"id":7,"v":1})", R"({"id":7,"v":2})", s, Op::kUpdate, 6);
  EXPECT_EQ(v,
            R"({"before":{"id":7,"v":1},"after":{"id":7,"v":2},)"
            R"("source":{"version":"0.1.0","connector":"mysql","name":"my","ts_ms":5,)"
            R"("snapshot":"false","db":"inventory","table":"customers",)"
            R"("file":"mysql-bin.000003","pos":154,)"
            R"("gtid":"3E11FA47-71CA-11E1-9E33-C80AA9429562:23","server_id":223344,"row":2},)"
            R"("op":"u","ts_ms":6})");
  EXPECT_TRUE(json::IsJson(v));
}

TEST(DebeziumTest, DeleteAndSnapshotValues) {
  SourceInfo s = PostgresSource();
  s.snapshot = Snapshot::kLast;
  s.tx_id.reset();
  s.lsn.reset();
  s.schema.reset();
  const std::string v = BuildEnvelope(R"({"id":1})", std::nullopt, s, Op::kDelete, 9);
  EXPECT_EQ(v,
            R"({"before":{"id":1},"after":null,)"
            R"("source":{"version":"0.1.0","connector":"postgresql","name":"pg",)"
            R"("ts_ms":1700000000000,"snapshot":"last","db":"shop","table":"orders"},)"
            R"("op":"d","ts_ms":9})");
  s.snapshot = Snapshot::kTrue;
  EXPECT_NE(BuildEnvelope(std::nullopt, "{}", s, Op::kRead, 1).find(R"("snapshot":"true")"),
            std::string::npos);
}

TEST(DebeziumTest, StringsAreEscaped) {
  SourceInfo s = PostgresSource();
  s.table = "we\"ird\n";
  const std::string v = BuildEnvelope(std::nullopt, "{}", s, Op::kTruncate, 1);
  EXPECT_NE(v.find(R"("table":"we\"ird\n")"), std::string::npos) << v;
  EXPECT_TRUE(json::IsJson(v));
}

TEST(DebeziumTest, TailFieldsAtTheirLimitsAndFileNamesThatNeedEscaping) {
  SourceInfo s;
  s.version = "1";
  s.connector = "mysql";
  s.name = "m";
  s.db = "d";
  s.table = "t";
  s.tx_id = std::numeric_limits<int64_t>::min();
  s.lsn = std::numeric_limits<uint64_t>::max();
  s.file = "bin.000001";
  s.pos = std::numeric_limits<uint64_t>::max();
  s.gtid = "0-1-18446744073709551615";
  s.server_id = std::numeric_limits<uint32_t>::max();
  s.row = std::numeric_limits<uint32_t>::max();
  const std::string plain_tail =
      R"(,"txId":-9223372036854775808,"lsn":18446744073709551615,"file":"bin.000001",)"
      R"("pos":18446744073709551615,"gtid":"0-1-18446744073709551615","server_id":4294967295,)"
      R"("row":4294967295},"op":"u","ts_ms":-1})";
  std::string out;
  AppendEnvelopeTail(out, s, Op::kUpdate, -1);
  EXPECT_EQ(out.substr(out.size() - plain_tail.size()), plain_tail) << out;
  EXPECT_TRUE(json::IsJson("{\"before\":null,\"after\":null" + out)) << out;

  // Names with bytes JSON must escape take the escaping path, through both writers.
  s.file = "we\"ird\\bin\n.000001";
  s.gtid = "\x01";
  const std::string escaped = R"("file":"we\"ird\\bin\n.000001",)";
  SourceWriter writer;
  for (int through_writer = 0; through_writer < 2; ++through_writer) {
    std::string v = "{\"before\":null,\"after\":null";
    if (through_writer) {
      AppendEnvelopeTail(v, writer, s, Op::kCreate, 5);
    } else {
      AppendEnvelopeTail(v, s, Op::kCreate, 5);
    }
    EXPECT_NE(v.find(escaped), std::string::npos) << v;
    EXPECT_NE(v.find(R"("gtid":"\u0001")"), std::string::npos) << v;
    EXPECT_TRUE(json::IsJson(v)) << v;
  }
}

TEST(DebeziumTest, AppendEnvelopeAppends) {
  std::string out = "prefix:";
  AppendEnvelope(out, std::nullopt, std::nullopt, PostgresSource(), Op::kTruncate, 0);
  EXPECT_EQ(out.rfind("prefix:{\"before\":null,\"after\":null,", 0), 0u);
  const std::string tail = R"(},"op":"t","ts_ms":0})";
  EXPECT_EQ(out.substr(out.size() - tail.size()), tail);
}

}  // namespace
}  // namespace rivven::debezium

namespace rivven::debezium {
namespace {

TEST(SourceWriterTest, WritesExactlyWhatAppendSourceWrites) {
  SourceWriter writer;
  SourceInfo s;
  s.version = "1.0";
  s.connector = "postgresql";
  s.name = "pg";
  s.db = "shop";
  s.schema = "public";
  s.table = "orders";
  auto check = [&](const char* what) {
    std::string expected, actual = "x";
    AppendSource(expected, s);
    writer.Append(actual, s);
    EXPECT_EQ(actual, "x" + expected) << what;
  };
  check("first");
  s.ts_ms = 1700000000123;
  s.tx_id = 42;
  s.lsn = 123456789;
  check("varying fields");
  s.table = "items \"quoted\"";
  check("another table");
  s.snapshot = Snapshot::kLast;
  check("snapshot marker");
  s.schema.reset();
  s.tx_id.reset();
  check("no schema, no txId");
  s.name = "other";
  check("another name");
  s.file = "binlog.000001";
  s.pos = 77;
  s.gtid = "0-1-2";
  s.server_id = 1;
  s.row = 0;
  check("mysql fields");
  s.row = 3;
  check("another row");
  s.db = "db2";
  check("another db");
}

}  // namespace
}  // namespace rivven::debezium
