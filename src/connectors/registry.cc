#include "connectors/registry.h"

#include "connectors/airbyte/airbyte_source.h"
#include "connectors/datagen/datagen_source.h"
#include "connectors/file/file_sink.h"
#include "connectors/file/file_source.h"
#include "connectors/mysql/mysql_source.h"
#include "connectors/postgres/postgres_source.h"
#include "connectors/http/http_poll_source.h"
#include "connectors/http/webhook_sink.h"
#include "connectors/kafka/kafka_sink.h"
#include "connectors/kafka/kafka_source.h"
#include "connectors/plugin/plugin_connector.h"
#include "connectors/s3/s3_sink.h"
#include "connectors/snowflake/snowflake_sink.h"
#include "connectors/stdout/stdout_sink.h"
#include "connectors/wasm/wasm_source.h"

namespace rivven {

void RegisterAllConnectors(Registry& registry) {
  RegisterDatagen(registry);
  RegisterStdout(registry);
  RegisterKafkaSink(registry);
  RegisterKafkaSource(registry);
  RegisterHttpWebhook(registry);
  RegisterHttpPoll(registry);
  RegisterFileSink(registry);
  RegisterFileSource(registry);
  RegisterS3Sink(registry);
  RegisterSnowflakeSink(registry);
  postgres::RegisterPostgresCdc(registry);
  mysql::RegisterMysqlCdc(registry);
  RegisterPlugin(registry);
  RegisterAirbyte(registry);
  RegisterWasm(registry);
}

void Registry::Add(ConnectorDescriptor descriptor) {
  RC_ASSERT(Find(descriptor.kind, descriptor.name) == nullptr);
  items_.push_back(std::make_unique<ConnectorDescriptor>(std::move(descriptor)));
}

const ConnectorDescriptor* Registry::Find(ConnectorKind kind, std::string_view name) const {
  for (const auto& d : items_) {
    if (d->kind == kind && d->name == name) return d.get();
  }
  return nullptr;
}

std::vector<const ConnectorDescriptor*> Registry::All() const {
  std::vector<const ConnectorDescriptor*> out;
  out.reserve(items_.size());
  for (const auto& d : items_) out.push_back(d.get());
  return out;
}

std::vector<std::string> Registry::Names(ConnectorKind kind) const {
  std::vector<std::string> out;
  for (const auto& d : items_) {
    if (d->kind == kind) out.push_back(d->name);
  }
  return out;
}

const Registry& BuiltinRegistry() {
  static const Registry* registry = [] {
    static Registry r;
    RegisterAllConnectors(r);
    return &r;
  }();
  return *registry;
}

}  // namespace rivven
