#include "formats/parquet/parquet_writer.h"

#include <vector>

#include "base/version.h"
#include "formats/parquet/column_writer.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/row_buffer.h"
#include "formats/parquet/schema_inference.h"

namespace rivven::formats::parquet {
namespace {

constexpr std::string_view kMagic = "PAR1";

CompressionCodec ToCodec(Codec c) {
  switch (c) {
    case Codec::kUncompressed:
      return CompressionCodec::kUncompressed;
    case Codec::kSnappy:
      return CompressionCodec::kSnappy;
    case Codec::kGzip:
      return CompressionCodec::kGzip;
    case Codec::kZstd:
      return CompressionCodec::kZstd;
  }
  return CompressionCodec::kUncompressed;
}

/// Where row groups end: each closes once its values' estimated PLAIN size reaches `limit`.
std::vector<size_t> RowGroupEnds(const std::vector<BufferedColumn>& columns,
                                 const std::vector<InferredColumn>& schema, size_t rows,
                                 size_t limit) {
  std::vector<uint64_t> row_bytes(rows, 0);
  for (size_t c = 0; c < columns.size(); ++c) {
    for (size_t r = 0; r < rows; ++r)
      row_bytes[r] += EstimatedCellBytes(columns[c], schema[c].kind, r);
  }
  std::vector<size_t> ends;
  uint64_t bytes = 0;
  for (size_t r = 0; r < rows; ++r) {
    bytes += row_bytes[r] + 1;  // + 1: a row of nulls still costs its levels
    if (bytes >= limit) {
      ends.push_back(r + 1);
      bytes = 0;
    }
  }
  if (ends.empty() || ends.back() != rows) ends.push_back(rows);
  return ends;
}

}  // namespace

Writer::Writer(WriterOptions options) : options_(options), rows_(std::make_unique<RowBuffer>()) {}

Writer::~Writer() = default;

Status Writer::Append(std::string_view json_object) { return rows_->Append(json_object); }

size_t Writer::rows() const { return rows_->rows(); }

size_t Writer::buffered_bytes() const { return rows_->bytes(); }

Result<std::string> Writer::Finish() {
  const std::vector<BufferedColumn>& columns = rows_->columns();
  const size_t rows = rows_->rows();
  const std::vector<InferredColumn> schema = InferSchema(columns);
  FileMetaData meta;
  meta.version = 1;
  meta.schema = SchemaElements(schema);
  meta.num_rows = static_cast<int64_t>(rows);
  meta.created_by = std::string("rivven-connect version ") + kVersion;
  meta.type_defined_column_orders = schema.size();

  ColumnChunkOptions chunk_options;
  chunk_options.codec = ToCodec(options_.codec);
  chunk_options.page_bytes = options_.page_bytes == 0 ? 1 : options_.page_bytes;
  chunk_options.dictionary = options_.dictionary;

  std::string file(kMagic);
  if (rows > 0) {  // records of no fields still make rows: a row group without columns
    size_t begin = 0;
    for (size_t end : RowGroupEnds(columns, schema, rows, options_.row_group_bytes)) {
      RowGroup& group = meta.row_groups.emplace_back();
      group.num_rows = static_cast<int64_t>(end - begin);
      group.file_offset = static_cast<int64_t>(file.size());
      group.ordinal = static_cast<int16_t>(meta.row_groups.size() - 1);
      int64_t compressed = 0;
      for (size_t c = 0; c < columns.size(); ++c) {
        const int64_t chunk_start = static_cast<int64_t>(file.size());
        RC_ASSIGN_OR_RETURN(ColumnMetaData m, WriteColumnChunk(columns[c], schema[c], begin, end,
                                                               chunk_options, &file));
        group.total_byte_size += m.total_uncompressed_size;
        compressed += m.total_compressed_size;
        ColumnChunk& chunk = group.columns.emplace_back();
        chunk.file_offset = chunk_start;
        chunk.meta_data = std::move(m);
      }
      group.total_compressed_size = compressed;
      begin = end;
    }
  }
  const size_t footer_start = file.size();
  SerializeFileMetaData(meta, &file);
  const uint32_t footer_length = static_cast<uint32_t>(file.size() - footer_start);
  for (int i = 0; i < 4; ++i) file.push_back(static_cast<char>(footer_length >> (8 * i)));
  file.append(kMagic);
  rows_->Clear();
  return file;
}

}  // namespace rivven::formats::parquet
