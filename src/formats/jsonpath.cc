#include "formats/jsonpath.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>

namespace rivven::formats {

struct JsonPath::Segment {
  enum class Kind { kNames, kWildcard, kIndices, kSlice, kFilter };
  Kind kind = Kind::kNames;
  bool recursive = false;
  std::vector<std::string> names;
  std::vector<int64_t> indices;
  std::optional<int64_t> start, end;
  int64_t step = 1;
  std::unique_ptr<Expr> filter;
};

struct JsonPath::Expr {
  enum class Kind { kOr, kAnd, kNot, kCompare, kExists, kLiteral, kPath };
  Kind kind = Kind::kLiteral;
  std::string op;  // kCompare
  std::unique_ptr<Expr> a, b;
  // kLiteral
  enum class Type { kNumber, kString, kBool, kNull };
  Type type = Type::kNull;
  double number = 0;
  std::string string;
  bool boolean = false;
  // kPath
  bool absolute = false;
  std::vector<std::unique_ptr<Segment>> path;
};

namespace {

using Segment = JsonPath::Segment;
using Expr = JsonPath::Expr;
using Value = rapidjson::Value;

class Parser {
 public:
  explicit Parser(std::string_view text) : t_(text) {}

  Status Fail(const std::string& what) const {
    return Status::InvalidArgument("JSONPath '" + std::string(t_) + "' at " + std::to_string(p_) +
                                   ": " + what);
  }
  bool AtEnd() const { return p_ >= t_.size(); }
  char Peek(size_t ahead = 0) const { return p_ + ahead < t_.size() ? t_[p_ + ahead] : '\0'; }
  void SkipSpaces() {
    while (!AtEnd() && std::isspace(static_cast<unsigned char>(t_[p_]))) ++p_;
  }
  bool Eat(std::string_view s) {
    SkipSpaces();
    if (t_.substr(p_, s.size()) == s) {
      p_ += s.size();
      return true;
    }
    return false;
  }

  // Segments after `$` or `@`, until something that is not a segment.
  Status Segments(std::vector<std::unique_ptr<Segment>>* out) {
    while (!AtEnd()) {
      const char c = Peek();
      if (c == '.') {
        auto seg = std::make_unique<Segment>();
        ++p_;
        if (Peek() == '.') {
          ++p_;
          seg->recursive = true;
          if (Peek() == '[') {
            ++p_;
            RC_RETURN_IF_ERROR(Bracket(seg.get()));
            out->push_back(std::move(seg));
            continue;
          }
        }
        if (Peek() == '*') {
          ++p_;
          seg->kind = Segment::Kind::kWildcard;
        } else {
          std::string name = Name();
          if (name.empty()) return Fail("expected a member name, * or [ after '.'");
          seg->names.push_back(std::move(name));
        }
        out->push_back(std::move(seg));
      } else if (c == '[') {
        ++p_;
        auto seg = std::make_unique<Segment>();
        RC_RETURN_IF_ERROR(Bracket(seg.get()));
        out->push_back(std::move(seg));
      } else {
        break;
      }
    }
    return Status::Ok();
  }

  std::string Name() {
    const size_t begin = p_;
    while (!AtEnd()) {
      const auto c = static_cast<unsigned char>(t_[p_]);
      if (std::isalnum(c) || c == '_' || c == '-' || c == '$' || c >= 0x80) {
        ++p_;
      } else {
        break;
      }
    }
    return std::string(t_.substr(begin, p_ - begin));
  }

  Status Quoted(std::string* out) {
    const char q = Peek();
    ++p_;
    while (!AtEnd() && t_[p_] != q) {
      if (t_[p_] == '\\' && p_ + 1 < t_.size()) ++p_;
      out->push_back(t_[p_++]);
    }
    if (AtEnd()) return Fail("unterminated string");
    ++p_;
    return Status::Ok();
  }

  std::optional<int64_t> Integer() {
    SkipSpaces();
    const size_t begin = p_;
    if (Peek() == '-') ++p_;
    while (std::isdigit(static_cast<unsigned char>(Peek()))) ++p_;
    if (p_ == begin || (p_ == begin + 1 && t_[begin] == '-')) {
      p_ = begin;
      return std::nullopt;
    }
    return std::strtoll(std::string(t_.substr(begin, p_ - begin)).c_str(), nullptr, 10);
  }

