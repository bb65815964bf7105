// Interoperability of src/formats/parquet with independent implementations from npm:
// arrow-rs (through parquet-wasm 0.8.0) and hyparquet 1.31.5, run with node on the scripts
// beside this file. Files rivven writes are read by both peers; files arrow-rs writes (every
// codec, data page V1 and V2, dictionary on and off, the delta and byte-stream-split
// encodings) are read by rivven's Reader; values must match exactly.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_writer.h"
#include "support/process.h"

namespace rivven::formats::parquet {
namespace {

using rivven::testing::DescribeResult;
using rivven::testing::ProcessResult;
using rivven::testing::RunProcess;
using rivven::testing::SourceDir;
using rivven::testing::SplitLines;
using rivven::testing::TempDir;

/// node, found on PATH (RunProcess does not search it); "" when missing.
std::string Node() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t at = 0;
  while (at <= dirs.size()) {
    const size_t end = std::min(dirs.find(':', at), dirs.size());
    const std::string candidate = dirs.substr(at, end - at) + "/node";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    at = end + 1;
  }
  return "";
}

std::string Script(const std::string& name) {
  return SourceDir() + "/tests/integration/parquet/" + name;
}

/// Fails (not skips) when node or the npm peers are missing.
void RequirePeers() {
  ASSERT_FALSE(Node().empty()) << "node is not on PATH: run scripts/install-deps.sh";
  const ProcessResult node = RunProcess({Node(), "--version"});
  ASSERT_EQ(node.exit_code, 0) << "node does not run: run scripts/install-deps.sh\n"
                               << DescribeResult(node);
  for (const char* module : {"parquet-wasm", "hyparquet", "apache-arrow"}) {
    ASSERT_TRUE(std::filesystem::exists(SourceDir() + "/tests/peers/node_modules/" + module))
        << "tests/peers/node_modules/" << module
        << " is missing: run scripts/install-deps.sh (it installs tests/peers/package.json)";
  }
}

std::vector<std::string> ReadWithRivven(const std::string& bytes) {
  std::vector<std::string> rows;
  Result<std::unique_ptr<Reader>> r = Reader::Open(bytes);
  if (!r.ok()) return {"error: " + r.status().ToString()};
  Status s = (*r)->ForEachRow([&](std::string_view row) {
    rows.emplace_back(row);
    return true;
  });
  if (!s.ok()) rows.push_back("error: " + s.ToString());
  return rows;
}

/// Rows as each peer reads `path`: [0] parquet-wasm (arrow-rs), [1] hyparquet.
std::vector<std::vector<std::string>> ReadWithPeers(const std::string& path) {
  const ProcessResult r = RunProcess({Node(), Script("read_with_peers.mjs"), path});
  EXPECT_EQ(r.exit_code, 0) << DescribeResult(r);
  std::vector<std::vector<std::string>> out(2);
  for (const std::string& line : SplitLines(r.out)) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    out[line.substr(0, tab) == "arrow" ? 0 : 1].push_back(line.substr(tab + 1));
  }
  return out;
}

// Records covering every type rule, with values both peers print the way rivven does
// (no timestamps: the peers turn INT64 timestamps into numbers and Dates differently).
std::vector<std::string> Records(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    std::string r = "{\"id\":" + std::to_string(i * 7919 % 100003) + ",";
    r += "\"big\":" +
         std::to_string(static_cast<int64_t>(i) * 1000000000039LL - 4000000000000000LL) + ",";
    r += "\"price\":" + (i % 9 == 0 ? std::string("null") : std::to_string(i % 1000) + ".25") + ",";
    r += "\"ratio\":" + (i % 4 == 0 ? std::to_string(i) : std::to_string(i) + ".5") + ",";
    r += "\"status\":\"" +
         std::string(i % 3 == 0   ? "shipped"
                     : i % 3 == 1 ? "pending"
                                  : "") +
         "\",";
    r += "\"note\":" +
         (i % 5 == 0 ? std::string("null") : "\"n\\u00e9-" + std::to_string(i) + " \\\"q\\\"\"") +
         ",";
    r += "\"ok\":" + std::string(i % 7 == 0 ? "null" : i % 2 ? "true" : "false") + ",";
    r += "\"nested\":{\"a\":[" + std::to_string(i) + ",\"x\"],\"b\":null},";
    r += "\"mixed\":" + (i % 4 == 0   ? std::string("\"s\"")
                         : i % 4 == 1 ? std::to_string(i)
                         : i % 4 == 2 ? "true"
                                      : "1.50");
    if (i % 10 == 3) r += ",\"late\":\"only-some\"";
    r += "}";
    out.push_back(std::move(r));
  }
  return out;
}

