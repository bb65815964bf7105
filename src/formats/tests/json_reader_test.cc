#include "formats/json_reader.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rivven::formats {
namespace {

using Outcome = JsonArraySplitter::Outcome;

std::string Compact(std::string_view text) {
  JsonCompactor c;
  std::string out;
  Status s = c.Compact(text, &out);
  return s.ok() ? out : "ERROR: " + s.message();
}

TEST(JsonCompactorTest, CompactsWithoutTouchingNumbersOrStrings) {
  EXPECT_EQ(Compact(R"({"a":1})"), R"({"a":1})");
  EXPECT_EQ(Compact(" { \"a\" : [ 1 , 2.50 , 1E3 ] ,\n \"b\": \"x y\\n\" } "),
            R"({"a":[1,2.50,1E3],"b":"x y\n"})");
  EXPECT_EQ(Compact("42"), "42");
  EXPECT_EQ(Compact("\"s\""), "\"s\"");
  EXPECT_EQ(Compact("null"), "null");
}

TEST(JsonCompactorTest, AcceptsValidJsonBeyondDoubles) {
  EXPECT_EQ(Compact(R"({"big":123456789012345678901234567890})"),
            R"({"big":123456789012345678901234567890})");
  // Like record/json.h: an exponent beyond a double's range is rejected (RFC 8259 §9 allows it).
  EXPECT_EQ(Compact("[1e400]").rfind("ERROR: invalid JSON at byte 1: Number too big", 0), 0u);
}

TEST(JsonCompactorTest, RejectsInvalidJsonWithAReason) {
  for (const char* bad : {"{\"a\":1", "{\"a\":tru}", "{'a':1}", "1 2", "", "   ", "[1,]",
                          "{\"a\":1}x", "\"\xff\"", "{\"a\":\"tab\there\"}"}) {
    const std::string r = Compact(bad);
    EXPECT_EQ(r.rfind("ERROR: invalid JSON at byte ", 0), 0u) << bad << " -> " << r;
  }
  EXPECT_EQ(Compact(std::string("[1,\0 2]", 7)).rfind("ERROR: ", 0), 0u);
}

TEST(JsonCompactorTest, PaddedInputInsideALargerBuffer) {
  // The text is followed by other bytes (the next line), not by zeros.
  const std::string buffer = std::string("{\"a\": 1}\n{\"b\":2}") + std::string(kJsonPadding, 'x');
  JsonCompactor c;
  std::string out;
  ASSERT_TRUE(c.CompactPadded(std::string_view(buffer).substr(0, 8), &out).ok());
  EXPECT_EQ(out, R"({"a":1})");
}

TEST(JsonLayoutTest, Detection) {
  EXPECT_EQ(DetectJsonLayout("{\"a\":1}\n", false), JsonLayout::kLines);
  EXPECT_EQ(DetectJsonLayout("  \n", false), JsonLayout::kUndecided);
  EXPECT_EQ(DetectJsonLayout("  \n", true), JsonLayout::kLines);  // empty file: no records
  EXPECT_EQ(DetectJsonLayout("[\n  {\"a\":1},\n", false), JsonLayout::kArray);
  EXPECT_EQ(DetectJsonLayout("[{\"a\":1},{\"a\":2}]\n", false), JsonLayout::kArray);
  EXPECT_EQ(DetectJsonLayout("[{\"a\":1},{\"a\":2}]", true), JsonLayout::kArray);
  EXPECT_EQ(DetectJsonLayout("[{\"a\":1},{\"a\":2}]", false), JsonLayout::kUndecided);
  EXPECT_EQ(DetectJsonLayout("[1,2]\n[3,4]\n", false), JsonLayout::kLines);  // JSONL of arrays
  EXPECT_EQ(DetectJsonLayout("[1,\n2]\n", false), JsonLayout::kArray);
}

TEST(ScanJsonValueTest, FindsTheEndOfEachKindOfValue) {
  EXPECT_EQ(ScanJsonValue(R"({"a":"}]\"",b:[1,{}]} ,)", false), 21u);
  EXPECT_EQ(ScanJsonValue(R"("x\\" ,)", false), 5u);
  EXPECT_EQ(ScanJsonValue("123,", false), 3u);
  EXPECT_EQ(ScanJsonValue("123", false), 0u);  // the number may continue
  EXPECT_EQ(ScanJsonValue("123", true), 3u);
  EXPECT_EQ(ScanJsonValue(R"({"a":[1,2)", true), 0u);
}

