#include "connectors/airbyte/airbyte_protocol.h"

#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "config/pipeline_config.h"
#include "connectors/airbyte/airbyte_config.h"
#include "connectors/airbyte/airbyte_process.h"
#include "connectors/registry.h"

namespace rivven::airbyte {
namespace {

TEST(AirbyteMessageTest, RecordKeepsDataAndBuildsTheKeyIgnoringUnknownFields) {
  PrimaryKeys keys{{StreamId{"users", ""}, {{"id"}, {"org", "name"}}}};
  auto m = ParseMessage(
      R"({"type":"RECORD","extra":1,"record":{"stream":"users","emitted_at":1700000000123,)"
      R"("data":{"id":7,"org":{"name":"acme"},"v":[1, 2]},"meta":{}}})",
      &keys);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->type, MessageType::kRecord);
  EXPECT_EQ(m->stream.name, "users");
  EXPECT_EQ(m->data, R"({"id":7,"org":{"name":"acme"},"v":[1,2]})");
  EXPECT_EQ(m->key, R"({"id":7,"org.name":"acme"})");
  EXPECT_EQ(m->emitted_at, 1700000000123);
}

// Found by fuzzing (tests/fuzz/corpus/airbyte/emitted_at_out_of_range): a double beyond int64
// was converted anyway (undefined behaviour). It now counts as absent (the source stamps "now").
TEST(AirbyteMessageTest, EmittedAtOutOfRangeCountsAsAbsent) {
  for (const char* at : {"1.7e52", "-1.7e52", "18446744073709551615", "1e400"}) {
    auto m = ParseMessage(std::string(R"({"type":"RECORD","record":{"stream":"s","emitted_at":)") +
                          at + R"(,"data":{}}})");
    if (std::string_view(at) == "1e400") {  // not a double at all: not JSON we accept
      EXPECT_FALSE(m.ok()) << at;
      continue;
    }
    ASSERT_TRUE(m.ok()) << at << ": " << m.status().ToString();
    EXPECT_EQ(m->emitted_at, 0) << at;
  }
  auto fractional =
      ParseMessage(R"({"type":"RECORD","record":{"stream":"s","emitted_at":1.7e12,"data":{}}})");
  ASSERT_TRUE(fractional.ok());
  EXPECT_EQ(fractional->emitted_at, 1700000000000);
}

TEST(AirbyteMessageTest, RecordOfAStreamWithoutPrimaryKeyHasNoKey) {
  PrimaryKeys keys{{StreamId{"users", ""}, {{"id"}}}};
  auto m = ParseMessage(R"({"type":"RECORD","record":{"stream":"events","data":{"n":1}}})", &keys);
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->key.has_value());
  // A missing key field is null in the key.
  auto n = ParseMessage(R"({"type":"RECORD","record":{"stream":"users","data":{"n":1}}})", &keys);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->key, R"({"id":null})");
}

