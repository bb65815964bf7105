#include "formats/parquet/page_codec.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>

#include "formats/compression.h"

namespace rivven::formats::parquet {

Status CompressPage(CompressionCodec codec, std::string_view in, std::string* out) {
  switch (codec) {
    case CompressionCodec::kUncompressed:
      out->append(in);
      return Status::Ok();
    case CompressionCodec::kSnappy: {
      const size_t at = out->size();
      out->resize(at + snappy::MaxCompressedLength(in.size()));
      size_t written = 0;
      snappy::RawCompress(in.data(), in.size(), out->data() + at, &written);
      out->resize(at + written);
      return Status::Ok();
    }
    case CompressionCodec::kGzip:
    case CompressionCodec::kZstd: {
      RC_ASSIGN_OR_RETURN(
          std::string compressed,
          Compress(codec == CompressionCodec::kGzip ? Compression::kGzip : Compression::kZstd, in));
      out->append(compressed);
      return Status::Ok();
    }
    default:
      return Status::InvalidArgument(std::string("parquet: cannot write codec ") +
                                     CompressionCodecName(codec));
  }
}

namespace {

Status Inflate(std::string_view in, size_t size, std::string* out) {
  z_stream z{};
  // 15 + 32: a gzip member or a zlib stream, detected from the header (writers differ).
  if (inflateInit2(&z, 15 + 32) != Z_OK) return Status::Internal("parquet: inflateInit2 failed");
  out->resize(size);
  size_t produced = 0;
  size_t consumed = 0;
  int rc = Z_OK;
  // Members may be concatenated; each is inflated in turn until the input ends.
  while (consumed < in.size()) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + consumed));
    z.avail_in = static_cast<uInt>(std::min<size_t>(in.size() - consumed, 1u << 30));
    z.next_out = reinterpret_cast<Bytef*>(out->data() + produced);
    z.avail_out = static_cast<uInt>(size - produced);
    const uInt in_before = z.avail_in;
    const uInt out_before = z.avail_out;
    rc = inflate(&z, Z_FINISH);
    consumed += in_before - z.avail_in;
    produced += out_before - z.avail_out;
    if (rc == Z_STREAM_END) {
      if (consumed < in.size() && inflateReset(&z) != Z_OK) break;
      continue;
    }
    if (rc == Z_BUF_ERROR && z.avail_out == 0) {
      inflateEnd(&z);
      return Status::Corruption("GZIP data decodes to more than the page's " +
                                std::to_string(size) + " bytes");
    }
    break;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    return Status::Corruption(std::string("GZIP data does not decode: ") +
                              (z.msg != nullptr ? z.msg : "truncated"));
  }
  if (produced != size) {
    return Status::Corruption("GZIP data decodes to " + std::to_string(produced) +
                              " bytes, the page header says " + std::to_string(size));
  }
  return Status::Ok();
}

}  // namespace

Status DecompressPage(CompressionCodec codec, std::string_view in, size_t size, std::string* out) {
  switch (codec) {
    case CompressionCodec::kUncompressed:
      if (in.size() != size) {
        return Status::Corruption("uncompressed page of " + std::to_string(in.size()) +
                                  " bytes, the header says " + std::to_string(size));
      }
      out->assign(in);
      return Status::Ok();
    case CompressionCodec::kSnappy: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(in.data(), in.size(), &n) || n != size) {
        return Status::Corruption("SNAPPY data does not hold the page's " + std::to_string(size) +
                                  " bytes");
      }
      out->resize(size);
      if (!snappy::RawUncompress(in.data(), in.size(), out->data())) {
        return Status::Corruption("SNAPPY data does not decode");
      }
      return Status::Ok();
    }
    case CompressionCodec::kGzip:
      return Inflate(in, size, out);
    case CompressionCodec::kZstd: {
      out->resize(size);
      const size_t n = ZSTD_decompress(out->data(), size, in.data(), in.size());
      if (ZSTD_isError(n)) {
        return Status::Corruption(std::string("ZSTD data does not decode: ") +
                                  ZSTD_getErrorName(n));
      }
      if (n != size) {
        return Status::Corruption("ZSTD data decodes to " + std::to_string(n) +
                                  " bytes, the page header says " + std::to_string(size));
      }
      return Status::Ok();
    }
    default:
      return Status::Error(StatusCode::kInvalidArgument,
                           std::string("codec ") + CompressionCodecName(codec) +
                               " is not supported (UNCOMPRESSED, SNAPPY, GZIP and ZSTD are)");
  }
}

}  // namespace rivven::formats::parquet
