#include "connectors/file/file_sink_config.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "config/pipeline_config.h"
#include "connectors/registry.h"

namespace rivven::file {
namespace {

config::BoundConfig BindYaml(const std::string& yaml, config::Diagnostics* diags) {
  const ConnectorDescriptor* d = BuiltinRegistry().Find(ConnectorKind::kSink, "file");
  EXPECT_NE(d, nullptr);
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  std::optional<config::Node> node = config::ParseYaml(yaml, env, diags);
  EXPECT_TRUE(node.has_value());
  return config::Bind(d->schema, &*node, "sinks.files.config", node->mark, diags);
}

TEST(FileSinkConfigTest, PathRequiredFormatDefaultsToJsonl) {
  config::Diagnostics diags;
  auto c = FileSinkConfigFromBound(BindYaml("path: /data/output\n", &diags));
  ASSERT_TRUE(diags.empty()) << diags.Format();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->path, "/data/output");
  EXPECT_EQ(c->format, FileFormat::kJsonl);

  config::Diagnostics missing;
  (void)BindYaml("format: jsonl\n", &missing);
  EXPECT_NE(missing.Format().find("path"), std::string::npos) << missing.Format();

  config::Diagnostics csv;
  (void)BindYaml("path: /x\nformat: csv\n", &csv);
  EXPECT_FALSE(csv.empty());
}

TEST(FileSinkConfigTest, CheckFindsAWritableDirectory) {
  const ConnectorDescriptor* d = BuiltinRegistry().Find(ConnectorKind::kSink, "file");
  ASSERT_NE(d, nullptr);
  ASSERT_TRUE(d->check);
  char tmpl[] = "/tmp/file_sink_checkXXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string root = tmpl;
  config::Diagnostics diags;
  EXPECT_TRUE(d->check(BindYaml("path: " + root + "/not/yet/there\n", &diags)).ok());
  { std::FILE* f = std::fopen((root + "/file").c_str(), "w"); std::fclose(f); }
  EXPECT_FALSE(d->check(BindYaml("path: " + root + "/file\n", &diags)).ok());
  ASSERT_TRUE(diags.empty()) << diags.Format();
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace rivven::file
