#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

// The table side of the snowflake sink, pure and unit-tested: identifiers, column types inferred
// from records, and the SQL text of CREATE TABLE, INSERT and MERGE with ? bindings.
namespace rivven::snowflake {

/// An identifier as Snowflake stores it: a plain name ([A-Za-z_][A-Za-z0-9_$]*) is upper-cased
/// (what an unquoted name means in Snowflake); any other name is kept verbatim.
std::string StoredName(std::string_view name);
/// The stored name as SQL text: plain upper-case names bare, others "quoted" ("" for a quote).
std::string SqlName(std::string_view name);
/// "DB"."SCHEMA"."TABLE" per SqlName.
std::string QualifiedName(std::string_view database, std::string_view schema, std::string_view table);

/// A column: its stored name and Snowflake type.
struct Column {
  std::string name;
  std::string type;  ///< NUMBER(38,0), FLOAT, BOOLEAN, VARCHAR, VARIANT
};

/// Column types from JSON objects (docs/snowflake.md): integers of up to 64 bits NUMBER(38,0);
/// numbers with a fraction or exponent, and larger integers, FLOAT (integers and floats mixed:
/// FLOAT); booleans BOOLEAN; strings VARCHAR; objects and arrays VARIANT; any other mix VARIANT;
/// only nulls VARCHAR. Columns in order of first appearance, named by StoredName.
class ColumnInference {
 public:
  /// InvalidArgument when `json` is not a JSON object.
  Status Add(std::string_view json);
  std::vector<Column> Columns() const;
  bool empty() const { return order_.empty(); }

 private:
  enum Kind : unsigned { kNull = 0, kInt = 1, kFloat = 2, kBool = 4, kString = 8, kNested = 16 };
  std::vector<std::string> order_;          ///< stored names
  std::map<std::string, unsigned> kinds_;  ///< stored name -> kinds seen
};

std::string CreateTableSql(std::string_view qualified_table, const std::vector<Column>& columns);

/// A value bound to a ? of a statement (SQL API binding type and text; nullopt = NULL).
struct BoundValue {
  std::string type;  ///< TEXT, FIXED, REAL, BOOLEAN
  std::optional<std::string> value;
};

/// The bindings of one JSON object for `columns` (in their order): numbers as FIXED/REAL text,
/// booleans, strings as TEXT, objects/arrays (and anything in a VARIANT column) as their compact
/// JSON text in TEXT (turned into VARIANT by PARSE_JSON in the statement). Missing keys are
/// NULL. Keys are matched by stored name. InvalidArgument when `json` is not an object.
Result<std::vector<BoundValue>> BindRow(std::string_view json, const std::vector<Column>& columns);

/// OK when every field of the JSON object has a column in `columns` (by stored name) that can
/// take its value: objects and arrays only in VARIANT/OBJECT/ARRAY columns, numbers (or numeric
/// text) in NUMBER/FLOAT columns, booleans (or true/false text) in BOOLEAN columns. Otherwise
/// InvalidArgument naming the field and the column. Only the clear cases: what Snowflake may
/// convert (a number into VARCHAR, text into DATE) is left to it.
Status CheckRowFits(std::string_view json, const std::vector<Column>& columns);

/// A JSON object with its keys renamed to their stored names (what a Snowpipe Streaming row
/// carries), compact. InvalidArgument when `json` is not an object.
Result<std::string> StreamingRow(std::string_view json);

/// INSERT INTO t (cols) SELECT column1, PARSE_JSON(column2), ... FROM VALUES (?, ?), ... for
/// `rows` rows.
std::string InsertSql(std::string_view qualified_table, const std::vector<Column>& columns,
                      size_t rows);

/// MERGE INTO t USING (SELECT column1 AS k, ..., column<n+1> AS op FROM VALUES (...), ...) s ON
/// t.k = s.k ... WHEN MATCHED AND s.op = 'd' THEN DELETE WHEN MATCHED THEN UPDATE SET ... WHEN
/// NOT MATCHED AND s.op <> 'd' THEN INSERT (...) VALUES (...). Each source row binds the
/// columns then the op ('c', 'u', 'r' or 'd').
std::string MergeSql(std::string_view qualified_table, const std::vector<Column>& columns,
                     const std::vector<std::string>& key_columns, size_t rows);

/// The name of the op column in MergeSql's source (not a table column).
inline constexpr std::string_view kMergeOpColumn = "RIVVEN_OP";

}  // namespace rivven::snowflake
