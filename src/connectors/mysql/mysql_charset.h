#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

/// MySQL/MariaDB character sets as the row decoder needs them: which charset a collation id
/// belongs to (table maps and information_schema name collations, not charsets), and how its
/// bytes become UTF-8 in JSON. The tables are generated from a MariaDB server
/// (tools/generate_charset_tables.py); everything here is immutable and thread-safe.
namespace rivven::mysql {

/// How a charset's bytes are turned into JSON text.
enum class CharsetKind : uint8_t {
  kBinary,          ///< no charset: bytes, written as base64
  kUtf8,            ///< utf8mb3 / utf8mb4: validated, copied
  kSingleByte,      ///< one byte per character, through a 256-entry table (latin1 = cp1252, ...)
  kUcs2,            ///< UCS-2, big-endian
  kUtf16,           ///< UTF-16, big-endian
  kUtf16Le,         ///< UTF-16, little-endian
  kUtf32,           ///< UTF-32, big-endian
  kOtherMultiByte,  ///< big5, gbk, sjis, ...: no table here; copied as UTF-8 (invalid → U+FFFD)
};

struct Charset {
  const char* name;  ///< "utf8mb4", "latin1", ... as information_schema spells it
  CharsetKind kind;
  const uint16_t* to_unicode;  ///< kSingleByte: the code point of each byte; nullptr otherwise
};

/// The charset of a collation id (MySQL 5.7/8.0 and MariaDB 10.x/11.x ids); nullptr if unknown.
const Charset* CharsetForCollation(uint32_t collation_id);
/// A charset by name ("utf8" means utf8mb3); nullptr if unknown.
const Charset* CharsetByName(std::string_view name);
/// The binary and utf8mb4 charsets, which always exist.
const Charset& BinaryCharset();
const Charset& Utf8mb4Charset();

/// Appends `bytes` of charset `cs` as a quoted JSON string (binary: base64). Bytes that are not
/// valid in the charset become U+FFFD, so the output is always valid JSON.
void AppendCharsetJsonString(std::string& out, std::string_view bytes, const Charset& cs);

/// Standard base64 with padding, quoted: `"AQL/"`.
void AppendBase64Json(std::string& out, std::string_view bytes);

namespace charset_tables {
/// A collation id and the index of its charset in kCharsets.
struct CollationEntry {
  uint16_t id;
  uint8_t charset;
};
extern const Charset kCharsets[];
extern const size_t kCharsetCount;
extern const CollationEntry kCollations[];  ///< sorted by id
extern const size_t kCollationCount;
}  // namespace charset_tables

}  // namespace rivven::mysql
