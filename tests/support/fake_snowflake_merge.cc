// MERGE INTO <target> USING (SELECT ... FROM VALUES ...) ON ... WHEN ...: the form FakeSnowflake
// supports (fake_snowflake.h lists it), with Snowflake's ERROR_ON_NONDETERMINISTIC_MERGE default.
#include <rapidjson/document.h>

#include <cstdlib>

#include "support/fake_snowflake_sql_internal.h"

namespace rivven::testing::fake_snowflake::internal::statements {
namespace {

// One side of a comparison: NULL, a number, or text.
struct Comparable {
  bool null = true;
  bool numeric = false;
  long double number = 0;
  std::string text;
};

Comparable FromValue(const Value& v) {
  Comparable c;
  if (v.kind == Kind::kNull) return c;
  c.null = false;
  c.text = v.text;
  char* end = nullptr;
  c.number = std::strtold(v.text.c_str(), &end);
  c.numeric = !v.text.empty() && end == v.text.c_str() + v.text.size() &&
              (v.kind == Kind::kFixed || v.kind == Kind::kReal || v.kind == Kind::kDecfloat);
  return c;
}

// Three-valued comparison collapsed to "is it TRUE".
bool Compare(const Comparable& a, const std::string& op, const Comparable& b) {
  if (a.null || b.null) return false;
  int cmp;
  if (a.numeric || b.numeric) {
    const long double x = a.numeric ? a.number : std::strtold(a.text.c_str(), nullptr);
    const long double y = b.numeric ? b.number : std::strtold(b.text.c_str(), nullptr);
    cmp = x < y ? -1 : x > y ? 1 : 0;
  } else {
    cmp = a.text.compare(b.text);
  }
  return op == "=" ? cmp == 0 : cmp != 0;
}

Value CellValue(const Cell& cell) {
  if (!cell) return {};
  rapidjson::Document d;
  d.Parse(cell->c_str(), cell->size());
  if (d.IsString()) return {Kind::kText, std::string(d.GetString(), d.GetStringLength())};
  if (d.IsNumber()) return {Kind::kReal, *cell};
  if (d.IsBool()) return {Kind::kBoolean, *cell};
  return {Kind::kVariant, *cell};
}

struct Predicate {
  Expr lhs, rhs;
  std::string op;  // "=", "<>", "IS NULL", "IS NOT NULL"
};

struct Clause {
  bool matched = false;
  std::vector<Predicate> when;
  enum class Action { kUpdate, kDelete, kInsert } action = Action::kDelete;
  std::vector<std::pair<int, Expr>> assignments;  // target column, value (UPDATE and INSERT)
};

struct Scope {
  const Table& target;
  std::string target_qualifier;
  const Source& source;
  std::string source_qualifier;
  const Evaluator& ev;

