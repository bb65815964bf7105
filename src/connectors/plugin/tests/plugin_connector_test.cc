#include "connectors/plugin/plugin_connector.h"
#include "connectors/plugin/plugin_sink.h"
#include "connectors/plugin/plugin_source.h"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/pipeline_config.h"
#include "connectors/registry.h"

namespace rivven::plugin_host {
namespace {

using std::chrono::milliseconds;

const std::string kExamples = RIVVEN_EXAMPLE_PLUGIN_DIR;
const std::string kTestPlugins = RIVVEN_TEST_PLUGIN_DIR;

config::BoundConfig Bind(ConnectorKind kind, const std::string& yaml) {
  const ConnectorDescriptor* d = BuiltinRegistry().Find(kind, "plugin");
  EXPECT_NE(d, nullptr);
  config::Diagnostics diags;
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  std::optional<config::Node> node = config::ParseYaml(yaml, env, &diags);
  EXPECT_TRUE(node.has_value()) << diags.Format();
  auto bound = config::Bind(d->schema, &*node, "sources.p.config", node->mark, &diags);
  EXPECT_TRUE(diags.empty()) << diags.Format();
  return bound;
}

Result<std::unique_ptr<Source>> MakeSource(const std::string& yaml) {
  const ConnectorDescriptor* d = BuiltinRegistry().Find(ConnectorKind::kSource, "plugin");
  return d->make_source(Bind(ConnectorKind::kSource, yaml), ConnectorContext{"p", "t", {}, ""});
}

Result<std::unique_ptr<Sink>> MakeSink(const std::string& yaml) {
  const ConnectorDescriptor* d = BuiltinRegistry().Find(ConnectorKind::kSink, "plugin");
  return d->make_sink(Bind(ConnectorKind::kSink, yaml), ConnectorContext{"p", "", {"t"}, ""});
}

std::string Counter(int count) {
  return "path: " + kExamples + "/counter_source.so\nplugin_config:\n  count: " +
         std::to_string(count) + "\n";
}

std::string Faulty(const std::string& plugin_config) {
  return "path: " + kTestPlugins + "/test_plugin_faulty_source.so\nplugin_config: " +
         plugin_config + "\n";
}

// Polls until the source says it is finished; returns every record and the last position.
std::vector<Record> Drain(Source& s, std::string* position) {
  std::vector<Record> out;
  for (int i = 0; i < 1000; ++i) {
    auto batch = s.Poll(4, milliseconds(10), {});
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok()) break;
    EXPECT_LE(batch->records.size(), 4u);
    for (Record& r : batch->records) out.push_back(std::move(r));
    if (!batch->position.empty()) *position = batch->position;
    if (batch->finished) break;
  }
  return out;
}

TEST(PluginSourceTest, EmitsRecordsWithPositions) {
  auto source = MakeSource(Counter(10));
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  ASSERT_TRUE((*source)->Open(std::nullopt).ok());
  std::string position;
  const auto records = Drain(**source, &position);
  ASSERT_EQ(records.size(), 10u);
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].key, std::to_string(i));
    EXPECT_EQ(records[i].value,
              "{\"n\":" + std::to_string(i) + ",\"name\":\"item-" + std::to_string(i) + "\"}");
    ASSERT_EQ(records[i].headers.size(), 1u);
    EXPECT_EQ(records[i].headers[0].key, "source");
    EXPECT_EQ(records[i].headers[0].value, "counter");
  }
  EXPECT_EQ(position, "next=10");
  EXPECT_TRUE((*source)->Close().ok());
}

TEST(PluginSourceTest, ResumesAfterReopenAtACheckpoint) {
  std::string position;
  {
    auto source = MakeSource(Counter(10));
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    ASSERT_TRUE((*source)->Open(std::nullopt).ok());
    auto batch = (*source)->Poll(3, milliseconds(10), {});
    ASSERT_TRUE(batch.ok());
    ASSERT_EQ(batch->records.size(), 3u);
    position = batch->position;
    ASSERT_EQ(position, "next=3");
  }
  auto again = MakeSource(Counter(10));
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE((*again)->Open(position).ok());
  std::string last;
  const auto rest = Drain(**again, &last);
  ASSERT_EQ(rest.size(), 7u);
  EXPECT_EQ(rest.front().key, "3");
  EXPECT_EQ(last, "next=10");
  // A checkpoint the plugin does not understand is its error, fatal as it said.
  auto bad = MakeSource(Counter(10));
  Status st = (*bad)->Open(std::string("garbage"));
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(st.retriable());
  EXPECT_NE(st.message().find("open: unexpected checkpoint 'garbage'"), std::string::npos)
      << st.message();
}