TEST(AirbyteMessageTest, EveryTypeParses) {
  auto state = ParseMessage(R"({"type":"STATE","state":{"data":{"c":1}},"sourceIdentity":"x"})");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->type, MessageType::kState);
  EXPECT_EQ(state->state, R"({"data":{"c":1}})");

  auto log = ParseMessage(R"({"type":"LOG","log":{"level":"WARN","message":"careful"}})");
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->level, "WARN");
  EXPECT_EQ(log->message, "careful");

  auto trace = ParseMessage(
      R"({"type":"TRACE","trace":{"type":"ERROR","emitted_at":1,"error":{"message":"denied",)"
      R"("internal_message":"HTTP 403","failure_type":"config_error"}}})");
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(trace->trace_type, "ERROR");
  const Status fatal = TraceError(*trace);
  EXPECT_FALSE(fatal.retriable());
  EXPECT_NE(fatal.message().find("denied"), std::string::npos);
  EXPECT_NE(fatal.message().find("config_error"), std::string::npos);
  trace->failure_type = "transient_error";
  EXPECT_TRUE(TraceError(*trace).retriable());

  auto status = ParseMessage(
      R"({"connectionStatus":{"status":"FAILED","message":"no"},"type":"CONNECTION_STATUS"})");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->status, "FAILED");
  EXPECT_EQ(status->message, "no");

  auto catalog = ParseMessage(R"({"type":"CATALOG","catalog":{"streams":[]}})");
  ASSERT_TRUE(catalog.ok());
  EXPECT_EQ(catalog->payload, R"({"streams":[]})");
  auto spec = ParseMessage(R"({"type":"SPEC","spec":{"connectionSpecification":{}}})");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->type, MessageType::kSpec);

  auto control = ParseMessage(R"({"type":"CONTROL","control":{"type":"CONNECTOR_CONFIG"}})");
  ASSERT_TRUE(control.ok());
  EXPECT_EQ(control->type, MessageType::kUnknown);
  auto future = ParseMessage(R"({"type":"SOMETHING_NEW"})");
  ASSERT_TRUE(future.ok());
  EXPECT_EQ(future->type, MessageType::kUnknown);
  EXPECT_EQ(future->type_name, "SOMETHING_NEW");
}

TEST(AirbyteMessageTest, MalformedLinesAreErrors) {
  EXPECT_FALSE(ParseMessage("not json").ok());
  EXPECT_FALSE(ParseMessage("[1,2]").ok());
  EXPECT_FALSE(ParseMessage(R"({"record":{}})").ok());
  EXPECT_FALSE(ParseMessage(R"({"type":"RECORD","record":{"stream":"s"}})").ok());
  EXPECT_FALSE(ParseMessage(R"({"type":"STATE"})").ok());
}

constexpr char kCatalog[] =
    R"({"streams":[)"
    R"({"name":"users","json_schema":{"type":"object"},"supported_sync_modes":["full_refresh","incremental"],)"
    R"("source_defined_cursor":true,"source_defined_primary_key":[["id"]]},)"
    R"({"name":"events","json_schema":{},"supported_sync_modes":["full_refresh"]},)"
    R"({"name":"orders","namespace":"shop","json_schema":{},"supported_sync_modes":["full_refresh","incremental"],)"
    R"("default_cursor_field":["updated_at"]}]})";

