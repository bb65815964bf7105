#include "base/status.h"

#include <cerrno>

#include <gtest/gtest.h>

namespace rivven {
namespace {

Result<int> Half(int v) {
  if (v % 2 != 0) return Status::InvalidArgument("odd value " + std::to_string(v));
  return v / 2;
}

Status Quarter(int v, int* out) {
  RC_ASSIGN_OR_RETURN(int h, Half(v));
  RC_ASSIGN_OR_RETURN(int q, Half(h));
  *out = q;
  return Status::Ok();
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorsCarryDispositionAndContext) {
  Status s = Status::Unavailable("peer down").WithContext("connecting to db");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.retriable());
  EXPECT_EQ(s.message(), "connecting to db: peer down");
  EXPECT_FALSE(Status::InvalidArgument("x").retriable());
}

TEST(StatusTest, DiskFullIsResourceExhausted) {
  Status s = Status::FromErrno(ENOSPC, "appending to segment");
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(s.message().find("No space left"), std::string::npos);
}

TEST(StatusTest, AssignOrReturnPropagates) {
  int out = 0;
  EXPECT_TRUE(Quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  Status s = Quarter(6, &out);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "odd value 3");
}

}  // namespace
}  // namespace rivven
