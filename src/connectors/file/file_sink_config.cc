#include "connectors/file/file_sink_config.h"

namespace rivven::file {
namespace {

using config::Key;
using config::ValueType;

constexpr size_t kMaxFileName = 255;  // NAME_MAX on Linux file systems

bool KeepsItsName(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '-';
}

void AppendEscaped(std::string& out, unsigned char c) {
  static const char kHex[] = "0123456789ABCDEF";
  out.push_back('%');
  out.push_back(kHex[c >> 4]);
  out.push_back(kHex[c & 0xF]);
}

}  // namespace

config::Schema FileSinkSchema() {
  config::Schema s;
  s.Add(Key("path", ValueType::kString,
            "Output directory (created if missing); each topic is appended to <path>/<topic>.jsonl")
            .Required());
  s.Add(Key("format", ValueType::kString,
            "jsonl: each record's value bytes plus a newline, copied without re-encoding")
            .Default("jsonl")
            .OneOf({"jsonl"}));
  return s;
}

Result<FileSinkConfig> FileSinkConfigFromBound(const config::BoundConfig& bound) {
  FileSinkConfig c;
  c.path = bound.GetString("path");
  if (c.path.empty()) return Status::InvalidArgument(bound.path() + ".path: must not be empty");
  const std::string format = bound.GetString("format");
  if (format != "jsonl") {
    return Status::InvalidArgument(bound.path() + ".format: unsupported format '" + format +
                                   "' (expected jsonl)");
  }
  c.format = FileFormat::kJsonl;
  return c;
}

const char* FileExtension(FileFormat format) {
  switch (format) {
    case FileFormat::kJsonl: return ".jsonl";
  }
  return ".jsonl";
}

Result<std::string> TopicFileName(std::string_view topic, std::string_view extension) {
  if (topic.empty()) return Status::InvalidArgument("file sink: empty topic name");
  std::string name;
  name.reserve(topic.size() + extension.size());
  if (topic == "." || topic == "..") {
    for (char c : topic) AppendEscaped(name, static_cast<unsigned char>(c));
  } else {
    for (char c : topic) {
      if (KeepsItsName(c)) {
        name.push_back(c);
      } else {
        AppendEscaped(name, static_cast<unsigned char>(c));
      }
    }
  }
  name += extension;
  if (name.size() > kMaxFileName) {
    return Status::InvalidArgument("file sink: topic name too long for a file name (" +
                                   std::to_string(name.size()) + " bytes after escaping): " +
                                   std::string(topic.substr(0, 64)) + "...");
  }
  return name;
}

}  // namespace rivven::file
