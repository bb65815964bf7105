#include "connectors/s3/s3_sink_config.h"

namespace rivven::s3 {

using config::Key;
using config::ValueType;

const char* ObjectFormatName(ObjectFormat f) {
  switch (f) {
    case ObjectFormat::kJsonl: return "jsonl";
    case ObjectFormat::kJson: return "json";
    case ObjectFormat::kCsv: return "csv";
    case ObjectFormat::kParquet: return "parquet";
  }
  return "jsonl";
}

config::Schema S3SinkSchema() {
  config::Schema s;
  s.Add(Key("bucket", ValueType::kString, "S3 bucket name.").Required());
  s.Add(Key("prefix", ValueType::kString,
            "Object key prefix (a folder: objects go under <prefix>/<topic>/...)."));
  s.Add(Key("region", ValueType::kString, "AWS region (signs every request), e.g. us-east-1.")
            .Required());
  s.Add(Key("format", ValueType::kString,
            "Object format: JSON Lines, one JSON array, CSV (header from the first record), or "
            "Parquet (schema inferred from the batch).")
            .Default("jsonl")
            .OneOf({"jsonl", "json", "csv", "parquet"}));
  s.Add(Key("partition_by", ValueType::kString,
            "Hive-style folders by record time (UTC): day and month add dt=YYYY-MM-DD (month: "
            "dt=YYYY-MM), hour adds dt=YYYY-MM-DD/hour=HH. Absent: no time folders.")
            .OneOf({"hour", "day", "month"}));
  s.Add(Key("compression", ValueType::kString,
            "jsonl/json/csv: the object is compressed whole (.gz, .zst, .sz = Snappy framing "
            "format); parquet: its pages are.")
            .Default("none")
            .OneOf({"none", "gzip", "zstd", "snappy"}));
  s.Add(Key("batch_size", ValueType::kInt,
            "Records per object (per topic, partition and time folder).")
            .Default("1000")
            .Min(1)
            .Max(10000000));
  s.Add(Key("batch_timeout_secs", ValueType::kDouble,
            "An object is written at the latest this long after its first record arrived, "
            "full or not.")
            .Default("60")
            .Min(0.001)
            .Max(86400));
  s.Add(Key("endpoint", ValueType::kString,
            "S3-compatible endpoint (MinIO, Ceph...), e.g. https://minio.local:9000. Absent: "
            "AWS (https://s3.<region>.amazonaws.com)."));
  s.Add(Key("force_path_style", ValueType::kBool,
            "Address objects as <endpoint>/<bucket>/<key> instead of <bucket>.<endpoint>/<key>.")
            .Default("false"));
  s.Add(Key("access_key_id", ValueType::kString,
            "Access key; absent: AWS_ACCESS_KEY_ID (with AWS_SECRET_ACCESS_KEY and "
            "AWS_SESSION_TOKEN) from the environment."));
  s.Add(Key("secret_access_key", ValueType::kString, "Secret key for access_key_id.").Secret());
  s.Add(Key("max_attempts", ValueType::kInt,
            "Tries of one request (5xx, 429, SlowDown, timeouts, dropped connections are "
            "retried with exponential backoff and jitter); then the sink fails and restarts "
            "from its last commit.")
            .Default("5")
            .Min(1)
            .Max(100));
  s.Add(Key("max_in_flight", ValueType::kInt,
            "Objects compressed (or encoded as Parquet) and uploaded at once, by as many "
            "threads, while the sink reads on; offsets are committed only below the oldest "
            "object not written yet.")
            .Default("4")
            .Min(1)
            .Max(64));
  s.Add(Key("multipart_threshold_mb", ValueType::kInt,
            "Objects at least this big are uploaded in parts (multipart upload).")
            .Default("16")
            .Min(5)
            .Max(5 * 1024));
  s.Add(Key("part_size_mb", ValueType::kInt, "Size of each part of a multipart upload.")
            .Default("8")
            .Min(5)
            .Max(5 * 1024));
  s.Add(Key("tls", ValueType::kObject, "TLS to the endpoint (verified unless turned off).")
            .Child(Key("ca_path", ValueType::kString,
                       "CA bundle (PEM) that signs the endpoint's certificate; absent: the "
                       "system's trust store."))
            .Child(Key("verify", ValueType::kBool,
                       "Check the endpoint's certificate and host name; false logs a warning.")
                       .Default("true")));
  return s;
}

namespace {

formats::Compression CompressionOf(const std::string& name) {
  if (name == "gzip") return formats::Compression::kGzip;
  if (name == "zstd") return formats::Compression::kZstd;
  if (name == "snappy") return formats::Compression::kSnappy;
  return formats::Compression::kNone;
}

ObjectFormat FormatOf(const std::string& name) {
  if (name == "json") return ObjectFormat::kJson;
  if (name == "csv") return ObjectFormat::kCsv;
  if (name == "parquet") return ObjectFormat::kParquet;
  return ObjectFormat::kJsonl;
}

PartitionBy PartitionOf(const std::string& name) {
  if (name == "hour") return PartitionBy::kHour;
  if (name == "day") return PartitionBy::kDay;
  if (name == "month") return PartitionBy::kMonth;
  return PartitionBy::kNone;
}

std::string TrimSlashes(std::string s) {
  while (!s.empty() && s.front() == '/') s.erase(0, 1);
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

Result<S3SinkConfig> S3SinkConfigFromBound(const config::BoundConfig& bound) {
  S3SinkConfig c;
  c.bucket = bound.GetString("bucket");
  if (c.bucket.empty() || c.bucket.find('/') != std::string::npos) {
    return Status::InvalidArgument(bound.path() + ".bucket: '" + c.bucket +
                                   "' is not a bucket name (no '/', not empty)");
  }
  c.prefix = TrimSlashes(bound.GetString("prefix"));
  c.region = bound.GetString("region");
  if (c.region.empty()) {
    return Status::InvalidArgument(bound.path() + ".region: empty; name the bucket's region");
  }
  c.format = FormatOf(bound.GetString("format"));
  c.partition_by = PartitionOf(bound.GetString("partition_by"));
  c.compression = CompressionOf(bound.GetString("compression"));
  c.batch_size = bound.GetInt("batch_size");
  c.batch_timeout = std::chrono::milliseconds(
      static_cast<int64_t>(bound.GetDouble("batch_timeout_secs") * 1000.0 + 0.5));
  c.endpoint = bound.GetString("endpoint");
  while (!c.endpoint.empty() && c.endpoint.back() == '/') c.endpoint.pop_back();
  if (!c.endpoint.empty() && c.endpoint.rfind("http://", 0) != 0 &&
      c.endpoint.rfind("https://", 0) != 0) {
    return Status::InvalidArgument(bound.path() + ".endpoint: '" + c.endpoint +
                                   "' is not an http:// or https:// URL");
  }
  c.force_path_style = bound.GetBool("force_path_style");
  c.access_key_id = bound.GetString("access_key_id");
  c.secret_access_key = bound.GetString("secret_access_key");
  if (c.access_key_id.empty() != c.secret_access_key.empty()) {
    return Status::InvalidArgument(bound.path() +
                                   ": access_key_id and secret_access_key go together (or "
                                   "neither, for the AWS_* environment variables)");
  }
  c.max_attempts = bound.GetInt("max_attempts");
  c.max_in_flight = bound.GetInt("max_in_flight");
  c.multipart_threshold_bytes = static_cast<uint64_t>(bound.GetInt("multipart_threshold_mb")) << 20;
  c.part_size_bytes = static_cast<uint64_t>(bound.GetInt("part_size_mb")) << 20;
  const config::BoundConfig tls = bound.GetObject("tls");
  c.verify_tls = tls.GetBool("verify");
  c.ca_path = tls.GetString("ca_path");
  c.tls_owner = tls.path() + ".verify";
  return c;
}

}  // namespace rivven::s3
