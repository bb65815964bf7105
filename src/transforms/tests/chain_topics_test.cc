#include <gtest/gtest.h>

#include "config/pipeline_config.h"
#include "transforms/chain.h"

namespace rivven::transforms {
namespace {

TEST(ChainTopicsTest, RoutingEntriesListTheirStaticTopics) {
  config::Diagnostics diags("t.yaml");
  auto root = config::ParseYaml(R"(transforms:
  - type: Filter
    config: {condition: "value.total > 1"}
  - type: ContentRouter
    config: {field: region, routes: {us: us-events, eu: eu-events}, default: other-events}
  - type: ContentRouter
    config: {field: kind, routes: {a: eu-events}}
)", config::ProcessEnv(), &diags);
  ASSERT_TRUE(root.has_value());
  auto chain = TransformChain::Build(root->Find("transforms")->items, "transforms", &diags);
  ASSERT_TRUE(diags.empty()) << diags.Format();
  EXPECT_EQ(chain.Topics(),
            (std::vector<std::string>{"eu-events", "other-events", "us-events"}));
}

}  // namespace
}  // namespace rivven::transforms
