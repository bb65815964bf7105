#include <gtest/gtest.h>

#include "transforms/tests/chain_test_util.h"

namespace rivven::transforms {
namespace {

using testing::BuildErrors;
using testing::BuildOk;
using testing::One;
using testing::Rec;
using testing::RunBatch;

TEST(Filter, KeepMatchingRecords) {
  TransformChain chain = BuildOk(R"(
- type: Filter
  config:
    condition: "value.amount > 100"
)");
  EXPECT_EQ(One(chain, R"({"amount":150})"), R"({"amount":150})");
  EXPECT_EQ(One(chain, R"({"amount":100})"), "<dropped>");
  EXPECT_EQ(One(chain, R"({"amount":null})"), "<dropped>");
  EXPECT_EQ(One(chain, R"({"other":1})"), "<dropped>");        // missing: false
  EXPECT_EQ(One(chain, R"({"amount":"lots"})"), "<dropped>");  // type mismatch: false
  EXPECT_EQ(One(chain, std::nullopt), "<dropped>");
}

TEST(Filter, DropMatchingRecords) {
  TransformChain chain = BuildOk(R"(
- type: Filter
  config:
    condition: "value.customer.country in ['US', 'CA'] || value.test == true"
    action: drop
)");
  testing::Output out = RunBatch(
      chain, {Rec(R"({"customer":{"country":"US"}})"), Rec(R"({"customer":{"country":"FR"}})"),
              Rec(R"({"test":true})"), Rec(R"({})")});
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(*out.records[0].value, R"({"customer":{"country":"FR"}})");
  EXPECT_EQ(*out.records[1].value, "{}");
}

TEST(Filter, SeesTopicAndHeaders) {
  TransformChain chain = BuildOk(R"(
- type: Filter
  config: {condition: "topic == 'orders' && headers.source == 'web'"}
)");
  Record web = Rec("{}");
  web.headers.push_back({"source", "web"});
  Record app = Rec("{}");
  app.headers.push_back({"source", "app"});
  testing::Output out = RunBatch(chain, {std::move(web), std::move(app)});
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(out.records[0].headers[0].value, "web");
}

TEST(Filter, WhenShorthandAndExpressionPredicate) {
  TransformChain chain = BuildOk(R"(
- type: MaskField
  config: {fields: [card]}
  when: "value.country != 'DE'"
- type: InsertField
  config: {static: {vip: true}}
  predicate: {type: Expression, config: {expression: "value.total >= 1000"}}
  negate: true
)");
  EXPECT_EQ(One(chain, R"({"country":"DE","card":"1234","total":5})"),
            R"({"country":"DE","card":"1234","total":5,"vip":true})");
  EXPECT_EQ(One(chain, R"({"country":"US","card":"1234","total":5000})"),
            R"({"country":"US","card":"****","total":5000})");
}

TEST(Filter, ExpressionErrorsGoToDiagnosticsVerbatim) {
  const std::string errors = BuildErrors(R"(
- type: Filter
  config:
    condition: "value.amount >"
)");
  EXPECT_EQ(errors.rfind("pipeline.yaml:4:16: error: sources.db.transforms[0].config.condition: "
                         "syntax error at column ",
                         0),
            0u)
      << errors;
  EXPECT_NE(errors.find("\n  value.amount >\n"), std::string::npos) << errors;
  EXPECT_NE(errors.find("^"), std::string::npos) << errors;

  const std::string when = BuildErrors(R"(
- type: MaskField
  config: {fields: [a]}
  when: "value.a =="
)");
  EXPECT_EQ(when.rfind("pipeline.yaml:4:9: error: sources.db.transforms[0].when: syntax error", 0),
            0u)
      << when;
  EXPECT_NE(BuildErrors(R"(
- type: MaskField
  config: {fields: [a]}
  when: "value.a == 1"
  predicate: {type: RecordIsTombstone}
)")
                .find("transforms[0].when: use either 'predicate' or 'when', not both"),
            std::string::npos);
  EXPECT_EQ(BuildErrors("- {type: Filter, config: {action: drop}}\n"),
            "pipeline.yaml:1:26: error: sources.db.transforms[0].config: missing required key "
            "'condition'\n");
}

}  // namespace
}  // namespace rivven::transforms
