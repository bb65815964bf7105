#include "connectors/stdout/stdout_config.h"

#include <gtest/gtest.h>

#include "config/pipeline_config.h"
#include "connectors/registry.h"

namespace rivven::console {
namespace {

config::BoundConfig BindYaml(const std::string& yaml, config::Diagnostics* diags) {
  const ConnectorDescriptor* d = BuiltinRegistry().Find(ConnectorKind::kSink, "stdout");
  EXPECT_NE(d, nullptr);
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  std::optional<config::Node> node = config::ParseYaml(yaml, env, diags);
  EXPECT_TRUE(node.has_value());
  return config::Bind(d->schema, &*node, "sinks.console.config", node->mark, diags);
}

TEST(StdoutConfigTest, DefaultsAndSpecExample) {
  config::Diagnostics diags;
  auto c = StdoutConfigFromBound(BindYaml("{}", &diags));
  ASSERT_TRUE(diags.empty()) << diags.Format();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->format, OutputFormat::kJson);
  EXPECT_FALSE(c->pretty);
  EXPECT_FALSE(c->include_metadata);

  c = StdoutConfigFromBound(BindYaml("format: json\npretty: true\n", &diags));
  ASSERT_TRUE(diags.empty()) << diags.Format();
  EXPECT_TRUE(c->pretty);
  c = StdoutConfigFromBound(BindYaml("format: text\ninclude_metadata: true\n", &diags));
  ASSERT_TRUE(diags.empty()) << diags.Format();
  EXPECT_EQ(c->format, OutputFormat::kText);
  EXPECT_TRUE(c->include_metadata);
}

TEST(StdoutConfigTest, BadValuesAreReported) {
  config::Diagnostics diags;
  (void)BindYaml("format: xml\n", &diags);
  EXPECT_FALSE(diags.empty());
  config::Diagnostics unknown;
  (void)BindYaml("prety: true\n", &unknown);
  EXPECT_FALSE(unknown.empty());
}

TEST(StdoutConfigTest, FactoryThroughTheRegistry) {
  config::Diagnostics diags;
  auto bound = BindYaml("format: text\n", &diags);
  const ConnectorDescriptor* d = BuiltinRegistry().Find(ConnectorKind::kSink, "stdout");
  auto sink = d->make_sink(bound, ConnectorContext{});
  ASSERT_TRUE(sink.ok());
  EXPECT_TRUE((*sink)->Open().ok());
}

}  // namespace
}  // namespace rivven::console
