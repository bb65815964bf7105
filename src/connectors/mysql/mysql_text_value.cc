#include "connectors/mysql/mysql_text_value.h"

#include <cstdlib>

#include "base/json_escape.h"
#include "connectors/mysql/mysql_charset.h"

namespace rivven::mysql {
namespace {

using Kind = TextColumnPlan::Kind;

// The number in "datetime(6)" / "bit(3)"; 0 without parentheses.
uint32_t ParenNumber(std::string_view type) {
  const size_t open = type.find('(');
  if (open == std::string_view::npos) return 0;
  return static_cast<uint32_t>(std::strtoul(std::string(type.substr(open + 1)).c_str(), nullptr, 10));
}

bool ZeroDate(std::string_view v) { return v.size() >= 10 && (v.substr(5, 2) == "00" || v.substr(8, 2) == "00"); }

void AppendEpoch(std::string& out, const TextColumnPlan& plan, bool with_time, bool zulu) {
  out += with_time ? "\"1970-01-01T00:00:00" : "\"1970-01-01";
  if (with_time && plan.fsp > 0) {
    out += '.';
    out.append(plan.fsp, '0');
  }
  if (zulu) out += 'Z';
  out += '"';
}

}  // namespace

TextColumnPlan MakeTextColumnPlan(std::string_view data_type, std::string_view column_type,
                                  bool nullable, bool json) {
  TextColumnPlan p;
  p.nullable = nullable;
  const std::string_view t = data_type;
  if (json) {
    p.kind = Kind::kJsonText;
  } else if (t == "tinyint" || t == "smallint" || t == "mediumint" || t == "int" || t == "bigint") {
    p.kind = Kind::kInteger;
  } else if (t == "decimal") {
    p.kind = Kind::kDecimal;
  } else if (t == "float" || t == "double") {
    p.kind = Kind::kFloat;
  } else if (t == "binary" || t == "varbinary" || t == "tinyblob" || t == "blob" ||
             t == "mediumblob" || t == "longblob") {
    p.kind = Kind::kBinary;
  } else if (t == "bit") {
    p.kind = Kind::kBit;
    p.bits = ParenNumber(column_type);
  } else if (t == "date") {
    p.kind = Kind::kDate;
  } else if (t == "datetime") {
    p.kind = Kind::kDateTime;
    p.fsp = ParenNumber(column_type);
  } else if (t == "timestamp") {
    p.kind = Kind::kTimestamp;
    p.fsp = ParenNumber(column_type);
  } else if (t == "time") {
    p.kind = Kind::kTime;
  } else if (t == "year") {
    p.kind = Kind::kYear;
  } else if (t == "geometry" || t == "point" || t == "linestring" || t == "polygon" ||
             t == "multipoint" || t == "multilinestring" || t == "multipolygon" ||
             t == "geometrycollection") {
    p.kind = Kind::kGeometry;
  } else {
    p.kind = Kind::kText;  // char, varchar, text types, enum, set
  }
  return p;
}

void AppendTextValueJson(std::string& out, std::optional<std::string_view> value,
                         const TextColumnPlan& plan, const RowOptions& options) {
  if (!value) {
    out += "null";
    return;
  }
  const std::string_view v = *value;
  switch (plan.kind) {
    case Kind::kInteger:
    case Kind::kYear:
      out += v;
      return;
    case Kind::kFloat:
      out += v;
      return;
    case Kind::kDecimal:
      if (options.decimal == RowOptions::Decimal::kDouble) {
        out += v;
      } else {
        AppendJsonString(out, v);
      }
      return;
    case Kind::kText:
      AppendJsonString(out, v);
      return;
    case Kind::kJsonText:
      if (options.json == RowOptions::Json::kEmbedded && !v.empty()) {
        out += v;
      } else {
        AppendJsonString(out, v);
      }
      return;
    case Kind::kBinary:
      AppendBase64Json(out, v);
      return;
    case Kind::kBit:
      if (plan.bits == 1) {
        out += (!v.empty() && (static_cast<unsigned char>(v.back()) & 1)) ? "true" : "false";
      } else {
        // The server sends the bits big-endian; Debezium's Bits are least significant byte
        // first, as the row decoder writes them.
        std::string reversed(v.rbegin(), v.rend());
        AppendBase64Json(out, reversed);
      }
      return;
    case Kind::kDate:
      if (ZeroDate(v)) {
        if (plan.nullable) {
          out += "null";
        } else {
          AppendEpoch(out, plan, false, false);
        }
        return;
      }
      AppendJsonString(out, v);
      return;
    case Kind::kDateTime:
    case Kind::kTimestamp: {
      const bool zulu = plan.kind == Kind::kTimestamp;
      if (ZeroDate(v)) {
        if (plan.nullable) {
          out += "null";
        } else {
          AppendEpoch(out, plan, true, zulu);
        }
        return;
      }
      out += '"';
      out += v.substr(0, 10);
      if (v.size() > 10) {
        out += 'T';
        out += v.substr(11);
      }
      if (zulu) out += 'Z';
      out += '"';
      return;
    }
    case Kind::kTime:
      AppendJsonString(out, v);
      return;
    case Kind::kGeometry: {
      if (v.size() < 4) {
        out += "null";
        return;
      }
      const auto* p = reinterpret_cast<const unsigned char*>(v.data());
      const uint32_t srid = static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
                            static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
      out += "{\"wkb\":";
      AppendBase64Json(out, v.substr(4));
      out += ",\"srid\":" + std::to_string(srid) + "}";
      return;
    }
  }
}

}  // namespace rivven::mysql
