// The airbyte and airbyte-docker sources against real Airbyte sources run as child processes:
// a strict protocol script (strict_source.js, no dependencies), a source built with the npm
// faros-airbyte-cdk (faros_source.js, from tests/peers), and a fake `docker` on PATH that
// checks the arguments and files it is given and runs the strict script for the image.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/pipeline_config.h"
#include "connectors/airbyte/airbyte_config.h"
#include "connectors/airbyte/airbyte_source.h"
#include "connectors/registry.h"
#include "support/process.h"

namespace rivven::airbyte {
namespace {

using rivven::testing::BinaryPath;
using rivven::testing::DescribeResult;
using rivven::testing::FindOnPath;
using rivven::testing::ReadFile;
using rivven::testing::RunProcess;
using rivven::testing::SourceDir;
using rivven::testing::SplitLines;
using rivven::testing::TempDir;
using rivven::testing::WriteFile;

constexpr char kInstall[] = "run scripts/install-deps.sh";

std::string ScriptDir() { return SourceDir() + "/tests/integration/airbyte"; }

/// Fails the test (never skips) when node or the npm peers are missing.
bool HaveNode() {
  if (FindOnPath("node").empty()) {
    ADD_FAILURE() << "node is not on PATH: " << kInstall;
    return false;
  }
  return true;
}

bool HaveFaros() {
  if (!HaveNode()) return false;
  if (access((SourceDir() + "/tests/peers/node_modules/faros-airbyte-cdk/package.json").c_str(),
             F_OK) != 0) {
    ADD_FAILURE() << "tests/peers/node_modules/faros-airbyte-cdk is missing: " << kInstall;
    return false;
  }
  return true;
}

const ConnectorDescriptor& Descriptor(const std::string& name) {
  const ConnectorDescriptor* d = BuiltinRegistry().Find(ConnectorKind::kSource, name);
  RC_ASSERT(d != nullptr);
  return *d;
}

config::BoundConfig Bind(const std::string& connector, const std::string& yaml) {
  config::Diagnostics diags;
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  std::optional<config::Node> node = config::ParseYaml(yaml, env, &diags);
  EXPECT_TRUE(node.has_value()) << diags.Format();
  config::BoundConfig bound =
      config::Bind(Descriptor(connector).schema, &*node, "sources.ab.config", node->mark, &diags);
  Descriptor(connector).validate(bound, &diags);
  EXPECT_TRUE(diags.empty()) << diags.Format();
  return bound;
}

std::string StrictYaml(const std::string& config, const std::string& extra = "") {
  return "command: [node, " + ScriptDir() + "/strict_source.js]\nconfig: " + config + "\n" + extra;
}

std::unique_ptr<Source> MakeSource(const std::string& connector, const std::string& yaml,
                                   const std::string& topic) {
  ConnectorContext context;
  context.name = "ab";
  context.topic = topic;
  auto source = Descriptor(connector).make_source(Bind(connector, yaml), context);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  return source.ok() ? std::move(source).value() : nullptr;
}

struct SyncRun {
  std::vector<SourceBatch> batches;
  std::vector<Record> records;
  std::string position;  ///< the last one given
  Status failure;
  bool finished = false;
};

/// Opens `source` at `checkpoint` and polls it until it finishes or fails (bounded).
SyncRun Drain(Source& source, const std::optional<std::string>& checkpoint, size_t max_records = 100) {
  SyncRun run;
  run.failure = source.Open(checkpoint);
  if (!run.failure.ok()) return run;
  std::stop_source stop;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto batch = source.Poll(max_records, std::chrono::milliseconds(200), stop.get_token());
    if (!batch.ok()) {
      run.failure = batch.status();
      break;
    }
    for (const auto& r : batch->records) run.records.push_back(r);
    if (!batch->position.empty()) run.position = batch->position;
    run.batches.push_back(*batch);
    if (batch->finished) {
      run.finished = true;
      break;
    }
  }
  (void)source.Close();
  return run;
}

std::vector<std::string> Values(const SyncRun& run) {
  std::vector<std::string> out;
  for (const auto& r : run.records) out.push_back(r.value.value_or("<null>"));
  return out;
}

TEST(AirbyteStrictSourceTest, EveryMessageTypeFollowsItsRule) {
  if (!HaveNode()) return;
  auto source = MakeSource("airbyte", StrictYaml("{count: 3}"), "ab.{stream}");
  ASSERT_NE(source, nullptr);
  SyncRun run = Drain(*source, std::nullopt);
  ASSERT_TRUE(run.failure.ok()) << run.failure.ToString();
  ASSERT_TRUE(run.finished);
  // LOG, CONTROL, an unknown type, a non-JSON line and a STREAM_STATUS trace give no records.
  EXPECT_EQ(Values(run),
            (std::vector<std::string>{R"({"id":1,"name":"user 1"})", R"({"id":2,"name":"user 2"})",
                                      R"({"id":3,"name":"user 3"})", R"({"n":1})", R"({"n":2})"}));
  EXPECT_EQ(run.records[0].key, R"({"id":1})");
  EXPECT_EQ(run.records[0].timestamp_ms, 1700000000001);
  EXPECT_EQ(run.records[0].topic, "ab.users");
  EXPECT_FALSE(run.records[3].key.has_value());
  EXPECT_EQ(run.records[3].topic, "ab.events");

  // The first position comes with exactly the records before the first STATE.
  size_t before = 0;
  const SourceBatch* first = nullptr;
  for (const auto& b : run.batches) {
    before += b.records.size();
    if (!b.position.empty()) {
      first = &b;
      break;
    }
  }
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(before, 4u);
  EXPECT_EQ(
      first->position,
      R"({"states":[{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"cursor":3}}}]})");
  // Then the GLOBAL and the legacy state join it; the last record comes after them.
  EXPECT_EQ(
      run.position,
      R"({"states":[{"type":"GLOBAL","global":{"shared_state":{"snapshot":1},"stream_states":[]}},)"
      R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"cursor":3}}}],)"
      R"("legacy":{"legacy_cursor":3}})");
  size_t upto_last = 0, counted = 0;
  for (const auto& b : run.batches) {
    counted += b.records.size();
    if (!b.position.empty()) upto_last = counted;
  }
  EXPECT_EQ(upto_last, 4u);

  // A restart from that checkpoint passes it back with --state: users continue after 3.
  auto again = MakeSource("airbyte", StrictYaml("{count: 2}"), "fixed");
  SyncRun second = Drain(*again, run.position);
  ASSERT_TRUE(second.failure.ok()) << second.failure.ToString();
  EXPECT_EQ(Values(second),
            (std::vector<std::string>{R"({"id":4,"name":"user 4"})", R"({"id":5,"name":"user 5"})",
                                      R"({"n":1})", R"({"n":2})"}));
  EXPECT_EQ(second.records[0].topic, "");  // the configured topic
}

