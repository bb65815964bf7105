#include "broker/embedded/topic.h"

#include <cctype>
#include <cstdlib>

#include "broker/embedded/file.h"

namespace rivven::embedded {
namespace {

constexpr int32_t kMaxPartitions = 100000;

/// A cursor over the flat JSON object EncodeTopicMetadata writes: string and integer members.
class MetaParser {
 public:
  explicit MetaParser(std::string_view s) : s_(s) {}
  bool Parse(std::string* name, TopicSpec* spec, std::string* why) {
    bool have_partitions = false;
    if (!Expect('{')) return Fail(why, "expected '{'");
    if (Peek() == '}') return Fail(why, "empty object");
    while (true) {
      std::string key;
      if (!String(&key)) return Fail(why, "expected a member name");
      if (!Expect(':')) return Fail(why, "expected ':' after \"" + key + "\"");
      if (key == "name") {
        if (!String(name)) return Fail(why, "\"name\" is not a string");
      } else {
        int64_t v;
        if (!Int(&v)) return Fail(why, "\"" + key + "\" is not an integer");
        if (key == "partitions") {
          if (v < 1 || v > kMaxPartitions) return Fail(why, "\"partitions\" is out of range");
          spec->partitions = static_cast<int32_t>(v);
          have_partitions = true;
        } else if (key == "retention_ms") {
          spec->retention_ms = v;
        } else if (key == "retention_bytes") {
          spec->retention_bytes = v;
        } else if (key == "segment_bytes") {
          spec->segment_bytes = v;
        }  // other integer members: written by a newer version; ignored
      }
      if (Expect(',')) continue;
      if (Expect('}')) break;
      return Fail(why, "expected ',' or '}'");
    }
    SkipSpace();
    if (i_ != s_.size()) return Fail(why, "trailing bytes");
    if (!have_partitions) return Fail(why, "no \"partitions\"");
    return true;
  }

