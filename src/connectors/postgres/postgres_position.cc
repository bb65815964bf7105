#include "connectors/postgres/postgres_position.h"

#include <rapidjson/document.h>

#include "base/json_escape.h"

namespace rivven::postgres {
namespace {

Status Bad(const std::string& why) {
  return Status::Corruption("postgres-cdc checkpoint is not valid: " + why);
}

void AppendSnapshot(std::string& out, const char* name, const SnapshotProgress& snapshot) {
  out += ",\"";
  out += name;
  out += "\":";
  snapshot.AppendJson(out);
}

Status ReadSnapshot(const rapidjson::Value& s, const std::string& json,
                    std::optional<SnapshotProgress>* out) {
  return SnapshotProgress::FromJson(s, json, "postgres-cdc", &out->emplace());
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
