#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/row_buffer.h"

namespace rivven::formats::parquet {

/// The Parquet type a buffered JSON column is written as.
enum class ColumnKind {
  kInt64,    ///< only integers fitting int64
  kDouble,   ///< numbers, at least one with a fraction or exponent
  kBoolean,  ///< only booleans
  kString,   ///< strings and/or nested values (compact JSON); also only-null columns
  kMixed,    ///< incompatible kinds: STRING holding each value's JSON text
};

/// One leaf of the flat schema a Writer emits: every column OPTIONAL.
struct InferredColumn {
  std::string name;
  ColumnKind kind = ColumnKind::kString;
  PhysicalType physical = PhysicalType::kByteArray;
};

/// The type for the kinds a column held (BufferedColumn::kinds_seen). Nulls never decide the
/// type; integers with doubles give DOUBLE; strings with nested values stay STRING (nested
/// values as their JSON text); any other mix, or an integer beyond int64, gives kMixed.
ColumnKind InferColumnKind(uint8_t kinds_seen);

std::vector<InferredColumn> InferSchema(const std::vector<BufferedColumn>& columns);

/// The schema elements (root first) for `columns`: INT64, DOUBLE, BOOLEAN, or BYTE_ARRAY with
/// the STRING logical type and the UTF8 converted type; all OPTIONAL.
std::vector<SchemaElement> SchemaElements(const std::vector<InferredColumn>& columns);

}  // namespace rivven::formats::parquet
