#include "connectors/s3/s3_object_encoder.h"

#include "connectors/file/file_sink_encoder.h"
#include "formats/compression.h"
#include "formats/parquet/parquet_writer.h"

namespace rivven::s3 {
namespace {

/// jsonl, json, csv: a file sink record encoder, compressed as a stream when asked.
class TextObjectEncoder final : public ObjectEncoder {
 public:
  TextObjectEncoder(std::unique_ptr<file::RecordEncoder> encoder,
                    std::unique_ptr<formats::Compressor> compressor)
      : encoder_(std::move(encoder)), compressor_(std::move(compressor)) {}

  Status Append(const ConsumedRecord& record) override {
    if (!compressor_) return encoder_->Append(record, out_);
    scratch_.clear();
    RC_RETURN_IF_ERROR(encoder_->Append(record, scratch_));
    return compressor_->Write(scratch_, out_);
  }
  size_t bytes() const override { return out_.size(); }
  Result<std::string> Finish() override {
    scratch_.clear();
    encoder_->AppendTrailer(scratch_);
    if (compressor_) {
      RC_RETURN_IF_ERROR(compressor_->Write(scratch_, out_));
      RC_RETURN_IF_ERROR(compressor_->EndMember(out_));
    } else {
      out_ += scratch_;
    }
    return std::move(out_);
  }

 private:
  std::unique_ptr<file::RecordEncoder> encoder_;
  std::unique_ptr<formats::Compressor> compressor_;
  std::string out_, scratch_;
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
  std::unique_ptr<formats::Compressor> compressor;
  if (compression != formats::Compression::kNone) {
    RC_ASSIGN_OR_RETURN(compressor, formats::Compressor::Create(compression));
  }
  return std::unique_ptr<ObjectEncoder>(
      std::make_unique<TextObjectEncoder>(file::RecordEncoder::Create(ff), std::move(compressor)));
}

}  // namespace rivven::s3
