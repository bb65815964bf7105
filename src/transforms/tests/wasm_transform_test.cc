// The Wasm transform: a guest's output replaces the record; a trap fails one record only.
#include "transforms/wasm_transform.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "transforms/tests/standard_test_util.h"

namespace rivven::transforms {
namespace {

using stdtest::ApplyTo;
using stdtest::MakeOk;
using stdtest::Rec;

// Traps on input containing '!', drops records whose input contains '~', and otherwise
// returns one fixed record.
constexpr const char* kGuest = R"((module
  (import "rivven" "set_result" (func $set (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "[{\"key\":{\"id\":1},\"value\":{\"rewritten\":true},\"headers\":{\"h\":\"v\"},\"topic\":\"routed\"}]")
  (data (i32.const 512) "[]")
  (func (export "rivven_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "rivven_init") (param i32 i32) (result i32) (i32.const 0))
  (func $has (param $p i32) (param $n i32) (param $c i32) (result i32)
    (block $no
      (loop $scan
        (br_if $no (i32.eqz (local.get $n)))
        (if (i32.eq (i32.load8_u (local.get $p)) (local.get $c)) (then (return (i32.const 1))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $scan)))
    (i32.const 0))
  (func (export "rivven_transform") (param $p i32) (param $n i32) (result i32)
    (if (call $has (local.get $p) (local.get $n) (i32.const 33)) (then unreachable))
    (if (call $has (local.get $p) (local.get $n) (i32.const 126))
      (then (call $set (i32.const 512) (i32.const 2)))
      (else (call $set (i32.const 0) (i32.const 82))))
    (i32.const 0)))
)";

class WasmTransformTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("rivven_wasm_transform_" + std::to_string(::getpid()) + ".wat"))
                .string();
    std::ofstream(path_) << kGuest;
  }
  void TearDown() override { std::filesystem::remove(path_); }

  std::unique_ptr<Transform> Make() {
    return MakeOk(*BuiltinTransforms().FindTransform("Wasm"), "module_path: " + path_);
  }

  std::string path_;
};

TEST_F(WasmTransformTest, TheGuestsRecordReplacesKeyValueHeadersAndTopic) {
  auto t = Make();
  ASSERT_TRUE(t);
  Record in = Rec(R"({"a":1})", R"({"k":0})");
  in.timestamp_ms = 42;
  auto out = ApplyTo(*t, std::move(in));
  ASSERT_TRUE(out.outcome.ok()) << out.outcome.status().ToString();
  EXPECT_EQ(*out.outcome, Outcome::kKeep);
  EXPECT_EQ(out.record.value, R"({"rewritten":true})");
  EXPECT_EQ(out.record.key, R"({"id":1})");
  EXPECT_EQ(stdtest::HeaderOf(out.record, "h"), "v");
  EXPECT_EQ(out.topic, "routed");
  EXPECT_EQ(out.record.timestamp_ms, 42);  // the guest left it out
}

TEST_F(WasmTransformTest, AnEmptyArrayDropsTheRecord) {
  auto t = Make();
  ASSERT_TRUE(t);
  auto out = ApplyTo(*t, Rec(R"({"a":"~"})"));
  ASSERT_TRUE(out.outcome.ok()) << out.outcome.status().ToString();
  EXPECT_EQ(*out.outcome, Outcome::kDrop);
}

TEST_F(WasmTransformTest, ATrapFailsThatRecordAndTheNextOneGetsAFreshInstance) {
  auto t = Make();
  ASSERT_TRUE(t);
  auto bad = ApplyTo(*t, Rec(R"({"a":"!"})"));
  ASSERT_FALSE(bad.outcome.ok());
  EXPECT_NE(bad.outcome.status().message().find("rivven_transform trapped: unreachable executed"),
            std::string::npos)
      << bad.outcome.status().message();
  auto good = ApplyTo(*t, Rec(R"({"a":1})"));
  ASSERT_TRUE(good.outcome.ok()) << good.outcome.status().ToString();
  EXPECT_EQ(good.record.value, R"({"rewritten":true})");
}

TEST(WasmTransformConfigTest, AModuleThatCannotBeLoadedIsAConfigError) {
  const std::string error = stdtest::ConfigError(*BuiltinTransforms().FindTransform("Wasm"),
                                                 "module_path: /nonexistent/t.wasm");
  EXPECT_NE(error.find("wasm module /nonexistent/t.wasm: cannot open"), std::string::npos) << error;
}

}  // namespace
}  // namespace rivven::transforms
