#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "connectors/s3/s3_sink_config.h"
#include "record/record.h"

namespace rivven::s3 {

/// The bytes of one object, built record by record: jsonl/json/csv through the file sink's
/// record encoders and the shared stream compressors (so a .csv.gz in S3 is the same bytes a
/// file sink would write), parquet through formats/parquet (page compression). One per batch;
/// one owner.
class ObjectEncoder {
 public:
  virtual ~ObjectEncoder() = default;
  static Result<std::unique_ptr<ObjectEncoder>> Create(ObjectFormat format,
                                                       formats::Compression compression);
  /// InvalidArgument with a reason, and nothing kept, for a record the format cannot hold (a
  /// CSV record without the header's shape, a Parquet value that is not a JSON object).
  virtual Status Append(const ConsumedRecord& record) = 0;
  /// Bytes held so far (encoded, before compression).
  virtual size_t bytes() const = 0;
  /// The complete object: compressed (text formats) or encoded into pages (Parquet) here, so
  /// this is the costly part. Called once, possibly from another thread than Append.
  virtual Result<std::string> Finish() = 0;
};

}  // namespace rivven::s3
