#pragma once

// Helpers for the standard transforms' tests: build a transform from YAML exactly as a
// `config:` block is bound, run one record through it, compare JSON text.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "config/diagnostics.h"
#include "config/pipeline_config.h"
#include "config/schema.h"
#include "record/record.h"
#include "transforms/record_context.h"
#include "transforms/transform.h"

namespace rivven::transforms::stdtest {

constexpr const char* kPath = "sources.db.transforms[0].config";

/// Binds `yaml` (a config block, "" for none) against the descriptor's schema. Bind problems go
/// to `diags`; a factory error is returned.
inline Result<std::unique_ptr<Transform>> Make(const TransformDescriptor& d,
                                               const std::string& yaml,
                                               config::Diagnostics* diags) {
  std::optional<config::Node> node;
  if (!yaml.empty()) {
    node = config::ParseYaml(
        yaml, [](const std::string&) { return std::optional<std::string>(); }, diags);
  }
  const config::BoundConfig bound =
      config::Bind(d.schema, node ? &*node : nullptr, kPath, config::Mark{3, 5}, diags);
  if (!diags->empty()) return Status::InvalidArgument(diags->Format());
  return d.make(bound);
}

/// Make, expecting a valid config.
inline std::unique_ptr<Transform> MakeOk(const TransformDescriptor& d, const std::string& yaml) {
  config::Diagnostics diags;
  auto t = Make(d, yaml, &diags);
  EXPECT_TRUE(t.ok()) << t.status().message();
  return t.ok() ? std::move(t).value() : nullptr;
}

/// The factory's or the binder's error text for a config expected to be rejected.
inline std::string ConfigError(const TransformDescriptor& d, const std::string& yaml) {
  config::Diagnostics diags;
  auto t = Make(d, yaml, &diags);
  EXPECT_FALSE(t.ok()) << yaml;
  return t.ok() ? std::string() : t.status().message();
}

/// A record with JSON (or any bytes) value and key; nullopt is null.
inline Record Rec(std::optional<std::string> value, std::optional<std::string> key = std::nullopt,
                  std::string topic = {}) {
  Record r;
  r.value = std::move(value);
  r.key = std::move(key);
  r.topic = std::move(topic);
  return r;
}

/// What Apply made of one record.
struct Applied {
  Result<Outcome> outcome = Outcome::kKeep;
  Record record;
  std::string topic;  ///< the record's topic after the transform (default topic "orders")
};

/// Runs `record` through `t` as the chain does, on topic "orders", and commits the DOMs.
inline Applied ApplyTo(Transform& t, Record record, int32_t partition = -1, int64_t offset = -1) {
  Applied out;
  out.record = std::move(record);
  RecordContext ctx(out.record, "orders", partition, offset);
  out.outcome = t.Apply(ctx);
  ctx.Commit();
  out.topic = std::string(ctx.topic());
  return out;
}

/// `json` re-serialized compactly (member order kept), to compare JSON regardless of spacing.
inline std::string Norm(const std::string& json) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseFullPrecisionFlag>(json.data(), json.size());
  if (d.HasParseError()) return "<not JSON: " + json + ">";
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  d.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

inline std::string Norm(const std::optional<std::string>& json) {
  return json ? Norm(*json) : std::string("<null>");
}

/// The (last) header with `key`, or "<none>".
inline std::string HeaderOf(const Record& r, const std::string& key) {
  for (auto it = r.headers.rbegin(); it != r.headers.rend(); ++it) {
    if (it->key == key) return it->value;
  }
  return "<none>";
}

}  // namespace rivven::transforms::stdtest

/// Expects Apply to keep the record.
#define EXPECT_KEPT(applied)                                                     \
  do {                                                                           \
    ASSERT_TRUE((applied).outcome.ok()) << (applied).outcome.status().message(); \
    EXPECT_EQ(*(applied).outcome, ::rivven::transforms::Outcome::kKeep);         \
  } while (0)
