#pragma once

// Helpers for the chain and spec-transform tests: build a `transforms:` list from YAML through
// TransformChain::Build (so binding and diagnostics are the real ones) and run records through it.
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/diagnostics.h"
#include "config/pipeline_config.h"
#include "record/record.h"
#include "transforms/chain.h"

namespace rivven::transforms::testing {

constexpr const char* kChainPath = "sources.db.transforms";

/// Builds the chain of a YAML sequence of entries; problems go to `diags`.
inline TransformChain BuildChain(const std::string& yaml, config::Diagnostics* diags) {
  std::optional<config::Node> root = config::ParseYaml(
      yaml, [](const std::string&) { return std::optional<std::string>(); }, diags);
  std::vector<config::Node> entries;
  if (root && root->IsSequence()) entries = root->items;
  EXPECT_TRUE(root && root->IsSequence()) << "test YAML must be a list of entries";
  return TransformChain::Build(entries, kChainPath, diags);
}

/// BuildChain, expecting no diagnostics.
inline TransformChain BuildOk(const std::string& yaml) {
  config::Diagnostics diags("pipeline.yaml");
  TransformChain chain = BuildChain(yaml, &diags);
  EXPECT_TRUE(diags.empty()) << diags.Format();
  return chain;
}

/// The formatted diagnostics of a chain expected to be rejected.
inline std::string BuildErrors(const std::string& yaml) {
  config::Diagnostics diags("pipeline.yaml");
  BuildChain(yaml, &diags);
  EXPECT_FALSE(diags.empty()) << yaml;
  return diags.Format();
}

inline Record Rec(std::optional<std::string> value, std::optional<std::string> key = std::nullopt,
                  std::string topic = {}) {
  Record r;
  r.value = std::move(value);
  r.key = std::move(key);
  r.topic = std::move(topic);
  return r;
}

/// What a source-side Apply made of a batch.
struct Output {
  std::vector<Record> records;
  std::vector<TransformChain::Failure> failures;
  std::vector<Record> rejected;
};

inline Output RunBatch(const TransformChain& chain, std::vector<Record> in,
                       const std::string& default_topic = "orders") {
  Output out;
  out.records = std::move(in);
  chain.Apply(out.records, default_topic, &out.failures, &out.rejected);
  return out;
}

/// The value of the one record that comes out of the chain for `value`, "<dropped>",
/// "<null>" for a tombstone, or "<failed: message>".
inline std::string One(const TransformChain& chain, std::optional<std::string> value) {
  Output out = RunBatch(chain, {Rec(std::move(value))});
  if (!out.failures.empty()) return "<failed: " + out.failures[0].error.message() + ">";
  if (out.records.empty()) return "<dropped>";
  return out.records[0].value ? *out.records[0].value : std::string("<null>");
}

/// The (last) header with `key`, or "<none>".
inline std::string HeaderValue(const Record& r, const std::string& key) {
  for (auto it = r.headers.rbegin(); it != r.headers.rend(); ++it) {
    if (it->key == key) return it->value;
  }
  return "<none>";
}

}  // namespace rivven::transforms::testing
