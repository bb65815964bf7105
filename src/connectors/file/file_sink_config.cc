#include "connectors/file/file_sink_config.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace rivven::file {
namespace {

using config::Key;
using config::ValueType;

constexpr size_t kMaxFileName = 255;  // NAME_MAX on Linux file systems
constexpr std::string_view kInProgressPrefix = ".";
constexpr std::string_view kInProgressSuffix = ".inprogress";
constexpr size_t kStampChars = 16;  // yyyymmddTHHMMSSZ
constexpr uint64_t kMiB = 1024 * 1024;
constexpr int64_t kMaxSizeMb = 1024 * 1024;  // 1 TiB
constexpr double kMaxAgeHours = 24 * 366 * 10;

bool KeepsItsName(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

void AppendEscaped(std::string& out, unsigned char c) {
  static const char kHex[] = "0123456789ABCDEF";
  out.push_back('%');
  out.push_back(kHex[c >> 4]);
  out.push_back(kHex[c & 0xF]);
}

std::string FormatSeq(uint32_t seq) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04u", seq);
  return buf;
}

bool IsStamp(std::string_view s) {
  if (s.size() != kStampChars || s[8] != 'T' || s[15] != 'Z') return false;
  for (size_t i = 0; i < 15; ++i) {
    if (i != 8 && !IsDigit(s[i])) return false;
  }
  return true;
}

constexpr FileFormat kFormats[] = {FileFormat::kJsonl, FileFormat::kCsv, FileFormat::kJson};
constexpr formats::Compression kCompressions[] = {
    formats::Compression::kNone, formats::Compression::kGzip, formats::Compression::kZstd,
    formats::Compression::kSnappy};

}  // namespace

config::Schema FileSinkSchema() {
  config::Schema s;
  s.Add(Key("path", ValueType::kString,
            "Output directory (created if missing). Plain jsonl appends to <path>/<topic>.jsonl; "
            "every other setting writes rolling files <path>/<topic>-<UTC time>-<seq>.<ext>, "
            "hidden as .<name>.inprogress until complete")
            .Required());
  s.Add(Key("format", ValueType::kString,
            "jsonl: each value's bytes plus a newline, copied without parsing; csv: RFC 4180 "
            "with a header of the first record's keys per file (values must be JSON objects); "
            "json: one JSON array per file")
            .Default("jsonl")
            .OneOf({"jsonl", "csv", "json"}));
  s.Add(Key("compression", ValueType::kString,
            "none, gzip, zstd or snappy (framing format, .sz); every Flush ends a gzip member / "
            "zstd frame / snappy stream, so a crash never costs more than the unflushed tail")
            .Default("none")
            .OneOf({"none", "gzip", "zstd", "snappy"}));
  s.Add(Key("rotation", ValueType::kObject, "When a file is complete and a new one starts")
            .Child(Key("max_size_mb", ValueType::kInt,
                       "Roll a file once it reaches this many MiB (on disk, so compressed size); "
                       "0 = no size limit")
                       .Default("0")
                       .Min(0)
                       .Max(static_cast<double>(kMaxSizeMb)))
            .Child(Key("max_age_hours", ValueType::kDouble,
                       "Roll a file older than this (checked when a record arrives for it and at "
                       "every flush); 0 = no age limit")
                       .Default("0")
                       .Min(0)
                       .Max(kMaxAgeHours)));
  return s;
}

Result<FileSinkConfig> FileSinkConfigFromBound(const config::BoundConfig& bound) {
  FileSinkConfig c;
  c.path = bound.GetString("path");
  if (c.path.empty()) return Status::InvalidArgument(bound.path() + ".path: must not be empty");
  const std::string format = bound.GetString("format");
  if (format == "jsonl") {
    c.format = FileFormat::kJsonl;
  } else if (format == "csv") {
    c.format = FileFormat::kCsv;
  } else if (format == "json") {
    c.format = FileFormat::kJson;
  } else {
    return Status::InvalidArgument(bound.path() + ".format: unsupported format '" + format +
                                   "' (expected jsonl, csv or json)");
  }
  const std::string compression = bound.GetString("compression");
  if (compression == "none") {
    c.compression = formats::Compression::kNone;
  } else if (compression == "gzip") {
    c.compression = formats::Compression::kGzip;
  } else if (compression == "zstd") {
    c.compression = formats::Compression::kZstd;
  } else if (compression == "snappy") {
    c.compression = formats::Compression::kSnappy;
  } else {
    return Status::InvalidArgument(bound.path() + ".compression: unsupported compression '" +
                                   compression + "' (expected none, gzip, zstd or snappy)");
  }
  const config::BoundConfig rotation = bound.GetObject("rotation");
  const int64_t mb = rotation.GetInt("max_size_mb");
  const double hours = rotation.GetDouble("max_age_hours");
  if (mb < 0 || mb > kMaxSizeMb) {
    return Status::InvalidArgument(rotation.path() + ".max_size_mb: out of range");
  }
  if (!(hours >= 0 && hours <= kMaxAgeHours)) {
    return Status::InvalidArgument(rotation.path() + ".max_age_hours: out of range");
  }
  c.max_size_bytes = static_cast<uint64_t>(mb) * kMiB;
  c.max_age_ms = std::llround(hours * 3600.0 * 1000.0);
  return c;
}