struct WriteCase {
  Codec codec;
  bool dictionary;
  size_t page_bytes;
  size_t row_group_bytes;
};

class RivvenWritesTest : public ::testing::TestWithParam<WriteCase> {};

TEST_P(RivvenWritesTest, PeersReadTheSameValues) {
  RequirePeers();
  const WriteCase c = GetParam();
  WriterOptions o;
  o.codec = c.codec;
  o.dictionary = c.dictionary;
  o.page_bytes = c.page_bytes;
  o.row_group_bytes = c.row_group_bytes;
  Writer w(o);
  for (const std::string& r : Records(3000)) ASSERT_TRUE(w.Append(r).ok()) << r;
  Result<std::string> file = w.Finish();
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  TempDir dir;
  const std::string path = dir / "rivven.parquet";
  rivven::testing::WriteFile(path, *file);

  const std::vector<std::string> ours = ReadWithRivven(*file);
  ASSERT_EQ(ours.size(), 3000u) << ours.back();
  EXPECT_EQ(
      ours[3],
      R"({"id":23757,"big":-3996999999999883,"price":3.25,"ratio":3.5,"status":"shipped","note":"né-3 \"q\"","ok":true,"nested":"{\"a\":[3,\"x\"],\"b\":null}","mixed":"1.50","late":"only-some"})");
  const auto peers = ReadWithPeers(path);
  EXPECT_EQ(peers[0], ours) << "parquet-wasm (arrow-rs) differs";
  EXPECT_EQ(peers[1], ours) << "hyparquet differs";
}

INSTANTIATE_TEST_SUITE_P(Cases, RivvenWritesTest,
                         ::testing::Values(WriteCase{Codec::kUncompressed, true, 1u << 20,
                                                     64u << 20},
                                           WriteCase{Codec::kSnappy, true, 1u << 20, 64u << 20},
                                           WriteCase{Codec::kGzip, true, 1u << 20, 64u << 20},
                                           WriteCase{Codec::kZstd, true, 1u << 20, 64u << 20},
                                           WriteCase{Codec::kSnappy, false, 1u << 20, 64u << 20},
                                           WriteCase{Codec::kZstd, false, 700, 30000},
                                           WriteCase{Codec::kSnappy, true, 700, 30000},
                                           WriteCase{Codec::kUncompressed, true, 64, 4000}));

struct ArrowCase {
  const char* codec;
  const char* version;
  const char* dictionary;
  const char* encoding;
};

class ArrowRsWritesTest : public ::testing::TestWithParam<ArrowCase> {};

TEST_P(ArrowRsWritesTest, RivvenReadsTheSameValues) {
  RequirePeers();
  const ArrowCase c = GetParam();
  TempDir dir;
  const std::string path = dir / "arrow.parquet";
  std::vector<std::string> argv = {
      Node(), Script("write_with_arrow_rs.mjs"), path, c.codec, c.version, c.dictionary};
  if (*c.encoding) argv.emplace_back(c.encoding);
  const ProcessResult r = RunProcess(argv);
  ASSERT_EQ(r.exit_code, 0) << DescribeResult(r);
  const std::vector<std::string> expected = SplitLines(r.out);
  ASSERT_EQ(expected.size(), 2500u);
  const std::vector<std::string> ours = ReadWithRivven(rivven::testing::ReadFile(path));
  ASSERT_EQ(ours.size(), expected.size()) << ours.back();
  for (size_t i = 0; i < ours.size(); ++i) {
    ASSERT_EQ(ours[i], expected[i]) << "row " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ArrowRsWritesTest,
    ::testing::Values(ArrowCase{"UNCOMPRESSED", "1", "on", ""}, ArrowCase{"SNAPPY", "1", "on", ""},
                      ArrowCase{"GZIP", "1", "on", ""}, ArrowCase{"ZSTD", "1", "on", ""},
                      ArrowCase{"UNCOMPRESSED", "2", "on", ""}, ArrowCase{"SNAPPY", "2", "on", ""},
                      ArrowCase{"GZIP", "2", "on", ""}, ArrowCase{"ZSTD", "2", "on", ""},
                      ArrowCase{"SNAPPY", "1", "off", ""}, ArrowCase{"ZSTD", "2", "off", ""},
                      ArrowCase{"SNAPPY", "2", "off", "DELTA_BINARY_PACKED"},
                      ArrowCase{"ZSTD", "1", "off", "DELTA_LENGTH_BYTE_ARRAY"},
                      ArrowCase{"SNAPPY", "2", "off", "DELTA_BYTE_ARRAY"},
                      ArrowCase{"UNCOMPRESSED", "2", "off", "BYTE_STREAM_SPLIT"}));

}  // namespace
}  // namespace rivven::formats::parquet
