#include "connectors/postgres/pg_value.h"

#include <gtest/gtest.h>

#include <sstream>

#include "base/json_escape.h"

// Every input below is text a PostgreSQL 15.18 server printed, in a session with the settings
// of kSessionSettings, for `SELECT <literal>::<type>` (or `COPY t TO STDOUT` for the COPY
// rows), pasted as it came.

namespace rivven::postgres {
namespace {

// Rows of TypeCatalog::kLoadQuery as the server returned them (columns separated by spaces).
constexpr const char* kUserTypeRows = R"(16385 mood e E 0 0 ,
16384 _mood b A 16385 0 ,
16392 price d N 0 1700 ,
16391 _price b A 16392 0 ,
16394 price2 d N 0 16392 ,
16393 _price2 b A 16394 0 ,
16397 pair c C 0 0 ,
16396 _pair b A 16397 0 ,
603 box b G 600 0 ;
1020 _box b A 603 0 ;
16413 intarr d A 0 1007 ,
16412 _intarr b A 16413 0 ,
16415 citext b S 0 0 ,
16420 _citext b A 16415 0 ,
16403 _t b A 16404 0 ,
)";

constexpr uint32_t kMood = 16385, kMoodArray = 16384, kPrice = 16392, kPriceArray = 16391,
                   kPrice2 = 16394, kPair = 16397, kPairArray = 16396, kBoxArray = 1020,
                   kIntArr = 16413, kIntArrArray = 16412, kCitext = 16415, kCitextArray = 16420;

std::vector<TypeInfo> ParseRows(const char* rows) {
  std::vector<TypeInfo> out;
  std::istringstream in(rows);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    TypeInfo t;
    fields >> t.oid >> t.name >> t.type_type >> t.category >> t.element_oid >> t.base_oid >>
        t.delimiter;
    out.push_back(t);
  }
  return out;
}

const TypeCatalog& Catalog() {
  static const TypeCatalog catalog = [] {
    TypeCatalog c;
    for (TypeInfo& t : ParseRows(kUserTypeRows)) c.Add(std::move(t));
    return c;
  }();
  return catalog;
}

std::string Json(std::string_view text, uint32_t oid, ValueOptions options = {}) {
  std::string out;
  AppendValueJson(out, text, oid, Catalog(), options);
  return out;
}

ValueOptions AsDouble() {
  ValueOptions o;
  o.decimal = ValueOptions::Decimal::kDouble;
  return o;
}

ValueOptions Embedded() {
  ValueOptions o;
  o.json = ValueOptions::Json::kEmbedded;
  return o;
}

// ---- TypeCatalog ----------------------------------------------------------------------------

