// The snowflake sink's table side: identifiers, inferred column types, SQL text, bindings.
#include "connectors/snowflake/snowflake_table.h"

#include <gtest/gtest.h>

namespace rivven::snowflake {
namespace {

TEST(SnowflakeTableTest, PlainNamesAreUpperCasedAndOthersQuoted) {
  EXPECT_EQ(StoredName("order_id"), "ORDER_ID");
  EXPECT_EQ(SqlName("order_id"), "ORDER_ID");
  EXPECT_EQ(StoredName("Order Id"), "Order Id");
  EXPECT_EQ(SqlName("Order Id"), "\"Order Id\"");
  EXPECT_EQ(SqlName("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(SqlName("1st"), "\"1st\"");
  EXPECT_EQ(SqlName("$x"), "\"$x\"");
  EXPECT_EQ(SqlName("x$1"), "X$1");
  EXPECT_EQ(QualifiedName("analytics", "CDC", "orders"), "ANALYTICS.CDC.ORDERS");
}

TEST(SnowflakeTableTest, ReservedWordsAndHostileNamesAreQuoted) {
  // Quoted upper case is the same name as the unquoted plain one, so the stored name stays.
  EXPECT_EQ(StoredName("select"), "SELECT");
  EXPECT_EQ(SqlName("select"), "\"SELECT\"");
  EXPECT_EQ(SqlName("order"), "\"ORDER\"");
  EXPECT_EQ(SqlName("ACCOUNT"), "\"ACCOUNT\"");
  EXPECT_EQ(SqlName("with"), "\"WITH\"");
  EXPECT_EQ(SqlName("orders"), "ORDERS");    // not a keyword
  EXPECT_EQ(SqlName("selected"), "SELECTED");
  EXPECT_EQ(QualifiedName("db", "public", "t\"; DROP TABLE x; --"),
            "DB.PUBLIC.\"t\"\"; DROP TABLE x; --\"");
  EXPECT_EQ(QualifiedName("db", "schema", "table"), "DB.\"SCHEMA\".\"TABLE\"");
}

TEST(SnowflakeTableTest, ColumnTypesFollowTheValuesSeen) {
  ColumnInference inf;
  ASSERT_TRUE(inf.Add(R"({"id":1,"price":2,"name":"a","ok":true,"tags":["x"],"meta":{"k":1},"gone":null,"mixed":1})").ok());
  ASSERT_TRUE(inf.Add(R"({"id":2,"price":2.5,"name":null,"ok":false,"mixed":"one","late":12345678901234567890123})").ok());
  EXPECT_FALSE(inf.Add("[1,2]").ok());
  EXPECT_FALSE(inf.Add("not json").ok());
  const auto cols = inf.Columns();
  ASSERT_EQ(cols.size(), 9u);
  const std::vector<std::pair<std::string, std::string>> want = {
      {"ID", "NUMBER(38,0)"}, {"PRICE", "FLOAT"},   {"NAME", "VARCHAR"},
      {"OK", "BOOLEAN"},      {"TAGS", "VARIANT"},  {"META", "VARIANT"},
      {"GONE", "VARCHAR"},    {"MIXED", "VARIANT"}, {"LATE", "FLOAT"}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(cols[i].name, want[i].first);
    EXPECT_EQ(cols[i].type, want[i].second) << cols[i].name;
  }
  EXPECT_EQ(CreateTableSql("DB.S.T", {{"ID", "NUMBER(38,0)"}, {"Odd Name", "VARIANT"}}),
            "CREATE TABLE IF NOT EXISTS DB.S.T (ID NUMBER(38,0), \"Odd Name\" VARIANT)");
}

TEST(SnowflakeTableTest, RowsBindByStoredNameWithTypes) {
  const std::vector<Column> cols = {{"ID", "NUMBER(38,0)"}, {"PRICE", "FLOAT"},
                                    {"NAME", "VARCHAR"},    {"OK", "BOOLEAN"},
                                    {"META", "VARIANT"},    {"MISSING", "VARCHAR"}};
  auto b = BindRow(R"({"id":7,"price":1.25,"name":"x \"y\"","ok":true,"meta":{"a":[1,2]}})", cols);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->size(), 6u);
  EXPECT_EQ((*b)[0].type, "FIXED");
  EXPECT_EQ((*b)[0].value, "7");
  EXPECT_EQ((*b)[1].type, "REAL");
  EXPECT_EQ((*b)[1].value, "1.25");
  EXPECT_EQ((*b)[2].type, "TEXT");
  EXPECT_EQ((*b)[2].value, "x \"y\"");
  EXPECT_EQ((*b)[3].type, "BOOLEAN");
  EXPECT_EQ((*b)[3].value, "true");
  EXPECT_EQ((*b)[4].value, "{\"a\":[1,2]}");
  EXPECT_EQ((*b)[5].value, std::nullopt);
  EXPECT_FALSE(BindRow("42", cols).ok());
  auto row = StreamingRow(R"({"order_id":1,"Odd Key":{"x":null}})");
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(*row, R"({"ORDER_ID":1,"Odd Key":{"x":null}})");
}

TEST(SnowflakeTableTest, RowsThatCannotFitTheirColumnsAreNamed) {
  const std::vector<Column> cols = {{"ID", "NUMBER(38,0)"},   {"PRICE", "FLOAT"},
                                    {"OK", "BOOLEAN"},        {"NAME", "VARCHAR(16777216)"},
                                    {"DOC", "VARIANT"},       {"DAY", "DATE"}};
  EXPECT_TRUE(CheckRowFits(R"({"id":1,"price":"2.5","ok":"TRUE","name":7,"doc":[1],"day":"2024-01-01"})", cols).ok());
  EXPECT_TRUE(CheckRowFits(R"({"id":null,"doc":{"a":1}})", cols).ok());
  Status unknown = CheckRowFits(R"({"id":1,"colour":"red"})", cols);
  EXPECT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("colour"), std::string::npos) << unknown.ToString();
  Status nested = CheckRowFits(R"({"name":{"first":"a"}})", cols);
  EXPECT_NE(nested.message().find("NAME VARCHAR"), std::string::npos) << nested.ToString();
  EXPECT_FALSE(CheckRowFits(R"({"id":"twelve"})", cols).ok());
  EXPECT_FALSE(CheckRowFits(R"({"ok":1})", cols).ok());
  EXPECT_FALSE(CheckRowFits("[1]", cols).ok());
}

TEST(SnowflakeTableTest, InsertAndMergeStatements) {
  const std::vector<Column> cols = {{"ID", "NUMBER(38,0)"}, {"DOC", "VARIANT"}};
  EXPECT_EQ(InsertSql("DB.S.T", cols, 2),
            "INSERT INTO DB.S.T (ID, DOC) SELECT column1, PARSE_JSON(column2) FROM VALUES (?, ?), (?, ?)");
  EXPECT_EQ(MergeSql("DB.S.T", cols, {"ID"}, 1),
            "MERGE INTO DB.S.T t USING (SELECT column1 AS ID, PARSE_JSON(column2) AS DOC, column3 "
            "AS RIVVEN_OP FROM VALUES (?, ?, ?)) s ON t.ID = s.ID WHEN MATCHED AND s.RIVVEN_OP = "
            "'d' THEN DELETE WHEN MATCHED THEN UPDATE SET t.ID = s.ID, t.DOC = s.DOC WHEN NOT "
            "MATCHED AND s.RIVVEN_OP <> 'd' THEN INSERT (ID, DOC) VALUES (s.ID, s.DOC)");
}

}  // namespace
}  // namespace rivven::snowflake
