#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/types.h"
#include "config/schema.h"
#include "formats/compression.h"

namespace rivven::file {

enum class FileFormat { kJsonl, kCsv, kJson };

/// The typed `config:` block of the file sink. Immutable after construction.
struct FileSinkConfig {
  std::string path;  ///< output directory; created if missing
  FileFormat format = FileFormat::kJsonl;
  formats::Compression compression = formats::Compression::kNone;
  uint64_t max_size_bytes = 0;  ///< rotation.max_size_mb in bytes; 0 = no size limit
  int64_t max_age_ms = 0;       ///< rotation.max_age_hours in ms; 0 = no age limit

  /// Rolling files (temp name, renamed when complete) unless this is the plain-append case:
  /// jsonl, uncompressed, no rotation, which appends forever to <path>/<topic>.jsonl.
  bool rolling() const {
    return format != FileFormat::kJsonl || compression != formats::Compression::kNone ||
           max_size_bytes > 0 || max_age_ms > 0;
  }
};

/// The single declaration of the file sink's keys.
config::Schema FileSinkSchema();

/// Reads a config bound against FileSinkSchema().
Result<FileSinkConfig> FileSinkConfigFromBound(const config::BoundConfig& bound);

/// File name extension (with the dot) of a format: ".jsonl", ".csv", ".json".
const char* FileExtension(FileFormat format);

/// A topic as it appears in file names: kept when it uses only Kafka's topic characters
/// [A-Za-z0-9._-]; every other byte (including '/', '\\', '%' and NUL) becomes %XX, and the
/// names "." and ".." are escaped as a whole, so a name built from it can never leave the output
/// directory and two topics never share a file.
std::string EscapeTopic(std::string_view topic);

/// The append-mode file of a topic: EscapeTopic(topic) + extension. InvalidArgument for an
/// empty topic or a name longer than 255 bytes.
Result<std::string> TopicFileName(std::string_view topic, std::string_view extension);

/// The final name of a rolling file: `<escaped topic>-<yyyymmddTHHMMSSZ>-<seq>` + extension, the
/// time being the file's creation in UTC and seq at least four digits, so a topic's files sort
/// by creation. InvalidArgument for an empty topic or a name too long for the file system
/// (including the in-progress form).
Result<std::string> RollingFileName(std::string_view topic, TimestampMs created, uint32_t seq,
                                    std::string_view extension);

/// The hidden name a rolling file has while it is written: "." + final + ".inprogress".
std::string InProgressName(std::string_view final_name);

/// A rolling file name taken apart: `<stem><seq><extension>`, stem = "<escaped topic>-<time>-".
struct RollingName {
  std::string escaped_topic;
  std::string stem;
  uint32_t seq = 0;
  std::string extension;  ///< ".csv.gz"
  FileFormat format = FileFormat::kJsonl;
  formats::Compression compression = formats::Compression::kNone;

  /// The final name with another sequence number (to find a free name).
  std::string WithSequence(uint32_t other) const;
};

/// Parses the hidden in-progress name of a rolling file; nullopt for any other name.
std::optional<RollingName> ParseInProgressName(std::string_view name);

}  // namespace rivven::file
