#include "record/partitioner.h"

#include <string>

#include <gtest/gtest.h>

namespace rivven {
namespace {

// Expected values from Kafka's UtilsTest.testMurmur2 (clients/src/test/java/org/apache/kafka/
// common/utils/UtilsTest.java).
TEST(PartitionerTest, Murmur2MatchesKafkaUtilsTest) {
  EXPECT_EQ(Murmur2("21"), -973932308);
  EXPECT_EQ(Murmur2("foobar"), -790332482);
  EXPECT_EQ(Murmur2("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(Murmur2("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(Murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  const char abc[] = {'a', 'b', 'c'};
  EXPECT_EQ(Murmur2(std::string_view(abc, 3)), 479470107);
}

// Every tail length (0..3 trailing bytes), from an independent Kafka-compatible test suite.
TEST(PartitionerTest, Murmur2CoversEveryTailLength) {
  EXPECT_EQ(Murmur2("1"), -1993445489);
  EXPECT_EQ(Murmur2("12"), 126087238);
  EXPECT_EQ(Murmur2("123"), -267702483);
  EXPECT_EQ(Murmur2("1234"), -1614185708);
  EXPECT_EQ(Murmur2("12345"), -1188365604);
}

TEST(PartitionerTest, Murmur2HashesBytesNotCharacters) {
  // Bytes >= 0x80 must be taken unsigned, as Java's `& 0xff` does.
  const std::string high("\xff\xfe\x80", 3);
  const std::string with_nul("a\0b", 3);
  EXPECT_NE(Murmur2(high), Murmur2("abc"));
  EXPECT_NE(Murmur2(with_nul), Murmur2("ab"));
  EXPECT_EQ(Murmur2(with_nul), Murmur2(std::string("a\0b", 3)));
}

// (murmur2 & 0x7fffffff) % partitions, computed from the verified hashes above.
TEST(PartitionerTest, PartitionForKeyIsToPositiveModulo) {
  EXPECT_EQ(PartitionForKey("21", 3), 0);                          // -973932308
  EXPECT_EQ(PartitionForKey("foobar", 12), 6);                     // -790332482
  EXPECT_EQ(PartitionForKey("a-little-bit-longer-string", 7), 0);  // -1486304829
  EXPECT_EQ(PartitionForKey("abc", 7), 4);                         // 479470107
  EXPECT_EQ(PartitionForKey("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 12), 5);
  EXPECT_EQ(PartitionForKey("12", 3), 1);  // 126087238
  for (int32_t n = 1; n <= 16; ++n) {
    const int32_t p = PartitionForKey("any key", n);
    EXPECT_GE(p, 0);
    EXPECT_LT(p, n);
  }
  EXPECT_EQ(PartitionForKey("anything", 1), 0);
}

}  // namespace
}  // namespace rivven
