// Compile errors: exact messages with the caret line, and the nesting limit.
#include <string>

#include <gtest/gtest.h>

#include "transforms/expr/tests/expr_test_util.h"

namespace rivven::transforms::expr {
namespace {

using testing::CompileError;

TEST(ExprErrorsTest, CaretUnderTheOffendingColumn) {
  EXPECT_EQ(CompileError("value.amount >"),
            "syntax error at column 14: expected a value after '>'\n"
            "  value.amount >\n"
            "               ^");
  EXPECT_EQ(CompileError("value.amount > )"),
            "syntax error at column 16: expected a value after '>', found ')'\n"
            "  value.amount > )\n"
            "                 ^");
  EXPECT_EQ(CompileError("(value.a > 1"),
            "syntax error at column 1: '(' is never closed\n"
            "  (value.a > 1\n"
            "  ^");
  EXPECT_EQ(CompileError("value.a > 1)"),
            "syntax error at column 12: unexpected ')' after the expression\n"
            "  value.a > 1)\n"
            "             ^");
  EXPECT_EQ(CompileError(""),
            "syntax error at column 1: expected an expression\n"
            "  \n"
            "  ^");
}

TEST(ExprErrorsTest, HintsForOperatorsFromOtherLanguages) {
  EXPECT_EQ(CompileError("value.a = 1"),
            "syntax error at column 9: unexpected '='; did you mean '=='?\n"
            "  value.a = 1\n"
            "          ^");
  EXPECT_EQ(CompileError("value.a > 1 and value.b"),
            "syntax error at column 13: unexpected 'and' after the expression; use '&&'\n"
            "  value.a > 1 and value.b\n"
            "              ^");
  EXPECT_EQ(CompileError("not value.a"),
            "syntax error at column 1: unexpected 'not'; use '!' to negate\n"
            "  not value.a\n"
            "  ^");
  EXPECT_EQ(CompileError("value.a | 1"),
            "syntax error at column 9: unexpected '|'; did you mean '||'?\n"
            "  value.a | 1\n"
            "          ^");
  EXPECT_EQ(CompileError("1 < 2 < 3"),
            "syntax error at column 7: comparisons do not chain; add parentheses\n"
            "  1 < 2 < 3\n"
            "        ^");
  EXPECT_EQ(CompileError("value.a == !value.b"),
            "syntax error at column 12: '!' here needs parentheses: write (!...)\n"
            "  value.a == !value.b\n"
            "             ^");
}

TEST(ExprErrorsTest, UnknownNamesFunctionsAndArity) {
  EXPECT_EQ(CompileError("amount > 1"),
            "error at column 1: unknown name 'amount'; a path starts with value, key, headers, "
            "topic, partition, offset, timestamp or op\n"
            "  amount > 1\n"
            "  ^");
  EXPECT_EQ(CompileError("lowr(value.a) == 'x'"),
            "error at column 1: unknown function 'lowr'\n"
            "  lowr(value.a) == 'x'\n"
            "  ^");
  EXPECT_EQ(CompileError("1 + lower(value.a, 1)"),
            "error at column 5: lower() takes 1 argument, not 2\n"
            "  1 + lower(value.a, 1)\n"
            "      ^");
  EXPECT_EQ(CompileError("starts_with(value.a)"),
            "error at column 1: starts_with() takes 2 arguments, not 1\n"
            "  starts_with(value.a)\n"
            "  ^");
  EXPECT_EQ(CompileError("exists(lower(value.a))"),
            "error at column 8: exists() takes a path, e.g. exists(value.a)\n"
            "  exists(lower(value.a))\n"
            "         ^");
}

TEST(ExprErrorsTest, BadRegularExpressionIsACompileError) {
  EXPECT_EQ(CompileError("value.s matches '(ab'"),
            "error at column 17: invalid regular expression: missing ): (ab\n"
            "  value.s matches '(ab'\n"
            "                  ^");
  EXPECT_EQ(CompileError("value.s not matches 5"),
            "error at column 21: the pattern after 'matches' must be a string\n"
            "  value.s not matches 5\n"
            "                      ^");
}

TEST(ExprErrorsTest, Literals) {
  EXPECT_EQ(CompileError("value.s == 'abc"),
            "syntax error at column 12: unterminated string\n"
            "  value.s == 'abc\n"
            "             ^");
  EXPECT_EQ(CompileError("'a\\qb'"),
            "syntax error at column 3: invalid escape '\\q' in string\n"
            "  'a\\qb'\n"
            "    ^");
  EXPECT_EQ(CompileError("'\\ud800x'"),
            "syntax error at column 2: invalid \\u escape in string\n"
            "  '\\ud800x'\n"
            "   ^");
  EXPECT_EQ(CompileError("1. + 2"),
            "syntax error at column 3: expected a digit after '.' in a number\n"
            "  1. + 2\n"
            "    ^");
  EXPECT_EQ(CompileError("12abc"),
            "syntax error at column 3: unexpected 'a' after a number\n"
            "  12abc\n"
            "    ^");
  EXPECT_EQ(CompileError("1e999"),
            "syntax error at column 1: number out of range\n"
            "  1e999\n"
            "  ^");
  EXPECT_EQ(CompileError("1e+"),
            "syntax error at column 2: expected digits in the exponent of a number\n"
            "  1e+\n"
            "   ^");
  EXPECT_EQ(CompileError("value.a \x01"),
            "syntax error at column 9: unexpected control character 0x01\n"
            "  value.a \x01\n"
            "          ^");
  EXPECT_EQ(CompileError("value.a == ·"),
            "syntax error at column 12: unexpected character '·'\n"
            "  value.a == ·\n"
            "             ^");
}

TEST(ExprErrorsTest, Paths) {
  EXPECT_EQ(CompileError("value."),
            "syntax error at column 6: expected a field name after '.'\n"
            "  value.\n"
            "       ^");
  EXPECT_EQ(CompileError("value.items[1.5]"),
            "syntax error at column 13: expected a string or an integer inside '[ ]', found "
            "'1.5'\n"
            "  value.items[1.5]\n"
            "              ^");
  EXPECT_EQ(CompileError("value.items[0"),
            "syntax error at column 12: '[' is never closed\n"
            "  value.items[0\n"
            "             ^");
  EXPECT_EQ(CompileError("headers"),
            "syntax error at column 1: 'headers' needs a header name: headers.name or "
            "headers[\"name\"]\n"
            "  headers\n"
            "  ^");
  EXPECT_EQ(CompileError("headers.a.b"),
            "syntax error at column 10: a header's value is a string; it has no fields\n"
            "  headers.a.b\n"
            "           ^");
  EXPECT_EQ(CompileError("headers[0]"),
            "syntax error at column 9: expected a header name in quotes inside '[ ]', found '0'\n"
            "  headers[0]\n"
            "          ^");
  EXPECT_EQ(CompileError("topic.name"),
            "syntax error at column 6: 'topic' has no fields\n"
            "  topic.name\n"
            "       ^");
  EXPECT_EQ(CompileError("op.x"),
            "syntax error at column 3: 'op' has no fields\n"
            "  op.x\n"
            "    ^");
}

TEST(ExprErrorsTest, OperatorWords) {
  EXPECT_EQ(CompileError("value.a is 5"),
            "syntax error at column 12: expected 'null' or 'not null' after 'is', found '5'\n"
            "  value.a is 5\n"
            "             ^");
  EXPECT_EQ(CompileError("value.a is not"),
            "syntax error at column 12: expected 'null' or 'not null' after 'is'\n"
            "  value.a is not\n"
            "             ^");
  EXPECT_EQ(CompileError("value.a not [1]"),
            "syntax error at column 13: expected 'in' or 'matches' after 'not', found '['\n"
            "  value.a not [1]\n"
            "              ^");
  EXPECT_EQ(CompileError("value.a in"),
            "syntax error at column 9: expected a value after 'in'\n"
            "  value.a in\n"
            "          ^");
  EXPECT_EQ(CompileError("[1, 2"),
            "syntax error at column 1: '[' is never closed\n"
            "  [1, 2\n"
            "  ^");
  EXPECT_EQ(CompileError("[1 2]"),
            "syntax error at column 4: expected ',' or ']' in the list, found '2'\n"
            "  [1 2]\n"
            "     ^");
  EXPECT_EQ(CompileError("len('a' 'b')"),
            "syntax error at column 9: expected ',' or ')' after an argument, found ''b''\n"
            "  len('a' 'b')\n"
            "          ^");
}

// Columns count code points, so the caret stays under the right character after non-ASCII
// text; tabs are kept in the caret line; a multi-line expression shows its line.
TEST(ExprErrorsTest, ColumnsAfterUnicodeTabsAndNewlines) {
  EXPECT_EQ(CompileError("value.name == \"Zoë\" &&"),
            "syntax error at column 21: expected a value after '&&'\n"
            "  value.name == \"Zoë\" &&\n"
            "                      ^");
  EXPECT_EQ(CompileError("\tvalue.a >"),
            "syntax error at column 10: expected a value after '>'\n"
            "  \tvalue.a >\n"
            "  \t        ^");
  EXPECT_EQ(CompileError("value.a > 1 &&\n  value.b =="),
            "syntax error at line 2, column 11: expected a value after '=='\n"
            "    value.b ==\n"
            "            ^");
  EXPECT_EQ(CompileError("value.a > 1 &&\r\n  value.b = 2\r\n"),
            "syntax error at line 2, column 11: unexpected '='; did you mean '=='?\n"
            "    value.b = 2\n"
            "            ^");
}

TEST(ExprErrorsTest, CompileErrorsAreInvalidArgument) {
  auto e = Expression::Compile("value.a >");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
}

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int k = 0; k < n; ++k) out += s;
  return out;
}