  // After '['.
  Status Bracket(Segment* seg) {
    SkipSpaces();
    if (Eat("*")) {
      seg->kind = Segment::Kind::kWildcard;
    } else if (Eat("?")) {
      seg->kind = Segment::Kind::kFilter;
      const bool paren = Eat("(");
      RC_RETURN_IF_ERROR(Or(&seg->filter));
      if (paren && !Eat(")")) return Fail("expected ')' closing the filter");
    } else if (Peek() == '\'' || Peek() == '"') {
      seg->kind = Segment::Kind::kNames;
      do {
        SkipSpaces();
        if (Peek() != '\'' && Peek() != '"') return Fail("expected a quoted name");
        std::string name;
        RC_RETURN_IF_ERROR(Quoted(&name));
        seg->names.push_back(std::move(name));
      } while (Eat(","));
    } else {
      std::optional<int64_t> first = Integer();
      SkipSpaces();
      if (Peek() == ':') {
        seg->kind = Segment::Kind::kSlice;
        seg->start = first;
        ++p_;
        seg->end = Integer();
        if (Eat(":")) {
          if (auto step = Integer()) seg->step = *step;
          if (seg->step == 0) return Fail("a slice step of 0");
        }
      } else {
        if (!first) return Fail("expected an index, a slice, a quoted name, * or ?(...)");
        seg->kind = Segment::Kind::kIndices;
        seg->indices.push_back(*first);
        while (Eat(",")) {
          auto next = Integer();
          if (!next) return Fail("expected an index after ','");
          seg->indices.push_back(*next);
        }
      }
    }
    if (!Eat("]")) return Fail("expected ']'");
    return Status::Ok();
  }

  Status Or(std::unique_ptr<Expr>* out) {
    RC_RETURN_IF_ERROR(And(out));
    while (Eat("||")) {
      auto e = std::make_unique<Expr>();
      e->kind = Expr::Kind::kOr;
      e->a = std::move(*out);
      RC_RETURN_IF_ERROR(And(&e->b));
      *out = std::move(e);
    }
    return Status::Ok();
  }

  Status And(std::unique_ptr<Expr>* out) {
    RC_RETURN_IF_ERROR(Unary(out));
    while (Eat("&&")) {
      auto e = std::make_unique<Expr>();
      e->kind = Expr::Kind::kAnd;
      e->a = std::move(*out);
      RC_RETURN_IF_ERROR(Unary(&e->b));
      *out = std::move(e);
    }
    return Status::Ok();
  }

  Status Unary(std::unique_ptr<Expr>* out) {
    SkipSpaces();
    if (Peek() == '!' && Peek(1) != '=') {
      ++p_;
      auto e = std::make_unique<Expr>();
      e->kind = Expr::Kind::kNot;
      RC_RETURN_IF_ERROR(Unary(&e->a));
      *out = std::move(e);
      return Status::Ok();
    }
    if (Eat("(")) {
      RC_RETURN_IF_ERROR(Or(out));
      if (!Eat(")")) return Fail("expected ')'");
      return Status::Ok();
    }
    std::unique_ptr<Expr> left;
    RC_RETURN_IF_ERROR(Operand(&left));
    SkipSpaces();
    for (std::string_view op : {"==", "!=", "<=", ">=", "<", ">"}) {
      if (Eat(op)) {
        auto e = std::make_unique<Expr>();
        e->kind = Expr::Kind::kCompare;
        e->op = std::string(op);
        e->a = std::move(left);
        RC_RETURN_IF_ERROR(Operand(&e->b));
        *out = std::move(e);
        return Status::Ok();
      }
    }
    if (left->kind != Expr::Kind::kPath) return Fail("a literal alone is not a condition");
    left->kind = Expr::Kind::kExists;
    *out = std::move(left);
    return Status::Ok();
  }

