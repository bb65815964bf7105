#include "transforms/expr/expr_parser.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <re2/re2.h>

#include "transforms/expr/expr_eval.h"
#include "transforms/expr/expr_functions.h"
#include "transforms/expr/expr_lexer.h"

namespace rivven::transforms::expr {
namespace {

constexpr std::string_view kSyntaxError = "syntax error";
constexpr std::string_view kError = "error";

struct RootName {
  std::string_view name;
  Root root;
};
constexpr RootName kRoots[] = {
    {"value", Root::kValue},         {"key", Root::kKey},
    {"headers", Root::kHeader},      {"topic", Root::kTopic},
    {"partition", Root::kPartition}, {"offset", Root::kOffset},
    {"timestamp", Root::kTimestamp},
};

bool IsComparison(const Token& t) {
  switch (t.kind) {
    case Tok::kEq:
    case Tok::kNe:
    case Tok::kLt:
    case Tok::kLe:
    case Tok::kGt:
    case Tok::kGe:
      return true;
    case Tok::kIdent:
      return t.text == "in" || t.text == "matches" || t.text == "is" || t.text == "not";
    default:
      return false;
  }
}

/// Recursive descent over the grammar of docs/expressions.md, one level per precedence. Parse
/// functions return nullptr once an error is recorded; only the first error is kept.
class Parser {
 public:
  Parser(std::string_view text, int max_depth) : text_(text), lexer_(text), max_depth_(max_depth) {}

  Result<std::unique_ptr<Node>> Run() {
    Advance();
    NodePtr root = ParseOr();
    if (!failed_ && tok_.kind != Tok::kEnd) {
      std::string detail = "unexpected " + Quote(tok_) + " after the expression";
      if (tok_.kind == Tok::kIdent && tok_.text == "and") detail += "; use '&&'";
      if (tok_.kind == Tok::kIdent && tok_.text == "or") detail += "; use '||'";
      Fail(tok_.pos, detail);
    }
    if (failed_) return Status::InvalidArgument(std::move(error_));
    return root;
  }

 private:
  using NodePtr = std::unique_ptr<Node>;

  /// Counts nesting for the duration of one recursive parse call.
  class DepthGuard {
   public:
    explicit DepthGuard(Parser& p) : p_(p) { ++p_.depth_; }
    ~DepthGuard() { --p_.depth_; }
    bool too_deep() const { return p_.depth_ > p_.max_depth_; }

   private:
    Parser& p_;
  };

  void Advance() {
    prev_ = std::move(tok_);
    tok_ = lexer_.Next();
    if (tok_.kind == Tok::kError) Fail(tok_.pos, tok_.text);
  }

  bool IsWord(std::string_view w) const { return tok_.kind == Tok::kIdent && tok_.text == w; }

  /// A token's text for a message, quoted; a long one is cut (at a character boundary).
  std::string Quote(const Token& t) const {
    std::string_view s = text_.substr(t.pos, t.len);
    if (s.size() <= 24) return "'" + std::string(s) + "'";
    size_t cut = 20;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return "'" + std::string(s.substr(0, cut)) + "...'";
  }

  std::nullptr_t Fail(size_t pos, std::string_view detail, std::string_view kind = kSyntaxError) {
    if (!failed_) {
      failed_ = true;
      error_ = FormatCompileError(text_, pos, kind, detail);
    }
    return nullptr;
  }

  std::string TooDeep() const {
    return "expression nested too deeply (more than " + std::to_string(max_depth_) + " levels)";
  }

  /// "expected <what>" at the current token, or, at the end of the text, at the last token
  /// (the thing that wanted more).
  std::nullptr_t Expected(std::string_view what) {
    if (tok_.kind == Tok::kEnd) return Fail(prev_.pos, "expected " + std::string(what));
    return Fail(tok_.pos, "expected " + std::string(what) + ", found " + Quote(tok_));
  }