TEST(ExprErrorsTest, NestingIsBounded) {
  const int limit = Expression::kMaxNestingDepth;
  const std::string too_deep =
      "expression nested too deeply (more than " + std::to_string(limit) + " levels)";
  // Just inside the limit compiles and evaluates.
  EXPECT_TRUE(Expression::Compile(Repeat("(", limit - 1) + "1" + Repeat(")", limit - 1)).ok());
  EXPECT_TRUE(Expression::Compile(Repeat("-", limit - 2) + "1").ok());
  for (const std::string& text :
       {Repeat("(", 100000) + "1" + Repeat(")", 100000), Repeat("(", limit) + "1",
        Repeat("-", 100000) + "1", Repeat("!", 100000) + "true", Repeat("[", 100000),
        Repeat("lower(", 100000), "value.a" + Repeat(" + value.a", 100000),
        "value.a" + Repeat(" * value.a", limit)}) {
    const std::string error = testing::CompileError(text);
    EXPECT_NE(error.find(too_deep), std::string::npos) << error.substr(0, 200);
  }
  const std::string parens = testing::CompileError(Repeat("(", limit) + "1" + Repeat(")", limit));
  EXPECT_EQ(parens.substr(0, parens.find('\n')),
            "syntax error at column 201: expression nested too deeply (more than 200 levels)");
  // A constant chain folds as it is parsed, so it never gets deep.
  EXPECT_EQ(testing::Eval("1" + Repeat(" + 1", 100000)), "100001");
}

TEST(ExprErrorsTest, LongAndOrChainsAreNotNesting) {
  std::string text = "value.a == 0";
  for (int k = 1; k < 5000; ++k) text += " || value.a == " + std::to_string(k);
  auto e = Expression::Compile(text);
  ASSERT_TRUE(e.ok()) << e.status().message().substr(0, 200);
  testing::TestRecord record(R"({"a": 4999})");
  EXPECT_TRUE(e->Test(record));
}

}  // namespace
}  // namespace rivven::transforms::expr
