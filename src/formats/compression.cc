#include "formats/compression.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>

#include "formats/snappy_framing.h"

namespace rivven::formats {
namespace {

constexpr int kGzipLevel = 6;             // zlib's default: what `gzip` itself uses
constexpr int kZstdLevel = 3;             // zstd's default
constexpr int kGzipWindowBits = 15 + 16;  // +16: gzip header and trailer, not zlib's
constexpr size_t kOutputStep = 64 * 1024;
constexpr size_t kMaxZlibChunk = size_t{1} << 30;  // zlib counts bytes in 32-bit uInt

/// Grows `out` by `room` bytes for a library to write into; Commit gives back what it did not use.
class OutputWindow {
 public:
  OutputWindow(std::string& out, size_t room) : out_(out), start_(out.size()), room_(room) {
    out_.resize(start_ + room_);
  }
  char* data() { return out_.data() + start_; }
  size_t room() const { return room_; }
  void Commit(size_t used) { out_.resize(start_ + used); }

 private:
  std::string& out_;
  size_t start_;
  size_t room_;
};

class GzipCompressor final : public Compressor {
 public:
  ~GzipCompressor() override {
    if (initialized_) deflateEnd(&zs_);
  }

  Status Init() {
    if (deflateInit2(&zs_, kGzipLevel, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
      return Status::Internal("gzip: deflateInit2 failed");
    }
    initialized_ = true;
    return Status::Ok();
  }

  Status Write(std::string_view in, std::string& out) override {
    if (in.empty()) return Status::Ok();
    if (!member_open_) {
      if (used_ && deflateReset(&zs_) != Z_OK) return Status::Internal("gzip: deflateReset failed");
      member_open_ = true;
      used_ = true;
    }
    while (!in.empty()) {
      const size_t n = std::min(in.size(), kMaxZlibChunk);
      zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      zs_.avail_in = static_cast<uInt>(n);
      RC_RETURN_IF_ERROR(Run(Z_NO_FLUSH, out));
      in.remove_prefix(n);
    }
    return Status::Ok();
  }

  Status EndMember(std::string& out) override {
    if (!member_open_) return Status::Ok();
    zs_.next_in = nullptr;
    zs_.avail_in = 0;
    RC_RETURN_IF_ERROR(Run(Z_FINISH, out));
    member_open_ = false;
    return Status::Ok();
  }

 private:
  Status Run(int flush, std::string& out) {
    while (true) {
      OutputWindow w(out, kOutputStep);
      zs_.next_out = reinterpret_cast<Bytef*>(w.data());
      zs_.avail_out = static_cast<uInt>(w.room());
      const int rc = deflate(&zs_, flush);
      w.Commit(w.room() - zs_.avail_out);
      if (rc == Z_STREAM_END) return Status::Ok();
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Status::Internal("gzip: deflate failed (" + std::to_string(rc) + ")");
      }
      // Z_NO_FLUSH is done once all input is taken and the output was not the limit.
      if (flush == Z_NO_FLUSH && zs_.avail_in == 0 && zs_.avail_out != 0) return Status::Ok();
    }
  }

  z_stream zs_{};
  bool initialized_ = false;
  bool used_ = false;
};

class ZstdCompressor final : public Compressor {
 public:
  ~ZstdCompressor() override { ZSTD_freeCCtx(cctx_); }