  /// A node over `children`, refused when the tree gets too high.
  NodePtr Make(Op op, size_t pos, std::vector<NodePtr> children) {
    auto n = std::make_unique<Node>(op, pos);
    int height = 0;
    for (const auto& c : children) height = std::max(height, c->height);
    n->height = height + 1;
    n->children = std::move(children);
    if (n->height > max_depth_) return Fail(pos, TooDeep());
    return n;
  }

  NodePtr Make(Op op, size_t pos, NodePtr a) {
    std::vector<NodePtr> c;
    c.push_back(std::move(a));
    return Make(op, pos, std::move(c));
  }

  NodePtr Make(Op op, size_t pos, NodePtr a, NodePtr b) {
    std::vector<NodePtr> c;
    c.push_back(std::move(a));
    c.push_back(std::move(b));
    return Make(op, pos, std::move(c));
  }

  /// Replaces a node whose operands are all constant by its value, computed once here.
  static NodePtr Fold(NodePtr n) {
    if (!n || n->op == Op::kConst || n->op == Op::kPath || n->op == Op::kExists) return n;
    for (const auto& c : n->children) {
      if (c->op != Op::kConst) return n;
    }
    ValueArena arena;
    const Val v = Evaluate(*n, nullptr, arena);
    auto folded = std::make_unique<Node>(Op::kConst, n->pos);
    folded->constant = Constant(v);
    return folded;
  }

  static NodePtr Literal(const Val& v, size_t pos) {
    auto n = std::make_unique<Node>(Op::kConst, pos);
    n->constant = Constant(v);
    return n;
  }

  // or = and { "||" and }
  NodePtr ParseOr() {
    DepthGuard guard(*this);
    if (guard.too_deep()) return Fail(tok_.pos, TooDeep());
    return ParseChain(Tok::kOr, Op::kOr, &Parser::ParseAnd);
  }

  // and = not { "&&" not }
  NodePtr ParseAnd() { return ParseChain(Tok::kAnd, Op::kAnd, &Parser::ParseNot); }

  /// An n-ary && or || node: a chain of any length is one level deep.
  NodePtr ParseChain(Tok tok, Op op, NodePtr (Parser::*operand)()) {
    NodePtr first = (this->*operand)();
    if (!first || tok_.kind != tok) return first;
    const size_t pos = tok_.pos;
    std::vector<NodePtr> items;
    items.push_back(std::move(first));
    while (tok_.kind == tok) {
      Advance();
      NodePtr next = (this->*operand)();
      if (!next) return nullptr;
      items.push_back(std::move(next));
    }
    return Fold(Make(op, pos, std::move(items)));
  }

  // not = "!" not | comparison
  NodePtr ParseNot() {
    if (tok_.kind != Tok::kBang) return ParseComparison();
    DepthGuard guard(*this);
    if (guard.too_deep()) return Fail(tok_.pos, TooDeep());
    const size_t pos = tok_.pos;
    Advance();
    NodePtr operand = ParseNot();
    if (!operand) return nullptr;
    return Fold(Make(Op::kNot, pos, std::move(operand)));
  }

