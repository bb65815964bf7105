// Object keys and time folders of the s3 sink: pure functions, no network.
#include "connectors/s3/s3_object_key.h"

#include <gtest/gtest.h>

namespace rivven::s3 {
namespace {

// 2024-02-29T23:59:58.123Z, a leap day just before midnight.
constexpr int64_t kLeapNight = 1709251198123;

TEST(S3ObjectKeyTest, TimeBucketsAreUtcHourDayAndMonthStarts) {
  EXPECT_EQ(TimeBucketOf(PartitionBy::kNone, kLeapNight), 0);
  EXPECT_EQ(TimeBucketOf(PartitionBy::kHour, kLeapNight), 1709247600000);   // 23:00
  EXPECT_EQ(TimeBucketOf(PartitionBy::kDay, kLeapNight), 1709164800000);    // 2024-02-29
  EXPECT_EQ(TimeBucketOf(PartitionBy::kMonth, kLeapNight), 1706745600000);  // 2024-02-01
  EXPECT_EQ(TimeFolder(PartitionBy::kHour, TimeBucketOf(PartitionBy::kHour, kLeapNight)),
            "dt=2024-02-29/hour=23");
  EXPECT_EQ(TimeFolder(PartitionBy::kDay, TimeBucketOf(PartitionBy::kDay, kLeapNight)),
            "dt=2024-02-29");
  EXPECT_EQ(TimeFolder(PartitionBy::kMonth, TimeBucketOf(PartitionBy::kMonth, kLeapNight)),
            "dt=2024-02");
  EXPECT_EQ(TimeFolder(PartitionBy::kNone, 0), "");
  // Before the epoch: floor, not truncation toward zero.
  EXPECT_EQ(TimeFolder(PartitionBy::kHour, TimeBucketOf(PartitionBy::kHour, -1)),
            "dt=1969-12-31/hour=23");
  // Two seconds later it is March.
  EXPECT_EQ(TimeFolder(PartitionBy::kMonth, TimeBucketOf(PartitionBy::kMonth, kLeapNight + 2000)),
            "dt=2024-03");
}

TEST(S3ObjectKeyTest, KeysNameTopicPartitionAndFirstOffset) {
  S3SinkConfig c;
  c.prefix = "events/raw";
  c.partition_by = PartitionBy::kDay;
  c.format = ObjectFormat::kJsonl;
  c.compression = formats::Compression::kGzip;
  EXPECT_EQ(ObjectKey(c, "orders", 3, TimeBucketOf(PartitionBy::kDay, kLeapNight), Offset(42)),
            "events/raw/orders/dt=2024-02-29/orders+3+00000000000000000042.jsonl.gz");
  c.prefix.clear();
  c.partition_by = PartitionBy::kNone;
  c.format = ObjectFormat::kParquet;
  c.compression = formats::Compression::kZstd;  // pages, not the file
  EXPECT_EQ(ObjectKey(c, "a/b c", 0, 0, Offset(0)),
            "a%2Fb%20c/a%2Fb%20c+0+00000000000000000000.parquet");
  c.format = ObjectFormat::kCsv;
  c.compression = formats::Compression::kSnappy;
  EXPECT_EQ(ObjectKey(c, "t", 1, 0, Offset(9223372036854775807)),
            "t/t+1+09223372036854775807.csv.sz");
  // Sorting keys sorts by offset.
  EXPECT_LT(ObjectKey(c, "t", 1, 0, Offset(99)), ObjectKey(c, "t", 1, 0, Offset(100)));
}

TEST(S3ObjectKeyTest, ContentTypesFollowFormatAndCompression) {
  EXPECT_EQ(ObjectContentType(ObjectFormat::kJsonl, formats::Compression::kNone),
            "application/x-ndjson");
  EXPECT_EQ(ObjectContentType(ObjectFormat::kCsv, formats::Compression::kNone), "text/csv");
  EXPECT_EQ(ObjectContentType(ObjectFormat::kJson, formats::Compression::kGzip), "application/gzip");
  EXPECT_EQ(ObjectContentType(ObjectFormat::kParquet, formats::Compression::kZstd),
            "application/vnd.apache.parquet");
}

}  // namespace
}  // namespace rivven::s3
