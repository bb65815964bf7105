#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "support/fake_snowflake_sql.h"

// The parser of FakeSnowflake's SQL subset, shared by fake_snowflake_sql.cc (the tokenizer and the
// engine) and fake_snowflake_statements.cc (one function per statement). Internal to the fake.
namespace rivven::testing::fake_snowflake::internal {

using Kind = Value::Kind;

// A statement outside the grammar or the subset ends its parse: caught once in Execute.
struct Abort {
  SqlError error;
};

[[noreturn]] inline void Throw(std::string code, std::string state, std::string message) {
  throw Abort{{std::move(code), std::move(state), std::move(message)}};
}

struct Token {
  enum class Type { kIdent, kQuoted, kString, kNumber, kPlaceholder, kSymbol, kEnd };
  Type type = Type::kEnd;
  std::string text;  // identifiers upper-cased/unquoted, strings unescaped, symbols as written
  size_t pos = 0;
};

/// The tokens of `s`, ending with a kEnd token; a stray character or an open quote throws.
std::vector<Token> Lex(std::string_view s);

// An expression of the subset: a bind variable, a literal, a column reference or PARSE_JSON(e).
struct Expr {
  enum class Type { kPlaceholder, kLiteral, kRef, kParseJson };
  Type type = Type::kLiteral;
  Value literal;                  // kLiteral
  int placeholder = 0;            // kPlaceholder: 1-based
  std::string qualifier, column;  // kRef (qualifier "" when unqualified)
  std::vector<Expr> args;         // kParseJson
  std::string text;               // as written, for messages
};

class Parser {
 public:
  Parser(std::string_view sql, std::vector<Token> tokens) : sql_(sql), t_(std::move(tokens)) {}

  const Token& Peek(size_t ahead = 0) const { return t_[std::min(i_ + ahead, t_.size() - 1)]; }
  bool IsKeyword(const char* kw, size_t ahead = 0) const {
    return Peek(ahead).type == Token::Type::kIdent && Peek(ahead).text == kw;
  }
  bool AcceptKeyword(const char* kw) {
    if (!IsKeyword(kw)) return false;
    ++i_;
    return true;
  }
  void ExpectKeyword(const char* kw) {
    if (!AcceptKeyword(kw)) Unexpected();
  }
  bool AcceptSymbol(const char* sym) {
    if (Peek().type != Token::Type::kSymbol || Peek().text != sym) return false;
    ++i_;
    return true;
  }
  void ExpectSymbol(const char* sym) {
    if (!AcceptSymbol(sym)) Unexpected();
  }
  std::string Identifier() {
    const Token& t = Peek();
    if (t.type != Token::Type::kIdent && t.type != Token::Type::kQuoted) Unexpected();
    ++i_;
    return t.text;
  }
  std::vector<std::string> ObjectName() {
    std::vector<std::string> parts{Identifier()};
    while (AcceptSymbol(".")) parts.push_back(Identifier());
    if (parts.size() > 3) Unexpected();
    return parts;
  }
  std::vector<std::string> IdentifierList() {
    ExpectSymbol("(");
    std::vector<std::string> names{Identifier()};
    while (AcceptSymbol(",")) names.push_back(Identifier());
    ExpectSymbol(")");
    return names;
  }
  void ExpectEnd() {
    AcceptSymbol(";");
    if (Peek().type != Token::Type::kEnd) Unexpected();
  }
  [[noreturn]] void Unexpected() const {
    const Token& t = Peek();
    if (t.type == Token::Type::kEnd) {
      Throw("001003", "42000",
            "SQL compilation error:\nsyntax error line 1 at position " + std::to_string(t.pos) +
                " unexpected '<EOF>'.");
    }
    Throw("001003", "42000",
          "SQL compilation error:\nsyntax error line 1 at position " + std::to_string(t.pos) +
              " unexpected '" + std::string(sql_.substr(t.pos, Length(t))) + "'.");
  }
  size_t Length(const Token& t) const {
    const size_t next = i_ + 1 < t_.size() ? t_[i_ + 1].pos : sql_.size();
    return std::max<size_t>(1, std::min(next, sql_.size()) - t.pos);
  }

