#include "formats/parquet/schema_inference.h"

namespace rivven::formats::parquet {

namespace {
constexpr uint8_t Bit(CellKind k) { return static_cast<uint8_t>(1u << static_cast<int>(k)); }
}  // namespace

ColumnKind InferColumnKind(uint8_t kinds_seen) {
  const uint8_t kinds = kinds_seen & static_cast<uint8_t>(~Bit(CellKind::kNull));
  if (kinds == 0) return ColumnKind::kString;
  if (kinds == Bit(CellKind::kInt)) return ColumnKind::kInt64;
  if ((kinds & ~(Bit(CellKind::kInt) | Bit(CellKind::kDouble))) == 0) return ColumnKind::kDouble;
  if (kinds == Bit(CellKind::kBool)) return ColumnKind::kBoolean;
  if ((kinds & ~(Bit(CellKind::kString) | Bit(CellKind::kNested))) == 0) return ColumnKind::kString;
  return ColumnKind::kMixed;
}

std::vector<InferredColumn> InferSchema(const std::vector<BufferedColumn>& columns) {
  std::vector<InferredColumn> out;
  out.reserve(columns.size());
  for (const BufferedColumn& c : columns) {
    InferredColumn& ic = out.emplace_back();
    ic.name = c.name;
    ic.kind = InferColumnKind(c.kinds_seen);
    switch (ic.kind) {
      case ColumnKind::kInt64:
        ic.physical = PhysicalType::kInt64;
        break;
      case ColumnKind::kDouble:
        ic.physical = PhysicalType::kDouble;
        break;
      case ColumnKind::kBoolean:
        ic.physical = PhysicalType::kBoolean;
        break;
      case ColumnKind::kString:
      case ColumnKind::kMixed:
        ic.physical = PhysicalType::kByteArray;
        break;
    }
  }
  return out;
}

std::vector<SchemaElement> SchemaElements(const std::vector<InferredColumn>& columns) {
  std::vector<SchemaElement> out;
  out.reserve(columns.size() + 1);
  SchemaElement& root = out.emplace_back();
  root.name = "schema";
  root.num_children = static_cast<int32_t>(columns.size());
  for (const InferredColumn& c : columns) {
    SchemaElement& e = out.emplace_back();
    e.name = c.name;
    e.type = c.physical;
    e.repetition = Repetition::kOptional;
    if (c.physical == PhysicalType::kByteArray) {
      e.converted_type = ConvertedType::kUtf8;
      LogicalType t;
      t.kind = LogicalType::Kind::kString;
      e.logical_type = t;
    }
  }
  return out;
}

}  // namespace rivven::formats::parquet
