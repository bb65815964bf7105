#include "base/json_escape.h"

#include <gtest/gtest.h>

namespace rivven {
namespace {

std::string Esc(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

TEST(JsonEscapeTest, EscapesControlAndQuotes) {
  EXPECT_EQ(Esc("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
}

TEST(JsonEscapeTest, KeepsValidUtf8AndReplacesInvalid) {
  EXPECT_EQ(Esc("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
  EXPECT_EQ(Esc("a\xFF" "b"), "\"a\xEF\xBF\xBD" "b\"");
  EXPECT_EQ(Esc("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
}

}  // namespace
}  // namespace rivven