 private:
  static bool Fail(std::string* why, std::string m) {
    *why = std::move(m);
    return false;
  }
  void SkipSpace() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  char Peek() {
    SkipSpace();
    return i_ < s_.size() ? s_[i_] : '\0';
  }
  bool Expect(char c) {
    if (Peek() != c) return false;
    ++i_;
    return true;
  }
  bool String(std::string* out) {  // no escapes: topic names and keys never need them
    if (!Expect('"')) return false;
    const size_t end = s_.find('"', i_);
    if (end == std::string_view::npos ||
        s_.substr(i_, end - i_).find('\\') != std::string_view::npos) {
      return false;
    }
    out->assign(s_.substr(i_, end - i_));
    i_ = end + 1;
    return true;
  }
  bool Int(int64_t* out) {
    SkipSpace();
    const size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    if (i_ == start || (i_ == start + 1 && s_[start] == '-') || i_ - start > 19) return false;
    *out = std::strtoll(std::string(s_.substr(start, i_ - start)).c_str(), nullptr, 10);
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

Status ValidateSpec(const TopicSpec& spec) {
  if (spec.partitions < 1 || spec.partitions > kMaxPartitions) {
    return Status::InvalidArgument("partitions must be between 1 and " +
                                   std::to_string(kMaxPartitions) + ", got " +
                                   std::to_string(spec.partitions));
  }
  if (spec.segment_bytes != -1 && (spec.segment_bytes < 1 || spec.segment_bytes > INT32_MAX)) {
    return Status::InvalidArgument("segment_bytes must be -1 or 1.." + std::to_string(INT32_MAX));
  }
  return Status::Ok();
}

}  // namespace

Status ValidateTopicName(const std::string& name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") {
    return Status::InvalidArgument("invalid topic name '" + name +
                                   "': must be 1-249 characters and not '.' or '..'");
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return Status::InvalidArgument("invalid topic name '" + name +
                                     "': only ASCII letters, digits, '.', '_' and '-' are allowed");
    }
  }
  return Status::Ok();
}

std::string EncodeTopicMetadata(const std::string& name, const TopicSpec& spec) {
  return "{\"name\":\"" + name + "\",\"partitions\":" + std::to_string(spec.partitions) +
         ",\"retention_ms\":" + std::to_string(spec.retention_ms) +
         ",\"retention_bytes\":" + std::to_string(spec.retention_bytes) +
         ",\"segment_bytes\":" + std::to_string(spec.segment_bytes) + "}\n";
}

Result<TopicSpec> ParseTopicMetadata(std::string_view json, const std::string& path) {
  TopicSpec spec;
  std::string name, why;
  if (!MetaParser(json).Parse(&name, &spec, &why)) {
    return Status::Corruption(path + " is not valid topic metadata: " + why);
  }
  return spec;
}

LogConfig Topic::Resolve(const TopicSpec& spec, const LogConfig& defaults) {
  LogConfig c = defaults;
  if (spec.segment_bytes > 0) c.segment_bytes = spec.segment_bytes;
  if (spec.retention_ms != -1) c.retention_ms = spec.retention_ms;
  if (spec.retention_bytes != -1) c.retention_bytes = spec.retention_bytes;
  return c;
}

Status Topic::OpenPartitions(const std::string& dir, const LogConfig& defaults, bool clean_shutdown,
                             std::vector<std::string>* report) {
  const LogConfig config = Resolve(spec_, defaults);
  for (int32_t p = 0; p < spec_.partitions; ++p) {
    const std::string pdir = dir + "/" + std::to_string(p);
    if (!config.read_only) RC_RETURN_IF_ERROR(CreateDirs(pdir));
    RC_ASSIGN_OR_RETURN(auto log,
                        PartitionLog::Open(pdir, name_, p, config, clean_shutdown, report));
    partitions_.push_back(std::move(log));
  }
  return Status::Ok();
}

Result<std::unique_ptr<Topic>> Topic::Create(const std::string& topics_dir, const std::string& name,
                                             const TopicSpec& spec, const LogConfig& defaults,
                                             std::vector<std::string>* report) {
  RC_RETURN_IF_ERROR(ValidateTopicName(name));
  RC_RETURN_IF_ERROR(ValidateSpec(spec));
  const std::string dir = topics_dir + "/" + name;
  const std::string meta = dir + "/topic.json";
  if (ReadWholeFile(meta).ok())
    return Status::Error(StatusCode::kAlreadyExists, "topic '" + name + "' already exists");
  RC_RETURN_IF_ERROR(CreateDirs(dir));
  std::unique_ptr<Topic> topic(new Topic(name, spec));
  // Partition directories (and their first segments) before the metadata that makes the topic
  // exist. Leftovers of an interrupted creation are reused: they hold no acknowledged data.
  RC_RETURN_IF_ERROR(topic->OpenPartitions(dir, defaults, false, report));
  RC_RETURN_IF_ERROR(WriteFileAtomically(meta, EncodeTopicMetadata(name, spec)));
  return topic;
}

Result<std::unique_ptr<Topic>> Topic::Open(const std::string& topics_dir, const std::string& name,
                                           const LogConfig& defaults, bool clean_shutdown,
                                           std::vector<std::string>* report) {
  const std::string dir = topics_dir + "/" + name;
  const std::string meta = dir + "/topic.json";
  RC_ASSIGN_OR_RETURN(std::string json, ReadWholeFile(meta));
  RC_ASSIGN_OR_RETURN(TopicSpec spec, ParseTopicMetadata(json, meta));
  std::unique_ptr<Topic> topic(new Topic(name, spec));
  RC_RETURN_IF_ERROR(topic->OpenPartitions(dir, defaults, clean_shutdown, report));
  return topic;
}

TopicInfo Topic::Describe() const {
  TopicInfo info;
  info.name = name_;
  info.spec = spec_;
  for (const auto& p : partitions_) {
    (void)p->Refresh();  // read-only views catch up with the owner; a no-op otherwise
    info.partitions.push_back(p->Info());
  }
  return info;
}

Status Topic::EnforceRetention(TimestampMs now, std::vector<std::string>* removed) {
  for (auto& p : partitions_) RC_RETURN_IF_ERROR(p->EnforceRetention(now, removed));
  return Status::Ok();
}

Status Topic::Close() {
  Status first;
  for (auto& p : partitions_) {
    Status s = p->Close();
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

}  // namespace rivven::embedded
