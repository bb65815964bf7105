#include "formats/parquet/value_decoder.h"

#include <cstring>

#include "formats/parquet/delta.h"
#include "formats/parquet/rle.h"

namespace rivven::formats::parquet {
namespace {

Status Short(const char* encoding, size_t count) {
  return Status::Corruption(std::string(encoding) + " values end before the page's " +
                            std::to_string(count) + " values");
}

template <typename T>
T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));  // little-endian hosts only
  return v;
}

/// PLAIN: fixed-width little-endian values, length-prefixed byte arrays, bit-packed booleans.
class PlainDecoder final : public ValueDecoder {
 public:
  PlainDecoder(const ColumnDescriptor& c, ValueRenderer& r, std::string_view data, size_t count)
      : column_(c), renderer_(r), data_(data), count_(count) {}

  Status AppendNext(std::string& out) override {
    switch (column_.physical) {
      case PhysicalType::kBoolean: {
        if (bit_ >= data_.size() * 8) return Short("PLAIN", count_);
        renderer_.Bool((static_cast<uint8_t>(data_[bit_ / 8]) >> (bit_ % 8)) & 1, out);
        ++bit_;
        return Status::Ok();
      }
      case PhysicalType::kInt32:
        if (!Need(4)) return Short("PLAIN", count_);
        renderer_.Int32(Load<int32_t>(Take(4)), out);
        return Status::Ok();
      case PhysicalType::kInt64:
        if (!Need(8)) return Short("PLAIN", count_);
        renderer_.Int64(Load<int64_t>(Take(8)), out);
        return Status::Ok();
      case PhysicalType::kInt96:
        if (!Need(12)) return Short("PLAIN", count_);
        renderer_.Int96(Take(12), out);
        return Status::Ok();
      case PhysicalType::kFloat:
        if (!Need(4)) return Short("PLAIN", count_);
        renderer_.Float(Load<float>(Take(4)), out);
        return Status::Ok();
      case PhysicalType::kDouble:
        if (!Need(8)) return Short("PLAIN", count_);
        renderer_.Double(Load<double>(Take(8)), out);
        return Status::Ok();
      case PhysicalType::kByteArray: {
        if (!Need(4)) return Short("PLAIN", count_);
        const uint32_t n = Load<uint32_t>(Take(4));
        if (!Need(n)) {
          return Status::Corruption("PLAIN byte array of " + std::to_string(n) +
                                    " bytes past the end of the page");
        }
        renderer_.Bytes(std::string_view(Take(n), n), out);
        return Status::Ok();
      }
      case PhysicalType::kFixedLenByteArray: {
        const size_t n = static_cast<size_t>(column_.type_length);
        if (!Need(n)) return Short("PLAIN", count_);
        renderer_.Bytes(std::string_view(Take(n), n), out);
        return Status::Ok();
      }
    }
    return Status::Corruption("unknown physical type");
  }

 private:
  bool Need(size_t n) const { return data_.size() - pos_ >= n; }
  const char* Take(size_t n) {
    const char* p = data_.data() + pos_;
    pos_ += n;
    return p;
  }

  const ColumnDescriptor& column_;
  ValueRenderer& renderer_;
  std::string_view data_;
  size_t count_;
  size_t pos_ = 0;
  size_t bit_ = 0;
};

/// RLE_DICTIONARY / PLAIN_DICTIONARY: a bit-width byte, then RLE/bit-packed indices.
class DictionaryDecoder final : public ValueDecoder {
 public:
  DictionaryDecoder(std::string_view data, size_t count, const RenderedDictionary& dict)
      : rle_(data.empty() ? data : data.substr(1),
             data.empty() ? 0 : static_cast<uint8_t>(data[0])),
        left_(count),
        dict_(dict),
        bit_width_(data.empty() ? -1 : static_cast<uint8_t>(data[0])) {}

  Status AppendNext(std::string& out) override {
    if (at_ == filled_) {
      if (left_ == 0) return Short("dictionary", 0);
      if (bit_width_ < 0 || bit_width_ > 32) {
        return Status::Corruption("dictionary index bit width " + std::to_string(bit_width_));
      }
      const size_t n = std::min<size_t>(left_, kBatch);
      if (!rle_.Decode(indices_, n))
        return Status::Corruption(std::string("dictionary indices: ") + rle_.what());
      filled_ = n;
      at_ = 0;
      left_ -= n;
    }
    const uint32_t index = indices_[at_++];
    if (index >= dict_.size()) {
      return Status::Corruption("dictionary index " + std::to_string(index) + " beyond the " +
                                std::to_string(dict_.size()) + " entries");
    }
    out.append(dict_.Entry(index));
    return Status::Ok();
  }

