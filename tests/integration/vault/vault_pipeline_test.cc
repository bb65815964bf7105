// The built binary with secrets from FakeVault (KV v2 and KV v1, AppRole), the environment and
// files: references resolve into a running pipeline; errors name the reference and its line;
// no resolved value appears in any output (validate, check, text and JSON debug logs, /metrics,
// /health, /ready, the fatal exit) even when a server echoes it back; a changed leased secret
// restarts the connector with the new value; plaintext secrets in a readable file warn.
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "support/fake_vault.h"
#include "support/http_test_server.h"
#include "support/process.h"
#include "support/test_ca.h"

namespace rivven::testing {
namespace {

using namespace std::chrono_literals;

constexpr char kVaultToken[] = "tok-Vault-7f3a9c";
constexpr char kLegacyKey[] = "legacy-V1-2e6f0a";
constexpr char kApiKey[] = "api-Env-51d2e8";
constexpr char kFileKey[] = "file-Key-9b4c1d";
constexpr char kSecretId[] = "sid-File-83a1f4";

const std::vector<std::string>& AllSecrets() {
  static const std::vector<std::string> all = {kVaultToken, kLegacyKey, kApiKey, kFileKey,
                                               kSecretId};
  return all;
}

template <typename F>
bool Eventually(F done, std::chrono::milliseconds limit = 20000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

/// A webhook endpoint that answers `status` and echoes the credentials it got, as a careless
/// server would, so the secrets travel back into our error messages.
class EchoingWebhook {
 public:
  EchoingWebhook() {
    server_.server().Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      const std::string echo =
          req.get_header_value("Authorization") + " " + req.get_header_value("X-Api-Key") + " " +
          req.get_header_value("X-File") + " " + req.get_header_value("X-Legacy");
      {
        std::lock_guard<std::mutex> lock(mu_);
        seen_.push_back(echo);
      }
      res.status = status_.load();
      res.set_content(res.status < 300 ? "ok" : "rejected credentials: " + echo, "text/plain");
    });
  }
  void set_status(int s) { status_ = s; }
  std::string url() const { return server_.Url("/hook"); }
  std::vector<std::string> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  std::atomic<int> status_{500};
  std::mutex mu_;
  std::vector<std::string> seen_;
  HttpTestServer server_;  // last: stops before the state its handler uses
};

std::string Get(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  auto res = client.Get(path);
  return res ? "HTTP " + std::to_string(res->status) + "\n" + res->body : "(no answer)";
}

class VaultPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    FakeVault::Options options;
    options.secret_id = kSecretId;
    vault_ = std::make_unique<FakeVault>(options);
    vault_->PutKv2("webhook", {{"token", kVaultToken}});
    vault_->PutKv1("legacy", {{"key", kLegacyKey}}, 0);
    WriteFile(dir_ / "secret_id", std::string(kSecretId) + "\n");
    WriteFile(dir_ / "file_key", kFileKey);
  }

  std::string SecretsBlock(const std::string& address) const {
    return "secrets:\n  provider: vault\n  config:\n    address: " + address +
           "\n    role_id: env:TEST_VAULT_ROLE\n    secret_id: file:" + dir_ / "secret_id" +
           "\n    max_retries: 1\n";
  }

  // datagen -> http-webhook with four headers from Vault (v2, v1), the environment and a file.
  std::string Pipeline(int http_port, const std::string& extra_source = "") const {
    return SecretsBlock(vault_->address()) +
           "settings:\n  log_level: debug\n  http:\n    port: " + std::to_string(http_port) +
           "\n    bind: 127.0.0.1\n"
           "sources:\n  gen:\n    connector: datagen\n    topic: events\n    config:\n"
           "      pattern: orders\n      events_per_second: 20\n" +
           extra_source +
           "sinks:\n  hook:\n    connector: http-webhook\n    topics: [events]\n    config:\n"
           "      url: " +
           webhook_.url() +
           "\n"
           "      headers:\n"
           "        Authorization: vault:secret/data/webhook#token\n"
           "        X-Api-Key: env:TEST_API_KEY\n"
           "        X-File: file:" +
           dir_ / "file_key" +
           "\n"
           "        X-Legacy: vault:kv/legacy#key\n"
           "      retry:\n        max_attempts: 2\n        initial_backoff_ms: 10\n"
           "        max_backoff_ms: 50\n";
  }

  ProcessOptions Env() const {
    ProcessOptions o;
    o.env = {{"TEST_VAULT_ROLE", FakeVault::Options{}.role_id}, {"TEST_API_KEY", kApiKey}};
    o.timeout = 60s;
    return o;
  }

  std::string WriteConfig(const std::string& yaml, const std::string& name = "pipeline.yaml") {
    const std::string path = dir_ / name;
    WriteFile(path, yaml);
    ::chmod(path.c_str(), 0600);
    return path;
  }

  TempDir dir_;
  EchoingWebhook webhook_;
  std::unique_ptr<FakeVault> vault_;
};

