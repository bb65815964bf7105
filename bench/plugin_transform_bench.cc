// Records/s through the Plugin transform (examples/plugins/uppercase_transform.cc, a native
// plugin on the C ABI) against the same transform built in, one core:
//   plugin_transform_bench UPPERCASE_TRANSFORM.so [RECORDS]
// The plugin upper-cases the value's bytes (keys and strings alike: the sample values hold no
// true/false/null) and adds the header uppercased=true; the built-in twin does the same on the
// record's JSON DOM. Both run as a chain runs them: a RecordContext per record, Apply, Commit.
// Prints both rates and their ratio (bench/results/plugin-transform.md).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "config/pipeline_config.h"
#include "transforms/record_context.h"
#include "transforms/transform.h"
#include "transform_bench_common.h"

namespace {

using rivven::Record;
using rivven::transforms::Outcome;
using rivven::transforms::RecordContext;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

/// What uppercase_transform.cc does, written as a built-in transform would be.
class NativeUppercaseAll final : public rivven::transforms::Transform {
 public:
  rivven::Result<Outcome> Apply(RecordContext& rc) override {
    rapidjson::Value* v = rc.Value();
    if (v == nullptr) return Outcome::kKeep;
    Walk(*v, rc.allocator());
    rc.MarkValueChanged();
    return Outcome::kKeep;
  }

 private:
  static void Walk(rapidjson::Value& v, rapidjson::MemoryPoolAllocator<>& a) {
    if (v.IsString()) {
      const std::string s = Upper(std::string_view(v.GetString(), v.GetStringLength()));
      v.SetString(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
    } else if (v.IsObject()) {
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        const std::string k = Upper(std::string_view(it->name.GetString(), it->name.GetStringLength()));
        it->name.SetString(k.data(), static_cast<rapidjson::SizeType>(k.size()), a);
        Walk(it->value, a);
      }
    } else if (v.IsArray()) {
      for (auto& item : v.GetArray()) Walk(item, a);
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  using namespace rivven;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s UPPERCASE_TRANSFORM.so [RECORDS]\n", argv[0]);
    return 2;
  }
  const size_t n = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 200000;
  config::Diagnostics diags("bench");
  auto node = config::ParseYaml(std::string("path: ") + argv[1], config::ProcessEnv(), &diags);
  const transforms::TransformDescriptor* d =
      transforms::BuiltinTransforms().FindTransform("Plugin");
  config::BoundConfig bound = config::Bind(d->schema, &*node, "config", {}, &diags);
  if (!diags.empty()) {
    std::fputs(diags.Format().c_str(), stderr);
    return 2;
  }
  auto plugin = d->make(bound);
  if (!plugin.ok()) {
    std::fprintf(stderr, "%s\n", plugin.status().ToString().c_str());
    return 1;
  }
  NativeUppercaseAll native;
  std::string plugin_sample, native_sample;
  const double native_rate = rivven::bench::RecordsPerSecond(native, n, &native_sample);
  const double plugin_rate = rivven::bench::RecordsPerSecond(**plugin, n, &plugin_sample);
  if (plugin_sample != native_sample) {
    std::fprintf(stderr, "outputs differ:\n  plugin %s\n  native %s\n", plugin_sample.c_str(),
                 native_sample.c_str());
    return 1;
  }
  std::printf(
      "records=%zu native_records_per_second=%.0f plugin_records_per_second=%.0f "
      "native_over_plugin=%.2f\n",
      n, native_rate, plugin_rate, native_rate / plugin_rate);
  return 0;
}