  Expr Expression() {
    const size_t start = Peek().pos;
    Expr e;
    const Token& t = Peek();
    if (t.type == Token::Type::kPlaceholder) {
      ++i_;
      e.type = Expr::Type::kPlaceholder;
      e.placeholder = ++placeholders_;
    } else if (t.type == Token::Type::kString) {
      ++i_;
      e.literal = {Kind::kText, t.text};
    } else if (t.type == Token::Type::kNumber) {
      ++i_;
      e.literal = {t.text.find_first_of(".eE") == std::string::npos ? Kind::kFixed : Kind::kReal,
                   t.text};
    } else if (t.type == Token::Type::kSymbol && (t.text == "-" || t.text == "+")) {
      const bool negative = t.text == "-";
      ++i_;
      if (Peek().type != Token::Type::kNumber) Unexpected();
      e = Expression();
      if (negative) e.literal.text = "-" + e.literal.text;
    } else if (AcceptKeyword("NULL")) {
      e.literal = {Kind::kNull, ""};
    } else if (IsKeyword("TRUE") || IsKeyword("FALSE")) {
      e.literal = {Kind::kBoolean, Identifier() == "TRUE" ? "true" : "false"};
    } else if (IsKeyword("PARSE_JSON") && Peek(1).text == "(") {
      i_ += 2;
      e.type = Expr::Type::kParseJson;
      e.args.push_back(Expression());
      ExpectSymbol(")");
    } else if (t.type == Token::Type::kIdent || t.type == Token::Type::kQuoted) {
      if (Peek(1).text == "(") {
        Throw("002140", "42601",
              "SQL compilation error:\nUnknown function " + t.text +
                  " (FakeSnowflake knows PARSE_JSON only)");
      }
      e.type = Expr::Type::kRef;
      e.column = Identifier();
      if (AcceptSymbol(".")) {
        e.qualifier = e.column;
        e.column = Identifier();
      }
    } else {
      Unexpected();
    }
    if (Peek().text == "::") {
      Throw("001003", "42000", "SQL compilation error:\nunsupported by FakeSnowflake: casts (::)");
    }
    e.text = std::string(sql_.substr(start, Peek().pos - start));
    while (!e.text.empty() && std::isspace(static_cast<unsigned char>(e.text.back()))) {
      e.text.pop_back();
    }
    return e;
  }

  // "VALUES (e, ...), (e, ...)" rows; every row as wide as the first.
  std::vector<std::vector<Expr>> ValuesRows() {
    ExpectKeyword("VALUES");
    std::vector<std::vector<Expr>> rows;
    do {
      ExpectSymbol("(");
      std::vector<Expr> row{Expression()};
      while (AcceptSymbol(",")) row.push_back(Expression());
      ExpectSymbol(")");
      if (!rows.empty() && row.size() != rows.front().size()) {
        Throw("002020", "21S01",
              "SQL compilation error:\nDifferent number of columns in VALUES "
              "rows: expecting " +
                  std::to_string(rows.front().size()) + " but got " + std::to_string(row.size()));
      }
      rows.push_back(std::move(row));
    } while (AcceptSymbol(","));
    return rows;
  }

  int64_t Integer() {
    if (Peek().type != Token::Type::kNumber) Unexpected();
    return std::stoll(t_[i_++].text);
  }

  int placeholders() const { return placeholders_; }

 private:
  std::string_view sql_;
  std::vector<Token> t_;
  size_t i_ = 0;
  int placeholders_ = 0;
};

// "SELECT <e> [[AS] alias], ... FROM VALUES (...), ... [AS v [(c1, ...)]]" evaluated: the rows
// of named columns (COLUMN<n> for the n-th VALUES column unless renamed; a projection without an
// alias keeps the name of the column it references).
struct Source {
  std::vector<std::string> names;
  std::vector<std::vector<Value>> rows;
};

class Evaluator {
 public:
  explicit Evaluator(const std::vector<Value>& bindings) : bindings_(bindings) {}

  // Values of an expression that needs no row: a bind variable, a literal or PARSE_JSON of one.
  Value Constant(const Expr& e) const {
    switch (e.type) {
      case Expr::Type::kPlaceholder:
        return bindings_.at(e.placeholder - 1);
      case Expr::Type::kLiteral:
        return e.literal;
      case Expr::Type::kParseJson:
        return ParseJson(Constant(e.args[0]), e);
      case Expr::Type::kRef:
        break;
    }
    Throw("000904", "42000",
          "SQL compilation error: error line 1\ninvalid identifier '" + e.text + "'");
  }

  static Value ParseJson(const Value& arg, const Expr& e) {
    if (arg.kind == Kind::kNull) return arg;
    if (arg.kind != Kind::kText) {
      Throw("002023", "22000",
            "SQL compilation error:\nargument of PARSE_JSON must be text: " + e.text);
    }
    Value out{Kind::kVariant, ""};
    if (!CompactJson(arg.text, &out.text)) {
      Throw("100069", "22P02", "Error parsing JSON: " + arg.text);
    }
    return out;
  }

 private:
  const std::vector<Value>& bindings_;
};

Source SelectFromValues(Parser& p, const Evaluator& ev);
/// A binding's value as the kind its type names; a value its type does not read throws 100037.
Value BindingValue(const Binding& b);
SqlResult CountResult(const char* what, int64_t n);

// One function per statement of the subset (fake_snowflake_statements.cc), called after its first
// keyword.
namespace statements {
struct Context {
  std::map<std::string, Table>* tables;
  const std::string* database;
  const std::string* schema;
};
/// The table `parts` names in the request's context; throws Snowflake's "does not exist" error.
Table& Existing(const std::vector<std::string>& parts, Context& c, const char* verb);
[[noreturn]] void InvalidIdentifier(const std::string& name);
int ColumnIndex(const Table& t, const std::string& name);

SqlResult CreateTable(Parser& p, Context& c);
SqlResult DescribeTable(Parser& p, Context& c);
SqlResult SelectCount(Parser& p, Context& c);
SqlResult Insert(Parser& p, Context& c, const Evaluator& ev);
SqlResult Merge(Parser& p, Context& c, const Evaluator& ev);
}  // namespace statements

}  // namespace rivven::testing::fake_snowflake::internal
