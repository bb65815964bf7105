// Single values and MySQL binary JSON, built by hand from the documented formats (MySQL's
// "Precision Math: DECIMAL Data Type Characteristics", sql/json_binary.h, my_time.cc's
// packed temporal formats) where MariaDB cannot produce them.
#include "connectors/mysql/binlog_value.h"

#include <string>

#include <gtest/gtest.h>

#include "connectors/mysql/binlog_event.h"
#include "connectors/mysql/mysql_charset.h"
#include "connectors/mysql/mysql_json_binary.h"
#include "connectors/mysql/tests/binlog_test_util.h"

namespace rivven::mysql {
namespace {

using testing::Unhex;

/// The JSON of one value of a column of `type` with `length`/`scale`, or "ERROR: message".
std::string Value(ColumnType type, std::string_view hex, uint32_t length = 0, uint8_t scale = 0,
                  const Charset* charset = nullptr, RowOptions options = {}, bool nullable = true) {
  TableColumn c;
  c.type = c.real_type = type;
  c.length = length;
  c.scale = scale;
  c.nullable = nullable;
  const ValuePlan plan = MakeValuePlan(c, false, charset, false, nullptr);
  const std::string bytes = Unhex(hex);
  std::string out;
  Result<size_t> used = AppendValueJson(out, bytes, plan, options);
  if (!used.ok()) return "ERROR: " + used.status().message();
  EXPECT_EQ(*used, bytes.size()) << hex;
  return out;
}

TEST(BinlogValueTest, DecimalsAsTheManualDescribesThem) {
  // "1234567890.1234 as DECIMAL(14,4) is 0x810DFB38D204D2"; negated, every byte inverted.
  EXPECT_EQ(Value(ColumnType::kNewDecimal, "810DFB38D204D2", 14, 4), "\"1234567890.1234\"");
  EXPECT_EQ(Value(ColumnType::kNewDecimal, "7EF204C72DFB2D", 14, 4), "\"-1234567890.1234\"");
  EXPECT_EQ(Value(ColumnType::kNewDecimal, "810DFB38D204D2", 14, 4, nullptr,
                  RowOptions{RowOptions::Decimal::kDouble}),
            "1234567890.1234");
  EXPECT_EQ(Value(ColumnType::kNewDecimal, "80", 2, 0), "\"0\"");
  EXPECT_EQ(Value(ColumnType::kNewDecimal, "7F", 2, 0), "\"0\"");  // -0 prints as 0
  EXPECT_EQ(Value(ColumnType::kNewDecimal, "8A", 1, 0).substr(0, 6), "ERROR:");  // 10 in 1 digit
  char buf[80];
  EXPECT_EQ(FormatBinaryDecimal("\x81", 14, 4, buf), 0u);  // wrong size
}

TEST(BinlogValueTest, IntegersSignedAndUnsigned) {
  TableColumn c;
  c.type = c.real_type = ColumnType::kLongLong;
  c.is_unsigned = true;
  std::string out;
  ASSERT_TRUE(AppendValueJson(out, Unhex("ffffffffffffffff"), MakeValuePlan(c, false, nullptr, false, nullptr), {}).ok());
  EXPECT_EQ(out, "18446744073709551615");
  c.is_unsigned.reset();  // no SIGNEDNESS in the table map: the schema says
  out.clear();
  ASSERT_TRUE(AppendValueJson(out, Unhex("ffffffffffffffff"), MakeValuePlan(c, true, nullptr, false, nullptr), {}).ok());
  EXPECT_EQ(out, "18446744073709551615");
  EXPECT_EQ(Value(ColumnType::kInt24, "feffff"), "-2");
  EXPECT_EQ(Value(ColumnType::kYear, "00"), "0");
  EXPECT_EQ(Value(ColumnType::kYear, "7c"), "2024");
  EXPECT_EQ(Value(ColumnType::kShort, "01"), "ERROR: needs 2 bytes, 1 left");
}

TEST(BinlogValueTest, TemporalValues) {
  // TIME2(2), MySQL's table in my_time_packed_from_binary: disk 7FFFFF.FF = -00:00:00.01,
  // 7FFFFF.9D = -00:00:00.99, 7FFFFF.00 = -00:00:01.00, 7FFFFE.F6 = -00:00:01.10.
  EXPECT_EQ(Value(ColumnType::kTime2, "7fffffff", 2), "\"-00:00:00.01\"");
  EXPECT_EQ(Value(ColumnType::kTime2, "7fffff9d", 2), "\"-00:00:00.99\"");
  EXPECT_EQ(Value(ColumnType::kTime2, "7fffff00", 2), "\"-00:00:01.00\"");
  EXPECT_EQ(Value(ColumnType::kTime2, "7ffffef6", 2), "\"-00:00:01.10\"");
  EXPECT_EQ(Value(ColumnType::kTime2, "800000", 0), "\"00:00:00\"");
  // Old formats: TIME as HHMMSS, DATETIME as YYYYMMDDhhmmss, TIMESTAMP as seconds.
  EXPECT_EQ(Value(ColumnType::kTime, "25d8ff"), "\"-01:02:03\"");  // -10203
  EXPECT_EQ(Value(ColumnType::kDateTime, "457c178468120000"), "\"2024-01-02T03:04:05\"");
  EXPECT_EQ(Value(ColumnType::kTimestamp, "00000000"), "null");
  EXPECT_EQ(Value(ColumnType::kTimestamp, "00000000", 0, 0, nullptr, {}, false),
            "\"1970-01-01T00:00:00Z\"");
  EXPECT_EQ(Value(ColumnType::kTimestamp, "ffffff7f"), "\"2038-01-19T03:14:07Z\"");
  // Zero dates in NOT NULL columns are the epoch, as Debezium writes them.
  EXPECT_EQ(Value(ColumnType::kDate, "000000", 0, 0, nullptr, {}, false), "\"1970-01-01\"");
  EXPECT_EQ(Value(ColumnType::kDateTime2, "8000000000000000", 6, 0, nullptr, {}, false),
            "\"1970-01-01T00:00:00.000000\"");
  EXPECT_EQ(Value(ColumnType::kDate, "ff0100").substr(0, 6), "ERROR:");  // month 15
}

TEST(BinlogValueTest, StringsBitsEnumsAndSets) {
  EXPECT_EQ(Value(ColumnType::kVarchar, "05 6361 66e9 22", 20, 0, CharsetByName("latin1")),
            "\"caf\xC3\xA9\\\"\"");
  EXPECT_EQ(Value(ColumnType::kVarchar, "02 80 9f", 20, 0, CharsetByName("latin1")),
            "\"\xE2\x82\xAC\xC5\xB8\"");  // cp1252: euro sign, Y diaeresis
  EXPECT_EQ(Value(ColumnType::kVarchar, "02 cf f0", 20, 0, CharsetByName("cp1251")),
            "\"\xD0\x9F\xD1\x80\"");
  EXPECT_EQ(Value(ColumnType::kVarchar, "04 d83dde00", 20, 0, CharsetByName("utf16")),
            "\"\xF0\x9F\x98\x80\"");  // a surrogate pair
  EXPECT_EQ(Value(ColumnType::kVarchar, "02 0041", 20, 0, CharsetByName("ucs2")), "\"A\"");
  EXPECT_EQ(Value(ColumnType::kVarchar, "03 0041 00", 20, 0, CharsetByName("utf16")),
            "\"A\xEF\xBF\xBD\"");  // a torn unit
  // 2-byte lengths from 256 bytes of maximum length on.
  EXPECT_EQ(Value(ColumnType::kVarchar, "0200 6869", 300), "\"hi\"");
  // BINARY(4) comes without its trailing zeros.
  EXPECT_EQ(Value(ColumnType::kString, "01 ff", 4, 0, &BinaryCharset()), "\"/wAAAA==\"");
  EXPECT_EQ(Value(ColumnType::kBit, "01", 1), "true");
  EXPECT_EQ(Value(ColumnType::kBit, "0aaa", 12), "\"qgo=\"");
  EXPECT_EQ(Value(ColumnType::kBlob, "0300 000102", 2, 0, &BinaryCharset()), "\"AAEC\"");
  EXPECT_EQ(Value(ColumnType::kBlob, "0500 000102", 2), "ERROR: a value of 5 bytes, 3 left");
  EXPECT_EQ(Value(ColumnType::kGeometry, "03000000 e61000", 4),
            "ERROR: GEOMETRY of 3 bytes has no SRID");
  TableColumn e;
  e.type = ColumnType::kString;
  e.real_type = ColumnType::kEnum;
  e.length = 1;
  const std::vector<std::string> labels = {"\"s\"", "\"m\""};
  std::string out;
  ASSERT_TRUE(AppendValueJson(out, std::string_view("\x02", 1), MakeValuePlan(e, false, nullptr, false, &labels), {}).ok());
  ASSERT_TRUE(AppendValueJson(out, std::string_view("\x00", 1), MakeValuePlan(e, false, nullptr, false, &labels), {}).ok());
  ASSERT_TRUE(AppendValueJson(out, std::string_view("\x07", 1), MakeValuePlan(e, false, nullptr, false, &labels), {}).ok());
  EXPECT_EQ(out, "\"m\"\"\"7");
  e.real_type = ColumnType::kSet;
  out.clear();
  ASSERT_TRUE(AppendValueJson(out, std::string_view("\x03", 1), MakeValuePlan(e, false, nullptr, false, &labels), {}).ok());
  ASSERT_TRUE(AppendValueJson(out, std::string_view("\x04", 1), MakeValuePlan(e, false, nullptr, false, &labels), {}).ok());
  EXPECT_EQ(out, "\"s,m\"4");
  EXPECT_EQ(Value(ColumnType::kDecimal, "00").rfind("ERROR: column type DECIMAL is not supported", 0), 0u);
}

TEST(BinlogValueTest, CharsetsByCollation) {
  EXPECT_STREQ(CharsetForCollation(8)->name, "latin1");
  EXPECT_STREQ(CharsetForCollation(45)->name, "utf8mb4");
  EXPECT_STREQ(CharsetForCollation(63)->name, "binary");
  EXPECT_STREQ(CharsetForCollation(255)->name, "utf8mb4");   // MySQL 8 utf8mb4_0900_ai_ci
  EXPECT_STREQ(CharsetForCollation(2048)->name, "utf8mb3");  // MariaDB uca1400
  EXPECT_EQ(CharsetForCollation(9999), nullptr);
  EXPECT_STREQ(CharsetByName("utf8")->name, "utf8mb3");
}

// ---- MySQL binary JSON ---------------------------------------------------------------------

std::string Json(std::string_view hex) {
  std::string out;
  const Status s = AppendJsonBinaryAsText(out, Unhex(hex));
  return s.ok() ? out : "ERROR: " + s.message();
}

TEST(MysqlJsonBinaryTest, ScalarsAndLiterals) {
  EXPECT_EQ(Json(""), "null");
  EXPECT_EQ(Json("04 00"), "null");
  EXPECT_EQ(Json("04 01"), "true");
  EXPECT_EQ(Json("04 02"), "false");
  EXPECT_EQ(Json("05 ffff"), "-1");
  EXPECT_EQ(Json("06 ffff"), "65535");
  EXPECT_EQ(Json("07 00000080"), "-2147483648");
  EXPECT_EQ(Json("08 ffffffff"), "4294967295");
  EXPECT_EQ(Json("09 0000000000000080"), "-9223372036854775808");
  EXPECT_EQ(Json("0a ffffffffffffffff"), "18446744073709551615");
  EXPECT_EQ(Json("0b 000000000000f83f"), "1.5");
  EXPECT_EQ(Json("0c 03 612262"), "\"a\\\"b\"");
  // A string of 128 bytes: its length takes two bytes (0x80 0x01).
  EXPECT_EQ(Json("0c 8001" + std::string(256, '6')), "\"" + std::string(128, 'f') + "\"");
}

TEST(MysqlJsonBinaryTest, ObjectsAndArraysSmallAndLarge) {
  // {"a": 1}: count 1, size 12, key entry (offset 11, length 1), value entry int16 1 inlined.
  EXPECT_EQ(Json("00 0100 0c00 0b00 0100 05 0100 61"), R"({"a":1})");
  // [1, "x", true, 3.5, 70000]: int16 and literal inlined; string, double, int32 at offsets.
  EXPECT_EQ(Json("02 0500 2100 050100 0c1300 040100 0b1500 071d00 0178 000000000000 0c40 70110100"),
            R"([1,"x",true,3.5,70000])");
  // Large object {"k": -5}: 4-byte fields, int32 inlined.
  EXPECT_EQ(Json("01 01000000 14000000 13000000 0100 07 fbffffff 6b"), R"({"k":-5})");
  // Large array [[]]: a nested small array at offset 13.
  EXPECT_EQ(Json("03 01000000 11000000 02 0d000000 0000 0400"), "[[]]");
  // Nested object {"o": {"b": null}} and keys escaped.
  EXPECT_EQ(Json("00 0100 1800 0b00 0100 00 0c00 6f  0100 0c00 0b00 0100 04 0000 62"),
            R"({"o":{"b":null}})");
}

TEST(MysqlJsonBinaryTest, OpaqueValuesAsMysqlPrintsThem) {
  // CAST(1.5 AS JSON): DECIMAL(2,1) opaque: precision, scale, binary decimal 81 05.
  EXPECT_EQ(Json("0f f6 04 0201 8105"), "1.5");
  // DATE 2015-01-15, packed: ((2015 * 13 + 1) << 5 | 15) << 17 << 24.
  auto packed = [](uint64_t v) {
    std::string hex;
    for (int i = 0; i < 8; ++i) hex += testing::Hex(std::string(1, static_cast<char>(v >> (8 * i))));
    return hex;
  };
  const uint64_t ymd = (uint64_t{2015} * 13 + 1) << 5 | 15;
  EXPECT_EQ(Json("0f 0a 08" + packed(ymd << 17 << 24)), "\"2015-01-15\"");
  const uint64_t hms = 23 << 12 | 24 << 6 | 25;
  EXPECT_EQ(Json("0f 0c 08" + packed(((ymd << 17) | hms) << 24 | 500000)),
            "\"2015-01-15 23:24:25.500000\"");
  EXPECT_EQ(Json("0f 0b 08" + packed(hms << 24)), "\"23:24:25.000000\"");
  EXPECT_EQ(Json("0f fc 02 0102"), "\"base64:type252:AQI=\"");
}

TEST(MysqlJsonBinaryTest, MalformedDocumentsAreErrors) {
  EXPECT_EQ(Json("0d"), "ERROR: binary JSON: unknown value type 0x0d at byte 1");
  EXPECT_EQ(Json("04 03"), "ERROR: binary JSON: unknown literal 0x03 at byte 1");
  EXPECT_EQ(Json("0c 05 6162"), "ERROR: binary JSON: a string of 5 bytes, 2 left at byte 1");
  EXPECT_EQ(Json("00 0100 ff00"), "ERROR: binary JSON: a container of 255 bytes, 4 left at byte 1");
  EXPECT_EQ(Json("00 0100 0c00 0b00 0900 05 0100 61"),
            "ERROR: binary JSON: a key outside its object at byte 5");
  // Every truncation of a valid document is an error, never an over-read.
  const std::string doc = Unhex("02 0500 2100 050100 0c1300 040100 0b1500 071d00 0178 000000000000 0c40 70110100");
  for (size_t n = 1; n < doc.size(); ++n) {
    std::string out;
    EXPECT_FALSE(AppendJsonBinaryAsText(out, doc.substr(0, n)).ok()) << n;
  }
  // Nesting beyond the limit: [[[...]]] 200 deep, each level one value entry pointing at
  // the next array 7 bytes in.
  std::string inner = Unhex("0000 0400");
  for (int i = 0; i < 200; ++i) {
    std::string level = Unhex("0100");
    testing::PutLe(level, 7 + inner.size(), 2);
    level += Unhex("02 0700");
    inner = level + inner;
  }
  std::string out;
  const Status deep = AppendJsonBinaryAsText(out, "\x02" + inner);
  EXPECT_EQ(deep.message().substr(0, 40), "binary JSON: nested deeper than 150 at b");
  out.clear();
  EXPECT_TRUE(AppendJsonBinaryAsText(out, "\x02" + inner.substr(7 * 60)).ok());
  EXPECT_EQ(out, std::string(141, '[') + std::string(141, ']'));
}

}  // namespace
}  // namespace rivven::mysql
