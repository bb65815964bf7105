#include "formats/parquet/parquet_metadata.h"

#include "formats/parquet/thrift_compact.h"

namespace rivven::formats::parquet {

const char* PhysicalTypeName(PhysicalType t) {
  switch (t) {
    case PhysicalType::kBoolean:
      return "BOOLEAN";
    case PhysicalType::kInt32:
      return "INT32";
    case PhysicalType::kInt64:
      return "INT64";
    case PhysicalType::kInt96:
      return "INT96";
    case PhysicalType::kFloat:
      return "FLOAT";
    case PhysicalType::kDouble:
      return "DOUBLE";
    case PhysicalType::kByteArray:
      return "BYTE_ARRAY";
    case PhysicalType::kFixedLenByteArray:
      return "FIXED_LEN_BYTE_ARRAY";
  }
  return "unknown type";
}

const char* EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kPlain:
      return "PLAIN";
    case Encoding::kPlainDictionary:
      return "PLAIN_DICTIONARY";
    case Encoding::kRle:
      return "RLE";
    case Encoding::kBitPacked:
      return "BIT_PACKED";
    case Encoding::kDeltaBinaryPacked:
      return "DELTA_BINARY_PACKED";
    case Encoding::kDeltaLengthByteArray:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::kDeltaByteArray:
      return "DELTA_BYTE_ARRAY";
    case Encoding::kRleDictionary:
      return "RLE_DICTIONARY";
    case Encoding::kByteStreamSplit:
      return "BYTE_STREAM_SPLIT";
  }
  return "unknown encoding";
}

const char* CompressionCodecName(CompressionCodec c) {
  switch (c) {
    case CompressionCodec::kUncompressed:
      return "UNCOMPRESSED";
    case CompressionCodec::kSnappy:
      return "SNAPPY";
    case CompressionCodec::kGzip:
      return "GZIP";
    case CompressionCodec::kLzo:
      return "LZO";
    case CompressionCodec::kBrotli:
      return "BROTLI";
    case CompressionCodec::kLz4:
      return "LZ4";
    case CompressionCodec::kZstd:
      return "ZSTD";
    case CompressionCodec::kLz4Raw:
      return "LZ4_RAW";
  }
  return "unknown codec";
}

