#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "base/status.h"
#include "config/schema.h"
#include "formats/compression.h"

namespace rivven::s3 {

enum class ObjectFormat { kJsonl, kJson, kCsv, kParquet };
enum class PartitionBy { kNone, kHour, kDay, kMonth };

/// The typed `config:` block of the s3 sink.
struct S3SinkConfig {
  std::string bucket;
  std::string prefix;  ///< without leading or trailing '/'
  std::string region;
  ObjectFormat format = ObjectFormat::kJsonl;
  PartitionBy partition_by = PartitionBy::kNone;
  /// jsonl/json/csv: the whole object is compressed (".gz", ".zst", ".sz"); parquet: its pages.
  formats::Compression compression = formats::Compression::kNone;
  int64_t batch_size = 1000;
  std::chrono::milliseconds batch_timeout{60000};
  std::string endpoint;  ///< empty: AWS
  bool force_path_style = false;
  std::string access_key_id;
  std::string secret_access_key;
  bool verify_tls = true;
  std::string ca_path;
  std::string tls_owner;  ///< the tls.verify key, named in the warning when it is false
  int64_t max_attempts = 5;
  int64_t max_in_flight = 4;  ///< objects compressed and uploaded at once
  uint64_t multipart_threshold_bytes = 16u << 20;
  uint64_t part_size_bytes = 8u << 20;
};

/// "jsonl", "json", "csv", "parquet".
const char* ObjectFormatName(ObjectFormat f);

config::Schema S3SinkSchema();
Result<S3SinkConfig> S3SinkConfigFromBound(const config::BoundConfig& bound);

}  // namespace rivven::s3
