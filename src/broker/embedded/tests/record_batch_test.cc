#include "broker/embedded/record_batch.h"

#include <cstring>

#include <gtest/gtest.h>

#include "broker/embedded/crc32c.h"
#include "broker/embedded/tests/test_util.h"

namespace rivven::embedded {
namespace {

std::vector<Record> Sample() {
  std::vector<Record> recs(4);
  recs[0].key = "k0";
  recs[0].value = "{\"n\":0}";
  recs[0].timestamp_ms = 1700000000123;
  recs[1].key = std::nullopt;  // null key
  recs[1].value = std::string("bin\0ary\xff", 8);
  recs[1].timestamp_ms = 1700000000000;  // earlier than the first: negative delta
  recs[1].headers = {{"h1", "v1"}, {"empty", ""}};
  recs[2].key = "";                       // empty, not null
  recs[2].value = std::nullopt;           // tombstone
  recs[2].timestamp_ms = 0;               // gets the append time
  recs[3].value = std::string(300, 'x');  // multi-byte varint lengths
  recs[3].timestamp_ms = 1700000009999;
  return recs;
}

TEST(RecordBatchTest, RoundTripKeepsKeysValuesNullsHeadersAndTimestamps) {
  const auto recs = Sample();
  std::string buf;
  EncodeBatch(std::span<const Record>(recs), /*append_time=*/1700000005555, &buf);
  SetBaseOffset(buf.data(), 42);

  BatchHeader h;
  std::string why;
  ASSERT_EQ(ParseBatchHeader(buf.data(), buf.size(), &h, &why), FrameStatus::kOk) << why;
  EXPECT_EQ(h.base_offset, 42);
  EXPECT_EQ(h.magic, 2);
  EXPECT_EQ(h.record_count, 4);
  EXPECT_EQ(h.last_offset(), 45);
  EXPECT_EQ(h.total_size(), buf.size());
  EXPECT_EQ(h.base_timestamp, 1700000000123);
  EXPECT_EQ(h.max_timestamp, 1700000009999);
  EXPECT_EQ(ComputeBatchCrc(buf.data(), h), h.crc);

  std::vector<ConsumedRecord> out;
  Offset next;
  ASSERT_TRUE(DecodeBatch(buf.data(), h, Offset(0), 100, "t", 3, &out, &next).ok());
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(next, Offset(46));
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].topic, "t");
    EXPECT_EQ(out[i].partition, 3);
    EXPECT_EQ(out[i].offset, Offset(42 + static_cast<int64_t>(i)));
    EXPECT_EQ(out[i].record.key, recs[i].key) << i;
    EXPECT_EQ(out[i].record.value, recs[i].value) << i;
    ASSERT_EQ(out[i].record.headers.size(), recs[i].headers.size());
    for (size_t j = 0; j < recs[i].headers.size(); ++j) {
      EXPECT_EQ(out[i].record.headers[j].key, recs[i].headers[j].key);
      EXPECT_EQ(out[i].record.headers[j].value, recs[i].headers[j].value);
    }
  }
  EXPECT_EQ(out[0].record.timestamp_ms, 1700000000123);
  EXPECT_EQ(out[1].record.timestamp_ms, 1700000000000);
  EXPECT_EQ(out[2].record.timestamp_ms, 1700000005555);
  EXPECT_EQ(out[3].record.timestamp_ms, 1700000009999);
}

// The fixed layout of Kafka's RecordBatch v2 (DefaultRecordBatch), byte by byte.
TEST(RecordBatchTest, HeaderLayoutIsKafkaV2) {
  std::vector<Record> recs(1);
  recs[0].key = "k";
  recs[0].value = "v";
  recs[0].timestamp_ms = 0x0102030405;
  std::string b;
  EncodeBatch(std::span<const Record>(recs), 1, &b);
  SetBaseOffset(b.data(), 0x0A0B);
  auto u8 = [&](size_t i) { return static_cast<uint8_t>(b[i]); };
  EXPECT_EQ(u8(6), 0x0A);  // baseOffset, big-endian
  EXPECT_EQ(u8(7), 0x0B);
  const uint32_t length = (u8(8) << 24) | (u8(9) << 16) | (u8(10) << 8) | u8(11);
  EXPECT_EQ(length, b.size() - 12);
  EXPECT_EQ(u8(16), 2);  // magic
  const uint32_t crc = (u8(17) << 24) | (u8(18) << 16) | (u8(19) << 8) | u8(20);
  EXPECT_EQ(crc, Crc32c(b.data() + 21, b.size() - 21));  // CRC-32C over attributes..end
  EXPECT_EQ(u8(21), 0);                                  // attributes: no compression, CreateTime
  EXPECT_EQ(u8(22), 0);
  for (size_t i = 23; i < 27; ++i) EXPECT_EQ(u8(i), 0) << i;  // lastOffsetDelta = 0
  EXPECT_EQ(u8(30), 0x01);                                    // baseTimestamp 0x0102030405
  EXPECT_EQ(u8(34), 0x05);
  for (size_t i = 43; i < 57; ++i) EXPECT_EQ(u8(i), 0xFF) << i;  // producerId/epoch/sequence -1
  EXPECT_EQ(u8(60), 1);                                          // record count
  // The record: length 8 (zigzag 0x10), attributes 0, timestampDelta 0, offsetDelta 0,
  // key length 1 (zigzag 0x02) "k", value length 1 "v", 0 headers.
  EXPECT_EQ(b.substr(61), std::string("\x10\x00\x00\x00\x02k\x02v\x00", 9));
}

