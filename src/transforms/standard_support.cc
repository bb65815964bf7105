#include "transforms/standard_support.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "transforms/record_context.h"

namespace rivven::transforms {
namespace {

constexpr size_t kShownBytes = 64;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

config::KeySpec SideKey() {
  return config::Key("side", config::ValueType::kString,
                     "Which part of the record to work on: the value or the key (Kafka "
                     "Connect's $Value / $Key variants).")
      .OneOf({"value", "key"})
      .Default("value");
}

Side SideOf(const config::BoundConfig& config) {
  return config.GetString("side") == "key" ? Side::kKey : Side::kValue;
}

const char* SideName(Side side) { return side == Side::kKey ? "key" : "value"; }

Result<rapidjson::Value*> SideJson(RecordContext& record, Side side) {
  if (side == Side::kKey) {
    if (record.key_is_null()) return static_cast<rapidjson::Value*>(nullptr);
    rapidjson::Value* key = record.Key();
    if (key == nullptr) return Status::InvalidArgument(record.key_error());
    return key;
  }
  if (record.value_is_null()) return static_cast<rapidjson::Value*>(nullptr);
  rapidjson::Value* value = record.Value();
  if (value == nullptr) return Status::InvalidArgument(record.value_error());
  return value;
}

void MarkSideChanged(RecordContext& record, Side side) {
  if (side == Side::kKey) {
    record.MarkKeyChanged();
  } else {
    record.MarkValueChanged();
  }
}

void ReplaceSide(RecordContext& record, Side side, rapidjson::Value&& v) {
  if (v.IsNull()) {
    if (side == Side::kKey) {
      record.SetKeyNull();
    } else {
      record.SetValueNull();
    }
  } else if (side == Side::kKey) {
    record.SetKey(std::move(v));
  } else {
    record.SetValue(std::move(v));
  }
}

std::vector<std::string> ListItems(const config::BoundConfig& config, std::string_view key) {
  std::vector<std::string> out;
  for (const std::string& item : config.GetStringList(key)) {
    std::string_view rest = item;
    while (true) {
      const size_t comma = rest.find(',');
      const std::string_view piece = Trim(rest.substr(0, comma));
      if (!piece.empty()) out.emplace_back(piece);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return out;
}

Result<JsonPath> ConfigPath(const config::BoundConfig& config, std::string_view key,
                            std::string_view text) {
  JsonPath path(text);
  if (!path.error().empty()) {
    return Status::InvalidArgument(std::string(key) + ": " + path.error());
  }
  return path;
}

Status CheckTopicName(std::string_view topic) {
  if (topic.empty() || topic.size() > 249 || topic == "." || topic == "..") {
    return Status::InvalidArgument("invalid topic name '" + std::string(topic) +
                                   "': must be 1-249 characters and not '.' or '..'");
  }
  for (char c : topic) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) {
      return Status::InvalidArgument("invalid topic name '" + std::string(topic) +
                                     "': only ASCII letters, digits, '.', '_' and '-' are "
                                     "allowed");
    }
  }
  return Status::Ok();
}

std::string JsonText(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  v.Accept(writer);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string Shown(const rapidjson::Value& v) {
  std::string text = JsonText(v);
  if (text.size() <= kShownBytes) return text;
  size_t cut = kShownBytes;
  // Never split a UTF-8 sequence: back up over continuation bytes.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "...";
}

std::string HeaderBytes(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(StringView(v));
  return JsonText(v);
}

}  // namespace rivven::transforms
