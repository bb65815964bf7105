#include "connectors/snowflake/snowflake_table.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>

#include "base/ascii.h"

namespace rivven::snowflake {
namespace {

bool IsPlainIdentifier(std::string_view name) {
  if (name.empty()) return false;
  const auto head = static_cast<unsigned char>(name[0]);
  if (!(std::isalpha(head) || name[0] == '_')) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '_' || c == '$')) return false;
  }
  return true;
}

// Snowflake's reserved and limited keywords (docs.snowflake.com/sql-reference/reserved-keywords):
// unquoted, they are SQL, not names. Upper case, sorted.
constexpr std::string_view kReservedKeywords[] = {
    "ACCOUNT", "ALL", "ALTER", "AND", "ANY", "AS", "BETWEEN", "BY", "CASE", "CAST", "CHECK",
    "COLUMN", "CONNECT", "CONNECTION", "CONSTRAINT", "CREATE", "CROSS", "CURRENT", "CURRENT_DATE",
    "CURRENT_TIME", "CURRENT_TIMESTAMP", "CURRENT_USER", "DATABASE", "DELETE", "DISTINCT", "DROP",
    "ELSE", "EXISTS", "FALSE", "FOLLOWING", "FOR", "FROM", "FULL", "GRANT", "GROUP", "GSCLUSTER",
    "HAVING", "ILIKE", "IN", "INCREMENT", "INNER", "INSERT", "INTERSECT", "INTO", "IS", "ISSUE",
    "JOIN", "LATERAL", "LEFT", "LIKE", "LOCALTIME", "LOCALTIMESTAMP", "MINUS", "NATURAL", "NOT",
    "NULL", "OF", "ON", "OR", "ORDER", "ORGANIZATION", "QUALIFY", "REGEXP", "REVOKE", "RIGHT",
    "RLIKE", "ROW", "ROWS", "SAMPLE", "SCHEMA", "SELECT", "SET", "SOME", "START", "TABLE",
    "TABLESAMPLE", "THEN", "TO", "TRIGGER", "TRUE", "TRY_CAST", "UNION", "UNIQUE", "UPDATE",
    "USING", "VALUES", "VIEW", "WHEN", "WHENEVER", "WHERE", "WITH"};

bool IsReservedKeyword(std::string_view upper) {
  return std::binary_search(std::begin(kReservedKeywords), std::end(kReservedKeywords), upper);
}

std::string CompactJson(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

constexpr unsigned kParseFlags = rapidjson::kParseFullPrecisionFlag;

Result<rapidjson::Document> ParseObject(std::string_view json) {
  rapidjson::Document d;
  d.Parse<kParseFlags>(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject()) {
    return Status::InvalidArgument("the value is not a JSON object");
  }
  return d;
}

}  // namespace

std::string StoredName(std::string_view name) {
  return IsPlainIdentifier(name) ? AsciiUpper(name) : std::string(name);
}

std::string SqlName(std::string_view name) {
  const std::string stored = StoredName(name);
  if (IsPlainIdentifier(stored) && stored == AsciiUpper(stored) && !IsReservedKeyword(stored)) {
    return stored;
  }
  std::string out = "\"";
  for (char c : stored) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QualifiedName(std::string_view database, std::string_view schema,
                          std::string_view table) {
  return SqlName(database) + "." + SqlName(schema) + "." + SqlName(table);
}

Status ColumnInference::Add(std::string_view json) {
  RC_ASSIGN_OR_RETURN(rapidjson::Document d, ParseObject(json));
  for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
    const std::string name =
        StoredName(std::string_view(it->name.GetString(), it->name.GetStringLength()));
    auto [k, added] = kinds_.try_emplace(name, 0u);
    if (added) order_.push_back(name);
    const rapidjson::Value& v = it->value;
    unsigned kind = kNull;
    if (v.IsBool()) {
      kind = kBool;
    } else if (v.IsInt64() || v.IsUint64()) {
      kind = kInt;
    } else if (v.IsNumber()) {
      kind = kFloat;  // a fraction or exponent, or an integer beyond 64 bits
    } else if (v.IsString()) {
      kind = kString;
    } else if (v.IsObject() || v.IsArray()) {
      kind = kNested;
    }
    k->second |= kind;
  }
  return Status::Ok();
}

