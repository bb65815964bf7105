// The tls block of the postgres-cdc source: modes, files, and the warning for a mode that does
// not verify the server.
#include <string>

#include <gtest/gtest.h>

#include "config/pipeline_config.h"
#include "connectors/postgres/postgres_config.h"

namespace rivven::postgres {
namespace {

Result<PostgresSourceConfig> FromYaml(const std::string& yaml, const std::string& name) {
  config::Diagnostics diags;
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  std::optional<config::Node> node = config::ParseYaml(yaml, env, &diags);
  EXPECT_TRUE(node.has_value());
  static const config::Schema schema = PostgresSourceSchema();
  const std::string path = "sources." + name + ".config";
  config::BoundConfig bound = config::Bind(schema, &*node, path, node->mark, &diags);
  ValidatePostgresSourceConfig(bound, &diags);
  EXPECT_TRUE(diags.empty()) << diags.Format();
  return PostgresSourceConfigFromBound(bound, name);
}

constexpr const char* kBase =
    "host: db\ndatabase: d\nuser: u\npassword: p\nslot_name: s\npublication_name: pub\n";

TEST(PostgresTlsConfigTest, VerifyFullTakesItsFilesWithoutAWarning) {
  ::testing::internal::CaptureStderr();
  auto c = FromYaml(std::string(kBase) +
                        "tls: {mode: verify-full, ca_path: /ca.pem, cert_path: /c.pem, "
                        "key_path: /k.pem}\n",
                    "verified");
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->connection.tls_mode, pg::TlsMode::kVerifyFull);
  EXPECT_EQ(c->connection.tls_ca_path, "/ca.pem");
  EXPECT_EQ(c->connection.tls_cert_path, "/c.pem");
  EXPECT_EQ(c->connection.tls_key_path, "/k.pem");
  EXPECT_EQ(log, "");
}

TEST(PostgresTlsConfigTest, RequireWarnsOnceThatTheServerIsNotVerified) {
  ::testing::internal::CaptureStderr();
  auto first = FromYaml(std::string(kBase) + "tls: {mode: require}\n", "unverified");
  auto again = FromYaml(std::string(kBase) + "tls: {mode: require}\n", "unverified");
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(first->connection.tls_mode, pg::TlsMode::kRequire);
  const std::string warning =
      "sources.unverified.config.tls.mode is require: TLS without certificate verification, "
      "the server's identity is not checked (verify-full checks it)";
  const size_t at = log.find(warning);
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_EQ(log.find(warning, at + 1), std::string::npos) << log;
}

}  // namespace
}  // namespace rivven::postgres
