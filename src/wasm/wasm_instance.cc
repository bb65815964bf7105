#include "wasm/wasm_instance.h"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <utility>

#include <wabt/interp/interp.h>

#include "base/log.h"
#include "wasm/wasm_abi.h"
#include "wasm/wasm_meter.h"

namespace rivven::wasm {
namespace {

namespace interp = wabt::interp;
using Clock = std::chrono::steady_clock;

/// Fuel per refill: loop iterations and function entries between two deadline checks. In the
/// interpreter that is well under a millisecond of guest work, and the host call is noise.
constexpr uint64_t kFuelSlice = 10000;

log::Level GuestLogLevel(int32_t level) {
  switch (level) {
    case 0:
      return log::Level::kDebug;
    case 1:
      return log::Level::kInfo;
    case 2:
      return log::Level::kWarn;
    default:
      return level < 0 ? log::Level::kDebug : log::Level::kError;
  }
}

/// "30", "0.3": timeout_secs as configured (tests use fractions of a second).
std::string SecondsText(std::chrono::milliseconds d) {
  std::string out = std::to_string(d.count() / 1000);
  if (const int64_t ms = d.count() % 1000; ms != 0) {
    std::string frac = std::to_string(1000 + ms).substr(1);
    while (frac.back() == '0') frac.pop_back();
    out += "." + frac;
  }
  return out;
}

}  // namespace

struct WasmInstance::State {
  State(std::shared_ptr<const WasmModule> m, std::string component)
      : module(std::move(m)), log_component(std::move(component)), thread(store) {}

  std::string Prefix() const { return "wasm module " + module->name() + ": "; }

  bool InBounds(uint32_t ptr, uint32_t len) const {
    return memory && uint64_t{ptr} + len <= memory->ByteSize();
  }
  char* At(uint32_t ptr) { return reinterpret_cast<char*>(memory->UnsafeData()) + ptr; }

  /// A trap for a host function to return: the guest passed a bad range or called too early.
  wabt::Result HostTrap(interp::Thread& t, interp::Trap::Ptr* out, const std::string& what) {
    *out = interp::Trap::New(t.store(), what);
    return wabt::Result::Error;
  }

  /// The status of a call that trapped (or was stopped at its deadline); breaks the instance.
  Status Failure(const interp::Trap::Ptr& trap) {
    if (cancelled_now) {
      return Status::Cancelled(Prefix() + current + " was stopped: the connector is stopping");
    }
    if (timed_out) {
      return Status::Timeout(Prefix() + current + " did not return within timeout_secs=" +
                             SecondsText(module->limits().timeout) + "; it was stopped");
    }
    std::string message =
        Prefix() + current + " trapped: " + (trap ? trap->message() : std::string("unknown trap"));
    const uint64_t cap = MemoryLimitPages(module->limits().memory_limit_mb);
    if (memory && memory->PageSize() >= cap) {
      message +=
          " (its memory is at memory_limit_mb=" + std::to_string(module->limits().memory_limit_mb) +
          ", so memory.grow returned -1)";
    }
    return Status::Error(StatusCode::kInternal, message);
  }

  /// Runs one export under the deadline.
  Result<interp::Values> Invoke(std::string_view export_name, const interp::Values& args,
                                const std::function<bool()>& cancel = nullptr) {
    if (!broken.ok()) return broken;
    auto it = functions.find(export_name);
    if (it == functions.end()) {
      return Status::Internal(Prefix() + "has no export " + std::string(export_name));
    }
    result.clear();
    current = std::string(export_name);
    timed_out = false;
    cancelled_now = false;
    cancelled = cancel;
    deadline = Clock::now() + module->limits().timeout;
    interp::Values results;
    interp::Trap::Ptr trap;
    if (wabt::Failed(it->second->Call(thread, args, results, &trap))) {
      broken = Failure(trap);
      return broken;
    }
    return results;
  }

  /// The guest's return code and result bytes as a Result.
  Result<std::string> Outcome(std::string_view export_name, int32_t code, std::string bytes) {
    if (code == kGuestOk) return bytes;
    std::string message = Prefix() + std::string(export_name) + " returned " +
                          std::to_string(code) + (bytes.empty() ? "" : ": " + bytes);
    if (code == kGuestRetriable) return Status::Unavailable(message);
    return Status::InvalidArgument(message);
  }

