// Loading guest modules: validation, the ABI check, memory caps.
#include "wasm/wasm_module.h"

#include <gtest/gtest.h>

#include "wasm/tests/wasm_test_util.h"

namespace rivven::wasm {
namespace {

using testing::FromWat;

TEST(WasmModuleTest, BytesThatAreNotWebAssemblyAreAClearError) {
  auto m = WasmModule::FromBytes("junk.wasm", "this is not wasm", GuestKind::kSource, {});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("wasm module junk.wasm: not a WebAssembly binary"),
            std::string::npos)
      << m.status().message();
}

TEST(WasmModuleTest, CorruptBinaryIsAClearErrorFromTheValidator) {
  const std::string bytes("\0asm\x01\0\0\0\x01\xff\xff", 11);  // a type section cut short
  auto m = WasmModule::FromBytes("cut.wasm", bytes, GuestKind::kSource, {});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("wasm module cut.wasm: invalid WebAssembly"),
            std::string::npos)
      << m.status().message();
}

TEST(WasmModuleTest, MissingFileNamesThePath) {
  auto m = WasmModule::Load("/nonexistent/guest.wasm", GuestKind::kSink, {});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("/nonexistent/guest.wasm"), std::string::npos);
}

TEST(WasmModuleTest, MissingExportsAreAllNamed) {
  auto m = FromWat(R"((module (memory (export "memory") 1)
      (func (export "rivven_init") (param i32 i32) (result i32) (i32.const 0))))",
                   GuestKind::kSource);
  ASSERT_FALSE(m.ok());
  const std::string& msg = m.status().message();
  EXPECT_NE(msg.find("missing exports rivven_alloc, rivven_poll"), std::string::npos) << msg;
  EXPECT_NE(msg.find("a source module exports memory, rivven_alloc, rivven_init and "
                     "rivven_poll"),
            std::string::npos)
      << msg;
}

TEST(WasmModuleTest, EachKindRequiresItsOwnExport) {
  const char* wat = R"((module (memory (export "memory") 1)
      (func (export "rivven_alloc") (param i32) (result i32) (i32.const 0))
      (func (export "rivven_init") (param i32 i32) (result i32) (i32.const 0))
      (func (export "rivven_transform") (param i32 i32) (result i32) (i32.const 0))))";
  EXPECT_TRUE(FromWat(wat, GuestKind::kTransform).ok());
  auto sink = FromWat(wat, GuestKind::kSink);
  ASSERT_FALSE(sink.ok());
  EXPECT_NE(sink.status().message().find("missing export rivven_write"), std::string::npos)
      << sink.status().message();
}

TEST(WasmModuleTest, WrongSignaturesAndUnknownImportsAreNamed) {
  auto m = FromWat(R"((module
      (import "env" "abort" (func))
      (memory (export "memory") 1)
      (func (export "rivven_alloc") (param i32) (result i32) (i32.const 0))
      (func (export "rivven_init") (param i32 i32) (result i32) (i32.const 0))
      (func (export "rivven_poll") (param i32 i32) (result i32) (i32.const 0))))",
                   GuestKind::kSource);
  ASSERT_FALSE(m.ok());
  const std::string& msg = m.status().message();
  EXPECT_NE(msg.find("export `rivven_poll` has type (i32, i32) -> i32, expected (i32) -> i32"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("imports env.abort, which the host does not provide (it provides "
                     "rivven.log, rivven.now_ms and rivven.set_result)"),
            std::string::npos)
      << msg;
}

TEST(WasmModuleTest, InitialMemoryAboveTheLimitIsRejected) {
  WasmLimits limits;
  limits.memory_limit_mb = 1;  // 16 pages
  auto m = FromWat(R"((module (memory (export "memory") 17)
      (func (export "rivven_alloc") (param i32) (result i32) (i32.const 0))
      (func (export "rivven_init") (param i32 i32) (result i32) (i32.const 0))
      (func (export "rivven_poll") (param i32) (result i32) (i32.const 0))))",
                   GuestKind::kSource, limits);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("initial memory of 17 pages (1 MiB) exceeds "
                                      "memory_limit_mb=1"),
            std::string::npos)
      << m.status().message();
}

TEST(WasmModuleTest, WatFilesAreCompiledOnLoad) {
  auto m =
      WasmModule::Load(std::string(RIVVEN_WASM_SOURCE_DIR) + "/examples/wasm/counter_source.wat",
                       GuestKind::kSource, {});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE((*m)->HasFunction("rivven_seek"));
  EXPECT_FALSE((*m)->HasFunction("rivven_flush"));
}

}  // namespace
}  // namespace rivven::wasm