void ExpectNoSecret(const std::string& what, const std::string& output) {
  for (const std::string& secret : AllSecrets()) {
    EXPECT_EQ(output.find(secret), std::string::npos) << what << " shows " << secret << ":\n"
                                                      << output;
  }
}

TEST_F(VaultPipeline, NoOutputShowsAResolvedSecret) {
  const int http_port = UnusedLoopbackPort();
  const std::string config = WriteConfig(Pipeline(http_port));
  std::vector<std::pair<std::string, std::string>> outputs;

  ProcessResult validate = RunProcess({BinaryPath(), "validate", "-c", config}, Env());
  ASSERT_EQ(validate.exit_code, 0) << DescribeResult(validate);
  outputs.emplace_back("validate", validate.out + validate.err);

  ProcessResult check = RunProcess({BinaryPath(), "check", "-c", config, "--sink", "hook"}, Env());
  outputs.emplace_back("check", check.out + check.err);

  // A run with JSON debug logs: the endpoint answers 500 with the credentials in its body (the
  // sink retries and reports itself unhealthy), then 401 (rejected: on_error fail ends the run).
  ProcessOptions env = Env();
  BackgroundProcess run({BinaryPath(), "run", "-c", config, "--log-format", "json", "--log-level",
                         "debug", "--data-dir", dir_ / "data"},
                        env, dir_ / "run.out", dir_ / "run.err");
  ASSERT_TRUE(Eventually([&] { return webhook_.seen().size() >= 3; }))
      << ReadFile(dir_ / "run.err");
  std::string scraped;
  ASSERT_TRUE(Eventually([&] {
    scraped = Get(http_port, "/metrics") + "\n" + Get(http_port, "/health") + "\n" +
              Get(http_port, "/ready");
    return scraped.find("rejected credentials: ***") != std::string::npos;
  })) << scraped;
  outputs.emplace_back("/metrics, /health, /ready", scraped);
  webhook_.set_status(401);
  ProcessResult ended = run.Wait(30s);
  EXPECT_EQ(ended.exit_code, 1);
  const std::string json_log = ReadFile(dir_ / "run.err") + ReadFile(dir_ / "run.out");
  outputs.emplace_back("run --log-format json", json_log);
  EXPECT_NE(json_log.find("{\"ts\":"), std::string::npos) << json_log;
  EXPECT_NE(
      json_log.find("\"level\":\"DEBUG\",\"component\":\"secrets\",\"msg\":\"sinks.hook.config."
                    "headers.Authorization: resolved vault:secret/data/webhook#token\"}"),
      std::string::npos)
      << json_log;
  EXPECT_NE(json_log.find("HTTP 401 from " + webhook_.url() + ": rejected credentials: ***"),
            std::string::npos)
      << json_log;

  // The same fatal end with text logs.
  ProcessResult text =
      RunProcess({BinaryPath(), "run", "-c", config, "--data-dir", dir_ / "data2"}, Env());
  EXPECT_EQ(text.exit_code, 1) << DescribeResult(text);
  outputs.emplace_back("run (text)", text.out + text.err);
  EXPECT_NE(text.err.find("ERROR [run] sink 'hook'"), std::string::npos) << text.err;

  // The values did reach the endpoint: the references resolved.
  const std::vector<std::string> seen = webhook_.seen();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen[0], std::string(kVaultToken) + " " + kApiKey + " " + kFileKey + " " + kLegacyKey);
  for (const auto& [what, output] : outputs) ExpectNoSecret(what, output);
  EXPECT_TRUE(vault_->violations().empty()) << vault_->violations()[0];
}