namespace {

// ---- writing ----

void WriteStatistics(CompactWriter& w, int16_t id, const Statistics& s) {
  w.FieldStruct(id);
  if (s.max) w.FieldBinary(1, *s.max);
  if (s.min) w.FieldBinary(2, *s.min);
  if (s.null_count) w.FieldI64(3, *s.null_count);
  if (s.distinct_count) w.FieldI64(4, *s.distinct_count);
  if (s.max_value) w.FieldBinary(5, *s.max_value);
  if (s.min_value) w.FieldBinary(6, *s.min_value);
  w.EndStruct();
}

void WriteTimeUnit(CompactWriter& w, int16_t id, TimeUnit u) {
  w.FieldStruct(id);
  w.FieldStruct(u == TimeUnit::kMillis ? 1 : u == TimeUnit::kMicros ? 2 : 3);
  w.EndStruct();
  w.EndStruct();
}

void WriteLogicalType(CompactWriter& w, const LogicalType& t) {
  using K = LogicalType::Kind;
  w.FieldStruct(10);
  auto empty = [&](int16_t id) {
    w.FieldStruct(id);
    w.EndStruct();
  };
  switch (t.kind) {
    case K::kString:
      empty(1);
      break;
    case K::kMap:
      empty(2);
      break;
    case K::kList:
      empty(3);
      break;
    case K::kEnum:
      empty(4);
      break;
    case K::kDecimal:
      w.FieldStruct(5);
      w.FieldI32(1, t.scale);
      w.FieldI32(2, t.precision);
      w.EndStruct();
      break;
    case K::kDate:
      empty(6);
      break;
    case K::kTime:
    case K::kTimestamp:
      w.FieldStruct(t.kind == K::kTime ? 7 : 8);
      w.FieldBool(1, t.adjusted_to_utc);
      WriteTimeUnit(w, 2, t.unit);
      w.EndStruct();
      break;
    case K::kInteger:
      w.FieldStruct(10);
      w.FieldI32(1, t.bit_width);  // i8 in the IDL: a varint like i32
      w.FieldBool(2, t.is_signed);
      w.EndStruct();
      break;
    case K::kUnknown:
      empty(11);
      break;
    case K::kJson:
      empty(12);
      break;
    case K::kBson:
      empty(13);
      break;
    case K::kUuid:
      empty(14);
      break;
    case K::kFloat16:
      empty(15);
      break;
    case K::kOther:
      break;
  }
  w.EndStruct();
}

void WriteSchemaElement(CompactWriter& w, const SchemaElement& e) {
  w.BeginStruct();
  if (e.type) w.FieldI32(1, static_cast<int32_t>(*e.type));
  if (e.type_length) w.FieldI32(2, *e.type_length);
  if (e.repetition) w.FieldI32(3, static_cast<int32_t>(*e.repetition));
  w.FieldBinary(4, e.name);
  if (e.num_children) w.FieldI32(5, *e.num_children);
  if (e.converted_type) w.FieldI32(6, static_cast<int32_t>(*e.converted_type));
  if (e.scale) w.FieldI32(7, *e.scale);
  if (e.precision) w.FieldI32(8, *e.precision);
  if (e.field_id) w.FieldI32(9, *e.field_id);
  if (e.logical_type) WriteLogicalType(w, *e.logical_type);
  w.EndStruct();
}

void WriteColumnMetaData(CompactWriter& w, int16_t id, const ColumnMetaData& m) {
  w.FieldStruct(id);
  w.FieldI32(1, static_cast<int32_t>(m.type));
  w.FieldList(2, ThriftType::kI32, m.encodings.size());
  for (Encoding e : m.encodings) w.I32(static_cast<int32_t>(e));
  w.FieldList(3, ThriftType::kBinary, m.path_in_schema.size());
  for (const std::string& p : m.path_in_schema) w.Binary(p);
  w.FieldI32(4, static_cast<int32_t>(m.codec));
  w.FieldI64(5, m.num_values);
  w.FieldI64(6, m.total_uncompressed_size);
  w.FieldI64(7, m.total_compressed_size);
  w.FieldI64(9, m.data_page_offset);
  if (m.index_page_offset) w.FieldI64(10, *m.index_page_offset);
  if (m.dictionary_page_offset) w.FieldI64(11, *m.dictionary_page_offset);
  if (m.statistics) WriteStatistics(w, 12, *m.statistics);
  w.EndStruct();
}

void WriteRowGroup(CompactWriter& w, const RowGroup& g) {
  w.BeginStruct();
  w.FieldList(1, ThriftType::kStruct, g.columns.size());
  for (const ColumnChunk& c : g.columns) {
    w.BeginStruct();
    if (c.file_path) w.FieldBinary(1, *c.file_path);
    w.FieldI64(2, c.file_offset);
    if (c.meta_data) WriteColumnMetaData(w, 3, *c.meta_data);
    w.EndStruct();
  }
  w.FieldI64(2, g.total_byte_size);
  w.FieldI64(3, g.num_rows);
  if (g.file_offset) w.FieldI64(5, *g.file_offset);
  if (g.total_compressed_size) w.FieldI64(6, *g.total_compressed_size);
  if (g.ordinal) w.FieldI32(7, *g.ordinal);  // i16: the same zigzag varint
  w.EndStruct();
}

// ---- reading ----

/// Reads the fields of one struct, calling `on_field` for each (it reads or skips the value).
template <typename OnField>
void ReadStruct(CompactReader& r, OnField on_field) {
  r.BeginStruct();
  while (r.ok()) {
    const CompactReader::Field f = r.NextField();
    if (f.type == ThriftType::kStop) break;
    if (!on_field(f)) r.Skip(f.type);
  }
  r.EndStruct();
}

bool Is(const CompactReader::Field& f, int16_t id, ThriftType type) {
  return f.id == id && f.type == type;
}

bool IsBool(const CompactReader::Field& f, int16_t id) {
  return f.id == id && (f.type == ThriftType::kBoolTrue || f.type == ThriftType::kBoolFalse);
}

/// Binary list (path_in_schema) or i32 list (encodings) readers.
template <typename Element>
void ReadList(CompactReader& r, ThriftType expected, Element element) {
  ThriftType type;
  const uint32_t n = r.ListHeader(&type);
  if (!r.ok()) return;
  if (type != expected) {
    r.Fail("list of unexpected element type " + std::to_string(static_cast<int>(type)));
    return;
  }
  for (uint32_t i = 0; i < n && r.ok(); ++i) element();
}

Statistics ReadStatistics(CompactReader& r) {
  Statistics s;
  ReadStruct(r, [&](const CompactReader::Field& f) {
    if (Is(f, 1, ThriftType::kBinary))
      s.max = std::string(r.Binary());
    else if (Is(f, 2, ThriftType::kBinary))
      s.min = std::string(r.Binary());
    else if (Is(f, 3, ThriftType::kI64))
      s.null_count = r.I64();
    else if (Is(f, 4, ThriftType::kI64))
      s.distinct_count = r.I64();
    else if (Is(f, 5, ThriftType::kBinary))
      s.max_value = std::string(r.Binary());
    else if (Is(f, 6, ThriftType::kBinary))
      s.min_value = std::string(r.Binary());
    else
      return false;
    return true;
  });
  return s;
}

TimeUnit ReadTimeUnit(CompactReader& r) {
  TimeUnit u = TimeUnit::kMillis;
  ReadStruct(r, [&](const CompactReader::Field& f) {
    if (f.type != ThriftType::kStruct) return false;
    if (f.id == 2) u = TimeUnit::kMicros;
    if (f.id == 3) u = TimeUnit::kNanos;
    return false;  // the member struct is empty: skipped
  });
  return u;
}

LogicalType ReadLogicalType(CompactReader& r) {
  using K = LogicalType::Kind;
  LogicalType t;
  ReadStruct(r, [&](const CompactReader::Field& f) {
    if (f.type != ThriftType::kStruct) return false;
    switch (f.id) {
      case 1:
        t.kind = K::kString;
        return false;
      case 2:
        t.kind = K::kMap;
        return false;
      case 3:
        t.kind = K::kList;
        return false;
      case 4:
        t.kind = K::kEnum;
        return false;
      case 5:
        t.kind = K::kDecimal;
        ReadStruct(r, [&](const CompactReader::Field& d) {
          if (Is(d, 1, ThriftType::kI32))
            t.scale = r.I32();
          else if (Is(d, 2, ThriftType::kI32))
            t.precision = r.I32();
          else
            return false;
          return true;
        });
        return true;
      case 6:
        t.kind = K::kDate;
        return false;
      case 7:
      case 8:
        t.kind = f.id == 7 ? K::kTime : K::kTimestamp;
        ReadStruct(r, [&](const CompactReader::Field& d) {
          if (IsBool(d, 1))
            t.adjusted_to_utc = CompactReader::FieldBoolValue(d);
          else if (Is(d, 2, ThriftType::kStruct))
            t.unit = ReadTimeUnit(r);
          else
            return false;
          return true;
        });
        return true;
      case 10:
        t.kind = K::kInteger;
        ReadStruct(r, [&](const CompactReader::Field& d) {
          if (Is(d, 1, ThriftType::kByte))
            t.bit_width = r.Byte();
          else if (Is(d, 1, ThriftType::kI32))
            t.bit_width = static_cast<int8_t>(r.I32());
          else if (IsBool(d, 2))
            t.is_signed = CompactReader::FieldBoolValue(d);
          else
            return false;
          return true;
        });
        return true;
      case 11:
        t.kind = K::kUnknown;
        return false;
      case 12:
        t.kind = K::kJson;
        return false;
      case 13:
        t.kind = K::kBson;
        return false;
      case 14:
        t.kind = K::kUuid;
        return false;
      case 15:
        t.kind = K::kFloat16;
        return false;
      default:
        t.kind = K::kOther;
        return false;
    }
  });
  return t;
}

SchemaElement ReadSchemaElement(CompactReader& r) {
  SchemaElement e;
  bool has_name = false;
  ReadStruct(r, [&](const CompactReader::Field& f) {
    if (Is(f, 1, ThriftType::kI32))
      e.type = static_cast<PhysicalType>(r.I32());
    else if (Is(f, 2, ThriftType::kI32))
      e.type_length = r.I32();
    else if (Is(f, 3, ThriftType::kI32))
      e.repetition = static_cast<Repetition>(r.I32());
    else if (Is(f, 4, ThriftType::kBinary))
      e.name = std::string(r.Binary()), has_name = true;
    else if (Is(f, 5, ThriftType::kI32))
      e.num_children = r.I32();
    else if (Is(f, 6, ThriftType::kI32))
      e.converted_type = static_cast<ConvertedType>(r.I32());
    else if (Is(f, 7, ThriftType::kI32))
      e.scale = r.I32();
    else if (Is(f, 8, ThriftType::kI32))
      e.precision = r.I32();
    else if (Is(f, 9, ThriftType::kI32))
      e.field_id = r.I32();
    else if (Is(f, 10, ThriftType::kStruct))
      e.logical_type = ReadLogicalType(r);
    else
      return false;
    return true;
  });
  if (!has_name) r.Fail("SchemaElement without a name");
  return e;
}

ColumnMetaData ReadColumnMetaData(CompactReader& r) {
  ColumnMetaData m;
  uint32_t seen = 0;
  ReadStruct(r, [&](const CompactReader::Field& f) {
    if (Is(f, 1, ThriftType::kI32)) {
      m.type = static_cast<PhysicalType>(r.I32());
    } else if (Is(f, 2, ThriftType::kList)) {
      ReadList(r, ThriftType::kI32, [&] { m.encodings.push_back(static_cast<Encoding>(r.I32())); });
    } else if (Is(f, 3, ThriftType::kList)) {
      ReadList(r, ThriftType::kBinary, [&] { m.path_in_schema.emplace_back(r.Binary()); });
    } else if (Is(f, 4, ThriftType::kI32)) {
      m.codec = static_cast<CompressionCodec>(r.I32());
    } else if (Is(f, 5, ThriftType::kI64)) {
      m.num_values = r.I64();
    } else if (Is(f, 6, ThriftType::kI64)) {
      m.total_uncompressed_size = r.I64();
    } else if (Is(f, 7, ThriftType::kI64)) {
      m.total_compressed_size = r.I64();
    } else if (Is(f, 9, ThriftType::kI64)) {
      m.data_page_offset = r.I64();
    } else if (Is(f, 10, ThriftType::kI64)) {
      m.index_page_offset = r.I64();
    } else if (Is(f, 11, ThriftType::kI64)) {
      m.dictionary_page_offset = r.I64();
    } else if (Is(f, 12, ThriftType::kStruct)) {
      m.statistics = ReadStatistics(r);
    } else {
      return false;
    }
    if (f.id < 32) seen |= 1u << f.id;
    return true;
  });
  constexpr uint32_t kRequired = 1u << 1 | 1u << 4 | 1u << 5 | 1u << 7 | 1u << 9;
  if ((seen & kRequired) != kRequired) r.Fail("ColumnMetaData lacks a required field");
  return m;
}

RowGroup ReadRowGroup(CompactReader& r) {
  RowGroup g;
  bool has_rows = false;
  ReadStruct(r, [&](const CompactReader::Field& f) {
    if (Is(f, 1, ThriftType::kList)) {
      ReadList(r, ThriftType::kStruct, [&] {
        ColumnChunk& c = g.columns.emplace_back();
        ReadStruct(r, [&](const CompactReader::Field& cf) {
          if (Is(cf, 1, ThriftType::kBinary))
            c.file_path = std::string(r.Binary());
          else if (Is(cf, 2, ThriftType::kI64))
            c.file_offset = r.I64();
          else if (Is(cf, 3, ThriftType::kStruct))
            c.meta_data = ReadColumnMetaData(r);
          else
            return false;
          return true;
        });
      });
    } else if (Is(f, 2, ThriftType::kI64)) {
      g.total_byte_size = r.I64();
    } else if (Is(f, 3, ThriftType::kI64)) {
      g.num_rows = r.I64();
      has_rows = true;
    } else if (Is(f, 5, ThriftType::kI64)) {
      g.file_offset = r.I64();
    } else if (Is(f, 6, ThriftType::kI64)) {
      g.total_compressed_size = r.I64();
    } else if (Is(f, 7, ThriftType::kI16) || Is(f, 7, ThriftType::kI32)) {
      g.ordinal = r.I16();
    } else {
      return false;
    }
    return true;
  });
  if (!has_rows) r.Fail("RowGroup without num_rows");
  return g;
}

}  // namespace

