#include "formats/parquet/thrift_compact.h"

#include <string>

#include <gtest/gtest.h>

namespace rivven::formats::parquet {
namespace {

std::string Hex(const std::string& s) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

TEST(ThriftCompactTest, ZigZagVarints) {
  EXPECT_EQ(CompactWriter::ZigZag(0), 0u);
  EXPECT_EQ(CompactWriter::ZigZag(-1), 1u);
  EXPECT_EQ(CompactWriter::ZigZag(1), 2u);
  EXPECT_EQ(CompactWriter::ZigZag(-2), 3u);
  EXPECT_EQ(CompactWriter::ZigZag(INT64_MAX), UINT64_MAX - 1);
  EXPECT_EQ(CompactWriter::ZigZag(INT64_MIN), UINT64_MAX);
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{63}, int64_t{-64}, int64_t{64}, int64_t{300},
                    INT64_MAX, INT64_MIN}) {
    EXPECT_EQ(CompactReader::ZigZagDecode(CompactWriter::ZigZag(v)), v);
  }
  std::string out;
  CompactWriter w(&out);
  w.Varint(300);  // 0xAC 0x02, the protobuf/thrift example
  EXPECT_EQ(Hex(out), "ac02");
}

TEST(ThriftCompactTest, FieldHeadersUseDeltasUpTo15) {
  std::string out;
  CompactWriter w(&out);
  w.BeginStruct();
  w.FieldI32(1, 5);        // delta 1, type 5: 0x15, zigzag(5) = 10
  w.FieldI64(16, -1);      // delta 15: 0xf6, zigzag(-1) = 1
  w.FieldI32(40, 2);       // delta 24 > 15: 0x05, zigzag(40) = 80 (0x50), then 4
  w.FieldBool(41, true);   // 0x11
  w.FieldBool(42, false);  // 0x12
  w.FieldI32(3, 7);        // a negative delta: long form, 0x05 0x06 0x0e
  w.EndStruct();
  EXPECT_EQ(Hex(out), "150af601055004111205060e00");

  CompactReader r(out);
  r.BeginStruct();
  auto f = r.NextField();
  EXPECT_EQ(f.id, 1);
  EXPECT_EQ(f.type, ThriftType::kI32);
  EXPECT_EQ(r.I32(), 5);
  f = r.NextField();
  EXPECT_EQ(f.id, 16);
  EXPECT_EQ(r.I64(), -1);
  f = r.NextField();
  EXPECT_EQ(f.id, 40);
  EXPECT_EQ(r.I32(), 2);
  f = r.NextField();
  EXPECT_EQ(f.id, 41);
  EXPECT_TRUE(CompactReader::FieldBoolValue(f));
  f = r.NextField();
  EXPECT_EQ(f.id, 42);
  EXPECT_FALSE(CompactReader::FieldBoolValue(f));
  f = r.NextField();
  EXPECT_EQ(f.id, 3);
  EXPECT_EQ(r.I32(), 7);
  EXPECT_EQ(r.NextField().type, ThriftType::kStop);
  r.EndStruct();
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.position(), out.size());
}

TEST(ThriftCompactTest, NestedStructsListsAndBinary) {
  std::string out;
  CompactWriter w(&out);
  w.BeginStruct();
  w.FieldStruct(2);
  w.FieldI32(20, 9);  // ids restart inside the nested struct
  w.EndStruct();
  w.FieldList(3, ThriftType::kBinary, 2);
  w.Binary("ab");
  w.Binary("");
  std::vector<int32_t> many(20);
  for (int i = 0; i < 20; ++i) many[static_cast<size_t>(i)] = i - 10;
  w.FieldList(4, ThriftType::kI32, many.size());  // >= 15 elements: size as a varint
  for (int32_t v : many) w.I32(v);
  w.FieldList(5, ThriftType::kStruct, 1);
  w.BeginStruct();
  w.FieldBinary(1, std::string(200, 'x'));
  w.EndStruct();
  w.FieldDouble(6, 1.5);
  w.EndStruct();

  CompactReader r(out);
  r.BeginStruct();
  auto f = r.NextField();
  ASSERT_EQ(f.id, 2);
  ASSERT_EQ(f.type, ThriftType::kStruct);
  r.BeginStruct();
  f = r.NextField();
  EXPECT_EQ(f.id, 20);
  EXPECT_EQ(r.I32(), 9);
  EXPECT_EQ(r.NextField().type, ThriftType::kStop);
  r.EndStruct();
  f = r.NextField();
  ASSERT_EQ(f.id, 3);  // the delta continues from 2 after the nested struct
  ThriftType element;
  ASSERT_EQ(r.ListHeader(&element), 2u);
  EXPECT_EQ(element, ThriftType::kBinary);
  EXPECT_EQ(r.Binary(), "ab");
  EXPECT_EQ(r.Binary(), "");
  f = r.NextField();
  ASSERT_EQ(f.id, 4);
  ASSERT_EQ(r.ListHeader(&element), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(r.I32(), i - 10);
  f = r.NextField();
  ASSERT_EQ(f.id, 5);
  r.Skip(f.type);  // skipping a list of structs
  f = r.NextField();
  ASSERT_EQ(f.id, 6);
  EXPECT_EQ(r.Double(), 1.5);
  EXPECT_EQ(r.NextField().type, ThriftType::kStop);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.position(), out.size());
}

TEST(ThriftCompactTest, TruncationAndOversizedLengthsAreErrors) {
  std::string out;
  CompactWriter w(&out);
  w.BeginStruct();
  w.FieldBinary(1, "hello");
  w.EndStruct();
  for (size_t n = 0; n < out.size(); ++n) {
    CompactReader r(std::string_view(out).substr(0, n));
    r.Skip(ThriftType::kStruct);
    EXPECT_FALSE(r.ok()) << n;
  }
  // A binary claiming 2^40 bytes.
  const std::string huge = "\x18\x80\x80\x80\x80\x80\x20";
  CompactReader r(huge);
  r.Skip(ThriftType::kStruct);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("past the end"), std::string::npos) << r.status().ToString();
  // A list claiming more elements than bytes.
  const std::string list = "\x19\xf5\xff\xff\xff\x0f";
  CompactReader l(list);
  l.Skip(ThriftType::kStruct);
  EXPECT_FALSE(l.ok());
  // Deep nesting is refused, not recursed into.
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "\x1c";
  CompactReader d(deep);
  d.Skip(ThriftType::kStruct);
  EXPECT_FALSE(d.ok());
}

}  // namespace
}  // namespace rivven::formats::parquet
