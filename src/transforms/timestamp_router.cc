#include "transforms/timestamp_router.h"

#include <string>
#include <string_view>
#include <utility>

#include "base/clock.h"
#include "transforms/record_context.h"
#include "transforms/standard_support.h"
#include "transforms/timestamp_format.h"

namespace rivven::transforms {
namespace {

constexpr std::string_view kTopicVar = "${topic}";
constexpr std::string_view kTimestampVar = "${timestamp}";

/// Sets the topic from `topic.format`. Built once from config; Apply runs on the chain's thread.
class TimestampRouter final : public Transform {
 public:
  TimestampRouter(std::string topic_format, TimestampFormat timestamp_format)
      : topic_format_(std::move(topic_format)), timestamp_format_(std::move(timestamp_format)) {}

  Result<Outcome> Apply(RecordContext& record) override {
    // A source record without a timestamp gets the broker's append time, which is now.
    const TimestampMs ms =
        record.record().timestamp_ms != 0 ? record.record().timestamp_ms : NowMs();
    const std::string stamp = timestamp_format_.Format(Instant::FromMillis(ms));
    const std::string_view old_topic = record.topic();
    std::string topic;
    for (size_t i = 0; i < topic_format_.size();) {
      if (topic_format_.compare(i, kTopicVar.size(), kTopicVar) == 0) {
        topic += old_topic;
        i += kTopicVar.size();
      } else if (topic_format_.compare(i, kTimestampVar.size(), kTimestampVar) == 0) {
        topic += stamp;
        i += kTimestampVar.size();
      } else {
        topic.push_back(topic_format_[i++]);
      }
    }
    Status valid = CheckTopicName(topic);
    if (!valid.ok()) return valid.WithContext("TimestampRouter");
    record.set_topic(std::move(topic));
    return Outcome::kKeep;
  }

 private:
  std::string topic_format_;
  TimestampFormat timestamp_format_;
};

}  // namespace

TransformDescriptor TimestampRouterDescriptor() {
  TransformDescriptor d;
  d.type = "TimestampRouter";
  d.description =
      "Routes each record to a topic named after its topic and its timestamp (Kafka Connect's "
      "TimestampRouter), e.g. one topic (or one index / table in a sink) per day. "
      "`topic.format` replaces ${topic} and ${timestamp} (write them $${topic} and "
      "$${timestamp} in the YAML file, where ${NAME} is an environment variable); "
      "`timestamp.format` formats the "
      "record's timestamp in UTC with Java SimpleDateFormat letters (see TimestampConverter). "
      "A source record without a timestamp uses the current time, which is what the broker "
      "stamps it with. A result that is not a valid topic name fails the record.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: TimestampRouter\n"
      "    config:\n"
      "      topic.format: \"$${topic}-$${timestamp}\"   # orders -> orders-20231114\n"
      "      timestamp.format: yyyyMMdd\n"
      "```";
  d.schema.Add(config::Key("topic.format", config::ValueType::kString,
                           "The new topic; ${topic} and ${timestamp} are replaced (written "
                           "$${topic} and $${timestamp} in YAML).")
                   .Default("${topic}-${timestamp}"));
  d.schema.Add(config::Key("timestamp.format", config::ValueType::kString,
                           "SimpleDateFormat pattern of ${timestamp}, in UTC.")
                   .Default("yyyyMMdd"));
  d.make = [](const config::BoundConfig& bound) -> Result<std::unique_ptr<Transform>> {
    auto format = TimestampFormat::Compile(bound.GetString("timestamp.format"));
    if (!format.ok()) {
      return Status::InvalidArgument("timestamp.format: " + format.status().message());
    }
    std::string topic_format = bound.GetString("topic.format");
    if (topic_format.empty()) {
      return Status::InvalidArgument("topic.format: must not be empty");
    }
    return std::unique_ptr<Transform>(
        std::make_unique<TimestampRouter>(std::move(topic_format), std::move(format).value()));
  };
  return d;
}

void RegisterTimestampRouter(TransformRegistry& registry) {
  registry.Add(TimestampRouterDescriptor());
}

}  // namespace rivven::transforms
