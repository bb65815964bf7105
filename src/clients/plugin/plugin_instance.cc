#include "clients/plugin/plugin_instance.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "base/log.h"
#include "clients/plugin/crash_note.h"

namespace rivven::plugin_host {
namespace {

void HostLog(void* context, int32_t level, const char* message, size_t len) {
  const auto* component = static_cast<const std::string*>(context);
  const log::Level l = level <= RIVVEN_LOG_DEBUG  ? log::Level::kDebug
                       : level == RIVVEN_LOG_INFO ? log::Level::kInfo
                       : level == RIVVEN_LOG_WARN ? log::Level::kWarn
                                                  : log::Level::kError;
  if (log::Enabled(l)) log::Write(l, *component, std::string_view(message, len));
}

std::string_view View(const char* data, size_t len) {
  return data == nullptr ? std::string_view() : std::string_view(data, len);
}

std::optional<std::string> CopyBytes(const rivven_bytes& b) {
  if (b.is_null) return std::nullopt;
  return std::string(View(reinterpret_cast<const char*>(b.data), b.len));
}

Record CopyRecord(const rivven_record& r) {
  Record out;
  out.key = CopyBytes(r.key);
  out.value = CopyBytes(r.value);
  out.headers.reserve(r.header_count);
  for (size_t i = 0; i < r.header_count; ++i) {
    const rivven_header& h = r.headers[i];
    out.headers.push_back(RecordHeader{
        std::string(View(h.key, h.key_len)),
        std::string(View(reinterpret_cast<const char*>(h.value), h.value_len))});
  }
  out.timestamp_ms = r.timestamp_ms;
  out.topic = std::string(View(r.topic, r.topic_len));
  return out;
}

rivven_bytes BytesOf(const std::optional<std::string>& s) {
  rivven_bytes b{};
  if (!s) {
    b.is_null = 1;
  } else {
    b.data = reinterpret_cast<const uint8_t*>(s->data());
    b.len = s->size();
  }
  return b;
}

/// C views of host records, valid while the records and this object live.
class RecordViews {
 public:
  void Add(const Record& r, std::string_view topic, int32_t partition, int64_t offset) {
    rivven_record v{};
    v.key = BytesOf(r.key);
    v.value = BytesOf(r.value);
    v.header_count = r.headers.size();
    for (const RecordHeader& h : r.headers) {
      headers_.push_back({h.key.data(), h.key.size(),
                          reinterpret_cast<const uint8_t*>(h.value.data()), h.value.size()});
    }
    v.timestamp_ms = r.timestamp_ms;
    v.topic = topic.data();
    v.topic_len = topic.size();
    v.partition = partition;
    v.offset = offset;
    records_.push_back(v);
  }
  /// Points each record at its headers; call once after the last Add (headers_ no longer
  /// grows, so the pointers stay put).
  const rivven_record* Finish() {
    size_t next = 0;
    for (rivven_record& v : records_) {
      v.headers = v.header_count == 0 ? nullptr : headers_.data() + next;
      next += v.header_count;
    }
    return records_.data();
  }
  size_t size() const { return records_.size(); }

