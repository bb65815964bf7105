#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "config/schema.h"

namespace rivven::file {

enum class FileFormat { kJsonl };

/// The typed `config:` block of the file sink. Immutable after construction.
struct FileSinkConfig {
  std::string path;  ///< output directory; created if missing
  FileFormat format = FileFormat::kJsonl;
};

/// The single declaration of the file sink's keys.
config::Schema FileSinkSchema();

/// Reads a config bound against FileSinkSchema().
Result<FileSinkConfig> FileSinkConfigFromBound(const config::BoundConfig& bound);

/// File name extension (with the dot) of a format: ".jsonl".
const char* FileExtension(FileFormat format);

/// The file name a topic is written to: the topic itself when it uses only Kafka's topic
/// characters [A-Za-z0-9._-]; every other byte (including '/', '\\', '%' and NUL) becomes %XX,
/// and the names "." and ".." are escaped as a whole, so the name can never leave the output
/// directory and two topics never share a file. InvalidArgument for an empty topic or a name
/// longer than 255 bytes.
Result<std::string> TopicFileName(std::string_view topic, std::string_view extension);

}  // namespace rivven::file
