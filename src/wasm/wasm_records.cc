#include "wasm/wasm_records.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "base/json_escape.h"
#include "record/json.h"

namespace rivven::wasm {
namespace {

// Integers stay exact; decimals round-trip; nesting is parsed without recursion.
constexpr unsigned kParseFlags = rapidjson::kParseFullPrecisionFlag |
                                 rapidjson::kParseValidateEncodingFlag |
                                 rapidjson::kParseIterativeFlag;

std::string Compact(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

Result<rapidjson::Document> Parse(std::string_view json, std::string_view what) {
  // RapidJSON takes a NUL byte for the end of the input and would accept what precedes it
  // (a guest passing a length past its text, say); JSON text never holds one.
  if (const size_t nul = json.find('\0'); nul != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " is not valid JSON: a NUL byte (at byte " +
                                   std::to_string(nul) + ")");
  }
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(json.data(), json.size());
  if (doc.HasParseError()) {
    return Status::InvalidArgument(std::string(what) + " is not valid JSON: " +
                                   rapidjson::GetParseError_En(doc.GetParseError()) + " (at byte " +
                                   std::to_string(doc.GetErrorOffset()) + ")");
  }
  return doc;
}

Result<Record> RecordFromJson(const rapidjson::Value& v, const std::string& where,
                              int64_t default_timestamp_ms) {
  if (!v.IsObject()) return Status::InvalidArgument(where + " is not a JSON object");
  Record r;
  r.timestamp_ms = default_timestamp_ms;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    const std::string_view name(it->name.GetString(), it->name.GetStringLength());
    const rapidjson::Value& m = it->value;
    if (name == "key") {
      if (!m.IsNull()) r.key = Compact(m);
    } else if (name == "value") {
      if (!m.IsNull()) r.value = Compact(m);
    } else if (name == "topic") {
      if (!m.IsString()) return Status::InvalidArgument(where + ".topic is not a string");
      r.topic.assign(m.GetString(), m.GetStringLength());
    } else if (name == "timestamp") {
      if (!m.IsInt64()) {
        return Status::InvalidArgument(where + ".timestamp is not an integer (epoch ms)");
      }
      r.timestamp_ms = m.GetInt64();
    } else if (name == "headers") {
      if (!m.IsObject()) {
        return Status::InvalidArgument(where + ".headers is not an object of strings");
      }
      for (auto h = m.MemberBegin(); h != m.MemberEnd(); ++h) {
        if (!h->value.IsString()) {
          return Status::InvalidArgument(where + ".headers." + h->name.GetString() +
                                         " is not a string");
        }
        r.headers.push_back({std::string(h->name.GetString(), h->name.GetStringLength()),
                             std::string(h->value.GetString(), h->value.GetStringLength())});
      }
    }
    // Other members (partition, offset echoed back) are ignored.
  }
  return r;
}

Result<std::vector<Record>> RecordsFromArray(const rapidjson::Value& array, const std::string& what,
                                             int64_t default_timestamp_ms) {
  if (!array.IsArray()) return Status::InvalidArgument(what + " is not a JSON array");
  std::vector<Record> out;
  out.reserve(array.Size());
  for (rapidjson::SizeType i = 0; i < array.Size(); ++i) {
    RC_ASSIGN_OR_RETURN(Record r, RecordFromJson(array[i], what + "[" + std::to_string(i) + "]",
                                                 default_timestamp_ms));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

void AppendRecordJson(std::string& out, const Record& record, std::string_view topic,
                      int64_t partition, int64_t offset) {
  out += "{\"topic\":";
  AppendJsonString(out, topic);
  if (partition >= 0) {
    out += ",\"partition\":";
    json::AppendInt(out, partition);
  }
  if (offset >= 0) {
    out += ",\"offset\":";
    json::AppendInt(out, offset);
  }
  out += ",\"timestamp\":";
  json::AppendInt(out, record.timestamp_ms);
  out += ",\"key\":";
  json::AppendJsonOrString(out, record.key);
  out += ",\"value\":";
  json::AppendJsonOrString(out, record.value);
  out += ",\"headers\":{";
  for (size_t i = 0; i < record.headers.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(out, record.headers[i].key);
    out.push_back(':');
    AppendJsonString(out, record.headers[i].value);
  }
  out += "}}";
}

std::string ConsumedRecordsJson(const std::vector<ConsumedRecord>& records) {
  std::string out = "[";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) out.push_back(',');
    const ConsumedRecord& r = records[i];
    AppendRecordJson(out, r.record, r.topic, r.partition, r.offset.value());
  }
  out.push_back(']');
  return out;
}

Result<std::vector<Record>> ParseRecordArray(std::string_view json, std::string_view what,
                                             int64_t default_timestamp_ms) {
  RC_ASSIGN_OR_RETURN(rapidjson::Document doc, Parse(json, what));
  return RecordsFromArray(doc, std::string(what), default_timestamp_ms);
}

Result<PollResult> ParsePollResult(std::string_view json, int64_t default_timestamp_ms) {
  constexpr std::string_view kWhat = "rivven_poll result";
  RC_ASSIGN_OR_RETURN(rapidjson::Document doc, Parse(json, kWhat));
  if (!doc.IsObject()) {
    return Status::InvalidArgument(std::string(kWhat) +
                                   " is not a JSON object {\"records\":[...],\"position\":...}");
  }
  PollResult out;
  if (auto it = doc.FindMember("records"); it != doc.MemberEnd()) {
    RC_ASSIGN_OR_RETURN(out.records, RecordsFromArray(it->value, std::string(kWhat) + ".records",
                                                      default_timestamp_ms));
  }
  if (auto it = doc.FindMember("position"); it != doc.MemberEnd() && !it->value.IsNull()) {
    out.position = Compact(it->value);
  }
  if (auto it = doc.FindMember("finished"); it != doc.MemberEnd()) {
    if (!it->value.IsBool()) {
      return Status::InvalidArgument(std::string(kWhat) + ".finished is not a boolean");
    }
    out.finished = it->value.GetBool();
  }
  return out;
}

}  // namespace rivven::wasm