  Status Init() {
    cctx_ = ZSTD_createCCtx();
    if (cctx_ == nullptr) return Status::Internal("zstd: out of memory");
    if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, kZstdLevel)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1))) {
      return Status::Internal("zstd: setting parameters failed");
    }
    return Status::Ok();
  }

  Status Write(std::string_view in, std::string& out) override {
    if (in.empty()) return Status::Ok();
    member_open_ = true;
    ZSTD_inBuffer ib{in.data(), in.size(), 0};
    while (ib.pos < ib.size) RC_RETURN_IF_ERROR(Step(ib, ZSTD_e_continue, out, nullptr));
    return Status::Ok();
  }

  Status EndMember(std::string& out) override {
    if (!member_open_) return Status::Ok();
    ZSTD_inBuffer ib{nullptr, 0, 0};
    size_t remaining = 1;
    while (remaining != 0) RC_RETURN_IF_ERROR(Step(ib, ZSTD_e_end, out, &remaining));
    member_open_ = false;
    return Status::Ok();
  }

 private:
  Status Step(ZSTD_inBuffer& ib, ZSTD_EndDirective mode, std::string& out, size_t* remaining) {
    OutputWindow w(out, std::max(kOutputStep, ZSTD_CStreamOutSize()));
    ZSTD_outBuffer ob{w.data(), w.room(), 0};
    const size_t r = ZSTD_compressStream2(cctx_, &ob, &ib, mode);
    w.Commit(ob.pos);
    if (ZSTD_isError(r)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(r));
    if (remaining != nullptr) *remaining = r;
    return Status::Ok();
  }

  ZSTD_CCtx* cctx_ = nullptr;
};

constexpr size_t kScratch = 128 * 1024;

class GzipDecompressor final : public Decompressor {
 public:
  ~GzipDecompressor() override {
    if (initialized_) inflateEnd(&zs_);
  }

  Status Init() {
    if (inflateInit2(&zs_, kGzipWindowBits) != Z_OK)
      return Status::Internal("gzip: inflateInit2 failed");
    initialized_ = true;
    scratch_.resize(kScratch);
    return Status::Ok();
  }

  Status Feed(std::string_view in, std::string* out) override {
    if (!failed_.ok()) return failed_;
    fed_ += in.size();
    while (true) {
      const size_t n = std::min(in.size(), kMaxZlibChunk);
      zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      zs_.avail_in = static_cast<uInt>(n);
      zs_.next_out = reinterpret_cast<Bytef*>(scratch_.data());
      zs_.avail_out = static_cast<uInt>(scratch_.size());
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      const size_t taken = n - zs_.avail_in;
      const size_t produced = scratch_.size() - zs_.avail_out;
      in.remove_prefix(taken);
      consumed_ += taken;
      produced_ += produced;
      const std::string_view decoded(scratch_.data(), produced);
      if (out != nullptr) out->append(decoded);
      TrackOutput(decoded);
      if (rc == Z_STREAM_END) {
        MemberEnded(consumed_, produced_);
        if (inflateReset(&zs_) != Z_OK) return Fail("inflateReset failed");
      } else if (rc == Z_BUF_ERROR) {
        if (in.empty()) break;  // needs more input
      } else if (rc != Z_OK) {
        return Fail(zs_.msg != nullptr ? zs_.msg : "inflate error " + std::to_string(rc));
      }
      if (in.empty() && zs_.avail_out != 0) break;
    }
    return Status::Ok();
  }

 private:
  Status Fail(const std::string& why) {
    failed_ = Status::Corruption("gzip: " + why + " at byte " + std::to_string(consumed_));
    return failed_;
  }

  z_stream zs_{};
  bool initialized_ = false;
  std::string scratch_;
  uint64_t consumed_ = 0;
  uint64_t produced_ = 0;
  Status failed_;
};

class ZstdDecompressor final : public Decompressor {
 public:
  ~ZstdDecompressor() override { ZSTD_freeDCtx(dctx_); }

  Status Init() {
    dctx_ = ZSTD_createDCtx();
    if (dctx_ == nullptr) return Status::Internal("zstd: out of memory");
    scratch_.resize(std::max(kScratch, ZSTD_DStreamOutSize()));
    return Status::Ok();
  }

  Status Feed(std::string_view in, std::string* out) override {
    if (!failed_.ok()) return failed_;
    fed_ += in.size();
    ZSTD_inBuffer ib{in.data(), in.size(), 0};
    while (true) {
      ZSTD_outBuffer ob{scratch_.data(), scratch_.size(), 0};
      const size_t before = ib.pos;
      const size_t r = ZSTD_decompressStream(dctx_, &ob, &ib);
      consumed_ += ib.pos - before;
      if (ZSTD_isError(r)) {
        failed_ = Status::Corruption(std::string("zstd: ") + ZSTD_getErrorName(r) + " at byte " +
                                     std::to_string(consumed_));
        return failed_;
      }
      produced_ += ob.pos;
      const std::string_view decoded(scratch_.data(), ob.pos);
      if (out != nullptr) out->append(decoded);
      TrackOutput(decoded);
      if (r == 0) MemberEnded(consumed_, produced_);  // a frame is decoded and flushed
      if (ib.pos == ib.size && ob.pos < ob.size) break;
    }
    return Status::Ok();
  }

