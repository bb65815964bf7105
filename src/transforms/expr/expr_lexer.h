#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rivven::transforms::expr {

enum class Tok : uint8_t {
  kEnd,
  kError,  ///< Token::text holds the message; Token::pos where it applies
  kInt,
  kDouble,
  kString,  ///< Token::text holds the decoded string
  kIdent,   ///< names and keywords alike; the parser tells them apart
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr,
  kBang,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
};

struct Token {
  Tok kind = Tok::kEnd;
  size_t pos = 0;  ///< byte offset of the first character
  size_t len = 0;  ///< bytes of source text
  int64_t i = 0;
  double d = 0;
  std::string text;
};

/// Splits an expression into tokens on demand. Strings are "..." or '...' with JSON escapes
/// (plus \'); numbers are integers (int64; larger ones become floats) or decimals with an
/// optional exponent; whitespace is space, tab, CR and LF.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}
  /// The next token; kEnd at the end, kError (once) for bad input.
  Token Next();

 private:
  Token LexNumber(size_t start);
  Token LexString(size_t start);
  /// Appends the code point of a \uXXXX escape (with its low surrogate if any) at pos_.
  bool LexUnicodeEscape(std::string& out);
  Token Error(size_t pos, std::string message) const;

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace rivven::transforms::expr
