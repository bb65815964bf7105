#include "formats/parquet/column_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <optional>
#include <vector>

#include "formats/parquet/page_codec.h"
#include "formats/parquet/rle.h"

namespace rivven::formats::parquet {
namespace {

/// Rows per data page at most, whatever their size (a page of nulls or booleans stays small
/// enough for readers that decode a page at a time).
constexpr size_t kMaxPageRows = 1u << 20;

void AppendLE32(std::string* out, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);  // little-endian hosts only
  out->append(b, 4);
}

void AppendLE64(std::string* out, uint64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  out->append(b, 8);
}

// Per physical type: PLAIN encoding, statistics bytes, sort order, dictionary key.
struct Int64Traits {
  using T = int64_t;
  static constexpr bool kDictionary = true;
  static size_t PlainBytes(T) { return 8; }
  static void AppendPlain(std::string* out, T v) { AppendLE64(out, static_cast<uint64_t>(v)); }
  static bool Less(T a, T b) { return a < b; }
  static bool Skip(T) { return false; }
  static std::string StatBytes(T v) {
    std::string s;
    AppendLE64(&s, static_cast<uint64_t>(v));
    return s;
  }
  static size_t Hash(T v) {
    return static_cast<size_t>(static_cast<uint64_t>(v) * 0x9E3779B97F4A7C15ull >> 20);
  }
  static bool Equal(T a, T b) { return a == b; }
};

struct DoubleTraits {
  using T = double;
  static constexpr bool kDictionary = true;
  static uint64_t Bits(T v) {
    uint64_t b;
    std::memcpy(&b, &v, 8);
    return b;
  }
  static size_t PlainBytes(T) { return 8; }
  static void AppendPlain(std::string* out, T v) { AppendLE64(out, Bits(v)); }
  static bool Less(T a, T b) { return a < b; }
  static bool Skip(T v) { return std::isnan(v); }  // NaN is left out of min/max
  static std::string StatBytes(T v) {
    std::string s;
    AppendLE64(&s, Bits(v));
    return s;
  }
  static size_t Hash(T v) { return static_cast<size_t>(Bits(v) * 0x9E3779B97F4A7C15ull >> 20); }
  static bool Equal(T a, T b) { return Bits(a) == Bits(b); }
};

struct StringTraits {
  using T = std::string_view;
  static constexpr bool kDictionary = true;
  static size_t PlainBytes(T v) { return 4 + v.size(); }
  static void AppendPlain(std::string* out, T v) {
    AppendLE32(out, static_cast<uint32_t>(v.size()));
    out->append(v);
  }
  // std::string_view compares bytes as unsigned char: Parquet's order for UTF-8 strings.
  static bool Less(T a, T b) { return a < b; }
  static bool Skip(T) { return false; }
  static std::string StatBytes(T v) { return std::string(v); }
  static size_t Hash(T v) { return std::hash<std::string_view>()(v); }
  static bool Equal(T a, T b) { return a == b; }
};

struct BoolTraits {
  using T = uint8_t;
  static constexpr bool kDictionary = false;
  static size_t PlainBytes(T) { return 1; }  // an estimate: PLAIN packs 8 per byte
  static bool Less(T a, T b) { return a < b; }
  static bool Skip(T) { return false; }
  static std::string StatBytes(T v) { return std::string(1, static_cast<char>(v)); }
};

/// Distinct values in order of first appearance and each value's index, by open addressing.
template <typename Tr>
class DictionaryBuilder {
 public:
  using T = typename Tr::T;

  /// False when the dictionary would pass kMaxDictionaryEntries or kMaxDictionaryBytes.
  bool Build(const std::vector<T>& values, std::vector<T>* entries,
             std::vector<uint32_t>* indices) {
    slots_.assign(1024, 0);
    mask_ = slots_.size() - 1;
    entries_ = entries;
    indices->resize(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      const int64_t index = Insert(values[i]);
      if (index < 0) return false;
      (*indices)[i] = static_cast<uint32_t>(index);
    }
    return true;
  }

  size_t bytes() const { return bytes_; }

