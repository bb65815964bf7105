// C++ helpers for writing rivven-connect native plugins on the C ABI of <rivven/plugin.h>.
// Header-only; needs C++17. A plugin is one class and one macro:
//
//   #include <rivven/plugin.hpp>
//
//   class Counter : public rivven::plugin::Source {
//    public:
//     Counter(const rivven::plugin::Config& config, rivven::plugin::Host& host)
//         : limit_(config.GetInt("count", 10)) {}
//     void Open(const std::optional<std::string>& checkpoint) override {
//       if (checkpoint) next_ = std::stoll(*checkpoint);
//     }
//     rivven::plugin::PollResult Poll(size_t max_records, std::chrono::milliseconds) override {
//       rivven::plugin::PollResult out;
//       while (next_ < limit_ && out.records.size() < max_records) {
//         out.records.push_back(rivven::plugin::Record::Value("{\"n\":" + std::to_string(next_++) + "}"));
//       }
//       out.position = std::to_string(next_);
//       out.finished = next_ == limit_;
//       return out;
//     }
//    private:
//     int64_t limit_, next_ = 0;
//   };
//   RIVVEN_PLUGIN(Counter)
//
// Errors: throw rivven::plugin::Error(message, retriable). Any other exception becomes a
// non-retriable error carrying what(). Nothing escapes the C boundary (the macro's adapters
// catch everything). Buffer lifetimes are handled here: records returned from Poll/Transform
// are kept by the adapter until the next call, as the ABI requires.
#ifndef RIVVEN_PLUGIN_HPP_
#define RIVVEN_PLUGIN_HPP_

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "rivven/plugin.h"

namespace rivven::plugin {

/// A failure to report to the host; `retriable` lets the runtime's restart policy retry it.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, bool retriable = false)
      : std::runtime_error(message), retriable_(retriable) {}
  bool retriable() const { return retriable_; }

 private:
  bool retriable_;
};

struct Header {
  std::string key;
  std::string value;
};

/// A record owned by value (the plugin's side of rivven_record).
struct Record {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
  int64_t timestamp_ms = 0;  ///< 0: the host stamps it
  std::string topic;         ///< empty: the connector's topic
  int32_t partition = -1;    ///< sinks only
  int64_t offset = -1;       ///< sinks only

  static Record Value(std::string value) {
    Record r;
    r.value = std::move(value);
    return r;
  }
};

/// What Source::Poll returns.
struct PollResult {
  std::vector<Record> records;
  std::string position;   ///< after the last record; empty = unchanged
  bool finished = false;  ///< a bounded source's last batch
};

enum class Level { kDebug = RIVVEN_LOG_DEBUG, kInfo = RIVVEN_LOG_INFO, kWarn = RIVVEN_LOG_WARN,
                   kError = RIVVEN_LOG_ERROR };

/// The host's services for one instance; valid for the instance's whole life.
class Host {
 public:
  explicit Host(const rivven_host* host) : host_(host) {}
  void Log(Level level, std::string_view message) const {
    if (host_ != nullptr && host_->log != nullptr) {
      host_->log(host_->context, static_cast<int32_t>(level), message.data(), message.size());
    }
  }
  std::string connector_name() const {
    return host_ != nullptr && host_->connector_name != nullptr ? host_->connector_name : "";
  }

 private:
  const rivven_host* host_;
};

/// `plugin_config` as JSON text, with lookups of top-level scalars for simple flat configs.
/// Anything nested: parse json() with the JSON library of your choice.
class Config {
 public:
  explicit Config(std::string json) : json_(std::move(json)) {}
  const std::string& json() const { return json_; }