TEST(AirbyteStrictSourceTest, TraceErrorFailsAfterTheRecordsBeforeIt) {
  if (!HaveNode()) return;
  auto source = MakeSource("airbyte", StrictYaml("{count: 2, mode: trace}"), "t");
  SyncRun run = Drain(*source, std::nullopt);
  EXPECT_EQ(run.records.size(), 3u);
  EXPECT_TRUE(run.position.empty());
  ASSERT_FALSE(run.failure.ok());
  EXPECT_FALSE(run.failure.retriable());
  EXPECT_NE(run.failure.message().find("(config_error): the API refused the token [HTTP 401]"),
            std::string::npos)
      << run.failure.message();

  auto transient = MakeSource("airbyte", StrictYaml("{count: 1, mode: transient}"), "t");
  SyncRun t = Drain(*transient, std::nullopt);
  ASSERT_FALSE(t.failure.ok());
  EXPECT_TRUE(t.failure.retriable()) << t.failure.ToString();
}

TEST(AirbyteStrictSourceTest, NonZeroExitFailsWithCodeAndStderr) {
  if (!HaveNode()) return;
  auto source = MakeSource("airbyte", StrictYaml("{count: 1, mode: exit}"), "t");
  SyncRun run = Drain(*source, std::nullopt);
  ASSERT_FALSE(run.failure.ok());
  EXPECT_NE(run.failure.message().find("`read` exited with code 3"), std::string::npos)
      << run.failure.message();
  EXPECT_NE(run.failure.message().find("fatal: something broke"), std::string::npos)
      << run.failure.message();
}

