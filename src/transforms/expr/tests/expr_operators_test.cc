// Every operator of the expression language, and precedence.
#include <gtest/gtest.h>

#include "transforms/expr/tests/expr_test_util.h"

namespace rivven::transforms::expr {
namespace {

using testing::Eval;
using testing::TestRecord;
using testing::Truth;

constexpr const char* kOrder = R"({
  "n": 7, "f": 2.5, "s": "ab", "t": true, "nul": null, "zero": 0, "empty": "",
  "tags": ["a", "b", 3], "nums": [1, 2, 3],
  "obj": {"x": 1, "y": [true, null]}, "obj2": {"y": [true, null], "x": 1.0}
})";

TEST(ExprOperatorsTest, Arithmetic) {
  EXPECT_EQ(Eval("1 + 2"), "3");
  EXPECT_EQ(Eval("7 - 10"), "-3");
  EXPECT_EQ(Eval("6 * 7"), "42");
  EXPECT_EQ(Eval("7 / 2"), "3.5");
  EXPECT_EQ(Eval("8 / 2"), "4");
  EXPECT_EQ(Eval("7 % 3"), "1");
  EXPECT_EQ(Eval("-7 % 3"), "-1");
  EXPECT_EQ(Eval("7.5 % 2"), "1.5");
  EXPECT_EQ(Eval("1.5 + 1"), "2.5");
  EXPECT_EQ(Eval("0.1 + 0.2"), "0.30000000000000004");
  EXPECT_EQ(Eval("value.n * value.f", kOrder), "17.5");
  EXPECT_EQ(Eval("-value.n", kOrder), "-7");
  EXPECT_EQ(Eval("- -value.n", kOrder), "7");
  EXPECT_EQ(Eval("1e3 + 1"), "1001.0");  // a float stays a float
}

TEST(ExprOperatorsTest, IntegerOverflowBecomesFloat) {
  EXPECT_EQ(Eval("9223372036854775807 + 1"), "9223372036854775808.0");
  EXPECT_EQ(Eval("-9223372036854775807 - 2"), "-9223372036854775808.0");
  EXPECT_EQ(Eval("4294967296 * 4294967296"), "18446744073709551616.0");
  EXPECT_EQ(Eval("(-9223372036854775807 - 1) / -1"), "9223372036854775808.0");
  EXPECT_EQ(Eval("(-9223372036854775807 - 1) % -1"), "0");
  EXPECT_EQ(Eval("-(-9223372036854775807 - 1)"), "9223372036854775808.0");
  EXPECT_EQ(Eval("18446744073709551616"), "18446744073709551616.0");
}

TEST(ExprOperatorsTest, ArithmeticOnNonNumbersAndDivisionByZeroIsNull) {
  EXPECT_EQ(Eval("1 / 0"), "null");
  EXPECT_EQ(Eval("1.5 / 0"), "null");
  EXPECT_EQ(Eval("1 % 0"), "null");
  EXPECT_EQ(Eval("1 % 0.0"), "null");
  EXPECT_EQ(Eval("value.n / value.zero", kOrder), "null");
  EXPECT_EQ(Eval("'a' + 'b'"), "null");
  EXPECT_EQ(Eval("'a' + 1"), "null");
  EXPECT_EQ(Eval("true + 1"), "null");
  EXPECT_EQ(Eval("null * 2"), "null");
  EXPECT_EQ(Eval("value.missing * 2", kOrder), "null");
  EXPECT_EQ(Eval("-value.s", kOrder), "null");
  EXPECT_EQ(Eval("value.nums + 1", kOrder), "null");
  EXPECT_EQ(Eval("1e308 * 10"), "null");  // not finite
}

TEST(ExprOperatorsTest, EqualityHasNoConversions) {
  EXPECT_TRUE(Truth("value.n == 7", kOrder));
  EXPECT_TRUE(Truth("5 == 5.0"));
  EXPECT_FALSE(Truth("1 == '1'"));
  EXPECT_TRUE(Truth("1 != '1'"));
  EXPECT_FALSE(Truth("true == 1"));
  EXPECT_FALSE(Truth("0 == false"));
  EXPECT_FALSE(Truth("'' == null"));
  EXPECT_TRUE(Truth("value.s == 'ab'", kOrder));
  EXPECT_TRUE(Truth("value.s != 'abc'", kOrder));
  EXPECT_TRUE(Truth("value.t == true", kOrder));
  // Integers and floats compare exactly: 2^53 + 1 is not the float 2^53.
  EXPECT_FALSE(Truth("9007199254740993 == 9007199254740992.0"));
  EXPECT_TRUE(Truth("9007199254740992 == 9007199254740992.0"));
}

