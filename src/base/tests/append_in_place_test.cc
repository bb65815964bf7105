#include "base/append_in_place.h"

#include <charconv>

#include <gtest/gtest.h>

namespace rivven {
namespace {

TEST(AppendInPlaceTest, KeepsWhatIsWrittenAndGrowsTheString) {
  std::string out = "n=";
  for (int i = 0; i < 1000; ++i) {
    AppendInPlace(out, 20, [i](char* p) { return std::to_chars(p, p + 20, i).ptr; });
    out.push_back(',');
  }
  std::string expected = "n=";
  for (int i = 0; i < 1000; ++i) expected += std::to_string(i) + ",";
  EXPECT_EQ(out, expected);
}

TEST(AppendInPlaceTest, NothingWrittenLeavesTheStringAsItWas) {
  std::string out = "abc";
  AppendInPlace(out, 64, [](char* p) { return p; });
  EXPECT_EQ(out, "abc");
}

TEST(AppendInPlaceTest, LiteralsAndPaddedStrings) {
  std::string out;
  AppendLiteral(out, "{\"a\":");
  const std::string short_name = PaddedString("\"name\":");
  EXPECT_GE(short_name.capacity(), kPaddedCopy);
  AppendPadded(out, short_name);
  const std::string exact = PaddedString(std::string(kPaddedCopy, 'x'));
  AppendPadded(out, exact);
  const std::string longer = PaddedString(std::string(kPaddedCopy + 1, 'y'));
  AppendPadded(out, longer);
  const std::string unpadded = "short";  // capacity too small: appended the ordinary way
  AppendPadded(out, unpadded);
  EXPECT_EQ(out, "{\"a\":\"name\":" + std::string(kPaddedCopy, 'x') +
                     std::string(kPaddedCopy + 1, 'y') + "short");
}

}  // namespace
}  // namespace rivven