void SerializeFileMetaData(const FileMetaData& m, std::string* out) {
  CompactWriter w(out);
  w.BeginStruct();
  w.FieldI32(1, m.version);
  w.FieldList(2, ThriftType::kStruct, m.schema.size());
  for (const SchemaElement& e : m.schema) WriteSchemaElement(w, e);
  w.FieldI64(3, m.num_rows);
  w.FieldList(4, ThriftType::kStruct, m.row_groups.size());
  for (const RowGroup& g : m.row_groups) WriteRowGroup(w, g);
  if (!m.key_value_metadata.empty()) {
    w.FieldList(5, ThriftType::kStruct, m.key_value_metadata.size());
    for (const KeyValue& kv : m.key_value_metadata) {
      w.BeginStruct();
      w.FieldBinary(1, kv.key);
      if (kv.value) w.FieldBinary(2, *kv.value);
      w.EndStruct();
    }
  }
  if (m.created_by) w.FieldBinary(6, *m.created_by);
  if (m.type_defined_column_orders > 0) {
    w.FieldList(7, ThriftType::kStruct, m.type_defined_column_orders);
    for (size_t i = 0; i < m.type_defined_column_orders; ++i) {
      w.BeginStruct();   // ColumnOrder union
      w.FieldStruct(1);  // TYPE_ORDER: TypeDefinedOrder {}
      w.EndStruct();
      w.EndStruct();
    }
  }
  w.EndStruct();
}