std::vector<Column> ColumnInference::Columns() const {
  std::vector<Column> out;
  for (const std::string& name : order_) {
    const unsigned k = kinds_.at(name);
    std::string type;
    if (k == kNull) type = "VARCHAR";
    else if (k == kInt) type = "NUMBER(38,0)";
    else if ((k & ~static_cast<unsigned>(kInt | kFloat)) == 0) type = "FLOAT";
    else if (k == kBool) type = "BOOLEAN";
    else if (k == kString) type = "VARCHAR";
    else type = "VARIANT";
    out.push_back({name, type});
  }
  return out;
}

std::string CreateTableSql(std::string_view qualified_table, const std::vector<Column>& columns) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + std::string(qualified_table) + " (";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += SqlName(columns[i].name) + " " + columns[i].type;
  }
  return sql + ")";
}

Result<std::vector<BoundValue>> BindRow(std::string_view json, const std::vector<Column>& columns) {
  RC_ASSIGN_OR_RETURN(rapidjson::Document d, ParseObject(json));
  std::map<std::string, const rapidjson::Value*> by_name;
  for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
    by_name[StoredName(std::string_view(it->name.GetString(), it->name.GetStringLength()))] =
        &it->value;
  }
  std::vector<BoundValue> out;
  out.reserve(columns.size());
  for (const Column& c : columns) {
    auto it = by_name.find(c.name);
    if (it == by_name.end() || it->second->IsNull()) {
      out.push_back({"TEXT", std::nullopt});
      continue;
    }
    const rapidjson::Value& v = *it->second;
    if (c.type == "VARIANT") {
      out.push_back({"TEXT", CompactJson(v)});
    } else if (v.IsBool()) {
      out.push_back({"BOOLEAN", v.GetBool() ? "true" : "false"});
    } else if (v.IsInt64() || v.IsUint64()) {
      out.push_back({"FIXED", CompactJson(v)});
    } else if (v.IsNumber()) {
      out.push_back({"REAL", CompactJson(v)});
    } else if (v.IsString()) {
      out.push_back({"TEXT", std::string(v.GetString(), v.GetStringLength())});
    } else {
      out.push_back({"TEXT", CompactJson(v)});
    }
  }
  return out;
}

namespace {

bool IsNumericText(std::string_view s) {
  if (s.empty()) return false;
  char* end = nullptr;
  const std::string text(s);
  std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

bool TypeIs(std::string_view type, std::initializer_list<std::string_view> prefixes) {
  for (std::string_view p : prefixes) {
    if (type.starts_with(p)) return true;
  }
  return false;
}

}  // namespace

Status CheckRowFits(std::string_view json, const std::vector<Column>& columns) {
  RC_ASSIGN_OR_RETURN(rapidjson::Document d, ParseObject(json));
  for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
    const std::string field(it->name.GetString(), it->name.GetStringLength());
    const std::string name = StoredName(field);
    const Column* column = nullptr;
    for (const Column& c : columns) {
      if (c.name == name) column = &c;
    }
    if (column == nullptr) {
      return Status::InvalidArgument("field '" + field + "' has no column " + SqlName(name) +
                                     " in the table");
    }
    const rapidjson::Value& v = it->value;
    if (v.IsNull()) continue;
    const std::string type = AsciiUpper(column->type);
    const bool nested = v.IsObject() || v.IsArray();
    const bool variant = TypeIs(type, {"VARIANT", "OBJECT", "ARRAY"});
    bool fits = true;
    if (nested) {
      fits = variant;
    } else if (TypeIs(type, {"NUMBER", "DECIMAL", "NUMERIC", "INT", "BIGINT", "SMALLINT",
                              "TINYINT", "BYTEINT", "FLOAT", "DOUBLE", "REAL"})) {
      fits = v.IsNumber() ||
             (v.IsString() && IsNumericText(std::string_view(v.GetString(), v.GetStringLength())));
    } else if (TypeIs(type, {"BOOLEAN"})) {
      const std::string text = v.IsString() ? AsciiLower(v.GetString()) : "";
      fits = v.IsBool() || text == "true" || text == "false";
    }
    if (!fits) {
      return Status::InvalidArgument("field '" + field + "': " + CompactJson(v).substr(0, 100) +
                                     " does not fit column " + SqlName(name) + " " + column->type);
    }
  }
  return Status::Ok();
}

