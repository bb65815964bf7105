// The wasm source and sink over guest modules written as WebAssembly text.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "connectors/wasm/wasm_sink.h"
#include "connectors/wasm/wasm_source.h"

namespace rivven::wasm {
namespace {

/// examples/wasm/counter_source.wat, found from this file's path (the source tree).
std::string CounterSourceWat() {
  return (std::filesystem::path(__FILE__).parent_path() /
          "../../../../examples/wasm/"
          "counter_source.wat")
      .lexically_normal()
      .string();
}

std::unique_ptr<WasmSource> CounterSource(const std::string& plugin_config) {
  WasmConfig config;
  config.module_path = CounterSourceWat();
  config.plugin_config_json = plugin_config;
  auto module = WasmModule::Load(config.module_path, GuestKind::kSource, config.limits);
  EXPECT_TRUE(module.ok()) << module.status().ToString();
  if (!module.ok()) return nullptr;
  return std::make_unique<WasmSource>(*module, config, "counter");
}

std::vector<Record> PollAll(WasmSource& source, std::string* position) {
  std::vector<Record> out;
  for (int i = 0; i < 100; ++i) {
    auto batch = source.Poll(4, std::chrono::milliseconds(10), {});
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok()) break;
    for (Record& r : batch->records) out.push_back(std::move(r));
    if (!batch->position.empty()) *position = batch->position;
    if (batch->finished) break;
  }
  return out;
}

TEST(WasmSourceTest, CounterSourceEmitsUpToItsLimitAndResumesFromItsPosition) {
  auto source = CounterSource(R"({"limit": 9})");
  ASSERT_TRUE(source);
  ASSERT_TRUE(source->Open(std::nullopt).ok());
  std::string position;
  auto records = PollAll(*source, &position);
  ASSERT_EQ(records.size(), 9u);
  EXPECT_EQ(records[3].key, R"({"n":3})");
  EXPECT_EQ(records[3].value, R"({"n":3,"square":9})");
  ASSERT_EQ(records[3].headers.size(), 1u);
  EXPECT_EQ(records[3].headers[0].value, "counter");
  EXPECT_GT(records[3].timestamp_ms, 0);
  EXPECT_EQ(position, R"({"next":9})");
  ASSERT_TRUE(source->Close().ok());

  auto resumed = CounterSource(R"({"limit": 9})");
  ASSERT_TRUE(resumed->Open(R"({"next":6})").ok());
  auto rest = PollAll(*resumed, &position);
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest[0].value, R"({"n":6,"square":36})");
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path.string();
}

TEST(WasmSinkTest, WritesReachTheGuestAndFlushErrorsCarryItsMessage) {
  // Counts the bytes written; rivven_flush fails once more than 100 bytes have arrived.
  const std::string path = WriteTemp("rivven_wasm_sink_test.wat", R"((module
    (import "rivven" "set_result" (func $set (param i32 i32)))
    (memory (export "memory") 1)
    (global $bytes (mut i32) (i32.const 0))
    (data (i32.const 0) "disk full")
    (func (export "rivven_alloc") (param i32) (result i32) (i32.const 1024))
    (func (export "rivven_init") (param i32 i32) (result i32) (i32.const 0))
    (func (export "rivven_write") (param $p i32) (param $n i32) (result i32)
      (global.set $bytes (i32.add (global.get $bytes) (local.get $n)))
      (i32.const 0))
    (func (export "rivven_flush") (result i32)
      (if (result i32) (i32.gt_u (global.get $bytes) (i32.const 100))
        (then (call $set (i32.const 0) (i32.const 9)) (i32.const 2))
        (else (i32.const 0))))))");
  WasmConfig config;
  config.module_path = path;
  auto module = WasmModule::Load(path, GuestKind::kSink, config.limits);
  ASSERT_TRUE(module.ok()) << module.status().ToString();
  WasmSink sink(*module, config, "out");
  ASSERT_TRUE(sink.Open().ok());
  ConsumedRecord r;
  r.topic = "t";
  r.record.value = R"({"x":1})";
  ASSERT_TRUE(sink.Write({r}).ok());
  EXPECT_TRUE(sink.Flush().ok());
  ASSERT_TRUE(sink.Write({r, r}).ok());
  Status flushed = sink.Flush();
  ASSERT_FALSE(flushed.ok());
  EXPECT_FALSE(flushed.retriable());
  EXPECT_NE(flushed.message().find("rivven_flush returned 2: disk full"), std::string::npos)
      << flushed.message();
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace rivven::wasm
