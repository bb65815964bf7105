#include "base/redaction.h"

#include <gtest/gtest.h>

namespace rivven::redaction {
namespace {

class RedactionTest : public ::testing::Test {
 protected:
  void SetUp() override { ResetForTesting(); }
  void TearDown() override { ResetForTesting(); }
};

TEST_F(RedactionTest, NothingRegisteredLeavesTextAlone) {
  EXPECT_FALSE(Active());
  EXPECT_EQ(Scrub("password hunter22"), "password hunter22");
}

TEST_F(RedactionTest, EveryOccurrenceIsMasked) {
  RegisterSecret("hunter22");
  EXPECT_TRUE(Active());
  EXPECT_EQ(Scrub("auth hunter22 failed for hunter22!"), "auth *** failed for ***!");
}

TEST_F(RedactionTest, LongerValuesAreMaskedWhole) {
  RegisterSecret("abcd");
  RegisterSecret("xxabcdxx");
  EXPECT_EQ(Scrub("[xxabcdxx] [abcd]"), "[***] [***]");
}

TEST_F(RedactionTest, JsonEscapedAndPercentEncodedFormsAreMasked) {
  RegisterSecret("p\"w/d ok");
  EXPECT_EQ(Scrub(R"({"msg":"p\"w/d ok"})"), R"({"msg":"***"})");
  EXPECT_EQ(Scrub("https://h/?password=p%22w%2Fd%20ok&x=1"), "https://h/?password=***&x=1");
}

TEST_F(RedactionTest, ShortValuesAreNotRegistered) {
  RegisterSecret("abc");
  EXPECT_FALSE(Active());
  EXPECT_EQ(Scrub("abc"), "abc");
}

TEST_F(RedactionTest, MaskIsNotRescannedIntoALoop) {
  RegisterSecret("****");
  EXPECT_EQ(Scrub("a********b"), "a******b");
}

}  // namespace
}  // namespace rivven::redaction