TEST(ExprOperatorsTest, EqualityOfArraysAndObjects) {
  EXPECT_TRUE(Truth("value.nums == [1, 2, 3]", kOrder));
  EXPECT_TRUE(Truth("value.nums == [1.0, 2, 3]", kOrder));
  EXPECT_FALSE(Truth("value.nums == [1, 2]", kOrder));
  EXPECT_FALSE(Truth("value.nums == [1, 2, '3']", kOrder));
  EXPECT_TRUE(Truth("[1, [2, 'x']] == [1, [2, 'x']]"));
  EXPECT_TRUE(Truth("value.obj == value.obj2", kOrder));  // member order and 1 vs 1.0 do not matter
  EXPECT_FALSE(Truth("value.obj == value.obj.y", kOrder));
  EXPECT_FALSE(Truth("value.obj == [1]", kOrder));
}

TEST(ExprOperatorsTest, Ordering) {
  EXPECT_TRUE(Truth("2 < 10"));
  EXPECT_TRUE(Truth("2 <= 2"));
  EXPECT_FALSE(Truth("2 < 2"));
  EXPECT_TRUE(Truth("10 > 2.5"));
  EXPECT_TRUE(Truth("2.5 >= 2.5"));
  EXPECT_FALSE(Truth("2 >= 3"));
  EXPECT_TRUE(Truth("'a' < 'b'"));
  EXPECT_TRUE(Truth("'ab' > 'a'"));
  EXPECT_FALSE(Truth("'2' < '10'"));  // strings compare as strings
  EXPECT_TRUE(Truth("'é' > 'z'"));    // code point order
  EXPECT_TRUE(Truth("value.n > 5 && value.n <= 7", kOrder));
}

TEST(ExprOperatorsTest, OrderingAcrossTypesOrWithNullIsFalse) {
  for (const char* op : {"<", "<=", ">", ">="}) {
    SCOPED_TRACE(op);
    EXPECT_FALSE(Truth(std::string("value.missing ") + op + " 1", kOrder));
    EXPECT_FALSE(Truth(std::string("null ") + op + " null"));
    EXPECT_FALSE(Truth(std::string("1 ") + op + " '1'"));
    EXPECT_FALSE(Truth(std::string("'1' ") + op + " 1"));
    EXPECT_FALSE(Truth(std::string("true ") + op + " false"));
    EXPECT_FALSE(Truth(std::string("value.nums ") + op + " value.nums", kOrder));
  }
  EXPECT_TRUE(Truth("value.missing != 1", kOrder));
}

TEST(ExprOperatorsTest, LogicReturnsBooleans) {
  EXPECT_EQ(Eval("true && false"), "false");
  EXPECT_EQ(Eval("1 && 'x'"), "true");
  EXPECT_EQ(Eval("0 || ''"), "false");
  EXPECT_EQ(Eval("0 || 'x' || value.missing"), "true");
  EXPECT_EQ(Eval("!0"), "true");
  EXPECT_EQ(Eval("!'x'"), "false");
  EXPECT_EQ(Eval("!value.missing"), "true");
  EXPECT_EQ(Eval("!!value.nums", kOrder), "true");
  EXPECT_EQ(Eval("!!value.empty", kOrder), "false");
  EXPECT_EQ(Eval("value.t && value.n && value.s", kOrder), "true");
}

TEST(ExprOperatorsTest, Truthiness) {
  for (const char* falsy : {"null", "false", "0", "0.0", "''", "value.missing", "value.nul",
                            "value.zero", "value.empty"}) {
    EXPECT_FALSE(Truth(falsy, kOrder)) << falsy;
  }
  for (const char* truthy :
       {"true", "1", "-0.5", "'0'", "' '", "[]", "[0]", "value.obj", "value.nums", "value.s"}) {
    EXPECT_TRUE(Truth(truthy, kOrder)) << truthy;
  }
}

TEST(ExprOperatorsTest, In) {
  EXPECT_TRUE(Truth("value.s in ['x', 'ab']", kOrder));
  EXPECT_FALSE(Truth("value.s in ['x', 'y']", kOrder));
  EXPECT_TRUE(Truth("3 in [1, 2, 3.0]"));
  EXPECT_FALSE(Truth("'3' in [3]"));
  EXPECT_TRUE(Truth("'b' in value.tags", kOrder));
  EXPECT_TRUE(Truth("3 in value.tags", kOrder));
  EXPECT_FALSE(Truth("'c' in value.tags", kOrder));
  EXPECT_TRUE(Truth("value.missing in [1, null]", kOrder));
  EXPECT_TRUE(Truth("[2] in [[1], [2]]"));
  EXPECT_FALSE(Truth("1 in []"));
  EXPECT_FALSE(Truth("1 in 1"));
  EXPECT_FALSE(Truth("'a' in 'abc'"));  // only lists and arrays have members
  EXPECT_FALSE(Truth("'x' in value.obj", kOrder));
  EXPECT_FALSE(Truth("1 in value.missing", kOrder));
  EXPECT_TRUE(Truth("value.n in [value.zero, value.n]", kOrder));  // non-constant items
}

