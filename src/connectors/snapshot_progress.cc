#include "connectors/snapshot_progress.h"

#include <rapidjson/document.h>

#include "base/json_escape.h"

namespace rivven {

void SnapshotProgress::AppendJson(std::string& out) const {
  out += "{\"tables\":[";
  for (size_t i = 0; i < tables.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, tables[i]);
  }
  out += "],\"table\":" + std::to_string(table);
  if (after) {
    out += ",\"after\":[";
    for (size_t i = 0; i < after->size(); ++i) {
      if (i > 0) out += ',';
      const auto& v = (*after)[i];
      if (v) {
        AppendJsonString(out, *v);
      } else {
        out += "null";
      }
    }
    out += ']';
  }
  out += ",\"rows\":" + std::to_string(rows) + "}";
}

Status SnapshotProgress::FromJson(const rapidjson::Value& s, const std::string& json,
                                  const std::string& source, SnapshotProgress* out) {
  const auto bad = [&](const std::string& why) {
    return Status::Corruption(source + " checkpoint is not valid: " + why + " in " + json);
  };
  SnapshotProgress& snap = *out;
  if (!s.IsObject() || !s.HasMember("tables") || !s["tables"].IsArray() || !s.HasMember("table") ||
      !s["table"].IsUint64()) {
    return bad("snapshot needs tables and table");
  }
  for (const auto& t : s["tables"].GetArray()) {
    if (!t.IsString()) return bad("snapshot tables must be strings");
    snap.tables.emplace_back(t.GetString(), t.GetStringLength());
  }
  snap.table = s["table"].GetUint64();
  if (snap.table > snap.tables.size()) return bad("snapshot table index out of range");
  if (s.HasMember("after") && s["after"].IsArray()) {
    std::vector<std::optional<std::string>> after;
    for (const auto& v : s["after"].GetArray()) {
      if (v.IsNull()) {
        after.emplace_back();
      } else if (v.IsString()) {
        after.emplace_back(std::string(v.GetString(), v.GetStringLength()));
      } else {
        return bad("snapshot key values must be strings");
      }
    }
    snap.after.emplace(std::move(after));
  }
  if (s.HasMember("rows") && s["rows"].IsUint64()) snap.rows = s["rows"].GetUint64();
  return Status::Ok();
}

}  // namespace rivven
