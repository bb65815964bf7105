// Fuzz target of the PostgreSQL logical replication decoder (src/connectors/postgres): the
// walsender's CopyData framing, pgoutput messages and the text-format value mapping.
//
// Input: one mode byte, then messages, each a 2-byte big-endian length and that many bytes.
// Each message must decode or fail with a kCorruption Status that says why — never crash or
// read outside it. An XLogData's payload is decoded as a pgoutput message; Relation messages
// are remembered, and the text values of later Insert/Update/Delete tuples are mapped to JSON by
// their column's type (pg_value.h), which must always be valid JSON. Mode bit 2 instead reads
// the input as "4-byte type OID + text" and maps that one value (a quicker path to the mapping
// of every type); each message is also split as a COPY text row (the snapshot's input).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

#include <rapidjson/document.h>

#include "connectors/postgres/pg_value.h"
#include "connectors/postgres/pgoutput.h"

namespace {

using namespace rivven::postgres;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

struct State {
  TypeCatalog catalog;
  ValueOptions options;
  std::map<uint32_t, RelationMessage> relations;
  std::string json;
};

/// Valid JSON. A number beyond a double's range is valid JSON that RapidJSON does not hold; it
/// comes from PostgreSQL as it is (jsonb keeps 1e400) and is left to whoever reads the record.
void CheckJson(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  Check(!doc.HasParseError() || doc.GetParseError() == rapidjson::kParseErrorNumberTooBig);
}

/// json/jsonb (and arrays of them) embedded as they are: pg_value.cc trusts the server, which
/// validated the document, and does not parse it again; only those may be invalid JSON here.
bool EmbedsServerJson(const State& state, uint32_t oid) {
  return state.options.json == ValueOptions::Json::kEmbedded &&
         (oid == 114 || oid == 3802 || oid == 199 || oid == 3807);
}

void MapTuple(State& state, uint32_t relation_id, const TupleData& tuple) {
  const auto it = state.relations.find(relation_id);
  if (it == state.relations.end()) return;
  const std::vector<RelationColumn>& columns = it->second.columns;
  for (size_t i = 0; i < tuple.size() && i < columns.size(); ++i) {
    if (tuple[i].kind != TupleValue::Kind::kText) continue;
    state.json.clear();
    AppendValueJson(state.json, tuple[i].data, columns[i].type_oid, state.catalog, state.options);
    if (!EmbedsServerJson(state, columns[i].type_oid)) CheckJson(state.json);
  }
}

void DecodeMessage(State& state, std::string_view bytes) {
  rivven::Result<PgOutputMessage> m = DecodePgOutput(bytes);
  if (!m.ok()) {
    Check(m.status().code() == rivven::StatusCode::kCorruption);
    Check(!m.status().message().empty());
    return;
  }
  if (auto* r = std::get_if<RelationMessage>(&*m)) {
    if (state.relations.size() < 64) state.relations[r->relation_id] = std::move(*r);
  } else if (auto* i = std::get_if<InsertMessage>(&*m)) {
    MapTuple(state, i->relation_id, i->new_tuple);
  } else if (auto* u = std::get_if<UpdateMessage>(&*m)) {
    MapTuple(state, u->relation_id, u->old_tuple);
    MapTuple(state, u->relation_id, u->new_tuple);
  } else if (auto* d = std::get_if<DeleteMessage>(&*m)) {
    MapTuple(state, d->relation_id, d->old_tuple);
  }
}

void DecodeCopyData(State& state, const std::string& bytes) {
  rivven::Result<ReplicationMessage> r = DecodeReplicationMessage(bytes);
  if (!r.ok()) {
    Check(r.status().code() == rivven::StatusCode::kCorruption);
    Check(!r.status().message().empty());
    // Not framed: the bytes may still be a bare pgoutput message.
    DecodeMessage(state, bytes);
    return;
  }
  if (const auto* x = std::get_if<XLogData>(&*r)) {
    const std::string payload(x->payload);  // exact-size heap copy: ASan sees over-reads
    DecodeMessage(state, payload);
  }
}

void MapOneValue(State& state, std::string_view input) {
  if (input.size() < 4) return;
  uint32_t oid = 0;
  for (int k = 0; k < 4; ++k) oid = oid << 8 | static_cast<uint8_t>(input[k]);
  const std::string text(input.substr(4));
  if (EmbedsServerJson(state, oid)) return;
  state.json.clear();
  AppendValueJson(state.json, text, oid, state.catalog, state.options);
  CheckJson(state.json);
  // An array literal of elements of that type, when it is one.
  state.json.clear();
  if (AppendArrayJson(state.json, text, oid, state.catalog, state.options)) {
    CheckJson(state.json);
  } else {
    Check(state.json.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.empty()) return 0;
  const uint8_t mode = static_cast<uint8_t>(input[0]);
  input.remove_prefix(1);
  State state;
  state.options.decimal = (mode & 1) ? ValueOptions::Decimal::kDouble : ValueOptions::Decimal::kString;
  state.options.json = (mode & 2) ? ValueOptions::Json::kEmbedded : ValueOptions::Json::kString;
  // A user type, as the catalog learns them from pg_type: an enum and a domain over int4.
  state.catalog.Add(TypeInfo{90001, "mood", 'e', 'E', 0, 0, ','});
  state.catalog.Add(TypeInfo{90002, "posint", 'd', 'N', 0, 23, ','});
  state.catalog.Add(TypeInfo{90003, "_posint", 'b', 'A', 90002, 0, ','});
  if (mode & 4) {
    MapOneValue(state, input);
    return 0;
  }
  std::string storage;
  std::vector<CopyField> fields;
  while (input.size() >= 2) {
    const size_t length = static_cast<uint8_t>(input[0]) << 8 | static_cast<uint8_t>(input[1]);
    input.remove_prefix(2);
    const std::string message(input.substr(0, length));
    input.remove_prefix(message.size());
    DecodeCopyData(state, message);
    SplitCopyRow(message, storage, fields);
    for (const CopyField& f : fields) Check(f.null || f.offset + f.length <= storage.size());
  }
  return 0;
}
