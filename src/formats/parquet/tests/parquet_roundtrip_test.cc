#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_writer.h"
#include "formats/parquet/tests/parquet_test_util.h"

namespace rivven::formats::parquet {
namespace {

using testing::Footer;
using testing::ReadRows;
using testing::WriteFile;

std::vector<std::string> RoundTrip(const std::vector<std::string>& in, WriterOptions o = {}) {
  return ReadRows(WriteFile(in, o));
}

const SchemaElement& Leaf(const FileMetaData& m, const std::string& name) {
  for (const SchemaElement& e : m.schema) {
    if (e.name == name) return e;
  }
  static SchemaElement none;
  ADD_FAILURE() << "no column " << name;
  return none;
}

TEST(ParquetRoundTripTest, IntegersAreInt64) {
  const std::vector<std::string> in = {R"({"n":1})", R"({"n":-9223372036854775808})",
                                       R"({"n":9223372036854775807})", R"({"n":0})"};
  EXPECT_EQ(RoundTrip(in), in);
  const FileMetaData m = Footer(WriteFile(in));
  EXPECT_EQ(Leaf(m, "n").type, PhysicalType::kInt64);
  EXPECT_EQ(Leaf(m, "n").repetition, Repetition::kOptional);
  EXPECT_EQ(m.version, 1);
  ASSERT_TRUE(m.created_by.has_value());
  EXPECT_EQ(m.created_by->rfind("rivven-connect version ", 0), 0u);
}

TEST(ParquetRoundTripTest, FractionsAndExponentsAreDouble) {
  const std::vector<std::string> in = {R"({"x":1.5})", R"({"x":2})", R"({"x":1e3})",
                                       R"({"x":-0.25})"};
  EXPECT_EQ(RoundTrip(in), (std::vector<std::string>{R"({"x":1.5})", R"({"x":2})", R"({"x":1000})",
                                                     R"({"x":-0.25})"}));
  EXPECT_EQ(Leaf(Footer(WriteFile(in)), "x").type, PhysicalType::kDouble);
}

TEST(ParquetRoundTripTest, BooleansStringsAndUnicode) {
  const std::vector<std::string> in = {R"({"b":true,"s":"plain"})", R"({"b":false,"s":""})",
                                       R"({"b":true,"s":"caf\u00e9 \ud83d\ude00 \"q\" \\ \n"})",
                                       R"({"b":false,"s":"日本語"})"};
  const std::vector<std::string> out = RoundTrip(in);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0], R"({"b":true,"s":"plain"})");
  EXPECT_EQ(out[1], R"({"b":false,"s":""})");
  EXPECT_EQ(out[2], "{\"b\":true,\"s\":\"caf\xC3\xA9 \xF0\x9F\x98\x80 \\\"q\\\" \\\\ \\n\"}");
  EXPECT_EQ(out[3], R"({"b":false,"s":"日本語"})");
  const FileMetaData m = Footer(WriteFile(in));
  EXPECT_EQ(Leaf(m, "b").type, PhysicalType::kBoolean);
  const SchemaElement& s = Leaf(m, "s");
  EXPECT_EQ(s.type, PhysicalType::kByteArray);
  EXPECT_EQ(s.converted_type, ConvertedType::kUtf8);
  ASSERT_TRUE(s.logical_type.has_value());
  EXPECT_EQ(s.logical_type->kind, LogicalType::Kind::kString);
}

TEST(ParquetRoundTripTest, NestedValuesAreJsonStrings) {
  const std::vector<std::string> in = {R"({"o":{"a": [1, 2.50, {"b":null}]},"a":[]})",
                                       R"({"o":"text","a":[true]})"};
  EXPECT_EQ(RoundTrip(in),
            (std::vector<std::string>{R"({"o":"{\"a\":[1,2.50,{\"b\":null}]}","a":"[]"})",
                                      R"({"o":"text","a":"[true]"})"}));
}

