// Every mapped MySQL/MariaDB type looks the same in a change event whether the snapshot (text
// protocol) or the binlog (binary row images) delivered it (docs/mysql-types.md).
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "mysql_pipeline_fixture.h"

namespace rivven::testing {
namespace {

// `after` of each output line, by after.id, with the id itself removed.
std::map<int64_t, std::string> AfterImages(const std::string& path) {
  std::map<int64_t, std::string> out;
  for (const std::string& line : SplitLines(ReadFile(path))) {
    rapidjson::Document d;
    d.Parse(line.c_str(), line.size());
    if (d.HasParseError() || !d.HasMember("after") || !d["after"].IsObject()) continue;
    rapidjson::Value& after = d["after"];
    const int64_t id = after["id"].GetInt64();
    after.RemoveMember("id");
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    after.Accept(writer);
    out[id] = buffer.GetString();
  }
  return out;
}

TEST_F(MysqlPipelineTest, EveryMappedTypeLooksTheSameFromSnapshotAndStream) {
  ASSERT_EQ(server_->Exec(R"(
    CREATE TABLE t (
      id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, mu MEDIUMINT UNSIGNED,
      i INT, bu BIGINT UNSIGNED, bi BIGINT, d1 DECIMAL(12,2), d2 DECIMAL(30,10), f FLOAT,
      dbl DOUBLE, b1 BIT(1), b10 BIT(10), dt DATE, tm TIME(3), dtm DATETIME, dtm6 DATETIME(6),
      ts TIMESTAMP(3) NULL, y YEAR, c CHAR(5), vl VARCHAR(20) CHARACTER SET latin1,
      tx TEXT CHARACTER SET utf8mb4, bn BINARY(4), vb VARBINARY(8), bl BLOB, j JSON,
      e ENUM('small','medium','large'), s SET('a','b','c'), g POINT);
    SET time_zone = '+00:00';
    INSERT INTO t VALUES (1, -128, 255, -32768, 16777215, -2147483648, 18446744073709551615,
      -9223372036854775808, -1234567890.12, -12345678901234567890.0123456789, 1.5, 2.25e-10,
      1, b'1010000001', '2024-02-29', '-838:59:59.500', '2024-01-02 03:04:05',
      '2024-01-02 03:04:05.123456', '2038-01-19 03:14:07.999', 2155, 'ab', 'café',
      'emoji 😀 "quoted" \\ back', x'0102', x'00ff10', x'deadbeef', '{"k": [1, 2.5, "x"]}',
      'medium', 'a,c', ST_GeomFromText('POINT(1 2)'));
    INSERT INTO t (id) VALUES (2);
  )", db_), "");
  WriteConfig("initial");
  Start();
  ASSERT_TRUE(WaitForEvents(2)) << Logs();
  ASSERT_EQ(server_->Exec("SET time_zone = '+00:00';"
                          "INSERT INTO t SELECT id + 10, ti, tu, si, mu, i, bu, bi, d1, d2, f, dbl, "
                          "b1, b10, dt, tm, dtm, dtm6, ts, y, c, vl, tx, bn, vb, bl, j, e, s, g "
                          "FROM t ORDER BY id;",
                          db_),
            "");
  ASSERT_TRUE(WaitForEvents(4)) << Logs();
  const auto images = AfterImages(output());
  ASSERT_EQ(images.size(), 4u);
  EXPECT_EQ(images.at(1), images.at(11)) << "snapshot (1) vs stream (11)";
  EXPECT_EQ(images.at(2), images.at(12)) << "NULLs: snapshot (2) vs stream (12)";
  // And the forms themselves (docs/mysql-types.md).
  const std::string& full = images.at(11);
  for (const char* expected :
       {R"("ti":-128)", R"("tu":255)", R"("bu":18446744073709551615)",
        R"("bi":-9223372036854775808)", R"("d1":"-1234567890.12")",
        R"("d2":"-12345678901234567890.0123456789")", R"("f":1.5)", R"("b1":true)",
        R"("dt":"2024-02-29")", R"("tm":"-838:59:59.500")", R"("dtm":"2024-01-02T03:04:05")",
        R"("dtm6":"2024-01-02T03:04:05.123456")", R"("ts":"2038-01-19T03:14:07.999Z")",
        R"("y":2155)", R"("c":"ab")", R"("vl":"café")", R"("bn":"AQIAAA==")",
        R"("bl":"3q2+7w==")", R"("e":"medium")", R"("s":"a,c")"}) {
    EXPECT_NE(full.find(expected), std::string::npos) << expected << " in " << full;
  }
  Stop();
}

}  // namespace
}  // namespace rivven::testing