// What TypeCatalog::kLoadQuery returned for the types the catalog knows without a query.
constexpr const char* kServerBuiltinRows = R"(16 bool b B 0 0 ,
17 bytea b U 0 0 ,
18 char b Z 0 0 ,
19 name b S 18 0 ,
20 int8 b N 0 0 ,
21 int2 b N 0 0 ,
23 int4 b N 0 0 ,
25 text b S 0 0 ,
26 oid b N 0 0 ,
28 xid b U 0 0 ,
114 json b U 0 0 ,
142 xml b U 0 0 ,
143 _xml b A 142 0 ,
199 _json b A 114 0 ,
650 cidr b I 0 0 ,
651 _cidr b A 650 0 ,
700 float4 b N 0 0 ,
701 float8 b N 0 0 ,
774 macaddr8 b U 0 0 ,
775 _macaddr8 b A 774 0 ,
790 money b N 0 0 ,
791 _money b A 790 0 ,
829 macaddr b U 0 0 ,
869 inet b I 0 0 ,
1000 _bool b A 16 0 ,
1001 _bytea b A 17 0 ,
1002 _char b A 18 0 ,
1003 _name b A 19 0 ,
1005 _int2 b A 21 0 ,
1007 _int4 b A 23 0 ,
1009 _text b A 25 0 ,
1011 _xid b A 28 0 ,
1014 _bpchar b A 1042 0 ,
1015 _varchar b A 1043 0 ,
1016 _int8 b A 20 0 ,
1021 _float4 b A 700 0 ,
1022 _float8 b A 701 0 ,
1028 _oid b A 26 0 ,
1040 _macaddr b A 829 0 ,
1041 _inet b A 869 0 ,
1042 bpchar b S 0 0 ,
1043 varchar b S 0 0 ,
1082 date b D 0 0 ,
1083 time b D 0 0 ,
1114 timestamp b D 0 0 ,
1115 _timestamp b A 1114 0 ,
1182 _date b A 1082 0 ,
1183 _time b A 1083 0 ,
1184 timestamptz b D 0 0 ,
1185 _timestamptz b A 1184 0 ,
1186 interval b T 0 0 ,
1187 _interval b A 1186 0 ,
1231 _numeric b A 1700 0 ,
1266 timetz b D 0 0 ,
1270 _timetz b A 1266 0 ,
1560 bit b V 0 0 ,
1561 _bit b A 1560 0 ,
1562 varbit b V 0 0 ,
1563 _varbit b A 1562 0 ,
1700 numeric b N 0 0 ,
2950 uuid b U 0 0 ,
2951 _uuid b A 2950 0 ,
3614 tsvector b U 0 0 ,
3643 _tsvector b A 3614 0 ,
3802 jsonb b U 0 0 ,
3807 _jsonb b A 3802 0 ,
3904 int4range r R 0 0 ,
3905 _int4range b A 3904 0 ,
3906 numrange r R 0 0 ,
3907 _numrange b A 3906 0 ,
3908 tsrange r R 0 0 ,
3909 _tsrange b A 3908 0 ,
3910 tstzrange r R 0 0 ,
3911 _tstzrange b A 3910 0 ,
3912 daterange r R 0 0 ,
3913 _daterange b A 3912 0 ,
3926 int8range r R 0 0 ,
3927 _int8range b A 3926 0 ,
4451 int4multirange m R 0 0 ,
4532 nummultirange m R 0 0 ,
4533 tsmultirange m R 0 0 ,
4534 tstzmultirange m R 0 0 ,
4535 datemultirange m R 0 0 ,
4536 int8multirange m R 0 0 ,
6150 _int4multirange b A 4451 0 ,
6151 _nummultirange b A 4532 0 ,
6152 _tsmultirange b A 4533 0 ,
6153 _tstzmultirange b A 4534 0 ,
6155 _datemultirange b A 4535 0 ,
6157 _int8multirange b A 4536 0 ,
)";

TEST(TypeCatalogTest, BuiltinsMatchTheServer) {
  const TypeCatalog catalog;
  const std::vector<TypeInfo> rows = ParseRows(kServerBuiltinRows);
  ASSERT_EQ(rows.size(), 90u);
  for (const TypeInfo& want : rows) {
    const TypeInfo* got = catalog.Find(want.oid);
    ASSERT_NE(got, nullptr) << want.name;
    EXPECT_EQ(got->name, want.name) << want.oid;
    EXPECT_EQ(got->type_type, want.type_type) << want.name;
    EXPECT_EQ(got->category, want.category) << want.name;
    EXPECT_EQ(got->element_oid, want.element_oid) << want.name;
    EXPECT_EQ(got->base_oid, want.base_oid) << want.name;
    EXPECT_EQ(got->delimiter, want.delimiter) << want.name;
  }
  EXPECT_EQ(catalog.Find(kMood), nullptr);
}

TEST(TypeCatalogTest, ResolveFollowsDomains) {
  const TypeCatalog& c = Catalog();
  EXPECT_EQ(c.Resolve(kPrice)->oid, 1700u);
  EXPECT_EQ(c.Resolve(kPrice2)->oid, 1700u);  // a domain over a domain
  EXPECT_EQ(c.Resolve(kIntArr)->oid, 1007u);  // a domain over int4[]
  EXPECT_EQ(c.Resolve(kMood)->oid, kMood);
  EXPECT_EQ(c.Resolve(23)->oid, 23u);
  EXPECT_EQ(c.Resolve(99999), nullptr);

  TypeCatalog orphan;
  orphan.Add({.oid = 20000, .name = "d", .type_type = 'd', .category = 'N', .base_oid = 20001});
  EXPECT_EQ(orphan.Resolve(20000)->oid, 20000u);  // base unknown: the domain itself
}

