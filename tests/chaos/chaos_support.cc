#include "chaos/chaos_support.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>

namespace rivven::testing::chaos {

bool LongRun() {
  const char* v = std::getenv("RIVVEN_CHAOS_LONG");
  return v != nullptr && std::string(v) == "1";
}

int Scaled(int short_value, int long_value) { return LongRun() ? long_value : short_value; }

ConnectProcess::ConnectProcess(std::string config, std::string dir)
    : config_(std::move(config)), dir_(std::move(dir)) {}

ConnectProcess::~ConnectProcess() {
  if (process_ && process_->Running()) {
    process_->Signal(SIGKILL);
    process_->Wait(std::chrono::seconds(10));
  }
}

void ConnectProcess::Start() {
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{BinaryPath(), "run", "-c", config_}, ProcessOptions{},
      dir_ + "/connect.stdout", stderr_path());
}

bool ConnectProcess::KillAndRestart() {
  const bool was_running = process_ && process_->Running();
  if (process_) {
    process_->Signal(SIGKILL);
    process_->Wait(std::chrono::seconds(10));
  }
  if (was_running) ++kills_;
  Start();
  return was_running;
}

bool ConnectProcess::Running() { return process_ && process_->Running(); }

int ConnectProcess::Stop(std::chrono::milliseconds timeout) {
  if (!process_) return -1;
  process_->Signal(SIGTERM);
  ProcessResult r = process_->Wait(timeout);
  if (r.timed_out) {
    process_->Signal(SIGKILL);
    process_->Wait(std::chrono::seconds(10));
    return -1;
  }
  return r.exit_code;
}

std::string ConnectProcess::Log() const { return Tail(ReadFile(stderr_path()), 6000); }

SteadyProducer::SteadyProducer(Write write, int64_t first_id, int per_step,
                               std::chrono::milliseconds interval)
    : write_(std::move(write)) {
  thread_ = std::thread([this, first_id, per_step, interval] {
    int64_t next = first_id;
    while (!stop_) {
      const int64_t last = next + per_step - 1;
      bool written = write_(next, last);
      while (!written && !stop_) {
        std::this_thread::sleep_for(milliseconds(50));
        written = write_(next, last);
      }
      if (!written) break;  // stopped while the source was failing: nothing more is counted
      for (int64_t id = next; id <= last; ++id) ids_.insert(id);
      written_ = static_cast<int64_t>(ids_.size());
      next = last + 1;
      std::this_thread::sleep_for(interval);
    }
  });
}

SteadyProducer::~SteadyProducer() { Stop(); }

std::set<int64_t> SteadyProducer::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  return ids_;
}

std::string ConnectProcess::LogLines(const std::string& needle) const {
  std::string out;
  for (const std::string& line : SplitLines(ReadFile(stderr_path()))) {
    if (line.find(needle) != std::string::npos) out += line + "\n";
  }
  return Tail(out, 8000);
}

Tally Compare(const std::set<int64_t>& produced, const std::vector<int64_t>& delivered) {
  Tally t;
  t.records = static_cast<int64_t>(produced.size());
  t.delivered = static_cast<int64_t>(delivered.size());
  std::map<int64_t, int64_t> seen;
  for (int64_t id : delivered) ++seen[id];
  for (const auto& [id, n] : seen) {
    if (!produced.count(id)) {
      t.unexpected += n;
    } else {
      t.duplicates += n - 1;
    }
  }
  int shown = 0;
  for (int64_t id : produced) {
    if (seen.count(id)) continue;
    ++t.missing;
    if (shown++ < 10) t.missing_sample += std::to_string(id) + " ";
  }
  return t;
}

bool AllDelivered(const std::set<int64_t>& produced, const std::vector<int64_t>& delivered) {
  if (delivered.size() < produced.size()) return false;
  const std::set<int64_t> seen(delivered.begin(), delivered.end());
  for (int64_t id : produced) {
    if (!seen.count(id)) return false;
  }
  return true;
}

namespace {

void AddRow(const std::string& row) {
  std::cout << "chaos: " << row << "\n";
  if (const char* path = std::getenv("RIVVEN_CHAOS_REPORT"); path != nullptr && *path != '\0') {
    std::ofstream(path, std::ios::app) << row << "\n";
  }
}

}  // namespace

void Report(const std::string& scenario, const std::string& faults, const Tally& tally,
            double recovery_seconds) {
  char recovery[32];
  std::snprintf(recovery, sizeof recovery, "%.1f s", recovery_seconds);
  AddRow("| " + scenario + " | " + faults + " | " + std::to_string(tally.records) + " | " +
         std::to_string(tally.missing) + " | " + std::to_string(tally.duplicates) + " | " +
         recovery + " |");
}

void ReportSkipped(const std::string& scenario, const std::string& reason) {
  AddRow("| " + scenario + " | skipped: " + reason + " | – | – | – | – |");
}

std::vector<int64_t> ChangeEventIds(const std::string& path) {
  std::vector<int64_t> ids;
  for (const Event& e : ReadEvents(path)) ids.push_back(e.id);
  return ids;
}

}  // namespace rivven::testing::chaos
