#pragma once

// A GoogleTest fixture whose test suite shares one TestCa, made once per suite (openssl takes a
// moment per key) and removed after it.
#include <gtest/gtest.h>

#include <string>

#include "support/test_ca.h"

namespace rivven::testing {

class TestCaSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    ca_ = TestCa::Make({}, &error).release();
    ASSERT_NE(ca_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    delete ca_;
    ca_ = nullptr;
  }
  static inline TestCa* ca_ = nullptr;
};

}  // namespace rivven::testing
