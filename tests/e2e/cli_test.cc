// The command line as a user meets it: help, exit codes, validate's error reports.
#include <gtest/gtest.h>

#include "support/process.h"

namespace rivven::testing {
namespace {

ProcessResult Cli(std::vector<std::string> args, ProcessOptions o = {}) {
  args.insert(args.begin(), BinaryPath());
  return RunProcess(args, o);
}

TEST(CliTest, EverySubcommandHasHelp) {
  for (const auto& cmd : std::vector<std::vector<std::string>>{
           {"--help"}, {"run", "--help"}, {"validate", "--help"}, {"check", "--help"},
           {"discover", "--help"}, {"init", "--help"}, {"connectors", "--help"},
           {"spec", "--help"}, {"topics", "--help"}, {"topics", "list", "--help"},
           {"topics", "describe", "--help"}, {"topics", "tail", "--help"},
           {"topics", "produce", "--help"}, {"topics", "create", "--help"},
           {"transforms", "--help"}}) {
    auto r = Cli(cmd);
    std::string joined;
    for (const auto& c : cmd) joined += c + " ";
    EXPECT_EQ(r.exit_code, 0) << joined << r.err;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << joined << r.out;
  }
}

TEST(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Cli({}).exit_code, 2);
  EXPECT_EQ(Cli({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(Cli({"run"}).exit_code, 2);  // no --config
  EXPECT_EQ(Cli({"run", "--config", "/nonexistent/x.yaml"}).exit_code, 2);
  EXPECT_EQ(Cli({"spec", "no-such-connector"}).exit_code, 2);
}

TEST(CliTest, ValidateReportsEveryErrorWithPathAndLine) {
  TempDir dir;
  WriteFile(dir / "bad.yaml", R"(version: "1.0"
sources:
  demo:
    connector: datagen
    topic: orders
    config:
      pattern: orders
      evnets_per_second: 5
      max_events: many
  other:
    connector: datagenn
    topic: t
sinks:
  out:
    connector: stdout
    topics: [orders]
    config:
      format: xml
      password: ${RIVVEN_TEST_SURELY_UNSET_VAR}
)");
  auto r = Cli({"validate", "--config", dir / "bad.yaml"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const std::string& e = r.err;
  EXPECT_NE(e.find("bad.yaml:8:7"), std::string::npos) << e;
  EXPECT_NE(e.find("sources.demo.config.evnets_per_second"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'events_per_second'"), std::string::npos) << e;
  EXPECT_NE(e.find("sources.demo.config.max_events"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'datagen'"), std::string::npos) << e;
  EXPECT_NE(e.find("sinks.out.config.format"), std::string::npos) << e;
  EXPECT_NE(e.find("RIVVEN_TEST_SURELY_UNSET_VAR"), std::string::npos) << e;
}

TEST(CliTest, ValidateAcceptsGoodConfigAndResolvesVariables) {
  TempDir dir;
  WriteFile(dir / "ok.yaml", R"(version: "1.0"
sources:
  demo:
    connector: datagen
    topic: ${TOPIC_NAME:-orders}
    config:
      pattern: orders
      max_events: ${MAX:-10}
sinks:
  out:
    connector: stdout
    topics: [orders]
)");
  auto r = Cli({"validate", "-c", dir / "ok.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("configuration OK"), std::string::npos);
  EXPECT_NE(r.out.find("-> orders"), std::string::npos) << r.out;
  ProcessOptions o;
  o.env["TOPIC_NAME"] = "custom";
  r = Cli({"validate", "-c", dir / "ok.yaml"}, o);
  EXPECT_NE(r.out.find("-> custom"), std::string::npos) << r.out;
}

TEST(CliTest, MalformedYamlIsAConfigError) {
  TempDir dir;
  WriteFile(dir / "broken.yaml", "sources:\n  demo: [unclosed\n");
  auto r = Cli({"validate", "-c", dir / "broken.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("broken.yaml:"), std::string::npos) << r.err;
}

TEST(CliTest, ConnectorsListsBuiltinsAsJson) {
  auto r = Cli({"connectors", "--json"});
  ASSERT_EQ(r.exit_code, 0);
  for (const char* name : {"\"datagen\"", "\"stdout\"", "\"file\""}) {
    EXPECT_NE(r.out.find(name), std::string::npos) << r.out;
  }
  r = Cli({"connectors"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("datagen"), std::string::npos);
}

TEST(CliTest, SpecPrintsJsonSchema) {
  auto r = Cli({"spec", "datagen"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"$schema\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"pattern\""), std::string::npos);
  EXPECT_NE(r.out.find("\"events_per_second\""), std::string::npos);
  EXPECT_NE(r.out.find("\"required\""), std::string::npos);
  r = Cli({"spec", "datagn"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean 'datagen'"), std::string::npos) << r.err;
}

TEST(CliTest, GeneratedDocsAreUpToDate) {
  auto r = Cli({"connectors", "--markdown"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, ReadFile(SourceDir() + "/docs/connectors.md"))
      << "docs/connectors.md is stale: run `make docs`";
  auto t = Cli({"transforms", "--markdown"});
  ASSERT_EQ(t.exit_code, 0);
  EXPECT_EQ(t.out, ReadFile(SourceDir() + "/docs/transforms.md"))
      << "docs/transforms.md is stale: run `make docs`";
}

TEST(CliTest, EveryInitTemplateValidates) {
  auto list = Cli({"init", "--list"});
  ASSERT_EQ(list.exit_code, 0);
  int templates = 0;
  for (const auto& line : SplitLines(list.out)) {
    const std::string name = line.substr(0, line.find(' '));
    if (name.empty()) continue;
    ++templates;
    auto text = Cli({"init", "--template", name});
    ASSERT_EQ(text.exit_code, 0) << name;
    TempDir dir;
    WriteFile(dir / "p.yaml", text.out);
    auto v = Cli({"validate", "-c", dir / "p.yaml"});
    EXPECT_EQ(v.exit_code, 0) << name << ": " << v.err;
  }
  EXPECT_GE(templates, 2);
  EXPECT_EQ(Cli({"init", "--template", "nope"}).exit_code, 2);
}

TEST(CliTest, CheckReportsEachConnector) {
  TempDir dir;
  WriteFile(dir / "p.yaml", "sources:\n  demo:\n    connector: datagen\n    topic: t\n"
                            "    config: {pattern: users}\n"
                            "sinks:\n  out:\n    connector: file\n    topics: [t]\n"
                            "    config: {path: " + (dir / "out") + "}\n");
  auto r = Cli({"check", "-c", dir / "p.yaml", "--data-dir", dir / "data"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("source demo"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sink   out"), std::string::npos) << r.out;
  EXPECT_EQ(Cli({"check", "-c", dir / "p.yaml", "--source", "nope"}).exit_code, 2);
}

TEST(CliTest, DiscoverListsDatagenStream) {
  TempDir dir;
  WriteFile(dir / "p.yaml", "sources:\n  demo:\n    connector: datagen\n    topic: t\n"
                            "    config: {pattern: users, stream_name: people}\n");
  auto r = Cli({"discover", "-c", dir / "p.yaml", "--source", "demo"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"people\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("email"), std::string::npos) << r.out;
}

TEST(CliTest, LogFormatJsonWritesOneJsonObjectPerLine) {
  TempDir dir;
  WriteFile(dir / "p.yaml", "sources:\n  demo: {connector: datagen, topic: t, config: {pattern: users, "
                            "max_events: 5, events_per_second: 0}}\n"
                            "sinks:\n  out: {connector: file, topics: [t], config: {path: " +
                                (dir / "out") + "}}\n");
  auto r = Cli({"run", "-c", dir / "p.yaml", "--data-dir", dir / "d", "--log-format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = SplitLines(r.err);
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) {
    EXPECT_EQ(line.front(), '{') << line;
    EXPECT_EQ(line.back(), '}') << line;
    EXPECT_NE(line.find("\"level\":\""), std::string::npos) << line;
    EXPECT_NE(line.find("\"msg\":\""), std::string::npos) << line;
  }
  // --log-level warn silences the info lines.
  auto quiet = Cli({"run", "-c", dir / "p.yaml", "--data-dir", dir / "d2", "--log-level", "warn"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err.find("INFO"), std::string::npos) << quiet.err;
}

}  // namespace
}  // namespace rivven::testing