 private:
  static constexpr size_t kBatch = 1024;
  RleDecoder rle_;
  size_t left_;
  const RenderedDictionary& dict_;
  int bit_width_;
  uint32_t indices_[kBatch];
  size_t filled_ = 0;
  size_t at_ = 0;
};

/// RLE booleans: a 4-byte length, then the hybrid encoding with bit width 1.
class RleBooleanDecoder final : public ValueDecoder {
 public:
  RleBooleanDecoder(ValueRenderer& r, std::string_view data, size_t count)
      : renderer_(r), rle_(Body(data), 1), left_(count), valid_(data.size() >= 4) {}

  Status AppendNext(std::string& out) override {
    if (!valid_) return Status::Corruption("RLE booleans without their length prefix");
    if (left_ == 0) return Short("RLE", 0);
    uint8_t v;
    if (!rle_.Decode(&v, 1)) return Status::Corruption(std::string("RLE booleans: ") + rle_.what());
    --left_;
    renderer_.Bool(v != 0, out);
    return Status::Ok();
  }

 private:
  static std::string_view Body(std::string_view data) {
    if (data.size() < 4) return {};
    const uint32_t n = Load<uint32_t>(data.data());
    return data.substr(4, std::min<size_t>(n, data.size() - 4));
  }

  ValueRenderer& renderer_;
  RleDecoder rle_;
  size_t left_;
  bool valid_;
};

/// Values decoded up front (delta encodings): integers or byte-array views.
class DecodedDecoder final : public ValueDecoder {
 public:
  DecodedDecoder(const ColumnDescriptor& c, ValueRenderer& r) : column_(c), renderer_(r) {}

  std::vector<int64_t> ints;
  std::vector<std::string_view> bytes;
  std::string arena;

  Status AppendNext(std::string& out) override {
    if (column_.physical == PhysicalType::kInt32 || column_.physical == PhysicalType::kInt64) {
      if (at_ >= ints.size()) return Short("DELTA_BINARY_PACKED", ints.size());
      const int64_t v = ints[at_++];
      if (column_.physical == PhysicalType::kInt32) {
        renderer_.Int32(static_cast<int32_t>(static_cast<uint32_t>(v)), out);
      } else {
        renderer_.Int64(v, out);
      }
      return Status::Ok();
    }
    if (at_ >= bytes.size()) return Short("DELTA byte array", bytes.size());
    const std::string_view v = bytes[at_++];
    if (column_.physical == PhysicalType::kFixedLenByteArray &&
        v.size() != static_cast<size_t>(column_.type_length)) {
      return Status::Corruption("fixed-length value of " + std::to_string(v.size()) + " bytes");
    }
    renderer_.Bytes(v, out);
    return Status::Ok();
  }

 private:
  const ColumnDescriptor& column_;
  ValueRenderer& renderer_;
  size_t at_ = 0;
};

/// BYTE_STREAM_SPLIT: byte k of value i at k * count + i.
class ByteStreamSplitDecoder final : public ValueDecoder {
 public:
  ByteStreamSplitDecoder(const ColumnDescriptor& c, ValueRenderer& r, std::string_view data,
                         size_t count, size_t width)
      : column_(c), renderer_(r), data_(data), count_(count), width_(width) {}

  Status AppendNext(std::string& out) override {
    if (at_ >= count_) return Short("BYTE_STREAM_SPLIT", count_);
    char v[64];
    for (size_t k = 0; k < width_; ++k) v[k] = data_[k * count_ + at_];
    ++at_;
    switch (column_.physical) {
      case PhysicalType::kFloat:
        renderer_.Float(Load<float>(v), out);
        break;
      case PhysicalType::kDouble:
        renderer_.Double(Load<double>(v), out);
        break;
      case PhysicalType::kInt32:
        renderer_.Int32(Load<int32_t>(v), out);
        break;
      case PhysicalType::kInt64:
        renderer_.Int64(Load<int64_t>(v), out);
        break;
      default:
        renderer_.Bytes(std::string_view(v, width_), out);
        break;
    }
    return Status::Ok();
  }

