#include "config/diagnostics.h"

#include <gtest/gtest.h>

namespace rivven::config {
namespace {

TEST(ConfigDiagnostics, FormatSortsByPositionAndNamesFilePathAndMessage) {
  Diagnostics diags("pipeline.yaml");
  diags.Add("sources.demo.config.max_events", Mark{12, 7}, "expected an integer, got 'ten'");
  diags.Add("version", Mark{1, 10}, "unsupported version '2.0'");
  diags.Add("", Mark{12, 3}, "first on line 12");
  EXPECT_EQ(diags.size(), 3u);
  EXPECT_EQ(diags.Format(),
            "pipeline.yaml:1:10: error: version: unsupported version '2.0'\n"
            "pipeline.yaml:12:3: error: first on line 12\n"
            "pipeline.yaml:12:7: error: sources.demo.config.max_events: expected an integer, "
            "got 'ten'\n");
}

TEST(ConfigDiagnostics, FormatWithoutPositionOrFile) {
  Diagnostics diags;
  diags.Add("", Mark{}, "cannot read config file 'x.yaml': No such file or directory");
  EXPECT_EQ(diags.Format(),
            "<config>: error: cannot read config file 'x.yaml': No such file or directory\n");
  EXPECT_TRUE(Diagnostics().Format().empty());
}

// Found by fuzzing (tests/fuzz/corpus/config/key_with_line_break): a quoted key holding a line
// break split its "unknown key" problem over two lines, so file content could forge a line.
TEST(ConfigDiagnostics, ControlBytesFromTheFileStayOnOneLine) {
  Diagnostics diags("pipeline.yaml");
  diags.Add("a\nb", Mark{11, 1}, "unknown key 'a\nb\r\t\x01\x7f' (known keys: version)");
  EXPECT_EQ(diags.Format(),
            "pipeline.yaml:11:1: error: a\\nb: unknown key 'a\\nb\\r\\t\\x01\\x7f' "
            "(known keys: version)\n");
}

TEST(ConfigDiagnostics, IndentedLinesOfAMessageStayAndNoLineCanPassForAProblem) {
  Diagnostics diags("pipeline.yaml");
  // An expression error shows the expression with a caret under it on indented lines.
  diags.Add("sources.db.transforms[0].config.condition", Mark{4, 16},
            "syntax error at column 3: expected a value\n  a >\n    ^");
  // A value from the file trying to start a line of its own.
  diags.Add("sources.db.topic", Mark{5, 3},
            "invalid topic name 'x\npipeline.yaml:1:1: error: forged\n  indented'");
  EXPECT_EQ(diags.Format(),
            "pipeline.yaml:4:16: error: sources.db.transforms[0].config.condition: syntax error at "
            "column 3: expected a value\n  a >\n    ^\n"
            "pipeline.yaml:5:3: error: sources.db.topic: invalid topic name "
            "'x\\npipeline.yaml:1:1: error: forged\n  indented'\n");
}

TEST(ConfigDiagnostics, JoinAndIndexPaths) {
  EXPECT_EQ(JoinPath("", "broker"), "broker");
  EXPECT_EQ(JoinPath("sources.demo", "topic"), "sources.demo.topic");
  EXPECT_EQ(IndexPath("sinks.s3.topics", 2), "sinks.s3.topics[2]");
}

TEST(ConfigDidYouMean, SuggestsCloseKeys) {
  const std::vector<std::string> keys = {"pattern", "events_per_second", "max_events",
                                         "stream_name", "seed", "cdc_mode"};
  EXPECT_EQ(DidYouMean("evnets_per_second", keys), "events_per_second");  // swap
  EXPECT_EQ(DidYouMean("patern", keys), "pattern");                        // deletion
  EXPECT_EQ(DidYouMean("max_event", keys), "max_events");
  EXPECT_EQ(DidYouMean("Stream_Name", keys), "stream_name");  // case only
  EXPECT_EQ(DidYouMean("sed", keys), "seed");                 // short word: distance 1
  EXPECT_EQ(DidYouMean("completely_different", keys), "");
  EXPECT_EQ(DidYouMean("xy", keys), "");
  EXPECT_EQ(DidYouMean("anything", {}), "");
}

TEST(ConfigDidYouMean, TiesAreDeterministic) {
  // "bat" is one edit from both; the alphabetically first wins whatever the order.
  EXPECT_EQ(DidYouMean("bat", {"cat", "bar"}), "bar");
  EXPECT_EQ(DidYouMean("bat", {"bar", "cat"}), "bar");
}

TEST(ConfigDidYouMean, ThresholdGrowsWithLength) {
  // 9 letters: up to 3 edits.
  EXPECT_EQ(DidYouMean("abcdefxyz", {"abcdefghi"}), "abcdefghi");
  EXPECT_EQ(DidYouMean("abcdewxyz", {"abcdefghi"}), "");
}

}  // namespace
}  // namespace rivven::config
