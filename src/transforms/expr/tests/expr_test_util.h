#pragma once

// Helpers for the expression-language tests: a record built from JSON text, evaluated through
// FixedRecordView (no transform framework needed).
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "transforms/expr/expression.h"
#include "transforms/expr/record_view.h"

namespace rivven::transforms::expr::testing {

/// A record whose value (and key) are parsed from JSON text; empty text leaves them null.
class TestRecord : public FixedRecordView {
 public:
  explicit TestRecord(std::string_view value_json = "", std::string_view key_json = "") {
    if (!value_json.empty()) {
      value_doc_.Parse(value_json.data(), value_json.size());
      EXPECT_FALSE(value_doc_.HasParseError()) << value_json;
      value = &value_doc_;
    }
    if (!key_json.empty()) {
      key_doc_.Parse(key_json.data(), key_json.size());
      EXPECT_FALSE(key_doc_.HasParseError()) << key_json;
      key = &key_doc_;
    }
  }

 private:
  rapidjson::Document value_doc_;
  rapidjson::Document key_doc_;
};

/// Counts reads of the record, to observe what evaluation touched.
class CountingRecord : public TestRecord {
 public:
  using TestRecord::TestRecord;
  const rapidjson::Value* Value() override {
    ++value_reads;
    return TestRecord::Value();
  }
  const rapidjson::Value* Key() override {
    ++key_reads;
    return TestRecord::Key();
  }
  std::optional<std::string_view> Header(std::string_view name) override {
    ++header_reads;
    return TestRecord::Header(name);
  }
  int value_reads = 0;
  int key_reads = 0;
  int header_reads = 0;
};

inline Expression MustCompile(std::string_view text) {
  auto e = Expression::Compile(text);
  EXPECT_TRUE(e.ok()) << e.status().message();
  return e.ok() ? std::move(e).value() : Expression();
}

/// The expression's value as JSON for `record`.
inline std::string Eval(std::string_view text, RecordView& record) {
  return MustCompile(text).EvaluateToJson(record);
}

inline std::string Eval(std::string_view text, std::string_view value_json = "") {
  TestRecord record(value_json);
  return Eval(text, record);
}

inline bool Truth(std::string_view text, std::string_view value_json = "") {
  TestRecord record(value_json);
  return MustCompile(text).Test(record);
}

/// The compile error's message ("" when it compiles).
inline std::string CompileError(std::string_view text) {
  auto e = Expression::Compile(text);
  return e.ok() ? "" : e.status().message();
}

}  // namespace rivven::transforms::expr::testing
