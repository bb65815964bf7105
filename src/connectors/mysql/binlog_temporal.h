#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

/// DATE, TIME, DATETIME and TIMESTAMP values of row images (the old formats and MySQL 5.6's
/// fractional TIME2/DATETIME2/TIMESTAMP2) → quoted ISO-8601 JSON strings. Internal to the row
/// decoder (binlog_value.cc); see docs/mysql-types.md for the forms.
namespace rivven::mysql::internal {

/// Bytes a value of the type takes, given its fractional digits.
inline size_t Time2Size(uint32_t fsp) { return 3 + (fsp + 1) / 2; }
inline size_t DateTime2Size(uint32_t fsp) { return 5 + (fsp + 1) / 2; }
inline size_t Timestamp2Size(uint32_t fsp) { return 4 + (fsp + 1) / 2; }

/// Each appends the JSON of one value at `p` (which holds at least the type's size). Zero
/// dates ('0000-00-00', and dates with a zero month or day) are `null` when `nullable`, else
/// the epoch, as Debezium writes them. Return false for bytes no server writes (out-of-range
/// fields), leaving `out` unchanged.
bool AppendDate(std::string& out, const unsigned char* p, bool nullable);
bool AppendTimeOld(std::string& out, const unsigned char* p);
bool AppendDateTimeOld(std::string& out, const unsigned char* p, bool nullable);
bool AppendTimestampOld(std::string& out, const unsigned char* p, bool nullable);
bool AppendTime2(std::string& out, const unsigned char* p, uint32_t fsp);
bool AppendDateTime2(std::string& out, const unsigned char* p, uint32_t fsp, bool nullable);
bool AppendTimestamp2(std::string& out, const unsigned char* p, uint32_t fsp, bool nullable);

/// MySQL's packed temporal values (8 bytes little-endian, as in binary JSON's opaque DATE /
/// TIME / DATETIME / TIMESTAMP), as MySQL prints them inside JSON: "2015-01-15",
/// "23:24:25.000000", "2015-01-15 23:24:25.000000" (quoted).
void AppendPackedDate(std::string& out, int64_t packed);
void AppendPackedTime(std::string& out, int64_t packed);
void AppendPackedDateTime(std::string& out, int64_t packed);

}  // namespace rivven::mysql::internal
