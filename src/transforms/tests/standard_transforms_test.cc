#include "transforms/standard_transforms.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/pipeline_config.h"
#include "transforms/chain.h"
#include "transforms/tests/chain_test_util.h"
#include "transforms/transform.h"

namespace rivven::transforms {
namespace {

using testing::BuildErrors;
using testing::BuildOk;
using testing::HeaderValue;
using testing::Rec;
using testing::RunBatch;

const std::vector<std::string> kStandard = {
    "ValueToKey",   "ExtractField",       "HoistField",  "Flatten",
    "Cast",         "TimestampConverter", "RegexRouter", "TimestampRouter",
    "InsertHeader", "DropHeaders",        "HeaderFrom",  "SetNull",
    "Drop",         "EventRouter"};

// The ```yaml block of a description.
std::string Example(const std::string& description) {
  const std::string open = "```yaml\n";
  const size_t start = description.find(open);
  if (start == std::string::npos) return {};
  const size_t end = description.find("```", start + open.size());
  return description.substr(start + open.size(), end - start - open.size());
}

TEST(StandardTransforms, EveryTypeIsRegisteredOnceWithAnExample) {
  TransformRegistry registry;
  RegisterStandardTransforms(registry);
  std::vector<std::string> types;
  for (const TransformDescriptor* d : registry.Transforms()) types.push_back(d->type);
  EXPECT_EQ(types, kStandard);
  for (const std::string& type : kStandard) {
    const TransformDescriptor* d = BuiltinTransforms().FindTransform(type);
    ASSERT_NE(d, nullptr) << type;
    EXPECT_FALSE(Example(d->description).empty()) << type;
    for (const config::KeySpec& key : d->schema.keys()) {
      EXPECT_FALSE(key.description.empty()) << type << "." << key.name;
    }
  }
}

TEST(StandardTransforms, EveryDocumentedExampleBuilds) {
  for (const std::string& type : kStandard) {
    const std::string yaml = Example(BuiltinTransforms().FindTransform(type)->description);
    config::Diagnostics diags("example.yaml");
    std::optional<config::Node> root = config::ParseYaml(
        yaml, [](const std::string&) { return std::optional<std::string>(); }, &diags);
    ASSERT_TRUE(root && root->Find("transforms") != nullptr) << type << ":\n" << yaml;
    const TransformChain chain =
        TransformChain::Build(root->Find("transforms")->items, "sources.x.transforms", &diags);
    EXPECT_TRUE(diags.empty()) << type << ":\n" << yaml << diags.Format();
    EXPECT_FALSE(chain.empty()) << type;
  }
}

TEST(StandardTransforms, FactoryErrorsNameTheKeyAndLine) {
  EXPECT_EQ(BuildErrors(R"(
- type: Cast
  config:
    spec: {a: int33}
)"),
            "pipeline.yaml:4:11: error: sources.db.transforms[0].config.spec: unknown type "
            "'int33' (expected one of int8, int16, int32, int64, float32, float64, boolean, "
            "string)\n");
  EXPECT_EQ(BuildErrors(R"(
- type: TimestampConverter
  config: {field: ts, target.type: string}
)"),
            "pipeline.yaml:3:11: error: sources.db.transforms[0].config.format: required when "
            "target.type is string\n");
  EXPECT_EQ(BuildErrors(R"(
- type: RegexRouter
  config:
    regex: "(a"
    replacement: x
)"),
            "pipeline.yaml:4:12: error: sources.db.transforms[0].config.regex: invalid regex "
            "'(a': missing ): (a\n");
  EXPECT_EQ(BuildErrors(R"(
- type: HeaderFrom
  config: {fields: [a, b], headers: [h], operation: copy}
)"),
            "pipeline.yaml:3:37: error: sources.db.transforms[0].config.headers: 1 header(s) "
            "for 2 field(s); give one header per field\n");
}

TEST(StandardTransforms, DropAndSetNullActOnWhatThePredicateSelects) {
  const TransformChain chain = BuildOk(R"(
- type: Drop
  predicate: {type: RecordIsTombstone}
- type: SetNull
  when: "value.deleted == true"
- type: Drop
  predicate: {type: TopicNameMatches, config: {pattern: "audit\\..*"}}
  negate: true
)");
  testing::Output out =
      RunBatch(chain, {
                          Rec(std::nullopt, R"({"id":1})", "audit.users"),
                          Rec(R"({"id":2,"deleted":true})", R"({"id":2})", "audit.users"),
                          Rec(R"({"id":3,"deleted":false})", R"({"id":3})", "audit.users"),
                          Rec(R"({"id":4})", R"({"id":4})", "other"),
                      });
  ASSERT_TRUE(out.failures.empty());
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_FALSE(out.records[0].value.has_value());  // soft delete -> tombstone
  EXPECT_EQ(*out.records[0].key, R"({"id":2})");
  EXPECT_EQ(*out.records[1].value, R"({"id":3,"deleted":false})");
}

TEST(StandardTransforms, CdcChainUnwrapKeyCastHeaders) {
  const TransformChain chain = BuildOk(R"(
- type: HeaderFrom
  config: {fields: [op, source.table], headers: [cdc-op, cdc-table], operation: copy}
- type: ExtractField
  config: {field: after}
- type: ValueToKey
  config: {fields: [id]}
- type: Cast
  config: {spec: "price:float64,id:string"}
- type: TimestampConverter
  config: {field: updated, target.type: string, format: "yyyy-MM-dd HH:mm:ss", unix.precision: microseconds}
- type: Flatten
  config: {delimiter: _}
- type: InsertHeader
  config: {header: pipeline, value.literal: ünï}
- type: DropHeaders
  config: {headers: secret}
)");
  Record r = Rec(R"({"before":null,"after":{"id":7,"price":"9.90","updated":1700000000123456,)"
                 R"("addr":{"city":"Köln"}},"source":{"table":"orders","lsn":1},"op":"c"})",
                 R"({"id":7})");
  r.headers.push_back({"secret", "x"});
  testing::Output out = RunBatch(chain, {std::move(r)});
  ASSERT_TRUE(out.failures.empty()) << out.failures[0].error.message();
  ASSERT_EQ(out.records.size(), 1u);
  const Record& o = out.records[0];
  EXPECT_EQ(*o.value,
            R"({"id":"7","price":9.9,"updated":"2023-11-14 22:13:20","addr_city":"Köln"})");
  EXPECT_EQ(*o.key, R"({"id":7})");
  EXPECT_EQ(HeaderValue(o, "cdc-op"), "c");
  EXPECT_EQ(HeaderValue(o, "cdc-table"), "orders");
  EXPECT_EQ(HeaderValue(o, "pipeline"), "ünï");
  EXPECT_EQ(HeaderValue(o, "secret"), "<none>");
}

TEST(StandardTransforms, OutboxEventsFanOutToSeveralTopics) {
  const TransformChain chain = BuildOk(R"(
- type: EventRouter
  config: {table.expand.json.payload: true}
)");
  const auto event = [](const std::string& type, const std::string& id) {
    return Rec(R"({"before":null,"after":{"id":")" + id + R"(","aggregatetype":")" + type +
                   R"(","aggregateid":"a-)" + id + R"(","payload":"{\"n\":)" + id +
                   R"(}"},"op":"c","ts_ms":1700000000000})",
               std::nullopt, "pg.public.outbox");
  };
  testing::Output out =
      RunBatch(chain, {event("Order", "1"), event("Customer", "2"), event("Order", "3"),
                       Rec(std::nullopt, R"({"id":"1"})", "pg.public.outbox")});
  ASSERT_TRUE(out.failures.empty());
  ASSERT_EQ(out.records.size(), 3u);
  EXPECT_EQ(out.records[0].topic, "outbox.event.Order");
  EXPECT_EQ(out.records[1].topic, "outbox.event.Customer");
  EXPECT_EQ(out.records[2].topic, "outbox.event.Order");
  EXPECT_EQ(*out.records[1].value, R"({"n":2})");
  EXPECT_EQ(*out.records[1].key, R"("a-2")");
  EXPECT_EQ(HeaderValue(out.records[2], "id"), "3");
}

TEST(StandardTransforms, FailuresNameTheEntryFieldAndValue) {
  const TransformChain chain = BuildOk(R"(
- type: ExtractField
  config: {field: after}
- type: Cast
  config: {spec: {qty: int32}}
)");
  testing::Output out = RunBatch(chain, {Rec(R"({"after":{"qty":"three"}})")});
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_EQ(out.failures[0].error.message(),
            R"(transforms[1] (Cast): Cast: field 'qty': cannot cast "three" to int32)");
  ASSERT_EQ(out.rejected.size(), 1u);
  EXPECT_EQ(*out.rejected[0].value, R"({"after":{"qty":"three"}})");  // the original bytes
}

}  // namespace
}  // namespace rivven::transforms
