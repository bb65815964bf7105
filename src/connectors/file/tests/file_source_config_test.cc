#include "connectors/file/file_source_config.h"

#include <string>

#include <gtest/gtest.h>

#include "config/pipeline_config.h"
#include "connectors/registry.h"

namespace rivven::file {
namespace {

const ConnectorDescriptor& Descriptor() {
  const ConnectorDescriptor* d = BuiltinRegistry().Find(ConnectorKind::kSource, "file");
  EXPECT_NE(d, nullptr);
  return *d;
}

config::BoundConfig BindYaml(const std::string& yaml, config::Diagnostics* diags) {
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  std::optional<config::Node> node = config::ParseYaml(yaml, env, diags);
  EXPECT_TRUE(node.has_value());
  config::BoundConfig bound =
      config::Bind(Descriptor().schema, &*node, "sources.files.config", node->mark, diags);
  Descriptor().validate(bound, diags);
  return bound;
}

TEST(FileSourceConfigTest, DefaultsFollowTheSpec) {
  config::Diagnostics diags;
  auto c = FileSourceConfigFromBound(BindYaml("path: /data/input\n", &diags));
  ASSERT_TRUE(diags.empty()) << diags.Format();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->path, "/data/input");
  EXPECT_EQ(c->format, SourceFormat::kJson);
  EXPECT_FALSE(c->watch);
  EXPECT_EQ(c->poll_interval, std::chrono::seconds(30));
  EXPECT_EQ(c->include, "*");
  EXPECT_EQ(c->csv.delimiter, ',');
  EXPECT_TRUE(c->csv.header);
  EXPECT_TRUE(c->csv.infer_types);
  EXPECT_TRUE(Descriptor().bounded_when_configured);
}

TEST(FileSourceConfigTest, CsvOptions) {
  config::Diagnostics diags;
  auto c = FileSourceConfigFromBound(
      BindYaml("path: /d\nformat: csv\nwatch: true\npoll_interval_secs: 5\ninclude: '*.csv'\n"
               "csv:\n  delimiter: \"\\t\"\n  header: false\n  infer_types: false\n",
               &diags));
  ASSERT_TRUE(diags.empty()) << diags.Format();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->format, SourceFormat::kCsv);
  EXPECT_TRUE(c->watch);
  EXPECT_EQ(c->poll_interval, std::chrono::seconds(5));
  EXPECT_EQ(c->include, "*.csv");
  EXPECT_EQ(c->csv.delimiter, '\t');
  EXPECT_FALSE(c->csv.header);
  EXPECT_FALSE(c->csv.infer_types);
}

TEST(FileSourceConfigTest, ParquetIsAFormat) {
  config::Diagnostics diags;
  auto c = FileSourceConfigFromBound(BindYaml("path: /d\nformat: parquet\n", &diags));
  EXPECT_EQ(diags.size(), 0u) << diags.Format();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->format, SourceFormat::kParquet);
  config::Diagnostics csv;
  (void)BindYaml("path: /d\nformat: parquet\ncsv:\n  header: false\n", &csv);
  EXPECT_NE(csv.Format().find("csv options apply only to format: csv"), std::string::npos)
      << csv.Format();
}

TEST(FileSourceConfigTest, MistakesAreDiagnostics) {
  struct Case {
    const char* yaml;
    const char* path;
    const char* message;
  };
  const Case cases[] = {
      {"format: json\n", "sources.files.config", "missing required key 'path'"},
      {"path: /d\nformat: xml\n", "sources.files.config.format", ""},
      {"path: /d\npoll_interval_secs: 0\n", "sources.files.config.poll_interval_secs", ""},
      {"path: /d\ncsv:\n  delimiter: ';'\n", "sources.files.config.csv",
       "csv options apply only to format: csv"},
      {"path: /d\nformat: csv\ncsv:\n  delimiter: ';;'\n", "sources.files.config.csv.delimiter",
       "exactly one character"},
      {"path: /d\nformat: csv\ncsv:\n  delimiter: '\"'\n", "sources.files.config.csv.delimiter",
       "cannot be a quote"},
      {"path: /d\nwatchh: true\n", "sources.files.config.watchh", ""},
  };
  for (const Case& c : cases) {
    config::Diagnostics diags;
    (void)BindYaml(c.yaml, &diags);
    ASSERT_FALSE(diags.empty()) << c.yaml;
    EXPECT_EQ(diags.items()[0].path, c.path) << diags.Format();
    EXPECT_NE(diags.items()[0].message.find(c.message), std::string::npos) << diags.Format();
  }
}

TEST(FileSourceConfigTest, SpecListsEveryKeyOnce) {
  const std::string spec =
      config::ToJsonSchema(Descriptor().schema, "file", Descriptor().description);
  for (const char* key :
       {"\"path\"", "\"format\"", "\"watch\"", "\"poll_interval_secs\"", "\"include\"", "\"csv\"",
        "\"delimiter\"", "\"header\"", "\"infer_types\""}) {
    EXPECT_NE(spec.find(key), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace rivven::file
