#include "connectors/mysql/mysql_position.h"

#include <rapidjson/document.h>

#include "base/json_escape.h"

namespace rivven::mysql {
namespace {

constexpr const char* kSource = "mysql-cdc";

Status Bad(const std::string& why, const std::string& json) {
  return Status::Corruption(std::string(kSource) + " checkpoint is not valid: " + why + " in " +
                            json);
}

}  // namespace

std::string MysqlPosition::ToJson() const {
  std::string out = "{\"file\":";
  AppendJsonString(out, file);
  out += ",\"pos\":" + std::to_string(pos);
  if (!gtids.empty()) {
    out += ",\"gtids\":";
    AppendJsonString(out, gtids);
  }
  out += snapshot_done ? ",\"snapshot_done\":true" : ",\"snapshot_done\":false";
  if (tx) {
    out += ",\"tx\":{\"file\":";
    AppendJsonString(out, tx->file);
    out += ",\"pos\":" + std::to_string(tx->pos);
    if (!tx->gtid.empty()) {
      out += ",\"gtid\":";
      AppendJsonString(out, tx->gtid);
    }
    out += ",\"skip\":" + std::to_string(tx->skip) + "}";
  }
  if (snapshot) {
    out += ",\"snapshot\":";
    snapshot->AppendJson(out);
  }
  out += '}';
  return out;
}

Result<MysqlPosition> MysqlPosition::FromJson(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  if (d.HasParseError() || !d.IsObject()) return Bad("not a JSON object", json);
  MysqlPosition p;
  if (!d.HasMember("file") || !d["file"].IsString() || !d.HasMember("pos") ||
      !d["pos"].IsUint64()) {
    return Bad("no file and pos", json);
  }
  p.file.assign(d["file"].GetString(), d["file"].GetStringLength());
  p.pos = d["pos"].GetUint64();
  if (d.HasMember("gtids")) {
    if (!d["gtids"].IsString()) return Bad("gtids must be a string", json);
    p.gtids.assign(d["gtids"].GetString(), d["gtids"].GetStringLength());
  }
  p.snapshot_done = d.HasMember("snapshot_done") && d["snapshot_done"].IsTrue();
  if (d.HasMember("tx")) {
    const auto& tx = d["tx"];
    if (!tx.IsObject() || !tx.HasMember("file") || !tx["file"].IsString() ||
        !tx.HasMember("pos") || !tx["pos"].IsUint64() || !tx.HasMember("skip") ||
        !tx["skip"].IsUint64()) {
      return Bad("tx needs file, pos and skip", json);
    }
    Transaction& t = p.tx.emplace();
    t.file.assign(tx["file"].GetString(), tx["file"].GetStringLength());
    t.pos = tx["pos"].GetUint64();
    if (tx.HasMember("gtid") && tx["gtid"].IsString()) t.gtid = tx["gtid"].GetString();
    t.skip = tx["skip"].GetUint64();
  }
  if (d.HasMember("snapshot")) {
    RC_RETURN_IF_ERROR(SnapshotProgress::FromJson(d["snapshot"], json, kSource, &p.snapshot.emplace()));
  }
  return p;
}

}  // namespace rivven::mysql
