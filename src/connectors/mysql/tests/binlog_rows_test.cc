// Row images → JSON against events captured from MariaDB 10.11 (mariadb_capture.h); every
// expected value was checked against the statements in mariadb_capture.sql and against
// mariadb-binlog -vv's rendering of the same file.
#include "connectors/mysql/binlog_rows.h"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "connectors/mysql/mysql_charset.h"
#include "connectors/mysql/tests/binlog_test_util.h"

namespace rivven::mysql {
namespace {

using testing::CapturedFileEvents;

/// Every image of every captured rows event (the 38-row `big` insert left out), by event index.
struct Golden {
  int event;
  std::string json;
};
const Golden kGolden[] = {
    {10, R"({"id":1,"t":-128,"tu":255,"s":-32768,"su":65535,"m":-8388608,"mu":16777215,"i":-2147483648,"iu":4294967295,"b":-9223372036854775808,"bu":18446744073709551615,"y":2155,"flag":1})"},
    {10, R"({"id":2,"t":127,"tu":0,"s":32767,"su":0,"m":8388607,"mu":0,"i":2147483647,"iu":0,"b":9223372036854775807,"bu":0,"y":1901,"flag":0})"},
    {10, R"({"id":3,"t":null,"tu":null,"s":null,"su":null,"m":null,"mu":null,"i":null,"iu":null,"b":null,"bu":null,"y":null,"flag":null})"},
    {10, R"({"id":4,"t":0,"tu":0,"s":0,"su":0,"m":0,"mu":0,"i":0,"iu":0,"b":0,"bu":0,"y":0,"flag":0})"},
    {17, R"({"id":1,"d1":"1234.56","d2":"12345678901234567890123456789012345.123456789012345678901234567890","d3":"99999","d4":"123456789.987654321","du":"0.0001","f":1.5,"dbl":3.141592653589793,"bit1":true,"bit12":"qgo=","bit64":"//////////8="})"},
    {17, R"({"id":2,"d1":"-1234.56","d2":"-0.000000000000000000000000000001","d3":"-1","d4":"-0.000000001","du":"999999.9999","f":-0.1,"dbl":-1e+300,"bit1":false,"bit12":"AAA=","bit64":"AAAAAAAAAAA="})"},
    {17, R"({"id":3,"d1":"0.00","d2":"0.000000000000000000000000000000","d3":"0","d4":"0.000000000","du":"0.0000","f":0,"dbl":0,"bit1":null,"bit12":null,"bit64":null})"},
    {17, R"({"id":4,"d1":"-0.01","d2":"1.000000000000000000000000000000","d3":"-99999","d4":"-123456789.000000001","du":"1.0000","f":3.4e+38,"dbl":2.2250738585072014e-308,"bit1":true,"bit12":"/w8=","bit64":"AQAAAAAAAAA="})"},
    {24, R"({"id":1,"d":"2024-02-29","t":"838:59:59","t3":"-838:59:58.999","t6":"-00:00:00.000001","dt":"9999-12-31T23:59:59","dt1":"2024-01-02T03:04:05.6","dt4":"1000-01-01T00:00:00.0001","dt6":"2024-01-02T03:04:05.123456","ts":"2038-01-19T03:14:07Z","ts2":"1970-01-01T00:00:01.01Z","ts6":"2024-06-30T12:34:56.654321Z"})"},
    {24, R"({"id":2,"d":"1000-01-01","t":"-838:59:59","t3":"-00:00:01.500","t6":"12:34:56.000001","dt":"1970-01-01T00:00:00","dt1":"2024-01-02T03:04:05.0","dt4":"2024-01-02T03:04:05.9999","dt6":"2024-01-02T03:04:05.000001","ts":null,"ts2":null,"ts6":null})"},
    {24, R"({"id":3,"d":null,"t":"-01:02:03","t3":"00:00:00.000","t6":"-12:00:00.500000","dt":null,"dt1":null,"dt4":null,"dt6":null,"ts":null,"ts2":null,"ts6":null})"},
    {29, R"({"id":4,"d":null,"t":"00:00:00","t3":"00:00:00.000","t6":"00:00:00.000000","dt":null,"dt1":null,"dt4":null,"dt6":null,"ts":null,"ts2":null,"ts6":null})"},
    {29, R"({"id":5,"d":"2024-02-30","t":null,"t3":null,"t6":null,"dt":null,"dt1":null,"dt4":null,"dt6":null,"ts":null,"ts2":null,"ts6":null})"},
    {36, R"({"id":1,"c":"ab","c255":"héllo 😀","vc":"a\"b\\c\td\n","vlong":")" + std::string(300, 'x') + R"(","l1":"café","l1c":"é","cp":"Привет","u3":"naïve","bin":"AQIAAA==","vb":"AP8A","tx":"text 日本","tb":"3q2+7w==","mb":"AA==","lt":"ÿ€","e":"medium","st":"a,c,d","j":"{\"k\": [1, 2.5, \"x\\\"y\"], \"n\": null}","g":{"wkb":"AQEAAAAAAAAAAADwPwAAAAAAAABA","srid":0},"pt":{"wkb":"AQEAAAAAAAAAAAAIQAAAAAAAABBA","srid":4326},"u16":"ħi"})"},
    {36, R"({"id":2,"c":"","c255":"","vc":"","vlong":"","l1":"","l1c":"","cp":"","u3":"","bin":"AAAAAA==","vb":"","tx":"","tb":"","mb":"","lt":"","e":"small","st":"","j":"[]","g":null,"pt":null,"u16":""})"},
    {36, R"({"id":3,"c":null,"c255":null,"vc":null,"vlong":null,"l1":null,"l1c":null,"cp":null,"u3":null,"bin":null,"vb":null,"tx":null,"tb":null,"mb":null,"lt":null,"e":null,"st":null,"j":null,"g":null,"pt":null,"u16":null})"},
    {50, R"({"id":4,"t":0,"tu":0,"s":0,"su":0,"m":0,"mu":0,"i":0,"iu":0,"b":0,"bu":0,"y":0,"flag":0})"},
    {50, R"({"id":4,"t":5,"tu":0,"s":null,"su":0,"m":0,"mu":0,"i":0,"iu":0,"b":0,"bu":0,"y":0,"flag":0})"},
    {55, R"({"id":3,"t":null,"tu":null,"s":null,"su":null,"m":null,"mu":null,"i":null,"iu":null,"b":null,"bu":null,"y":null,"flag":null})"},
    {60, R"({"id":2,"c":"","c255":"","vc":"","vlong":"","l1":"","l1c":"","cp":"","u3":"","bin":"AAAAAA==","vb":"","tx":"","tb":"","mb":"","lt":"","e":"small","st":"","j":"[]","g":null,"pt":null,"u16":""})"},
    {60, R"({"id":2,"c":"","c255":"","vc":"changed","vlong":"","l1":"","l1c":"","cp":"","u3":"","bin":"AAAAAA==","vb":"","tx":"","tb":"","mb":"","lt":"","e":"small","st":"","j":"[]","g":null,"pt":null,"u16":""})"},
    {69, R"({"a":1,"b":"one"})"},
};

/// Decodes the capture and returns (event index, image) for every image.
std::vector<std::pair<int, std::string>> DecodeAll(RowOptions options = {}) {
  BinlogDecoder decoder;
  RowsReader reader(options);
  std::vector<std::pair<int, std::string>> out;
  int index = 0;
  for (const std::string& bytes : CapturedFileEvents()) {
    Result<BinlogEvent> e = decoder.Decode(bytes);
    EXPECT_TRUE(e.ok()) << e.status().message();
    if (const auto* rows = std::get_if<RowsEvent>(&e->body)) {
      const TableSchema schema = TableSchema::FromTableMap(*rows->table);
      EXPECT_TRUE(reader.Start(*rows, schema).ok());
      while (!reader.done()) {
        std::string image;
        const Status s = reader.AppendImage(image);
        EXPECT_TRUE(s.ok()) << s.message();
        if (!s.ok()) break;
        if (rows->table->table != "big") out.emplace_back(index, image);
      }
    }
    ++index;
  }
  return out;
}

TEST(BinlogRowsTest, CapturedImagesMatchTheGolden) {
  const auto images = DecodeAll();
  ASSERT_EQ(images.size(), std::size(kGolden));
  for (size_t i = 0; i < images.size(); ++i) {
    EXPECT_EQ(images[i].first, kGolden[i].event) << i;
    EXPECT_EQ(images[i].second, kGolden[i].json) << i;
  }
}

/// The rows event at `index` of the capture, with the decoder that read up to it.
/// The rows event at `index` of the captured file; its views point into `events`, which lives
/// as long as this.
struct At {
  BinlogDecoder decoder;
  std::vector<std::string> events = CapturedFileEvents();
  RowsEvent rows;
  explicit At(int index) {
    for (int i = 0; i <= index; ++i) {
      Result<BinlogEvent> e = decoder.Decode(events[i]);
      EXPECT_TRUE(e.ok());
      if (i == index) rows = std::get<RowsEvent>(e->body);
    }
  }
};

TEST(BinlogRowsTest, UpdatesGiveBeforeThenAfterAndTheKey) {
  At at(50);  // UPDATE ints SET t = 5, s = NULL WHERE id = 4
  ASSERT_EQ(at.rows.kind, RowsKind::kUpdate);
  const TableSchema schema = TableSchema::FromTableMap(*at.rows.table);
  ASSERT_EQ(schema.key_columns(), std::vector<uint32_t>{0});
  RowsReader reader;
  ASSERT_TRUE(reader.Start(at.rows, schema).ok());
  EXPECT_FALSE(reader.next_is_after());
  std::string before, after, key;
  ASSERT_TRUE(reader.AppendImage(before).ok());
  EXPECT_TRUE(reader.next_is_after());
  ASSERT_TRUE(reader.AppendImage(after).ok());
  EXPECT_TRUE(reader.done());
  EXPECT_NE(before.find("\"t\":0,"), std::string::npos);
  EXPECT_NE(after.find("\"t\":5,"), std::string::npos);
  EXPECT_NE(after.find("\"s\":null,"), std::string::npos);
  ASSERT_TRUE(reader.AppendKey(key, after));
  EXPECT_EQ(key, R"({"id":4})");
}

TEST(BinlogRowsTest, KeysAreCopiedFromTheImageInKeyOrder) {
  At at(36);  // strs
  const TableSchema& from_map = TableSchema::FromTableMap(*at.rows.table);
  std::vector<ColumnSchema> columns = from_map.columns();
  const TableSchema schema("shop", "strs", columns, {4, 0, 15});  // vlong, id, e
  RowsReader reader;
  ASSERT_TRUE(reader.Start(at.rows, schema).ok());
  std::string image = "prefix:", key;
  ASSERT_TRUE(reader.AppendImage(image).ok());
  ASSERT_TRUE(reader.AppendKey(key, image));
  EXPECT_EQ(key, R"({"vlong":")" + std::string(300, 'x') + R"(","id":1,"e":"medium"})");
  // No key columns: no key.
  const TableSchema keyless("shop", "strs", columns, {});
  ASSERT_TRUE(reader.Start(at.rows, keyless).ok());
  ASSERT_TRUE(reader.AppendImage(image).ok());
  key.clear();
  EXPECT_FALSE(reader.AppendKey(key, image));
  EXPECT_TRUE(key.empty());
}

TEST(BinlogRowsTest, TheBenchmarkEventHas38RowsOfAbout200Bytes) {
  At at(45);
  EXPECT_EQ(at.rows.table->table, "big");
  EXPECT_GT(at.rows.rows.size(), 7500u);
  RowsReader reader;
  const TableSchema schema = TableSchema::FromTableMap(*at.rows.table);
  ASSERT_TRUE(reader.Start(at.rows, schema).ok());
  int n = 0;
  std::string last;
  while (!reader.done()) {
    last.clear();
    ASSERT_TRUE(reader.AppendImage(last).ok());
    ++n;
  }
  EXPECT_EQ(n, 38);
  EXPECT_EQ(last, R"({"id":38,"name":"customer name number 38 with some padding text to make each row about two hundred bytes long","price":"468.92","created":"2024-03-01T10:00:46.913546","doc":"{\"order\": 38, \"items\": [\"apple\", \"pear\"], \"note\": \"deliver to back door\"}","ts1":"2024-03-01T10:00:38.123456Z","ts2":"2024-03-02T11:04:26.654321Z"})");
}

TEST(BinlogRowsTest, OptionsChangeDecimalsAndJson) {
  At at(45);
  std::vector<ColumnSchema> columns = TableSchema::FromTableMap(*at.rows.table).columns();
  columns[4].json = true;  // MariaDB's JSON is LONGTEXT; information_schema tells the connector
  const TableSchema schema("shop", "big", columns, {0});
  RowsReader reader(RowOptions{RowOptions::Decimal::kDouble, RowOptions::Json::kEmbedded});
  ASSERT_TRUE(reader.Start(at.rows, schema).ok());
  std::string image;
  ASSERT_TRUE(reader.AppendImage(image).ok());
  EXPECT_NE(image.find(R"("price":12.34,)"), std::string::npos) << image;
  EXPECT_NE(image.find(R"("doc":{"order": 1, "items": ["apple", "pear"], "note": "deliver to back door"},)"),
            std::string::npos)
      << image;
}

TEST(BinlogRowsTest, WithoutMetadataTheSchemaSaysUnsignedCharsetAndLabels) {
  At at(36);  // strs
  TableMap bare = *at.rows.table;
  for (TableColumn& c : bare.columns) {
    c.collation = 0;
    c.labels.clear();
    c.is_unsigned.reset();
  }
  RowsEvent rows = at.rows;
  rows.table = std::make_shared<TableMap>(bare);
  std::vector<ColumnSchema> columns = TableSchema::FromTableMap(*at.rows.table).columns();
  const TableSchema schema("shop", "strs", columns, {0});
  RowsReader reader;
  ASSERT_TRUE(reader.Start(rows, schema).ok());
  std::string image;
  ASSERT_TRUE(reader.AppendImage(image).ok());
  EXPECT_EQ(image, kGolden[13].json);
  // Knowing nothing: BLOB/TEXT are base64 (exact bytes), CHAR/VARCHAR UTF-8, ENUM/SET numbers.
  for (ColumnSchema& c : columns) {
    c.charset = nullptr;
    c.labels.clear();
  }
  const TableSchema blind("shop", "strs", columns, {0});
  ASSERT_TRUE(reader.Start(rows, blind).ok());
  image.clear();
  ASSERT_TRUE(reader.AppendImage(image).ok());
  EXPECT_NE(image.find(R"("tx":"dGV4dCDml6XmnKw=")"), std::string::npos) << image;
  EXPECT_NE(image.find(R"("e":2,"st":13,)"), std::string::npos) << image;
  // latin1 read as UTF-8: the byte that is not UTF-8 becomes U+FFFD.
  EXPECT_NE(image.find("\"l1\":\"caf\xEF\xBF\xBD\""), std::string::npos) << image;
}

TEST(BinlogRowsTest, AStaleSchemaIsRefused) {
  At at(10);
  std::vector<ColumnSchema> columns = TableSchema::FromTableMap(*at.rows.table).columns();
  columns.pop_back();
  RowsReader reader;
  const Status s = reader.Start(at.rows, TableSchema("shop", "ints", columns, {0}));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "the schema of shop.ints has 12 columns, the binlog's table map 13: the schema is out of date");
}

TEST(BinlogRowsTest, TruncatedImagesNameTableRowAndColumn) {
  At at(17);  // nums
  const TableSchema schema = TableSchema::FromTableMap(*at.rows.table);
  for (size_t cut = 0; cut < at.rows.rows.size(); ++cut) {
    RowsEvent rows = at.rows;
    rows.rows = rows.rows.substr(0, cut);
    RowsReader reader;
    ASSERT_TRUE(reader.Start(rows, schema).ok());
    Status last;
    std::string out;
    while (!reader.done() && last.ok()) last = reader.AppendImage(out);
    if (cut == 0) continue;  // no rows at all is a valid, empty event
    // A cut that falls between two images leaves fewer rows, and no error.
    if (last.ok()) continue;
    EXPECT_EQ(last.code(), StatusCode::kCorruption);
    EXPECT_EQ(last.message().rfind("rows of shop.nums: row ", 0), 0u) << last.message();
    EXPECT_TRUE(reader.done());
  }
  RowsEvent rows = at.rows;
  rows.rows = rows.rows.substr(0, 10);
  RowsReader reader;
  ASSERT_TRUE(reader.Start(rows, schema).ok());
  std::string out;
  const Status s = reader.AppendImage(out);
  EXPECT_EQ(s.message(),
            "rows of shop.nums: row 0, column 1 d1 (NEWDECIMAL): needs 5 bytes, 4 left at row byte 6");
}

TEST(BinlogRowsTest, MinimalImagesLeaveOutAbsentColumns) {
  // A DELETE of ints under binlog_row_image=MINIMAL: only the key column, id = 7.
  At at(55);
  RowsEvent rows = at.rows;
  const std::string present = testing::Unhex("0100");
  const std::string image = testing::Unhex("00 07000000");
  rows.columns_present = present;
  rows.rows = image;
  const TableSchema schema = TableSchema::FromTableMap(*at.rows.table);
  RowsReader reader;
  ASSERT_TRUE(reader.Start(rows, schema).ok());
  std::string out, key;
  ASSERT_TRUE(reader.AppendImage(out).ok());
  EXPECT_EQ(out, R"({"id":7})");
  ASSERT_TRUE(reader.AppendKey(key, out));
  EXPECT_EQ(key, R"({"id":7})");
  // The key column absent: null in the key.
  const std::string only_t = testing::Unhex("0200");
  const std::string t_image = testing::Unhex("00 05");
  rows.columns_present = only_t;
  rows.rows = t_image;
  ASSERT_TRUE(reader.Start(rows, schema).ok());
  out.clear();
  key.clear();
  ASSERT_TRUE(reader.AppendImage(out).ok());
  EXPECT_EQ(out, R"({"t":5})");
  ASSERT_TRUE(reader.AppendKey(key, out));
  EXPECT_EQ(key, R"({"id":null})");
}

}  // namespace
}  // namespace rivven::mysql
