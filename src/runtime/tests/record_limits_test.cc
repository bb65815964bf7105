#include "runtime/record_limits.h"

#include <gtest/gtest.h>
#include "connectors/tests/collecting_errors.h"

namespace rivven {
namespace {

Record Rec(size_t value_bytes, std::string key = "", std::string topic = "") {
  Record r;
  if (!key.empty()) r.key = std::move(key);
  r.value = std::string(value_bytes, 'v');
  r.topic = std::move(topic);
  return r;
}

ConsumedRecord Consumed(size_t value_bytes, int64_t offset) {
  ConsumedRecord c;
  c.record = Rec(value_bytes);
  c.topic = "orders";
  c.partition = 2;
  c.offset = Offset(offset);
  return c;
}

using Collecting = ::rivven::testing::CollectingErrors;

class RecordingSink final : public Sink {
 public:
  Status Open() override { return Status::Ok(); }
  Status Write(const std::vector<ConsumedRecord>& records) override {
    std::vector<int64_t> offsets;
    for (const auto& r : records) offsets.push_back(r.offset.value());
    writes.push_back(offsets);
    return fail_at_write == writes.size() ? Status::Unavailable("down") : Status::Ok();
  }
  Status Flush() override { return Status::Ok(); }
  std::vector<std::vector<int64_t>> writes;
  size_t fail_at_write = 0;
};

TEST(RecordLimitsTest, PayloadCountsKeyValueAndHeaders) {
  Record r = Rec(10, "abc", "some-topic");
  r.headers.push_back({"h1", "12345"});
  EXPECT_EQ(PayloadBytes(r), 10u + 3 + 2 + 5);  // the topic name is not payload
  EXPECT_EQ(PayloadBytes(Record{}), 0u);
}

TEST(RecordLimitsTest, OversizedSourceRecordsAreRejectedWithTheirBytesAndTheRestKeepOrder) {
  std::vector<Record> records;
  records.push_back(Rec(100, "a"));
  records.push_back(Rec(2000, "b", "routed"));
  records.push_back(Rec(1023, "c"));  // 1024 bytes with its key: at the limit, kept
  records.push_back(Rec(1024, "d"));  // 1025: over
  Collecting handler;
  ASSERT_TRUE(RejectOversized(records, 1024, "lines", "{\"line\":7}", handler).ok());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(*records[0].key, "a");
  EXPECT_EQ(*records[1].key, "c");
  ASSERT_EQ(handler.rejected.size(), 2u);
  EXPECT_EQ(handler.rejected[0].reason,
            "record of 2001 bytes is over settings.limits.max_record_bytes (1024), for topic "
            "'routed'");
  EXPECT_EQ(*handler.rejected[0].key, "b");
  EXPECT_EQ(handler.rejected[0].value->size(), 2000u);  // the original bytes, for a DLQ
  EXPECT_EQ(handler.rejected[0].position, "{\"line\":7}");
  EXPECT_EQ(handler.rejected[1].reason,
            "record of 1025 bytes is over settings.limits.max_record_bytes (1024), for topic "
            "'lines'");
}

TEST(RecordLimitsTest, AFailingPolicyStopsAtTheFirstOversizedRecord) {
  std::vector<Record> records;
  records.push_back(Rec(5000));
  records.push_back(Rec(6000));
  Collecting failing(/*fail=*/true);
  const Status s = RejectOversized(records, 1024, "lines", "p", failing);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("record of 5000 bytes"), std::string::npos) << s.message();
  EXPECT_EQ(failing.rejected.size(), 1u);
}

TEST(RecordLimitsTest, OversizedConsumedRecordsNameTheirTopicPartitionAndOffset) {
  std::vector<ConsumedRecord> records = {Consumed(10, 40), Consumed(5000, 41), Consumed(10, 42)};
  Collecting handler;
  ASSERT_TRUE(RejectOversized(records, 1024, handler).ok());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].offset.value(), 40);
  EXPECT_EQ(records[1].offset.value(), 42);
  ASSERT_EQ(handler.rejected.size(), 1u);
  EXPECT_EQ(handler.rejected[0].reason,
            "record of 5000 bytes is over settings.limits.max_record_bytes (1024), at orders/2/41");
  EXPECT_EQ(handler.rejected[0].position, "orders/2/41");
}

TEST(RecordLimitsTest, SplitByBytesCutsRunsAtTheLimitAndKeepsAnOversizedRecordAlone) {
  EXPECT_TRUE(SplitByBytes({}, 100).empty());
  std::vector<ConsumedRecord> small = {Consumed(10, 0), Consumed(10, 1)};
  EXPECT_EQ(SplitByBytes(small, 100), (std::vector<size_t>{2}));
  std::vector<ConsumedRecord> mixed = {Consumed(60, 0), Consumed(40, 1), Consumed(1, 2),
                                       Consumed(500, 3), Consumed(30, 4)};
  // 60+40 = 100 fits; +1 would not; 1 then 500 would not; 500 alone; then 30.
  EXPECT_EQ(SplitByBytes(mixed, 100), (std::vector<size_t>{2, 3, 4, 5}));
}

TEST(RecordLimitsTest, WriteInRunsWritesEachRunInOrderAndGivesTheRecordsBack) {
  std::vector<ConsumedRecord> records = {Consumed(60, 0), Consumed(60, 1), Consumed(60, 2)};
  RecordingSink sink;
  ASSERT_TRUE(WriteInRuns(sink, records, 130).ok());
  EXPECT_EQ(sink.writes, (std::vector<std::vector<int64_t>>{{0, 1}, {2}}));
  ASSERT_EQ(records.size(), 3u);
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].offset.value(), static_cast<int64_t>(i));
    EXPECT_EQ(records[i].record.value->size(), 60u);
  }
  RecordingSink failing;
  failing.fail_at_write = 1;
  EXPECT_FALSE(WriteInRuns(failing, records, 130).ok());
  EXPECT_EQ(failing.writes.size(), 1u);  // nothing after a failed write
}

TEST(RecordLimitsTest, PollSizeAimsAtTheByteLimitAndRecoversSlowly) {
  PollSize size(1 << 20);
  EXPECT_EQ(size.Records(8192), 8192u);       // nothing seen yet
  size.Observe(10, 10 * 100);                 // 100-byte records: 10485 fit, the count rules
  EXPECT_EQ(size.Records(8192), 8192u);
  size.Observe(4, 4 * (512 << 10));           // half-MiB records: 2 fit
  EXPECT_EQ(size.Records(8192), 2u);
  size.Observe(100, 100 * 100);               // small again: the average comes down gradually
  EXPECT_LT(size.Records(8192), 8192u);
  EXPECT_GE(size.Records(8192), 2u);
  PollSize tiny(1000);
  tiny.Observe(1, 5000);                      // records larger than the limit: one at a time
  EXPECT_EQ(tiny.Records(8192), 1u);
}

}  // namespace
}  // namespace rivven
