#include <gtest/gtest.h>

#include "transforms/tests/chain_test_util.h"
#include "transforms/transform.h"

namespace rivven::transforms {
namespace {

using testing::BuildErrors;
using testing::BuildOk;
using testing::Rec;
using testing::RunBatch;

constexpr const char* kSpecExample = R"(
- type: ContentRouter
  config:
    field: region
    routes:
      us: us-events
      eu: eu-events
      apac: apac-events
    default: other-events
)";

TEST(ContentRouter, RoutesByFieldWithDefault) {
  TransformChain chain = BuildOk(kSpecExample);
  testing::Output out =
      RunBatch(chain, {Rec(R"({"region":"eu"})"), Rec(R"({"region":"apac"})"),
                       Rec(R"({"region":"mars"})"), Rec(R"({"id":1})"), Rec(R"({"region":null})"),
                       Rec(std::nullopt), Rec(R"({"region":{"x":1}})")});
  ASSERT_EQ(out.records.size(), 7u);
  const std::vector<std::string> expected = {"eu-events",    "apac-events",  "other-events",
                                             "other-events", "other-events", "other-events",
                                             "other-events"};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(out.records[i].topic, expected[i]) << i;
  EXPECT_EQ(*out.records[0].value, R"({"region":"eu"})");  // the value is untouched
}

TEST(ContentRouter, WithoutDefaultUnroutedRecordsKeepTheirTopic) {
  TransformChain chain = BuildOk(R"(
- type: ContentRouter
  config:
    field: meta.code
    routes: {1: one, "true": yes-topic, "ü": umlaut}
)");
  testing::Output out =
      RunBatch(chain, {Rec(R"({"meta":{"code":1}})"), Rec(R"({"meta":{"code":true}})"),
                       Rec(R"({"meta":{"code":"ü"}})"), Rec(R"({"meta":{"code":2}})"),
                       Rec(R"({"meta":{"code":1}})", std::nullopt, "already-routed")});
  EXPECT_EQ(out.records[0].topic, "one");
  EXPECT_EQ(out.records[1].topic, "yes-topic");
  EXPECT_EQ(out.records[2].topic, "umlaut");
  EXPECT_EQ(out.records[3].topic, "");  // stays on the source's topic
  EXPECT_EQ(out.records[4].topic, "one");
}

TEST(ContentRouter, InvalidJsonFails) {
  TransformChain chain = BuildOk(kSpecExample);
  testing::Output out = RunBatch(chain, {Rec("{")});
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_EQ(out.failures[0].error.message().rfind("transforms[0] (ContentRouter): value is not "
                                                  "valid JSON",
                                                  0),
            0u);
}

TEST(ContentRouter, TopicsListsEveryTarget) {
  config::Diagnostics diags;
  const TransformDescriptor* d = BuiltinTransforms().FindTransform("ContentRouter");
  ASSERT_NE(d, nullptr);
  std::optional<config::Node> node = config::ParseYaml(
      "field: r\nroutes: {a: t1, b: t2, c: t1}\ndefault: t0\n",
      [](const std::string&) { return std::optional<std::string>(); }, &diags);
  auto t = d->make(config::Bind(d->schema, &*node, "x", {}, &diags));
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(diags.empty());
  EXPECT_EQ((*t)->Topics(), (std::vector<std::string>{"t0", "t1", "t2"}));
  const TransformDescriptor* mask = BuiltinTransforms().FindTransform("MaskField");
  node = config::ParseYaml(
      "fields: [a]\n", [](const std::string&) { return std::optional<std::string>(); }, &diags);
  auto m = mask->make(config::Bind(mask->schema, &*node, "x", {}, &diags));
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE((*m)->Topics().empty());
}

TEST(ContentRouter, ConfigErrors) {
  EXPECT_EQ(BuildErrors("- {type: ContentRouter, config: {field: r}}\n"),
            "pipeline.yaml:1:33: error: sources.db.transforms[0].config: missing required key "
            "'routes'\n");
  EXPECT_EQ(BuildErrors("- {type: ContentRouter, config: {field: r, routes: {a: [x]}}}\n"),
            "pipeline.yaml:1:56: error: sources.db.transforms[0].config.routes.a: expected a "
            "string, got a sequence\n");
  EXPECT_EQ(BuildErrors("- {type: ContentRouter, config: {field: r, routes: {a: \"\"}}}\n"),
            "pipeline.yaml:1:52: error: sources.db.transforms[0].config.routes: 'a' has no "
            "topic\n");
}

}  // namespace
}  // namespace rivven::transforms