  /// The raw JSON text of top-level member `key` of an object, or nullopt.
  std::optional<std::string> Raw(std::string_view key) const {
    size_t i = SkipWs(0);
    if (i >= json_.size() || json_[i] != '{') return std::nullopt;
    i = SkipWs(i + 1);
    while (i < json_.size() && json_[i] == '"') {
      const size_t name_end = SkipValue(i);
      const std::string name = Unquote(json_.substr(i, name_end - i));
      i = SkipWs(name_end);
      if (i >= json_.size() || json_[i] != ':') return std::nullopt;
      const size_t start = SkipWs(i + 1);
      const size_t end = SkipValue(start);
      if (name == key) return json_.substr(start, end - start);
      i = SkipWs(end);
      if (i < json_.size() && json_[i] == ',') i = SkipWs(i + 1);
    }
    return std::nullopt;
  }
  std::string GetString(std::string_view key, std::string fallback = "") const {
    auto raw = Raw(key);
    if (!raw) return fallback;
    if (raw->empty() || (*raw)[0] != '"') throw Error("plugin_config." + std::string(key) +
                                                      ": expected a string, got " + *raw);
    return Unquote(*raw);
  }
  int64_t GetInt(std::string_view key, int64_t fallback = 0) const {
    auto raw = Raw(key);
    if (!raw) return fallback;
    char* end = nullptr;
    const long long v = std::strtoll(raw->c_str(), &end, 10);
    if (raw->empty() || *end != '\0') {
      throw Error("plugin_config." + std::string(key) + ": expected an integer, got " + *raw);
    }
    return v;
  }
  bool GetBool(std::string_view key, bool fallback = false) const {
    auto raw = Raw(key);
    if (!raw) return fallback;
    if (*raw == "true") return true;
    if (*raw == "false") return false;
    throw Error("plugin_config." + std::string(key) + ": expected true or false, got " + *raw);
  }

 private:
  size_t SkipWs(size_t i) const {
    while (i < json_.size() && (json_[i] == ' ' || json_[i] == '\n' || json_[i] == '\t' ||
                                json_[i] == '\r')) {
      ++i;
    }
    return i;
  }
  // The end of the value starting at i (a string, a number/literal, or a nested container).
  size_t SkipValue(size_t i) const {
    if (i >= json_.size()) return i;
    if (json_[i] == '"') {
      for (++i; i < json_.size() && json_[i] != '"'; ++i) {
        if (json_[i] == '\\') ++i;
      }
      return i + 1;
    }
    if (json_[i] == '{' || json_[i] == '[') {
      int depth = 0;
      for (; i < json_.size(); ++i) {
        if (json_[i] == '"') {
          i = SkipValue(i) - 1;
        } else if (json_[i] == '{' || json_[i] == '[') {
          ++depth;
        } else if ((json_[i] == '}' || json_[i] == ']') && --depth == 0) {
          return i + 1;
        }
      }
      return i;
    }
    while (i < json_.size() && json_[i] != ',' && json_[i] != '}' && json_[i] != ']' &&
           json_[i] != ' ' && json_[i] != '\n') {
      ++i;
    }
    return i;
  }
  // The common escapes; \uXXXX is kept as written.
  static std::string Unquote(const std::string& quoted) {
    std::string out;
    for (size_t i = 1; i + 1 < quoted.size(); ++i) {
      char c = quoted[i];
      if (c == '\\' && i + 2 < quoted.size()) {
        c = quoted[++i];
        switch (c) {
          case 'n': c = '\n'; break;
          case 't': c = '\t'; break;
          case 'r': c = '\r'; break;
          case 'b': c = '\b'; break;
          case 'f': c = '\f'; break;
          case 'u': out += "\\"; break;
          default: break;
        }
      }
      out.push_back(c);
    }
    return out;
  }
  std::string json_;
};

/// Base of a source plugin. Constructor: (const Config&, Host&). Used by one thread at a time.
class Source {
 public:
  static constexpr rivven_plugin_kind kKind = RIVVEN_PLUGIN_SOURCE;
  virtual ~Source() = default;
  /// Resume just after `checkpoint` (a position from an earlier PollResult), or start over.
  virtual void Open(const std::optional<std::string>& checkpoint) {}
  /// At most max_records records; return within about max_wait when there is nothing to read.
  virtual PollResult Poll(size_t max_records, std::chrono::milliseconds max_wait) = 0;
  virtual void Close() {}
};