TEST(AirbyteCatalogTest, EveryStreamIncrementalWhereTheSourceDefinesTheCursor) {
  auto c = BuildConfiguredCatalog(kCatalog, {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->modes.size(), 3u);
  EXPECT_EQ(c->modes[0].second, "incremental");
  EXPECT_EQ(c->modes[1].second, "full_refresh");
  EXPECT_EQ(c->modes[2].second, "full_refresh");  // incremental, but no source-defined cursor
  EXPECT_EQ((c->primary_keys.at(StreamId{"users", ""})),
            (std::vector<std::vector<std::string>>{{"id"}}));
  EXPECT_NE(
      c->json.find(
          R"("sync_mode":"incremental","destination_sync_mode":"append","primary_key":[["id"]]})"),
      std::string::npos)
      << c->json;
  EXPECT_NE(c->json.find(R"("sync_mode":"full_refresh","destination_sync_mode":"append"})"),
            std::string::npos);
}

TEST(AirbyteCatalogTest, SelectionPicksStreamsAndModes) {
  auto c = BuildConfiguredCatalog(
      kCatalog, {{"shop.orders", "incremental", {}}, {"users", "full_refresh", {}}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->modes.size(), 2u);
  EXPECT_EQ(c->modes[0].first.name, "users");
  EXPECT_EQ(c->modes[0].second, "full_refresh");
  EXPECT_EQ(c->modes[1].first.ns, "shop");
  EXPECT_EQ(c->modes[1].second, "incremental");
  EXPECT_NE(c->json.find(R"("cursor_field":["updated_at"])"), std::string::npos) << c->json;

  auto unknown = BuildConfiguredCatalog(kCatalog, {{"nope", "", {}}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find(
                "'nope' is not in the source's catalog (it has: users, events, shop.orders)"),
            std::string::npos)
      << unknown.status().message();
  auto unsupported = BuildConfiguredCatalog(kCatalog, {{"events", "incremental", {}}});
  ASSERT_FALSE(unsupported.ok());
  EXPECT_NE(unsupported.status().message().find("does not support incremental"), std::string::npos);
}

TEST(AirbyteCatalogTest, DescribeStreamsGivesSchemas) {
  auto s = DescribeStreams(kCatalog);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 3u);
  EXPECT_EQ((*s)[0].name, "users");
  EXPECT_EQ((*s)[0].json_schema, R"({"type":"object"})");
  EXPECT_EQ((*s)[2].name, "shop.orders");
}

TEST(AirbyteStateTest, PerStreamGlobalAndLegacyRoundTrip) {
  StateStore store;
  EXPECT_TRUE(store.empty());
  EXPECT_FALSE(store.FileText().has_value());
  ASSERT_TRUE(store.Apply(R"({"data":{"cursor":1}})").ok());
  EXPECT_EQ(store.FileText(), R"({"cursor":1})");
  ASSERT_TRUE(
      store
          .Apply(
              R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"b"},"stream_state":{"c":1}},"sourceStats":{}})")
          .ok());
  ASSERT_TRUE(
      store
          .Apply(
              R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"a"},"stream_state":{"c":1}}})")
          .ok());
  ASSERT_TRUE(
      store
          .Apply(
              R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"b"},"stream_state":{"c":2}}})")
          .ok());
  ASSERT_TRUE(store.Apply(R"({"type":"GLOBAL","global":{"shared_state":{"lsn":5}}})").ok());
  EXPECT_FALSE(store.Apply(R"({"type":"STREAM","stream":{}})").ok());
  EXPECT_FALSE(store.Apply(R"({"type":"WHAT"})").ok());
  const std::string file =
      R"([{"type":"GLOBAL","global":{"shared_state":{"lsn":5}}},)"
      R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"a"},"stream_state":{"c":1}}},)"
      R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"b"},"stream_state":{"c":2}}}])";
  EXPECT_EQ(store.FileText(), file);
  const std::string checkpoint = store.ToCheckpoint();
  EXPECT_EQ(checkpoint, R"({"states":)" + file + R"(,"legacy":{"cursor":1}})");

  auto back = StateStore::FromCheckpoint(checkpoint);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToCheckpoint(), checkpoint);
  EXPECT_EQ(back->FileText(), file);
  EXPECT_FALSE(StateStore::FromCheckpoint("nope").ok());
  auto legacy = StateStore::FromCheckpoint(R"({"legacy":{"format":"base64/gzip","data":"H4s"}})");
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(legacy->FileText(), R"({"format":"base64/gzip","data":"H4s"})");
}

config::BoundConfig BindYaml(const std::string& name, const std::string& yaml,
                             config::Diagnostics* diags) {
  const ConnectorDescriptor* d = BuiltinRegistry().Find(ConnectorKind::kSource, name);
  EXPECT_NE(d, nullptr);
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  std::optional<config::Node> node = config::ParseYaml(yaml, env, diags);
  EXPECT_TRUE(node.has_value());
  config::BoundConfig bound =
      config::Bind(d->schema, &*node, "sources.ab.config", node->mark, diags);
  d->validate(bound, diags);
  return bound;
}

