#include "runtime/topic_provisioner.h"

#include <map>
#include <optional>
#include <string>

#include "base/log.h"

namespace rivven {
namespace {

constexpr std::string_view kLog = "topics";

struct Wanted {
  int32_t partitions = 1;
  bool partitions_explicit = false;  ///< from a source's topic_config
  bool auto_create = true;
  std::string requested_by;          ///< "sources.x" or "sinks.y", for messages
};

}  // namespace

Status ProvisionTopics(const PipelinePlan& plan, Broker& broker, bool embedded) {
  const config::TopicSettings& ts = plan.config.settings.topic;
  if (embedded && ts.default_replication_factor != 1) {
    log::Info(kLog,
              "settings.topic.default_replication_factor={} is ignored by the embedded broker "
              "(one copy on local disk); it applies to Kafka clusters",
              ts.default_replication_factor);
  }

  // Sources first: their topic_config overrides decide partitions; sinks only add topics.
  std::map<std::string, Wanted> wanted;
  for (const auto& s : plan.sources) {
    if (!s.spec.enabled) continue;
    // "prefix.{stream}": one topic per stream, created when its first record comes.
    if (s.spec.topic.find("{stream}") != std::string::npos) continue;
    Wanted w;
    w.partitions = s.spec.topic_config.partitions.value_or(ts.default_partitions);
    w.partitions_explicit = s.spec.topic_config.partitions.has_value();
    w.auto_create = s.spec.topic_config.auto_create.value_or(ts.auto_create);
    w.requested_by = "sources." + s.spec.name;
    auto [it, inserted] = wanted.emplace(s.spec.topic, w);
    if (!inserted && w.partitions_explicit) {
      if (it->second.partitions_explicit && it->second.partitions != w.partitions) {
        return Status::InvalidArgument(
            "topic '" + s.spec.topic + "': " + w.requested_by + ".topic_config.partitions=" +
            std::to_string(w.partitions) + " conflicts with " + it->second.requested_by +
            ".topic_config.partitions=" + std::to_string(it->second.partitions));
      }
      it->second = w;
    }
  }
  for (const auto& s : plan.sinks) {
    if (!s.spec.enabled) continue;
    for (const auto& t : s.spec.topics) {
      Wanted w;
      w.partitions = ts.default_partitions;
      w.auto_create = ts.auto_create;
      w.requested_by = "sinks." + s.spec.name;
      wanted.emplace(t, w);
    }
  }

  // Topics a source's routing transforms may choose, known at startup.
  for (const auto& s : plan.sources) {
    if (!s.spec.enabled || !s.chain) continue;
    for (const auto& t : s.chain->Topics()) {
      Wanted w;
      w.partitions = ts.default_partitions;
      w.auto_create = ts.auto_create;
      w.requested_by = "sources." + s.spec.name + ".transforms";
      wanted.emplace(t, w);
    }
  }

  // Dead letter topics are created like Kafka Connect's: whenever a connector may need one.
  auto want_dlq = [&](const config::ErrorPolicy& errors, const std::string& who) {
    if (errors.on_error != config::OnError::kDlq) return;
    Wanted w;
    w.partitions = 1;
    w.auto_create = true;
    w.requested_by = who + " (dead_letter_topic)";
    wanted.emplace(errors.dead_letter_topic, w);
  };
  for (const auto& s : plan.sources) {
    if (s.spec.enabled) want_dlq(s.spec.errors, "sources." + s.spec.name);
  }
  for (const auto& s : plan.sinks) {
    if (s.spec.enabled) want_dlq(s.spec.errors, "sinks." + s.spec.name);
  }

  for (const auto& [topic, w] : wanted) {
    auto info = broker.DescribeTopic(topic);
    if (info.ok()) {
      const auto have = static_cast<int32_t>(info->partitions.size());
      if (ts.validate_existing && have != w.partitions) {
        log::Warn(kLog, "topic '{}' exists with {} partition(s) but {} asks for {}; keeping {}",
                  topic, have, w.requested_by, w.partitions, have);
      }
      if (ts.validate_existing && !embedded &&
          info->spec.replication_factor != ts.default_replication_factor) {
        log::Warn(kLog,
                  "topic '{}' exists with replication factor {} but "
                  "settings.topic.default_replication_factor is {}; keeping {}",
                  topic, info->spec.replication_factor, ts.default_replication_factor,
                  info->spec.replication_factor);
      }
      continue;
    }
    if (info.status().code() != StatusCode::kNotFound) {
      return info.status().WithContext("describing topic '" + topic + "'");
    }
    if (w.auto_create) {
      TopicSpec spec;
      spec.partitions = w.partitions;
      spec.replication_factor = embedded ? 1 : ts.default_replication_factor;
      RC_RETURN_IF_ERROR(broker.CreateTopic(topic, spec).WithContext("creating topic '" + topic + "'"));
      log::Info(kLog, "created topic '{}' with {} partition(s) for {}", topic, w.partitions,
                w.requested_by);
      continue;
    }
    if (ts.require_topic_exists) {
      return Status::FailedPrecondition(
          "topic '" + topic + "' (used by " + w.requested_by +
          ") does not exist and auto_create is off; create it with `rivven-connect topics "
          "create` or set settings.topic.auto_create: true");
    }
    log::Warn(kLog,
              "topic '{}' (used by {}) does not exist and auto_create is off; {} waits until "
              "it is created",
              topic, w.requested_by, w.requested_by);
  }
  return Status::Ok();
}

}  // namespace rivven
