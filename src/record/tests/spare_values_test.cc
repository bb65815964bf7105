#include "record/spare_values.h"

#include <gtest/gtest.h>

namespace rivven {
namespace {

Record WithValue(size_t bytes) {
  Record r;
  r.value = std::string(bytes, 'v');
  return r;
}

TEST(SpareValuesTest, TakeReturnsAnEmptyStringWithTheKeptCapacity) {
  SpareValues spare;
  std::vector<Record> spent;
  spent.push_back(WithValue(600));
  const char* buffer = spent[0].value->data();
  spare.Keep(spent);
  EXPECT_FALSE(spent[0].value.has_value());
  ASSERT_EQ(spare.size(), 1u);
  std::string s = spare.Take();
  EXPECT_TRUE(s.empty());
  EXPECT_GE(s.capacity(), 600u);
  EXPECT_EQ(s.data(), buffer);  // the same allocation, not a copy
  EXPECT_EQ(spare.size(), 0u);
  EXPECT_TRUE(spare.Take().empty());  // nothing kept: a plain empty string
}

TEST(SpareValuesTest, KeepsAtMostMaxKeptAndSkipsNullShortAndHugeValues) {
  SpareValues spare(/*max_kept=*/2, /*max_capacity=*/1000);
  std::vector<Record> spent;
  spent.push_back(Record{});        // null value
  spent.push_back(WithValue(4));    // lives inside the string object
  spent.push_back(WithValue(5000)); // larger than max_capacity: dropped with the record
  spent.push_back(WithValue(100));
  spent.push_back(WithValue(200));
  spent.push_back(WithValue(300));  // over max_kept
  spare.Keep(spent);
  EXPECT_EQ(spare.size(), 2u);
  EXPECT_EQ(*spent[1].value, "vvvv");
  EXPECT_EQ(spent[2].value->size(), 5000u);
  EXPECT_FALSE(spent[3].value.has_value());
  EXPECT_FALSE(spent[4].value.has_value());
  EXPECT_EQ(spent[5].value->size(), 300u);
}

}  // namespace
}  // namespace rivven
