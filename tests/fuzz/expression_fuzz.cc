// Fuzz target of the expression language (src/transforms/expr, docs/expressions.md).
//
// Any bytes must either compile or fail with InvalidArgument and a caret-formatted message; a
// compiled expression must evaluate against a fixed record without crashing, and its three
// results must agree: Test() is the truthiness of EvaluateToJson(), which is valid JSON, and
// EvaluateToDom() holds the same value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "transforms/expr/expression.h"
#include "transforms/expr/record_view.h"

namespace {

using rivven::transforms::Expression;

/// A record with a bit of everything the language reads: nesting, arrays, unicode, nulls,
/// numbers at the int64 edges, floats, strings that are regular expressions.
struct Fixture {
  Fixture() {
    value.Parse(R"({
      "op": "u", "total": 120.5, "qty": 3, "currency": "EUR", "neg": -7, "zero": 0,
      "max": 9223372036854775807, "min": -9223372036854775808, "big": 18446744073709551615,
      "tiny": 5e-324, "name": "Zoë 日本 😀", "empty": "", "nul": null, "flag": true,
      "pattern": "^(a|b)+$", "bad_pattern": "(a", "first name": "x",
      "customer": {"id": 42, "address": {"city": "Berlin", "zip": "10115"}},
      "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-2", "qty": 1}, [], {}],
      "tags": ["a", "b", 3, null, [1, 2]], "matrix": [[1, 2], [3, [4, [5]]]]
    })");
    key.Parse(R"({"id": 42, "region": "eu"})");
    view.value = &value;
    view.key = &key;
    view.headers = {{"source", "pg"}, {"content-type", "application/json"}, {"empty", ""}};
    view.topic = "orders";
    view.partition = 2;
    view.offset = 12345;
    view.timestamp_ms = 1700000000000;
  }
  rapidjson::Document value;
  rapidjson::Document key;
  rivven::transforms::expr::FixedRecordView view;
};

bool FalsyJson(std::string_view json) {
  return json == "null" || json == "false" || json == "0" || json == "0.0" || json == "-0.0" ||
         json == "\"\"";
}

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto compiled = Expression::Compile(text);
  if (!compiled.ok()) {
    const std::string& message = compiled.status().message();
    Check(compiled.status().code() == rivven::StatusCode::kInvalidArgument);
    Check(message.find("column ") != std::string::npos);
    Check(message.size() > 0 && message.back() == '^');
    return 0;
  }
  const Expression& e = *compiled;
  Check(e.text() == text);

  const bool truth = e.Test(fixture.view);
  const std::string json = e.EvaluateToJson(fixture.view);
  Check(truth != FalsyJson(json));

  constexpr unsigned kExact = rapidjson::kParseFullPrecisionFlag;
  rapidjson::Document parsed;
  parsed.Parse<kExact>(json.data(), json.size());
  Check(!parsed.HasParseError());

  rapidjson::Document target;
  rapidjson::Value out;
  e.EvaluateToDom(fixture.view, target.GetAllocator(), &out);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  out.Accept(writer);
  rapidjson::Document reparsed;
  reparsed.Parse<kExact | rapidjson::kParseValidateEncodingFlag>(buffer.GetString(),
                                                                 buffer.GetSize());
  // EvaluateToJson replaces bytes that are not UTF-8 (from string literals of the input); the
  // DOM keeps them. Otherwise the two must be the same value.
  if (reparsed.GetParseError() == rapidjson::kParseErrorStringInvalidEncoding) return 0;
  Check(!reparsed.HasParseError() && reparsed == parsed);
  return 0;
}