/// Base of a sink plugin. Used by one thread at a time.
class Sink {
 public:
  static constexpr rivven_plugin_kind kKind = RIVVEN_PLUGIN_SINK;
  virtual ~Sink() = default;
  /// The records are the host's: copy what you keep.
  virtual void Write(const std::vector<Record>& records) = 0;
  /// When this returns, everything written so far must be durable at the destination.
  virtual void Commit() = 0;
  virtual void Close() {}
};

/// Base of a transform plugin. Used by one thread at a time.
class Transform {
 public:
  static constexpr rivven_plugin_kind kKind = RIVVEN_PLUGIN_TRANSFORM;
  virtual ~Transform() = default;
  /// The record transformed, or nullopt to drop it.
  virtual std::optional<Record> Apply(Record record) = 0;
  virtual void Close() {}
};

namespace internal {

inline void Fill(rivven_error* err, const char* message, bool retriable) {
  if (err == nullptr) return;
  std::strncpy(err->message, message, sizeof err->message - 1);
  err->message[sizeof err->message - 1] = '\0';
  err->retriable = retriable ? 1 : 0;
}

/// Runs `f`, turning every exception into a filled `err` and a non-zero return.
template <typename F>
int Guard(rivven_error* err, F&& f) noexcept {
  try {
    f();
    return 0;
  } catch (const Error& e) {
    Fill(err, e.what(), e.retriable());
  } catch (const std::exception& e) {
    Fill(err, e.what(), false);
  } catch (...) {
    Fill(err, "unknown C++ exception", false);
  }
  return 1;
}

inline Record FromC(const rivven_record& r) {
  Record out;
  if (!r.key.is_null) out.key.emplace(reinterpret_cast<const char*>(r.key.data), r.key.len);
  if (!r.value.is_null) {
    out.value.emplace(reinterpret_cast<const char*>(r.value.data), r.value.len);
  }
  for (size_t i = 0; i < r.header_count; ++i) {
    const rivven_header& h = r.headers[i];
    out.headers.push_back({std::string(h.key, h.key_len),
                           std::string(reinterpret_cast<const char*>(h.value), h.value_len)});
  }
  out.timestamp_ms = r.timestamp_ms;
  if (r.topic != nullptr) out.topic.assign(r.topic, r.topic_len);
  out.partition = r.partition;
  out.offset = r.offset;
  return out;
}

inline rivven_bytes Bytes(const std::optional<std::string>& s) {
  rivven_bytes b{};
  if (!s) {
    b.is_null = 1;
  } else {
    b.data = reinterpret_cast<const uint8_t*>(s->data());
    b.len = s->size();
  }
  return b;
}

/// One instance: the user's object plus the buffers its last output lives in.
template <typename T>
struct Instance {
  Host host;
  std::unique_ptr<T> impl;
  std::vector<Record> out;        // the records handed to the host last
  std::vector<rivven_record> views;
  std::vector<rivven_header> headers;
  std::string position;

  explicit Instance(const rivven_host* h) : host(h) {}

  void Publish(rivven_batch* batch) {
    views.clear();
    headers.clear();
    size_t n_headers = 0;
    for (const Record& r : out) n_headers += r.headers.size();
    headers.reserve(n_headers);  // no reallocation below: views point into it
    for (const Record& r : out) {
      rivven_record v{};
      v.key = Bytes(r.key);
      v.value = Bytes(r.value);
      v.headers = headers.data() + headers.size();
      v.header_count = r.headers.size();
      for (const Header& h : r.headers) {
        headers.push_back({h.key.data(), h.key.size(),
                           reinterpret_cast<const uint8_t*>(h.value.data()), h.value.size()});
      }
      v.timestamp_ms = r.timestamp_ms;
      v.topic = r.topic.data();
      v.topic_len = r.topic.size();
      v.partition = -1;
      v.offset = -1;
      views.push_back(v);
    }
    batch->records = views.data();
    batch->count = views.size();
    batch->position = position.data();
    batch->position_len = position.size();
  }
};

template <typename T>
struct Adapter {
  using I = Instance<T>;

