// A test source plugin that fails on purpose in poll, as plugin_config.fail says:
//   "error"      -> rivven::plugin::Error (retriable when plugin_config.retriable is true)
//   "exception"  -> std::runtime_error (not retriable)
//   "segfault"   -> writes through a null pointer
//   "create"     -> fails in its constructor
// It emits plugin_config.before records first (one per poll; a restart resumes the count).
#include <stdexcept>
#include <string>

#include <rivven/plugin.hpp>

namespace {
// A real SIGSEGV for the crash note to report. Not checked by UBSan, which would otherwise stop
// the process at the null store before the signal is raised.
__attribute__((no_sanitize("undefined"))) void WriteThroughNull() {
  volatile int* volatile nothing = nullptr;
  *nothing = 42;
}
}  // namespace

class FaultySource : public rivven::plugin::Source {
 public:
  FaultySource(const rivven::plugin::Config& config, rivven::plugin::Host&)
      : fail_(config.GetString("fail", "error")),
        retriable_(config.GetBool("retriable", false)),
        before_(config.GetInt("before", 0)) {
    if (fail_ == "create") throw rivven::plugin::Error("refusing to start: fail is 'create'");
  }

  void Open(const std::optional<std::string>& checkpoint) override {
    if (checkpoint) emitted_ = std::stoll(*checkpoint);
  }

  rivven::plugin::PollResult Poll(size_t, std::chrono::milliseconds) override {
    rivven::plugin::PollResult out;
    if (emitted_ < before_) {
      out.records.push_back(rivven::plugin::Record::Value(std::to_string(emitted_++)));
      out.position = std::to_string(emitted_);
      return out;
    }
    if (fail_ == "exception") throw std::runtime_error("something broke inside the plugin");
    if (fail_ == "segfault") WriteThroughNull();
    throw rivven::plugin::Error("the upstream is not answering", retriable_);
  }

 private:
  std::string fail_;
  bool retriable_;
  int64_t before_;
  int64_t emitted_ = 0;
};

RIVVEN_PLUGIN(FaultySource)
