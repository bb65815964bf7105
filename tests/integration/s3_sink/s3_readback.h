#pragma once

#include <string>
#include <vector>

#include "support/process.h"
#include "support/s3rver.h"

// Reading back what the s3 sink wrote, independently of our S3 client: boto3 lists and
// downloads (read_objects.py beside this file), Python's gzip and the zstd command decode,
// hyparquet and arrow-rs (npm) read Parquet.
namespace rivven::testing {

struct StoredObject {
  std::string key;
  uint64_t size = 0;  ///< stored (compressed) bytes
  std::string content_type;
  std::string body;  ///< decoded text (jsonl, json, csv); empty for parquet
  std::string parquet_path;
};

/// Every object under `prefix`, in key order. Fails the calling test (ADD_FAILURE) and returns
/// what it has when the reader fails.
std::vector<StoredObject> ReadBack(const S3rver& server, const std::string& bucket,
                                   const std::string& prefix, const TempDir& scratch);

/// The rows of a Parquet file as hyparquet renders them (compact JSON); also checks that
/// arrow-rs reads the same rows.
std::vector<std::string> ParquetRows(const std::string& path);

/// The values of a text object: jsonl lines, or the elements of a json object's array.
std::vector<std::string> TextValues(const StoredObject& object);

}  // namespace rivven::testing
