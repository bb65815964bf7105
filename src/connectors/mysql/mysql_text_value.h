#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/mysql/binlog_value.h"

/// Values as the server's text protocol returns them (the snapshot's SELECTs) → the same JSON
/// the row decoder writes for the binlog's binary values (docs/mysql-types.md), so a row looks
/// the same whether a snapshot or the stream delivered it. The session must use utf8mb4 and
/// time_zone '+00:00' (the snapshot connection sets both).
namespace rivven::mysql {

struct Charset;

/// How one column's text is written, from information_schema's DATA_TYPE and COLUMN_TYPE.
struct TextColumnPlan {
  enum class Kind : uint8_t {
    kInteger,    ///< the digits as a JSON number
    kDecimal,    ///< exact string, or a number with RowOptions::Decimal::kDouble
    kFloat,      ///< a JSON number
    kText,       ///< a JSON string (the server already converted it to utf8mb4)
    kJsonText,   ///< MariaDB JSON (LONGTEXT): a string holding the document, or embedded
    kBinary,     ///< base64
    kBit,        ///< BIT(1): boolean; wider: base64 of the bytes, least significant first
    kDate,       ///< "2024-01-31"; zero dates null (nullable) or the epoch
    kDateTime,   ///< "2024-01-31T10:00:00.123456" (fsp digits)
    kTimestamp,  ///< as kDateTime with a Z
    kTime,       ///< "-838:59:59.000000" as the server prints it
    kYear,       ///< a number
    kGeometry,   ///< {"wkb":base64,"srid":n} from the internal SRID + WKB bytes
  };
  Kind kind = Kind::kText;
  uint32_t fsp = 0;    ///< fractional digits of DATETIME / TIMESTAMP
  uint32_t bits = 0;   ///< BIT width
  bool nullable = true;
};

/// The plan for a column: `data_type` ("int", "varchar", ...), `column_type` ("datetime(6)",
/// "bit(3)", ...), `binary_charset` for BINARY/VARBINARY/BLOB (no character set), `json` for
/// MariaDB's JSON columns.
TextColumnPlan MakeTextColumnPlan(std::string_view data_type, std::string_view column_type,
                                  bool nullable, bool json);

/// Appends the JSON of one text value (nullopt: SQL NULL → `null`).
void AppendTextValueJson(std::string& out, std::optional<std::string_view> value,
                         const TextColumnPlan& plan, const RowOptions& options);

}  // namespace rivven::mysql