TEST(ParquetRoundTripTest, CdcEnvelopeKeepsNestedPartsAsJson) {
  const std::vector<std::string> in = {
      R"({"before":null,"after":{"id":1,"name":"a"},"source":{"db":"shop","lsn":12},"op":"c","ts_ms":1700000000000})",
      R"({"before":{"id":1,"name":"a"},"after":null,"source":{"db":"shop","lsn":13},"op":"d","ts_ms":1700000000001})"};
  EXPECT_EQ(
      RoundTrip(in),
      (std::vector<std::string>{
          R"({"before":null,"after":"{\"id\":1,\"name\":\"a\"}","source":"{\"db\":\"shop\",\"lsn\":12}","op":"c","ts_ms":1700000000000})",
          R"({"before":"{\"id\":1,\"name\":\"a\"}","after":null,"source":"{\"db\":\"shop\",\"lsn\":13}","op":"d","ts_ms":1700000000001})"}));
}

TEST(ParquetRoundTripTest, NullsMissingAndOnlyNullColumns) {
  const std::vector<std::string> in = {R"({"a":1,"z":null})", R"({"z":null})",
                                       R"({"a":null,"late":"x","z":null})"};
  EXPECT_EQ(RoundTrip(in), (std::vector<std::string>{R"({"a":1,"z":null,"late":null})",
                                                     R"({"a":null,"z":null,"late":null})",
                                                     R"({"a":null,"z":null,"late":"x"})"}));
  const FileMetaData m = Footer(WriteFile(in));
  EXPECT_EQ(Leaf(m, "z").type, PhysicalType::kByteArray);
  EXPECT_EQ(Leaf(m, "a").type, PhysicalType::kInt64);
}

TEST(ParquetRoundTripTest, IncompatibleTypesBecomeJsonText) {
  const std::vector<std::string> in = {R"({"m":"s"})",  R"({"m":12})",      R"({"m":1.50})",
                                       R"({"m":true})", R"({"m":{"k":1}})", R"({"m":null})",
                                       R"({"m":-7})"};
  EXPECT_EQ(RoundTrip(in),
            (std::vector<std::string>{R"({"m":"s"})", R"({"m":"12"})", R"({"m":"1.50"})",
                                      R"({"m":"true"})", R"({"m":"{\"k\":1}"})", R"({"m":null})",
                                      R"({"m":"-7"})"}));
}

TEST(ParquetRoundTripTest, IntegersBeyondInt64AreIncompatible) {
  const std::vector<std::string> in = {R"({"big":1})", R"({"big":18446744073709551616})",
                                       R"({"big":9223372036854775808})"};
  EXPECT_EQ(RoundTrip(in),
            (std::vector<std::string>{R"({"big":"1"})", R"({"big":"18446744073709551616"})",
                                      R"({"big":"9223372036854775808"})"}));
}

