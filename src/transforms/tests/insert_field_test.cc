#include <regex>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "transforms/tests/chain_test_util.h"

namespace rivven::transforms {
namespace {

using testing::BuildErrors;
using testing::BuildOk;
using testing::One;
using testing::Rec;
using testing::RunBatch;

TEST(InsertField, StaticValuesKeepTheirYamlTypes) {
  TransformChain chain = BuildOk(R"(
- type: InsertField
  config:
    static:
      source: rivven
      quoted_number: "42"
      version: 2
      ratio: 0.25
      big: -9007199254740993
      enabled: true
      nothing: null
      empty:
      yes_is_text: yes
      tags: [a, 1]
      nested: {k: v}
      meta.origin: "eu-1"
)");
  EXPECT_EQ(One(chain, R"({"id":1})"),
            R"({"id":1,"source":"rivven","quoted_number":"42","version":2,"ratio":0.25,)"
            R"("big":-9007199254740993,"enabled":true,"nothing":null,"empty":null,)"
            R"("yes_is_text":"yes","tags":["a",1],"nested":{"k":"v"},"meta":{"origin":"eu-1"}})");
}

TEST(InsertField, ReplacesExistingFieldsInPlace) {
  TransformChain chain = BuildOk("- {type: InsertField, config: {static: {a: 9}}}\n");
  EXPECT_EQ(One(chain, R"({"a":1,"b":2})"), R"({"a":9,"b":2})");
}

TEST(InsertField, ProcessingTimeIsoAndEpoch) {
  TransformChain iso = BuildOk(R"(
- type: InsertField
  config:
    timestamp:
      field: processed_at
)");
  const std::string out = One(iso, R"({"id":1})");
  EXPECT_TRUE(std::regex_match(
      out,
      std::regex(R"re(\{"id":1,"processed_at":"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d\d\dZ"\})re")))
      << out;

  TransformChain epoch = BuildOk(R"(
- type: InsertField
  config: {timestamp.field: ts, timestamp.format: epoch_ms}
)");
  const int64_t before = NowMs();
  const std::string e = One(epoch, "{}");
  const int64_t after = NowMs();
  ASSERT_EQ(e.substr(0, 6), R"({"ts":)");
  const int64_t ts = std::stoll(e.substr(6));
  EXPECT_GE(ts, before);
  EXPECT_LE(ts, after);

  TransformChain nested_epoch = BuildOk(R"(
- type: InsertField
  config: {timestamp: {field: ts, format: epoch_ms}}
)");
  EXPECT_EQ(One(nested_epoch, "{}").substr(0, 6), R"({"ts":)");
}

TEST(InsertField, SourceSideHasTopicButNoPartitionOrOffset) {
  TransformChain chain = BuildOk(R"(
- type: InsertField
  config:
    topic.field: meta.topic
    partition: {field: meta.partition}
    offset.field: meta.offset
)");
  testing::Output out = RunBatch(chain, {Rec("{}"), Rec("{}", std::nullopt, "routed")});
  EXPECT_EQ(*out.records[0].value, R"({"meta":{"topic":"orders"}})");
  EXPECT_EQ(*out.records[1].value, R"({"meta":{"topic":"routed"}})");
}

TEST(InsertField, ComputedFieldsSeeTheIncomingValue) {
  TransformChain chain = BuildOk(R"y(
- type: InsertField
  config:
    static: {total: 0}
    computed:
      total_cents: "value.total * 100"
      big: "value.total > 100"
      region_upper: "upper(value.region)"
      missing: "value.nope"
)y");
  EXPECT_EQ(
      One(chain, R"({"total":150,"region":"eu"})"),
      R"({"total":0,"region":"eu","total_cents":15000,"big":true,"region_upper":"EU","missing":null})");
}

TEST(InsertField, TombstonesPassAndBadPathsFail) {
  TransformChain chain = BuildOk("- {type: InsertField, config: {static: {a.b: 1}}}\n");
  EXPECT_EQ(One(chain, std::nullopt), "<null>");
  EXPECT_EQ(One(chain, R"({"a":[1]})"),
            "<failed: transforms[0] (InsertField): cannot insert 'a.b': a parent field is not "
            "an object>");
}

TEST(InsertField, ConfigErrors) {
  EXPECT_EQ(BuildErrors("- {type: InsertField, config: {}}\n"),
            "pipeline.yaml:1:31: error: sources.db.transforms[0].config: nothing to insert: set "
            "static, computed, timestamp.field, topic.field, partition.field or offset.field\n");
  EXPECT_EQ(BuildErrors("- {type: InsertField, config: {static: [a]}}\n"),
            "pipeline.yaml:1:40: error: sources.db.transforms[0].config.static: expected a map "
            "of field: value\n");
  EXPECT_EQ(
      BuildErrors("- {type: InsertField, config: {timestamp.field: a, timestamp: {field: b}}}\n"),
      "pipeline.yaml:1:63: error: sources.db.transforms[0].config.timestamp: set either "
      "'timestamp.field' or 'timestamp.field' nested under 'timestamp', not both\n");
  EXPECT_EQ(BuildErrors("- {type: InsertField, config: {timestamp: {field: a, fromat: x}}}\n"),
            "pipeline.yaml:1:54: error: sources.db.transforms[0].config.timestamp.fromat: "
            "unknown key 'fromat' (did you mean 'format'?)\n");
  const std::string syntax =
      BuildErrors("- {type: InsertField, config: {computed: {x: \"value.a >\"}}}\n");
  EXPECT_NE(syntax.find("sources.db.transforms[0].config.computed: 'x': "), std::string::npos)
      << syntax;
  EXPECT_NE(syntax.find("value.a >\n"), std::string::npos) << syntax;
  EXPECT_NE(syntax.find("^"), std::string::npos) << syntax;
}

}  // namespace
}  // namespace rivven::transforms