const char* FileExtension(FileFormat format) {
  switch (format) {
    case FileFormat::kJsonl:
      return ".jsonl";
    case FileFormat::kCsv:
      return ".csv";
    case FileFormat::kJson:
      return ".json";
  }
  return ".jsonl";
}

std::string EscapeTopic(std::string_view topic) {
  std::string name;
  name.reserve(topic.size());
  if (topic == "." || topic == "..") {
    for (char c : topic) AppendEscaped(name, static_cast<unsigned char>(c));
    return name;
  }
  for (char c : topic) {
    if (KeepsItsName(c)) {
      name.push_back(c);
    } else {
      AppendEscaped(name, static_cast<unsigned char>(c));
    }
  }
  return name;
}

Result<std::string> TopicFileName(std::string_view topic, std::string_view extension) {
  if (topic.empty()) return Status::InvalidArgument("file sink: empty topic name");
  std::string name = EscapeTopic(topic);
  name += extension;
  if (name.size() > kMaxFileName) {
    return Status::InvalidArgument(
        "file sink: topic name too long for a file name (" + std::to_string(name.size()) +
        " bytes after escaping): " + std::string(topic.substr(0, 64)) + "...");
  }
  return name;
}

Result<std::string> RollingFileName(std::string_view topic, TimestampMs created, uint32_t seq,
                                    std::string_view extension) {
  if (topic.empty()) return Status::InvalidArgument("file sink: empty topic name");
  const std::time_t secs = static_cast<std::time_t>(std::max<TimestampMs>(created, 0) / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  std::string name = EscapeTopic(topic);
  name += '-';
  name += stamp;
  name += '-';
  name += FormatSeq(seq);
  name += extension;
  if (name.size() + kInProgressPrefix.size() + kInProgressSuffix.size() > kMaxFileName) {
    return Status::InvalidArgument(
        "file sink: topic name too long for a file name (" + std::to_string(name.size()) +
        " bytes after escaping): " + std::string(topic.substr(0, 64)) + "...");
  }
  return name;
}

std::string InProgressName(std::string_view final_name) {
  std::string name(kInProgressPrefix);
  name += final_name;
  name += kInProgressSuffix;
  return name;
}

std::string RollingName::WithSequence(uint32_t other) const {
  return stem + FormatSeq(other) + extension;
}

std::optional<RollingName> ParseInProgressName(std::string_view name) {
  if (!name.starts_with(kInProgressPrefix) || !name.ends_with(kInProgressSuffix)) {
    return std::nullopt;
  }
  std::string_view base = name.substr(
      kInProgressPrefix.size(), name.size() - kInProgressPrefix.size() - kInProgressSuffix.size());
  RollingName r;
  bool matched = false;
  for (FileFormat f : kFormats) {
    for (formats::Compression c : kCompressions) {
      const std::string ext = std::string(FileExtension(f)) + formats::CompressionExtension(c);
      if (base.ends_with(ext)) {
        r.extension = ext;
        r.format = f;
        r.compression = c;
        matched = true;
      }
    }
  }
  if (!matched) return std::nullopt;
  base.remove_suffix(r.extension.size());
  const size_t dash = base.rfind('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const std::string_view seq = base.substr(dash + 1);
  if (seq.empty() || seq.size() > 9) return std::nullopt;
  for (char c : seq) {
    if (!IsDigit(c)) return std::nullopt;
  }
  r.seq = static_cast<uint32_t>(std::stoul(std::string(seq)));
  const std::string_view before = base.substr(0, dash);  // <escaped>-<stamp>
  if (before.size() < kStampChars + 2) return std::nullopt;
  if (!IsStamp(before.substr(before.size() - kStampChars))) return std::nullopt;
  if (before[before.size() - kStampChars - 1] != '-') return std::nullopt;
  r.escaped_topic = std::string(before.substr(0, before.size() - kStampChars - 1));
  r.stem = std::string(base.substr(0, dash + 1));
  return r;
}

}  // namespace rivven::file