TEST(ParquetRoundTripTest, EmptyObjectsAndEmptyWriter) {
  EXPECT_EQ(RoundTrip({"{}", "{}"}), (std::vector<std::string>{"{}", "{}"}));
  EXPECT_TRUE(RoundTrip({}).empty());
  Result<std::unique_ptr<Reader>> r = Reader::Open(WriteFile({}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->num_rows(), 0);
}

TEST(ParquetRoundTripTest, AppendRejectsBadRecordsAndKeepsNothing) {
  Writer w;
  EXPECT_TRUE(w.Append(R"({"a":1})").ok());
  for (const char* bad : {"[1,2]", "\"s\"", "{\"a\":", "not json", "{\"a\":1,\"a\":2}", "",
                          "{\"a\":1,\"new\":2,\"a\":3}"}) {
    Status s = w.Append(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(w.rows(), 1u);
  EXPECT_TRUE(w.Append(R"({"a":2})").ok());
  Result<std::string> f = w.Finish();
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(ReadRows(*f), (std::vector<std::string>{R"({"a":1})", R"({"a":2})"}));
  // Reusable after Finish.
  EXPECT_EQ(w.rows(), 0u);
  EXPECT_TRUE(w.Append(R"({"other":"x"})").ok());
  Result<std::string> g = w.Finish();
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(ReadRows(*g), (std::vector<std::string>{R"({"other":"x"})"}));
}

std::vector<std::string> ManyRecords(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    std::string r = "{\"id\":" + std::to_string(i) + ",\"cat\":\"c" + std::to_string(i % 7) +
                    "\",\"uniq\":\"u" + std::to_string(i * 7919) +
                    "\",\"price\":" + std::to_string(i % 100) + "." + std::to_string(i % 10) +
                    "5,\"flag\":" + (i % 3 ? "true" : "false");
    if (i % 5 == 0) r += ",\"maybe\":null";
    if (i % 5 == 1) r += ",\"maybe\":" + std::to_string(i);
    r += "}";
    out.push_back(std::move(r));
  }
  return out;
}

class CodecTest : public ::testing::TestWithParam<Codec> {};

TEST_P(CodecTest, RoundTripsWithDictionaryAndPlainPagesAndRowGroups) {
  const std::vector<std::string> in = ManyRecords(5000);
  std::vector<std::string> expected;
  for (const std::string& r : in) {
    // The same records as the reader renders them: "maybe" is always present.
    std::string e = r;
    if (e.find("\"maybe\"") == std::string::npos) e.insert(e.size() - 1, ",\"maybe\":null");
    expected.push_back(e);
  }
  for (bool dictionary : {true, false}) {
    for (size_t page : {size_t{1} << 20, size_t{500}}) {
      for (size_t group : {size_t{64} << 20, size_t{20000}}) {
        WriterOptions o;
        o.codec = GetParam();
        o.dictionary = dictionary;
        o.page_bytes = page;
        o.row_group_bytes = group;
        const std::string file = WriteFile(in, o);
        EXPECT_EQ(ReadRows(file), expected) << dictionary << " " << page << " " << group;
        const FileMetaData m = Footer(file);
        EXPECT_EQ(m.num_rows, 5000);
        if (group == 20000) {
          EXPECT_GT(m.row_groups.size(), 5u);
        }
        const ColumnMetaData& cat = *m.row_groups[0].columns[1].meta_data;
        EXPECT_EQ(cat.codec, static_cast<CompressionCodec>(GetParam() == Codec::kUncompressed ? 0
                                                           : GetParam() == Codec::kSnappy     ? 1
                                                           : GetParam() == Codec::kGzip       ? 2
                                                                                              : 6));
        EXPECT_EQ(cat.dictionary_page_offset.has_value(), dictionary);
        // "uniq" has as many distinct values as rows: PLAIN is smaller than a dictionary.
        EXPECT_FALSE(m.row_groups[0].columns[2].meta_data->dictionary_page_offset.has_value());
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecTest,
                         ::testing::Values(Codec::kUncompressed, Codec::kSnappy, Codec::kGzip,
                                           Codec::kZstd));

TEST(ParquetRoundTripTest, DictionaryFallsBackPastItsLimit) {
  std::vector<std::string> in;
  for (int i = 0; i < 70000; ++i) in.push_back("{\"k\":\"key-" + std::to_string(i % 66000) + "\"}");
  const std::string file = WriteFile(in);
  EXPECT_FALSE(Footer(file).row_groups[0].columns[0].meta_data->dictionary_page_offset.has_value());
  const std::vector<std::string> out = ReadRows(file);
  ASSERT_EQ(out.size(), in.size());
  EXPECT_EQ(out[65999], R"({"k":"key-65999"})");
  EXPECT_EQ(out[69999], R"({"k":"key-3999"})");
}

TEST(ParquetRoundTripTest, StatisticsUseEachTypesOrder) {
  const std::vector<std::string> in = {
      R"({"i":5,"d":2.5,"s":"b","b":true})", R"({"i":-3,"d":-0.0,"s":"\u00e9","b":true})",
      R"({"i":null,"d":0.0,"s":"a","b":null})", R"({"i":100,"d":-7.25,"s":"B","b":true})"};
  const FileMetaData m = Footer(WriteFile(in));
  auto stats = [&](size_t c) { return *m.row_groups[0].columns[c].meta_data->statistics; };
  auto i64 = [](const std::string& s) {
    int64_t v;
    std::memcpy(&v, s.data(), 8);
    return v;
  };
  auto f64 = [](const std::string& s) {
    double v;
    std::memcpy(&v, s.data(), 8);
    return v;
  };
  EXPECT_EQ(i64(*stats(0).min_value), -3);
  EXPECT_EQ(i64(*stats(0).max_value), 100);
  EXPECT_EQ(*stats(0).null_count, 1);
  EXPECT_EQ(f64(*stats(1).min_value), -7.25);
  EXPECT_EQ(f64(*stats(1).max_value), 2.5);
  EXPECT_EQ(*stats(1).null_count, 0);
  EXPECT_EQ(*stats(2).min_value, "B");  // bytewise: 'B' < 'a' < 'b' < 0xC3...
  EXPECT_EQ(*stats(2).max_value, "\xC3\xA9");
  EXPECT_EQ(*stats(3).min_value, std::string(1, '\1'));
  EXPECT_EQ(*stats(3).null_count, 1);
  EXPECT_EQ(m.type_defined_column_orders, 4u);
}

TEST(ParquetRoundTripTest, ResumesFromAnyRow) {
  WriterOptions o;
  o.page_bytes = 300;
  o.row_group_bytes = 5000;
  const std::vector<std::string> in = ManyRecords(2000);
  const std::string file = WriteFile(in, o);
  const std::vector<std::string> all = ReadRows(file);
  ASSERT_EQ(all.size(), in.size());
  Result<std::unique_ptr<Reader>> r = Reader::Open(file);
  ASSERT_TRUE(r.ok());
  // Batches of 37 rows, each call continuing where the last stopped.
  std::vector<std::string> batched;
  int64_t next = 0;
  while (next < (*r)->num_rows()) {
    int n = 0;
    ASSERT_TRUE((*r)->ForEachRowFrom(next,
                                     [&](std::string_view row) {
                                       batched.emplace_back(row);
                                       return ++n < 37;
                                     })
                    .ok());
    next += n;
  }
  EXPECT_EQ(batched, all);
  // Jumps, backwards too.
  for (int64_t first : {int64_t{1999}, int64_t{0}, int64_t{777}, int64_t{5}, int64_t{1500}}) {
    std::string row;
    ASSERT_TRUE((*r)->ForEachRowFrom(first,
                                     [&](std::string_view v) {
                                       row = v;
                                       return false;
                                     })
                    .ok());
    EXPECT_EQ(row, all[static_cast<size_t>(first)]) << first;
  }
  bool called = false;
  EXPECT_TRUE((*r)->ForEachRowFrom(2000, [&](std::string_view) { return called = true; }).ok());
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace rivven::formats::parquet
