#include "secrets/plaintext_check.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "base/redaction.h"
#include "config/pipeline_config.h"
#include "config/schema.h"
#include "support/process.h"

namespace rivven::secrets {
namespace {

using config::Key;
using config::ValueType;

const config::Schema& TestSchema() {
  static const config::Schema schema = [] {
    config::Schema s;
    s.Add(Key("password", ValueType::kString, "").Secret())
        .Add(Key("user", ValueType::kString, ""))
        .Add(Key("auth", ValueType::kObject, "")
                 .Child(Key("token", ValueType::kString, "").Secret()));
    return s;
  }();
  return schema;
}

config::Node Parse(const std::string& yaml) {
  config::Diagnostics diags;
  const auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "PG_PASSWORD") return "from-env-pass";
    return std::nullopt;
  };
  auto root = config::ParseYaml(yaml, env, &diags);
  EXPECT_TRUE(diags.empty()) << diags.Format();
  return root.value_or(config::Node{});
}

SchemaLookup Lookup() {
  return [](std::string_view, std::string_view connector) -> const config::Schema* {
    return connector == "test" ? &TestSchema() : nullptr;
  };
}

class PlaintextCheck : public ::testing::Test {
 protected:
  void TearDown() override { redaction::ResetForTesting(); }
};

TEST_F(PlaintextCheck, FindsSecretKeysWrittenInTheFile) {
  config::Node root = Parse(
      "broker:\n  sasl:\n    password: broker-plain\n"
      "sources:\n  a:\n    connector: test\n    config:\n      password: plain-pass-1\n"
      "      user: bob\n      auth:\n        token: plain-token-1\n"
      "  b:\n    connector: test\n    config:\n      password: ${PG_PASSWORD}\n"
      "  c:\n    connector: unknown\n    config:\n      password: not-checked\n"
      "sinks:\n  s:\n    connector: test\n    config:\n      password: ''\n"
      "secrets:\n  provider: vault\n  config:\n    secret_id: plain-secret-id\n");
  EXPECT_EQ(ScanSecretKeys(root, Lookup()),
            (std::vector<std::string>{"broker.sasl.password", "secrets.config.secret_id",
                                      "sources.a.config.password", "sources.a.config.auth.token"}));
  // A secret key's value from ${VAR} is masked everywhere; those written in the file are left to
  // the key's secret flag.
  EXPECT_EQ(redaction::Scrub("broker-plain plain-pass-1 plain-token-1 from-env-pass bob"),
            "broker-plain plain-pass-1 plain-token-1 *** bob");
}

TEST_F(PlaintextCheck, ResolvedReferencesAreNotPlaintext) {
  config::Node root =
      Parse("sources:\n  a:\n    connector: test\n    config:\n      password: x\n");
  config::Node* value =
      &root.entries[0].second.entries[0].second.entries[1].second.entries[0].second;
  ASSERT_EQ(value->scalar, "x");
  value->from_variable = true;  // what resolving a reference leaves behind
  EXPECT_TRUE(ScanSecretKeys(root, Lookup()).empty());
}

TEST_F(PlaintextCheck, WarnsOnlyWhenGroupOrOthersCanRead) {
  testing::TempDir dir;
  const std::string file = dir / "pipeline.yaml";
  testing::WriteFile(file, "x: 1\n");
  const std::vector<std::string> keys = {"sources.a.config.password", "broker.sasl.password"};

  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  ::testing::internal::CaptureStderr();
  EXPECT_TRUE(WarnIfReadableWithPlaintextSecrets(file, keys));
  const std::string warned = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(warned.find("WARN  [config] " + file +
                        " has mode 0644, so its group or other users can read it, and it holds "
                        "secrets in plain text: sources.a.config.password, broker.sasl.password. "
                        "Restrict it (chmod 600 " +
                        file + ")"),
            std::string::npos)
      << warned;

  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  ::testing::internal::CaptureStderr();
  EXPECT_TRUE(WarnIfReadableWithPlaintextSecrets(file, keys));
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("has mode 0640"), std::string::npos);

  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  ::testing::internal::CaptureStderr();
  EXPECT_FALSE(WarnIfReadableWithPlaintextSecrets(file, keys));
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");

  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  EXPECT_FALSE(WarnIfReadableWithPlaintextSecrets(file, {}));
}

}  // namespace
}  // namespace rivven::secrets