void SerializePageHeader(const PageHeader& h, std::string* out) {
  CompactWriter w(out);
  w.BeginStruct();
  w.FieldI32(1, static_cast<int32_t>(h.type));
  w.FieldI32(2, h.uncompressed_page_size);
  w.FieldI32(3, h.compressed_page_size);
  if (h.crc) w.FieldI32(4, *h.crc);
  if (h.data_page_header) {
    const DataPageHeader& d = *h.data_page_header;
    w.FieldStruct(5);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, static_cast<int32_t>(d.encoding));
    w.FieldI32(3, static_cast<int32_t>(d.definition_level_encoding));
    w.FieldI32(4, static_cast<int32_t>(d.repetition_level_encoding));
    if (d.statistics) WriteStatistics(w, 5, *d.statistics);
    w.EndStruct();
  }
  if (h.dictionary_page_header) {
    const DictionaryPageHeader& d = *h.dictionary_page_header;
    w.FieldStruct(7);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, static_cast<int32_t>(d.encoding));
    if (d.is_sorted) w.FieldBool(3, *d.is_sorted);
    w.EndStruct();
  }
  if (h.data_page_header_v2) {
    const DataPageHeaderV2& d = *h.data_page_header_v2;
    w.FieldStruct(8);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, d.num_nulls);
    w.FieldI32(3, d.num_rows);
    w.FieldI32(4, static_cast<int32_t>(d.encoding));
    w.FieldI32(5, d.definition_levels_byte_length);
    w.FieldI32(6, d.repetition_levels_byte_length);
    w.FieldBool(7, d.is_compressed);
    if (d.statistics) WriteStatistics(w, 8, *d.statistics);
    w.EndStruct();
  }
  w.EndStruct();
}

