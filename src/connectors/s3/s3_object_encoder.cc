#include "connectors/s3/s3_object_encoder.h"

#include "connectors/file/file_sink_encoder.h"
#include "formats/compression.h"
#include "formats/parquet/parquet_writer.h"

namespace rivven::s3 {
namespace {

/// jsonl, json, csv: a file sink record encoder; the text is compressed in Finish, which the
/// sink runs on an upload thread, so compression of one object overlaps reading the next.
class TextObjectEncoder final : public ObjectEncoder {
 public:
  TextObjectEncoder(std::unique_ptr<file::RecordEncoder> encoder, formats::Compression compression)
      : encoder_(std::move(encoder)), compression_(compression) {}

  Status Append(const ConsumedRecord& record) override { return encoder_->Append(record, text_); }
  size_t bytes() const override { return text_.size(); }
  Result<std::string> Finish() override {
    encoder_->AppendTrailer(text_);
    if (compression_ == formats::Compression::kNone) return std::move(text_);
    RC_ASSIGN_OR_RETURN(auto compressor, formats::Compressor::Create(compression_));
    std::string out;
    RC_RETURN_IF_ERROR(compressor->Write(text_, out));
    RC_RETURN_IF_ERROR(compressor->EndMember(out));
    text_ = std::string();
    return out;
  }

 private:
  std::unique_ptr<file::RecordEncoder> encoder_;
  formats::Compression compression_;
  std::string text_;
};

class ParquetObjectEncoder final : public ObjectEncoder {
 public:
  explicit ParquetObjectEncoder(formats::parquet::WriterOptions options) : writer_(options) {}
  Status Append(const ConsumedRecord& record) override {
    if (!record.record.value) {
      return Status::InvalidArgument("a null value has no Parquet row (a JSON object is needed)");
    }
    return writer_.Append(*record.record.value);
  }
  size_t bytes() const override { return writer_.buffered_bytes(); }
  Result<std::string> Finish() override { return writer_.Finish(); }

 private:
  formats::parquet::Writer writer_;
};

formats::parquet::Codec PageCodec(formats::Compression c) {
  switch (c) {
    case formats::Compression::kGzip: return formats::parquet::Codec::kGzip;
    case formats::Compression::kZstd: return formats::parquet::Codec::kZstd;
    case formats::Compression::kSnappy: return formats::parquet::Codec::kSnappy;
    case formats::Compression::kNone: break;
  }
  return formats::parquet::Codec::kUncompressed;
}

}  // namespace

Result<std::unique_ptr<ObjectEncoder>> ObjectEncoder::Create(ObjectFormat format,
                                                             formats::Compression compression) {
  if (format == ObjectFormat::kParquet) {
    formats::parquet::WriterOptions o;
    o.codec = PageCodec(compression);
    return std::unique_ptr<ObjectEncoder>(std::make_unique<ParquetObjectEncoder>(o));
  }
  const file::FileFormat ff = format == ObjectFormat::kCsv    ? file::FileFormat::kCsv
                              : format == ObjectFormat::kJson ? file::FileFormat::kJson
                                                              : file::FileFormat::kJsonl;
  return std::unique_ptr<ObjectEncoder>(
      std::make_unique<TextObjectEncoder>(file::RecordEncoder::Create(ff), compression));
}

}  // namespace rivven::s3
