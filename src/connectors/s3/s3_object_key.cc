#include "connectors/s3/s3_object_key.h"

#include <chrono>
#include <cstdio>

#include "connectors/file/file_sink_config.h"

namespace rivven::s3 {
namespace {

std::chrono::year_month_day DayOf(int64_t ms) {
  const auto days = std::chrono::floor<std::chrono::days>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)));
  return std::chrono::year_month_day(days);
}

}  // namespace

int64_t TimeBucketOf(PartitionBy by, int64_t timestamp_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds(timestamp_ms)};
  switch (by) {
    case PartitionBy::kNone:
      return 0;
    case PartitionBy::kHour:
      return duration_cast<milliseconds>(floor<hours>(t).time_since_epoch()).count();
    case PartitionBy::kDay:
      return duration_cast<milliseconds>(floor<days>(t).time_since_epoch()).count();
    case PartitionBy::kMonth: {
      const year_month_day d = DayOf(timestamp_ms);
      const sys_days first{d.year() / d.month() / 1};
      return duration_cast<milliseconds>(first.time_since_epoch()).count();
    }
  }
  return 0;
}

std::string TimeFolder(PartitionBy by, int64_t bucket_start_ms) {
  if (by == PartitionBy::kNone) return "";
  const auto d = DayOf(bucket_start_ms);
  const int y = static_cast<int>(d.year());
  const unsigned m = static_cast<unsigned>(d.month()), day = static_cast<unsigned>(d.day());
  char buf[40];
  if (by == PartitionBy::kMonth) {
    std::snprintf(buf, sizeof buf, "dt=%04d-%02u", y, m);
  } else if (by == PartitionBy::kDay) {
    std::snprintf(buf, sizeof buf, "dt=%04d-%02u-%02u", y, m, day);
  } else {
    const int64_t ms_in_day = bucket_start_ms - TimeBucketOf(PartitionBy::kDay, bucket_start_ms);
    std::snprintf(buf, sizeof buf, "dt=%04d-%02u-%02u/hour=%02d", y, m, day,
                  static_cast<int>(ms_in_day / 3600000));
  }
  return buf;
}

std::string ObjectExtension(ObjectFormat format, formats::Compression compression) {
  std::string ext = std::string(".") + ObjectFormatName(format);
  if (format != ObjectFormat::kParquet) ext += formats::CompressionExtension(compression);
  return ext;
}

std::string ObjectContentType(ObjectFormat format, formats::Compression compression) {
  if (format == ObjectFormat::kParquet) return "application/vnd.apache.parquet";
  switch (compression) {
    case formats::Compression::kGzip: return "application/gzip";
    case formats::Compression::kZstd: return "application/zstd";
    case formats::Compression::kSnappy: return "application/x-snappy-framed";
    case formats::Compression::kNone: break;
  }
  switch (format) {
    case ObjectFormat::kJsonl: return "application/x-ndjson";
    case ObjectFormat::kJson: return "application/json";
    case ObjectFormat::kCsv: return "text/csv";
    case ObjectFormat::kParquet: break;
  }
  return "application/octet-stream";
}

std::string ObjectKey(const S3SinkConfig& config, std::string_view topic, int32_t partition,
                      int64_t bucket_start_ms, Offset first_offset) {
  const std::string escaped = file::EscapeTopic(topic);
  std::string key;
  if (!config.prefix.empty()) key += config.prefix + "/";
  key += escaped + "/";
  if (const std::string folder = TimeFolder(config.partition_by, bucket_start_ms); !folder.empty()) {
    key += folder + "/";
  }
  char tail[64];
  std::snprintf(tail, sizeof tail, "+%d+%020lld", partition,
                static_cast<long long>(first_offset.value()));
  key += escaped + tail + ObjectExtension(config.format, config.compression);
  return key;
}

}  // namespace rivven::s3
