#include "base/json_escape.h"

#include <gtest/gtest.h>

#include <cstdio>

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

// The escape of ASCII text and whole "é" sequences, one byte at a time.
std::string SlowEscape(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

TEST(JsonEscapeTest, TextDenseWithEscapesOfEveryLengthMatchesByteByByte) {
  // The escape is written in place in rounds that each reserve a quarter more than the text
  // left: text made only of escapes (6 bytes each) needs many rounds.
  for (size_t length = 0; length <= 300; ++length) {
    for (const char fill : {'\x01', '"', 'a'}) {
      const std::string text(length, fill);
      ASSERT_EQ(Esc(text), SlowEscape(text)) << "length " << length << ", byte " << int(fill);
    }
  }
  // Mixed text from a fixed pseudo-random sequence, appended after what `out` already holds.
  uint32_t state = 12345;
  const std::string alphabet = std::string("\x01\x1f\n\t\"\\ az{}:,") + "\xC3\xA9";
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const size_t length = (state = state * 1103515245 + 12345) >> 16 & 511;
    for (size_t i = 0; i < length; ++i) {
      state = state * 1103515245 + 12345;
      const size_t k = (state >> 16) % (alphabet.size() - 1);
      if (k == alphabet.size() - 2) {
        text += "\xC3\xA9";  // a whole two-byte sequence
      } else {
        text += alphabet[k];
      }
    }
    std::string out = "prefix:";
    AppendJsonString(out, text);
    ASSERT_EQ(out, "prefix:" + SlowEscape(text)) << "round " << round;
  }
}

}  // namespace
}  // namespace rivven
