#include "broker/embedded/offsets_store.h"

#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "broker/embedded/tests/test_util.h"

namespace rivven::embedded {
namespace {

using testing::TempDir;

std::unique_ptr<OffsetsStore> OpenStore(const std::string& path,
                                        std::vector<std::string>* report = nullptr,
                                        uint64_t compact_min_bytes = 1 << 20,
                                        bool read_only = false) {
  std::vector<std::string> ignored;
  auto s = OffsetsStore::Open(path, read_only, report ? report : &ignored, compact_min_bytes);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

TEST(OffsetsStoreTest, CommitsSurviveReopenPerGroupTopicAndPartition) {
  TempDir dir;
  const std::string path = dir / "offsets.log";
  {
    auto store = OpenStore(path);
    ASSERT_TRUE(store->Commit("g1", {{"orders", 0, Offset(10)}, {"orders", 2, Offset(7)}}).ok());
    ASSERT_TRUE(store->Commit("g1", {{"orders", 0, Offset(15)}}).ok());
    ASSERT_TRUE(store->Commit("g2", {{"orders", 0, Offset(3)}, {"users", 11, Offset(1)}}).ok());
  }
  auto store = OpenStore(path);
  EXPECT_EQ(store->Committed("g1", "orders", 0), Offset(15));
  EXPECT_EQ(store->Committed("g1", "orders", 2), Offset(7));
  EXPECT_EQ(store->Committed("g1", "orders", 1), std::nullopt);
  EXPECT_EQ(store->Committed("g2", "orders", 0), Offset(3));
  EXPECT_EQ(store->Committed("g1", "users", 11), std::nullopt);
  const auto g1 = store->CommittedOffsets("g1", "orders");
  ASSERT_EQ(g1.size(), 2u);
  EXPECT_EQ(g1[0].partition, 0);
  EXPECT_EQ(g1[0].offset, Offset(15));
  EXPECT_EQ(g1[1].partition, 2);
  EXPECT_TRUE(store->CommittedOffsets("g1", "order").empty()) << "no prefix matches";
}

TEST(OffsetsStoreTest, CheckpointsSaveLoadAndSurviveReopen) {
  TempDir dir;
  const std::string path = dir / "offsets.log";
  {
    auto store = OpenStore(path);
    auto none = store->Load("pg");
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value());
    ASSERT_TRUE(store->Save("pg", R"({"lsn":"0/16B3748"})").ok());
    ASSERT_TRUE(store->Save("pg", R"({"lsn":"0/16B3800"})").ok());
    ASSERT_TRUE(store->Save("file", std::string("binary\0ok", 9)).ok());
  }
  auto store = OpenStore(path);
  EXPECT_EQ(**store->Load("pg"), R"({"lsn":"0/16B3800"})");
  EXPECT_EQ(**store->Load("file"), std::string("binary\0ok", 9));
}

TEST(OffsetsStoreTest, CompactionKeepsOnlyLiveEntriesAndSurvivesReopen) {
  TempDir dir;
  const std::string path = dir / "offsets.log";
  {
    auto store = OpenStore(path, nullptr, /*compact_min_bytes=*/4 << 10);
    for (int i = 0; i < 600; ++i) {
      ASSERT_TRUE(store->Save("src-" + std::to_string(i % 5), "pos-" + std::to_string(i)).ok());
      ASSERT_TRUE(store->Commit("g", {{"t", i % 3, Offset(i)}}).ok());
    }
    // Grew past 4 KiB many times over, so it was compacted along the way.
    EXPECT_LT(store->file_bytes(), 5u << 10);
    ASSERT_TRUE(store->Compact().ok());
    EXPECT_LT(store->file_bytes(), 1000u);
  }
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  std::vector<std::string> report;
  auto store = OpenStore(path, &report);
  EXPECT_TRUE(report.empty());
  for (int s = 0; s < 5; ++s) {
    EXPECT_EQ(**store->Load("src-" + std::to_string(s)), "pos-" + std::to_string(595 + s));
  }
  EXPECT_EQ(store->Committed("g", "t", 0), Offset(597));
  EXPECT_EQ(store->Committed("g", "t", 1), Offset(598));
  EXPECT_EQ(store->Committed("g", "t", 2), Offset(599));
  ASSERT_TRUE(store->Save("src-0", "after").ok());  // appending after a compaction works
  store.reset();
  store = OpenStore(path);
  EXPECT_EQ(**store->Load("src-0"), "after");
}

TEST(OffsetsStoreTest, TornTailIsCutAndEarlierCommitsKept) {
  TempDir dir;
  const std::string path = dir / "offsets.log";
  {
    auto store = OpenStore(path);
    ASSERT_TRUE(store->Commit("g", {{"t", 0, Offset(1)}}).ok());
    ASSERT_TRUE(store->Commit("g", {{"t", 0, Offset(2)}, {"t", 1, Offset(9)}}).ok());
  }
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 3);
  std::vector<std::string> report;
  auto store = OpenStore(path, &report);
  ASSERT_EQ(report.size(), 1u);
  EXPECT_NE(report[0].find(path), std::string::npos);
  // The torn commit is gone as a whole (it was one batch): never half of it.
  EXPECT_EQ(store->Committed("g", "t", 0), Offset(1));
  EXPECT_EQ(store->Committed("g", "t", 1), std::nullopt);
  ASSERT_TRUE(store->Commit("g", {{"t", 1, Offset(4)}}).ok());
  store.reset();
  report.clear();
  store = OpenStore(path, &report);
  EXPECT_TRUE(report.empty());
  EXPECT_EQ(store->Committed("g", "t", 1), Offset(4));
}

TEST(OffsetsStoreTest, ConcurrentCommitsAreAllDurable) {
  TempDir dir;
  const std::string path = dir / "offsets.log";
  {
    auto store = OpenStore(path);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 1; i <= 50; ++i) {
          EXPECT_TRUE(store->Commit("g", {{"t", t, Offset(i)}}).ok());
        }
      });
    }
    for (auto& th : threads) th.join();
  }
  auto store = OpenStore(path);
  for (int t = 0; t < 8; ++t) EXPECT_EQ(store->Committed("g", "t", t), Offset(50));
}

TEST(OffsetsStoreTest, ReadOnlyStoreReadsButNeverWrites) {
  TempDir dir;
  const std::string path = dir / "offsets.log";
  {
    auto store = OpenStore(path);
    ASSERT_TRUE(store->Save("s", "p").ok());
  }
  auto ro = OpenStore(path, nullptr, 1 << 20, /*read_only=*/true);
  EXPECT_EQ(**ro->Load("s"), "p");
  EXPECT_EQ(ro->Save("s", "q").code(), StatusCode::kFailedPrecondition);
  auto missing = OpenStore(dir / "nothing.log", nullptr, 1 << 20, true);
  ASSERT_NE(missing, nullptr);
  EXPECT_FALSE(std::filesystem::exists(dir / "nothing.log"));
}

}  // namespace
}  // namespace rivven::embedded