TEST(TypeCatalogTest, AddReplaces) {
  TypeCatalog c;
  c.Add({.oid = 30000, .name = "first"});
  c.Add({.oid = 30000, .name = "second", .type_type = 'e', .category = 'E'});
  EXPECT_EQ(c.Find(30000)->name, "second");
  EXPECT_EQ(c.Find(30000)->type_type, 'e');
}

TEST(TypeCatalogTest, LoadQueryLeavesOutOnlyRowTypesOfRelations) {
  const std::string q = TypeCatalog::kLoadQuery;
  EXPECT_NE(q.find("t.oid, t.typname, t.typtype, t.typcategory, t.typelem, t.typbasetype, "
                   "t.typdelim"),
            std::string::npos);
  EXPECT_NE(q.find("t.typrelid = 0 OR c.relkind = 'c'"), std::string::npos);
}

// ---- scalar types ---------------------------------------------------------------------------

TEST(PgValueTest, Bool) {
  EXPECT_EQ(Json("t", 16), "true");
  EXPECT_EQ(Json("f", 16), "false");
}

TEST(PgValueTest, Integers) {
  EXPECT_EQ(Json("32767", 21), "32767");
  EXPECT_EQ(Json("-2147483648", 23), "-2147483648");
  EXPECT_EQ(Json("9223372036854775807", 20), "9223372036854775807");
  EXPECT_EQ(Json("4294967295", 26), "4294967295");
  EXPECT_EQ(Json("12345", 28), "12345");
}

TEST(PgValueTest, Floats) {
  EXPECT_EQ(Json("1.1", 700), "1.1");
  EXPECT_EQ(Json("0.1", 701), "0.1");
  EXPECT_EQ(Json("1e+100", 701), "1e+100");
  EXPECT_EQ(Json("1.5e-07", 701), "1.5e-07");
  EXPECT_EQ(Json("-0", 701), "-0");
  EXPECT_EQ(Json("3.4028235e+38", 700), "3.4028235e+38");
  EXPECT_EQ(Json("123456789.125", 701), "123456789.125");
  EXPECT_EQ(Json("1e-320", 701), "1e-320");
  EXPECT_EQ(Json("NaN", 701), "\"NaN\"");
  EXPECT_EQ(Json("Infinity", 700), "\"Infinity\"");
  EXPECT_EQ(Json("-Infinity", 701), "\"-Infinity\"");
}

TEST(PgValueTest, NumericAsString) {
  EXPECT_EQ(Json("1234.5600", 1700), "\"1234.5600\"");
  EXPECT_EQ(Json("-0.000001", 1700), "\"-0.000001\"");
  EXPECT_EQ(Json("10000000000000000000000000", 1700), "\"10000000000000000000000000\"");
  EXPECT_EQ(Json("NaN", 1700), "\"NaN\"");
  EXPECT_EQ(Json("Infinity", 1700), "\"Infinity\"");
  EXPECT_EQ(Json("-Infinity", 1700), "\"-Infinity\"");
}

TEST(PgValueTest, NumericAsDouble) {
  EXPECT_EQ(Json("1234.5600", 1700, AsDouble()), "1234.56");
  EXPECT_EQ(Json("-0.000001", 1700, AsDouble()), "-1e-06");
  EXPECT_EQ(Json("10000000000000000000000000", 1700, AsDouble()), "1e+25");
  EXPECT_EQ(Json("NaN", 1700, AsDouble()), "\"NaN\"");
  EXPECT_EQ(Json("Infinity", 1700, AsDouble()), "\"Infinity\"");
  EXPECT_EQ(Json("-Infinity", 1700, AsDouble()), "\"-Infinity\"");
  // '-1e400'::numeric and '1e-400'::numeric print in full.
  EXPECT_EQ(Json("-1" + std::string(400, '0'), 1700, AsDouble()), "\"-Infinity\"");
  EXPECT_EQ(Json("0." + std::string(399, '0') + "1", 1700, AsDouble()), "0");
}