 private:
  int64_t Insert(const T& v) {
    size_t h = Tr::Hash(v) & mask_;
    while (slots_[h] != 0) {
      const uint32_t at = slots_[h] - 1;
      if (Tr::Equal((*entries_)[at], v)) return at;
      h = (h + 1) & mask_;
    }
    if (entries_->size() >= kMaxDictionaryEntries ||
        bytes_ + Tr::PlainBytes(v) > kMaxDictionaryBytes) {
      return -1;
    }
    entries_->push_back(v);
    bytes_ += Tr::PlainBytes(v);
    slots_[h] = static_cast<uint32_t>(entries_->size());
    if (entries_->size() * 2 > slots_.size()) Grow();
    return static_cast<int64_t>(entries_->size() - 1);
  }

  void Grow() {
    slots_.assign(slots_.size() * 2, 0);
    mask_ = slots_.size() - 1;
    for (size_t i = 0; i < entries_->size(); ++i) {
      size_t h = Tr::Hash((*entries_)[i]) & mask_;
      while (slots_[h] != 0) h = (h + 1) & mask_;
      slots_[h] = static_cast<uint32_t>(i + 1);
    }
  }

  std::vector<T>* entries_ = nullptr;
  std::vector<uint32_t> slots_;  // entry index + 1; 0 = empty
  size_t mask_ = 0;
  size_t bytes_ = 0;
};

template <typename Tr>
Statistics MakeStatistics(const typename Tr::T* values, size_t n, int64_t nulls) {
  using T = typename Tr::T;
  Statistics s;
  s.null_count = nulls;
  const T* min = nullptr;
  const T* max = nullptr;
  for (size_t i = 0; i < n; ++i) {
    if (Tr::Skip(values[i])) continue;
    if (min == nullptr || Tr::Less(values[i], *min)) min = &values[i];
    if (max == nullptr || Tr::Less(*max, values[i])) max = &values[i];
  }
  if (min == nullptr) return s;
  T lo = *min;
  T hi = *max;
  if constexpr (std::is_same_v<T, double>) {
    // Zeros compare equal whatever their sign: bound them by -0.0 and +0.0 (the spec's rule).
    if (lo == 0) lo = -0.0;
    if (hi == 0) hi = 0.0;
  }
  std::string lo_bytes = Tr::StatBytes(lo);
  std::string hi_bytes = Tr::StatBytes(hi);
  if (lo_bytes.size() <= kMaxStatisticsValueBytes && hi_bytes.size() <= kMaxStatisticsValueBytes) {
    s.min_value = std::move(lo_bytes);
    s.max_value = std::move(hi_bytes);
  }
  return s;
}

/// Compresses `body` and appends header + page to the file, adding to the chunk's totals.
class PageSink {
 public:
  PageSink(CompressionCodec codec, std::string* file) : codec_(codec), file_(file) {}

  Status Write(PageHeader header, std::string_view body) {
    compressed_.clear();
    RC_RETURN_IF_ERROR(CompressPage(codec_, body, &compressed_));
    if (body.size() > INT32_MAX || compressed_.size() > INT32_MAX) {
      return Status::InvalidArgument("parquet: a page over 2 GiB (lower page_bytes)");
    }
    header.uncompressed_page_size = static_cast<int32_t>(body.size());
    header.compressed_page_size = static_cast<int32_t>(compressed_.size());
    header_bytes_.clear();
    SerializePageHeader(header, &header_bytes_);
    file_->append(header_bytes_);
    file_->append(compressed_);
    uncompressed_total_ += static_cast<int64_t>(header_bytes_.size() + body.size());
    compressed_total_ += static_cast<int64_t>(header_bytes_.size() + compressed_.size());
    return Status::Ok();
  }

  int64_t uncompressed_total() const { return uncompressed_total_; }
  int64_t compressed_total() const { return compressed_total_; }