TEST(PluginSinkTest, WritesAndCommits) {
  const std::string dir = std::filesystem::temp_directory_path() /
                          ("plugin_sink_test." + std::to_string(::getpid()));
  const std::string file = dir + "/out/lines.txt";
  auto sink = MakeSink("path: " + kExamples + "/lines_sink.so\nplugin_config: {path: " + file +
                       "}\n");
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  ASSERT_TRUE((*sink)->Open().ok());
  std::vector<ConsumedRecord> batch(3);
  for (int i = 0; i < 3; ++i) {
    batch[i].topic = "t";
    batch[i].offset = Offset(i);
    batch[i].record.value = "v" + std::to_string(i);
  }
  batch[1].record.value.reset();
  ASSERT_TRUE((*sink)->Write(batch).ok());
  auto read = [&] {
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  EXPECT_EQ(read(), "");  // buffered until commit
  ASSERT_TRUE((*sink)->Flush().ok());
  EXPECT_EQ(read(), "v0\nnull\nv2\n");
  EXPECT_TRUE((*sink)->Close().ok());
  std::filesystem::remove_all(dir);
}

TEST(PluginLoadTest, AbiVersionMismatchNamesTheFileAndBothVersions) {
  const std::string path = kTestPlugins + "/test_plugin_wrong_abi.so";
  auto source = MakeSource("path: " + path + "\n");
  ASSERT_FALSE(source.ok());
  const std::string& m = source.status().message();
  EXPECT_NE(m.find("sources.p.config: plugin '" + path + "': built for plugin ABI version 99, "
                   "but this rivven-connect supports plugin ABI version 1"),
            std::string::npos)
      << m;
  EXPECT_FALSE(source.status().retriable());
}

TEST(PluginLoadTest, NotAPluginOrMissingFileIsAClearError) {
  const std::string path = kTestPlugins + "/test_plugin_not_a_plugin.so";
  auto source = MakeSource("path: " + path + "\n");
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.status().message().find("plugin '" + path +
                                           "': not a rivven-connect plugin: it does not export "
                                           "`rivven_plugin_entry`"),
            std::string::npos)
      << source.status().message();

  auto missing = MakeSource("path: /nonexistent/x.so\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("plugin '/nonexistent/x.so': cannot load it: "),
            std::string::npos)
      << missing.status().message();
}

TEST(PluginLoadTest, KindIsChecked) {
  auto sink = MakeSink(Counter(1));
  ASSERT_FALSE(sink.ok());
  EXPECT_NE(sink.status().message().find(
                "'CounterSource' is a source plugin (kind 1), but it is configured as a sink"),
            std::string::npos)
      << sink.status().message();
}

TEST(PluginLoadTest, CheckLoadsAndCreates) {
  const ConnectorDescriptor* d = BuiltinRegistry().Find(ConnectorKind::kSource, "plugin");
  EXPECT_TRUE(d->check(Bind(ConnectorKind::kSource, Counter(1))).ok());
  Status st = d->check(Bind(ConnectorKind::kSource, Faulty("{fail: create}")));
  EXPECT_NE(st.message().find("create: refusing to start: fail is 'create'"), std::string::npos)
      << st.message();
}

TEST(PluginErrorTest, ErrorsInPollKeepTheirDisposition) {
  for (bool retriable : {true, false}) {
    auto source = MakeSource(Faulty(std::string("{fail: error, before: 2, retriable: ") +
                                    (retriable ? "true" : "false") + "}"));
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    ASSERT_TRUE((*source)->Open(std::nullopt).ok());
    ASSERT_TRUE((*source)->Poll(10, milliseconds(1), {}).ok());
    ASSERT_TRUE((*source)->Poll(10, milliseconds(1), {}).ok());
    auto failed = (*source)->Poll(10, milliseconds(1), {});
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.status().retriable(), retriable);
    EXPECT_NE(failed.status().message().find("plugin 'FaultySource' (" + kTestPlugins +
                                             "/test_plugin_faulty_source.so): poll: the "
                                             "upstream is not answering"),
              std::string::npos)
        << failed.status().message();
  }
}

TEST(PluginErrorTest, AnExceptionIsAFatalErrorNotACrash) {
  auto source = MakeSource(Faulty("{fail: exception}"));
  ASSERT_TRUE(source.ok());
  ASSERT_TRUE((*source)->Open(std::nullopt).ok());
  auto failed = (*source)->Poll(10, milliseconds(1), {});
  ASSERT_FALSE(failed.ok());
  EXPECT_FALSE(failed.status().retriable());
  EXPECT_NE(failed.status().message().find("poll: something broke inside the plugin"),
            std::string::npos)
      << failed.status().message();
}

TEST(PluginErrorTest, ConfigErrorsFromCreateAreReported) {
  auto source = MakeSource("path: " + kExamples + "/counter_source.so\nplugin_config: {count: many}\n");
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.status().message().find("create: plugin_config.count: expected an integer, "
                                           "got \"many\""),
            std::string::npos)
      << source.status().message();
}

// The crash note hands the signal on to the handler installed before it. In an ASan or TSan
// build that is the sanitizer's, which reports the fault and exits with its own code (ASan 1,
// TSan 66) instead of dying by the signal.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kSanitizerExitCode = 1;
#elif defined(__SANITIZE_THREAD__)
constexpr int kSanitizerExitCode = 66;
#else
constexpr int kSanitizerExitCode = 0;
#endif

bool EndedBySegfault(int status) {
  if (kSanitizerExitCode != 0) return WIFEXITED(status) && WEXITSTATUS(status) == kSanitizerExitCode;
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

TEST(PluginCrashDeathTest, SegfaultNamesThePluginAndKillsTheProcessWithTheSignal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto source = MakeSource(Faulty("{fail: segfault}"));
  ASSERT_TRUE(source.ok());
  ASSERT_TRUE((*source)->Open(std::nullopt).ok());
  EXPECT_EXIT((void)(*source)->Poll(10, milliseconds(1), {}), EndedBySegfault,
              "fatal signal 11 \\(SIGSEGV\\) in native plugin 'FaultySource' \\(.*"
              "test_plugin_faulty_source.so\\) of 'p', in poll");
}

}  // namespace
}  // namespace rivven::plugin_host