TEST(PgValueTest, Money) {
  EXPECT_EQ(Json("$1,234.56", 790), "\"1234.56\"");
  EXPECT_EQ(Json("-$1,234.56", 790), "\"-1234.56\"");
  EXPECT_EQ(Json("$0.00", 790), "\"0.00\"");
  EXPECT_EQ(Json("$0.05", 790), "\"0.05\"");
  EXPECT_EQ(Json("-$0.05", 790), "\"-0.05\"");
  EXPECT_EQ(Json("-$92,233,720,368,547,758.08", 790), "\"-92233720368547758.08\"");
  EXPECT_EQ(Json("$1,234.56", 790, AsDouble()), "1234.56");
  EXPECT_EQ(Json("-$0.05", 790, AsDouble()), "-0.05");
  // Another lc_monetary than C: not parsed, the server's text as it is.
  EXPECT_EQ(Json("1.234,56 EUR", 790), "\"1.234,56 EUR\"");
}

TEST(PgValueTest, StringTypes) {
  EXPECT_EQ(Json("h\xc3\xa9llo \"q\" \\ tab\tx", 25), "\"h\xc3\xa9llo \\\"q\\\" \\\\ tab\\tx\"");
  EXPECT_EQ(Json("ab", 1043), "\"ab\"");
  EXPECT_EQ(Json("ab   ", 1042), "\"ab   \"");  // char(5) keeps its padding
  EXPECT_EQ(Json("pg_class", 19), "\"pg_class\"");
  EXPECT_EQ(Json("x", 18), "\"x\"");
  EXPECT_EQ(Json("MiXed", kCitext), "\"MiXed\"");
  EXPECT_EQ(Json("<a>1</a>", 142), "\"<a>1</a>\"");
  EXPECT_EQ(Json("192.168.0.1/24", 869), "\"192.168.0.1/24\"");
  EXPECT_EQ(Json("10.0.0.0/8", 650), "\"10.0.0.0/8\"");
  EXPECT_EQ(Json("08:00:2b:01:02:03", 829), "\"08:00:2b:01:02:03\"");
  EXPECT_EQ(Json("'a' 'cat' 'fat'", 3614), "\"'a' 'cat' 'fat'\"");
  EXPECT_EQ(Json("101", 1560), "\"101\"");
  EXPECT_EQ(Json("1101", 1562), "\"1101\"");
  EXPECT_EQ(Json("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", 2950),
            "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"");
  EXPECT_EQ(Json("happy", kMood), "\"happy\"");
  EXPECT_EQ(Json(R"-((1,"a b,""c"""))-", kPair), R"-("(1,\"a b,\"\"c\"\"\")")-");
  EXPECT_EQ(Json("anything", 99999), "\"anything\"");  // a type nobody told us about
  EXPECT_EQ(Json("1 2 3", 22), "\"1 2 3\"");           // int2vector
  EXPECT_EQ(Json("1 2", 30), "\"1 2\"");               // oidvector
}

TEST(PgValueTest, RangesAreTheirText) {
  EXPECT_EQ(Json("[1,10)", 3904), "\"[1,10)\"");
  EXPECT_EQ(Json("[1.5,2.5]", 3906), "\"[1.5,2.5]\"");
  EXPECT_EQ(Json("[2024-01-01,2024-02-01)", 3912), "\"[2024-01-01,2024-02-01)\"");
  EXPECT_EQ(Json(R"(["2024-01-01 00:00:00+00","2024-01-02 00:00:00+00"))", 3910),
            R"-("[\"2024-01-01 00:00:00+00\",\"2024-01-02 00:00:00+00\")")-");
  EXPECT_EQ(Json(R"(["2024-01-01 00:00:00","2024-01-02 00:00:00"))", 3908),
            R"-("[\"2024-01-01 00:00:00\",\"2024-01-02 00:00:00\")")-");
  EXPECT_EQ(Json("(,5)", 3926), "\"(,5)\"");
  EXPECT_EQ(Json("empty", 3904), "\"empty\"");
  EXPECT_EQ(Json("{[1,3),[7,9)}", 4451), "\"{[1,3),[7,9)}\"");  // not an array
}

TEST(PgValueTest, JsonAndJsonb) {
  const std::string json = R"({"a": [1, 2.5, "x\"y"], "b": null})";
  EXPECT_EQ(Json(json, 114), R"("{\"a\": [1, 2.5, \"x\\\"y\"], \"b\": null}")");
  EXPECT_EQ(Json(json, 3802), R"("{\"a\": [1, 2.5, \"x\\\"y\"], \"b\": null}")");
  EXPECT_EQ(Json(json, 114, Embedded()), json);
  EXPECT_EQ(Json(json, 3802, Embedded()), json);
  EXPECT_EQ(Json("  [1,2] ", 114, Embedded()), "  [1,2] ");  // json keeps its input's spaces
  EXPECT_EQ(Json("{\"a\": {\"b\": []}, \"s\": \"\xc3\xa9\xc3\xa9\"}", 3802, Embedded()),
            "{\"a\": {\"b\": []}, \"s\": \"\xc3\xa9\xc3\xa9\"}");
}

TEST(PgValueTest, ByteaIsBase64) {
  EXPECT_EQ(Json(R"(\x0102ff)", 17), "\"AQL/\"");
  EXPECT_EQ(Json(R"(\x00)", 17), "\"AA==\"");
  EXPECT_EQ(Json(R"(\x)", 17), "\"\"");
  EXPECT_EQ(Json(R"(\x000102030405)", 17), "\"AAECAwQF\"");
  EXPECT_EQ(Json(R"(\x5c)", 17), "\"XA==\"");
  // bytea_output=escape is not what the session asks for: the text as it is.
  EXPECT_EQ(Json(R"(\000)", 17), R"("\\000")");
}

TEST(PgValueTest, DateTimeAndInterval) {
  EXPECT_EQ(Json("2024-01-02", 1082), "\"2024-01-02\"");
  EXPECT_EQ(Json("infinity", 1082), "\"infinity\"");
  EXPECT_EQ(Json("-infinity", 1082), "\"-infinity\"");
  EXPECT_EQ(Json("0044-03-15 BC", 1082), "\"0044-03-15 BC\"");
  EXPECT_EQ(Json("10000-01-01", 1082), "\"10000-01-01\"");
  EXPECT_EQ(Json("03:04:05.123456", 1083), "\"03:04:05.123456\"");
  EXPECT_EQ(Json("24:00:00", 1083), "\"24:00:00\"");
  EXPECT_EQ(Json("P1Y2M3DT4H5M6.5S", 1186), "\"P1Y2M3DT4H5M6.5S\"");
  EXPECT_EQ(Json("P-1D", 1186), "\"P-1D\"");
  EXPECT_EQ(Json("PT0S", 1186), "\"PT0S\"");
  EXPECT_EQ(Json("P1M-2DT1.25S", 1186), "\"P1M-2DT1.25S\"");
}

TEST(PgValueTest, Timestamp) {
  EXPECT_EQ(Json("2024-01-02 03:04:05.123456", 1114), "\"2024-01-02T03:04:05.123456\"");
  EXPECT_EQ(Json("2024-01-02 03:04:05", 1114), "\"2024-01-02T03:04:05\"");
  EXPECT_EQ(Json("2024-01-02 03:04:05.5", 1114), "\"2024-01-02T03:04:05.5\"");
  EXPECT_EQ(Json("infinity", 1114), "\"infinity\"");
  EXPECT_EQ(Json("0044-03-15 12:00:00 BC", 1114), "\"0044-03-15T12:00:00 BC\"");
}

TEST(PgValueTest, TimestampTz) {
  EXPECT_EQ(Json("2024-01-02 03:04:05.123456+00", 1184), "\"2024-01-02T03:04:05.123456Z\"");
  EXPECT_EQ(Json("2024-01-02 03:04:05+00", 1184), "\"2024-01-02T03:04:05Z\"");
  EXPECT_EQ(Json("1900-01-01 00:00:00+00", 1184), "\"1900-01-01T00:00:00Z\"");
  EXPECT_EQ(Json("2024-01-02 03:04:05.1+00", 1184), "\"2024-01-02T03:04:05.1Z\"");
  EXPECT_EQ(Json("12345-01-02 03:04:05+00", 1184), "\"12345-01-02T03:04:05Z\"");  // year > 9999
  EXPECT_EQ(Json("-infinity", 1184), "\"-infinity\"");
  EXPECT_EQ(Json("0044-03-15 12:00:00+00 BC", 1184), "\"0044-03-15T12:00:00Z BC\"");
  // Printed by sessions in other time zones (Asia/Kolkata, America/St_Johns): offsets kept.
  EXPECT_EQ(Json("2024-01-02 08:34:05+05:30", 1184), "\"2024-01-02T08:34:05+05:30\"");
  EXPECT_EQ(Json("2024-01-02 16:34:05.25+05:30", 1184), "\"2024-01-02T16:34:05.25+05:30\"");
  EXPECT_EQ(Json("1900-01-01 05:21:10+05:21:10", 1184), "\"1900-01-01T05:21:10+05:21:10\"");
  EXPECT_EQ(Json("2024-01-01 23:34:05-03:30", 1184), "\"2024-01-01T23:34:05-03:30\"");
}

TEST(PgValueTest, TimeTz) {
  EXPECT_EQ(Json("03:04:05+00", 1266), "\"03:04:05Z\"");
  EXPECT_EQ(Json("03:04:05.5+05:30", 1266), "\"03:04:05.5+05:30\"");
  EXPECT_EQ(Json("03:04:05-08", 1266), "\"03:04:05-08:00\"");
  EXPECT_EQ(Json("03:04:05+05:45:30", 1266), "\"03:04:05+05:45:30\"");
}

TEST(PgValueTest, DomainsMapAsTheirBaseType) {
  EXPECT_EQ(Json("12.50", kPrice), "\"12.50\"");
  EXPECT_EQ(Json("3.00", kPrice2), "\"3.00\"");
  EXPECT_EQ(Json("12.50", kPrice, AsDouble()), "12.5");
  EXPECT_EQ(Json("{1,2}", kIntArr), "[1,2]");
}

TEST(PgValueTest, ValuesAreAppended) {
  std::string out = "{\"a\":";
  AppendValueJson(out, "2024-01-02 03:04:05+00", 1184, Catalog(), {});
  out += ",\"b\":";
  AppendValueJson(out, "{1,2", 1007, Catalog(), {});  // not an array literal
  out += "}";
  EXPECT_EQ(out, R"({"a":"2024-01-02T03:04:05Z","b":"{1,2"})");
}

// ---- arrays ---------------------------------------------------------------------------------

TEST(PgValueTest, TextArrayWithQuotingAndNulls) {
  EXPECT_EQ(Json(R"({"a\"b","c,d","e\\f",NULL,"","NULL"," sp ","{x}"})", 1009),
            R"(["a\"b","c,d","e\\f",null,"","NULL"," sp ","{x}"])");
  EXPECT_EQ(Json("{\"a\\\\b\",\"tab\there\",\"q\\\"\"}", 1009), R"(["a\\b","tab\there","q\""])");
  EXPECT_EQ(Json(R"({{a,b},{c,NULL}})", 1009), R"([["a","b"],["c",null]])");
  EXPECT_EQ(Json(R"({"a b"})", kCitextArray), R"(["a b"])");
}

TEST(PgValueTest, IntegerArrays) {
  EXPECT_EQ(Json("{{1,2},{3,4}}", 1007), "[[1,2],[3,4]]");
  EXPECT_EQ(Json("{1,NULL,3}", 1007), "[1,null,3]");
  EXPECT_EQ(Json("{}", 1007), "[]");
  EXPECT_EQ(Json("{7,8,9}", 1007), "[7,8,9]");  // '[1:3]={7,8,9}' prints without bounds
  EXPECT_EQ(Json("[0:1][1:2]={{1,2},{3,4}}", 1007), "[[1,2],[3,4]]");
}

TEST(PgValueTest, ArraysMapEachElementByItsType) {
  EXPECT_EQ(Json(R"({"2024-01-02 03:04:05.123456+00",-infinity,NULL})", 1185),
            R"(["2024-01-02T03:04:05.123456Z","-infinity",null])");
  EXPECT_EQ(Json(R"({"2024-01-02 03:04:05"})", 1115), R"(["2024-01-02T03:04:05"])");
  EXPECT_EQ(Json("{03:04:05+00}", 1270), R"(["03:04:05Z"])");
  EXPECT_EQ(Json("{P1D}", 1187), R"(["P1D"])");
  EXPECT_EQ(Json(R"({"\\x0001","\\x"})", 1001), R"(["AAE=",""])");
  EXPECT_EQ(Json("{t,f}", 1000), "[true,false]");
  EXPECT_EQ(Json("{NaN,Infinity,1.5}", 1022), R"(["NaN","Infinity",1.5])");
  EXPECT_EQ(Json("{1.5,NaN}", 1231), R"(["1.5","NaN"])");
  EXPECT_EQ(Json("{1.5,NaN}", 1231, AsDouble()), R"([1.5,"NaN"])");
  EXPECT_EQ(Json("{$1.00,-$2.50}", 791), R"(["1.00","-2.50"])");
  EXPECT_EQ(Json("{happy,sad}", kMoodArray), R"(["happy","sad"])");
  EXPECT_EQ(Json(R"-({"[1,3)",empty})-", 3905), R"-(["[1,3)","empty"])-");
  EXPECT_EQ(Json("{12.50,NULL}", kPriceArray), R"(["12.50",null])");
  EXPECT_EQ(Json(R"-({"(1,\"x y\")"})-", kPairArray), R"-(["(1,\"x y\")"])-");
  // box uses ';' between elements, as its typdelim says.
  EXPECT_EQ(Json("{(1,1),(0,0);(3,3),(2,2)}", kBoxArray), R"-(["(1,1),(0,0)","(3,3),(2,2)"])-");
  // An array of a domain over int4[]: each element is an array literal itself.
  EXPECT_EQ(Json(R"({"{1,2}","{3}"})", kIntArrArray), "[[1,2],[3]]");
}

TEST(PgValueTest, JsonbArray) {
  const std::string text = R"({"{\"a\": 1}","[1, \"x\"]"})";
  EXPECT_EQ(Json(text, 3807), R"(["{\"a\": 1}","[1, \"x\"]"])");
  EXPECT_EQ(Json(text, 3807, Embedded()), R"([{"a": 1},[1, "x"]])");
}

TEST(PgValueTest, MalformedArraysAreTheirText) {
  for (const char* text :
       {"{1,2", "1,2}", "{\"a}", "{1}x", "{1,,2}", "[1:2]{1,2}", "{a\\", "{{{{{{{{{{1}}}}}}}}}}"}) {
    std::string out = "x";
    EXPECT_FALSE(AppendArrayJson(out, text, 23, Catalog(), {})) << text;
    EXPECT_EQ(out, "x") << text;
    out.clear();
    AppendJsonString(out, text);
    EXPECT_EQ(Json(text, 1007), out) << text;
  }
}

// ---- COPY text format -----------------------------------------------------------------------

// A COPY line written with '|' where the server put a tab.
std::string Row(std::string s) {
  for (char& c : s) {
    if (c == '|') c = '\t';
  }
  return s + "\n";
}

using Fields = std::vector<std::optional<std::string>>;

TEST(CopyTextTest, RowsFromCopyToStdout) {
  EXPECT_EQ(SplitCopyRow(Row(R"(1|tab\there|{1,2}|\\x00ff|2024-01-02 03:04:05.5+00)")),
            (Fields{"1", "tab\there", "{1,2}", "\\x00ff", "2024-01-02 03:04:05.5+00"}));
  EXPECT_EQ(SplitCopyRow(Row(R"(2|line1\nline2\r\n|\N|\N|\N)")),
            (Fields{"2", "line1\nline2\r\n", std::nullopt, std::nullopt, std::nullopt}));
  EXPECT_EQ(SplitCopyRow(Row(R"(3|back\\slash \\N|{}|\\x5c|\N)")),
            (Fields{"3", "back\\slash \\N", "{}", "\\x5c", std::nullopt}));
  EXPECT_EQ(SplitCopyRow(Row(R"(4||{NULL}|\\x|-infinity)")),
            (Fields{"4", "", "{NULL}", "\\x", "-infinity"}));
  EXPECT_EQ(SplitCopyRow(Row(R"(5|\N|\N|\N|\N)")),
            (Fields{"5", std::nullopt, std::nullopt, std::nullopt, std::nullopt}));
  EXPECT_EQ(SplitCopyRow(Row(R"(6|\\N|\N|\N|\N)")),
            (Fields{"6", "\\N", std::nullopt, std::nullopt, std::nullopt}));
  EXPECT_EQ(
      SplitCopyRow(Row("7|bell\a vt\\v ff\\f bs\\b \xc3\xa9|\\N|\\N|\\N")),
      (Fields{"7", "bell\a vt\v ff\f bs\b \xc3\xa9", std::nullopt, std::nullopt, std::nullopt}));
}

TEST(CopyTextTest, ArrayAndJsonColumnsDecodeThenMap) {
  const Fields f = SplitCopyRow(Row(R"(1|{"a\\"b","c\td","e\\\\f",NULL,""}|{"k": "v\\\\tw"})"));
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(*f[1], R"({"a\"b","c	d","e\\f",NULL,""})");
  EXPECT_EQ(*f[2], R"({"k": "v\\tw"})");
  EXPECT_EQ(Json(*f[1], 1009), R"(["a\"b","c\td","e\\f",null,""])");
  EXPECT_EQ(Json(*f[2], 3802, Embedded()), R"({"k": "v\\tw"})");
}

TEST(CopyTextTest, UnescapeEveryEscape) {
  std::string out = "stale";
  EXPECT_FALSE(UnescapeCopyText(R"(\N)", out));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(UnescapeCopyText(R"(\b\f\n\r\t\v\\)", out));
  EXPECT_EQ(out, "\b\f\n\r\t\v\\");
  EXPECT_TRUE(UnescapeCopyText(R"(\101\60\7x\0101)", out));  // octal: 1 to 3 digits
  EXPECT_EQ(out, std::string("A0\ax\b1"));
  EXPECT_TRUE(UnescapeCopyText(R"(\x41\x4a\x7G\xg)", out));  // hex: 1 or 2 digits
  EXPECT_EQ(out, "AJ\aGxg");
  EXPECT_TRUE(UnescapeCopyText(R"(\q\.\N2)", out));  // others stand for themselves
  EXPECT_EQ(out, "q.N2");
  EXPECT_TRUE(UnescapeCopyText(R"(\000)", out));
  EXPECT_EQ(out, std::string(1, '\0'));
  EXPECT_TRUE(UnescapeCopyText("", out));
  EXPECT_EQ(out, "");
  EXPECT_TRUE(UnescapeCopyText("end\\", out));  // the server drops a final backslash
  EXPECT_EQ(out, "end");
}

TEST(CopyTextTest, SplitEdgeCases) {
  EXPECT_EQ(SplitCopyRow("\n"), (Fields{""}));
  EXPECT_EQ(SplitCopyRow("a"), (Fields{"a"}));  // no line end
  EXPECT_EQ(SplitCopyRow("a\tb\r\n"), (Fields{"a", "b"}));
  EXPECT_EQ(SplitCopyRow("\t\n"), (Fields{"", ""}));
  EXPECT_EQ(SplitCopyRow("a\\\tb\tc\n"), (Fields{"a\tb", "c"}));  // an escaped raw tab is data

  Fields reused{std::string("previous"), std::nullopt, std::string("x"), std::string("y")};
  SplitCopyRow(Row(R"(\N|2|z)"), reused);
  EXPECT_EQ(reused, (Fields{std::nullopt, "2", "z"}));
}

// The one-buffer split (what the snapshot uses) gives the same fields as the plain one, for
// every shape above, reusing its buffers from row to row.
TEST(CopyTextTest, OneBufferSplitMatchesThePlainSplit) {
  const std::string rows[] = {
      Row(R"(1|tab\there|{1,2}|\\x00ff|2024-01-02 03:04:05.5+00)"),
      Row(R"(2|line1\nline2\r\n|\N|\N|\N)"),
      Row(R"(3|back\\slash \\N|{}|\\x5c|\N)"),
      Row(R"(4||{NULL}|\\x|-infinity)"),
      "\n", "a", "a\tb\r\n", "\t\n", "a\\\tb\tc\n", "\\N\t\\101\\x41\tplain\n"};
  std::string storage;
  std::vector<CopyField> fields;
  for (const std::string& row : rows) {
    SplitCopyRow(row, storage, fields);
    Fields one_buffer;
    for (const CopyField& f : fields) {
      if (f.null) {
        one_buffer.emplace_back();
      } else {
        one_buffer.emplace_back(storage.substr(f.offset, f.length));
      }
    }
    EXPECT_EQ(one_buffer, SplitCopyRow(row)) << row;
  }
}

}  // namespace
}  // namespace rivven::postgres