TEST(AirbyteConfigTest, ConfigBecomesJsonAndDockerCommandMountsTheDirectory) {
  config::Diagnostics diags;
  auto bound = BindYaml("airbyte-docker",
                        "image: airbyte/source-stripe:latest\n"
                        "config:\n  account_id: acct_1\n  quoted: \"12\"\n  n: 12\n  f: -1.5e3\n"
                        "  ok: true\n  none: null\n  list: [a, 2]\n  odd: 012\n  nested: {x: y}\n"
                        "streams:\n  - charges\n  - {name: customers, sync_mode: incremental, "
                        "cursor_field: updated}\n",
                        &diags);
  ASSERT_TRUE(diags.empty()) << diags.Format();
  auto c = AirbyteConfigFromBound(bound, true);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->source_config,
            R"({"account_id":"acct_1","quoted":"12","n":12,"f":-1.5e3,"ok":true,"none":null,)"
            R"("list":["a",2],"odd":"012","nested":{"x":"y"}})");
  ASSERT_EQ(c->streams.size(), 2u);
  EXPECT_EQ(c->streams[1].name, "customers");
  EXPECT_EQ(c->streams[1].sync_mode, "incremental");
  EXPECT_EQ(c->streams[1].cursor_field, std::vector<std::string>{"updated"});
  const auto argv = CommandLine(*c, "/tmp/x", {"read", "--config", "config.json"});
  const std::vector<std::string> want{"docker",
                                      "run",
                                      "--rm",
                                      "-i",
                                      "--user",
                                      std::to_string(getuid()) + ":" + std::to_string(getgid()),
                                      "-v",
                                      "/tmp/x:/secrets:ro",
                                      "airbyte/source-stripe:latest",
                                      "read",
                                      "--config",
                                      "/secrets/config.json"};
  EXPECT_EQ(argv, want);
}

TEST(AirbyteConfigTest, LocalCommandAndBadStreamsAreReported) {
  config::Diagnostics diags;
  auto bound = BindYaml(
      "airbyte",
      "command: [node, src.js]\nstreams:\n  - {name: a, sync_mode: sometimes}\n  - {nme: b}\n",
      &diags);
  ASSERT_EQ(diags.size(), 3u) << diags.Format();
  EXPECT_NE(diags.Format().find("sources.ab.config.streams[0].sync_mode"), std::string::npos)
      << diags.Format();
  EXPECT_NE(diags.Format().find("unknown key 'nme'"), std::string::npos) << diags.Format();
  config::Diagnostics ok_diags;
  auto c =
      AirbyteConfigFromBound(BindYaml("airbyte", "command: [node, src.js]\n", &ok_diags), false);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->source_config, "{}");
  EXPECT_EQ(CommandLine(*c, "/d", {"check", "--config", "config.json"}),
            (std::vector<std::string>{"node", "src.js", "check", "--config", "/d/config.json"}));
}

TEST(AirbyteSecretDirTest, FilesArePrivateAndRemoved) {
  std::string dir, file;
  {
    auto d = SecretDir::Create();
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    dir = (*d)->path();
    auto f = (*d)->Write("config.json", "{\"secret\":1}");
    ASSERT_TRUE(f.ok());
    file = *f;
    ASSERT_TRUE((*d)->Write("config.json", "{\"secret\":2}").ok());  // replaced
    struct stat st {};
    ASSERT_EQ(stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    ASSERT_EQ(stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  }
  EXPECT_NE(access(file.c_str(), F_OK), 0);
  EXPECT_NE(access(dir.c_str(), F_OK), 0);
}

TEST(AirbyteChildProcessTest, LinesStderrAndExitCode) {
  std::vector<std::string> err;
  auto child =
      ChildProcess::Start({"/bin/sh", "-c", "echo one; echo oops >&2; printf 'two'; exit 4"},
                          [&](std::string_view l) { err.emplace_back(l); });
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::vector<std::string> out;
  while (true) {
    auto r = (*child)->ReadLine(&line, deadline);
    ASSERT_TRUE(r.ok());
    ASSERT_NE(*r, ChildProcess::Read::kTimeout);
    if (*r == ChildProcess::Read::kEnd) break;
    out.push_back(line);
  }
  EXPECT_EQ(out, (std::vector<std::string>{"one", "two"}));
  auto code = (*child)->Wait(std::chrono::seconds(10));
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 4);
  EXPECT_EQ(err, std::vector<std::string>{"oops"});
  EXPECT_EQ((*child)->LastStderr(), "oops");
  EXPECT_EQ(ChildProcess::Start({"no-such-airbyte-binary"}, nullptr).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace rivven::airbyte