  std::shared_ptr<const WasmModule> module;
  std::string log_component;
  interp::Store store;    // first: everything below refers into it
  interp::Thread thread;  // reused by every call
  interp::Instance::Ptr instance;
  interp::Memory::Ptr memory;
  std::map<std::string, interp::Func::Ptr, std::less<>> functions;
  std::string result;  ///< what the guest passed to set_result during the current call
  std::string current = "instantiation";  ///< the export being called, for messages
  Clock::time_point deadline;
  bool timed_out = false;
  std::function<bool()> cancelled;  ///< the current call's stop check, if any
  bool cancelled_now = false;
  Status broken;
};

WasmInstance::WasmInstance(std::unique_ptr<State> state) : state_(std::move(state)) {}
WasmInstance::~WasmInstance() = default;

Result<std::unique_ptr<WasmInstance>> WasmInstance::New(std::shared_ptr<const WasmModule> module,
                                                        std::string log_component) {
  auto state = std::make_unique<State>(std::move(module), std::move(log_component));
  State* s = state.get();  // host functions live in s->store, which s owns
  interp::Store& store = s->store;

  using interp::Thread;
  using interp::Trap;
  using interp::Values;
  std::map<std::string, interp::HostFunc::Callback> callbacks;
  callbacks["rivven.log"] = [s](Thread& t, const Values& args, Values&,
                                Trap::Ptr* trap) -> wabt::Result {
    const uint32_t ptr = args[1].Get<uint32_t>(), len = args[2].Get<uint32_t>();
    if (!s->InBounds(ptr, len)) return s->HostTrap(t, trap, "rivven.log: message out of bounds");
    log::Write(GuestLogLevel(args[0].Get<int32_t>()), s->log_component,
               std::string_view(s->At(ptr), len));
    return wabt::Result::Ok;
  };
  callbacks["rivven.now_ms"] = [](Thread&, const Values&, Values& results,
                                  Trap::Ptr*) -> wabt::Result {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    results.resize(1);
    results[0] = interp::Value::Make(
        static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()));
    return wabt::Result::Ok;
  };
  callbacks["rivven.set_result"] = [s](Thread& t, const Values& args, Values&,
                                       Trap::Ptr* trap) -> wabt::Result {
    const uint32_t ptr = args[0].Get<uint32_t>(), len = args[1].Get<uint32_t>();
    if (!s->InBounds(ptr, len)) {
      return s->HostTrap(t, trap,
                         "rivven.set_result: [" + std::to_string(ptr) + ", " +
                             std::to_string(uint64_t{ptr} + len) + ") is outside guest memory");
    }
    s->result.assign(s->At(ptr), len);
    return wabt::Result::Ok;
  };
  callbacks[std::string(kMeterModule) + "." + std::string(kMeterField)] =
      [s](Thread& t, const Values&, Values& results, Trap::Ptr* trap) -> wabt::Result {
    if (s->cancelled && s->cancelled()) {
      s->cancelled_now = true;
      return s->HostTrap(t, trap, "cancelled");
    }
    if (Clock::now() >= s->deadline) {
      s->timed_out = true;
      return s->HostTrap(t, trap, "timeout");
    }
    results.resize(1);
    results[0] = interp::Value::Make(static_cast<int64_t>(kFuelSlice));
    return wabt::Result::Ok;
  };

  interp::Module::Ptr mod = interp::Module::New(store, s->module->desc());
  interp::RefVec imports;
  for (const interp::ImportType& import : mod->import_types()) {
    const std::string key = import.module + "." + import.name;
    auto cb = callbacks.find(key);
    const auto* type = wabt::dyn_cast<interp::FuncType>(import.type.get());
    // WasmModule checked every import; this only guards that invariant.
    RC_ASSERT(cb != callbacks.end() && type != nullptr);
    imports.push_back(interp::HostFunc::New(store, *type, cb->second).ref());
  }