 private:
  std::vector<rivven_record> records_;
  std::vector<rivven_header> headers_;
};

// The plugin's NUL-terminated message, even if it wrote the whole buffer without one.
std::string MessageOf(const rivven_error& err) {
  return std::string(err.message, strnlen(err.message, sizeof err.message));
}

}  // namespace

Result<std::unique_ptr<PluginInstance>> PluginInstance::Create(const std::string& path,
                                                               rivven_plugin_kind kind,
                                                               const std::string& config_json,
                                                               const std::string& connector_name) {
  RC_ASSIGN_OR_RETURN(std::unique_ptr<PluginLibrary> library, PluginLibrary::Load(path, kind));
  std::unique_ptr<PluginInstance> p(new PluginInstance(std::move(library), connector_name));
  rivven_error err{};
  void* instance = nullptr;
  try {
    CrashNote note(p->crash_note_.c_str(), "create");
    instance = p->library_->table().create(config_json.c_str(), config_json.size(), &p->host_,
                                           &err);
  } catch (...) {
    return Status::Internal(p->library_->label() +
                            ": create let a C++ exception escape across the C ABI");
  }
  if (instance == nullptr) {
    if (err.message[0] == '\0') std::strcpy(err.message, "create returned NULL");
    return p->CallStatus(1, "create", err);
  }
  p->instance_ = instance;
  return p;
}

PluginInstance::PluginInstance(std::unique_ptr<PluginLibrary> library, std::string connector_name)
    : library_(std::move(library)), connector_name_(std::move(connector_name)) {
  const char* name = library_->table().name != nullptr ? library_->table().name : "?";
  log_component_ = "plugin:" + std::string(name);
  crash_note_ = library_->label() + " of '" + connector_name_ + "'";
  host_.abi_version = RIVVEN_PLUGIN_ABI_VERSION;
  host_.connector_name = connector_name_.c_str();
  host_.context = &log_component_;
  host_.log = &HostLog;
}

PluginInstance::~PluginInstance() {
  if (instance_ == nullptr) return;
  try {
    CrashNote note(crash_note_.c_str(), "destroy");
    library_->table().destroy(instance_);
  } catch (...) {
    log::Error("plugin", "{}: destroy let a C++ exception escape across the C ABI",
               library_->label());
  }
}

Status PluginInstance::CallStatus(int rc, const char* function, const rivven_error& err) const {
  if (rc == 0) return Status::Ok();
  std::string message = MessageOf(err);
  if (message.empty()) message = "failed without a message";
  return Status::Error(StatusCode::kInternal,
                       library_->label() + ": " + function + ": " + message,
                       err.retriable != 0 ? Disposition::kRetriable : Disposition::kFatal);
}

// Every call below: a zeroed error struct, the crash note, and a catch-all so that a plugin
// that breaks the ABI's no-exceptions rule fails its connector instead of the process.
#define RIVVEN_PLUGIN_CALL(function, call)                                                 \
  rivven_error err{};                                                                      \
  int rc = 0;                                                                              \
  try {                                                                                    \
    CrashNote note(crash_note_.c_str(), function);                                         \
    rc = (call);                                                                           \
  } catch (...) {                                                                          \
    return Status::Internal(library_->label() + ": " + function +                          \
                            " let a C++ exception escape across the C ABI");               \
  }                                                                                        \
  RC_RETURN_IF_ERROR(CallStatus(rc, function, err))

Status PluginInstance::Open(const std::optional<std::string>& checkpoint) {
  RIVVEN_PLUGIN_CALL("open", library_->table().open(instance_,
                                                    checkpoint ? checkpoint->c_str() : nullptr,
                                                    checkpoint ? checkpoint->size() : 0, &err));
  return Status::Ok();
}

Result<PluginBatch> PluginInstance::Poll(size_t max_records, std::chrono::milliseconds max_wait) {
  rivven_batch batch{};
  const auto wait_ms = static_cast<uint32_t>(std::min<int64_t>(max_wait.count(), UINT32_MAX));
  RIVVEN_PLUGIN_CALL("poll", library_->table().poll(instance_, max_records, wait_ms, &batch, &err));
  if (batch.count > max_records) {
    return Status::Internal(library_->label() + ": poll returned " + std::to_string(batch.count) +
                            " records, more than the " + std::to_string(max_records) + " asked for");
  }
  PluginBatch out;
  out.records.reserve(batch.count);
  for (size_t i = 0; i < batch.count; ++i) out.records.push_back(CopyRecord(batch.records[i]));
  out.position = std::string(View(batch.position, batch.position_len));
  out.finished = batch.finished != 0;
  return out;
}

Status PluginInstance::Write(const std::vector<ConsumedRecord>& records) {
  RecordViews views;
  for (const ConsumedRecord& r : records) {
    views.Add(r.record, r.topic, r.partition, r.offset.value());
  }
  const rivven_record* data = views.Finish();
  RIVVEN_PLUGIN_CALL("write", library_->table().write(instance_, data, views.size(), &err));
  return Status::Ok();
}

Status PluginInstance::Commit() {
  RIVVEN_PLUGIN_CALL("commit", library_->table().commit(instance_, &err));
  return Status::Ok();
}

Result<std::optional<Record>> PluginInstance::Transform(const Record& record,
                                                        std::string_view topic) {
  RecordViews views;
  views.Add(record, topic, -1, -1);
  const rivven_record* data = views.Finish();
  rivven_batch batch{};
  RIVVEN_PLUGIN_CALL("transform",
                     library_->table().transform(instance_, data, 1, &batch, &err));
  if (batch.count > 1) {
    return Status::Internal(library_->label() + ": transform returned " +
                            std::to_string(batch.count) +
                            " records for one; plugin ABI version 1 allows at most one");
  }
  if (batch.count == 0) return std::optional<Record>();
  return std::optional<Record>(CopyRecord(batch.records[0]));
}

Status PluginInstance::Close() {
  if (closed_ || library_->table().close == nullptr) return Status::Ok();
  closed_ = true;
  RIVVEN_PLUGIN_CALL("close", library_->table().close(instance_, &err));
  return Status::Ok();
}

#undef RIVVEN_PLUGIN_CALL

}  // namespace rivven::plugin_host
