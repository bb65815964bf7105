#include "formats/csv_reader.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rivven::formats {
namespace {

using Outcome = CsvRecordParser::Outcome;

// Parses every record of `text` (as one complete file) into rows of fields.
std::vector<std::vector<std::string>> ParseAll(std::string_view text, char delimiter = ',') {
  CsvRecordParser parser(delimiter);
  std::vector<std::vector<std::string>> rows;
  while (!text.empty()) {
    const auto p = parser.Parse(text, true);
    EXPECT_EQ(p.outcome, Outcome::kRecord) << text;
    if (p.outcome != Outcome::kRecord) break;
    std::vector<std::string> row;
    for (size_t i = 0; i < parser.size(); ++i) row.emplace_back(parser.field(i));
    rows.push_back(row);
    text.remove_prefix(p.consumed);
  }
  return rows;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvRecordParserTest, PlainRecordsWithLfAndCrlf) {
  EXPECT_EQ(ParseAll("a,b,c\n1,2,3\n"), (Rows{{"a", "b", "c"}, {"1", "2", "3"}}));
  EXPECT_EQ(ParseAll("a,b\r\n1,2\r\n"), (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(ParseAll("a,b\n1,2"), (Rows{{"a", "b"}, {"1", "2"}}));  // no final line break
}

TEST(CsvRecordParserTest, QuotedFieldsHoldDelimitersQuotesAndLineBreaks) {
  EXPECT_EQ(ParseAll("\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\"\n"),
            (Rows{{"a,b", "say \"hi\"", "line1\nline2"}}));
  EXPECT_EQ(ParseAll("\"x\r\ny\",z\r\n"), (Rows{{"x\r\ny", "z"}}));  // CRLF kept inside quotes
  CsvRecordParser parser;
  const auto p = parser.Parse("\"a\nb\nc\",d\nnext\n", true);
  ASSERT_EQ(p.outcome, Outcome::kRecord);
  EXPECT_EQ(p.newlines, 3u);
  EXPECT_EQ(p.consumed, 10u);
  EXPECT_TRUE(parser.quoted(0));
  EXPECT_FALSE(parser.quoted(1));
}

TEST(CsvRecordParserTest, EmptyFieldsAndBlankLines) {
  EXPECT_EQ(ParseAll(",,\n"), (Rows{{"", "", ""}}));
  EXPECT_EQ(ParseAll("\"\",x,\n"), (Rows{{"", "x", ""}}));
  CsvRecordParser parser;
  ASSERT_EQ(parser.Parse("\n", true).outcome, Outcome::kRecord);
  EXPECT_TRUE(parser.blank());
  ASSERT_EQ(parser.Parse("\"\"\n", true).outcome, Outcome::kRecord);
  EXPECT_FALSE(parser.blank());  // a quoted empty string is a value
}

TEST(CsvRecordParserTest, LenientQuotesLikePythonCsv) {
  EXPECT_EQ(ParseAll("ab\"c,d\n"), (Rows{{"ab\"c", "d"}}));  // quote inside an unquoted field
  EXPECT_EQ(ParseAll("\"ab\"c,d\n"), (Rows{{"abc", "d"}}));  // text after the closing quote
}

TEST(CsvRecordParserTest, CustomDelimiter) {
  EXPECT_EQ(ParseAll("a;b\n\"x;y\";z\n", ';'), (Rows{{"a", "b"}, {"x;y", "z"}}));
  EXPECT_EQ(ParseAll("a\tb,c\n", '\t'), (Rows{{"a", "b,c"}}));
}

TEST(CsvRecordParserTest, IncompleteRecordsAskForMore) {
  CsvRecordParser parser;
  EXPECT_EQ(parser.Parse("a,b", false).outcome, Outcome::kNeedMore);
  EXPECT_EQ(parser.Parse("\"a\nb", false).outcome, Outcome::kNeedMore);
  EXPECT_EQ(parser.Parse("\"a\"", false).outcome, Outcome::kNeedMore);  // "" or end of quote?
  EXPECT_EQ(parser.Parse("a,b\r", false).outcome, Outcome::kNeedMore);  // CRLF split
  EXPECT_EQ(parser.Parse("\"a\nb", true).outcome, Outcome::kUnterminatedQuote);
}

TEST(CsvRecordParserTest, QuotedRecordSplitAtEveryByteGivesTheSameFields) {
  const std::string text = "\"q\"\"1\",\"multi\r\nline\",plain\r\nnext,row\n";
  const size_t end = text.find("next");
  for (size_t cut = 0; cut < end; ++cut) {
    CsvRecordParser parser;
    const auto early = parser.Parse(std::string_view(text).substr(0, cut), false);
    EXPECT_EQ(early.outcome, Outcome::kNeedMore) << cut;
    const auto p = parser.Parse(text, false);
    ASSERT_EQ(p.outcome, Outcome::kRecord);
    ASSERT_EQ(parser.size(), 3u);
    EXPECT_EQ(parser.field(0), "q\"1");
    EXPECT_EQ(parser.field(1), "multi\r\nline");
    EXPECT_EQ(parser.field(2), "plain");
    EXPECT_EQ(p.consumed, end);
  }
}

// Records of `text` parsed the way a reader sees a growing file: `chunk` more bytes at a time,
// at_eof only once everything has arrived.
std::vector<std::vector<std::string>> ParseIncrementally(const std::string& text, size_t chunk) {
  CsvRecordParser parser;
  std::vector<std::vector<std::string>> rows;
  size_t begin = 0;
  size_t available = 0;
  while (true) {
    const bool eof = available == text.size();
    if (begin == available) {
      if (eof) break;
      available = std::min(text.size(), available + chunk);
      continue;
    }
    const auto p = parser.Parse(std::string_view(text).substr(begin, available - begin), eof);
    if (p.outcome == Outcome::kNeedMore) {
      EXPECT_FALSE(eof);
      available = std::min(text.size(), available + chunk);
      continue;
    }
    std::vector<std::string> row;
    if (p.outcome == Outcome::kUnterminatedQuote) {
      row.push_back("<unterminated>");
    } else {
      for (size_t i = 0; i < parser.size(); ++i) row.emplace_back(parser.field(i));
    }
    rows.push_back(row);
    begin += p.consumed;
  }
  return rows;
}

TEST(CsvRecordParserTest, RandomInputsParseTheSameWhateverTheChunking) {
  uint64_t seed = 12345;
  auto next = [&] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return seed >> 33;
  };
  const char alphabet[] = {'a', 'b', ',', '"', '\n', '\r', ' '};
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const size_t len = next() % 24;
    for (size_t i = 0; i < len; ++i) text.push_back(alphabet[next() % sizeof(alphabet)]);
    const auto whole = ParseIncrementally(text, text.size() + 1);
    for (size_t chunk : {1, 2, 5}) {
      ASSERT_EQ(ParseIncrementally(text, chunk), whole)
          << "chunk " << chunk << " of \"" << text << "\"";
    }
  }
}

std::string Field(std::string_view f, bool quoted, bool infer) {
  std::string out;
  AppendCsvFieldAsJson(out, f, quoted, CsvJsonOptions{infer});
  return out;
}

TEST(CsvJsonTest, InfersNumbersBooleansAndNulls) {
  EXPECT_EQ(Field("42", false, true), "42");
  EXPECT_EQ(Field("-7", false, true), "-7");
  EXPECT_EQ(Field("3.50", false, true), "3.50");  // digits kept as written
  EXPECT_EQ(Field("1e3", false, true), "1e3");
  EXPECT_EQ(Field("9223372036854775807", false, true), "9223372036854775807");
  EXPECT_EQ(Field("9223372036854775808", false, true), "\"9223372036854775808\"");
  EXPECT_EQ(Field("0.1234567890123456", false, true), "\"0.1234567890123456\"");
  EXPECT_EQ(Field("1e999", false, true), "\"1e999\"");
  EXPECT_EQ(Field("007", false, true), "\"007\"");  // zip codes keep their zeros
  EXPECT_EQ(Field("+1", false, true), "\"+1\"");
  EXPECT_EQ(Field("1.", false, true), "\"1.\"");
  EXPECT_EQ(Field("NaN", false, true), "\"NaN\"");
  EXPECT_EQ(Field("true", false, true), "true");
  EXPECT_EQ(Field("FALSE", false, true), "false");
  EXPECT_EQ(Field("yes", false, true), "\"yes\"");
  EXPECT_EQ(Field("", false, true), "null");
  EXPECT_EQ(Field("", true, true), "\"\"");
  EXPECT_EQ(Field("12", true, true), "12");  // exporters that quote everything still get types
}

TEST(CsvJsonTest, AllStringsWithoutInference) {
  EXPECT_EQ(Field("42", false, false), "\"42\"");
  EXPECT_EQ(Field("true", false, false), "\"true\"");
  EXPECT_EQ(Field("", false, false), "\"\"");
  EXPECT_EQ(Field("a\"b\\c\nd", true, false), "\"a\\\"b\\\\c\\nd\"");
}

TEST(CsvJsonTest, EncoderUsesHeaderNamesAndHandlesRaggedRows) {
  CsvRecordParser parser;
  CsvJsonEncoder encoder(CsvJsonOptions{true});
  ASSERT_EQ(parser.Parse("id,name,,id\n", true).outcome, Outcome::kRecord);
  ASSERT_TRUE(encoder.SetHeader(parser).ok());
  EXPECT_EQ(encoder.columns(), (std::vector<std::string>{"id", "name", "column_3", "id_2"}));
  std::string out;
  ASSERT_EQ(parser.Parse("1,Ann,x,2\n", true).outcome, Outcome::kRecord);
  ASSERT_TRUE(encoder.Encode(parser, &out).ok());
  EXPECT_EQ(out, R"({"id":1,"name":"Ann","column_3":"x","id_2":2})");
  ASSERT_EQ(parser.Parse("3,Bo\n", true).outcome, Outcome::kRecord);
  ASSERT_TRUE(encoder.Encode(parser, &out).ok());
  EXPECT_EQ(out, R"({"id":3,"name":"Bo","column_3":null,"id_2":null})");
  ASSERT_EQ(parser.Parse("1,2,3,4,5\n", true).outcome, Outcome::kRecord);
  Status s = encoder.Encode(parser, &out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("5 fields, but the header has 4"), std::string::npos);
}

TEST(CsvJsonTest, EncoderWithoutHeaderNamesColumnsByPosition) {
  CsvRecordParser parser;
  CsvJsonEncoder encoder(CsvJsonOptions{false});
  std::string out;
  ASSERT_EQ(parser.Parse("a,1\n", true).outcome, Outcome::kRecord);
  ASSERT_TRUE(encoder.Encode(parser, &out).ok());
  EXPECT_EQ(out, R"({"column_1":"a","column_2":"1"})");
  ASSERT_EQ(parser.Parse("a,1,true\n", true).outcome, Outcome::kRecord);
  ASSERT_TRUE(encoder.Encode(parser, &out).ok());
  EXPECT_EQ(out, R"({"column_1":"a","column_2":"1","column_3":"true"})");
}

TEST(CsvJsonTest, InvalidUtf8IsAnError) {
  CsvRecordParser parser;
  CsvJsonEncoder encoder(CsvJsonOptions{true});
  std::string out;
  ASSERT_EQ(parser.Parse("caf\xe9,ok\n", true).outcome, Outcome::kRecord);  // Latin-1
  Status s = encoder.Encode(parser, &out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not valid UTF-8"), std::string::npos);
  ASSERT_EQ(parser.Parse("caf\xc3\xa9,ok\n", true).outcome, Outcome::kRecord);
  ASSERT_TRUE(encoder.Encode(parser, &out).ok());
  EXPECT_EQ(out, "{\"column_1\":\"caf\xc3\xa9\",\"column_2\":\"ok\"}");
}

}  // namespace
}  // namespace rivven::formats
