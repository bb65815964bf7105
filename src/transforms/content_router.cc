#include "transforms/content_router.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "transforms/json_path.h"
#include "transforms/record_context.h"
#include "transforms/transform.h"

namespace rivven::transforms {
namespace {

using config::Key;
using config::ValueType;

/// Routes by the value of one field. Built once; Apply keeps no state between records.
class ContentRouter final : public Transform {
 public:
  ContentRouter(JsonPath field, std::vector<std::pair<std::string, std::string>> routes,
                std::optional<std::string> default_topic)
      : field_(std::move(field)),
        routes_(std::move(routes)),
        default_topic_(std::move(default_topic)) {}

  Result<Outcome> Apply(RecordContext& record) override {
    const std::string* topic = nullptr;
    if (!record.value_is_null()) {
      rapidjson::Value* value = record.Value();
      if (value == nullptr) return Status::InvalidArgument(record.value_error());
      if (const rapidjson::Value* v = GetPath(*value, field_)) topic = Route(*v);
    }
    if (topic == nullptr && default_topic_) topic = &*default_topic_;
    if (topic != nullptr) record.set_topic(*topic);
    return Outcome::kKeep;
  }

  std::vector<std::string> Topics() const override {
    std::vector<std::string> out;
    for (const auto& [value, topic] : routes_) out.push_back(topic);
    if (default_topic_) out.push_back(*default_topic_);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

 private:
  // The route for a field value: strings match as they are, numbers and booleans by their JSON
  // text (routes `1: topic-one`, `true: flagged`). Null, objects and arrays match nothing.
  const std::string* Route(const rapidjson::Value& v) {
    std::string_view key;
    if (v.IsString()) {
      key = StringView(v);
    } else if (v.IsNumber() || v.IsBool()) {
      text_.Clear();
      rapidjson::Writer<rapidjson::StringBuffer> writer(text_);
      v.Accept(writer);
      key = std::string_view(text_.GetString(), text_.GetSize());
    } else {
      return nullptr;
    }
    for (const auto& [value, topic] : routes_) {
      if (value == key) return &topic;
    }
    return nullptr;
  }

  JsonPath field_;
  std::vector<std::pair<std::string, std::string>> routes_;  ///< field value -> topic
  std::optional<std::string> default_topic_;
  rapidjson::StringBuffer text_;  ///< reused for non-string field values
};

}  // namespace

void RegisterContentRouter(TransformRegistry& registry) {
  TransformDescriptor d;
  d.type = "ContentRouter";
  d.description =
      "Sends each record to the topic its `field` selects: the value of the field is looked up "
      "in `routes` (strings as they are; numbers and booleans by their JSON text). A record "
      "whose value has no route (the field is missing, null, an object or an array, or the "
      "record is a tombstone) goes to `default`, or keeps its topic when there is no default. "
      "The topics of `routes` and `default` are created at startup per settings.topic; a value "
      "that is not valid JSON fails.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: ContentRouter\n"
      "    config:\n"
      "      field: region            # a dotted path: customer.address.country\n"
      "      routes:\n"
      "        us: us-events\n"
      "        eu: eu-events\n"
      "        apac: apac-events\n"
      "      default: other-events\n"
      "```";
  d.schema.Add(
      Key("field", ValueType::kString, "The field whose value picks the route (a dotted path).")
          .Required());
  d.schema.Add(Key("routes", ValueType::kStringMap, "Field value -> topic.").Required());
  d.schema.Add(Key("default", ValueType::kString,
                   "Topic of records no route matches; absent: they keep their topic."));
  d.make = [](const config::BoundConfig& c) -> Result<std::unique_ptr<Transform>> {
    JsonPath field(c.GetString("field"));
    if (!field.error().empty()) return Status::InvalidArgument("field: " + field.error());
    auto routes = c.GetStringMap("routes");
    if (routes.empty()) return Status::InvalidArgument("routes: give at least one value: topic");
    for (const auto& [value, topic] : routes) {
      if (topic.empty()) return Status::InvalidArgument("routes: '" + value + "' has no topic");
    }
    std::optional<std::string> default_topic = c.GetOptionalString("default");
    if (default_topic && default_topic->empty()) {
      return Status::InvalidArgument("default: the topic name is empty");
    }
    return std::unique_ptr<Transform>(
        std::make_unique<ContentRouter>(std::move(field), std::move(routes), default_topic));
  };
  registry.Add(std::move(d));
}

}  // namespace rivven::transforms