TEST_F(VaultPipeline, ErrorsNameTheReferenceAndTheLine) {
  vault_->Deny("secret/data/webhook");
  const std::string yaml = Pipeline(0);
  const std::string config =
      WriteConfig(yaml.substr(0, yaml.find("X-Legacy")) + "X-Legacy: vault:kv/missing#key\n" +
                  "        X-Missing: vault:kv/legacy#nokey\n");
  ProcessResult r = RunProcess({BinaryPath(), "validate", "-c", config}, Env());
  EXPECT_EQ(r.exit_code, 2);
  const std::vector<std::string> lines = SplitLines(r.err);
  ASSERT_EQ(lines.size(), 4u) << r.err;
  EXPECT_EQ(lines[0], config +
                          ":27:24: error: sinks.hook.config.headers.Authorization: secret "
                          "reference 'vault:secret/data/webhook#token': reading "
                          "'secret/data/webhook' from Vault: permission denied (HTTP 403); "
                          "the token's policies do not allow reading this path");
  EXPECT_EQ(lines[1], config +
                          ":30:19: error: sinks.hook.config.headers.X-Legacy: secret "
                          "reference 'vault:kv/missing#key': reading 'kv/missing' from "
                          "Vault: no secret at this path (HTTP 404)");
  EXPECT_EQ(lines[2], config +
                          ":31:20: error: sinks.hook.config.headers.X-Missing: secret "
                          "reference 'vault:kv/legacy#nokey': the secret at 'kv/legacy' has "
                          "no key 'nokey' (its keys: key)");
  EXPECT_EQ(lines[3], config + ": 3 error(s) in configuration");
  ExpectNoSecret("validate", r.out + r.err);
}

TEST_F(VaultPipeline, UnreachableVaultIsAnErrorPerReference) {
  const std::string address = "http://127.0.0.1:" + std::to_string(UnusedLoopbackPort());
  std::string yaml = Pipeline(0);
  yaml.replace(yaml.find(vault_->address()), vault_->address().size(), address);
  const std::string config = WriteConfig(yaml);
  ProcessResult r = RunProcess({BinaryPath(), "run", "-c", config}, Env());
  EXPECT_EQ(r.exit_code, 2);
  const std::vector<std::string> lines = SplitLines(r.err);
  ASSERT_EQ(lines.size(), 3u) << r.err;
  for (const auto& [line, ref] :
       {std::pair{0, "vault:secret/data/webhook#token"}, std::pair{1, "vault:kv/legacy#key"}}) {
    EXPECT_NE(
        lines[line].find(std::string("error: sinks.hook.config.headers.") +
                         (line == 0 ? "Authorization" : "X-Legacy") + ": secret reference '" + ref +
                         "': after 2 attempt(s): logging in to Vault with AppRole "
                         "(auth/approle/login): Vault at " +
                         address + " is unreachable"),
        std::string::npos)
        << lines[line];
  }
  ExpectNoSecret("run", r.out + r.err);
}

TEST_F(VaultPipeline, VaultReferenceWithoutProviderIsAnError) {
  const std::string yaml = Pipeline(0);
  const std::string config = WriteConfig(yaml.substr(yaml.find("settings:")));
  ProcessResult r = RunProcess({BinaryPath(), "validate", "-c", config}, Env());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(":20:24: error: sinks.hook.config.headers.Authorization: secret reference "
                       "'vault:secret/data/webhook#token': needs secrets.provider: vault (the "
                       "file has no secrets: block)"),
            std::string::npos)
      << r.err;
}

TEST_F(VaultPipeline, ChangedLeasedSecretRestartsTheSinkWithTheNewValue) {
  vault_->PutKv1("legacy", {{"key", kLegacyKey}}, 2);
  webhook_.set_status(200);
  const std::string config = WriteConfig(Pipeline(0));
  BackgroundProcess run({BinaryPath(), "run", "-c", config, "--data-dir", dir_ / "data"}, Env(),
                        dir_ / "run.out", dir_ / "run.err");
  ASSERT_TRUE(Eventually([&] { return !webhook_.seen().empty(); })) << ReadFile(dir_ / "run.err");
  ASSERT_TRUE(webhook_.seen()[0].ends_with(kLegacyKey));
  const std::string rotated = "legacy-V1-rotated-77";
  vault_->PutKv1("legacy", {{"key", rotated}}, 2);
  ASSERT_TRUE(Eventually([&] { return webhook_.seen().back().ends_with(rotated); }))
      << ReadFile(dir_ / "run.err");
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(30s).exit_code, 0);
  const std::string log = ReadFile(dir_ / "run.err");
  EXPECT_NE(log.find("INFO  [secrets] secret value(s) changed in Vault: vault:kv/legacy#key"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("[secrets] sinks.hook: restarting with the changed secret"),
            std::string::npos);
  EXPECT_NE(log.find("[hook] restarting the sink with its changed configuration"),
            std::string::npos);
  EXPECT_EQ(log.find(rotated), std::string::npos) << log;
  ExpectNoSecret("run", log);
}

