#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/status.h"

/// How PostgreSQL column values become JSON in change events (docs/postgres-types.md is the
/// table users read). Input is PostgreSQL's text output format, as pgoutput (text mode) and
/// `COPY ... TO STDOUT` deliver it, produced by a session with TimeZone=UTC,
/// DateStyle=ISO, IntervalStyle=iso_8601 and extra_float_digits=3 (see kSessionSettings).
/// Everything here is a pure function of its arguments and may be called from any thread.
namespace rivven::postgres {

/// The session settings every connection of the connector uses, so text output is stable.
inline constexpr std::pair<const char*, const char*> kSessionSettings[] = {
    {"TimeZone", "UTC"},
    {"DateStyle", "ISO, YMD"},
    {"IntervalStyle", "iso_8601"},
    {"extra_float_digits", "3"},
    {"bytea_output", "hex"},
    // money prints with the server's lc_monetary; "C" gives "$1,234.56" whatever the server's
    // own locale is, which is the form the mapping parses.
    {"lc_monetary", "C"},
};

/// What we know of a type: from pg_type (see TypeCatalog::kLoadQuery).
struct TypeInfo {
  uint32_t oid = 0;
  std::string name;        ///< typname, e.g. "int4", "_int4", "mood"
  char type_type = 'b';    ///< typtype: b base, c composite, d domain, e enum, p pseudo, r range, m multirange
  char category = 'U';     ///< typcategory: A array, B boolean, D date/time, N numeric, S string, U user, ...
  uint32_t element_oid = 0;  ///< typelem for arrays (0 otherwise)
  uint32_t base_oid = 0;     ///< typbasetype for domains (0 otherwise)
  char delimiter = ',';      ///< typdelim: the array element delimiter (';' for box)
};

/// Types by OID: the built-in ones are known without a query; user types (enums, domains,
/// arrays of them, ranges) are added from pg_type. Owned by the source; filled on its thread
/// when it connects, read-only (and safe to share between threads) once loaded.
class TypeCatalog {
 public:
  /// A catalog of the built-in types.
  TypeCatalog();
  /// Columns: oid, typname, typtype, typcategory, typelem, typbasetype, typdelim — for every
  /// type that is not a table's row type (tables, views, sequences... each have one; they are
  /// left out so the catalog does not grow with the schema). Standalone composite types
  /// (CREATE TYPE ... AS) and arrays of any type are included.
  static const char* const kLoadQuery;
  /// Adds (or replaces) one type.
  void Add(TypeInfo info);
  const TypeInfo* Find(uint32_t oid) const;
  /// Follows domains to their base type (a domain over a domain too); the type itself when it
  /// is not a domain or the base is unknown.
  const TypeInfo* Resolve(uint32_t oid) const;

 private:
  std::unordered_map<uint32_t, TypeInfo> types_;
};

/// Choices users make about the mapping.
struct ValueOptions {
  /// numeric/decimal and money: "string" (Debezium's decimal.handling.mode=string, exact) or
  /// "double" (a JSON number, may lose digits).
  enum class Decimal { kString, kDouble } decimal = Decimal::kString;
  /// json/jsonb: as a JSON string holding the document (Debezium's io.debezium.data.Json), or
  /// embedded as the JSON value itself.
  enum class Json { kString, kEmbedded } json = Json::kString;
};

/// Appends the JSON for one non-null value of type `type_oid` given in text format. Unknown
/// types become JSON strings of their text. Never fails: text the mapping cannot parse is
/// written as a JSON string of the text as it is.
void AppendValueJson(std::string& out, std::string_view text, uint32_t type_oid,
                     const TypeCatalog& catalog, const ValueOptions& options);

/// Appends the JSON array for a PostgreSQL array literal ("{1,NULL,3}", "{{1,2},{3,4}}",
/// "[0:1]={7,8}") whose elements are of type `element_oid`, each mapped as AppendValueJson
/// maps it, NULL as null. Returns false, leaving `out` as it was, when `text` is not an array
/// literal.
bool AppendArrayJson(std::string& out, std::string_view text, uint32_t element_oid,
                     const TypeCatalog& catalog, const ValueOptions& options);

/// Decodes a value in COPY text format (backslash escapes: \b \f \n \r \t \v \\ \NNN octal,
/// \xHH) into `out`, replacing its contents; returns false for the null marker `\N`.
bool UnescapeCopyText(std::string_view field, std::string& out);

/// Splits one COPY text-format row (tab-separated, a trailing newline is ignored) into its
/// fields, unescaped; nullopt for NULL fields.
std::vector<std::optional<std::string>> SplitCopyRow(std::string_view line);

/// One field of a row split into one buffer: `length` bytes at `offset`, or NULL.
struct CopyField {
  uint32_t offset = 0;
  uint32_t length = 0;
  bool null = false;
};

/// Splits a COPY text-format row into `storage` (the unescaped fields one after another;
/// cleared first) and `fields`; both keep their capacity from row to row, so a stream of rows
/// allocates only while they grow.
void SplitCopyRow(std::string_view line, std::string& storage, std::vector<CopyField>& fields);

/// The same into `fields`, reusing its strings' storage from the previous row.
void SplitCopyRow(std::string_view line, std::vector<std::optional<std::string>>& fields);

}  // namespace rivven::postgres
