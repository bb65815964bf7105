#include <gtest/gtest.h>

#include "transforms/tests/chain_test_util.h"

namespace rivven::transforms {
namespace {

using testing::BuildErrors;
using testing::BuildOk;
using testing::One;

TEST(MaskField, EveryTypeGetsItsTypedZero) {
  TransformChain chain = BuildOk(R"(
- type: MaskField
  config:
    fields: [s, i, d, t, f, o, a, n, missing]
)");
  EXPECT_EQ(One(chain, R"({"s":"4111-1111","i":-42,"d":3.75,"t":true,"f":false,)"
                       R"("o":{"x":1},"a":[1,2],"n":null,"keep":"me"})"),
            R"({"s":"*********","i":0,"d":0.0,"t":false,"f":false,"o":{},"a":[],"n":null,)"
            R"("keep":"me"})");
}

TEST(MaskField, StringsKeepTheirLengthInCharacters) {
  TransformChain chain = BuildOk(R"(
- type: MaskField
  config: {fields: [name, empty], mask_char: "X"}
)");
  EXPECT_EQ(One(chain, R"({"name":"Zoë Ångström 日本 🎉","empty":""})"),
            R"({"name":"XXXXXXXXXXXXXXXXX","empty":""})");
  // Escapes in the input are characters too.
  EXPECT_EQ(One(chain, R"({"name":"a\u00e9\n"})"), R"({"name":"XXX"})");
}

TEST(MaskField, MultiByteMaskCharacter) {
  TransformChain chain = BuildOk(R"(
- type: MaskField
  config: {fields: [pin], mask_char: "•"}
)");
  EXPECT_EQ(One(chain, R"({"pin":"1234"})"), R"({"pin":"••••"})");
}

TEST(MaskField, NestedPathsAndMissingParents) {
  TransformChain chain = BuildOk(R"(
- type: MaskField
  config: {fields: [customer.card.number, customer.email, order.id]}
)");
  EXPECT_EQ(One(chain, R"({"customer":{"email":"a@b.c","card":{"number":"4111","cvv":"1"}}})"),
            R"({"customer":{"email":"*****","card":{"number":"****","cvv":"1"}}})");
  EXPECT_EQ(One(chain, R"({"customer":"flat string","order":null})"),
            R"({"customer":"flat string","order":null})");
}

TEST(MaskField, ReplacementForEveryType) {
  TransformChain chain = BuildOk(R"(
- type: MaskField
  config: {fields: [s, i, o, n], replacement: "<redacted>"}
)");
  EXPECT_EQ(One(chain, R"({"s":"secret","i":5,"o":{"a":1},"n":null})"),
            R"({"s":"<redacted>","i":"<redacted>","o":"<redacted>","n":null})");
}

TEST(MaskField, TombstonesPassAndNonObjectsFail) {
  TransformChain chain = BuildOk("- {type: MaskField, config: {fields: [a]}}\n");
  EXPECT_EQ(One(chain, std::nullopt), "<null>");
  EXPECT_EQ(One(chain, "null"), "null");
  EXPECT_EQ(One(chain, R"("a")"),
            "<failed: transforms[0] (MaskField): value is a string, not a JSON object>");
  // A record without the field is not re-serialized.
  EXPECT_EQ(One(chain, R"({ "b" : 1 })"), R"({ "b" : 1 })");
}

TEST(MaskField, ConfigErrors) {
  EXPECT_EQ(BuildErrors("- {type: MaskField, config: {fields: [a], mask_char: \"\"}}\n"),
            "pipeline.yaml:1:54: error: sources.db.transforms[0].config.mask_char: must be "
            "exactly one character, got ''\n");
  EXPECT_EQ(BuildErrors("- {type: MaskField, config: {fields: []}}\n"),
            "pipeline.yaml:1:38: error: sources.db.transforms[0].config.fields: name at least one "
            "field\n");
  EXPECT_EQ(BuildErrors("- {type: MaskField, config: {fields: {a: 1}}}\n"),
            "pipeline.yaml:1:38: error: sources.db.transforms[0].config.fields: expected a list "
            "of strings, got a map\n");
}

}  // namespace
}  // namespace rivven::transforms
