// docs/expressions.md stays true: its example expressions compile, and its example error
// messages are exactly what Compile reports.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "transforms/expr/tests/expr_test_util.h"

namespace rivven::transforms::expr {
namespace {

std::string ReadDoc() {
  const auto path =
      std::filesystem::path(__FILE__).parent_path() / "../../../../docs/expressions.md";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The contents of every ```text block.
std::vector<std::string> TextBlocks(const std::string& doc) {
  std::vector<std::string> blocks;
  size_t at = 0;
  while ((at = doc.find("```text\n", at)) != std::string::npos) {
    at += 8;
    const size_t end = doc.find("```", at);
    if (end == std::string::npos) break;
    blocks.push_back(doc.substr(at, end - at - 1));  // without the final newline
    at = end + 3;
  }
  return blocks;
}

TEST(ExprDocsTest, ExamplesCompileAndErrorsAreExact) {
  const std::vector<std::string> blocks = TextBlocks(ReadDoc());
  int expressions = 0, errors = 0;
  for (const std::string& block : blocks) {
    if (block.starts_with("syntax error at") || block.starts_with("error at")) {
      // The message, then the expression indented by two spaces, then the caret line.
      const size_t line = block.find("\n  ") + 3;
      const std::string text = block.substr(line, block.find('\n', line) - line);
      EXPECT_EQ(testing::CompileError(text), block);
      ++errors;
      continue;
    }
    std::istringstream lines(block);
    std::string text;
    while (std::getline(lines, text)) {
      EXPECT_EQ(testing::CompileError(text), "") << text;
      ++expressions;
    }
  }
  EXPECT_GE(expressions, 10);
  EXPECT_GE(errors, 2);
}

}  // namespace
}  // namespace rivven::transforms::expr