 private:
  ZSTD_DCtx* dctx_ = nullptr;
  std::string scratch_;
  uint64_t consumed_ = 0;
  uint64_t produced_ = 0;
  Status failed_;
};

constexpr size_t kTailBytes = 8;

}  // namespace

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
    case Compression::kSnappy:
      return "snappy";
  }
  return "none";
}

const char* CompressionExtension(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "";
    case Compression::kGzip:
      return ".gz";
    case Compression::kZstd:
      return ".zst";
    case Compression::kSnappy:
      return ".sz";
  }
  return "";
}

Result<std::unique_ptr<Compressor>> Compressor::Create(Compression c) {
  switch (c) {
    case Compression::kGzip: {
      auto z = std::make_unique<GzipCompressor>();
      RC_RETURN_IF_ERROR(z->Init());
      return std::unique_ptr<Compressor>(std::move(z));
    }
    case Compression::kZstd: {
      auto z = std::make_unique<ZstdCompressor>();
      RC_RETURN_IF_ERROR(z->Init());
      return std::unique_ptr<Compressor>(std::move(z));
    }
    case Compression::kSnappy:
      return MakeSnappyCompressor();
    case Compression::kNone:
      break;
  }
  return Status::InvalidArgument("no compressor for compression 'none'");
}

Result<std::unique_ptr<Decompressor>> Decompressor::Create(Compression c) {
  switch (c) {
    case Compression::kGzip: {
      auto z = std::make_unique<GzipDecompressor>();
      RC_RETURN_IF_ERROR(z->Init());
      return std::unique_ptr<Decompressor>(std::move(z));
    }
    case Compression::kZstd: {
      auto z = std::make_unique<ZstdDecompressor>();
      RC_RETURN_IF_ERROR(z->Init());
      return std::unique_ptr<Decompressor>(std::move(z));
    }
    case Compression::kSnappy:
      return MakeSnappyDecompressor();
    case Compression::kNone:
      break;
  }
  return Status::InvalidArgument("no decompressor for compression 'none'");
}

void Decompressor::TrackOutput(std::string_view decoded) {
  if (decoded.size() >= kTailBytes) {
    pending_tail_.assign(decoded.substr(decoded.size() - kTailBytes));
    return;
  }
  pending_tail_.append(decoded);
  if (pending_tail_.size() > kTailBytes) pending_tail_.erase(0, pending_tail_.size() - kTailBytes);
}

void Decompressor::MemberEnded(uint64_t input_end, uint64_t output_total) {
  complete_input_ = input_end;
  complete_output_ = output_total;
  complete_tail_ = pending_tail_;
}

Result<std::string> Decompress(Compression c, std::string_view data) {
  RC_ASSIGN_OR_RETURN(std::unique_ptr<Decompressor> d, Decompressor::Create(c));
  std::string out;
  RC_RETURN_IF_ERROR(d->Feed(data, &out));
  if (!d->at_stream_end()) {
    return Status::Corruption(std::string(CompressionName(c)) + ": stream ends inside a member " +
                              "(last complete member ends at byte " +
                              std::to_string(d->complete_input()) + " of " +
                              std::to_string(data.size()) + ")");
  }
  return out;
}

Result<std::string> Compress(Compression c, std::string_view data) {
  RC_ASSIGN_OR_RETURN(std::unique_ptr<Compressor> z, Compressor::Create(c));
  std::string out;
  RC_RETURN_IF_ERROR(z->Write(data, out));
  RC_RETURN_IF_ERROR(z->EndMember(out));
  return out;
}

}  // namespace rivven::formats
