#include "formats/parquet/thrift_compact.h"

#include <cstring>

namespace rivven::formats::parquet {

void CompactWriter::BeginStruct() {
  stack_.push_back(last_id_);
  last_id_ = 0;
}

void CompactWriter::EndStruct() {
  out_->push_back(static_cast<char>(ThriftType::kStop));
  last_id_ = stack_.empty() ? 0 : stack_.back();
  if (!stack_.empty()) stack_.pop_back();
}

void CompactWriter::FieldBool(int16_t id, bool v) {
  FieldHeader(id, v ? ThriftType::kBoolTrue : ThriftType::kBoolFalse);
}

void CompactWriter::FieldDouble(int16_t id, double v) {
  FieldHeader(id, ThriftType::kDouble);
  char bytes[8];
  std::memcpy(bytes, &v, 8);  // little-endian hosts only (x86-64, aarch64)
  out_->append(bytes, 8);
}

void CompactWriter::Binary(std::string_view v) {
  Varint(v.size());
  out_->append(v);
}

void CompactWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void CompactWriter::FieldHeader(int16_t id, ThriftType type) {
  const int delta = id - last_id_;
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>(delta << 4 | static_cast<int>(type)));
  } else {
    out_->push_back(static_cast<char>(type));
    Varint(ZigZag(id));
  }
  last_id_ = id;
}

void CompactWriter::ListHeader(ThriftType element, size_t n) {
  if (n < 15) {
    out_->push_back(static_cast<char>(n << 4 | static_cast<size_t>(element)));
  } else {
    out_->push_back(static_cast<char>(0xF0 | static_cast<int>(element)));
    Varint(n);
  }
}

bool CompactReader::Need(size_t n) {
  if (!ok()) return false;
  if (data_.size() - pos_ < n) {
    Fail("truncated (" + std::to_string(n) + " bytes needed, " +
         std::to_string(data_.size() - pos_) + " left)");
    return false;
  }
  return true;
}

void CompactReader::Fail(std::string what) {
  if (!ok()) return;
  error_ = std::move(what);
  error_pos_ = pos_;
}

Status CompactReader::status() const {
  if (ok()) return Status::Ok();
  return Status::Corruption(error_ + " at byte " + std::to_string(error_pos_) + " of the header");
}

void CompactReader::BeginStruct() {
  if (stack_.size() >= kMaxDepth) {
    Fail("structs nested deeper than " + std::to_string(kMaxDepth));
    return;
  }
  stack_.push_back(last_id_);
  last_id_ = 0;
}

void CompactReader::EndStruct() {
  if (stack_.empty()) return;
  last_id_ = stack_.back();
  stack_.pop_back();
}

CompactReader::Field CompactReader::NextField() {
  Field f;
  if (!Need(1)) return f;
  const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
  f.type = static_cast<ThriftType>(b & 0x0F);
  if (f.type == ThriftType::kStop) return f;
  if (b & 0xF0) {
    f.id = static_cast<int16_t>(last_id_ + (b >> 4));
  } else {
    f.id = I16();
  }
  if (static_cast<uint8_t>(f.type) > static_cast<uint8_t>(ThriftType::kStruct)) {
    Fail("unknown field type " + std::to_string(b & 0x0F));
    f.type = ThriftType::kStop;
    return f;
  }
  if (!ok()) f.type = ThriftType::kStop;
  last_id_ = f.id;
  return f;
}

bool CompactReader::Bool() { return Byte() == 1; }

int8_t CompactReader::Byte() {
  if (!Need(1)) return 0;
  return static_cast<int8_t>(data_[pos_++]);
}

double CompactReader::Double() {
  if (!Need(8)) return 0;
  double v;
  std::memcpy(&v, data_.data() + pos_, 8);
  pos_ += 8;
  return v;
}

std::string_view CompactReader::Binary() {
  const uint64_t n = Varint();
  if (!ok()) return {};
  if (n > data_.size() - pos_) {
    Fail("binary of " + std::to_string(n) + " bytes past the end");
    return {};
  }
  std::string_view v = data_.substr(pos_, n);
  pos_ += n;
  return v;
}

uint32_t CompactReader::ListHeader(ThriftType* element) {
  *element = ThriftType::kStop;
  if (!Need(1)) return 0;
  const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
  uint64_t n = b >> 4;
  if (n == 15) n = Varint();
  if (!ok()) return 0;
  if (n > data_.size() - pos_) {
    Fail("list of " + std::to_string(n) + " elements in " + std::to_string(data_.size() - pos_) +
         " bytes");
    return 0;
  }
  *element = static_cast<ThriftType>(b & 0x0F);
  return static_cast<uint32_t>(n);
}

uint64_t CompactReader::Varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (!Need(1)) return 0;
    const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return v;
  }
  Fail("varint longer than 10 bytes");
  return 0;
}

void CompactReader::Skip(ThriftType type) {
  switch (type) {
    case ThriftType::kBoolTrue:
    case ThriftType::kBoolFalse:
      return;  // the value is in the field header
    case ThriftType::kByte:
      Byte();
      return;
    case ThriftType::kI16:
    case ThriftType::kI32:
    case ThriftType::kI64:
      Varint();
      return;
    case ThriftType::kDouble:
      if (Need(8)) pos_ += 8;
      return;
    case ThriftType::kBinary:
      Binary();
      return;
    case ThriftType::kList:
    case ThriftType::kSet: {
      ThriftType element;
      const uint32_t n = ListHeader(&element);
      if (stack_.size() >= kMaxDepth) return Fail("lists nested too deeply");
      stack_.push_back(last_id_);  // depth accounting only
      for (uint32_t i = 0; i < n && ok(); ++i) {
        if (element == ThriftType::kBoolTrue || element == ThriftType::kBoolFalse) {
          Byte();
        } else {
          Skip(element);
        }
      }
      stack_.pop_back();
      return;
    }
    case ThriftType::kMap: {
      const uint64_t n = Varint();
      if (n == 0 || !ok()) return;
      if (n > data_.size() - pos_) return Fail("map size past the end");
      const int8_t kv = Byte();
      const auto key = static_cast<ThriftType>((kv >> 4) & 0x0F);
      const auto value = static_cast<ThriftType>(kv & 0x0F);
      if (stack_.size() >= kMaxDepth) return Fail("maps nested too deeply");
      stack_.push_back(last_id_);
      for (uint64_t i = 0; i < n && ok(); ++i) {
        for (ThriftType t : {key, value}) {
          if (t == ThriftType::kBoolTrue || t == ThriftType::kBoolFalse) {
            Byte();
          } else {
            Skip(t);
          }
        }
      }
      stack_.pop_back();
      return;
    }
    case ThriftType::kStruct: {
      BeginStruct();
      while (ok()) {
        const Field f = NextField();
        if (f.type == ThriftType::kStop) break;
        Skip(f.type);
      }
      EndStruct();
      return;
    }
    case ThriftType::kStop:
      return Fail("unexpected stop");
  }
  Fail("unknown type " + std::to_string(static_cast<int>(type)));
}

}  // namespace rivven::formats::parquet