Result<std::string> StreamingRow(std::string_view json) {
  RC_ASSIGN_OR_RETURN(rapidjson::Document d, ParseObject(json));
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
    const std::string name =
        StoredName(std::string_view(it->name.GetString(), it->name.GetStringLength()));
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    it->value.Accept(w);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

namespace {

/// SELECT column1 AS A, PARSE_JSON(column2) AS B, ... FROM VALUES (?, ?), ... ; `extra` more
/// plain columns follow (the merge op).
std::string SelectFromValues(const std::vector<Column>& columns,
                             const std::vector<std::string>& extra, size_t rows, bool aliases) {
  std::string sql = "SELECT ";
  const size_t width = columns.size() + extra.size();
  for (size_t i = 0; i < width; ++i) {
    if (i > 0) sql += ", ";
    const std::string col = "column" + std::to_string(i + 1);
    const bool variant = i < columns.size() && columns[i].type == "VARIANT";
    sql += variant ? "PARSE_JSON(" + col + ")" : col;
    if (aliases) sql += " AS " + SqlName(i < columns.size() ? columns[i].name : extra[i - columns.size()]);
  }
  sql += " FROM VALUES ";
  std::string row = "(";
  for (size_t i = 0; i < width; ++i) row += i == 0 ? "?" : ", ?";
  row += ")";
  for (size_t r = 0; r < rows; ++r) {
    if (r > 0) sql += ", ";
    sql += row;
  }
  return sql;
}

}  // namespace

std::string InsertSql(std::string_view qualified_table, const std::vector<Column>& columns,
                      size_t rows) {
  std::string sql = "INSERT INTO " + std::string(qualified_table) + " (";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += SqlName(columns[i].name);
  }
  return sql + ") " + SelectFromValues(columns, {}, rows, false);
}

std::string MergeSql(std::string_view qualified_table, const std::vector<Column>& columns,
                     const std::vector<std::string>& key_columns, size_t rows) {
  const std::string op = SqlName(kMergeOpColumn);
  std::string sql = "MERGE INTO " + std::string(qualified_table) + " t USING (" +
                    SelectFromValues(columns, {std::string(kMergeOpColumn)}, rows, true) +
                    ") s ON ";
  for (size_t i = 0; i < key_columns.size(); ++i) {
    if (i > 0) sql += " AND ";
    const std::string k = SqlName(key_columns[i]);
    sql += "t." + k + " = s." + k;
  }
  sql += " WHEN MATCHED AND s." + op + " = 'd' THEN DELETE";
  std::string set, names, values;
  for (const Column& c : columns) {
    const std::string n = SqlName(c.name);
    if (!set.empty()) set += ", ";
    set += "t." + n + " = s." + n;
    if (!names.empty()) {
      names += ", ";
      values += ", ";
    }
    names += n;
    values += "s." + n;
  }
  sql += " WHEN MATCHED THEN UPDATE SET " + set;
  sql += " WHEN NOT MATCHED AND s." + op + " <> 'd' THEN INSERT (" + names + ") VALUES (" +
         values + ")";
  return sql;
}

}  // namespace rivven::snowflake
