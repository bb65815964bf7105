#include "connectors/postgres/postgres_position.h"

#include <rapidjson/document.h>

#include "base/json_escape.h"

namespace rivven::postgres {
namespace {

Status Bad(const std::string& why) {
  return Status::Corruption("postgres-cdc checkpoint is not valid: " + why);
}

void AppendSnapshot(std::string& out, const char* name, const SourcePosition::Snapshot& snapshot) {
  out += ",\"";
  out += name;
  out += "\":{\"tables\":[";
  for (size_t i = 0; i < snapshot.tables.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, snapshot.tables[i]);
  }
  out += "],\"table\":" + std::to_string(snapshot.table);
  if (snapshot.after) {
    out += ",\"after\":[";
    for (size_t i = 0; i < snapshot.after->size(); ++i) {
      if (i > 0) out += ',';
      const auto& v = (*snapshot.after)[i];
      if (v) {
        AppendJsonString(out, *v);
      } else {
        out += "null";
      }
    }
    out += ']';
  }
  out += ",\"rows\":" + std::to_string(snapshot.rows) + "}";
}

// Fills `out` in place (moving the nested optionals around upsets GCC's flow analysis).
Status ReadSnapshot(const rapidjson::Value& s, const std::string& json,
                    std::optional<SourcePosition::Snapshot>* out) {
  SourcePosition::Snapshot& snap = out->emplace();
  if (!s.IsObject() || !s.HasMember("tables") || !s["tables"].IsArray() || !s.HasMember("table") ||
      !s["table"].IsUint64()) {
    return Bad("snapshot needs tables and table in " + json);
  }
  for (const auto& t : s["tables"].GetArray()) {
    if (!t.IsString()) return Bad("snapshot tables must be strings in " + json);
    snap.tables.emplace_back(t.GetString(), t.GetStringLength());
  }
  snap.table = s["table"].GetUint64();
  if (snap.table > snap.tables.size()) return Bad("snapshot table index out of range in " + json);
  if (s.HasMember("after") && s["after"].IsArray()) {
    std::vector<std::optional<std::string>> after;
    for (const auto& v : s["after"].GetArray()) {
      if (v.IsNull()) {
        after.emplace_back();
      } else if (v.IsString()) {
        after.emplace_back(std::string(v.GetString(), v.GetStringLength()));
      } else {
        return Bad("snapshot key values must be strings in " + json);
      }
    }
    snap.after.emplace(std::move(after));
  }
  if (s.HasMember("rows") && s["rows"].IsUint64()) snap.rows = s["rows"].GetUint64();
  return Status::Ok();
}

}  // namespace

std::string SourcePosition::ToJson() const {
  std::string out = "{\"slot\":";
  AppendJsonString(out, slot);
  out += ",\"lsn\":\"" + FormatLsn(lsn) + "\"";
  out += snapshot_done ? ",\"snapshot_done\":true" : ",\"snapshot_done\":false";
  if (tx) {
    out += ",\"tx\":{\"final\":\"" + FormatLsn(tx->final_lsn) +
           "\",\"skip\":" + std::to_string(tx->skip) + "}";
  }
  if (snapshot) AppendSnapshot(out, "snapshot", *snapshot);
  if (incremental) AppendSnapshot(out, "incremental", *incremental);
  out += '}';
  return out;
}

Result<SourcePosition> SourcePosition::FromJson(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  if (d.HasParseError() || !d.IsObject()) return Bad("not a JSON object: " + json);
  SourcePosition p;
  if (d.HasMember("slot") && d["slot"].IsString()) p.slot = d["slot"].GetString();
  if (!d.HasMember("lsn") || !d["lsn"].IsString()) return Bad("no lsn in " + json);
  RC_ASSIGN_OR_RETURN(p.lsn, ParseLsn(d["lsn"].GetString()));
  p.snapshot_done = d.HasMember("snapshot_done") && d["snapshot_done"].IsTrue();
  if (d.HasMember("tx") && d["tx"].IsObject()) {
    const auto& tx = d["tx"];
    if (!tx.HasMember("final") || !tx["final"].IsString() || !tx.HasMember("skip") ||
        !tx["skip"].IsUint64()) {
      return Bad("tx needs final and skip in " + json);
    }
    Transaction t;
    RC_ASSIGN_OR_RETURN(t.final_lsn, ParseLsn(tx["final"].GetString()));
    t.skip = tx["skip"].GetUint64();
    p.tx = t;
  }
  if (d.HasMember("snapshot")) RC_RETURN_IF_ERROR(ReadSnapshot(d["snapshot"], json, &p.snapshot));
  if (d.HasMember("incremental")) {
    RC_RETURN_IF_ERROR(ReadSnapshot(d["incremental"], json, &p.incremental));
  }
  return p;
}

}  // namespace rivven::postgres
