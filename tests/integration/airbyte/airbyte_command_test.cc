// `rivven-connect airbyte SOURCE spec|check|discover|read`: every line it prints is an
// AirbyteMessage valid against the protocol's schema (airbyte_protocol.schema.json), and a read
// with the state it printed continues where it stopped.
#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/process.h"

namespace rivven::testing {
namespace {

/// "" when `line` is a valid AirbyteMessage, else what is wrong.
std::string Problem(const std::string& line) {
  static const std::string schema_text =
      ReadFile(SourceDir() + "/tests/integration/airbyte/airbyte_protocol.schema.json");
  rapidjson::Document schema_doc;
  schema_doc.Parse(schema_text.c_str());
  if (schema_doc.HasParseError()) return "the schema file is not JSON";
  rapidjson::SchemaDocument schema(schema_doc);
  rapidjson::Document d;
  d.Parse(line.c_str());
  if (d.HasParseError()) return "not JSON";
  rapidjson::SchemaValidator validator(schema);
  if (d.Accept(validator)) return "";
  rapidjson::StringBuffer where;
  validator.GetInvalidSchemaPointer().StringifyUriFragment(where);
  return std::string(where.GetString()) + " " + validator.GetInvalidSchemaKeyword();
}

/// Each stdout line validated against the AirbyteMessage schema; returns the messages' types.
std::vector<std::string> ValidMessages(const std::string& out) {
  std::vector<std::string> types;
  for (const auto& line : SplitLines(out)) {
    const std::string problem = Problem(line);
    EXPECT_EQ(problem, "") << "not a valid AirbyteMessage: " << line;
    rapidjson::Document d;
    d.Parse(line.c_str());
    types.push_back(!d.HasParseError() && d.HasMember("type") && d["type"].IsString()
                        ? d["type"].GetString()
                        : "");
  }
  return types;
}

TEST(AirbyteCommandTest, TheSchemaRejectsBrokenMessages) {
  EXPECT_EQ(Problem(R"({"type":"RECORD","record":{"stream":"s","data":{},"emitted_at":1}})"), "");
  EXPECT_NE(Problem(R"({"type":"RECORD","record":{"stream":"s"}})"), "");
  EXPECT_NE(Problem(R"({"type":"RECORD"})"), "");
  EXPECT_NE(Problem(R"({"type":"LOG","log":{"level":"LOUD","message":"m"}})"), "");
  EXPECT_NE(Problem(R"({"type":"CONNECTION_STATUS","connectionStatus":{"status":"MAYBE"}})"), "");
}

int Count(const std::vector<std::string>& v, const std::string& what) {
  int n = 0;
  for (const auto& s : v) n += s == what;
  return n;
}

TEST(AirbyteCommandTest, SpecCheckDiscoverReadAreValidAirbyteMessages) {
  TempDir dir;
  WriteFile(dir / "config.json",
            R"({"pattern": "users", "max_events": 5, "events_per_second": 0})");
  WriteFile(dir / "bad.json", R"({"pattern": "nope"})");

  auto spec = RunProcess({BinaryPath(), "airbyte", "datagen", "spec"});
  ASSERT_EQ(spec.exit_code, 0) << DescribeResult(spec);
  EXPECT_EQ(ValidMessages(spec.out), std::vector<std::string>{"SPEC"});
  EXPECT_NE(spec.out.find("\"connectionSpecification\":{"), std::string::npos) << spec.out;

  auto check =
      RunProcess({BinaryPath(), "airbyte", "datagen", "check", "--config", dir / "config.json"});
  ASSERT_EQ(check.exit_code, 0) << DescribeResult(check);
  EXPECT_EQ(ValidMessages(check.out), std::vector<std::string>{"CONNECTION_STATUS"});
  EXPECT_NE(check.out.find("SUCCEEDED"), std::string::npos);
  auto bad =
      RunProcess({BinaryPath(), "airbyte", "datagen", "check", "--config", dir / "bad.json"});
  EXPECT_EQ(ValidMessages(bad.out), std::vector<std::string>{"CONNECTION_STATUS"});
  EXPECT_NE(bad.out.find("FAILED"), std::string::npos) << bad.out;

  auto discover =
      RunProcess({BinaryPath(), "airbyte", "datagen", "discover", "--config", dir / "config.json"});
  ASSERT_EQ(discover.exit_code, 0) << DescribeResult(discover);
  EXPECT_EQ(ValidMessages(discover.out), std::vector<std::string>{"CATALOG"});

  auto read =
      RunProcess({BinaryPath(), "airbyte", "datagen", "read", "--config", dir / "config.json"});
  ASSERT_EQ(read.exit_code, 0) << DescribeResult(read);
  const auto types = ValidMessages(read.out);
  EXPECT_EQ(Count(types, "RECORD"), 5) << read.out;
  ASSERT_GE(Count(types, "STATE"), 1) << read.out;

  // The last STATE's data is the --state of the next read.
  std::string state;
  for (const auto& line : SplitLines(read.out)) {
    if (line.find("\"type\":\"STATE\"") == std::string::npos) continue;
    const size_t at = line.find("\"data\":");
    state = line.substr(at + 7, line.size() - at - 7 - 2);
  }
  WriteFile(dir / "state.json", state);
  auto again = RunProcess({BinaryPath(), "airbyte", "datagen", "read", "--config",
                           dir / "config.json", "--state", dir / "state.json"});
  ASSERT_EQ(again.exit_code, 0) << DescribeResult(again);
  EXPECT_EQ(Count(ValidMessages(again.out), "RECORD"), 0)
      << again.out;  // max_events already reached
}

}  // namespace
}  // namespace rivven::testing
