// Records/s through the Wasm transform (examples/wasm/uppercase_transform.c in wabt's
// interpreter) against the same transform built in (C++ on the record's JSON DOM), one core:
//   wasm_transform_bench UPPERCASE_TRANSFORM.wasm [RECORDS]
// Both run as a chain runs them: a RecordContext per record, Apply, Commit. Prints both rates
// and their ratio (bench/results/wasm-transform.md).
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

/// What uppercase_transform.c does, written as a built-in transform would be.
class NativeUppercase final : public rivven::transforms::Transform {
 public:
  rivven::Result<Outcome> Apply(RecordContext& rc) override {
    rapidjson::Value* v = rc.Value();
    if (v == nullptr) return Outcome::kKeep;
    Upper(*v, rc.allocator());
    rc.MarkValueChanged();
    return Outcome::kKeep;
  }

 private:
  static void Upper(rapidjson::Value& v, rapidjson::MemoryPoolAllocator<>& a) {
    if (v.IsString()) {
      std::string s(v.GetString(), v.GetStringLength());
      for (char& c : s) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
      v.SetString(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
    } else if (v.IsObject()) {
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) Upper(it->value, a);
    } else if (v.IsArray()) {
      for (auto& item : v.GetArray()) Upper(item, a);
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  using namespace rivven;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s UPPERCASE_TRANSFORM.wasm [RECORDS]\n", argv[0]);
    return 2;
  }
  const size_t n = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 200000;
  config::Diagnostics diags("bench");
  auto node =
      config::ParseYaml(std::string("module_path: ") + argv[1], config::ProcessEnv(), &diags);
  const transforms::TransformDescriptor* d = transforms::BuiltinTransforms().FindTransform("Wasm");
  config::BoundConfig bound = config::Bind(d->schema, &*node, "config", {}, &diags);
  if (!diags.empty()) {
    std::fputs(diags.Format().c_str(), stderr);
    return 2;
  }
  auto wasm = d->make(bound);
  if (!wasm.ok()) {
    std::fprintf(stderr, "%s\n", wasm.status().ToString().c_str());
    return 1;
  }
  NativeUppercase native;
  std::string wasm_sample, native_sample;
  const double native_rate = rivven::bench::RecordsPerSecond(native, n, &native_sample);
  const double wasm_rate = rivven::bench::RecordsPerSecond(**wasm, n, &wasm_sample);
  if (wasm_sample != native_sample) {
    std::fprintf(stderr, "outputs differ:\n  wasm   %s\n  native %s\n", wasm_sample.c_str(),
                 native_sample.c_str());
    return 1;
  }
  std::printf(
      "records=%zu native_records_per_second=%.0f wasm_records_per_second=%.0f "
      "native_over_wasm=%.1f\n",
      n, native_rate, wasm_rate, native_rate / wasm_rate);
  return 0;
}