// Elements of `text` through a splitter fed `chunk` bytes at a time.
std::vector<std::string> Elements(const std::string& text, size_t chunk,
                                  std::vector<std::string>* errors = nullptr) {
  JsonArraySplitter splitter;
  std::vector<std::string> out;
  std::string pending;
  size_t fed = 0;
  while (true) {
    const bool eof = fed == text.size();
    const auto step = splitter.Next(pending, eof);
    if (step.outcome == Outcome::kElement) {
      out.push_back(pending.substr(step.element_begin, step.element_end - step.element_begin));
    } else if (step.outcome == Outcome::kError) {
      if (errors) errors->push_back(step.error);
    } else if (step.outcome == Outcome::kEnd && eof) {
      break;
    }
    pending.erase(0, step.consumed);
    if (step.outcome == Outcome::kNeedMore || step.outcome == Outcome::kEnd) {
      const size_t n = std::min(chunk, text.size() - fed);
      pending.append(text, fed, n);
      fed += n;
    }
  }
  return out;
}

TEST(JsonArraySplitterTest, StreamsElementsWhateverTheChunkSize) {
  const std::string text =
      " [ {\"a\": [1, 2], \"s\": \"],}\\\"\"},\n  \"str\" , 42,true ,null,[ ], {}\n]\n";
  const std::vector<std::string> expected = {
      R"({"a": [1, 2], "s": "],}\""})", "\"str\"", "42", "true", "null", "[ ]", "{}"};
  for (size_t chunk : {1, 2, 3, 7, 1000}) {
    std::vector<std::string> errors;
    EXPECT_EQ(Elements(text, chunk, &errors), expected) << chunk;
    EXPECT_TRUE(errors.empty()) << chunk << ": " << errors.front();
  }
}

TEST(JsonArraySplitterTest, EmptyArray) {
  std::vector<std::string> errors;
  EXPECT_TRUE(Elements("[]", 1, &errors).empty());
  EXPECT_TRUE(Elements("[ \n ]\n", 100, &errors).empty());
  EXPECT_TRUE(errors.empty());
}

TEST(JsonArraySplitterTest, StructuralErrorsAreReportedAndParsingContinues) {
  std::vector<std::string> errors;
  EXPECT_EQ(Elements("[1 2,3]", 100, &errors), (std::vector<std::string>{"1", "2", "3"}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("expected ','"), std::string::npos);

  errors.clear();
  EXPECT_EQ(Elements("[1,2,]", 100, &errors), (std::vector<std::string>{"1", "2"}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("trailing ','"), std::string::npos);

  errors.clear();
  EXPECT_EQ(Elements("[1,{\"a\":", 100, &errors), (std::vector<std::string>{"1"}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("unterminated JSON value"), std::string::npos);

  errors.clear();
  EXPECT_EQ(Elements("[1,2", 100, &errors), (std::vector<std::string>{"1", "2"}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("missing ']'"), std::string::npos);

  errors.clear();
  EXPECT_EQ(Elements("[1] [2]", 100, &errors), (std::vector<std::string>{"1"}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("after the closing ']'"), std::string::npos);
}

TEST(JsonArraySplitterTest, ResumesAfterAnElement) {
  JsonArraySplitter splitter(/*after_element=*/true);
  const std::string rest = " ,{\"b\":2}]";
  auto step = splitter.Next(rest, true);
  ASSERT_EQ(step.outcome, Outcome::kElement);
  EXPECT_EQ(rest.substr(step.element_begin, step.element_end - step.element_begin), "{\"b\":2}");
  step = splitter.Next(std::string_view(rest).substr(step.consumed), true);
  EXPECT_EQ(step.outcome, Outcome::kEnd);
  EXPECT_TRUE(splitter.closed());
}

TEST(Utf8Test, Validation) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("caf\xe9"));
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // a surrogate
}

}  // namespace
}  // namespace rivven::formats
