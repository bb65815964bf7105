#include "transforms/expr/expr_lexer.h"

#include <charconv>
#include <cmath>

namespace rivven::transforms::expr {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

/// A character the lexer does not expect, shown so a reader can find it: printable text as
/// itself (a whole UTF-8 sequence), control bytes as hex.
std::string DescribeChar(std::string_view text, size_t pos) {
  const auto c = static_cast<unsigned char>(text[pos]);
  if (c < 0x20 || c == 0x7F) {
    static const char kHex[] = "0123456789ABCDEF";
    return std::string("unexpected control character 0x") + kHex[c >> 4] + kHex[c & 0xF];
  }
  size_t len = 1;
  if (c >= 0x80) {
    while (pos + len < text.size() && len < 4 &&
           (static_cast<unsigned char>(text[pos + len]) & 0xC0) == 0x80) {
      ++len;
    }
  }
  return "unexpected character '" + std::string(text.substr(pos, len)) + "'";
}

}  // namespace

Token Lexer::Error(size_t pos, std::string message) const {
  Token t;
  t.kind = Tok::kError;
  t.pos = pos;
  t.len = 1;
  t.text = std::move(message);
  return t;
}

Token Lexer::Next() {
  while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  Token t;
  t.pos = pos_;
  if (pos_ >= text_.size()) return t;

  const char c = text_[pos_];
  if (IsDigit(c)) return LexNumber(pos_);
  if (c == '"' || c == '\'') return LexString(pos_);
  if (IsIdentStart(c)) {
    size_t end = pos_ + 1;
    while (end < text_.size() && IsIdentChar(text_[end])) ++end;
    t.kind = Tok::kIdent;
    t.len = end - pos_;
    t.text = std::string(text_.substr(pos_, t.len));
    pos_ = end;
    return t;
  }

  const char next = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
  auto two = [&](Tok kind) {
    t.kind = kind;
    t.len = 2;
    pos_ += 2;
    return t;
  };
  auto one = [&](Tok kind) {
    t.kind = kind;
    t.len = 1;
    pos_ += 1;
    return t;
  };
  switch (c) {
    case '(':
      return one(Tok::kLParen);
    case ')':
      return one(Tok::kRParen);
    case '[':
      return one(Tok::kLBracket);
    case ']':
      return one(Tok::kRBracket);
    case ',':
      return one(Tok::kComma);
    case '.':
      return one(Tok::kDot);
    case '+':
      return one(Tok::kPlus);
    case '-':
      return one(Tok::kMinus);
    case '*':
      return one(Tok::kStar);
    case '/':
      return one(Tok::kSlash);
    case '%':
      return one(Tok::kPercent);
    case '<':
      return next == '=' ? two(Tok::kLe) : one(Tok::kLt);
    case '>':
      return next == '=' ? two(Tok::kGe) : one(Tok::kGt);
    case '!':
      return next == '=' ? two(Tok::kNe) : one(Tok::kBang);
    case '=':
      if (next == '=') return two(Tok::kEq);
      return Error(pos_, "unexpected '='; did you mean '=='?");
    case '&':
      if (next == '&') return two(Tok::kAnd);
      return Error(pos_, "unexpected '&'; did you mean '&&'?");
    case '|':
      if (next == '|') return two(Tok::kOr);
      return Error(pos_, "unexpected '|'; did you mean '||'?");
    default:
      return Error(pos_, DescribeChar(text_, pos_));
  }
}

