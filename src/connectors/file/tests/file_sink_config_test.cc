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

  EXPECT_EQ(c->compression, formats::Compression::kNone);
  EXPECT_EQ(c->max_size_bytes, 0u);
  EXPECT_EQ(c->max_age_ms, 0);
  EXPECT_FALSE(c->rolling());

  config::Diagnostics parquet;
  (void)BindYaml("path: /x\nformat: parquet\n", &parquet);
  EXPECT_NE(parquet.Format().find("format"), std::string::npos) << parquet.Format();
}

TEST(FileSinkConfigTest, FormatsCompressionAndRotation) {
  config::Diagnostics diags;
  auto c =
      FileSinkConfigFromBound(BindYaml("path: /out\nformat: csv\ncompression: zstd\n"
                                       "rotation:\n  max_size_mb: 100\n  max_age_hours: 24\n",
                                       &diags));
  ASSERT_TRUE(diags.empty()) << diags.Format();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->format, FileFormat::kCsv);
  EXPECT_EQ(c->compression, formats::Compression::kZstd);
  EXPECT_EQ(c->max_size_bytes, 100u << 20);
  EXPECT_EQ(c->max_age_ms, 24 * 3600 * 1000);
  EXPECT_TRUE(c->rolling());

  auto half = FileSinkConfigFromBound(
      BindYaml("path: /out\nformat: json\nrotation:\n  max_age_hours: 0.5\n", &diags));
  ASSERT_TRUE(diags.empty()) << diags.Format();
  ASSERT_TRUE(half.ok());
  EXPECT_EQ(half->format, FileFormat::kJson);
  EXPECT_EQ(half->max_age_ms, 1800 * 1000);
  EXPECT_EQ(half->max_size_bytes, 0u);

  // Plain jsonl with only compression, or only rotation, rolls too.
  auto gz = FileSinkConfigFromBound(BindYaml("path: /out\ncompression: gzip\n", &diags));
  ASSERT_TRUE(gz.ok());
  EXPECT_TRUE(gz->rolling());
  auto sz = FileSinkConfigFromBound(BindYaml("path: /out\ncompression: snappy\n", &diags));
  ASSERT_TRUE(diags.empty()) << diags.Format();
  ASSERT_TRUE(sz.ok());
  EXPECT_EQ(sz->compression, formats::Compression::kSnappy);
  EXPECT_TRUE(sz->rolling());

  for (const char* bad :
       {"compression: lz4\n", "rotation:\n  max_size_mb: -1\n", "rotation:\n  max_age_hours: -2\n",
        "rotation:\n  max_files: 3\n", "rotation:\n  max_size_mb: 1.5\n"}) {
    config::Diagnostics d;
    (void)BindYaml(std::string("path: /out\n") + bad, &d);
    EXPECT_FALSE(d.empty()) << bad;
  }
}

TEST(FileSinkConfigTest, RollingNamesParseBack) {
  // 2024-02-29T23:59:58.500Z
  auto name = RollingFileName("orders", 1709251198500, 7, ".csv.gz");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, "orders-20240229T235958Z-0007.csv.gz");
  EXPECT_EQ(InProgressName(*name), ".orders-20240229T235958Z-0007.csv.gz.inprogress");
  auto parsed = ParseInProgressName(InProgressName(*name));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->escaped_topic, "orders");
  EXPECT_EQ(parsed->seq, 7u);
  EXPECT_EQ(parsed->format, FileFormat::kCsv);
  EXPECT_EQ(parsed->compression, formats::Compression::kGzip);
  EXPECT_EQ(parsed->WithSequence(12345), "orders-20240229T235958Z-12345.csv.gz");

  // Topics with dashes, dots and escapes; every format/compression pair.
  auto tricky = RollingFileName("a-20240101T000000Z-0001.json../x", 0, 0, ".jsonl.zst");
  ASSERT_TRUE(tricky.ok());
  EXPECT_EQ(*tricky, "a-20240101T000000Z-0001.json..%2Fx-19700101T000000Z-0000.jsonl.zst");
  parsed = ParseInProgressName(InProgressName(*tricky));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->escaped_topic, "a-20240101T000000Z-0001.json..%2Fx");
  EXPECT_EQ(parsed->format, FileFormat::kJsonl);
  EXPECT_EQ(parsed->compression, formats::Compression::kZstd);
  auto snappy = ParseInProgressName(".t-20240101T000000Z-0003.csv.sz.inprogress");
  ASSERT_TRUE(snappy.has_value());
  EXPECT_EQ(snappy->format, FileFormat::kCsv);
  EXPECT_EQ(snappy->compression, formats::Compression::kSnappy);
  EXPECT_EQ(snappy->extension, ".csv.sz");
  auto json = ParseInProgressName(".t-20240101T000000Z-0000.json.inprogress");
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(json->format, FileFormat::kJson);
  EXPECT_EQ(json->compression, formats::Compression::kNone);

  for (const char* other :
       {"orders.jsonl", ".orders.jsonl.inprogress", "orders-20240101T000000Z-0000.jsonl",
        ".orders-20240101T000000Z-0000.parquet.inprogress",
        ".orders-2024010XT000000Z-0000.jsonl.inprogress",
        ".orders-20240101T000000Z-.jsonl.inprogress", ".-20240101T000000Z-0000.jsonl.inprogress",
        ".orders20240101T000000Z-0000.jsonl.inprogress"}) {
    EXPECT_FALSE(ParseInProgressName(other).has_value()) << other;
  }
  // The in-progress form must fit in 255 bytes too.
  EXPECT_TRUE(RollingFileName(std::string(255 - 12 - 22 - 10, 'a'), 0, 0, ".jsonl.zst").ok());
  EXPECT_FALSE(RollingFileName(std::string(255 - 12 - 22 - 9, 'a'), 0, 0, ".jsonl.zst").ok());
  EXPECT_FALSE(RollingFileName("", 0, 0, ".csv").ok());
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
  {
    std::FILE* f = std::fopen((root + "/file").c_str(), "w");
    std::fclose(f);
  }
  EXPECT_FALSE(d->check(BindYaml("path: " + root + "/file\n", &diags)).ok());
  ASSERT_TRUE(diags.empty()) << diags.Format();
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace rivven::file
