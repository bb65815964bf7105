// The types known before the catalog is loaded, and the query that loads the rest.

#include "connectors/postgres/pg_value.h"

#include <iterator>
#include <utility>

namespace rivven::postgres {
namespace {

// A built-in type and the array type PostgreSQL pairs with it, as pg_type of a PostgreSQL 15
// server lists them (OIDs below 10000 are fixed by the server's source; they never change).
struct BuiltinType {
  uint32_t oid;
  const char* name;
  char type_type;
  char category;
  uint32_t array_oid;
  uint32_t element = 0;  // typelem: only name has one (it is subscriptable as char[NAMEDATALEN])
};

constexpr BuiltinType kBuiltinTypes[] = {
    {16, "bool", 'b', 'B', 1000},
    {17, "bytea", 'b', 'U', 1001},
    {18, "char", 'b', 'Z', 1002},
    {19, "name", 'b', 'S', 1003, 18},
    {20, "int8", 'b', 'N', 1016},
    {21, "int2", 'b', 'N', 1005},
    {23, "int4", 'b', 'N', 1007},
    {25, "text", 'b', 'S', 1009},
    {26, "oid", 'b', 'N', 1028},
    {28, "xid", 'b', 'U', 1011},
    {114, "json", 'b', 'U', 199},
    {142, "xml", 'b', 'U', 143},
    {650, "cidr", 'b', 'I', 651},
    {700, "float4", 'b', 'N', 1021},
    {701, "float8", 'b', 'N', 1022},
    {774, "macaddr8", 'b', 'U', 775},
    {790, "money", 'b', 'N', 791},
    {829, "macaddr", 'b', 'U', 1040},
    {869, "inet", 'b', 'I', 1041},
    {1042, "bpchar", 'b', 'S', 1014},
    {1043, "varchar", 'b', 'S', 1015},
    {1082, "date", 'b', 'D', 1182},
    {1083, "time", 'b', 'D', 1183},
    {1114, "timestamp", 'b', 'D', 1115},
    {1184, "timestamptz", 'b', 'D', 1185},
    {1186, "interval", 'b', 'T', 1187},
    {1266, "timetz", 'b', 'D', 1270},
    {1560, "bit", 'b', 'V', 1561},
    {1562, "varbit", 'b', 'V', 1563},
    {1700, "numeric", 'b', 'N', 1231},
    {2950, "uuid", 'b', 'U', 2951},
    {3614, "tsvector", 'b', 'U', 3643},
    {3802, "jsonb", 'b', 'U', 3807},
    {3904, "int4range", 'r', 'R', 3905},
    {3906, "numrange", 'r', 'R', 3907},
    {3908, "tsrange", 'r', 'R', 3909},
    {3910, "tstzrange", 'r', 'R', 3911},
    {3912, "daterange", 'r', 'R', 3913},
    {3926, "int8range", 'r', 'R', 3927},
    {4451, "int4multirange", 'm', 'R', 6150},
    {4532, "nummultirange", 'm', 'R', 6151},
    {4533, "tsmultirange", 'm', 'R', 6152},
    {4534, "tstzmultirange", 'm', 'R', 6153},
    {4535, "datemultirange", 'm', 'R', 6155},
    {4536, "int8multirange", 'm', 'R', 6157},
};

}  // namespace

const char* const TypeCatalog::kLoadQuery =
    "SELECT t.oid, t.typname, t.typtype, t.typcategory, t.typelem, t.typbasetype, t.typdelim"
    " FROM pg_catalog.pg_type t"
    " LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid"
    " WHERE t.typrelid = 0 OR c.relkind = 'c'";

TypeCatalog::TypeCatalog() {
  types_.reserve(2 * std::size(kBuiltinTypes));
  for (const BuiltinType& t : kBuiltinTypes) {
    TypeInfo scalar;
    scalar.oid = t.oid;
    scalar.name = t.name;
    scalar.type_type = t.type_type;
    scalar.category = t.category;
    scalar.element_oid = t.element;
    Add(std::move(scalar));
    TypeInfo array;
    array.oid = t.array_oid;
    array.name = std::string("_") + t.name;
    array.type_type = 'b';
    array.category = 'A';
    array.element_oid = t.oid;
    Add(std::move(array));
  }
}

void TypeCatalog::Add(TypeInfo info) {
  const uint32_t oid = info.oid;
  types_.insert_or_assign(oid, std::move(info));
}

const TypeInfo* TypeCatalog::Find(uint32_t oid) const {
  const auto it = types_.find(oid);
  return it == types_.end() ? nullptr : &it->second;
}

const TypeInfo* TypeCatalog::Resolve(uint32_t oid) const {
  const TypeInfo* type = Find(oid);
  // Domains cannot form cycles in PostgreSQL; the bound only guards a corrupt catalog.
  for (int depth = 0; type != nullptr && type->type_type == 'd' && depth < 64; ++depth) {
    const TypeInfo* base = Find(type->base_oid);
    if (base == nullptr) break;
    type = base;
  }
  return type;
}

}  // namespace rivven::postgres
