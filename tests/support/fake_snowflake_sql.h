#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The SQL side of FakeSnowflake (tests/support/fake_snowflake.h, which lists the statements it
// accepts): a small subset of Snowflake SQL over in-memory tables, and the conversion of bound,
// literal and streamed values into column types that the SQL API and Snowpipe Streaming share.
// Not thread-safe: FakeSnowflake calls it under its own lock.
namespace rivven::testing::fake_snowflake {

/// A column type as DESCRIBE TABLE reports it ("NUMBER(38,0)", "VARCHAR(16777216)", ...).
struct ColumnType {
  enum class Kind {
    kNumber,
    kFloat,
    kVarchar,
    kBoolean,
    kBinary,
    kDate,
    kTime,
    kTimestampNtz,
    kTimestampLtz,
    kTimestampTz,
    kVariant,
    kObject,
    kArray,
  };
  Kind kind = Kind::kVarchar;
  int precision = 38;  ///< NUMBER precision, or fractional-second digits of TIME/TIMESTAMP_*
  int scale = 0;
  int64_t length = 16777216;  ///< VARCHAR characters, BINARY bytes
  std::string Text() const;
};

struct Column {
  std::string name;  ///< as stored: unquoted identifiers upper-cased, quoted ones verbatim
  ColumnType type;
  bool not_null = false;
};

/// A stored value: the JSON text of the value (`42`, `"abc"`, `{"a":1}`); nullopt is SQL NULL.
using Cell = std::optional<std::string>;

struct Table {
  std::string database, schema, name;
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;
  /// Index of the column named `name` (exact, as stored), or -1.
  int FindColumn(std::string_view name) const;
  std::string QualifiedName() const { return database + "." + schema + "." + name; }
};

/// A value before it meets a column: a bind variable (kind = its binding type), a literal,
/// PARSE_JSON's result (kVariant, compact JSON text), or a value streamed as JSON.
struct Value {
  enum class Kind {
    kNull,
    kFixed,
    kReal,
    kDecfloat,
    kText,
    kBoolean,
    kBinary,
    kDate,
    kTime,
    kTimestampNtz,
    kTimestampLtz,
    kTimestampTz,
    kVariant,
  };
  Kind kind = Kind::kNull;
  std::string text;
};

/// A statement's failure as the SQL API reports it in a QueryFailureStatus.
struct SqlError {
  std::string code;
  std::string sql_state;
  std::string message;
};

/// Converts `value` into a cell of `column`, following the SQL API's table of binding types per
/// column type (submitting-requests, "Using bind variables"). False with `*error` set (Snowflake's
/// codes where known) when the value does not fit.
bool Coerce(const Value& value, const Column& column, Cell* cell, SqlError* error);

/// One entry of the request's "bindings" ({"type": ..., "value": ...}); value nullopt is JSON null.
struct Binding {
  std::string type;
  std::optional<std::string> value;
};

/// The result set of a successful statement: column names with their rowType "type" (fixed, text,
/// ...), rows of strings (nullopt is NULL), and DML statistics where the statement is DML.
struct SqlResult {
  struct ResultColumn {
    std::string name;
    std::string type;
  };
  struct Stats {
    int64_t inserted = 0, updated = 0, deleted = 0;
  };
  std::vector<ResultColumn> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::optional<Stats> stats;
};

/// The in-memory tables and the statements that act on them.
class SqlEngine {
 public:
  /// Runs one statement in the context of the request's `database` and `schema` fields ("" when
  /// absent). True with `*result`, or false with `*error`; a failed statement changes nothing.
  bool Execute(std::string_view sql, const std::vector<Binding>& bindings,
               const std::string& database, const std::string& schema, SqlResult* result,
               SqlError* error);

  /// The table with these stored names, compared case-insensitively (Snowpipe Streaming's URIs are
  /// case-insensitive); null when there is none.
  Table* FindInsensitive(std::string_view database, std::string_view schema, std::string_view name);
  const std::map<std::string, Table>& tables() const { return tables_; }

 private:
  std::map<std::string, Table> tables_;  // by QualifiedName()
};

/// Compact JSON of `text` when it is one JSON value; false otherwise.
bool CompactJson(std::string_view text, std::string* out);
/// `text` as a JSON string literal.
std::string JsonQuote(std::string_view text);
/// SQL identifier rules: unquoted names upper-cased, "quoted" ones verbatim with "" for a quote.
std::string NormalizeIdentifier(std::string_view text);

}  // namespace rivven::testing::fake_snowflake
