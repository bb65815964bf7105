#include "formats/csv_writer.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rivven::formats {
namespace {

std::string Row(std::vector<std::optional<std::string_view>> fields) {
  std::string out;
  AppendCsvRow(out, fields);
  return out;
}

TEST(CsvWriterTest, QuotingGolden) {
  EXPECT_EQ(Row({"plain", "with space", "42", "-1.5e3"}), "plain,with space,42,-1.5e3\n");
  EXPECT_EQ(Row({"a,b", "say \"hi\"", "line\nbreak", "cr\rhere", "\"", ""}),
            "\"a,b\",\"say \"\"hi\"\"\",\"line\nbreak\",\"cr\rhere\",\"\"\"\",\"\"\n");
  // Missing/null is an empty field; the empty string is "".
  EXPECT_EQ(Row({std::nullopt, "", std::nullopt}), ",\"\",\n");
  EXPECT_EQ(Row({std::nullopt}), "\n");
  // Characters that need no quoting in RFC 4180 are left alone (quotes only where required).
  EXPECT_EQ(Row({"semi;colon", "tab\there", "caf\xC3\xA9", " lead", "{\"a\":[1,2]}"}),
            "semi;colon,tab\there,caf\xC3\xA9, lead,\"{\"\"a\"\":[1,2]}\"\n");
  EXPECT_TRUE(CsvNeedsQuotes("a\r"));
  EXPECT_FALSE(CsvNeedsQuotes("a'b"));
}

TEST(CsvRecordScannerTest, LineBreaksInsideQuotesDoNotEndARecord) {
  const std::string text = Row({"id", "note"}) + Row({"1", "two\nlines"}) +
                           Row({"2", "quote \" and\nnewline"}) + Row({"3", "x"});
  // Whole text: four records, cut point at the end.
  CsvRecordScanner all;
  all.Feed(text);
  EXPECT_EQ(all.records(), 4u);
  EXPECT_EQ(all.complete_bytes(), text.size());

  // Every prefix, fed in pieces of every size, cuts only at a record end.
  std::vector<size_t> ends;
  for (const std::string& r : {Row({"id", "note"}), Row({"1", "two\nlines"}),
                               Row({"2", "quote \" and\nnewline"}), Row({"3", "x"})}) {
    ends.push_back((ends.empty() ? 0 : ends.back()) + r.size());
  }
  for (size_t len = 0; len <= text.size(); ++len) {
    size_t expected = 0;
    for (size_t e : ends) {
      if (e <= len) expected = e;
    }
    for (size_t piece : {size_t{1}, size_t{3}, size_t{1000}}) {
      CsvRecordScanner s;
      for (size_t at = 0; at < len; at += piece) {
        s.Feed(std::string_view(text).substr(at, std::min(piece, len - at)));
      }
      EXPECT_EQ(s.complete_bytes(), expected) << "len " << len << " piece " << piece;
    }
  }
}

TEST(CsvRecordScannerTest, EmptyAndUnterminated) {
  CsvRecordScanner s;
  s.Feed("");
  EXPECT_EQ(s.complete_bytes(), 0u);
  s.Feed("a,b");
  EXPECT_EQ(s.complete_bytes(), 0u);
  s.Feed("\n\"open");
  EXPECT_EQ(s.complete_bytes(), 4u);
  s.Feed(" quote\n,still open");
  EXPECT_EQ(s.complete_bytes(), 4u);
  EXPECT_EQ(s.records(), 1u);
}

}  // namespace
}  // namespace rivven::formats
