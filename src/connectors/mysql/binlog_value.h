#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "connectors/mysql/binlog_types.h"

/// One column value of a row image → JSON (docs/mysql-types.md is the table users read).
/// Pure functions; any thread.
namespace rivven::mysql {

struct Charset;
struct TableColumn;

/// Choices users make about the mapping (the same keys as the PostgreSQL source).
struct RowOptions {
  /// DECIMAL: an exact string (Debezium's decimal.handling.mode=string) or a JSON number
  /// holding the nearest double.
  enum class Decimal : uint8_t { kString, kDouble } decimal = Decimal::kString;
  /// JSON columns: a JSON string holding the document (Debezium's io.debezium.data.Json) or
  /// the document itself.
  enum class Json : uint8_t { kString, kEmbedded } json = Json::kString;
};

/// How one column's values are decoded, resolved once per table map and schema.
struct ValuePlan {
  /// What the bytes are (the real type: kEnum / kSet / kString for CHAR; kBlob for every
  /// BLOB/TEXT size).
  ColumnType type = ColumnType::kNull;
  uint32_t length = 0;  ///< as TableColumn::length
  uint8_t scale = 0;    ///< NEWDECIMAL
  bool is_unsigned = false;
  bool nullable = true;       ///< zero dates: null when nullable, else the epoch (Debezium)
  bool json_text = false;     ///< a text column holding JSON (MariaDB's JSON is LONGTEXT)
  const Charset* charset = nullptr;  ///< character columns; binary for BLOB/BINARY
  /// ENUM / SET labels, each already a quoted JSON string ("\"small\""); may be null.
  const std::vector<std::string>* json_labels = nullptr;
};

/// The plan for `column` of a table map. `is_unsigned`, `charset` and `json_labels` are what
/// the schema says; the table map's optional metadata wins where it has them.
ValuePlan MakeValuePlan(const TableColumn& column, bool schema_unsigned,
                        const Charset* schema_charset, bool json_text,
                        const std::vector<std::string>* schema_json_labels);

/// Decodes the non-null value at the start of `data` and appends its JSON. Returns the bytes
/// the value took; a value running past `data` or impossible for its type is kCorruption, a
/// type this decoder does not read (pre-5.0 DECIMAL, MariaDB compressed columns) kInvalidArgument.
Result<size_t> AppendValueJson(std::string& out, std::string_view data, const ValuePlan& plan,
                               const RowOptions& options);

/// The DECIMAL digits of MySQL's binary decimal (`precision`, `scale`) as text ("-12.30"),
/// into `buf` (at least precision + 3 bytes); returns its length, or 0 when `bytes` is not
/// the right size.
size_t FormatBinaryDecimal(std::string_view bytes, uint32_t precision, uint32_t scale, char* buf);
/// The size of a binary decimal of this precision and scale.
size_t BinaryDecimalSize(uint32_t precision, uint32_t scale);

}  // namespace rivven::mysql
