#include "broker/embedded/segment.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "broker/embedded/record_batch.h"
#include "broker/embedded/tests/test_util.h"

namespace rivven::embedded {
namespace {

using testing::TempDir;

/// Appends `batches` batches of `per_batch` records of ~100 bytes; returns the next offset.
int64_t Fill(Segment& seg, int64_t next, int batches, int per_batch) {
  for (int b = 0; b < batches; ++b) {
    auto recs = testing::MakeRecords(per_batch, std::string(90, 'x'));
    std::string buf;
    EncodeBatch(std::span<const Record>(recs), 1, &buf);
    SetBaseOffset(buf.data(), next);
    const uint64_t pos = seg.size();
    bool cut_failed = false;
    EXPECT_TRUE(seg.Append(buf.data(), buf.size(), &cut_failed).ok());
    seg.MaybeIndex(Offset(next), pos);
    next += per_batch;
  }
  return next;
}

TEST(SegmentTest, FileNamesAreTwentyDigitBaseOffsets) {
  EXPECT_EQ(Segment::FileName(Offset(42), ".log"), "00000000000000000042.log");
  EXPECT_EQ(Segment::ParseLogFileName("00000000000000000042.log"), 42);
  EXPECT_EQ(Segment::ParseLogFileName("00000000000000000042.index"), -1);
  EXPECT_EQ(Segment::ParseLogFileName("0000000000000000004x.log"), -1);
  EXPECT_EQ(Segment::ParseLogFileName("42.log"), -1);
}

TEST(SegmentTest, ScanValidatesEveryBatchAndBuildsASparseIndex) {
  TempDir dir;
  auto seg = Segment::Create(dir.path(), Offset(1000));
  ASSERT_TRUE(seg.ok()) << seg.status().ToString();
  const int64_t next = Fill(**seg, 1000, 200, 5);  // ~100 KB in ~500-byte batches
  auto scan = (*seg)->Scan(0, Offset(1000));
  ASSERT_TRUE(scan.ok());
  EXPECT_TRUE(scan->problem.empty()) << scan->problem;
  EXPECT_EQ(scan->batches, 200);
  EXPECT_EQ(scan->next_offset, Offset(next));
  EXPECT_EQ(scan->valid_end, (*seg)->size());
  // An entry every ~4 KiB (rounded up to a batch), and lookups land at or before the batch
  // holding the offset.
  const uint64_t batch_bytes = (*seg)->size() / 200;  // all batches have the same size
  EXPECT_GE(scan->index.size(), (*seg)->size() / (kIndexIntervalBytes + batch_bytes) - 1);
  EXPECT_LE(scan->index.size(), (*seg)->size() / kIndexIntervalBytes + 1);
  for (int64_t o = 1000; o < next; o += 37) {
    const uint64_t holder = static_cast<uint64_t>((o - 1000) / 5) * batch_bytes;
    const uint64_t pos = (*seg)->Lookup(Offset(o));
    EXPECT_LE(pos, holder) << o;
    EXPECT_LT(holder - pos, kIndexIntervalBytes + batch_bytes) << o;
    EXPECT_EQ(pos % batch_bytes, 0u) << "a batch boundary";
  }
}

TEST(SegmentTest, SealedIndexIsRebuiltWhenMissingOrCorrupt) {
  TempDir dir;
  int64_t next;
  {
    auto seg = Segment::Create(dir.path(), Offset(0));
    ASSERT_TRUE(seg.ok());
    next = Fill(**seg, 0, 100, 10);
    ASSERT_TRUE((*seg)->Seal().ok());
    EXPECT_GT(std::filesystem::file_size(dir / "00000000000000000000.index"), 0u);
    const uint64_t pos = (*seg)->Lookup(Offset(next - 1));  // served from the sealed file
    EXPECT_GT(pos, 0u);
  }
  for (const char* damage : {"missing", "garbage"}) {
    if (std::string(damage) == "missing") {
      std::filesystem::remove(dir / "00000000000000000000.index");
    } else {
      testing::WriteFileBytes(dir / "00000000000000000000.index", std::string(13, '\x7f'));
    }
    auto seg = Segment::Open(dir.path(), Offset(0), false);
    ASSERT_TRUE(seg.ok());
    std::string note;
    auto end = (*seg)->ValidateComplete(false, &note);
    ASSERT_TRUE(end.ok()) << end.status().ToString();
    EXPECT_EQ(*end, Offset(next));
    EXPECT_NE(note.find("rebuilt"), std::string::npos) << damage << ": " << note;
    auto entries = (*seg)->LoadIndexFile();
    ASSERT_TRUE(entries.ok());
    EXPECT_TRUE(IndexPlausible(*entries, (*seg)->size()));
    EXPECT_FALSE(entries->empty());
  }
}

TEST(SegmentTest, DamageInsideACompleteSegmentIsCorruptionNamingFileAndByte) {
  TempDir dir;
  {
    auto seg = Segment::Create(dir.path(), Offset(0));
    ASSERT_TRUE(seg.ok());
    Fill(**seg, 0, 50, 10);
    ASSERT_TRUE((*seg)->Seal().ok());
  }
  const std::string path = dir / "00000000000000000000.log";
  std::string bytes = testing::ReadFileBytes(path);
  bytes[bytes.size() / 2] ^= 0x40;
  testing::WriteFileBytes(path, bytes);
  std::filesystem::remove(dir / "00000000000000000000.index");  // force the full scan
  auto seg = Segment::Open(dir.path(), Offset(0), false);
  ASSERT_TRUE(seg.ok());
  std::string note;
  auto end = (*seg)->ValidateComplete(false, &note);
  ASSERT_FALSE(end.ok());
  EXPECT_EQ(end.status().code(), StatusCode::kCorruption);
  EXPECT_NE(end.status().message().find(path), std::string::npos) << end.status().message();
  EXPECT_NE(end.status().message().find("at byte"), std::string::npos) << end.status().message();
}

TEST(SegmentTest, TornTailIsReportedAsTorn) {
  TempDir dir;
  auto seg = Segment::Create(dir.path(), Offset(0));
  ASSERT_TRUE(seg.ok());
  Fill(**seg, 0, 3, 10);
  const uint64_t full = (*seg)->size();
  std::filesystem::resize_file(dir / "00000000000000000000.log", full - 10);
  auto scan = (*seg)->Scan(0, Offset(0));
  ASSERT_TRUE(scan.ok());
  EXPECT_TRUE(scan->torn);
  EXPECT_EQ(scan->batches, 2);
  EXPECT_EQ(scan->next_offset, Offset(20));
  EXPECT_NE(scan->problem.find("incomplete batch"), std::string::npos) << scan->problem;
}

}  // namespace
}  // namespace rivven::embedded