  Status Operand(std::unique_ptr<Expr>* out) {
    SkipSpaces();
    auto e = std::make_unique<Expr>();
    const char c = Peek();
    if (c == '@' || c == '$') {
      ++p_;
      e->kind = Expr::Kind::kPath;
      e->absolute = c == '$';
      RC_RETURN_IF_ERROR(Segments(&e->path));
    } else if (c == '\'' || c == '"') {
      e->type = Expr::Type::kString;
      RC_RETURN_IF_ERROR(Quoted(&e->string));
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-') {
      const char* begin = t_.data() + p_;
      char* end = nullptr;
      const std::string copy(t_.substr(p_));
      e->type = Expr::Type::kNumber;
      e->number = std::strtod(copy.c_str(), &end);
      const size_t used = static_cast<size_t>(end - copy.c_str());
      if (used == 0) return Fail("expected a number");
      (void)begin;
      p_ += used;
    } else if (Eat("true")) {
      e->type = Expr::Type::kBool;
      e->boolean = true;
    } else if (Eat("false")) {
      e->type = Expr::Type::kBool;
    } else if (Eat("null")) {
      e->type = Expr::Type::kNull;
    } else {
      return Fail("expected @, $, a number, a string, true, false or null");
    }
    *out = std::move(e);
    return Status::Ok();
  }

  size_t pos() const { return p_; }

 private:
  std::string_view t_;
  size_t p_ = 0;
};

void Descendants(const Value& v, std::vector<const Value*>* out) {
  out->push_back(&v);
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) Descendants(m.value, out);
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) Descendants(e, out);
  }
}

std::vector<const Value*> Run(const std::vector<std::unique_ptr<Segment>>& segments,
                              const Value& start, const Value& root);

const Value* First(const Expr& path, const Value& current, const Value& root) {
  auto found = Run(path.path, path.absolute ? root : current, root);
  return found.empty() ? nullptr : found.front();
}

// -1, 0, 1 for comparable operands; nullopt when they do not compare.
std::optional<int> Compare(const Expr& e, const Value* v, const Value& cur, const Value& root,
                           std::optional<double>* num, std::optional<std::string_view>* str,
                           std::optional<bool>* boolean, bool* is_null) {
  (void)cur;
  (void)root;
  if (e.kind == Expr::Kind::kLiteral) {
    switch (e.type) {
      case Expr::Type::kNumber: *num = e.number; break;
      case Expr::Type::kString: *str = e.string; break;
      case Expr::Type::kBool: *boolean = e.boolean; break;
      case Expr::Type::kNull: *is_null = true; break;
    }
    return 0;
  }
  if (v == nullptr) return std::nullopt;
  if (v->IsNumber()) {
    *num = v->GetDouble();
  } else if (v->IsString()) {
    *str = std::string_view(v->GetString(), v->GetStringLength());
  } else if (v->IsBool()) {
    *boolean = v->GetBool();
  } else if (v->IsNull()) {
    *is_null = true;
  } else {
    return std::nullopt;
  }
  return 0;
}

bool Holds(const Expr& e, const Value& cur, const Value& root) {
  switch (e.kind) {
    case Expr::Kind::kOr: return Holds(*e.a, cur, root) || Holds(*e.b, cur, root);
    case Expr::Kind::kAnd: return Holds(*e.a, cur, root) && Holds(*e.b, cur, root);
    case Expr::Kind::kNot: return !Holds(*e.a, cur, root);
    case Expr::Kind::kExists: return First(e, cur, root) != nullptr;
    case Expr::Kind::kCompare: {
      const Value* va = e.a->kind == Expr::Kind::kPath ? First(*e.a, cur, root) : nullptr;
      const Value* vb = e.b->kind == Expr::Kind::kPath ? First(*e.b, cur, root) : nullptr;
      std::optional<double> na, nb;
      std::optional<std::string_view> sa, sb;
      std::optional<bool> ba, bb;
      bool za = false, zb = false;
      if (!Compare(*e.a, va, cur, root, &na, &sa, &ba, &za) ||
          !Compare(*e.b, vb, cur, root, &nb, &sb, &bb, &zb)) {
        return e.op == "!=";  // a missing or structured operand equals nothing
      }
      int c;
      bool ordered = true;
      if (na && nb) {
        c = *na < *nb ? -1 : (*na > *nb ? 1 : 0);
      } else if (sa && sb) {
        c = sa->compare(*sb) < 0 ? -1 : (sa->compare(*sb) > 0 ? 1 : 0);
      } else if (ba && bb) {
        c = *ba == *bb ? 0 : 1;
        ordered = false;
      } else if (za && zb) {
        c = 0;
        ordered = false;
      } else {
        return e.op == "!=";  // different types
      }
      if (e.op == "==") return c == 0;
      if (e.op == "!=") return c != 0;
      if (!ordered) return false;
      if (e.op == "<") return c < 0;
      if (e.op == "<=") return c <= 0;
      if (e.op == ">") return c > 0;
      return c >= 0;
    }
    case Expr::Kind::kLiteral:
    case Expr::Kind::kPath:
      return false;
  }
  return false;
}