Result<FileMetaData> ParseFileMetaData(std::string_view bytes) {
  CompactReader r(bytes);
  FileMetaData m;
  m.version = 0;
  uint32_t seen = 0;
  ReadStruct(r, [&](const CompactReader::Field& f) {
    if (Is(f, 1, ThriftType::kI32)) {
      m.version = r.I32();
    } else if (Is(f, 2, ThriftType::kList)) {
      ReadList(r, ThriftType::kStruct, [&] { m.schema.push_back(ReadSchemaElement(r)); });
    } else if (Is(f, 3, ThriftType::kI64)) {
      m.num_rows = r.I64();
    } else if (Is(f, 4, ThriftType::kList)) {
      ReadList(r, ThriftType::kStruct, [&] { m.row_groups.push_back(ReadRowGroup(r)); });
    } else if (Is(f, 5, ThriftType::kList)) {
      ReadList(r, ThriftType::kStruct, [&] {
        KeyValue& kv = m.key_value_metadata.emplace_back();
        ReadStruct(r, [&](const CompactReader::Field& k) {
          if (Is(k, 1, ThriftType::kBinary))
            kv.key = std::string(r.Binary());
          else if (Is(k, 2, ThriftType::kBinary))
            kv.value = std::string(r.Binary());
          else
            return false;
          return true;
        });
      });
    } else if (Is(f, 6, ThriftType::kBinary)) {
      m.created_by = std::string(r.Binary());
    } else if (Is(f, 7, ThriftType::kList)) {
      ReadList(r, ThriftType::kStruct, [&] {
        r.Skip(ThriftType::kStruct);
        ++m.type_defined_column_orders;  // TYPE_ORDER is the only ColumnOrder defined
      });
    } else {
      return false;
    }
    seen |= 1u << f.id;
    return true;
  });
  if (r.ok() && (seen & 0b11110) != 0b11110) {
    r.Fail("FileMetaData lacks version, schema, num_rows or row_groups");
  }
  if (!r.ok()) return r.status();
  return m;
}