TEST_F(VaultPipeline, PlaintextSecretsInAReadableFileWarn) {
  const std::string yaml =
      "sources:\n  gen:\n    connector: datagen\n    topic: events\n    config:\n"
      "      pattern: orders\n      max_events: 1\n"
      "sinks:\n  hook:\n    connector: http-webhook\n    topics: [events]\n    config:\n"
      "      url: " +
      webhook_.url() + "\n      signing_secret: plain-signing-4c2d\n";
  const std::string config = WriteConfig(yaml);
  ProcessResult quiet = RunProcess({BinaryPath(), "validate", "-c", config}, Env());
  EXPECT_EQ(quiet.exit_code, 0) << DescribeResult(quiet);
  EXPECT_EQ(quiet.err, "");

  ASSERT_EQ(::chmod(config.c_str(), 0644), 0);
  ProcessResult warned = RunProcess({BinaryPath(), "validate", "-c", config}, Env());
  EXPECT_EQ(warned.exit_code, 0);
  EXPECT_NE(warned.err.find("WARN  [config] " + config +
                            " has mode 0644, so its group or other "
                            "users can read it, and it holds secrets in plain text: "
                            "sinks.hook.config.signing_secret."),
            std::string::npos)
      << warned.err;
  EXPECT_EQ((warned.out + warned.err).find("plain-signing-4c2d"), std::string::npos);

  // The same value as a reference: nothing secret is written in the file, no warning.
  WriteFile(dir_ / "signing", "plain-signing-4c2d");
  WriteFile(config, yaml.substr(0, yaml.find("signing_secret:")) +
                        "signing_secret: file:" + dir_ / "signing" + "\n");
  ProcessResult referenced = RunProcess({BinaryPath(), "validate", "-c", config}, Env());
  EXPECT_EQ(referenced.exit_code, 0);
  EXPECT_EQ(referenced.err, "");
}

class VaultPipelineTls : public VaultPipeline {
 protected:
  void SetUp() override {
    VaultPipeline::SetUp();
    std::string error;
    ca_ = TestCa::Make({}, &error);
    ASSERT_NE(ca_, nullptr) << error;
    FakeVault::Options options;
    options.secret_id = kSecretId;
    tls_vault_ = std::make_unique<FakeVault>(options, *ca_);
    tls_vault_->PutKv2("webhook", {{"token", kVaultToken}});
    tls_vault_->PutKv1("legacy", {{"key", kLegacyKey}}, 0);
  }
  std::string Config(const std::string& tls_keys) {
    std::string yaml = Pipeline(0);
    yaml.replace(yaml.find(vault_->address()), vault_->address().size(),
                 tls_vault_->address() + "\n" + tls_keys);
    return WriteConfig(yaml);
  }
  std::unique_ptr<TestCa> ca_;
  std::unique_ptr<FakeVault> tls_vault_;
};

TEST_F(VaultPipelineTls, CustomCaIsTrusted) {
  ProcessResult r =
      RunProcess({BinaryPath(), "validate", "-c", Config("    ca_path: " + ca_->ca_path())}, Env());
  EXPECT_EQ(r.exit_code, 0) << DescribeResult(r);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(tls_vault_->logins(), 1);
}

TEST_F(VaultPipelineTls, WrongCaFailsClearly) {
  ProcessResult r = RunProcess(
      {BinaryPath(), "validate", "-c", Config("    ca_path: " + ca_->other_ca_path())}, Env());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("error: sinks.hook.config.headers.Authorization: secret reference "
                       "'vault:secret/data/webhook#token': logging in to Vault with AppRole "
                       "(auth/approle/login): Vault at " +
                       tls_vault_->address()),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("certificate"), std::string::npos) << r.err;
  EXPECT_EQ(tls_vault_->logins(), 0);
}

TEST_F(VaultPipelineTls, SkippingVerificationWarns) {
  ProcessResult r =
      RunProcess({BinaryPath(), "validate", "-c", Config("    tls_skip_verify: true")}, Env());
  EXPECT_EQ(r.exit_code, 0) << DescribeResult(r);
  EXPECT_NE(r.err.find("WARN  [secrets] secrets.config.tls_skip_verify is true: Vault's "
                       "certificate is not verified"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(tls_vault_->logins(), 1);
}

}  // namespace
}  // namespace rivven::testing