 private:
  const ColumnDescriptor& column_;
  ValueRenderer& renderer_;
  std::string_view data_;
  size_t count_;
  size_t width_;
  size_t at_ = 0;
};

Status Unsupported(Encoding e, const ColumnDescriptor& c) {
  return Status::InvalidArgument(std::string("parquet: encoding ") + EncodingName(e) +
                                 " of column '" + c.name + "' (" + PhysicalTypeName(c.physical) +
                                 ") is not supported");
}

}  // namespace

Status RenderedDictionary::Load(const ColumnDescriptor& column, ValueRenderer& renderer,
                                std::string_view data, size_t count) {
  PlainDecoder plain(column, renderer, data, count);
  text_.clear();
  ends_.clear();
  ends_.reserve(std::min(count, data.size() + 1));
  for (size_t i = 0; i < count; ++i) {
    RC_RETURN_IF_ERROR(plain.AppendNext(text_));
    if (text_.size() > UINT32_MAX) return Status::Corruption("dictionary renders past 4 GiB");
    ends_.push_back(static_cast<uint32_t>(text_.size()));
  }
  loaded_ = true;
  return Status::Ok();
}

Result<std::unique_ptr<ValueDecoder>> MakeValueDecoder(const ColumnDescriptor& column,
                                                       ValueRenderer& renderer, Encoding encoding,
                                                       std::string_view data, size_t count,
                                                       const RenderedDictionary& dictionary) {
  const PhysicalType t = column.physical;
  switch (encoding) {
    case Encoding::kPlain:
      return std::unique_ptr<ValueDecoder>(
          std::make_unique<PlainDecoder>(column, renderer, data, count));
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary:
      if (!dictionary.loaded()) {
        return Status::Corruption("dictionary-encoded page without a dictionary page");
      }
      return std::unique_ptr<ValueDecoder>(
          std::make_unique<DictionaryDecoder>(data, count, dictionary));
    case Encoding::kRle:
      if (t != PhysicalType::kBoolean) break;
      return std::unique_ptr<ValueDecoder>(
          std::make_unique<RleBooleanDecoder>(renderer, data, count));
    case Encoding::kDeltaBinaryPacked: {
      if (t != PhysicalType::kInt32 && t != PhysicalType::kInt64) break;
      auto d = std::make_unique<DecodedDecoder>(column, renderer);
      DeltaBinaryPackedDecoder delta(data);
      if (!delta.DecodeAll(count, &d->ints)) return Status::Corruption(delta.what());
      return std::unique_ptr<ValueDecoder>(std::move(d));
    }
    case Encoding::kDeltaLengthByteArray:
    case Encoding::kDeltaByteArray: {
      if (t != PhysicalType::kByteArray &&
          !(t == PhysicalType::kFixedLenByteArray && encoding == Encoding::kDeltaByteArray)) {
        break;
      }
      auto d = std::make_unique<DecodedDecoder>(column, renderer);
      const char* what = "";
      const bool ok = encoding == Encoding::kDeltaLengthByteArray
                          ? DecodeDeltaLengthByteArray(data, count, &d->bytes, &what)
                          : DecodeDeltaByteArray(data, count, &d->arena, &d->bytes, &what);
      if (!ok) return Status::Corruption(what);
      return std::unique_ptr<ValueDecoder>(std::move(d));
    }
    case Encoding::kByteStreamSplit: {
      size_t width = 0;
      switch (t) {
        case PhysicalType::kFloat:
        case PhysicalType::kInt32:
          width = 4;
          break;
        case PhysicalType::kDouble:
        case PhysicalType::kInt64:
          width = 8;
          break;
        case PhysicalType::kFixedLenByteArray:
          width = static_cast<size_t>(column.type_length);
          break;
        default:
          break;
      }
      if (width == 0 || width > 64) break;
      if (count > data.size() / width) {
        return Status::Corruption("BYTE_STREAM_SPLIT data shorter than its values");
      }
      return std::unique_ptr<ValueDecoder>(
          std::make_unique<ByteStreamSplitDecoder>(column, renderer, data, count, width));
    }
    default:
      break;
  }
  return Unsupported(encoding, column);
}

}  // namespace rivven::formats::parquet