 private:
  CompressionCodec codec_;
  std::string* file_;
  std::string compressed_;
  std::string header_bytes_;
  int64_t uncompressed_total_ = 0;
  int64_t compressed_total_ = 0;
};

template <typename Tr>
Status EncodeChunk(const std::vector<uint8_t>& defs, const std::vector<typename Tr::T>& values,
                   const ColumnChunkOptions& options, std::string* file, ColumnMetaData* m) {
  using T = typename Tr::T;
  PageSink sink(options.codec, file);
  std::vector<T> dictionary;
  std::vector<uint32_t> indices;
  bool use_dictionary = false;
  int bit_width = 0;
  std::string body;
  if constexpr (Tr::kDictionary) {
    if (options.dictionary && !values.empty()) {
      DictionaryBuilder<Tr> builder;
      use_dictionary = builder.Build(values, &dictionary, &indices);
      if (use_dictionary) {
        bit_width = BitWidth(dictionary.size() - 1);
        size_t plain = 0;
        for (const T& v : values) plain += Tr::PlainBytes(v);
        // Worth it only when the dictionary plus the packed indices beat PLAIN.
        use_dictionary =
            builder.bytes() + values.size() * static_cast<size_t>(bit_width) / 8 < plain;
      }
    }
    if (use_dictionary) {
      for (const T& v : dictionary) Tr::AppendPlain(&body, v);
      PageHeader h;
      h.type = PageType::kDictionaryPage;
      DictionaryPageHeader& d = h.dictionary_page_header.emplace();
      d.num_values = static_cast<int32_t>(dictionary.size());
      d.encoding = Encoding::kPlain;
      m->dictionary_page_offset = static_cast<int64_t>(file->size());
      RC_RETURN_IF_ERROR(sink.Write(std::move(h), body));
    }
  }
  m->data_page_offset = static_cast<int64_t>(file->size());
  m->encodings = use_dictionary ? std::vector<Encoding>{Encoding::kPlain, Encoding::kRle,
                                                        Encoding::kRleDictionary}
                                : std::vector<Encoding>{Encoding::kPlain, Encoding::kRle};
  const uint64_t page_bits = static_cast<uint64_t>(options.page_bytes) * 8;
  std::string levels;
  size_t row = 0;
  size_t value = 0;
  while (row < defs.size()) {
    size_t row_end = row;
    size_t value_end = value;
    uint64_t bits = 0;
    while (row_end < defs.size() && row_end - row < kMaxPageRows &&
           (bits < page_bits || row_end == row)) {
      if (defs[row_end]) {
        bits += use_dictionary ? static_cast<uint64_t>(bit_width)
                               : static_cast<uint64_t>(Tr::PlainBytes(values[value_end])) * 8;
        ++value_end;
      }
      ++row_end;
    }
    body.clear();
    levels.clear();
    RleEncode(defs.data() + row, row_end - row, 1, &levels);
    AppendLE32(&body, static_cast<uint32_t>(levels.size()));
    body.append(levels);
    if (use_dictionary) {
      body.push_back(static_cast<char>(bit_width));
      RleEncode(indices.data() + value, value_end - value, bit_width, &body);
    } else if constexpr (std::is_same_v<T, uint8_t>) {
      for (size_t i = value; i < value_end; i += 8) {
        uint8_t byte = 0;
        for (size_t k = 0; k < 8 && i + k < value_end; ++k)
          byte |= static_cast<uint8_t>(values[i + k] << k);
        body.push_back(static_cast<char>(byte));
      }
    } else {
      for (size_t i = value; i < value_end; ++i) Tr::AppendPlain(&body, values[i]);
    }
    PageHeader h;
    h.type = PageType::kDataPage;
    DataPageHeader& d = h.data_page_header.emplace();
    d.num_values = static_cast<int32_t>(row_end - row);
    d.encoding = use_dictionary ? Encoding::kRleDictionary : Encoding::kPlain;
    d.definition_level_encoding = Encoding::kRle;
    d.repetition_level_encoding = Encoding::kRle;
    d.statistics = MakeStatistics<Tr>(values.data() + value, value_end - value,
                                      static_cast<int64_t>((row_end - row) - (value_end - value)));
    RC_RETURN_IF_ERROR(sink.Write(std::move(h), body));
    row = row_end;
    value = value_end;
  }
  m->statistics = MakeStatistics<Tr>(values.data(), values.size(),
                                     static_cast<int64_t>(defs.size() - values.size()));
  m->total_uncompressed_size = sink.uncompressed_total();
  m->total_compressed_size = sink.compressed_total();
  return Status::Ok();
}

double ParseDouble(std::string_view text) {
  double d = 0;
  std::from_chars(text.data(), text.data() + text.size(), d);
  return d;
}

}  // namespace

