// The tls block of the snowflake sink: verified by default; the opt-out carries the config
// block's path for the warning the HTTP client logs.
#include <string>

#include <gtest/gtest.h>

#include "config/pipeline_config.h"
#include "connectors/snowflake/snowflake_sink_config.h"

namespace rivven::snowflake {
namespace {

Result<SnowflakeSinkConfig> FromYaml(const std::string& yaml) {
  config::Diagnostics diags;
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  std::optional<config::Node> node = config::ParseYaml(yaml, env, &diags);
  EXPECT_TRUE(node.has_value());
  static const config::Schema schema = SnowflakeSinkSchema();
  config::BoundConfig bound =
      config::Bind(schema, &*node, "sinks.warehouse.config", node->mark, &diags);
  EXPECT_TRUE(diags.empty()) << diags.Format();
  return SnowflakeSinkConfigFromBound(bound);
}

constexpr const char* kBase =
    "account: xy12345.us-east-1\nuser: u\nprivate_key_path: /k.pem\n"
    "database: D\nschema: S\ntable: T\n";

TEST(SnowflakeSinkTlsConfigTest, VerifiedByDefaultAndTheOptOutNamesItsBlock) {
  auto verified = FromYaml(kBase);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(verified->verify_tls);
  EXPECT_EQ(verified->ca_path, "");

  auto custom = FromYaml(std::string(kBase) + "tls: {ca_path: /ca.pem}\n");
  ASSERT_TRUE(custom.ok()) << custom.status().ToString();
  EXPECT_TRUE(custom->verify_tls);
  EXPECT_EQ(custom->ca_path, "/ca.pem");

  auto off = FromYaml(std::string(kBase) + "tls: {verify: false}\n");
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_FALSE(off->verify_tls);
  EXPECT_EQ(off->tls_owner, "sinks.warehouse.config.tls.verify");
}

}  // namespace
}  // namespace rivven::snowflake
