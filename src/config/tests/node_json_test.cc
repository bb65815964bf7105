#include "config/node_json.h"

#include <gtest/gtest.h>

#include "config/pipeline_config.h"

namespace rivven::config {
namespace {

std::string Json(const std::string& yaml) {
  Diagnostics diags;
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  std::optional<Node> node = ParseYaml(yaml, env, &diags);
  EXPECT_TRUE(node.has_value()) << diags.Format();
  return node ? NodeToJson(*node) : "";
}

TEST(NodeToJsonTest, TypesScalarsAsYamlDoes) {
  EXPECT_EQ(Json("a: 1\nb: \"1\"\nc: 1.5\nd: true\ne: ~\nf: text\ng: 0x10\nh: 'yes'\n"),
            R"({"a":1,"b":"1","c":1.5,"d":true,"e":null,"f":"text","g":16,"h":"yes"})");
}

TEST(NodeToJsonTest, NestsAndEscapes) {
  EXPECT_EQ(Json("list: [1, two, {x: \"q\\\"\"}]\nempty: {}\nnone: []\n"),
            R"({"list":[1,"two",{"x":"q\""}],"empty":{},"none":[]})");
  EXPECT_EQ(Json("- a\n- b\n"), R"(["a","b"])");
}

}  // namespace
}  // namespace rivven::config
