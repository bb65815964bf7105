#include "formats/parquet/row_buffer.h"

#include <simdjson.h>

#include <charconv>

#include "formats/json_reader.h"

namespace rivven::formats::parquet {

struct RowBuffer::Parser {
  JsonCompactor compactor;
  std::string compact;
  simdjson::ondemand::parser ondemand;
};

RowBuffer::RowBuffer() : parser_(std::make_unique<Parser>()) {}
RowBuffer::~RowBuffer() = default;

void RowBuffer::Clear() {
  columns_.clear();
  index_.clear();
  rows_ = 0;
  bytes_ = 0;
}

BufferedColumn& RowBuffer::ColumnFor(std::string_view key, size_t position) {
  // Records of one stream usually list their fields in the same order: try that first.
  if (position < columns_.size() && columns_[position].name == key) return columns_[position];
  auto it = index_.find(std::string(key));
  if (it != index_.end()) return columns_[it->second];
  index_.emplace(std::string(key), columns_.size());
  BufferedColumn& c = columns_.emplace_back();
  c.name = std::string(key);
  c.cells.reserve(rows_ + 1);
  c.cells.resize(rows_);  // earlier rows did not have it: null
  if (rows_ > 0) c.kinds_seen |= 1u << static_cast<int>(CellKind::kNull);
  return c;
}

void RowBuffer::Rollback(size_t columns_before) {
  for (size_t i = columns_before; i < columns_.size(); ++i) index_.erase(columns_[i].name);
  columns_.resize(columns_before);
  for (BufferedColumn& c : columns_) {
    if (c.cells.size() > rows_) {
      const Cell& last = c.cells.back();
      if (last.kind != CellKind::kNull && last.kind != CellKind::kInt &&
          last.kind != CellKind::kBool) {
        c.arena.resize(last.payload);
      }
      c.cells.resize(rows_);
    }
  }
  // kinds_seen may keep a kind only the rolled-back row had: it can only widen the inferred
  // type to STRING, never make a value unrepresentable, so it is not worth tracking per row.
}

Status RowBuffer::Append(std::string_view json_object) {
  Parser& p = *parser_;
  Status s = p.compactor.Compact(json_object, &p.compact);
  if (!s.ok()) return Status::InvalidArgument("parquet: record is not JSON: " + s.message());
  if (p.compact.empty() || p.compact[0] != '{') {
    return Status::InvalidArgument("parquet: record is not a JSON object (" +
                                   p.compact.substr(0, 32) + ")");
  }
  const size_t columns_before = columns_.size();
  const size_t bytes_before = bytes_;
  s = Parse(p.compact);
  if (!s.ok()) {
    Rollback(columns_before);
    bytes_ = bytes_before;
    return s;
  }
  for (BufferedColumn& c : columns_) {
    if (c.cells.size() == rows_) {  // missing in this record
      c.cells.emplace_back();
      c.kinds_seen |= 1u << static_cast<int>(CellKind::kNull);
    }
  }
  ++rows_;
  return Status::Ok();
}

Status RowBuffer::Parse(std::string_view compact) {
  Parser& p = *parser_;
  p.compact.reserve(p.compact.size() + simdjson::SIMDJSON_PADDING);
  simdjson::ondemand::document doc;
  if (p.ondemand.iterate(p.compact.data(), p.compact.size(), p.compact.capacity()).get(doc)) {
    return Status::InvalidArgument("parquet: record is not a JSON object");
  }
  simdjson::ondemand::object object;
  if (doc.get_object().get(object))
    return Status::InvalidArgument("parquet: record is not a JSON object");
  size_t position = 0;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return Status::InvalidArgument("parquet: bad key");
    BufferedColumn& c = ColumnFor(key, position++);
    if (c.cells.size() > rows_) {
      return Status::InvalidArgument("parquet: record repeats the key '" + std::string(key) + "'");
    }
    simdjson::ondemand::value v = field.value();
    simdjson::ondemand::json_type type;
    if (v.type().get(type))
      return Status::InvalidArgument("parquet: bad value of '" + c.name + "'");
    Cell cell;
    auto text = [&](std::string_view t, CellKind kind) {
      cell.payload = c.arena.size();
      cell.length = static_cast<uint32_t>(t.size());
      cell.kind = kind;
      c.arena.append(t);
      bytes_ += t.size();
    };
    switch (type) {
      case simdjson::ondemand::json_type::null:
        break;
      case simdjson::ondemand::json_type::boolean: {
        bool b = false;
        if (v.get_bool().get(b)) return Status::InvalidArgument("parquet: bad boolean");
        cell.kind = CellKind::kBool;
        cell.payload = b ? 1 : 0;
        break;
      }
      case simdjson::ondemand::json_type::number: {
        std::string_view token = v.raw_json_token();
        while (!token.empty() && (token.back() == ' ' || token.back() == '\n' ||
                                  token.back() == '\r' || token.back() == '\t')) {
          token.remove_suffix(1);
        }
        if (token.find_first_of(".eE") != std::string_view::npos) {
          text(token, CellKind::kDouble);
          break;
        }
        int64_t i = 0;
        const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), i);
        if (ec == std::errc() && end == token.data() + token.size()) {
          cell.kind = CellKind::kInt;
          cell.payload = static_cast<uint64_t>(i);
        } else {
          text(token, CellKind::kBigInt);
        }
        break;
      }
      case simdjson::ondemand::json_type::string: {
        std::string_view str;
        if (v.get_string().get(str)) return Status::InvalidArgument("parquet: bad string");
        text(str, CellKind::kString);
        break;
      }
      case simdjson::ondemand::json_type::object: {
        simdjson::ondemand::object o;
        std::string_view raw;
        if (v.get_object().get(o) || o.raw_json().get(raw)) {
          return Status::InvalidArgument("parquet: bad object in '" + c.name + "'");
        }
        text(raw, CellKind::kNested);
        break;
      }
      case simdjson::ondemand::json_type::array: {
        simdjson::ondemand::array a;
        std::string_view raw;
        if (v.get_array().get(a) || a.raw_json().get(raw)) {
          return Status::InvalidArgument("parquet: bad array in '" + c.name + "'");
        }
        text(raw, CellKind::kNested);
        break;
      }
    }
    c.cells.push_back(cell);
    c.kinds_seen |= 1u << static_cast<int>(cell.kind);
    bytes_ += sizeof(Cell);
  }
  return Status::Ok();
}

}  // namespace rivven::formats::parquet
