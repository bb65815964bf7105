#include "formats/parquet/parquet_reader.h"

#include <cstring>

#include "base/json_escape.h"
#include "formats/parquet/column_reader.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/value_render.h"

namespace rivven::formats::parquet {
namespace {

constexpr std::string_view kMagic = "PAR1";

Status Corrupt(const std::string& what) { return Status::Corruption("parquet: " + what); }

}  // namespace

Reader::Reader() = default;
Reader::~Reader() = default;

Result<std::unique_ptr<Reader>> Reader::Open(std::string file_bytes) {
  std::unique_ptr<Reader> r(new Reader());
  r->file_ = std::move(file_bytes);
  RC_RETURN_IF_ERROR(r->Init());
  return r;
}

Status Reader::Init() {
  const std::string_view f = file_;
  if (f.size() < 12) {
    return Corrupt("file of " + std::to_string(f.size()) + " bytes is too short to be Parquet");
  }
  if (f.substr(f.size() - 4) == "PARE") {
    return Status::InvalidArgument("parquet: encrypted files (PARE) are not supported");
  }
  if (f.substr(0, 4) != kMagic || f.substr(f.size() - 4) != kMagic) {
    return Corrupt("no PAR1 magic at the start and end of the file (not Parquet, or truncated)");
  }
  uint32_t footer_length;
  std::memcpy(&footer_length, f.data() + f.size() - 8, 4);
  if (footer_length > f.size() - 12) {
    return Corrupt("footer length " + std::to_string(footer_length) + " at byte " +
                   std::to_string(f.size() - 8) + " is larger than the file");
  }
  footer_start_ = f.size() - 8 - footer_length;
  Result<FileMetaData> meta = ParseFileMetaData(f.substr(footer_start_, footer_length));
  if (!meta.ok()) {
    return Corrupt("footer (" + std::to_string(footer_length) + " bytes at byte " +
                   std::to_string(footer_start_) + "): " + meta.status().message());
  }
  meta_ = std::make_unique<FileMetaData>(std::move(*meta));
  const FileMetaData& m = *meta_;
  created_by_ = m.created_by.value_or("");

  // The schema: the root, then one primitive element per column.
  if (m.schema.empty()) return Corrupt("footer has an empty schema");
  const SchemaElement& root = m.schema[0];
  const int64_t children = root.num_children.value_or(0);
  if (children < 0 || static_cast<uint64_t>(children) >= m.schema.size() + 1) {
    return Corrupt("schema root claims " + std::to_string(children) + " children");
  }
  size_t at = 1;
  for (int64_t i = 0; i < children; ++i) {
    if (at >= m.schema.size()) return Corrupt("schema ends before the root's children");
    const SchemaElement& e = m.schema[at++];
    if (e.num_children && *e.num_children > 0) {
      return Status::InvalidArgument("parquet: column '" + e.name +
                                     "' is a nested group (struct, LIST or MAP); only flat "
                                     "schemas of primitive columns are supported");
    }
    if (e.repetition == Repetition::kRepeated) {
      return Status::InvalidArgument("parquet: column '" + e.name +
                                     "' is repeated; only flat schemas of required or optional "
                                     "columns are supported");
    }
    if (!e.type) return Corrupt("schema element '" + e.name + "' has no type");
    if (static_cast<int32_t>(*e.type) < 0 || static_cast<int32_t>(*e.type) > 7) {
      return Corrupt("schema element '" + e.name + "' has unknown type " +
                     std::to_string(static_cast<int32_t>(*e.type)));
    }
    ColumnDescriptor c;
    c.name = e.name;
    c.physical = *e.type;
    c.optional = e.repetition.value_or(Repetition::kRequired) == Repetition::kOptional;
    c.converted_type = e.converted_type;
    c.logical_type = e.logical_type;
    c.scale = e.scale.value_or(0);
    c.precision = e.precision.value_or(0);
    if (c.physical == PhysicalType::kFixedLenByteArray) {
      c.type_length = e.type_length.value_or(0);
      if (c.type_length <= 0 || c.type_length > (1 << 20)) {
        return Corrupt("column '" + e.name + "' is FIXED_LEN_BYTE_ARRAY of length " +
                       std::to_string(c.type_length));
      }
    }
    columns_.push_back(std::move(c));
  }
  if (at != m.schema.size()) {
    return Corrupt("schema has " + std::to_string(m.schema.size() - at) +
                   " elements beyond the root's children");
  }
  for (size_t i = 0; i < columns_.size(); ++i) {
    renderers_.push_back(std::make_unique<ValueRenderer>(columns_[i]));
    std::string key = i == 0 ? "" : ",";
    AppendJsonString(key, columns_[i].name);
    key.push_back(':');
    keys_.push_back(std::move(key));
  }

  if (m.num_rows < 0) return Corrupt("negative num_rows in the footer");
  int64_t total = 0;
  for (size_t g = 0; g < m.row_groups.size(); ++g) {
    const RowGroup& group = m.row_groups[g];
    const std::string where = "row group " + std::to_string(g);
    if (group.num_rows < 0 || group.num_rows > m.num_rows - total) {
      return Corrupt(where + " claims " + std::to_string(group.num_rows) +
                     " rows, more than the file's " + std::to_string(m.num_rows));
    }
    total += group.num_rows;
    if (group.columns.size() != columns_.size()) {
      return Corrupt(where + " has " + std::to_string(group.columns.size()) +
                     " column chunks for " + std::to_string(columns_.size()) + " columns");
    }
    for (size_t c = 0; c < columns_.size(); ++c) {
      const ColumnChunk& chunk = group.columns[c];
      const std::string col = "column '" + columns_[c].name + "' in " + where;
      if (chunk.file_path) {
        return Status::InvalidArgument("parquet: " + col + " is stored in another file (" +
                                       *chunk.file_path + "); not supported");
      }
      if (!chunk.meta_data) return Corrupt(col + " has no metadata");
      const ColumnMetaData& cm = *chunk.meta_data;
      if (cm.type != columns_[c].physical) {
        return Corrupt(col + " is " + PhysicalTypeName(cm.type) + ", the schema says " +
                       PhysicalTypeName(columns_[c].physical));
      }
    }
  }
  if (total != m.num_rows) {
    return Corrupt("the row groups hold " + std::to_string(total) + " rows, the footer says " +
                   std::to_string(m.num_rows));
  }
  return Status::Ok();
}

int64_t Reader::num_rows() const { return meta_->num_rows; }

std::vector<std::string> Reader::column_names() const {
  std::vector<std::string> names;
  names.reserve(columns_.size());
  for (const ColumnDescriptor& c : columns_) names.push_back(c.name);
  return names;
}

Status Reader::StartRowGroup(size_t g) {
  const RowGroup& group = meta_->row_groups[g];
  chunks_.clear();
  for (size_t c = 0; c < columns_.size(); ++c) {
    const ColumnMetaData& cm = *group.columns[c].meta_data;
    int64_t start = cm.data_page_offset;
    if (cm.dictionary_page_offset && *cm.dictionary_page_offset > 0 &&
        *cm.dictionary_page_offset < start) {
      start = *cm.dictionary_page_offset;
    }
    const std::string col = "column '" + columns_[c].name + "' in row group " + std::to_string(g);
    if (start < 4 || static_cast<uint64_t>(start) > footer_start_ || cm.total_compressed_size < 0 ||
        static_cast<uint64_t>(cm.total_compressed_size) >
            footer_start_ - static_cast<uint64_t>(start)) {
      return Corrupt(col + ": chunk of " + std::to_string(cm.total_compressed_size) +
                     " bytes at byte " + std::to_string(start) + " lies outside the data (" +
                     std::to_string(footer_start_) + " bytes before the footer)");
    }
    const std::string_view bytes = std::string_view(file_).substr(
        static_cast<size_t>(start), static_cast<size_t>(cm.total_compressed_size));
    chunks_.push_back(std::make_unique<ColumnChunkReader>(columns_[c], *renderers_[c], bytes,
                                                          static_cast<uint64_t>(start), cm.codec,
                                                          group.num_rows, g));
  }
  group_ = g;
  group_rows_left_ = group.num_rows;
  return Status::Ok();
}

Status Reader::ForEachRow(const std::function<bool(std::string_view json_row)>& fn) {
  return ForEachRowFrom(0, fn);
}

Status Reader::ForEachRowFrom(int64_t first_row,
                              const std::function<bool(std::string_view json_row)>& fn) {
  if (first_row < 0) first_row = 0;
  if (first_row >= meta_->num_rows) return Status::Ok();
  if (first_row != next_row_) {
    // Start at the row group holding first_row, then skip to it.
    int64_t group_first = 0;
    size_t g = 0;
    while (g < meta_->row_groups.size() &&
           group_first + meta_->row_groups[g].num_rows <= first_row) {
      group_first += meta_->row_groups[g].num_rows;
      ++g;
    }
    next_row_ = -1;
    RC_RETURN_IF_ERROR(StartRowGroup(g));
    group_first_row_ = group_first;
    const int64_t skip = first_row - group_first;
    for (auto& chunk : chunks_) RC_RETURN_IF_ERROR(chunk->Skip(skip));
    group_rows_left_ -= skip;
    next_row_ = first_row;
  }
  while (next_row_ < meta_->num_rows) {
    if (group_rows_left_ == 0) {
      group_first_row_ += meta_->row_groups[group_].num_rows;
      size_t g = group_ + 1;
      next_row_ = -1;  // until the new group is set up
      RC_RETURN_IF_ERROR(StartRowGroup(g));
      next_row_ = group_first_row_;
      continue;
    }
    row_.clear();
    row_.push_back('{');
    for (size_t c = 0; c < chunks_.size(); ++c) {
      row_ += keys_[c];
      Status s = chunks_[c]->AppendNext(row_);
      if (!s.ok()) {
        next_row_ = -1;
        return s;
      }
    }
    row_.push_back('}');
    --group_rows_left_;
    ++next_row_;
    if (!fn(row_)) return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace rivven::formats::parquet