TEST(RecordBatchTest, DecodeFromAMiddleOffsetUpToMax) {
  const auto recs = testing::MakeRecords(10);
  std::string buf;
  EncodeBatch(std::span<const Record>(recs), 1, &buf);
  SetBaseOffset(buf.data(), 100);
  BatchHeader h;
  std::string why;
  ASSERT_EQ(ParseBatchHeader(buf.data(), buf.size(), &h, &why), FrameStatus::kOk);
  std::vector<ConsumedRecord> out;
  Offset next;
  ASSERT_TRUE(DecodeBatch(buf.data(), h, Offset(103), 4, "t", 0, &out, &next).ok());
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out.front().offset, Offset(103));
  EXPECT_EQ(*out.front().record.value, "v3");
  EXPECT_EQ(next, Offset(107));  // stopped by max: the next call continues here
  out.clear();
  ASSERT_TRUE(DecodeBatch(buf.data(), h, next, 100, "t", 0, &out, &next).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(*out.back().record.value, "v9");
  EXPECT_EQ(next, Offset(110));
}

TEST(RecordBatchTest, CrcMismatchIsDetected) {
  const auto recs = testing::MakeRecords(5);
  std::string buf;
  EncodeBatch(std::span<const Record>(recs), 1, &buf);
  BatchHeader h;
  std::string why;
  ASSERT_EQ(ParseBatchHeader(buf.data(), buf.size(), &h, &why), FrameStatus::kOk);
  ASSERT_EQ(ComputeBatchCrc(buf.data(), h), h.crc);
  // Every byte the CRC covers matters; the base offset (outside it) does not.
  for (size_t i = kAttributesOffset; i < buf.size(); i += 7) {
    std::string bad = buf;
    bad[i] ^= 0x01;
    BatchHeader bh;
    if (ParseBatchHeader(bad.data(), bad.size(), &bh, &why) != FrameStatus::kOk) continue;
    EXPECT_NE(ComputeBatchCrc(bad.data(), bh), bh.crc) << "flipped byte " << i;
  }
  SetBaseOffset(buf.data(), 999);
  ASSERT_EQ(ParseBatchHeader(buf.data(), buf.size(), &h, &why), FrameStatus::kOk);
  EXPECT_EQ(ComputeBatchCrc(buf.data(), h), h.crc);
}

TEST(RecordBatchTest, FramingReportsIncompleteAndInvalid) {
  const auto recs = testing::MakeRecords(3);
  std::string buf;
  EncodeBatch(std::span<const Record>(recs), 1, &buf);
  BatchHeader h;
  std::string why;
  EXPECT_EQ(ParseBatchHeader(buf.data(), 30, &h, &why), FrameStatus::kIncomplete);
  EXPECT_EQ(ParseBatchHeader(buf.data(), buf.size() - 1, &h, &why), FrameStatus::kIncomplete);
  std::string bad_magic = buf;
  bad_magic[16] = 1;
  EXPECT_EQ(ParseBatchHeader(bad_magic.data(), bad_magic.size(), &h, &why), FrameStatus::kInvalid);
  EXPECT_NE(why.find("magic"), std::string::npos);
  std::string bad_length = buf;
  bad_length[8] = '\x7f';  // ~2 GB
  EXPECT_EQ(ParseBatchHeader(bad_length.data(), bad_length.size(), &h, &why),
            FrameStatus::kInvalid);
}

TEST(RecordBatchTest, MalformedRecordsWithAValidCrcAreCorruption) {
  const auto recs = testing::MakeRecords(2);
  std::string buf;
  EncodeBatch(std::span<const Record>(recs), 1, &buf);
  // Claim a huge value length in the first record, then fix the CRC so only decoding can tell.
  buf[61 + 5] = '\x7e';
  const uint32_t crc = Crc32c(buf.data() + 21, buf.size() - 21);
  for (int i = 0; i < 4; ++i) buf[17 + i] = static_cast<char>(crc >> (24 - 8 * i));
  BatchHeader h;
  std::string why;
  ASSERT_EQ(ParseBatchHeader(buf.data(), buf.size(), &h, &why), FrameStatus::kOk);
  std::vector<ConsumedRecord> out;
  Offset next;
  EXPECT_EQ(DecodeBatch(buf.data(), h, Offset(0), 10, "t", 0, &out, &next).code(),
            StatusCode::kCorruption);
}

TEST(RecordBatchTest, EncodedRecordBoundIsAnUpperBound) {
  auto recs = Sample();
  for (const auto& r : recs) {
    std::string one;
    const Record* p = &r;
    EncodeBatch(std::span<const Record* const>(&p, 1), 1, &one);
    EXPECT_LE(one.size() - kBatchHeaderSize, EncodedRecordBound(r));
  }
}

}  // namespace
}  // namespace rivven::embedded