void Apply(const Segment& seg, const Value& v, const Value& root, std::vector<const Value*>* out) {
  switch (seg.kind) {
    case Segment::Kind::kNames:
      if (!v.IsObject()) return;
      for (const std::string& name : seg.names) {
        for (const auto& m : v.GetObject()) {
          if (std::string_view(m.name.GetString(), m.name.GetStringLength()) == name) {
            out->push_back(&m.value);
            break;
          }
        }
      }
      return;
    case Segment::Kind::kWildcard:
      if (v.IsObject()) {
        for (const auto& m : v.GetObject()) out->push_back(&m.value);
      } else if (v.IsArray()) {
        for (const auto& e : v.GetArray()) out->push_back(&e);
      }
      return;
    case Segment::Kind::kIndices: {
      if (!v.IsArray()) return;
      const auto n = static_cast<int64_t>(v.Size());
      for (int64_t i : seg.indices) {
        const int64_t at = i < 0 ? n + i : i;
        if (at >= 0 && at < n) out->push_back(&v[static_cast<rapidjson::SizeType>(at)]);
      }
      return;
    }
    case Segment::Kind::kSlice: {
      if (!v.IsArray()) return;
      const auto n = static_cast<int64_t>(v.Size());
      auto norm = [n](int64_t i) { return i < 0 ? std::max<int64_t>(n + i, 0) : std::min(i, n); };
      if (seg.step > 0) {
        const int64_t from = seg.start ? norm(*seg.start) : 0;
        const int64_t to = seg.end ? norm(*seg.end) : n;
        for (int64_t i = from; i < to; i += seg.step) {
          out->push_back(&v[static_cast<rapidjson::SizeType>(i)]);
        }
      } else {
        const int64_t from = seg.start ? std::min(norm(*seg.start), n - 1) : n - 1;
        const int64_t to = seg.end ? norm(*seg.end) : -1;
        for (int64_t i = from; i > to; i += seg.step) {
          out->push_back(&v[static_cast<rapidjson::SizeType>(i)]);
        }
      }
      return;
    }
    case Segment::Kind::kFilter:
      if (v.IsArray()) {
        for (const auto& e : v.GetArray()) {
          if (Holds(*seg.filter, e, root)) out->push_back(&e);
        }
      } else if (v.IsObject()) {
        for (const auto& m : v.GetObject()) {
          if (Holds(*seg.filter, m.value, root)) out->push_back(&m.value);
        }
      }
      return;
  }
}

std::vector<const Value*> Run(const std::vector<std::unique_ptr<Segment>>& segments,
                              const Value& start, const Value& root) {
  std::vector<const Value*> current = {&start};
  for (const auto& seg : segments) {
    std::vector<const Value*> next;
    for (const Value* v : current) {
      if (seg->recursive) {
        std::vector<const Value*> all;
        Descendants(*v, &all);
        for (const Value* d : all) Apply(*seg, *d, root, &next);
      } else {
        Apply(*seg, *v, root, &next);
      }
    }
    current = std::move(next);
  }
  return current;
}

}  // namespace

JsonPath::JsonPath() = default;
JsonPath::~JsonPath() = default;
JsonPath::JsonPath(JsonPath&&) noexcept = default;
JsonPath& JsonPath::operator=(JsonPath&&) noexcept = default;

Result<JsonPath> JsonPath::Parse(std::string_view text) {
  Parser p(text);
  p.SkipSpaces();
  if (!p.Eat("$")) return p.Fail("a JSONPath starts with $");
  JsonPath path;
  path.text_ = std::string(text);
  RC_RETURN_IF_ERROR(p.Segments(&path.segments_));
  p.SkipSpaces();
  if (!p.AtEnd()) return p.Fail("unexpected '" + std::string(1, p.Peek()) + "'");
  return path;
}

std::vector<const rapidjson::Value*> JsonPath::Select(const rapidjson::Value& root) const {
  return Run(segments_, root, root);
}

}  // namespace rivven::formats