size_t EstimatedCellBytes(const BufferedColumn& column, ColumnKind kind, size_t row) {
  const Cell& c = column.cells[row];
  switch (c.kind) {
    case CellKind::kNull:
      return 0;
    case CellKind::kInt:
      return kind == ColumnKind::kMixed ? 24 : 8;
    case CellKind::kDouble:
      return kind == ColumnKind::kDouble ? 8 : 4 + c.length;
    case CellKind::kBool:
      return kind == ColumnKind::kBoolean ? 1 : 9;
    case CellKind::kString:
    case CellKind::kNested:
    case CellKind::kBigInt:
      return 4 + c.length;
  }
  return 0;
}

Result<ColumnMetaData> WriteColumnChunk(const BufferedColumn& column, const InferredColumn& type,
                                        size_t begin, size_t end, const ColumnChunkOptions& options,
                                        std::string* file) {
  ColumnMetaData m;
  m.type = type.physical;
  m.path_in_schema = {type.name};
  m.codec = options.codec;
  m.num_values = static_cast<int64_t>(end - begin);
  std::vector<uint8_t> defs(end - begin);
  for (size_t r = begin; r < end; ++r) defs[r - begin] = column.cells[r].kind != CellKind::kNull;
  switch (type.kind) {
    case ColumnKind::kInt64: {
      std::vector<int64_t> values;
      values.reserve(end - begin);
      for (size_t r = begin; r < end; ++r) {
        const Cell& c = column.cells[r];
        if (c.kind == CellKind::kInt) values.push_back(static_cast<int64_t>(c.payload));
      }
      RC_RETURN_IF_ERROR(EncodeChunk<Int64Traits>(defs, values, options, file, &m));
      break;
    }
    case ColumnKind::kDouble: {
      std::vector<double> values;
      values.reserve(end - begin);
      for (size_t r = begin; r < end; ++r) {
        const Cell& c = column.cells[r];
        if (c.kind == CellKind::kInt)
          values.push_back(static_cast<double>(static_cast<int64_t>(c.payload)));
        if (c.kind == CellKind::kDouble) values.push_back(ParseDouble(column.Text(c)));
      }
      RC_RETURN_IF_ERROR(EncodeChunk<DoubleTraits>(defs, values, options, file, &m));
      break;
    }
    case ColumnKind::kBoolean: {
      std::vector<uint8_t> values;
      values.reserve(end - begin);
      for (size_t r = begin; r < end; ++r) {
        const Cell& c = column.cells[r];
        if (c.kind == CellKind::kBool) values.push_back(static_cast<uint8_t>(c.payload));
      }
      RC_RETURN_IF_ERROR(EncodeChunk<BoolTraits>(defs, values, options, file, &m));
      break;
    }
    case ColumnKind::kString:
    case ColumnKind::kMixed: {
      // Integers of a mixed column are written as their digits: rendered into `digits`, sized
      // up front so the views into it stay valid.
      size_t ints = 0;
      for (size_t r = begin; r < end; ++r) ints += column.cells[r].kind == CellKind::kInt;
      std::string digits(ints * 20, '\0');
      size_t used = 0;
      std::vector<std::string_view> values;
      values.reserve(end - begin);
      for (size_t r = begin; r < end; ++r) {
        const Cell& c = column.cells[r];
        switch (c.kind) {
          case CellKind::kNull:
            break;
          case CellKind::kInt: {
            char* at = digits.data() + used;
            const auto res = std::to_chars(at, at + 20, static_cast<int64_t>(c.payload));
            values.emplace_back(at, static_cast<size_t>(res.ptr - at));
            used += static_cast<size_t>(res.ptr - at);
            break;
          }
          case CellKind::kBool:
            values.emplace_back(c.payload ? "true" : "false");
            break;
          default:
            values.push_back(column.Text(c));
            break;
        }
      }
      RC_RETURN_IF_ERROR(EncodeChunk<StringTraits>(defs, values, options, file, &m));
      break;
    }
  }
  return m;
}

}  // namespace rivven::formats::parquet
