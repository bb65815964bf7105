// TABLE_MAP_EVENT: the columns' types and metadata, and the optional metadata fields that
// binlog_row_metadata=MINIMAL|FULL adds (MySQL 8.0.1+, MariaDB 10.5+).
#include <string>
#include <vector>

#include "connectors/mysql/binlog_event.h"
#include "connectors/mysql/binlog_reader.h"

namespace rivven::mysql::internal {
namespace {

/// Columns with a bit in SIGNEDNESS. MariaDB counts YEAR among them (an unsigned TINYINT
/// there), MySQL does not.
bool IsNumeric(ColumnType t, bool mariadb) {
  switch (t) {
    case ColumnType::kYear:
      return mariadb;
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kInt24:
    case ColumnType::kLong:
    case ColumnType::kLongLong:
    case ColumnType::kNewDecimal:
    case ColumnType::kFloat:
    case ColumnType::kDouble:
      return true;
    default:
      return false;
  }
}

/// Columns with a charset in DEFAULT_CHARSET / COLUMN_CHARSET (ENUM and SET have their own).
/// MariaDB counts GEOMETRY among them too (it is a BLOB there).
bool IsCharacter(const TableColumn& c, bool mariadb) {
  switch (c.real_type) {
    case ColumnType::kString:
    case ColumnType::kVarString:
    case ColumnType::kVarchar:
    case ColumnType::kBlob:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kVarcharCompressed:
    case ColumnType::kBlobCompressed:
      return true;
    case ColumnType::kGeometry:
      return mariadb;
    default:
      return false;
  }
}

bool IsEnumOrSet(const TableColumn& c) {
  return c.real_type == ColumnType::kEnum || c.real_type == ColumnType::kSet;
}

/// Reads the metadata of one column from the table map's metadata block.
void ReadColumnMetadata(Reader& r, TableColumn& c) {
  c.real_type = c.type;
  switch (c.type) {
    case ColumnType::kFloat:
    case ColumnType::kDouble: {
      const size_t at = r.pos();
      c.meta = r.U8("metadata");
      c.length = c.meta;
      if (r.ok() && c.length != (c.type == ColumnType::kFloat ? 4u : 8u)) {
        r.FailAt(at, "a " + std::string(ColumnTypeName(static_cast<uint8_t>(c.type))) +
                         " of " + std::to_string(c.length) + " bytes");
      }
      break;
    }
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob:
    case ColumnType::kGeometry:
    case ColumnType::kJson:
    case ColumnType::kBlobCompressed: {
      const size_t at = r.pos();
      c.meta = r.U8("metadata");
      c.length = c.meta;
      if (r.ok() && (c.length < 1 || c.length > 4)) {
        r.FailAt(at, "length prefix of " + std::to_string(c.length) + " bytes (1 to 4)");
      }
      break;
    }
    case ColumnType::kVarchar:
    case ColumnType::kVarcharCompressed:
      c.meta = r.U16("metadata");
      c.length = c.meta;
      break;
    case ColumnType::kVarString:
    case ColumnType::kString:
    case ColumnType::kEnum:
    case ColumnType::kSet: {
      const size_t at = r.pos();
      const uint8_t b0 = r.U8("metadata");
      const uint8_t b1 = r.U8("metadata");
      c.meta = static_cast<uint16_t>(b0 << 8 | b1);
      // CHAR(n) of more than 255 bytes keeps bits 8-9 of its length in bits 4-5 of the type
      // byte, inverted (the real type always has both bits set).
      if ((b0 & 0x30) != 0x30) {
        c.real_type = static_cast<ColumnType>(b0 | 0x30);
        c.length = b1 | (static_cast<uint32_t>((b0 & 0x30) ^ 0x30) << 4);
      } else {
        c.real_type = static_cast<ColumnType>(b0);
        c.length = b1;
      }
      if (!r.ok()) break;
      if (c.real_type != ColumnType::kString && c.real_type != ColumnType::kEnum &&
          c.real_type != ColumnType::kSet && c.real_type != ColumnType::kVarString) {
        r.FailAt(at, "real type " + std::to_string(static_cast<int>(c.real_type)) +
                         " of a STRING column");
      } else if (c.real_type == ColumnType::kEnum && c.length != 1 && c.length != 2) {
        r.FailAt(at, "ENUM of " + std::to_string(c.length) + " bytes");
      } else if (c.real_type == ColumnType::kSet && (c.length < 1 || c.length > 8)) {
        r.FailAt(at, "SET of " + std::to_string(c.length) + " bytes");
      }
      break;
    }
    case ColumnType::kBit: {
      const uint8_t bits = r.U8("metadata");
      const uint8_t bytes = r.U8("metadata");
      c.meta = static_cast<uint16_t>(bytes << 8 | bits);
      c.length = bytes * 8u + bits;
      break;
    }
    case ColumnType::kNewDecimal: {
      const size_t at = r.pos();
      c.length = r.U8("precision");
      c.scale = r.U8("scale");
      c.meta = static_cast<uint16_t>(c.length << 8 | c.scale);
      if (r.ok() && (c.length == 0 || c.length > 65 || c.scale > 30 || c.scale > c.length)) {
        r.FailAt(at, "DECIMAL(" + std::to_string(c.length) + "," + std::to_string(c.scale) + ")");
      }
      break;
    }
    case ColumnType::kTime2:
    case ColumnType::kDateTime2:
    case ColumnType::kTimestamp2: {
      const size_t at = r.pos();
      c.meta = r.U8("metadata");
      c.length = c.meta;
      if (r.ok() && c.length > 6) r.FailAt(at, std::to_string(c.length) + " fractional digits");
      break;
    }
    default:
      break;
  }
}

/// A bitmap over the columns `applies` selects, most significant bit first.
template <typename Pred, typename Set>
void ReadBits(Reader& r, std::vector<TableColumn>& columns, Pred applies, Set set) {
  size_t bit = 0;
  uint8_t byte = 0;
  for (TableColumn& c : columns) {
    if (!applies(c)) continue;
    if (bit % 8 == 0) byte = r.U8("bitmap");
    if (!r.ok()) return;
    set(c, (byte >> (7 - bit % 8) & 1) != 0);
    ++bit;
  }
}

/// The i-th column `applies` selects, or null.
template <typename Pred>
TableColumn* Nth(std::vector<TableColumn>& columns, uint64_t i, Pred applies) {
  for (TableColumn& c : columns) {
    if (applies(c) && i-- == 0) return &c;
  }
  return nullptr;
}

/// DEFAULT_CHARSET / ENUM_AND_SET_DEFAULT_CHARSET: the default collation, then
/// (index among the selected columns, collation) for those that differ.
template <typename Pred>
void ReadDefaultCharset(Reader& r, std::vector<TableColumn>& columns, Pred applies) {
  const uint32_t deflt = static_cast<uint32_t>(r.Packed("default collation"));
  for (TableColumn& c : columns) {
    if (applies(c)) c.collation = deflt;
  }
  while (r.ok() && r.remaining() > 0) {
    const size_t at = r.pos();
    const uint64_t index = r.Packed("column index");
    const uint32_t collation = static_cast<uint32_t>(r.Packed("collation"));
    TableColumn* c = Nth(columns, index, applies);
    if (r.ok() && c == nullptr) {
      r.FailAt(at, "collation for character column " + std::to_string(index) + ", which does not exist");
    } else if (r.ok()) {
      c->collation = collation;
    }
  }
}

template <typename Pred>
void ReadColumnCharsets(Reader& r, std::vector<TableColumn>& columns, Pred applies) {
  for (TableColumn& c : columns) {
    if (applies(c)) c.collation = static_cast<uint32_t>(r.Packed("collation"));
  }
}

std::string_view ReadPackedString(Reader& r, const char* field) {
  const size_t at = r.pos();
  const uint64_t n = r.Packed(field);
  return r.Bytes(r.Count(n, 1, at, field), field);
}

void ReadLabels(Reader& r, std::vector<TableColumn>& columns, ColumnType type) {
  for (TableColumn& c : columns) {
    if (c.real_type != type) continue;
    const size_t at = r.pos();
    const uint64_t n = r.Count(r.Packed("value count"), 1, at, "value count");
    c.labels.reserve(n);
    for (uint64_t i = 0; i < n && r.ok(); ++i) c.labels.emplace_back(ReadPackedString(r, "value"));
  }
}

void ReadOptionalMetadata(Reader& r, TableMap& map, bool mariadb) {
  auto character = [mariadb](const TableColumn& c) { return IsCharacter(c, mariadb); };
  auto numeric = [mariadb](const TableColumn& c) { return IsNumeric(c.real_type, mariadb); };
  auto geometry = [](const TableColumn& c) { return c.real_type == ColumnType::kGeometry; };
  auto all = [](const TableColumn&) { return true; };
  const uint64_t columns = map.columns.size();
  while (r.ok() && r.remaining() > 0) {
    const uint8_t type = r.U8("optional metadata type");
    const size_t len_at = r.pos();
    const uint64_t len = r.Packed("optional metadata length");
    Reader f = r.Sub(r.Count(len, 1, len_at, "optional metadata length"), "optional metadata");
    if (!r.ok()) return;
    if (type < 32) map.optional_fields |= uint32_t{1} << type;
    switch (static_cast<OptionalMetadataType>(type)) {
      case OptionalMetadataType::kSignedness:
        ReadBits(f, map.columns, numeric, [](TableColumn& c, bool b) { c.is_unsigned = b; });
        f.Rest();  // padding bits of the last byte are in whole bytes
        break;
      case OptionalMetadataType::kDefaultCharset:
        ReadDefaultCharset(f, map.columns, character);
        break;
      case OptionalMetadataType::kColumnCharset:
        ReadColumnCharsets(f, map.columns, character);
        break;
      case OptionalMetadataType::kEnumAndSetDefaultCharset:
        ReadDefaultCharset(f, map.columns, IsEnumOrSet);
        break;
      case OptionalMetadataType::kEnumAndSetColumnCharset:
        ReadColumnCharsets(f, map.columns, IsEnumOrSet);
        break;
      case OptionalMetadataType::kColumnName:
        for (TableColumn& c : map.columns) c.name = ReadPackedString(f, "column name");
        break;
      case OptionalMetadataType::kSetStrValue:
        ReadLabels(f, map.columns, ColumnType::kSet);
        break;
      case OptionalMetadataType::kEnumStrValue:
        ReadLabels(f, map.columns, ColumnType::kEnum);
        break;
      case OptionalMetadataType::kGeometryType:
        for (TableColumn& c : map.columns) {
          if (geometry(c)) c.geometry_type = static_cast<uint32_t>(f.Packed("geometry type"));
        }
        break;
      case OptionalMetadataType::kSimplePrimaryKey:
      case OptionalMetadataType::kPrimaryKeyWithPrefix: {
        const bool prefixed = type == static_cast<uint8_t>(OptionalMetadataType::kPrimaryKeyWithPrefix);
        while (f.ok() && f.remaining() > 0) {
          const size_t at = f.pos();
          const uint64_t index = f.Packed("key column");
          const uint64_t prefix = prefixed ? f.Packed("key prefix") : 0;
          if (f.ok() && index >= columns) {
            f.FailAt(at, "key column " + std::to_string(index) + " of " + std::to_string(columns));
          } else if (f.ok()) {
            map.primary_key.push_back(static_cast<uint32_t>(index));
            map.primary_key_prefix.push_back(static_cast<uint32_t>(prefix));
          }
        }
        break;
      }
      case OptionalMetadataType::kColumnVisibility:
        ReadBits(f, map.columns, all, [](TableColumn& c, bool b) { c.visible = b; });
        f.Rest();
        break;
      default:
        f.Rest();  // a field of a later version
        break;
    }
    r.Adopt(f.Finish());
  }
}

}  // namespace

void ReadTableMap(Reader& r, uint8_t post_header_length, TableMap& map, bool mariadb) {
  const size_t start = r.pos();
  map.table_id = post_header_length == 6 ? r.U32("table id") : r.U48("table id");
  map.flags = r.U16("flags");
  if (r.ok() && post_header_length > r.pos() - start) {
    r.Skip(post_header_length - (r.pos() - start), "post-header");
  }
  const uint8_t db_len = r.U8("database length");
  map.database = r.Bytes(db_len, "database");
  size_t at = r.pos();
  if (r.U8("database terminator") != 0 && r.ok()) r.FailAt(at, "database name is not NUL-terminated");
  const uint8_t table_len = r.U8("table length");
  map.table = r.Bytes(table_len, "table");
  at = r.pos();
  if (r.U8("table terminator") != 0 && r.ok()) r.FailAt(at, "table name is not NUL-terminated");
  at = r.pos();
  const uint64_t n = r.Count(r.Packed("column count"), 1, at, "column count");
  std::string_view types = r.Bytes(n, "column types");
  map.columns.resize(r.ok() ? n : 0);
  for (size_t i = 0; i < map.columns.size(); ++i) {
    map.columns[i].type = static_cast<ColumnType>(static_cast<uint8_t>(types[i]));
  }
  at = r.pos();
  const uint64_t meta_len = r.Count(r.Packed("metadata length"), 1, at, "metadata length");
  Reader meta = r.Sub(meta_len, "metadata");
  for (size_t i = 0; i < map.columns.size() && meta.ok(); ++i) {
    meta.set_column(static_cast<int64_t>(i));
    ReadColumnMetadata(meta, map.columns[i]);
  }
  meta.set_column(-1);
  r.Adopt(meta.Finish());
  if (!r.ok()) return;
  // The null bitmap is least significant bit first (the optional metadata's are not).
  std::string_view nulls = r.Bytes((map.columns.size() + 7) / 8, "null bitmap");
  for (size_t i = 0; r.ok() && i < map.columns.size(); ++i) {
    map.columns[i].nullable = (static_cast<uint8_t>(nulls[i / 8]) >> (i % 8) & 1) != 0;
  }
  ReadOptionalMetadata(r, map, mariadb);
}

}  // namespace rivven::mysql::internal