TEST(AirbyteStrictSourceTest, SpecCheckDiscoverAndStreamSelection) {
  if (!HaveNode()) return;
  const ConnectorDescriptor& d = Descriptor("airbyte");
  EXPECT_TRUE(d.check(Bind("airbyte", StrictYaml("{count: 1}"))).ok());
  const Status failed = d.check(Bind("airbyte", StrictYaml("{count: 1, fail_check: true}")));
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.message().find("count must be positive"), std::string::npos) << failed.message();

  auto streams = d.discover(Bind("airbyte", StrictYaml("{count: 1}")));
  ASSERT_TRUE(streams.ok()) << streams.status().ToString();
  ASSERT_EQ(streams->size(), 2u);
  EXPECT_EQ((*streams)[0].name, "users");
  EXPECT_EQ((*streams)[0].json_schema,
            R"({"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}}})");

  auto config = AirbyteConfigFromBound(Bind("airbyte", StrictYaml("{}")), false);
  ASSERT_TRUE(config.ok());
  auto spec = RunSpec(*config);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_NE(spec->find(R"("required":["count"])"), std::string::npos) << *spec;

  auto only_events = MakeSource("airbyte", StrictYaml("{count: 2}", "streams: [events]\n"), "t");
  SyncRun run = Drain(*only_events, std::nullopt);
  ASSERT_TRUE(run.failure.ok()) << run.failure.ToString();
  EXPECT_EQ(Values(run), (std::vector<std::string>{R"({"n":1})", R"({"n":2})"}));

  auto unknown = MakeSource("airbyte", StrictYaml("{count: 2}", "streams: [nope]\n"), "t");
  SyncRun bad = Drain(*unknown, std::nullopt);
  ASSERT_FALSE(bad.failure.ok());
  EXPECT_NE(bad.failure.message().find("it has: users, events"), std::string::npos)
      << bad.failure.message();
}

TEST(AirbyteStrictSourceTest, FilesArePrivateAndRemovedAfterTheRun) {
  if (!HaveNode()) return;
  TempDir tmp;
  const std::string probe = tmp / "probe.jsonl";
  setenv("STRICT_PROBE", probe.c_str(), 1);
  auto source = MakeSource("airbyte", StrictYaml("{count: 1, token: s3cr3t}"), "t");
  SyncRun run = Drain(*source, std::nullopt);
  unsetenv("STRICT_PROBE");
  ASSERT_TRUE(run.failure.ok()) << run.failure.ToString();
  const auto lines = SplitLines(ReadFile(probe));
  ASSERT_EQ(lines.size(), 2u) << ReadFile(probe);  // discover, read
  EXPECT_NE(lines[1].find(R"("command":"read")"), std::string::npos);
  for (const auto& line : lines) {
    // Each file was 0600 and is gone now.
    for (size_t at = line.find("\"path\":\""); at != std::string::npos;
         at = line.find("\"path\":\"", at + 1)) {
      const std::string path = line.substr(at + 8, line.find('"', at + 8) - at - 8);
      EXPECT_NE(access(path.c_str(), F_OK), 0) << path << " still exists";
    }
    for (size_t at = line.find("\"mode\":\""); at != std::string::npos;
         at = line.find("\"mode\":\"", at + 1)) {
      EXPECT_EQ(line.substr(at + 8, 4), "600\"") << line;
    }
  }
}

class FakeDockerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = tmp_ / "bin";
    ASSERT_EQ(mkdir(bin_.c_str(), 0755), 0);
    ASSERT_EQ(symlink((ScriptDir() + "/fake_docker.sh").c_str(), (bin_ + "/docker").c_str()), 0);
    const char* path = std::getenv("PATH");
    old_path_ = path != nullptr ? path : "";
    setenv("PATH", (bin_ + ":" + old_path_).c_str(), 1);
    log_ = tmp_ / "docker.log";
    setenv("FAKE_DOCKER_LOG", log_.c_str(), 1);
  }
  void TearDown() override {
    setenv("PATH", old_path_.c_str(), 1);
    unsetenv("FAKE_DOCKER_LOG");
  }
  std::vector<std::string> Log(const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& l : SplitLines(ReadFile(log_))) {
      if (l.rfind(prefix, 0) == 0) out.push_back(l.substr(prefix.size()));
    }
    return out;
  }

  TempDir tmp_;
  std::string bin_, log_, old_path_;
};

