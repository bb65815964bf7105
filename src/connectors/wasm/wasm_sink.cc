#include "connectors/wasm/wasm_sink.h"

#include <utility>

#include "wasm/wasm_records.h"

namespace rivven::wasm {

WasmSink::WasmSink(std::shared_ptr<const WasmModule> module, WasmConfig config, std::string name)
    : module_(std::move(module)), config_(std::move(config)), name_(std::move(name)) {}

Status WasmSink::Open() {
  RC_ASSIGN_OR_RETURN(instance_, StartInstance(module_, name_, config_.plugin_config_json));
  return Status::Ok();
}

Status WasmSink::Write(const std::vector<ConsumedRecord>& records) {
  if (!instance_) return Status::FailedPrecondition("wasm sink " + name_ + ": not open");
  if (records.empty()) return Status::Ok();
  return instance_->CallWithBytes("rivven_write", ConsumedRecordsJson(records)).status();
}

Status WasmSink::Flush() {
  if (!instance_) return Status::FailedPrecondition("wasm sink " + name_ + ": not open");
  if (!module_->HasFunction("rivven_flush")) return Status::Ok();
  return instance_->Call("rivven_flush").status();
}

Status WasmSink::Close() {
  Status flushed = instance_ && instance_->broken().ok() ? Flush() : Status::Ok();
  instance_.reset();
  return flushed;
}

}  // namespace rivven::wasm
