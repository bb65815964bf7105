// The tls block of the s3 sink: verified by default; the opt-out carries the config block's path
// for the warning the HTTP client logs.
#include <string>

#include <gtest/gtest.h>

#include "config/pipeline_config.h"
#include "connectors/s3/s3_sink_config.h"

namespace rivven::s3 {
namespace {

Result<S3SinkConfig> FromYaml(const std::string& yaml) {
  config::Diagnostics diags;
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  std::optional<config::Node> node = config::ParseYaml(yaml, env, &diags);
  EXPECT_TRUE(node.has_value());
  static const config::Schema schema = S3SinkSchema();
  config::BoundConfig bound = config::Bind(schema, &*node, "sinks.lake.config", node->mark, &diags);
  EXPECT_TRUE(diags.empty()) << diags.Format();
  return S3SinkConfigFromBound(bound);
}

TEST(S3SinkTlsConfigTest, VerifiedByDefaultAndTheOptOutNamesItsBlock) {
  auto verified = FromYaml("bucket: b\nregion: us-east-1\n");
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(verified->verify_tls);
  EXPECT_EQ(verified->ca_path, "");

  auto custom = FromYaml("bucket: b\nregion: us-east-1\ntls: {ca_path: /ca.pem}\n");
  ASSERT_TRUE(custom.ok()) << custom.status().ToString();
  EXPECT_TRUE(custom->verify_tls);
  EXPECT_EQ(custom->ca_path, "/ca.pem");

  auto off = FromYaml("bucket: b\nregion: us-east-1\ntls: {verify: false}\n");
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_FALSE(off->verify_tls);
  EXPECT_EQ(off->tls_owner, "sinks.lake.config.tls.verify");
}

}  // namespace
}  // namespace rivven::s3
