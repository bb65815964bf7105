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

TEST(JsonEscapeTest, SpecialBytesAtEveryPositionOfLongStrings) {
  // The plain-ASCII runs are scanned 16 and 8 bytes at a time: a special byte anywhere in a
  // block, or in the tail after the last whole block, must still be seen.
  const std::pair<std::string, std::string> cases[] = {
      {"\"", "\\\""}, {"\\", "\\\\"}, {"\n", "\\n"}, {"\x01", "\\u0001"},
      {"\x1f", "\\u001f"}, {"\x7f", "\x7f"}, {"\xC3\xA9", "\xC3\xA9"}, {"\xFF", "\xEF\xBF\xBD"},
      {" ", " "}, {"~", "~"}};
  for (const auto& [raw, escaped] : cases) {
    for (size_t length : {7u, 8u, 9u, 16u, 23u, 31u, 33u, 40u, 47u}) {
      for (size_t pos = 0; pos <= length; ++pos) {
        const std::string text = std::string(pos, 'a') + raw + std::string(length - pos, 'b');
        const std::string expected =
            "\"" + std::string(pos, 'a') + escaped + std::string(length - pos, 'b') + "\"";
        ASSERT_EQ(Esc(text), expected) << "length " << length << ", at " << pos;
      }
    }
  }
}

}  // namespace
}  // namespace rivven
