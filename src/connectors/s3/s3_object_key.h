#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/types.h"
#include "connectors/s3/s3_sink_config.h"

// Where a batch goes: object keys are a function of topic, partition, time folder and the batch's
// first offset only, so writing a batch again after a crash replaces its object instead of adding
// a second one.
namespace rivven::s3 {

/// Start (ms since the epoch, UTC) of the hour, day or month holding `timestamp_ms`; 0 for kNone.
int64_t TimeBucketOf(PartitionBy by, int64_t timestamp_ms);

/// The Hive-style folder of a bucket start: "dt=2024-05-01/hour=13" (hour),
/// "dt=2024-05-01" (day), "dt=2024-05" (month); "" for kNone.
std::string TimeFolder(PartitionBy by, int64_t bucket_start_ms);

/// The file name suffix of an object: ".jsonl", ".csv.gz", ".json.zst", ".jsonl.sz", ".parquet"
/// (Parquet compresses its pages, not the file).
std::string ObjectExtension(ObjectFormat format, formats::Compression compression);

/// The Content-Type an object is stored with.
std::string ObjectContentType(ObjectFormat format, formats::Compression compression);

/// `<prefix>/<topic>/<time folder>/<topic>+<partition>+<first offset>.<ext>`: the topic escaped
/// like the file sink's names ([A-Za-z0-9._-] kept, other bytes %XX), the offset zero-padded to
/// 20 digits so keys sort by offset; empty prefix and time folder are left out.
std::string ObjectKey(const S3SinkConfig& config, std::string_view topic, int32_t partition,
                      int64_t bucket_start_ms, Offset first_offset);

}  // namespace rivven::s3
