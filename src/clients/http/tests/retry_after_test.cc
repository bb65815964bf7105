// Retry-After: delta-seconds and HTTP dates.
#include "clients/http/retry_after.h"

#include <gtest/gtest.h>

namespace rivven::http {
namespace {

TEST(RetryAfterTest, SecondsAndDatesBecomeDelays) {
  const auto now = std::chrono::system_clock::from_time_t(1445412480);  // 2015-10-21 07:28:00
  EXPECT_EQ(ParseRetryAfter("120", now), std::chrono::milliseconds(120000));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), std::chrono::milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now), std::chrono::milliseconds(30000));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now), std::chrono::milliseconds(0));
  EXPECT_FALSE(ParseRetryAfter("soon", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("-1", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("", now).has_value());
  EXPECT_EQ(ParseRetryAfter("99999999999", now), std::chrono::milliseconds(999999999LL * 1000));
}

// Found by fuzzing (tests/fuzz/corpus/http_response/retry_after_year_6823): a date past 2262
// overflowed the conversion to the clock's nanoseconds (undefined behaviour). Far dates are now
// the longest delay, as for a huge number of seconds.
TEST(RetryAfterTest, FarFutureDatesAreTheLongestDelay) {
  const auto now = std::chrono::system_clock::from_time_t(1445412480);  // 2015-10-21 07:28:00
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 6823 07:28:00 GMT", now),
            std::chrono::milliseconds(999999999LL * 1000));
  EXPECT_EQ(ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now),
            std::chrono::milliseconds(999999999LL * 1000));
  EXPECT_EQ(ParseRetryAfter("Mon, 01 Jan 1 00:00:00 GMT", now), std::chrono::milliseconds(0));
  // Sub-second clocks: a date within the current second is no wait, not a negative one.
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now + std::chrono::milliseconds(400)),
            std::chrono::milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:01 GMT", now + std::chrono::milliseconds(400)),
            std::chrono::milliseconds(600));
}

}  // namespace
}  // namespace rivven::http