  [[noreturn]] void Invalid(const Expr& e) const {
    Throw("000904", "42000",
          "SQL compilation error: error line 1\ninvalid identifier '" + e.text + "'");
  }
  int SourceColumn(const Expr& e) const {
    for (size_t i = 0; i < source.names.size(); ++i) {
      if (source.names[i] == e.column) return static_cast<int>(i);
    }
    return -1;
  }
  bool IsTarget(const Expr& e) const {
    if (e.qualifier == target_qualifier) return true;
    if (e.qualifier.empty()) return SourceColumn(e) < 0;
    if (e.qualifier != source_qualifier) Invalid(e);
    return false;
  }
  // The value of `e` for source row `s` and target row `t` (null when not matched).
  Value Eval(const Expr& e, const std::vector<Value>& s, const std::vector<Cell>* t) const {
    if (e.type == Expr::Type::kParseJson) return Evaluator::ParseJson(Eval(e.args[0], s, t), e);
    if (e.type != Expr::Type::kRef) return ev.Constant(e);
    if (IsTarget(e)) {
      const int i = target.FindColumn(e.column);
      if (i < 0 || !t) Invalid(e);
      return CellValue((*t)[i]);
    }
    const int i = SourceColumn(e);
    if (i < 0) Invalid(e);
    return s[i];
  }
  bool Holds(const Clause& c, const std::vector<Value>& s, const std::vector<Cell>* t) const {
    for (const Predicate& p : c.when) {
      const Value l = Eval(p.lhs, s, t);
      if (p.op == "IS NULL" || p.op == "IS NOT NULL") {
        if ((l.kind == Kind::kNull) != (p.op == "IS NULL")) return false;
        continue;
      }
      if (!Compare(FromValue(l), p.op, FromValue(Eval(p.rhs, s, t)))) return false;
    }
    return true;
  }
};

std::string RowValues(const std::vector<Cell>& row) {
  std::string out = "[";
  for (size_t i = 0; i < row.size(); ++i) out += (i ? ", " : "") + row[i].value_or("NULL");
  return out + "]";
}

}  // namespace

SqlResult Merge(Parser& p, Context& c, const Evaluator& ev) {
  p.ExpectKeyword("INTO");
  const auto target_name = p.ObjectName();
  Table& table = Existing(target_name, c, "MERGE");
  std::string target_q = target_name.back();
  if (p.AcceptKeyword("AS") || (p.Peek().type != Token::Type::kSymbol && !p.IsKeyword("USING"))) {
    target_q = p.Identifier();
  }
  p.ExpectKeyword("USING");
  p.ExpectSymbol("(");
  const Source source = SelectFromValues(p, ev);
  p.ExpectSymbol(")");
  std::string source_q;
  if (p.AcceptKeyword("AS") || (p.Peek().type != Token::Type::kSymbol && !p.IsKeyword("ON"))) {
    source_q = p.Identifier();
  }
  const Scope scope{table, target_q, source, source_q, ev};
  p.ExpectKeyword("ON");
  std::vector<std::pair<int, int>> keys;  // target column, source column
  do {
    const Expr a = p.Expression();
    p.ExpectSymbol("=");
    const Expr b = p.Expression();
    if (a.type != Expr::Type::kRef || b.type != Expr::Type::kRef || a.qualifier.empty() ||
        b.qualifier.empty()) {
      Throw("001003", "42000",
            "SQL compilation error:\nunsupported by FakeSnowflake: ON takes "
            "qualified <target>.<col> = <source>.<col> equalities joined by AND");
    }
    const bool a_target = scope.IsTarget(a);
    const Expr& t = a_target ? a : b;
    const Expr& s = a_target ? b : a;
    if (!scope.IsTarget(t) || scope.IsTarget(s)) scope.Invalid(s);
    const int ti = table.FindColumn(t.column), si = scope.SourceColumn(s);
    if (ti < 0) scope.Invalid(t);
    if (si < 0) scope.Invalid(s);
    keys.emplace_back(ti, si);
  } while (p.AcceptKeyword("AND"));
  std::vector<Clause> clauses;
  while (p.AcceptKeyword("WHEN")) {
    Clause clause;
    clause.matched = !p.AcceptKeyword("NOT");
    p.ExpectKeyword("MATCHED");
    while (p.AcceptKeyword("AND")) {
      Predicate pr;
      pr.lhs = p.Expression();
      if (p.AcceptKeyword("IS")) {
        pr.op = p.AcceptKeyword("NOT") ? "IS NOT NULL" : "IS NULL";
        p.ExpectKeyword("NULL");
      } else {
        pr.op = p.AcceptSymbol("=")                              ? "="
                : (p.AcceptSymbol("<>") || p.AcceptSymbol("!=")) ? "<>"
                                                                 : "";
        if (pr.op.empty()) p.Unexpected();
        pr.rhs = p.Expression();
      }
      clause.when.push_back(std::move(pr));
    }
    p.ExpectKeyword("THEN");
    if (clause.matched && p.AcceptKeyword("DELETE")) {
      clause.action = Clause::Action::kDelete;
    } else if (clause.matched) {
      p.ExpectKeyword("UPDATE");
      p.ExpectKeyword("SET");
      clause.action = Clause::Action::kUpdate;
      do {
        std::string col = p.Identifier();
        if (p.AcceptSymbol(".")) {
          if (col != target_q) InvalidIdentifier(col);
          col = p.Identifier();
        }
        p.ExpectSymbol("=");
        clause.assignments.emplace_back(ColumnIndex(table, col), p.Expression());
      } while (p.AcceptSymbol(","));
    } else {
      p.ExpectKeyword("INSERT");
      clause.action = Clause::Action::kInsert;
      std::vector<int> cols;
      if (p.Peek().text == "(") {
        for (const auto& name : p.IdentifierList()) cols.push_back(ColumnIndex(table, name));
      } else {
        for (size_t i = 0; i < table.columns.size(); ++i) cols.push_back(static_cast<int>(i));
      }
      p.ExpectKeyword("VALUES");
      p.ExpectSymbol("(");
      size_t i = 0;
      do {
        if (i >= cols.size()) p.Unexpected();
        clause.assignments.emplace_back(cols[i++], p.Expression());
      } while (p.AcceptSymbol(","));
      p.ExpectSymbol(")");
      if (i != cols.size()) {
        Throw("002020", "21S01",
              "SQL compilation error:\nInsert value list does not match column "
              "list expecting " +
                  std::to_string(cols.size()) + " but got " + std::to_string(i));
      }
    }
    clauses.push_back(std::move(clause));
  }
  if (clauses.empty()) p.Unexpected();
  p.ExpectEnd();

  // Join: which target rows each source row matches.
  std::vector<std::vector<size_t>> matches(source.rows.size());
  for (size_t s = 0; s < source.rows.size(); ++s) {
    std::vector<Cell> key;
    bool null_key = false;
    for (const auto& [ti, si] : keys) {
      Column col = table.columns[ti];
      col.not_null = false;
      Cell cell;
      SqlError e;
      if (!Coerce(source.rows[s][si], col, &cell, &e)) throw Abort{e};
      null_key |= !cell.has_value();
      key.push_back(std::move(cell));
    }
    if (null_key) continue;
    for (size_t t = 0; t < table.rows.size(); ++t) {
      bool eq = true;
      for (size_t k = 0; k < keys.size() && eq; ++k) eq = table.rows[t][keys[k].first] == key[k];
      if (eq) matches[s].push_back(t);
    }
  }
  // The action of every (target, source) pair, and the inserts of the unmatched source rows.
  struct Action {
    const Clause* clause;
    size_t source;
  };
  std::vector<std::vector<Action>> per_target(table.rows.size());
  std::vector<std::vector<Cell>> inserts;
  auto build = [&](const Clause& clause, const std::vector<Value>& s, std::vector<Cell> row,
                   const std::vector<Cell>* t) {
    std::vector<bool> set(row.size());
    for (const auto& [col, expr] : clause.assignments) {
      SqlError e;
      if (!Coerce(scope.Eval(expr, s, t), table.columns[col], &row[col], &e)) throw Abort{e};
      set[col] = true;
    }
    for (size_t i = 0; i < row.size() && !t; ++i) {
      SqlError e;
      if (!set[i] && !Coerce({}, table.columns[i], &row[i], &e)) throw Abort{e};
    }
    return row;
  };
  for (size_t s = 0; s < source.rows.size(); ++s) {
    for (const Clause& clause : clauses) {
      if (matches[s].empty() && !clause.matched && scope.Holds(clause, source.rows[s], nullptr)) {
        inserts.push_back(
            build(clause, source.rows[s], std::vector<Cell>(table.columns.size()), nullptr));
        break;
      }
    }
    for (size_t t : matches[s]) {
      for (const Clause& clause : clauses) {
        if (clause.matched && scope.Holds(clause, source.rows[s], &table.rows[t])) {
          per_target[t].push_back({&clause, s});
          break;
        }
      }
    }
  }
  std::vector<std::vector<Cell>> rows;
  int64_t updated = 0, deleted = 0;
  for (size_t t = 0; t < table.rows.size(); ++t) {
    const auto& actions = per_target[t];
    int updates = 0, deletes = 0;
    for (const Action& a : actions) {
      (a.clause->action == Clause::Action::kUpdate ? updates : deletes)++;
    }
    if (updates > 1 || (updates > 0 && deletes > 0)) {
      Throw("100090", "42P18",
            "Duplicate row detected during DML action\nRow Values: " + RowValues(table.rows[t]));
    }
    if (deletes > 0) {
      ++deleted;
      continue;
    }
    if (updates == 1) {
      ++updated;
      rows.push_back(
          build(*actions[0].clause, source.rows[actions[0].source], table.rows[t], &table.rows[t]));
      continue;
    }
    rows.push_back(table.rows[t]);
  }
  const int64_t inserted = static_cast<int64_t>(inserts.size());
  for (auto& row : inserts) rows.push_back(std::move(row));
  table.rows = std::move(rows);

  SqlResult r;
  r.rows.emplace_back();
  auto column = [&](Clause::Action a, const char* name, int64_t n) {
    for (const Clause& clause : clauses) {
      if (clause.action == a) {
        r.columns.push_back({name, "fixed"});
        r.rows[0].push_back(std::to_string(n));
        return;
      }
    }
  };
  column(Clause::Action::kInsert, "number of rows inserted", inserted);
  column(Clause::Action::kUpdate, "number of rows updated", updated);
  column(Clause::Action::kDelete, "number of rows deleted", deleted);
  r.stats = SqlResult::Stats{inserted, updated, deleted};
  return r;
}

}  // namespace rivven::testing::fake_snowflake::internal::statements
