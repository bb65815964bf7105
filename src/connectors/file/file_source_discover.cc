#include "connectors/file/file_source_discover.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string_view>
#include <utility>

#include <rapidjson/document.h>

#include "base/json_escape.h"
#include "connectors/file/file_source_files.h"
#include "connectors/file/file_source_reader.h"

namespace rivven::file {
namespace {

enum TypeBit : unsigned {
  kNull = 1,
  kBoolean = 2,
  kInteger = 4,
  kNumber = 8,
  kString = 16,
  kArray = 32,
  kObject = 64,
};

unsigned TypeOf(const rapidjson::Value& v) {
  if (v.IsNull()) return kNull;
  if (v.IsBool()) return kBoolean;
  if (v.IsInt64() || v.IsUint64()) return kInteger;
  if (v.IsNumber()) return kNumber;
  if (v.IsString()) return kString;
  if (v.IsArray()) return kArray;
  return kObject;
}

void AppendTypes(std::string& out, unsigned bits) {
  if ((bits & kInteger) && (bits & kNumber)) bits &= ~kInteger;  // integers are numbers
  static const std::pair<unsigned, const char*> kNames[] = {
      {kObject, "object"},   {kArray, "array"},     {kString, "string"}, {kNumber, "number"},
      {kInteger, "integer"}, {kBoolean, "boolean"}, {kNull, "null"}};
  std::vector<const char*> names;
  for (const auto& [bit, name] : kNames) {
    if (bits & bit) names.push_back(name);
  }
  if (names.size() == 1) {
    out += "\"";
    out += names[0];
    out += "\"";
    return;
  }
  out += "[";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ",";
    out += "\"";
    out += names[i];
    out += "\"";
  }
  out += "]";
}

/// Merges the shapes of sampled values.
class SchemaInference {
 public:
  void Add(std::string_view json) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    if (doc.HasParseError()) return;
    top_ |= TypeOf(doc);
    if (!doc.IsObject()) return;
    for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
      const std::string name(it->name.GetString(), it->name.GetStringLength());
      size_t i = 0;
      while (i < properties_.size() && properties_[i].first != name) ++i;
      if (i == properties_.size()) properties_.emplace_back(name, 0u);
      properties_[i].second |= TypeOf(it->value);
    }
  }

  std::string Schema(const std::string& title) const {
    std::string out = "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"title\":";
    AppendJsonString(out, title);
    out += ",\"type\":";
    if (top_ == 0 || top_ == kObject) {
      out += "\"object\"";
    } else {
      AppendTypes(out, top_);
    }
    if (top_ & kObject) {
      out += ",\"properties\":{";
      for (size_t i = 0; i < properties_.size(); ++i) {
        if (i > 0) out += ",";
        AppendJsonString(out, properties_[i].first);
        out += ":{\"type\":";
        AppendTypes(out, properties_[i].second);
        out += "}";
      }
      out += "}";
    }
    out += "}";
    return out;
  }

 private:
  unsigned top_ = 0;
  std::vector<std::pair<std::string, unsigned>> properties_;
};

/// Keeps the first values a reader emits; bad input is skipped.
class SampleOutput final : public RecordOutput {
 public:
  explicit SampleOutput(SchemaInference& inference) : inference_(inference) {}
  void Emit(std::string value) override {
    inference_.Add(value);
    ++count_;
  }
  Status Reject(std::string_view, uint64_t, uint64_t, std::string_view) override {
    return Status::Ok();
  }
  size_t count() const { return count_; }

 private:
  SchemaInference& inference_;
  size_t count_ = 0;
};

std::string BaseName(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

Result<std::vector<StreamDescription>> DiscoverFileStreams(const FileSourceConfig& config) {
  RC_ASSIGN_OR_RETURN(Listing listing, ListFiles(config));
  if (!listing.exists) return Status::NotFound(config.path + ": no such file or directory");
  SchemaInference inference;
  SampleOutput sample(inference);
  // Sampling reads what is there; a last line without a line break counts.
  FileSourceConfig once = config;
  once.watch = false;
  size_t files = 0;
  for (const ListedFile& f : listing.files) {
    if (files++ == kDiscoverSampleFiles || sample.count() >= kDiscoverSampleRecords) break;
    const int fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(errno, "opening " + f.path);
    FileReader reader(once, f.path, fd, FileCursor{});
    Result<bool> r = reader.Read(sample, kDiscoverSampleRecords - sample.count(),
                                 FileReader::kMaxRecordBytes, /*complete=*/true);
    if (!r.ok()) return r.status();
  }
  const std::string name = BaseName(config.path);
  std::vector<StreamDescription> streams;
  streams.push_back(StreamDescription{name, inference.Schema(name)});
  return streams;
}

Status CheckFileSource(const FileSourceConfig& config) {
  RC_ASSIGN_OR_RETURN(Listing listing, ListFiles(config));
  if (!listing.exists) return Status::NotFound(config.path + ": no such file or directory");
  if (listing.is_dir) {
    if (::access(config.path.c_str(), R_OK | X_OK) != 0) {
      return Status::FromErrno(errno, config.path);
    }
  }
  for (const ListedFile& f : listing.files) {
    if (::access(f.path.c_str(), R_OK) != 0) return Status::FromErrno(errno, f.path);
  }
  return Status::Ok();
}

}  // namespace rivven::file
