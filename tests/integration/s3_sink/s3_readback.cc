#include "s3_readback.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "formats/compression.h"

namespace rivven::testing {

std::vector<StoredObject> ReadBack(const S3rver& server, const std::string& bucket,
                                   const std::string& prefix, const TempDir& scratch) {
  // /usr/bin/python3: Debian's boto3 belongs to the system interpreter.
  auto r = RunProcess({"/usr/bin/python3",
                       SourceDir() + "/tests/integration/s3_sink/read_objects.py",
                       server.endpoint(), bucket, prefix, S3rver::kAccessKey, S3rver::kSecretKey,
                       scratch.path()});
  std::vector<StoredObject> out;
  if (r.exit_code != 0) {
    ADD_FAILURE() << "read_objects.py (boto3; scripts/install-deps.sh installs python3-boto3): "
                  << DescribeResult(r);
    return out;
  }
  for (const std::string& line : SplitLines(r.out)) {
    rapidjson::Document d;
    d.Parse(line.data(), line.size());
    if (d.HasParseError() || !d.IsObject()) {
      ADD_FAILURE() << "read_objects.py printed " << line;
      continue;
    }
    StoredObject o;
    o.key = d["key"].GetString();
    o.size = d["size"].GetUint64();
    o.content_type = d["content_type"].GetString();
    if (d.HasMember("body")) o.body = d["body"].GetString();
    if (d.HasMember("parquet_path")) o.parquet_path = d["parquet_path"].GetString();
    if (d.HasMember("raw_path")) {  // snappy framing: decoded here
      auto decoded = formats::Decompress(formats::Compression::kSnappy,
                                         ReadFile(d["raw_path"].GetString()));
      if (!decoded.ok()) ADD_FAILURE() << o.key << ": " << decoded.status().ToString();
      else o.body = *decoded;
    }
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<std::string> ParquetRows(const std::string& path) {
  auto r = RunProcess({FindOnPath("node"), SourceDir() + "/tests/integration/parquet/read_with_peers.mjs", path});
  std::vector<std::string> hyparquet, arrow;
  if (r.exit_code != 0) {
    ADD_FAILURE() << "node read_with_peers.mjs (scripts/install-deps.sh installs node and the "
                     "npm peers): "
                  << DescribeResult(r);
    return hyparquet;
  }
  for (const std::string& line : SplitLines(r.out)) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    (line.compare(0, tab, "hyparquet") == 0 ? hyparquet : arrow).push_back(line.substr(tab + 1));
  }
  EXPECT_EQ(arrow, hyparquet) << "arrow-rs and hyparquet disagree about " << path;
  return hyparquet;
}

std::vector<std::string> TextValues(const StoredObject& object) {
  std::vector<std::string> lines = SplitLines(object.body);
  if (object.key.find(".json.") == std::string::npos &&
      !object.key.ends_with(".json")) {
    return lines;
  }
  // json: a "[" line, the first value, then ",value" per line, then a "]" line.
  std::vector<std::string> values;
  for (std::string l : lines) {
    if (l == "[" || l == "]") continue;
    if (!l.empty() && l[0] == ',') l.erase(0, 1);
    values.push_back(l);
  }
  return values;
}

}  // namespace rivven::testing
