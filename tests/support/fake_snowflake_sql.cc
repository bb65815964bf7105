#include "support/fake_snowflake_sql.h"

#include <charconv>
#include <regex>

#include "support/fake_snowflake_sql_internal.h"

namespace rivven::testing::fake_snowflake {
namespace internal {

std::vector<Token> Lex(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  auto syntax = [&](size_t at) {
    Throw("001003", "42000",
          "SQL compilation error:\nsyntax error line 1 at position " + std::to_string(at) +
              " unexpected '" + std::string(s.substr(at, 1)) + "'.");
  };
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < s.size() &&
             (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' || s[j] == '$')) {
        ++j;
      }
      out.push_back({Token::Type::kIdent, NormalizeIdentifier(s.substr(i, j - i)), i});
      i = j;
    } else if (c == '"') {
      size_t j = i + 1;
      while (true) {
        if (j >= s.size()) syntax(i);
        if (s[j] == '"') {
          if (j + 1 < s.size() && s[j + 1] == '"') {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      out.push_back({Token::Type::kQuoted, NormalizeIdentifier(s.substr(i, j + 1 - i)), i});
      i = j + 1;
    } else if (c == '\'') {
      std::string text;
      size_t j = i + 1;
      while (true) {
        if (j >= s.size()) syntax(i);
        if (s[j] == '\\' && j + 1 < s.size()) {
          const char e = s[j + 1];
          text += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == '0' ? '\0' : e;
          j += 2;
        } else if (s[j] == '\'') {
          if (j + 1 < s.size() && s[j + 1] == '\'') {
            text += '\'';
            j += 2;
            continue;
          }
          break;
        } else {
          text += s[j++];
        }
      }
      out.push_back({Token::Type::kString, text, i});
      i = j + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < s.size() &&
                std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      static const std::regex num(R"(^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)");
      std::cmatch m;
      std::regex_search(s.data() + i, s.data() + s.size(), m, num);
      out.push_back({Token::Type::kNumber, m.str(), i});
      i += m.length();
    } else if (c == '?') {
      out.push_back({Token::Type::kPlaceholder, "?", i++});
    } else if (c == '$' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      size_t j = i + 1;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      out.push_back({Token::Type::kIdent, "COLUMN" + std::string(s.substr(i + 1, j - i - 1)), i});
      i = j;
    } else {
      static const char* kTwo[] = {"<>", "!=", "<=", ">=", "::"};
      std::string sym(1, c);
      for (const char* two : kTwo) {
        if (s.substr(i, 2) == two) sym = two;
      }
      if (std::string("(),.=<>!;*:+-").find(c) == std::string::npos) syntax(i);
      out.push_back({Token::Type::kSymbol, sym, i});
      i += sym.size();
    }
  }
  out.push_back({Token::Type::kEnd, "", s.size()});
  return out;
}

Source SelectFromValues(Parser& p, const Evaluator& ev) {
  p.ExpectKeyword("SELECT");
  struct Projection {
    bool star = false;
    Expr expr;
    std::string alias;
  };
  std::vector<Projection> projections;
  do {
    Projection pr;
    if (p.AcceptSymbol("*")) {
      pr.star = true;
    } else {
      pr.expr = p.Expression();
      if (p.AcceptKeyword("AS") || (p.Peek().type == Token::Type::kIdent && !p.IsKeyword("FROM")) ||
          p.Peek().type == Token::Type::kQuoted) {
        pr.alias = p.Identifier();
      }
    }
    projections.push_back(std::move(pr));
  } while (p.AcceptSymbol(","));
  p.ExpectKeyword("FROM");
  const auto rows = p.ValuesRows();
  std::vector<std::string> value_names;
  for (size_t i = 0; i < rows.front().size(); ++i)
    value_names.push_back("COLUMN" + std::to_string(i + 1));
  std::string values_alias;
  if (p.AcceptKeyword("AS") || p.Peek().type == Token::Type::kIdent) {
    if (p.IsKeyword("ON") || p.IsKeyword("WHEN")) {
      // no alias: the MERGE goes on
    } else {
      values_alias = p.Identifier();
      if (p.Peek().text == "(") {
        auto renamed = p.IdentifierList();
        if (renamed.size() != value_names.size()) p.Unexpected();
        value_names = std::move(renamed);
      }
    }
  }
  auto value_index = [&](const Expr& ref) -> size_t {
    if (!ref.qualifier.empty() && ref.qualifier != values_alias) {
      Throw("000904", "42000",
            "SQL compilation error: error line 1\ninvalid identifier '" + ref.text + "'");
    }
    for (size_t i = 0; i < value_names.size(); ++i) {
      if (value_names[i] == ref.column) return i;
    }
    Throw("000904", "42000",
          "SQL compilation error: error line 1\ninvalid identifier '" + ref.text + "'");
  };
  Source src;
  std::vector<std::vector<Value>> raw;
  for (const auto& row : rows) {
    std::vector<Value> values;
    for (const Expr& e : row) {
      if (e.type == Expr::Type::kRef) p.Unexpected();
      values.push_back(ev.Constant(e));
    }
    raw.push_back(std::move(values));
  }
  std::vector<std::function<Value(const std::vector<Value>&)>> columns;
  for (const Projection& pr : projections) {
    if (pr.star) {
      for (size_t i = 0; i < value_names.size(); ++i) {
        src.names.push_back(value_names[i]);
        columns.push_back([i](const std::vector<Value>& r) { return r[i]; });
      }
      continue;
    }
    const Expr& e = pr.expr;
    if (e.type == Expr::Type::kRef) {
      const size_t i = value_index(e);
      src.names.push_back(pr.alias.empty() ? value_names[i] : pr.alias);
      columns.push_back([i](const std::vector<Value>& r) { return r[i]; });
    } else if (e.type == Expr::Type::kParseJson && e.args[0].type == Expr::Type::kRef) {
      const size_t i = value_index(e.args[0]);
      src.names.push_back(pr.alias.empty() ? NormalizeIdentifier(e.text) : pr.alias);
      columns.push_back(
          [i, e](const std::vector<Value>& r) { return Evaluator::ParseJson(r[i], e); });
    } else {
      const Value v = ev.Constant(e);
      src.names.push_back(pr.alias.empty() ? NormalizeIdentifier(e.text) : pr.alias);
      columns.push_back([v](const std::vector<Value>&) { return v; });
    }
  }
  for (const auto& r : raw) {
    std::vector<Value> out;
    for (const auto& f : columns) out.push_back(f(r));
    src.rows.push_back(std::move(out));
  }
  return src;
}

SqlResult CountResult(const char* what, int64_t n) {
  SqlResult r;
  r.columns.push_back({what, "fixed"});
  r.rows.push_back({std::to_string(n)});
  return r;
}

Value BindingValue(const Binding& b) {
  static const std::map<std::string, std::pair<Kind, const char*>> kTypes = {
      {"FIXED", {Kind::kFixed, R"(^[+-]?\d+$)"}},
      {"REAL", {Kind::kReal, R"(^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^(?:[+-]?inf|NaN)$)"}},
      {"DECFLOAT", {Kind::kDecfloat, R"(^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$)"}},
      {"TEXT", {Kind::kText, R"(^[\s\S]*$)"}},
      {"BINARY", {Kind::kBinary, R"(^([0-9a-fA-F]{2})*$)"}},
      {"BOOLEAN", {Kind::kBoolean, R"(^([tT][rR][uU][eE]|[fF][aA][lL][sS][eE]|0|1)$)"}},
      {"DATE", {Kind::kDate, R"(^-?\d+$)"}},
      {"TIME", {Kind::kTime, R"(^-?\d+$)"}},
      {"TIMESTAMP_NTZ", {Kind::kTimestampNtz, R"(^-?\d+$)"}},
      {"TIMESTAMP_LTZ", {Kind::kTimestampLtz, R"(^-?\d+$)"}},
      {"TIMESTAMP_TZ", {Kind::kTimestampTz, R"(^-?\d+ -?\d+$)"}},
  };
  const auto it = kTypes.find(b.type);
  if (it == kTypes.end()) {
    Throw("002040", "0A000", "Unsupported bind type '" + b.type + "'");
  }
  if (!b.value) return {Kind::kNull, ""};
  if (!std::regex_match(*b.value, std::regex(it->second.second))) {
    Throw("100037", "22018", b.type + " value '" + *b.value + "' is not recognized");
  }
  return {it->second.first, *b.value};
}

}  // namespace internal

using namespace internal;

bool SqlEngine::Execute(std::string_view sql, const std::vector<Binding>& bindings,
                        const std::string& database, const std::string& schema, SqlResult* result,
                        SqlError* error) {
  try {
    std::vector<Value> values;
    for (const Binding& b : bindings) values.push_back(BindingValue(b));
    Parser p(sql, Lex(sql));
    statements::Context c{&tables_, &database, &schema};
    Evaluator ev(values);
    // Count the placeholders first: a missing binding is reported before anything runs.
    {
      Parser counter(sql, Lex(sql));
      int n = 0;
      for (size_t i = 0; counter.Peek(i).type != Token::Type::kEnd; ++i) {
        n += counter.Peek(i).type == Token::Type::kPlaceholder;
      }
      if (n != static_cast<int>(values.size())) {
        Throw("002049", "42601",
              "SQL compilation error:\nthe statement has " + std::to_string(n) +
                  " bind variables but the request binds " + std::to_string(values.size()));
      }
    }
    if (p.AcceptKeyword("CREATE")) {
      *result = statements::CreateTable(p, c);
    } else if (p.AcceptKeyword("DESCRIBE") || p.AcceptKeyword("DESC")) {
      *result = statements::DescribeTable(p, c);
    } else if (p.IsKeyword("SELECT") && p.IsKeyword("COUNT", 1)) {
      *result = statements::SelectCount(p, c);
    } else if (p.AcceptKeyword("INSERT")) {
      *result = statements::Insert(p, c, ev);
    } else if (p.AcceptKeyword("MERGE")) {
      *result = statements::Merge(p, c, ev);
    } else {
      Throw("001003", "42000",
            "SQL compilation error:\nunsupported by FakeSnowflake: " +
                std::string(sql.substr(0, 60)));
    }
    return true;
  } catch (const Abort& a) {
    *error = a.error;
    return false;
  }
}

Table* SqlEngine::FindInsensitive(std::string_view database, std::string_view schema,
                                  std::string_view name) {
  auto eq = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::toupper(static_cast<unsigned char>(x)) ==
                    std::toupper(static_cast<unsigned char>(y));
           });
  };
  for (auto& [key, table] : tables_) {
    if (eq(table.database, database) && eq(table.schema, schema) && eq(table.name, name)) {
      return &table;
    }
  }
  return nullptr;
}

}  // namespace rivven::testing::fake_snowflake