  // comparison = additive [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) additive
  //                       | [ "not" ] ( "in" | "matches" ) additive
  //                       | "is" [ "not" ] "null" ]
  NodePtr ParseComparison() {
    NodePtr left = ParseAdditive();
    if (!left || !IsComparison(tok_)) return left;
    const size_t pos = tok_.pos;
    NodePtr node;
    if (IsWord("is")) {
      Advance();
      Op op = Op::kIsNull;
      if (IsWord("not")) {
        op = Op::kIsNotNull;
        Advance();
      }
      if (!IsWord("null")) return Expected("'null' or 'not null' after 'is'");
      Advance();
      node = Fold(Make(op, pos, std::move(left)));
    } else {
      Op op;
      switch (tok_.kind) {
        case Tok::kEq:
          op = Op::kEq;
          break;
        case Tok::kNe:
          op = Op::kNe;
          break;
        case Tok::kLt:
          op = Op::kLt;
          break;
        case Tok::kLe:
          op = Op::kLe;
          break;
        case Tok::kGt:
          op = Op::kGt;
          break;
        case Tok::kGe:
          op = Op::kGe;
          break;
        default:
          if (IsWord("not")) {
            Advance();
            if (IsWord("in")) {
              op = Op::kNotIn;
            } else if (IsWord("matches")) {
              op = Op::kNotMatches;
            } else {
              return Expected("'in' or 'matches' after 'not'");
            }
          } else {
            op = IsWord("in") ? Op::kIn : Op::kMatches;
          }
      }
      Advance();
      NodePtr right = ParseAdditive();
      if (!right) return nullptr;
      node = Make(op, pos, std::move(left), std::move(right));
      if (node && (op == Op::kMatches || op == Op::kNotMatches) && !CompilePattern(*node)) {
        return nullptr;
      }
      node = Fold(std::move(node));
    }
    if (node && IsComparison(tok_)) {
      return Fail(tok_.pos, "comparisons do not chain; add parentheses");
    }
    return node;
  }

  /// A constant pattern is compiled now, so a bad one is a compile error and matching costs no
  /// compilation per record.
  bool CompilePattern(Node& node) {
    const Node& pattern = *node.children[1];
    if (pattern.op != Op::kConst) return true;
    const Val& v = pattern.constant.value();
    if (v.type != Type::kString) {
      Fail(pattern.pos, "the pattern after 'matches' must be a string", kError);
      return false;
    }
    node.regex = NewRegex(v.string());
    if (!node.regex->ok()) {
      Fail(pattern.pos, "invalid regular expression: " + node.regex->error(), kError);
      return false;
    }
    return true;
  }

  // additive = multiplicative { ( "+" | "-" ) multiplicative }
  NodePtr ParseAdditive() {
    NodePtr left = ParseMultiplicative();
    while (left && (tok_.kind == Tok::kPlus || tok_.kind == Tok::kMinus)) {
      const Op op = tok_.kind == Tok::kPlus ? Op::kAdd : Op::kSub;
      const size_t pos = tok_.pos;
      Advance();
      NodePtr right = ParseMultiplicative();
      if (!right) return nullptr;
      left = Fold(Make(op, pos, std::move(left), std::move(right)));
    }
    return left;
  }

  // multiplicative = unary { ( "*" | "/" | "%" ) unary }
  NodePtr ParseMultiplicative() {
    NodePtr left = ParseUnary();
    while (left &&
           (tok_.kind == Tok::kStar || tok_.kind == Tok::kSlash || tok_.kind == Tok::kPercent)) {
      const Op op = tok_.kind == Tok::kStar    ? Op::kMul
                    : tok_.kind == Tok::kSlash ? Op::kDiv
                                               : Op::kMod;
      const size_t pos = tok_.pos;
      Advance();
      NodePtr right = ParseUnary();
      if (!right) return nullptr;
      left = Fold(Make(op, pos, std::move(left), std::move(right)));
    }
    return left;
  }

  // unary = "-" unary | primary
  NodePtr ParseUnary() {
    if (tok_.kind != Tok::kMinus) return ParsePrimary();
    DepthGuard guard(*this);
    if (guard.too_deep()) return Fail(tok_.pos, TooDeep());
    const size_t pos = tok_.pos;
    Advance();
    NodePtr operand = ParseUnary();
    if (!operand) return nullptr;
    return Fold(Make(Op::kNeg, pos, std::move(operand)));
  }

