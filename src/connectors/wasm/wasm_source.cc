#include "connectors/wasm/wasm_source.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <mutex>
#include <utility>

#include "base/log.h"
#include "wasm/wasm_records.h"

namespace rivven::wasm {
namespace {

/// Sleeps `d` unless `stop` is requested first.
void IdleWait(std::chrono::milliseconds d, std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock<std::mutex> lock(mu);
  cv.wait_for(lock, stop, d, [] { return false; });
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

WasmSource::WasmSource(std::shared_ptr<const WasmModule> module, WasmConfig config,
                       std::string name)
    : module_(std::move(module)), config_(std::move(config)), name_(std::move(name)) {}

Status WasmSource::Open(const std::optional<std::string>& checkpoint) {
  RC_ASSIGN_OR_RETURN(instance_, StartInstance(module_, name_, config_.plugin_config_json));
  if (!checkpoint) return Status::Ok();
  if (!module_->HasFunction("rivven_seek")) {
    log::Warn(name_, "wasm module {} has no rivven_seek: it starts over instead of resuming at {}",
              module_->name(), *checkpoint);
    return Status::Ok();
  }
  return instance_->CallWithBytes("rivven_seek", *checkpoint).status();
}

Result<SourceBatch> WasmSource::Poll(size_t max_records, std::chrono::milliseconds max_wait,
                                     std::stop_token stop) {
  if (!instance_) return Status::FailedPrecondition("wasm source " + name_ + ": not open");
  const auto max = static_cast<int32_t>(std::min<size_t>(max_records, INT32_MAX));
  RC_ASSIGN_OR_RETURN(std::string result, instance_->CallWithInt("rivven_poll", max, [&stop] {
    return stop.stop_requested();
  }));
  auto polled = ParsePollResult(result, NowMs());
  if (!polled.ok()) return polled.status().WithContext("wasm module " + module_->name());
  SourceBatch batch;
  batch.records = std::move(polled->records);
  batch.position = std::move(polled->position);
  batch.finished = polled->finished;
  if (batch.records.empty() && !batch.finished) IdleWait(max_wait, stop);
  return batch;
}

Status WasmSource::Close() {
  instance_.reset();
  return Status::Ok();
}

}  // namespace rivven::wasm