TEST(ExprOperatorsTest, NotInIsTheNegationOfIn) {
  EXPECT_TRUE(Truth("'c' not in value.tags", kOrder));
  EXPECT_FALSE(Truth("'a' not in value.tags", kOrder));
  EXPECT_TRUE(Truth("1 not in 1"));
  EXPECT_TRUE(Truth("value.n not in [1, 2]", kOrder));
}

TEST(ExprOperatorsTest, Matches) {
  EXPECT_TRUE(Truth("value.s matches '^a'", kOrder));
  EXPECT_TRUE(Truth("'xxabcxx' matches 'ab+c'"));  // unanchored
  EXPECT_FALSE(Truth("'xxabcxx' matches '^ab+c$'"));
  EXPECT_TRUE(Truth("'Zoë' matches '^Zo.$'"));  // UTF-8: '.' is one code point
  EXPECT_TRUE(Truth("'ORDER-17' matches '(?i)^order-\\\\d+$'"));
  EXPECT_FALSE(Truth("value.n matches '7'", kOrder));  // not a string
  EXPECT_FALSE(Truth("value.missing matches '.*'", kOrder));
  EXPECT_TRUE(Truth("value.s not matches 'z'", kOrder));
  EXPECT_FALSE(Truth("value.s not matches 'b$'", kOrder));
  EXPECT_TRUE(Truth("value.missing not matches 'x'", kOrder));
}

TEST(ExprOperatorsTest, MatchesWithAPatternFromTheRecord) {
  EXPECT_TRUE(Truth("'abc' matches value.p", R"({"p": "^a.c$"})"));
  EXPECT_FALSE(Truth("'abc' matches value.p", R"({"p": "^b"})"));
  EXPECT_FALSE(Truth("'abc' matches value.p", R"({"p": "(a"})"));  // invalid: false, no error
  EXPECT_FALSE(Truth("'abc' matches value.p", R"({"p": 1})"));
  EXPECT_TRUE(Truth("'abc' not matches value.p", R"({"p": "(a"})"));
}

TEST(ExprOperatorsTest, IsNull) {
  EXPECT_TRUE(Truth("value.missing is null", kOrder));
  EXPECT_TRUE(Truth("value.nul is null", kOrder));
  EXPECT_FALSE(Truth("value.zero is null", kOrder));
  EXPECT_FALSE(Truth("value.empty is null", kOrder));
  EXPECT_TRUE(Truth("value.s is not null", kOrder));
  EXPECT_FALSE(Truth("value.nul is not null", kOrder));
  EXPECT_TRUE(Truth("1 / 0 is null"));
  EXPECT_TRUE(Truth("null == null"));
  EXPECT_TRUE(Truth("value.missing == null", kOrder));
  EXPECT_TRUE(Truth("value.nul == value.missing", kOrder));
  EXPECT_FALSE(Truth("value.missing != null", kOrder));
}

TEST(ExprOperatorsTest, ListLiterals) {
  EXPECT_EQ(Eval("[1, 'a', null, [true], -2.5,]"), R"([1,"a",null,[true],-2.5])");
  EXPECT_EQ(Eval("[]"), "[]");
  EXPECT_EQ(Eval("[value.n, value.s]", kOrder), R"([7,"ab"])");
  EXPECT_EQ(Eval("[value.missing]", kOrder), "[null]");
}

// Each expected value differs from what the other parse would give.
TEST(ExprOperatorsTest, Precedence) {
  EXPECT_EQ(Eval("1 + 2 * 3"), "7");
  EXPECT_EQ(Eval("(1 + 2) * 3"), "9");
  EXPECT_EQ(Eval("10 - 4 - 3"), "3");  // left-associative
  EXPECT_EQ(Eval("64 / 4 / 2"), "8");
  EXPECT_EQ(Eval("2 * 3 % 4"), "2");  // (2 * 3) % 4
  EXPECT_EQ(Eval("2 + 3 % 2"), "3");
  EXPECT_EQ(Eval("- 2 + 3"), "1");                 // unary minus binds tighter than +
  EXPECT_EQ(Eval("1 + 2 == 3"), "true");           // arithmetic before comparison
  EXPECT_EQ(Eval("'a' + 'b' in [null]"), "true");  // (null) in [null]
  EXPECT_EQ(Eval("1 + 1 is null"), "false");
  EXPECT_EQ(Eval("!value.n == 1", kOrder), "true");   // !(7 == 1), not (!7) == 1
  EXPECT_EQ(Eval("!false && false"), "false");        // (!false) && false
  EXPECT_EQ(Eval("true || false && false"), "true");  // true || (false && false)
  EXPECT_EQ(Eval("(true || false) && false"), "false");
  EXPECT_EQ(Eval("false && false || true"), "true");
  EXPECT_EQ(Eval("!(value.n > 5) || value.s == 'ab'", kOrder), "true");
}

}  // namespace
}  // namespace rivven::transforms::expr