  // primary = number | string | "true" | "false" | "null" | list | path | call
  //         | "(" expression ")"
  NodePtr ParsePrimary() {
    const size_t pos = tok_.pos;
    switch (tok_.kind) {
      case Tok::kInt: {
        NodePtr n = Literal(Val::Int(tok_.i), pos);
        Advance();
        return n;
      }
      case Tok::kDouble: {
        NodePtr n = Literal(Val::Double(tok_.d), pos);
        Advance();
        return n;
      }
      case Tok::kString: {
        NodePtr n = Literal(Val::String(tok_.text), pos);
        Advance();
        return n;
      }
      case Tok::kLParen: {
        Advance();
        NodePtr inner = ParseOr();
        if (!inner) return nullptr;
        if (tok_.kind == Tok::kEnd) return Fail(pos, "'(' is never closed");
        if (tok_.kind != Tok::kRParen) return Expected("')'");
        Advance();
        return inner;
      }
      case Tok::kLBracket:
        return ParseList();
      case Tok::kIdent:
        return ParseName();
      case Tok::kBang:
        return Fail(pos, "'!' here needs parentheses: write (!...)");
      default:
        break;
    }
    if (prev_.len == 0) return Expected("an expression");
    return Expected("a value after " + Quote(prev_));
  }

  // list = "[" [ expression { "," expression } [ "," ] ] "]"
  NodePtr ParseList() {
    const size_t open = tok_.pos;
    Advance();
    std::vector<NodePtr> items;
    while (tok_.kind != Tok::kRBracket) {
      NodePtr item = ParseOr();
      if (!item) return nullptr;
      items.push_back(std::move(item));
      if (tok_.kind == Tok::kComma) {
        Advance();
      } else if (tok_.kind == Tok::kEnd) {
        return Fail(open, "'[' is never closed");
      } else if (tok_.kind != Tok::kRBracket) {
        return Expected("',' or ']' in the list");
      }
    }
    Advance();
    return Fold(Make(Op::kList, open, std::move(items)));
  }

  NodePtr ParseName() {
    const size_t pos = tok_.pos;
    const std::string name = tok_.text;
    if (name == "true" || name == "false") {
      Advance();
      return Literal(Val::Bool(name == "true"), pos);
    }
    if (name == "null") {
      Advance();
      return Literal(Val(), pos);
    }
    if (name == "not") return Fail(pos, "unexpected 'not'; use '!' to negate");
    if (name == "in" || name == "matches" || name == "is" || name == "and" || name == "or") {
      return Expected(prev_.len == 0 ? "an expression" : "a value after " + Quote(prev_));
    }
    Advance();
    if (tok_.kind == Tok::kLParen) return ParseCall(name, pos);
    if (name == "op") {
      auto n = std::make_unique<Node>(Op::kPath, pos);
      n->path.root = Root::kValue;
      n->path.segments.push_back(Segment{"op"});
      if (tok_.kind == Tok::kDot || tok_.kind == Tok::kLBracket) {
        return Fail(tok_.pos, "'op' has no fields");
      }
      return n;
    }
    for (const auto& r : kRoots) {
      if (r.name == name) return ParsePath(r.root, name, pos);
    }
    return Fail(pos,
                "unknown name '" + name +
                    "'; a path starts with value, key, headers, topic, partition, offset, "
                    "timestamp or op",
                kError);
  }

  // path = root { "." name | "[" ( string | [ "-" ] integer ) "]" }
  NodePtr ParsePath(Root root, const std::string& name, size_t pos) {
    auto n = std::make_unique<Node>(Op::kPath, pos);
    n->path.root = root;
    while (tok_.kind == Tok::kDot || tok_.kind == Tok::kLBracket) {
      if (root != Root::kValue && root != Root::kKey && root != Root::kHeader) {
        return Fail(tok_.pos, "'" + name + "' has no fields");
      }
      if (root == Root::kHeader && !n->path.segments.empty()) {
        return Fail(tok_.pos, "a header's value is a string; it has no fields");
      }
      Segment seg;
      if (tok_.kind == Tok::kDot) {
        Advance();
        if (tok_.kind != Tok::kIdent) return Expected("a field name after '.'");
        seg.name = tok_.text;
        Advance();
      } else {
        const size_t open = tok_.pos;
        Advance();
        bool negative = false;
        if (tok_.kind == Tok::kMinus) {
          negative = true;
          Advance();
        }
        if (tok_.kind == Tok::kString && !negative) {
          seg.name = tok_.text;
        } else if (tok_.kind == Tok::kInt && root != Root::kHeader) {
          seg.is_index = true;
          seg.index = negative ? -tok_.i : tok_.i;
        } else {
          return Expected(root == Root::kHeader ? "a header name in quotes inside '[ ]'"
                                                : "a string or an integer inside '[ ]'");
        }
        Advance();
        if (tok_.kind == Tok::kEnd) return Fail(open, "'[' is never closed");
        if (tok_.kind != Tok::kRBracket) return Expected("']'");
        Advance();
      }
      n->path.segments.push_back(std::move(seg));
    }
    if (root == Root::kHeader && n->path.segments.empty()) {
      return Fail(pos, "'headers' needs a header name: headers.name or headers[\"name\"]");
    }
    return n;
  }

