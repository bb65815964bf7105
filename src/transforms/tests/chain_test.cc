#include "transforms/chain.h"

#include <gtest/gtest.h>

#include "transforms/tests/chain_test_util.h"
#include "transforms/transform.h"

namespace rivven::transforms {
namespace {

using testing::BuildErrors;
using testing::BuildOk;
using testing::HeaderValue;
using testing::One;
using testing::Rec;
using testing::RunBatch;

TEST(TransformChain, EmptyListLeavesRecordsAlone) {
  TransformChain chain = BuildOk("[]");
  EXPECT_TRUE(chain.empty());
  testing::Output out = RunBatch(chain, {Rec("not json"), Rec(std::nullopt)});
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(*out.records[0].value, "not json");
}

TEST(TransformChain, EntriesRunInOrderOnOneDom) {
  TransformChain chain = BuildOk(R"(
- type: ReplaceField
  config: {rename: {card: credit_card}}
- type: MaskField
  config: {fields: [credit_card]}
)");
  EXPECT_FALSE(chain.empty());
  EXPECT_EQ(One(chain, R"({"id":1,"card":"4111"})"), R"({"id":1,"credit_card":"****"})");
}

// The chain of docs' connectors.md §Transforms, on a CDC source's change events.
TEST(TransformChain, SpecExampleChainOnChangeEvents) {
  TransformChain chain = BuildOk(R"(
- type: ExtractNewRecordState
- type: MaskField
  config:
    fields: [credit_card]
    mask_char: "X"
- type: ReplaceField
  config:
    rename:
      old_name: new_name
    exclude: [internal_field]
- type: InsertField
  config:
    static:
      source: "rivven"
    timestamp:
      field: processed_at
)");
  const std::string source = R"("source":{"connector":"postgresql","db":"shop","table":"orders"})";
  testing::Output out =
      RunBatch(chain,
               {Rec(R"({"before":null,"after":{"id":1,"credit_card":"4111 1111","old_name":"a",)"
                    R"("internal_field":0},)" +
                    source + R"(,"op":"c","ts_ms":1})"),
                Rec(R"({"before":{"id":1},"after":null,)" + source + R"(,"op":"d","ts_ms":2})"),
                Rec(std::nullopt)},
               "cdc.orders");
  ASSERT_TRUE(out.failures.empty());
  ASSERT_EQ(out.records.size(), 1u);
  const std::string& v = *out.records[0].value;
  const std::string prefix =
      R"({"id":1,"credit_card":"XXXXXXXXX","new_name":"a","source":"rivven",)"
      R"("processed_at":")";
  EXPECT_EQ(v.substr(0, prefix.size()), prefix) << v;
  EXPECT_EQ(v.size(), prefix.size() + 26) << v;  // 2024-05-01T12:34:56.789Z"}
}

TEST(TransformChain, DropStopsTheChainAndRemovesTheRecord) {
  TransformChain chain = BuildOk(R"(
- type: ExtractNewRecordState
- type: MaskField
  config: {fields: [name]}
)");
  testing::Output out =
      RunBatch(chain, {
                          Rec(R"({"before":null,"after":{"id":1,"name":"ab"},"op":"c"})"),
                          Rec(R"({"before":{"id":2,"name":"cd"},"after":null,"op":"d"})"),
                          Rec(std::nullopt),
                          Rec(R"({"before":null,"after":{"id":3,"name":"é"},"op":"r"})"),
                      });
  EXPECT_TRUE(out.failures.empty());
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(*out.records[0].value, R"({"id":1,"name":"**"})");
  EXPECT_EQ(*out.records[1].value, R"({"id":3,"name":"*"})");
}

TEST(TransformChain, FailuresNameTheEntryAndKeepTheOriginalRecord) {
  TransformChain chain = BuildOk(R"(
- type: ReplaceField
  config: {rename: {a: b}}
- type: InsertField
  config: {static: {x: 1}}
- type: MaskField
  config: {fields: [b]}
)");
  testing::Output out =
      RunBatch(chain, {Rec(R"({"a":"q"})"), Rec("[1,2]"), Rec("{oops"), Rec(R"({"a":"zz"})")});
  ASSERT_EQ(out.failures.size(), 2u);
  EXPECT_EQ(out.failures[0].index, 1u);
  EXPECT_EQ(out.failures[0].error.message(),
            "transforms[0] (ReplaceField): value is an array, not a JSON object");
  EXPECT_EQ(out.failures[1].index, 2u);
  EXPECT_EQ(out.failures[1].error.message(),
            "transforms[0] (ReplaceField): value is not valid JSON: Missing a name for object "
            "member. (at byte 1)");
  EXPECT_EQ(out.failures[1].error.code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(out.rejected.size(), 2u);
  EXPECT_EQ(*out.rejected[0].value, "[1,2]");
  EXPECT_EQ(*out.rejected[1].value, "{oops");
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(*out.records[0].value, R"({"b":"*","x":1})");
  EXPECT_EQ(*out.records[1].value, R"({"b":"**","x":1})");
}

TEST(TransformChain, FailureOfALaterEntryLeavesValueBytesUncommitted) {
  TransformChain chain = BuildOk(R"(
- type: InsertField
  config: {static: {x: 1}}
- type: InsertField
  config: {static: {a.b: 2}}
)");
  testing::Output out = RunBatch(chain, {Rec(R"({"a":"not an object"})")});
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_EQ(out.failures[0].error.message(),
            "transforms[1] (InsertField): cannot insert 'a.b': a parent field is not an object");
  ASSERT_EQ(out.rejected.size(), 1u);
  EXPECT_EQ(*out.rejected[0].value, R"({"a":"not an object"})");
}

TEST(TransformChain, TopicNameMatchesPredicateAndNegate) {
  const char* yaml = R"(
- type: MaskField
  config: {fields: [s]}
  predicate:
    type: TopicNameMatches
    config: {pattern: "cdc\\..*"}
  negate: %s
)";
  char buf[512];
  std::snprintf(buf, sizeof buf, yaml, "false");
  TransformChain chain = BuildOk(buf);
  testing::Output out =
      RunBatch(chain,
               {Rec(R"({"s":"ab"})", std::nullopt, "cdc.orders"),
                Rec(R"({"s":"ab"})", std::nullopt, "xcdc.orders"), Rec(R"({"s":"ab"})")},
               "cdc.default");
  ASSERT_EQ(out.records.size(), 3u);
  EXPECT_EQ(*out.records[0].value, R"({"s":"**"})");
  EXPECT_EQ(*out.records[1].value, R"({"s":"ab"})");  // the whole name must match
  EXPECT_EQ(*out.records[2].value, R"({"s":"**"})");  // empty topic: the source's topic

  std::snprintf(buf, sizeof buf, yaml, "true");
  TransformChain negated = BuildOk(buf);
  out = RunBatch(negated, {Rec(R"({"s":"ab"})", std::nullopt, "cdc.orders"),
                           Rec(R"({"s":"ab"})", std::nullopt, "other")});
  EXPECT_EQ(*out.records[0].value, R"({"s":"ab"})");
  EXPECT_EQ(*out.records[1].value, R"({"s":"**"})");
}

TEST(TransformChain, HasHeaderKeyPredicate) {
  TransformChain chain = BuildOk(R"(
- type: InsertField
  config: {static: {traced: true}}
  predicate: {type: HasHeaderKey, config: {name: trace-id}}
)");
  Record with = Rec("{}");
  with.headers.push_back({"trace-id", ""});
  testing::Output out = RunBatch(chain, {std::move(with), Rec("{}")});
  EXPECT_EQ(*out.records[0].value, R"({"traced":true})");
  EXPECT_EQ(*out.records[1].value, "{}");
  EXPECT_EQ(out.records[0].headers.size(), 1u);
}

TEST(TransformChain, RecordIsTombstonePredicateDropsTombstonesOnly) {
  // ExtractNewRecordState with drop.tombstones: false keeps tombstones; a negated predicate
  // shields them from MaskField, which would pass them anyway; Filter-free drop via predicate.
  TransformChain chain = BuildOk(R"(
- type: ExtractNewRecordState
  config: {drop.tombstones: false}
  predicate: {type: RecordIsTombstone}
  negate: true
- type: InsertField
  config: {static: {seen: 1}}
  predicate: {type: RecordIsTombstone}
  negate: true
)");
  testing::Output out = RunBatch(chain, {Rec(std::nullopt), Rec(R"({"op":"c","after":{"id":1}})")});
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_FALSE(out.records[0].value.has_value());
  EXPECT_EQ(*out.records[1].value, R"({"id":1,"seen":1})");
}

TEST(TransformChain, SinkSideSeesPartitionOffsetAndRoutesTheConsumedRecord) {
  TransformChain chain = BuildOk(R"(
- type: InsertField
  config: {partition.field: p, offset.field: o, topic.field: t}
- type: ContentRouter
  config: {field: region, routes: {eu: eu-events}}
)");
  std::vector<ConsumedRecord> batch(2);
  batch[0].topic = "orders";
  batch[0].partition = 2;
  batch[0].offset = Offset(41);
  batch[0].record.value = R"({"region":"eu"})";
  batch[1].topic = "orders";
  batch[1].partition = 0;
  batch[1].offset = Offset(7);
  batch[1].record.value = R"({"region":"us"})";
  std::vector<TransformChain::Failure> failures;
  chain.Apply(batch, &failures, nullptr);
  ASSERT_TRUE(failures.empty());
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(*batch[0].record.value, R"({"region":"eu","t":"orders","p":2,"o":41})");
  EXPECT_EQ(batch[0].topic, "eu-events");
  EXPECT_TRUE(batch[0].record.topic.empty());
  EXPECT_EQ(batch[1].topic, "orders");
  EXPECT_EQ(*batch[1].record.value, R"({"region":"us","t":"orders","p":0,"o":7})");
}

TEST(TransformChainBuild, UnknownTypeSuggestsTheClosest) {
  EXPECT_EQ(BuildErrors(R"(
- type: MaskFeild
  config: {fields: [a]}
)"),
            "pipeline.yaml:2:9: error: sources.db.transforms[0].type: unknown transform type "
            "'MaskFeild' (did you mean 'MaskField'?)\n");
  const std::string far = BuildErrors("- type: Nothing\n");
  EXPECT_NE(far.find("unknown transform type 'Nothing' (known types: ExtractNewRecordState, "
                     "MaskField, ReplaceField, InsertField, Filter, ContentRouter"),
            std::string::npos)
      << far;
}

TEST(TransformChainBuild, BadKeysOfTheEntryAndOfTheConfig) {
  EXPECT_EQ(BuildErrors(R"(
- type: MaskField
  confg: {fields: [a]}
)"),
            "pipeline.yaml:2:3: error: sources.db.transforms[0].config: missing required key "
            "'fields'\n"
            "pipeline.yaml:3:3: error: sources.db.transforms[0].confg: unknown key 'confg' (did "
            "you mean 'config'?)\n");
  EXPECT_EQ(BuildErrors(R"(
- type: MaskField
  config:
    fields: [a]
    mask_chr: "#"
)"),
            "pipeline.yaml:5:5: error: sources.db.transforms[0].config.mask_chr: unknown key "
            "'mask_chr' (did you mean 'mask_char'?)\n");
  EXPECT_EQ(BuildErrors(R"(
- type: Filter
  config: {condition: "value.a > 1", action: keeep}
)"),
            "pipeline.yaml:3:46: error: sources.db.transforms[0].config.action: invalid value "
            "'keeep': must be one of: keep, drop (did you mean 'keep'?)\n");
  EXPECT_EQ(BuildErrors("- {config: {}}\n"),
            "pipeline.yaml:1:3: error: sources.db.transforms[0]: missing required key 'type'\n");
  EXPECT_EQ(BuildErrors("- MaskField\n"),
            "pipeline.yaml:1:3: error: sources.db.transforms[0]: expected a map with a 'type' (and "
            "'config'), got "
            "'MaskField'\n");
}

TEST(TransformChainBuild, FactoryErrorsPointAtTheirKey) {
  EXPECT_EQ(BuildErrors(R"(
- type: MaskField
  config:
    fields: [a]
    mask_char: "ab"
)"),
            "pipeline.yaml:5:16: error: sources.db.transforms[0].config.mask_char: must be "
            "exactly one character, got 'ab'\n");
  EXPECT_EQ(BuildErrors(R"(
- type: ReplaceField
  config: {}
)"),
            "pipeline.yaml:3:11: error: sources.db.transforms[0].config: set at least one of "
            "rename, exclude, include\n");
}

TEST(TransformChainBuild, PredicateErrors) {
  EXPECT_EQ(BuildErrors(R"(
- type: MaskField
  config: {fields: [a]}
  predicate: {type: TopicNameMatch, config: {pattern: x}}
)"),
            "pipeline.yaml:4:21: error: sources.db.transforms[0].predicate.type: unknown "
            "predicate type 'TopicNameMatch' (did you mean 'TopicNameMatches'?)\n");
  EXPECT_EQ(BuildErrors(R"(
- type: MaskField
  config: {fields: [a]}
  predicate: {type: TopicNameMatches, config: {pattern: "(unclosed"}}
)"),
            "pipeline.yaml:4:57: error: sources.db.transforms[0].predicate.config.pattern: "
            "invalid regular expression: missing ): (unclosed\n");
  EXPECT_EQ(BuildErrors(R"(
- type: MaskField
  config: {fields: [a]}
  predicate: {type: HasHeaderKey, config: {nam: x}}
)"),
            "pipeline.yaml:4:43: error: sources.db.transforms[0].predicate.config: missing "
            "required key 'name'\n"
            "pipeline.yaml:4:44: error: sources.db.transforms[0].predicate.config.nam: unknown "
            "key 'nam' (did you mean 'name'?)\n");
  EXPECT_EQ(BuildErrors(R"(
- type: MaskField
  config: {fields: [a]}
  negate: true
)"),
            "pipeline.yaml:4:11: error: sources.db.transforms[0].negate: 'negate' needs a "
            "'predicate' or a 'when' to negate\n");
}

TEST(TransformChainBuild, EveryEntryIsCheckedInOneRun) {
  const std::string errors = BuildErrors(R"(
- type: Bogus
- type: MaskField
- type: ContentRouter
  config: {field: "a..b", routes: {x: y}}
)");
  EXPECT_NE(errors.find("transforms[0].type: unknown transform type 'Bogus'"), std::string::npos);
  EXPECT_NE(errors.find("transforms[1].config: missing required key 'fields'"), std::string::npos);
  EXPECT_NE(errors.find("transforms[2].config.field: empty field name in path 'a..b'"),
            std::string::npos)
      << errors;
}

TEST(TransformRegistry, EverySpecTransformIsRegisteredWithAnExample) {
  const TransformRegistry& r = BuiltinTransforms();
  for (const char* type : {"ExtractNewRecordState", "MaskField", "ReplaceField", "InsertField",
                           "Filter", "ContentRouter"}) {
    const TransformDescriptor* d = r.FindTransform(type);
    ASSERT_NE(d, nullptr) << type;
    EXPECT_NE(d->description.find("```yaml\ntransforms:\n  - type: " + std::string(type)),
              std::string::npos)
        << type;
    EXPECT_TRUE(d->make) << type;
  }
  for (const char* type : {"TopicNameMatches", "HasHeaderKey", "RecordIsTombstone", "Expression"}) {
    const PredicateDescriptor* d = r.FindPredicate(type);
    ASSERT_NE(d, nullptr) << type;
    EXPECT_NE(d->description.find("```yaml\npredicate:\n  type: " + std::string(type)),
              std::string::npos)
        << type;
  }
  EXPECT_EQ(r.FindTransform("maskfield"), nullptr);
}

}  // namespace
}  // namespace rivven::transforms