TEST_F(FakeDockerTest, RunsTheImageWithTheFilesMountedAndRemovesThem) {
  if (!HaveNode()) return;
  const std::string yaml =
      "image: rivven-test/strict:1.0\nconfig: {count: 2, client_secret: s3cr3t}\n"
      "docker_args: [--network, host]\n";
  EXPECT_TRUE(Descriptor("airbyte-docker").check(Bind("airbyte-docker", yaml)).ok())
      << ReadFile(log_);
  auto source = MakeSource("airbyte-docker", yaml, "stripe-events");
  SyncRun run = Drain(*source, std::nullopt);
  ASSERT_TRUE(run.failure.ok()) << run.failure.ToString() << "\n" << ReadFile(log_);
  EXPECT_EQ(run.records.size(), 4u);
  EXPECT_TRUE(Log("error").empty()) << ReadFile(log_);
  const auto runs = Log("run ");
  ASSERT_EQ(runs.size(), 3u) << ReadFile(log_);  // check, discover, read
  EXPECT_EQ(runs[0],
            "image=rivven-test/strict:1.0 extra=--network=host command=check --config "
            "/secrets/config.json");
  EXPECT_EQ(runs[1],
            "image=rivven-test/strict:1.0 extra=--network=host command=discover --config "
            "/secrets/config.json");
  EXPECT_EQ(runs[2],
            "image=rivven-test/strict:1.0 extra=--network=host command=read --config "
            "/secrets/config.json --catalog /secrets/catalog.json");
  const auto files = Log("file ");
  ASSERT_EQ(files.size(), 4u);  // config; config; config and catalog
  for (const auto& f : files) EXPECT_NE(access(f.c_str(), F_OK), 0) << f << " still exists";

  // A restart gets the state file too, and continues.
  auto again = MakeSource("airbyte-docker", yaml, "stripe-events");
  SyncRun second = Drain(*again, run.position);
  ASSERT_TRUE(second.failure.ok()) << second.failure.ToString();
  EXPECT_EQ(second.records.front().value, R"({"id":3,"name":"user 3"})");
  EXPECT_NE(Log("run ").back().find("--state /secrets/state.json"), std::string::npos)
      << ReadFile(log_);
  for (const auto& f : Log("file ")) EXPECT_NE(access(f.c_str(), F_OK), 0) << f << " still exists";
}

