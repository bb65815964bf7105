// The statements of FakeSnowflake's SQL subset, each called after its first keyword. Each builds
// its result (or throws an Abort) before it changes a table, so a failed statement changes nothing.
#include <set>

#include "support/fake_snowflake_sql_internal.h"

namespace rivven::testing::fake_snowflake::internal::statements {
struct Name {
  std::string database, schema, table;
  std::string Qualified() const { return database + "." + schema + "." + table; }
};

Name Resolve(const std::vector<std::string>& parts, const Context& c, const char* verb) {
  Name n;
  n.table = parts.back();
  n.schema = parts.size() >= 2 ? parts[parts.size() - 2] : *c.schema;
  n.database = parts.size() == 3 ? parts[0] : *c.database;
  if (n.database.empty()) {
    Throw("090105", "22000",
          std::string("Cannot perform ") + verb +
              ". This session does not have a current database. Call 'USE "
              "DATABASE', or use a qualified name.");
  }
  if (n.schema.empty()) {
    Throw("090106", "22000",
          std::string("Cannot perform ") + verb +
              ". This session does not have a current schema. Call 'USE "
              "SCHEMA', or use a qualified name.");
  }
  return n;
}

Table& Existing(const std::vector<std::string>& parts, Context& c, const char* verb) {
  const Name n = Resolve(parts, c, verb);
  const auto it = c.tables->find(n.Qualified());
  if (it == c.tables->end()) {
    std::string shown;
    for (const auto& part : parts) shown += (shown.empty() ? "" : ".") + part;
    Throw("002003", "42S02",
          "SQL compilation error:\nObject '" + shown + "' does not exist or not authorized.");
  }
  return it->second;
}

void InvalidIdentifier(const std::string& name) {
  Throw("000904", "42000",
        "SQL compilation error: error line 1\ninvalid identifier '" + name + "'");
}

int ColumnIndex(const Table& t, const std::string& name) {
  const int i = t.FindColumn(name);
  if (i < 0) InvalidIdentifier(name);
  return i;
}

namespace {

ColumnType ParseType(Parser& p) {
  using K = ColumnType::Kind;
  const std::string word = p.Identifier();
  std::vector<int64_t> args;
  if (p.AcceptSymbol("(")) {
    do {
      args.push_back(p.Integer());
    } while (p.AcceptSymbol(","));
    p.ExpectSymbol(")");
  }
  ColumnType t;
  auto unsupported = [&] {
    Throw("002040", "0A000", "SQL compilation error:\nUnsupported data type '" + word + "'.");
  };
  static const std::set<std::string> kInts = {"INT",      "INTEGER", "BIGINT",
                                              "SMALLINT", "TINYINT", "BYTEINT"};
  if (word == "NUMBER" || word == "DECIMAL" || word == "NUMERIC") {
    t.kind = K::kNumber;
    if (args.size() > 2) unsupported();
    if (!args.empty()) t.precision = static_cast<int>(args[0]);
    if (args.size() == 2) t.scale = static_cast<int>(args[1]);
    if (t.precision < 1 || t.precision > 38 || t.scale < 0 || t.scale > t.precision) unsupported();
  } else if (kInts.count(word)) {
    if (!args.empty()) unsupported();
    t.kind = K::kNumber;
  } else if (word == "FLOAT" || word == "FLOAT4" || word == "FLOAT8" || word == "DOUBLE" ||
             word == "REAL") {
    if (word == "DOUBLE") p.AcceptKeyword("PRECISION");
    t.kind = K::kFloat;
  } else if (word == "VARCHAR" || word == "STRING" || word == "TEXT") {
    t.kind = K::kVarchar;
    if (args.size() > 1) unsupported();
    if (!args.empty()) t.length = args[0];
  } else if (word == "BINARY" || word == "VARBINARY") {
    t.kind = K::kBinary;
    t.length = args.empty() ? 8388608 : args[0];
  } else if (word == "BOOLEAN") {
    t.kind = K::kBoolean;
  } else if (word == "DATE") {
    t.kind = K::kDate;
  } else if (word == "TIME" || word == "TIMESTAMP" || word == "DATETIME" ||
             word == "TIMESTAMP_NTZ" || word == "TIMESTAMP_LTZ" || word == "TIMESTAMP_TZ") {
    t.kind = word == "TIME"            ? K::kTime
             : word == "TIMESTAMP_LTZ" ? K::kTimestampLtz
             : word == "TIMESTAMP_TZ"  ? K::kTimestampTz
                                       : K::kTimestampNtz;
    t.precision = args.empty() ? 9 : static_cast<int>(args[0]);
    if (args.size() > 1 || t.precision < 0 || t.precision > 9) unsupported();
  } else if (word == "VARIANT" || word == "OBJECT" || word == "ARRAY") {
    t.kind = word == "VARIANT" ? K::kVariant : word == "OBJECT" ? K::kObject : K::kArray;
  } else {
    unsupported();
  }
  if (!args.empty() && (t.kind == K::kBoolean || t.kind == K::kDate || t.kind == K::kFloat ||
                        t.kind == K::kVariant || t.kind == K::kObject || t.kind == K::kArray)) {
    unsupported();
  }
  return t;
}

}  // namespace

SqlResult CreateTable(Parser& p, Context& c) {
  const bool replace = p.AcceptKeyword("OR") && (p.ExpectKeyword("REPLACE"), true);
  p.ExpectKeyword("TABLE");
  bool if_not_exists = false;
  if (p.AcceptKeyword("IF")) {
    p.ExpectKeyword("NOT");
    p.ExpectKeyword("EXISTS");
    if_not_exists = true;
  }
  const auto parts = p.ObjectName();
  Table t;
  const Name n = Resolve(parts, c, "CREATE TABLE");
  t.database = n.database;
  t.schema = n.schema;
  t.name = n.table;
  p.ExpectSymbol("(");
  do {
    if (p.IsKeyword("PRIMARY") && p.IsKeyword("KEY", 1)) {  // table constraint: checked, not kept
      p.ExpectKeyword("PRIMARY");
      p.ExpectKeyword("KEY");
      for (const auto& col : p.IdentifierList()) ColumnIndex(t, col);
      continue;
    }
    Column col;
    col.name = p.Identifier();
    if (t.FindColumn(col.name) >= 0) {
      Throw("002025", "42S21", "SQL compilation error:\nduplicate column name '" + col.name + "'");
    }
    col.type = ParseType(p);
    while (true) {
      if (p.AcceptKeyword("NOT")) {
        p.ExpectKeyword("NULL");
        col.not_null = true;
      } else if (p.AcceptKeyword("NULL")) {
      } else if (p.AcceptKeyword("PRIMARY")) {
        p.ExpectKeyword("KEY");
        col.not_null = true;
      } else {
        break;
      }
    }
    t.columns.push_back(std::move(col));
  } while (p.AcceptSymbol(","));
  p.ExpectSymbol(")");
  p.ExpectEnd();
  SqlResult r;
  r.columns.push_back({"status", "text"});
  const auto it = c.tables->find(t.QualifiedName());
  if (it != c.tables->end() && !replace) {
    if (!if_not_exists) {
      Throw("002002", "42710", "SQL compilation error:\nObject '" + t.name + "' already exists.");
    }
    r.rows.push_back({t.name + " already exists, statement succeeded."});
    return r;
  }
  r.rows.push_back({"Table " + t.name + " successfully created."});
  (*c.tables)[t.QualifiedName()] = std::move(t);
  return r;
}

SqlResult DescribeTable(Parser& p, Context& c) {
  p.ExpectKeyword("TABLE");
  const Table& t = Existing(p.ObjectName(), c, "DESCRIBE TABLE");
  p.ExpectEnd();
  SqlResult r;
  for (const char* name : {"name", "type", "kind", "null?", "default", "primary key", "unique key",
                           "check", "expression", "comment", "policy name", "privacy domain"}) {
    r.columns.push_back({name, "text"});
  }
  for (const Column& col : t.columns) {
    r.rows.push_back({col.name, col.type.Text(), "COLUMN", col.not_null ? "N" : "Y", std::nullopt,
                      "N", "N", std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                      std::nullopt});
  }
  return r;
}

SqlResult SelectCount(Parser& p, Context& c) {
  p.ExpectKeyword("SELECT");
  p.ExpectKeyword("COUNT");
  p.ExpectSymbol("(");
  p.ExpectSymbol("*");
  p.ExpectSymbol(")");
  p.ExpectKeyword("FROM");
  const Table& t = Existing(p.ObjectName(), c, "SELECT");
  p.ExpectEnd();
  return CountResult("COUNT(*)", static_cast<int64_t>(t.rows.size()));
}

SqlResult Insert(Parser& p, Context& c, const Evaluator& ev) {
  p.ExpectKeyword("INTO");
  Table& t = Existing(p.ObjectName(), c, "INSERT");
  std::vector<int> targets;
  if (p.Peek().text == "(") {
    for (const auto& name : p.IdentifierList()) targets.push_back(ColumnIndex(t, name));
  } else {
    for (size_t i = 0; i < t.columns.size(); ++i) targets.push_back(static_cast<int>(i));
  }
  std::vector<std::vector<Value>> rows;
  if (p.IsKeyword("SELECT")) {
    rows = SelectFromValues(p, ev).rows;
  } else {
    for (const auto& row : p.ValuesRows()) {
      std::vector<Value> values;
      for (const Expr& e : row) {
        if (e.type == Expr::Type::kParseJson) {
          Throw("002014", "22000",
                "SQL compilation error:\nInvalid expression [" + e.text + "] in VALUES clause");
        }
        values.push_back(ev.Constant(e));
      }
      rows.push_back(std::move(values));
    }
  }
  p.ExpectEnd();
  std::vector<std::vector<Cell>> built;
  for (const auto& values : rows) {
    if (values.size() != targets.size()) {
      Throw("002020", "21S01",
            "SQL compilation error:\nInsert value list does not match column "
            "list expecting " +
                std::to_string(targets.size()) + " but got " + std::to_string(values.size()));
    }
    std::vector<Cell> row(t.columns.size());
    std::vector<bool> set(t.columns.size());
    for (size_t i = 0; i < targets.size(); ++i) {
      SqlError e;
      if (!Coerce(values[i], t.columns[targets[i]], &row[targets[i]], &e)) throw Abort{e};
      set[targets[i]] = true;
    }
    for (size_t i = 0; i < row.size(); ++i) {
      SqlError e;
      if (!set[i] && !Coerce({}, t.columns[i], &row[i], &e)) throw Abort{e};
    }
    built.push_back(std::move(row));
  }
  for (auto& row : built) t.rows.push_back(std::move(row));
  SqlResult r = CountResult("number of rows inserted", static_cast<int64_t>(built.size()));
  r.stats = SqlResult::Stats{static_cast<int64_t>(built.size()), 0, 0};
  return r;
}

}  // namespace rivven::testing::fake_snowflake::internal::statements