Result<PageHeader> ParsePageHeader(std::string_view bytes, size_t* consumed) {
  CompactReader r(bytes);
  PageHeader h;
  uint32_t seen = 0;
  ReadStruct(r, [&](const CompactReader::Field& f) {
    if (Is(f, 1, ThriftType::kI32)) {
      h.type = static_cast<PageType>(r.I32());
    } else if (Is(f, 2, ThriftType::kI32)) {
      h.uncompressed_page_size = r.I32();
    } else if (Is(f, 3, ThriftType::kI32)) {
      h.compressed_page_size = r.I32();
    } else if (Is(f, 4, ThriftType::kI32)) {
      h.crc = r.I32();
    } else if (Is(f, 5, ThriftType::kStruct)) {
      DataPageHeader& d = h.data_page_header.emplace();
      ReadStruct(r, [&](const CompactReader::Field& g) {
        if (Is(g, 1, ThriftType::kI32))
          d.num_values = r.I32();
        else if (Is(g, 2, ThriftType::kI32))
          d.encoding = static_cast<Encoding>(r.I32());
        else if (Is(g, 3, ThriftType::kI32))
          d.definition_level_encoding = static_cast<Encoding>(r.I32());
        else if (Is(g, 4, ThriftType::kI32))
          d.repetition_level_encoding = static_cast<Encoding>(r.I32());
        else if (Is(g, 5, ThriftType::kStruct))
          d.statistics = ReadStatistics(r);
        else
          return false;
        return true;
      });
    } else if (Is(f, 7, ThriftType::kStruct)) {
      DictionaryPageHeader& d = h.dictionary_page_header.emplace();
      ReadStruct(r, [&](const CompactReader::Field& g) {
        if (Is(g, 1, ThriftType::kI32))
          d.num_values = r.I32();
        else if (Is(g, 2, ThriftType::kI32))
          d.encoding = static_cast<Encoding>(r.I32());
        else if (IsBool(g, 3))
          d.is_sorted = CompactReader::FieldBoolValue(g);
        else
          return false;
        return true;
      });
    } else if (Is(f, 8, ThriftType::kStruct)) {
      DataPageHeaderV2& d = h.data_page_header_v2.emplace();
      ReadStruct(r, [&](const CompactReader::Field& g) {
        if (Is(g, 1, ThriftType::kI32))
          d.num_values = r.I32();
        else if (Is(g, 2, ThriftType::kI32))
          d.num_nulls = r.I32();
        else if (Is(g, 3, ThriftType::kI32))
          d.num_rows = r.I32();
        else if (Is(g, 4, ThriftType::kI32))
          d.encoding = static_cast<Encoding>(r.I32());
        else if (Is(g, 5, ThriftType::kI32))
          d.definition_levels_byte_length = r.I32();
        else if (Is(g, 6, ThriftType::kI32))
          d.repetition_levels_byte_length = r.I32();
        else if (IsBool(g, 7))
          d.is_compressed = CompactReader::FieldBoolValue(g);
        else if (Is(g, 8, ThriftType::kStruct))
          d.statistics = ReadStatistics(r);
        else
          return false;
        return true;
      });
    } else {
      return false;
    }
    seen |= 1u << f.id;
    return true;
  });
  if (r.ok() && (seen & 0b1110) != 0b1110) {
    r.Fail("PageHeader lacks type or sizes");
  }
  if (!r.ok()) return r.status();
  *consumed = r.position();
  return h;
}

}  // namespace rivven::formats::parquet