TEST_F(FakeDockerTest, AnImageThatCannotRunFailsWithDockersMessage) {
  if (!HaveNode()) return;
  const Status s = Descriptor("airbyte-docker")
                       .check(Bind("airbyte-docker", "image: airbyte/nope:1\nconfig: {}\n"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("exited with code 125"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("Unable to find image 'airbyte/nope:1' locally"), std::string::npos)
      << s.message();
}

TEST(AirbyteFarosSourceTest, SpecCheckDiscoverReadAndResume) {
  if (!HaveFaros()) return;
  const std::string yaml =
      "command: [node, " + ScriptDir() + "/faros_source.js]\nconfig: {count: 3}\n";
  auto config = AirbyteConfigFromBound(Bind("airbyte", yaml), false);
  ASSERT_TRUE(config.ok());
  auto spec = RunSpec(*config);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_NE(spec->find(R"("required":["count"])"), std::string::npos);
  EXPECT_TRUE(Descriptor("airbyte").check(Bind("airbyte", yaml)).ok());
  const Status bad = Descriptor("airbyte").check(Bind(
      "airbyte", "command: [node, " + ScriptDir() + "/faros_source.js]\nconfig: {count: 0}\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("count must be > 0"), std::string::npos) << bad.message();
  auto streams = Descriptor("airbyte").discover(Bind("airbyte", yaml));
  ASSERT_TRUE(streams.ok()) << streams.status().ToString();
  ASSERT_EQ(streams->size(), 1u);
  EXPECT_EQ((*streams)[0].name, "numbers");

  auto source = MakeSource("airbyte", yaml, "numbers");
  SyncRun first = Drain(*source, std::nullopt);
  ASSERT_TRUE(first.failure.ok()) << first.failure.ToString();
  EXPECT_EQ(Values(first), (std::vector<std::string>{R"({"id":1,"sq":1})", R"({"id":2,"sq":4})",
                                                     R"({"id":3,"sq":9})"}));
  EXPECT_EQ(first.records[0].key, R"({"id":1})");
  ASSERT_FALSE(first.position.empty());
  EXPECT_NE(first.position.find(R"("legacy":{"format":"base64/gzip")"), std::string::npos)
      << first.position;

  auto again = MakeSource("airbyte", yaml, "numbers");
  SyncRun second = Drain(*again, first.position);
  ASSERT_TRUE(second.failure.ok()) << second.failure.ToString();
  EXPECT_EQ(Values(second), (std::vector<std::string>{R"({"id":4,"sq":16})", R"({"id":5,"sq":25})",
                                                      R"({"id":6,"sq":36})"}));
}

TEST(AirbyteBinaryTest, CheckDiscoverAndRunResumeFromTheStoredState) {
  if (!HaveNode()) return;
  TempDir dir;
  WriteFile(dir / "p.yaml",
            "sources:\n  ab:\n    connector: airbyte\n    topic: ab-users\n"
            "    config:\n      command: [node, " +
                ScriptDir() +
                "/strict_source.js]\n      config: {count: 3}\n"
                "      streams: [users]\n"
                "sinks:\n  out: {connector: file, topics: [ab-users], config: {path: " +
                (dir / "out") + "}}\n");
  auto check =
      RunProcess({BinaryPath(), "check", "-c", dir / "p.yaml", "--data-dir", dir / "data"});
  EXPECT_EQ(check.exit_code, 0) << DescribeResult(check);
  auto discover = RunProcess({BinaryPath(), "discover", "-c", dir / "p.yaml", "--source", "ab"});
  ASSERT_EQ(discover.exit_code, 0) << DescribeResult(discover);
  EXPECT_NE(discover.out.find(R"("name":"events")"), std::string::npos) << discover.out;

  auto first = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "data"});
  ASSERT_EQ(first.exit_code, 0) << DescribeResult(first);
  EXPECT_NE(first.err.find("reading users after 0"), std::string::npos)
      << first.err;  // a LOG message
  auto second = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "data"});
  ASSERT_EQ(second.exit_code, 0) << DescribeResult(second);
  EXPECT_NE(second.err.find("reading users after 3"), std::string::npos) << second.err;
  std::vector<std::string> want;
  for (int i = 1; i <= 6; ++i)
    want.push_back(R"({"id":)" + std::to_string(i) + R"(,"name":"user )" + std::to_string(i) +
                   "\"}");
  EXPECT_EQ(SplitLines(ReadFile(dir / "out/ab-users.jsonl")), want);
}

TEST(AirbyteBinaryTest, StreamPlaceholderSendsEachStreamToItsTopic) {
  if (!HaveNode()) return;
  TempDir dir;
  // The sink reads only ab.users: ab.events is created when its first record comes.
  WriteFile(dir / "p.yaml",
            "sources:\n  ab:\n    connector: airbyte\n    topic: \"ab.{stream}\"\n"
            "    config:\n      command: [node, " +
                ScriptDir() +
                "/strict_source.js]\n      config: {count: 2}\n"
                "sinks:\n  out: {connector: file, topics: [ab.users], config: {path: " +
                (dir / "out") + "}}\n");
  auto run = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--data-dir", dir / "data"});
  ASSERT_EQ(run.exit_code, 0) << DescribeResult(run);
  EXPECT_EQ(
      SplitLines(ReadFile(dir / "out/ab.users.jsonl")),
      (std::vector<std::string>{R"({"id":1,"name":"user 1"})", R"({"id":2,"name":"user 2"})"}));
  auto tail = RunProcess({BinaryPath(), "topics", "tail", "ab.events", "--from-beginning",
                          "--data-dir", dir / "data"});
  ASSERT_EQ(tail.exit_code, 0) << DescribeResult(tail);
  EXPECT_NE(tail.out.find(R"("value":{"n":1})"), std::string::npos) << tail.out;
  EXPECT_NE(tail.out.find(R"("value":{"n":2})"), std::string::npos) << tail.out;
}

}  // namespace
}  // namespace rivven::airbyte