  s->deadline = Clock::now() + s->module->limits().timeout;
  interp::Trap::Ptr trap;
  s->instance = interp::Instance::Instantiate(store, mod.ref(), imports, &trap);
  if (!s->instance) {
    if (trap) return s->Failure(trap);
    return Status::Internal(s->Prefix() + "instantiation failed");
  }
  const auto& exports = mod->export_types();
  for (size_t i = 0; i < exports.size(); ++i) {
    const interp::Ref ref = s->instance->exports()[i];
    if (exports[i].type->kind == wabt::ExternalKind::Func) {
      s->functions[exports[i].name] = store.UnsafeGet<interp::Func>(ref);
    } else if (exports[i].type->kind == wabt::ExternalKind::Memory && exports[i].name == "memory") {
      s->memory = store.UnsafeGet<interp::Memory>(ref);
    }
  }
  RC_ASSERT(s->memory);  // WasmModule requires the export
  return std::unique_ptr<WasmInstance>(new WasmInstance(std::move(state)));
}

Result<std::string> WasmInstance::CallWithBytes(std::string_view export_name,
                                                std::string_view input) {
  State& s = *state_;
  const auto len = static_cast<uint32_t>(input.size());
  if (input.size() > UINT32_MAX) {
    return Status::InvalidArgument(s.Prefix() + "input of " + std::to_string(input.size()) +
                                   " bytes is larger than 32-bit guest memory");
  }
  RC_ASSIGN_OR_RETURN(interp::Values allocated,
                      s.Invoke("rivven_alloc", {interp::Value::Make(len)}));
  const uint32_t ptr = allocated[0].Get<uint32_t>();
  if ((len > 0 && ptr == 0) || !s.InBounds(ptr, len)) {
    s.broken = Status::Error(
        StatusCode::kResourceExhausted,
        s.Prefix() + "rivven_alloc(" + std::to_string(len) + ") returned " + std::to_string(ptr) +
            ", which is not a usable block of guest memory (" +
            std::to_string(s.memory->ByteSize()) +
            " bytes; memory_limit_mb=" + std::to_string(s.module->limits().memory_limit_mb) + ")");
    return s.broken;
  }
  if (len > 0) std::memcpy(s.At(ptr), input.data(), len);
  RC_ASSIGN_OR_RETURN(interp::Values out,
                      s.Invoke(export_name, {interp::Value::Make(ptr), interp::Value::Make(len)}));
  std::string bytes = std::move(s.result);
  if (s.functions.find("rivven_free") != s.functions.end()) {
    RC_RETURN_IF_ERROR(
        s.Invoke("rivven_free", {interp::Value::Make(ptr), interp::Value::Make(len)}).status());
  }
  return s.Outcome(export_name, out[0].Get<int32_t>(), std::move(bytes));
}

Result<std::string> WasmInstance::CallWithInt(std::string_view export_name, int32_t arg,
                                              const std::function<bool()>& cancelled) {
  State& s = *state_;
  RC_ASSIGN_OR_RETURN(interp::Values out,
                      s.Invoke(export_name, {interp::Value::Make(arg)}, cancelled));
  return s.Outcome(export_name, out[0].Get<int32_t>(), std::move(s.result));
}

Result<std::string> WasmInstance::Call(std::string_view export_name) {
  State& s = *state_;
  RC_ASSIGN_OR_RETURN(interp::Values out, s.Invoke(export_name, {}));
  return s.Outcome(export_name, out[0].Get<int32_t>(), std::move(s.result));
}

const WasmModule& WasmInstance::module() const { return *state_->module; }
const Status& WasmInstance::broken() const { return state_->broken; }
uint64_t WasmInstance::MemoryPages() const { return state_->memory->PageSize(); }

Result<std::unique_ptr<WasmInstance>> StartInstance(std::shared_ptr<const WasmModule> module,
                                                    std::string log_component,
                                                    std::string_view config_json) {
  RC_ASSIGN_OR_RETURN(std::unique_ptr<WasmInstance> instance,
                      WasmInstance::New(std::move(module), std::move(log_component)));
  RC_RETURN_IF_ERROR(instance->CallWithBytes("rivven_init", config_json).status());
  return instance;
}

}  // namespace rivven::wasm