Token Lexer::LexNumber(size_t start) {
  size_t end = start;
  while (end < text_.size() && IsDigit(text_[end])) ++end;
  bool is_float = false;
  if (end < text_.size() && text_[end] == '.') {
    if (end + 1 >= text_.size() || !IsDigit(text_[end + 1])) {
      return Error(end + 1 < text_.size() ? end + 1 : end,
                   "expected a digit after '.' in a number");
    }
    is_float = true;
    ++end;
    while (end < text_.size() && IsDigit(text_[end])) ++end;
  }
  if (end < text_.size() && (text_[end] == 'e' || text_[end] == 'E')) {
    size_t exp = end + 1;
    if (exp < text_.size() && (text_[exp] == '+' || text_[exp] == '-')) ++exp;
    if (exp >= text_.size() || !IsDigit(text_[exp])) {
      return Error(end, "expected digits in the exponent of a number");
    }
    is_float = true;
    end = exp;
    while (end < text_.size() && IsDigit(text_[end])) ++end;
  }
  if (end < text_.size() && IsIdentChar(text_[end])) {
    return Error(end, "unexpected '" + std::string(1, text_[end]) + "' after a number");
  }

  Token t;
  t.pos = start;
  t.len = end - start;
  const char* first = text_.data() + start;
  const char* last = text_.data() + end;
  if (!is_float) {
    auto r = std::from_chars(first, last, t.i);
    if (r.ec == std::errc() && r.ptr == last) {
      t.kind = Tok::kInt;
      pos_ = end;
      return t;
    }
    // Too large for int64: a float, like JSON parsers do.
  }
  auto r = std::from_chars(first, last, t.d);
  if (r.ec != std::errc() || r.ptr != last || !std::isfinite(t.d)) {
    return Error(start, "number out of range");
  }
  t.kind = Tok::kDouble;
  pos_ = end;
  return t;
}

bool Lexer::LexUnicodeEscape(std::string& out) {
  auto hex4 = [&](size_t at, uint32_t& v) {
    if (at + 4 > text_.size()) return false;
    v = 0;
    for (size_t k = 0; k < 4; ++k) {
      const int h = HexValue(text_[at + k]);
      if (h < 0) return false;
      v = v * 16 + static_cast<uint32_t>(h);
    }
    return true;
  };
  // pos_ is at the 'u' of "\u".
  uint32_t cp;
  if (!hex4(pos_ + 1, cp)) return false;
  pos_ += 5;
  if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate alone
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    uint32_t low;
    if (pos_ + 1 >= text_.size() || text_[pos_] != '\\' || text_[pos_ + 1] != 'u' ||
        !hex4(pos_ + 2, low) || low < 0xDC00 || low > 0xDFFF) {
      return false;
    }
    pos_ += 6;
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  }
  AppendUtf8(cp, out);
  return true;
}

Token Lexer::LexString(size_t start) {
  const char quote = text_[start];
  Token t;
  t.kind = Tok::kString;
  t.pos = start;
  pos_ = start + 1;
  while (true) {
    if (pos_ >= text_.size()) {
      pos_ = text_.size();
      return Error(start, "unterminated string");
    }
    const char c = text_[pos_];
    if (c == quote) {
      ++pos_;
      break;
    }
    if (c != '\\') {
      t.text.push_back(c);
      ++pos_;
      continue;
    }
    const size_t escape = pos_;
    if (++pos_ >= text_.size()) return Error(start, "unterminated string");
    switch (text_[pos_]) {
      case '"':
        t.text.push_back('"');
        break;
      case '\'':
        t.text.push_back('\'');
        break;
      case '\\':
        t.text.push_back('\\');
        break;
      case '/':
        t.text.push_back('/');
        break;
      case 'b':
        t.text.push_back('\b');
        break;
      case 'f':
        t.text.push_back('\f');
        break;
      case 'n':
        t.text.push_back('\n');
        break;
      case 'r':
        t.text.push_back('\r');
        break;
      case 't':
        t.text.push_back('\t');
        break;
      case 'u':
        if (!LexUnicodeEscape(t.text)) return Error(escape, "invalid \\u escape in string");
        continue;  // LexUnicodeEscape moved pos_ past the escape
      default: {
        const char e = text_[pos_];
        if (e <= ' ' || e >= 0x7F) return Error(escape, "invalid escape in string");
        return Error(escape, "invalid escape '\\" + std::string(1, e) + "' in string");
      }
    }
    ++pos_;
  }
  t.len = pos_ - start;
  return t;
}

}  // namespace rivven::transforms::expr
