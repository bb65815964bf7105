// A source plugin: emits `count` records {"n": 0}, {"n": 1}, ... with the position "next=<n>",
// so a restart resumes after the last durable record. The spec's poll() example, in C++.
//
//   g++ -std=c++17 -shared -fPIC -I include examples/plugins/counter_source.cc -o counter_source.so
#include <string>

#include <rivven/plugin.hpp>

class CounterSource : public rivven::plugin::Source {
 public:
  CounterSource(const rivven::plugin::Config& config, rivven::plugin::Host& host)
      : host_(host),
        count_(config.GetInt("count", 10)),
        prefix_(config.GetString("prefix", "")) {
    if (count_ < 0) throw rivven::plugin::Error("plugin_config.count must be >= 0");
  }

  void Open(const std::optional<std::string>& checkpoint) override {
    if (checkpoint) {
      if (checkpoint->rfind("next=", 0) != 0) {
        throw rivven::plugin::Error("unexpected checkpoint '" + *checkpoint + "'");
      }
      next_ = std::stoll(checkpoint->substr(5));
    }
    host_.Log(rivven::plugin::Level::kInfo,
              "counting from " + std::to_string(next_) + " to " + std::to_string(count_));
  }

  rivven::plugin::PollResult Poll(size_t max_records, std::chrono::milliseconds) override {
    rivven::plugin::PollResult out;
    while (next_ < count_ && out.records.size() < max_records) {
      rivven::plugin::Record r;
      r.key = std::to_string(next_);
      r.value = "{\"n\":" + std::to_string(next_) + ",\"name\":\"" + prefix_ + "item-" +
                std::to_string(next_) + "\"}";
      r.headers.push_back({"source", "counter"});
      out.records.push_back(std::move(r));
      ++next_;
    }
    out.position = "next=" + std::to_string(next_);
    out.finished = next_ >= count_;
    return out;
  }

 private:
  rivven::plugin::Host& host_;
  int64_t count_;
  std::string prefix_;
  int64_t next_ = 0;
};

RIVVEN_PLUGIN(CounterSource)
