#include "connectors/datagen/datagen_config.h"

#include <gtest/gtest.h>

#include "config/pipeline_config.h"
#include "connectors/registry.h"
#include "record/json.h"

namespace rivven::datagen {
namespace {

config::EnvLookup NoEnv() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

/// Binds a YAML `config:` block against the registered datagen schema.
config::BoundConfig BindYaml(const std::string& yaml, config::Diagnostics* diags) {
  const ConnectorDescriptor* d = BuiltinRegistry().Find(ConnectorKind::kSource, "datagen");
  EXPECT_NE(d, nullptr);
  std::optional<config::Node> node = config::ParseYaml(yaml, NoEnv(), diags);
  EXPECT_TRUE(node.has_value());
  config::BoundConfig bound =
      config::Bind(d->schema, &*node, "sources.demo.config", node->mark, diags);
  if (d->validate) d->validate(bound, diags);
  return bound;
}

TEST(DatagenConfigTest, DefaultsFromTheSchema) {
  config::Diagnostics diags;
  auto bound = BindYaml("pattern: users\n", &diags);
  ASSERT_TRUE(diags.empty()) << diags.Format();
  auto c = DatagenConfigFromBound(bound);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->pattern, Pattern::kUsers);
  EXPECT_EQ(c->events_per_second, 1);
  EXPECT_EQ(c->max_events, 0);
  EXPECT_EQ(c->stream_name, "datagen");
  EXPECT_FALSE(c->seed.has_value());
  EXPECT_FALSE(c->cdc_mode);
}

TEST(DatagenConfigTest, SpecExample) {
  config::Diagnostics diags;
  auto bound = BindYaml(
      "pattern: orders\nevents_per_second: 10\nmax_events: 0\nstream_name: demo_orders\n"
      "seed: 42\ncdc_mode: true\n",
      &diags);
  ASSERT_TRUE(diags.empty()) << diags.Format();
  auto c = DatagenConfigFromBound(bound);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->events_per_second, 10);
  EXPECT_EQ(c->stream_name, "demo_orders");
  EXPECT_EQ(c->seed, 42);
  EXPECT_TRUE(c->cdc_mode);
}

TEST(DatagenConfigTest, ProblemsAreReported) {
  {
    config::Diagnostics diags;
    (void)BindYaml("events_per_second: 5\n", &diags);
    EXPECT_NE(diags.Format().find("pattern"), std::string::npos) << diags.Format();
  }
  {
    config::Diagnostics diags;
    (void)BindYaml("pattern: invoices\n", &diags);
    EXPECT_FALSE(diags.empty());
  }
  {
    config::Diagnostics diags;
    (void)BindYaml("pattern: orders\nevents_per_second: -1\n", &diags);
    EXPECT_FALSE(diags.empty());
  }
  {
    config::Diagnostics diags;
    (void)BindYaml("pattern: orders\nevents_per_secnd: 3\n", &diags);
    EXPECT_NE(diags.Format().find("events_per_secnd"), std::string::npos) << diags.Format();
  }
  {
    config::Diagnostics diags;
    (void)BindYaml("pattern: pageviews\ncdc_mode: true\n", &diags);
    ASSERT_EQ(diags.size(), 1u) << diags.Format();
    EXPECT_EQ(diags.items()[0].path, "sources.demo.config.cdc_mode");
    EXPECT_EQ(diags.items()[0].mark.line, 2);
  }
}

TEST(DatagenConfigTest, FactoryAndDiscoverThroughTheRegistry) {
  config::Diagnostics diags;
  auto bound = BindYaml("pattern: orders\nstream_name: shop\nseed: 1\nmax_events: 3\n"
                        "events_per_second: 0\n",
                        &diags);
  ASSERT_TRUE(diags.empty()) << diags.Format();
  const ConnectorDescriptor* d = BuiltinRegistry().Find(ConnectorKind::kSource, "datagen");
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(d->bounded_when_configured);
  auto streams = d->discover(bound);
  ASSERT_TRUE(streams.ok());
  ASSERT_EQ(streams->size(), 1u);
  EXPECT_EQ((*streams)[0].name, "shop");
  EXPECT_TRUE(json::IsJson((*streams)[0].json_schema));

  auto source = d->make_source(bound, ConnectorContext{"demo", "t", {}, ""});
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  ASSERT_TRUE((*source)->Open(std::nullopt).ok());
  auto batch = (*source)->Poll(10, std::chrono::milliseconds(0), {});
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->records.size(), 3u);
  EXPECT_TRUE(batch->finished);
  EXPECT_EQ(batch->position, R"({"seed":1,"next":3})");
}

TEST(DatagenConfigTest, SchemaExportsAsJsonSchema) {
  const std::string schema = config::ToJsonSchema(DatagenSchema(), "datagen", "test");
  EXPECT_TRUE(json::IsJson(schema)) << schema;
  EXPECT_NE(schema.find("events_per_second"), std::string::npos);
}

}  // namespace
}  // namespace rivven::datagen
