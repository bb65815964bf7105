#include "formats/parquet/column_reader.h"

#include <algorithm>
#include <cstring>

#include "formats/parquet/page_codec.h"
#include "formats/parquet/rle.h"

namespace rivven::formats::parquet {

ColumnChunkReader::ColumnChunkReader(const ColumnDescriptor& column, ValueRenderer& renderer,
                                     std::string_view chunk, uint64_t chunk_offset,
                                     CompressionCodec codec, int64_t rows, size_t row_group)
    : column_(column),
      renderer_(renderer),
      chunk_(chunk),
      chunk_offset_(chunk_offset),
      codec_(codec),
      rows_left_(rows),
      row_group_(row_group) {}

Status ColumnChunkReader::Fail(uint64_t at, const std::string& what) const {
  return Status::Corruption("parquet: column '" + column_.name + "' (row group " +
                            std::to_string(row_group_) + "), page at byte " + std::to_string(at) +
                            ": " + what);
}

Status ColumnChunkReader::ReadLevels(std::string_view levels, bool length_prefixed, size_t count,
                                     size_t* consumed) {
  std::string_view rle = levels;
  *consumed = 0;
  if (length_prefixed) {
    if (levels.size() < 4) return Fail(page_offset_, "definition levels without their length");
    uint32_t n;
    std::memcpy(&n, levels.data(), 4);
    if (n > levels.size() - 4) {
      return Fail(page_offset_,
                  "definition levels of " + std::to_string(n) + " bytes past the end of the page");
    }
    rle = levels.substr(4, n);
    *consumed = 4 + n;
  }
  defs_.resize(count);
  RleDecoder decoder(rle, 1);
  if (!decoder.Decode(defs_.data(), count)) {
    return Fail(page_offset_, std::string("definition levels: ") + decoder.what());
  }
  return Status::Ok();
}

Status ColumnChunkReader::NextDataPage() {
  while (true) {
    if (rows_left_ <= 0)
      return Fail(chunk_offset_ + pos_, "more values read than the row group has");
    if (pos_ >= chunk_.size()) {
      return Fail(chunk_offset_ + pos_, "the column chunk ends " + std::to_string(rows_left_) +
                                            " values short of its row group");
    }
    page_offset_ = chunk_offset_ + pos_;
    size_t header_bytes = 0;
    Result<PageHeader> parsed = ParsePageHeader(chunk_.substr(pos_), &header_bytes);
    if (!parsed.ok()) {
      return Status::Corruption("parquet: page header of column '" + column_.name + "' at byte " +
                                std::to_string(page_offset_) + ": " + parsed.status().message());
    }
    const PageHeader& h = *parsed;
    const size_t body_at = pos_ + header_bytes;
    if (h.compressed_page_size < 0 ||
        static_cast<size_t>(h.compressed_page_size) > chunk_.size() - body_at) {
      return Fail(page_offset_, "page of " + std::to_string(h.compressed_page_size) +
                                    " bytes past the end of the column chunk (" +
                                    std::to_string(chunk_.size() - body_at) + " bytes left)");
    }
    if (h.uncompressed_page_size < 0 ||
        static_cast<size_t>(h.uncompressed_page_size) > kMaxPageBytes) {
      return Fail(page_offset_, "uncompressed page size " +
                                    std::to_string(h.uncompressed_page_size) + " (limit " +
                                    std::to_string(kMaxPageBytes) + ")");
    }
    const std::string_view body =
        chunk_.substr(body_at, static_cast<size_t>(h.compressed_page_size));
    const size_t size = static_cast<size_t>(h.uncompressed_page_size);
    pos_ = body_at + body.size();

    if (h.type == PageType::kDictionaryPage) {
      if (!h.dictionary_page_header)
        return Fail(page_offset_, "dictionary page without its header");
      if (dictionary_.loaded()) return Fail(page_offset_, "a second dictionary page");
      const DictionaryPageHeader& d = *h.dictionary_page_header;
      if (d.encoding != Encoding::kPlain && d.encoding != Encoding::kPlainDictionary) {
        return Status::InvalidArgument(std::string("parquet: dictionary page encoding ") +
                                       EncodingName(d.encoding) + " of column '" + column_.name +
                                       "' is not supported");
      }
      if (d.num_values < 0 || static_cast<size_t>(d.num_values) > size * 8 + 8) {
        return Fail(page_offset_, "dictionary of " + std::to_string(d.num_values) + " values in " +
                                      std::to_string(size) + " bytes");
      }
      Status s = DecompressPage(codec_, body, size, &page_);
      if (!s.ok()) return s.code() == StatusCode::kCorruption ? Fail(page_offset_, s.message()) : s;
      s = dictionary_.Load(column_, renderer_, page_, static_cast<size_t>(d.num_values));
      if (!s.ok()) return Fail(page_offset_, "dictionary: " + s.message());
      continue;
    }
    if (h.type != PageType::kDataPage && h.type != PageType::kDataPageV2) continue;  // index pages

    int32_t num_values = 0;
    Encoding encoding = Encoding::kPlain;
    std::string_view values;
    if (h.type == PageType::kDataPage) {
      if (!h.data_page_header) return Fail(page_offset_, "data page without its header");
      const DataPageHeader& d = *h.data_page_header;
      num_values = d.num_values;
      encoding = d.encoding;
      if (num_values < 0 || num_values > rows_left_ ||
          static_cast<size_t>(num_values) > kMaxPageValues) {
        return Fail(page_offset_, "page claims " + std::to_string(num_values) + " values, " +
                                      std::to_string(rows_left_) + " left in the row group");
      }
      Status s = DecompressPage(codec_, body, size, &page_);
      if (!s.ok()) return s.code() == StatusCode::kCorruption ? Fail(page_offset_, s.message()) : s;
      size_t levels_bytes = 0;
      if (column_.optional) {
        if (d.definition_level_encoding != Encoding::kRle) {
          return Status::InvalidArgument(std::string("parquet: definition level encoding ") +
                                         EncodingName(d.definition_level_encoding) +
                                         " of column '" + column_.name + "' is not supported");
        }
        RC_RETURN_IF_ERROR(ReadLevels(page_, true, static_cast<size_t>(num_values), &levels_bytes));
      }
      values = std::string_view(page_).substr(levels_bytes);
    } else {
      if (!h.data_page_header_v2) return Fail(page_offset_, "data page V2 without its header");
      const DataPageHeaderV2& d = *h.data_page_header_v2;
      num_values = d.num_values;
      encoding = d.encoding;
      if (num_values < 0 || num_values > rows_left_ ||
          static_cast<size_t>(num_values) > kMaxPageValues) {
        return Fail(page_offset_, "page claims " + std::to_string(num_values) + " values, " +
                                      std::to_string(rows_left_) + " left in the row group");
      }
      if (d.repetition_levels_byte_length < 0 || d.definition_levels_byte_length < 0 ||
          static_cast<uint64_t>(d.repetition_levels_byte_length) +
                  static_cast<uint64_t>(d.definition_levels_byte_length) >
              std::min<uint64_t>(body.size(), size)) {
        return Fail(page_offset_, "level lengths past the end of the page");
      }
      const size_t rep = static_cast<size_t>(d.repetition_levels_byte_length);
      const size_t def = static_cast<size_t>(d.definition_levels_byte_length);
      if (column_.optional) {
        size_t unused = 0;
        RC_RETURN_IF_ERROR(
            ReadLevels(body.substr(rep, def), false, static_cast<size_t>(num_values), &unused));
      }
      const std::string_view rest = body.substr(rep + def);
      if (d.is_compressed && codec_ != CompressionCodec::kUncompressed) {
        Status s = DecompressPage(codec_, rest, size - rep - def, &page_);
        if (!s.ok())
          return s.code() == StatusCode::kCorruption ? Fail(page_offset_, s.message()) : s;
      } else {
        if (rest.size() != size - rep - def) {
          return Fail(page_offset_, "page of " + std::to_string(rest.size() + rep + def) +
                                        " bytes, the header says " + std::to_string(size));
        }
        page_.assign(rest);
      }
      values = page_;
    }
    size_t present = static_cast<size_t>(num_values);
    if (column_.optional)
      present = static_cast<size_t>(std::count(defs_.begin(), defs_.begin() + num_values, 1));
    Result<std::unique_ptr<ValueDecoder>> decoder =
        MakeValueDecoder(column_, renderer_, encoding, values, present, dictionary_);
    if (!decoder.ok()) {
      return decoder.status().code() == StatusCode::kCorruption
                 ? Fail(page_offset_, decoder.status().message())
                 : decoder.status();
    }
    decoder_ = std::move(*decoder);
    page_values_ = static_cast<size_t>(num_values);
    page_at_ = 0;
    if (page_values_ > 0) return Status::Ok();
  }
}

Status ColumnChunkReader::AppendNext(std::string& out) {
  if (page_at_ == page_values_) RC_RETURN_IF_ERROR(NextDataPage());
  --rows_left_;
  if (column_.optional && defs_[page_at_++] == 0) {
    out += "null";
    return Status::Ok();
  }
  if (!column_.optional) ++page_at_;
  Status s = decoder_->AppendNext(out);
  if (!s.ok()) return Fail(page_offset_, s.message());
  return Status::Ok();
}

Status ColumnChunkReader::Skip(int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    scratch_.clear();
    RC_RETURN_IF_ERROR(AppendNext(scratch_));
  }
  return Status::Ok();
}

}  // namespace rivven::formats::parquet