  // call = name "(" [ expression { "," expression } ] ")"
  NodePtr ParseCall(const std::string& name, size_t pos) {
    const size_t open = tok_.pos;
    const FunctionInfo* f = FindFunction(name);
    if (f == nullptr) return Fail(pos, "unknown function '" + name + "'", kError);
    Advance();
    std::vector<NodePtr> args;
    if (tok_.kind == Tok::kRParen) {
      Advance();
    } else {
      while (true) {
        NodePtr arg = ParseOr();
        if (!arg) return nullptr;
        args.push_back(std::move(arg));
        if (tok_.kind == Tok::kComma) {
          Advance();
          continue;
        }
        if (tok_.kind == Tok::kRParen) {
          Advance();
          break;
        }
        if (tok_.kind == Tok::kEnd) return Fail(open, "'(' is never closed");
        return Expected("',' or ')' after an argument");
      }
    }
    if (static_cast<int>(args.size()) != f->arity) {
      return Fail(pos,
                  name + "() takes " + std::to_string(f->arity) +
                      (f->arity == 1 ? " argument, not " : " arguments, not ") +
                      std::to_string(args.size()),
                  kError);
    }
    if (f->op == Op::kExists) {
      if (args[0]->op != Op::kPath) {
        return Fail(args[0]->pos, "exists() takes a path, e.g. exists(value.a)", kError);
      }
      auto n = std::make_unique<Node>(Op::kExists, pos);
      n->path = std::move(args[0]->path);
      return n;
    }
    return Fold(Make(f->op, pos, std::move(args)));
  }

  std::string_view text_;
  Lexer lexer_;
  const int max_depth_;
  int depth_ = 0;
  Token tok_;
  Token prev_;
  bool failed_ = false;
  std::string error_;
};

}  // namespace

Result<std::unique_ptr<Node>> Parse(std::string_view text, int max_depth) {
  return Parser(text, max_depth).Run();
}

std::string FormatCompileError(std::string_view text, size_t pos, std::string_view kind,
                               std::string_view detail) {
  pos = std::min(pos, text.size());
  size_t begin = 0;
  if (pos > 0) {
    const size_t newline = text.rfind('\n', pos - 1);
    if (newline != std::string_view::npos) begin = newline + 1;
  }
  size_t end = text.find('\n', pos);
  if (end == std::string_view::npos) end = text.size();
  std::string_view line = text.substr(begin, end - begin);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const std::string_view before = text.substr(begin, pos - begin);

  std::string out(kind);
  out += " at ";
  if (text.find('\n') != std::string_view::npos) {
    out += "line " + std::to_string(std::count(text.begin(), text.begin() + pos, '\n') + 1) + ", ";
  }
  out += "column " + std::to_string(Utf8Length(before) + 1) + ": ";
  out += detail;
  out += "\n  ";
  out += line;
  out += "\n  ";
  for (unsigned char c : before) {
    if (c == '\t') {
      out.push_back('\t');
    } else if ((c & 0xC0) != 0x80) {
      out.push_back(' ');
    }
  }
  out.push_back('^');
  return out;
}

}  // namespace rivven::transforms::expr
