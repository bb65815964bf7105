#include <gtest/gtest.h>

#include "transforms/tests/chain_test_util.h"

namespace rivven::transforms {
namespace {

using testing::BuildErrors;
using testing::BuildOk;
using testing::One;

TEST(ReplaceField, RenameKeepsPositionAndExcludeKeepsOrder) {
  TransformChain chain = BuildOk(R"(
- type: ReplaceField
  config:
    rename:
      old_name: new_name
    exclude: [internal_field]
)");
  EXPECT_EQ(One(chain, R"({"id":1,"old_name":"x","internal_field":true,"z":null})"),
            R"({"id":1,"new_name":"x","z":null})");
  EXPECT_EQ(One(chain, R"({"id":1})"), R"({"id":1})");  // missing fields ignored
}

TEST(ReplaceField, NestedRenameAndExclude) {
  TransformChain chain = BuildOk(R"(
- type: ReplaceField
  config:
    rename:
      customer.email: contact_email
      customer.nm: customer.name
      meta.v: info.meta.version
    exclude: [customer.notes]
)");
  EXPECT_EQ(One(chain, R"({"customer":{"nm":"Ann","email":"a@x","notes":"n"},"meta":{"v":2}})"),
            R"({"customer":{"name":"Ann"},"meta":{},"contact_email":"a@x",)"
            R"("info":{"meta":{"version":2}}})");
}

TEST(ReplaceField, IncludeKeepsOnlyTopLevelFieldsByTheirOldNames) {
  TransformChain chain = BuildOk(R"(
- type: ReplaceField
  config:
    include: [id, amt, customer]
    rename: {amt: amount}
    exclude: [customer.ssn]
)");
  EXPECT_EQ(One(chain, R"({"x":1,"id":7,"customer":{"ssn":"1","n":"a"},"amt":9.5,"y":[]})"),
            R"({"id":7,"customer":{"n":"a"},"amount":9.5})");
}

TEST(ReplaceField, RenameOntoAnExistingFieldReplacesIt) {
  TransformChain chain = BuildOk("- {type: ReplaceField, config: {rename: {a: b}}}\n");
  EXPECT_EQ(One(chain, R"({"b":0,"a":1,"c":2})"), R"({"b":1,"c":2})");
}

TEST(ReplaceField, MoveIntoANonObjectFails) {
  TransformChain chain = BuildOk("- {type: ReplaceField, config: {rename: {a: b.c}}}\n");
  EXPECT_EQ(One(chain, R"({"a":1,"b":"str"})"),
            "<failed: transforms[0] (ReplaceField): cannot rename 'a' to 'b.c': a parent of the "
            "target is not an object>");
}

TEST(ReplaceField, UnicodeNames) {
  TransformChain chain = BuildOk("- {type: ReplaceField, config: {rename: {名前: name}}}\n");
  EXPECT_EQ(One(chain, R"({"名前":"Zoë"})"), R"({"name":"Zoë"})");
}

TEST(ReplaceField, ConfigErrors) {
  EXPECT_EQ(BuildErrors("- {type: ReplaceField, config: {whitelist: [a]}}\n"),
            "pipeline.yaml:1:33: error: sources.db.transforms[0].config.whitelist: unknown key "
            "'whitelist' (known keys: rename, exclude, include)\n");
  EXPECT_EQ(BuildErrors("- {type: ReplaceField, config: {rename: {a: \"\"}}}\n"),
            "pipeline.yaml:1:41: error: sources.db.transforms[0].config.rename: 'a': empty field "
            "path\n");
}

}  // namespace
}  // namespace rivven::transforms
