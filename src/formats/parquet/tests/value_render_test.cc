#include "formats/parquet/value_render.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include <gtest/gtest.h>

namespace rivven::formats::parquet {
namespace {

ColumnDescriptor Column(PhysicalType t, std::optional<LogicalType> logical = std::nullopt,
                        std::optional<ConvertedType> converted = std::nullopt) {
  ColumnDescriptor c;
  c.name = std::string(1, 'c');  // not = "c": GCC 12 -Wrestrict false positive (PR105651)
  c.physical = t;
  c.logical_type = logical;
  c.converted_type = converted;
  return c;
}

LogicalType Logical(LogicalType::Kind k) {
  LogicalType t;
  t.kind = k;
  return t;
}

std::string Double(double v) {
  ValueRenderer r(Column(PhysicalType::kDouble));
  std::string out;
  r.Double(v, out);
  return out;
}

TEST(ValueRenderTest, DoublesPrintLikeJavaScript) {
  EXPECT_EQ(Double(0), "0");
  EXPECT_EQ(Double(-0.0), "0");
  EXPECT_EQ(Double(1.5), "1.5");
  EXPECT_EQ(Double(12000000), "12000000");
  EXPECT_EQ(Double(1e21), "1e+21");
  EXPECT_EQ(Double(1.5e-7), "1.5e-7");
  EXPECT_EQ(Double(0.000001), "0.000001");
  EXPECT_EQ(Double(-123.456), "-123.456");
  EXPECT_EQ(Double(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(Double(5e-324), "5e-324");
  EXPECT_EQ(Double(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(Double(std::nan("")), "\"NaN\"");
  EXPECT_EQ(Double(-std::numeric_limits<double>::infinity()), "\"-Infinity\"");
  ValueRenderer f(Column(PhysicalType::kFloat));
  std::string out;
  f.Float(0.1f, out);
  EXPECT_EQ(out, "0.1");
}

TEST(ValueRenderTest, DatesTimestampsAndTimes) {
  std::string out;
  ValueRenderer date(Column(PhysicalType::kInt32, Logical(LogicalType::Kind::kDate)));
  date.Int32(19782, out);  // 2024-02-29
  date.Int32(-1, out);
  date.Int32(-719528, out);  // 0000-01-01
  EXPECT_EQ(out, "\"2024-02-29\"\"1969-12-31\"\"0000-01-01\"");

  LogicalType ts = Logical(LogicalType::Kind::kTimestamp);
  ts.adjusted_to_utc = true;
  ts.unit = TimeUnit::kMillis;
  out.clear();
  ValueRenderer ms(Column(PhysicalType::kInt64, ts));
  ms.Int64(1709210096789, out);
  ms.Int64(-1, out);
  EXPECT_EQ(out, "\"2024-02-29T12:34:56.789Z\"\"1969-12-31T23:59:59.999Z\"");
  ts.unit = TimeUnit::kNanos;
  ts.adjusted_to_utc = false;
  out.clear();
  ValueRenderer ns(Column(PhysicalType::kInt64, ts));
  ns.Int64(1, out);
  EXPECT_EQ(out, "\"1970-01-01T00:00:00.000000001\"");
  out.clear();
  ValueRenderer micros(Column(PhysicalType::kInt64, std::nullopt, ConvertedType::kTimestampMicros));
  micros.Int64(1500000, out);
  EXPECT_EQ(out, "\"1970-01-01T00:00:01.500000Z\"");
  out.clear();
  ValueRenderer time(Column(PhysicalType::kInt32, std::nullopt, ConvertedType::kTimeMillis));
  time.Int32(45296789, out);
  EXPECT_EQ(out, "\"12:34:56.789\"");
  // INT96: nanoseconds of the day, then the Julian day (2440588 = 1970-01-01).
  out.clear();
  ValueRenderer int96(Column(PhysicalType::kInt96));
  char b[12];
  const int64_t nanos = 1000000001;
  const int32_t day = 2440589;
  std::memcpy(b, &nanos, 8);
  std::memcpy(b + 8, &day, 4);
  int96.Int96(b, out);
  EXPECT_EQ(out, "\"1970-01-02T00:00:01.000000001\"");
}

TEST(ValueRenderTest, DecimalsIntegersBinaryAndStrings) {
  LogicalType dec = Logical(LogicalType::Kind::kDecimal);
  dec.scale = 2;
  dec.precision = 9;
  std::string out;
  ValueRenderer d32(Column(PhysicalType::kInt32, dec));
  d32.Int32(-1250, out);
  d32.Int32(5, out);
  EXPECT_EQ(out, "\"-12.50\"\"0.05\"");
  out.clear();
  ValueRenderer dbytes(Column(PhysicalType::kFixedLenByteArray, dec));
  dbytes.Bytes(std::string("\xff\xff\xfe\x0c", 4), out);  // -500
  dbytes.Bytes(std::string("\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00", 16),
               out);
  EXPECT_EQ(out, "\"-5.00\"\"184467440737095516.16\"");
  dec.scale = 2000000000;  // a corrupt scale: no 2 GB of zeros
  out.clear();
  ValueRenderer hostile(Column(PhysicalType::kInt64, dec));
  hostile.Int64(7, out);
  EXPECT_EQ(out, "\"7e-2000000000\"");

  LogicalType u32 = Logical(LogicalType::Kind::kInteger);
  u32.bit_width = 32;
  u32.is_signed = false;
  out.clear();
  ValueRenderer unsigned32(Column(PhysicalType::kInt32, u32));
  unsigned32.Int32(-1, out);
  EXPECT_EQ(out, "4294967295");

  out.clear();
  ValueRenderer binary(Column(PhysicalType::kByteArray));
  binary.Bytes("hi!", out);
  binary.Bytes("ab", out);
  binary.Bytes("", out);
  EXPECT_EQ(out, "\"aGkh\"\"YWI=\"\"\"");
  out.clear();
  ValueRenderer str(Column(PhysicalType::kByteArray, std::nullopt, ConvertedType::kUtf8));
  str.Bytes("a\"b\n\xff", out);
  EXPECT_EQ(out, "\"a\\\"b\\n\xEF\xBF\xBD\"");
  out.clear();
  ValueRenderer json(Column(PhysicalType::kByteArray, Logical(LogicalType::Kind::kJson)));
  json.Bytes("{ \"a\" : [1, 2] }", out);
  json.Bytes("not json", out);
  EXPECT_EQ(out, "{\"a\":[1,2]}\"not json\"");
  out.clear();
  ColumnDescriptor uuid_col =
      Column(PhysicalType::kFixedLenByteArray, Logical(LogicalType::Kind::kUuid));
  uuid_col.type_length = 16;
  ValueRenderer uuid(uuid_col);
  uuid.Bytes(std::string("\x12\x34\x56\x78\x9a\xbc\xde\xf0\x01\x23\x45\x67\x89\xab\xcd\xef", 16),
             out);
  EXPECT_EQ(out, "\"12345678-9abc-def0-0123-456789abcdef\"");
}

}  // namespace
}  // namespace rivven::formats::parquet
