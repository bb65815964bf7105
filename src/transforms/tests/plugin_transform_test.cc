#include "transforms/plugin_transform.h"

#include <gtest/gtest.h>

#include "transforms/tests/chain_test_util.h"

namespace rivven::transforms {
namespace {

using testing::BuildErrors;
using testing::BuildOk;
using testing::Rec;
using testing::RunBatch;

// Built next to the plugin connector's tests (src/connectors/plugin/tests/CMakeLists.txt).
const std::string kUppercase = std::string(RIVVEN_EXAMPLE_PLUGIN_DIR) + "/uppercase_transform.so";

TEST(PluginTransform, RewritesAndDropsAndSeesEarlierChanges) {
  // InsertField's change is still a DOM when the plugin runs, and MaskField after the plugin
  // must see the plugin's bytes, not the DOM from before it.
  const auto chain = BuildOk(R"(
- type: InsertField
  config: {static: {tag: x}}
- type: Plugin
  config:
    path: )" + kUppercase + R"(
    plugin_config: {drop_if: secret}
- type: MaskField
  config: {fields: [NAME]}
)");
  auto out = RunBatch(chain, {Rec(R"({"name":"ab"})"), Rec(R"({"name":"secret"})"),
                              Rec(std::nullopt, "k")});
  ASSERT_TRUE(out.failures.empty()) << out.failures[0].error.ToString();
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(out.records[0].value, R"({"NAME":"**","TAG":"X"})");
  ASSERT_FALSE(out.records[0].headers.empty());
  EXPECT_EQ(out.records[0].headers.back().key, "uppercased");
  EXPECT_FALSE(out.records[1].value.has_value());  // tombstones pass through
  EXPECT_EQ(out.records[1].key, "k");
}

TEST(PluginTransform, LoadErrorsAreConfigErrors) {
  const std::string errors = BuildErrors(R"(
- type: Plugin
  config: {path: /nonexistent/plugin.so}
)");
  EXPECT_NE(errors.find("plugin '/nonexistent/plugin.so': cannot load it"), std::string::npos)
      << errors;
  const std::string wrong_kind = BuildErrors(R"(
- type: Plugin
  config: {path: )" + std::string(RIVVEN_EXAMPLE_PLUGIN_DIR) + R"(/counter_source.so}
)");
  EXPECT_NE(wrong_kind.find("is a source plugin (kind 1), but it is configured as a transform"),
            std::string::npos)
      << wrong_kind;
}

}  // namespace
}  // namespace rivven::transforms
