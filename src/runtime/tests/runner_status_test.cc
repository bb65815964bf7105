// RunnerStatus: connector-reported gauges keep the latest value per name.
#include "runtime/runner_status.h"

#include <thread>

#include <gtest/gtest.h>

namespace rivven {
namespace {

TEST(RunnerStatusGaugesTest, KeepsTheLatestValuePerNameSortedByName) {
  Notifier notifier;
  RunnerStatus status(notifier, RunnerKind::kSource, "pg", "postgres-cdc");
  EXPECT_TRUE(status.Gauges().empty());

  EXPECT_TRUE(status
                  .SetGauges({{"postgres_slot_lag_bytes", "Slot lag.", 100},
                              {"postgres_backlog", "Backlog.", 7}})
                  .empty());
  // A later batch reports only one of them: it is updated, the other keeps its value.
  EXPECT_TRUE(status.SetGauges({{"postgres_slot_lag_bytes", "Slot lag, new help.", 40}}).empty());
  EXPECT_TRUE(status.SetGauges({}).empty());

  const std::vector<SourceGauge> gauges = status.Gauges();
  ASSERT_EQ(gauges.size(), 2u);
  EXPECT_EQ(gauges[0].name, "postgres_backlog");
  EXPECT_EQ(gauges[0].value, 7);
  EXPECT_EQ(gauges[1].name, "postgres_slot_lag_bytes");
  EXPECT_EQ(gauges[1].value, 40);
  EXPECT_EQ(gauges[1].help, "Slot lag, new help.");
}

TEST(RunnerStatusGaugesTest, InvalidNamesAreReturnedAndNotKept) {
  Notifier notifier;
  RunnerStatus status(notifier, RunnerKind::kSource, "pg", "postgres-cdc");
  const std::vector<std::string> rejected = status.SetGauges({{"", "", 1},
                                                              {"9lives", "", 1},
                                                              {"Upper_case", "", 1},
                                                              {"has-dash", "", 1},
                                                              {"connector_records_total", "", 1},
                                                              {"source_progress_done", "", 1},
                                                              {"build_info", "", 1},
                                                              {"_ok_1", "", 2}});
  EXPECT_EQ(rejected, (std::vector<std::string>{"", "9lives", "Upper_case", "has-dash",
                                                "connector_records_total", "source_progress_done",
                                                "build_info"}));
  const std::vector<SourceGauge> gauges = status.Gauges();
  ASSERT_EQ(gauges.size(), 1u);
  EXPECT_EQ(gauges[0].name, "_ok_1");
  EXPECT_TRUE(IsValidGaugeName("mysql_binlog_lag_bytes"));
  EXPECT_TRUE(IsValidGaugeName("sourcery"));
  EXPECT_FALSE(IsValidGaugeName("a b"));
}

TEST(RunnerStatusGaugesTest, WriterAndReaderOnDifferentThreads) {
  Notifier notifier;
  RunnerStatus status(notifier, RunnerKind::kSource, "pg", "postgres-cdc");
  std::thread writer([&] {
    for (int i = 1; i <= 10000; ++i) {
      (void)status.SetGauges({{"lag_bytes", "Lag.", static_cast<double>(i)}});
    }
  });
  double last = 0;
  for (int i = 0; i < 1000; ++i) {
    for (const SourceGauge& g : status.Gauges()) {
      EXPECT_GE(g.value, last);  // never goes back
      last = g.value;
    }
  }
  writer.join();
  ASSERT_EQ(status.Gauges().size(), 1u);
  EXPECT_EQ(status.Gauges()[0].value, 10000);
}

}  // namespace
}  // namespace rivven