  static void* Create(const char* json, size_t len, const rivven_host* host, rivven_error* err) {
    I* created = nullptr;
    Guard(err, [&] {
      auto instance = std::make_unique<I>(host);
      Config config(std::string(json, len));
      instance->impl = std::make_unique<T>(config, instance->host);
      created = instance.release();
    });
    return created;
  }
  static int Open(void* p, const char* checkpoint, size_t len, rivven_error* err) {
    return Guard(err, [&] {
      auto* i = static_cast<I*>(p);
      if constexpr (std::is_base_of_v<Source, T>) {
        i->impl->Open(checkpoint == nullptr ? std::nullopt
                                            : std::optional<std::string>(std::string(checkpoint, len)));
      }
    });
  }
  static int Poll(void* p, size_t max_records, uint32_t max_wait_ms, rivven_batch* batch,
                  rivven_error* err) {
    return Guard(err, [&] {
      auto* i = static_cast<I*>(p);
      if constexpr (std::is_base_of_v<Source, T>) {
        PollResult r = i->impl->Poll(max_records, std::chrono::milliseconds(max_wait_ms));
        i->out = std::move(r.records);
        i->position = std::move(r.position);
        i->Publish(batch);
        batch->finished = r.finished ? 1 : 0;
      }
    });
  }
  static int Write(void* p, const rivven_record* records, size_t count, rivven_error* err) {
    return Guard(err, [&] {
      if constexpr (std::is_base_of_v<Sink, T>) {
        std::vector<Record> in;
        in.reserve(count);
        for (size_t k = 0; k < count; ++k) in.push_back(FromC(records[k]));
        static_cast<I*>(p)->impl->Write(in);
      }
    });
  }
  static int Commit(void* p, rivven_error* err) {
    return Guard(err, [&] {
      if constexpr (std::is_base_of_v<Sink, T>) static_cast<I*>(p)->impl->Commit();
    });
  }
  static int Apply(void* p, const rivven_record* in, size_t count, rivven_batch* batch,
                   rivven_error* err) {
    return Guard(err, [&] {
      auto* i = static_cast<I*>(p);
      if constexpr (std::is_base_of_v<Transform, T>) {
        i->out.clear();
        i->position.clear();
        for (size_t k = 0; k < count; ++k) {
          std::optional<Record> r = i->impl->Apply(FromC(in[k]));
          if (r) i->out.push_back(std::move(*r));
        }
        i->Publish(batch);
      }
    });
  }
  static int Close(void* p, rivven_error* err) {
    return Guard(err, [&] { static_cast<I*>(p)->impl->Close(); });
  }
  // Destructors are noexcept: one that throws terminates the process, as anywhere in C++.
  static void Destroy(void* p) { delete static_cast<I*>(p); }

  static const rivven_plugin_v1* Table(const char* name) {
    static_assert(std::is_base_of_v<Source, T> || std::is_base_of_v<Sink, T> ||
                      std::is_base_of_v<Transform, T>,
                  "RIVVEN_PLUGIN(T): T must derive from rivven::plugin::Source, Sink or Transform");
    static const rivven_plugin_v1 table = [name] {
      rivven_plugin_v1 t{};
      t.abi_version = RIVVEN_PLUGIN_ABI_VERSION;
      t.kind = T::kKind;
      t.name = name;
      t.description = nullptr;
      t.create = &Create;
      t.close = &Close;
      t.destroy = &Destroy;
      if constexpr (std::is_base_of_v<Source, T>) {
        t.open = &Open;
        t.poll = &Poll;
      } else if constexpr (std::is_base_of_v<Sink, T>) {
        t.write = &Write;
        t.commit = &Commit;
      } else {
        t.transform = &Apply;
      }
      return t;
    }();
    return &table;
  }
};

}  // namespace internal
}  // namespace rivven::plugin

/// Exports `Class` (derived from rivven::plugin::Source, Sink or Transform, constructible from
/// (const rivven::plugin::Config&, rivven::plugin::Host&)) as this library's plugin. Use once
/// per shared library.
#define RIVVEN_PLUGIN(Class)                                                          \
  extern "C" __attribute__((visibility("default"))) const rivven_plugin_v1*           \
  rivven_plugin_entry(void) {                                                         \
    return ::rivven::plugin::internal::Adapter<Class>::Table(#Class);                 \
  }

#endif  // RIVVEN_PLUGIN_HPP_
