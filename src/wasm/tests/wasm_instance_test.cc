// Running guests: calls, host imports, results, error codes, traps, the time and memory limits.
#include "wasm/wasm_instance.h"

#include <chrono>
#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>

#include "wasm/tests/wasm_test_util.h"

namespace rivven::wasm {
namespace {

using testing::FromWat;
using testing::GuestPath;

constexpr const char* kEchoGuest = R"((module
  (import "rivven" "log" (func $log (param i32 i32 i32)))
  (import "rivven" "now_ms" (func $now (result i64)))
  (import "rivven" "set_result" (func $set (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "hello from the guest")
  (data (i32.const 64) "guest says no")
  (func (export "rivven_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "rivven_init") (param i32 i32) (result i32)
    (call $log (i32.const 1) (i32.const 0) (i32.const 20))
    (i32.const 0))
  ;; echoes its input
  (func (export "rivven_transform") (param $p i32) (param $n i32) (result i32)
    (call $set (local.get $p) (local.get $n))
    (i32.const 0))
  ;; returns its argument as the code, with a message
  (func (export "rivven_poll") (param $code i32) (result i32)
    (call $set (i32.const 64) (i32.const 13))
    (local.get $code))
  ;; returns now_ms as 8 little-endian bytes
  (func (export "rivven_flush") (result i32)
    (i64.store (i32.const 256) (call $now))
    (call $set (i32.const 256) (i32.const 8))
    (i32.const 0))
  ;; a result outside memory
  (func (export "rivven_write") (param i32 i32) (result i32)
    (call $set (i32.const 65530) (i32.const 100))
    (i32.const 0)))
)";

std::unique_ptr<WasmInstance> Start(const Result<std::shared_ptr<const WasmModule>>& module) {
  EXPECT_TRUE(module.ok()) << module.status().ToString();
  if (!module.ok()) return nullptr;
  auto instance = StartInstance(*module, "test", "{}");
  EXPECT_TRUE(instance.ok()) << instance.status().ToString();
  return instance.ok() ? std::move(instance).value() : nullptr;
}

TEST(WasmInstanceTest, CallsPassInputAndReturnTheResult) {
  auto instance = Start(FromWat(kEchoGuest, GuestKind::kTransform));
  ASSERT_TRUE(instance);
  auto out = instance->CallWithBytes("rivven_transform", R"([{"value":{"a":1}}])");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, R"([{"value":{"a":1}}])");
  auto empty = instance->CallWithBytes("rivven_transform", "");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(*empty, "");
}

TEST(WasmInstanceTest, NowMsIsTheWallClock) {
  auto instance = Start(FromWat(kEchoGuest, GuestKind::kTransform));
  ASSERT_TRUE(instance);
  auto out = instance->Call("rivven_flush");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->size(), 8u);
  int64_t guest_ms = 0;
  std::memcpy(&guest_ms, out->data(), 8);
  const int64_t host_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  EXPECT_LE(std::abs(host_ms - guest_ms), 5000);
}

TEST(WasmInstanceTest, GuestCodesAreRetriableOrFatalWithTheGuestsMessage) {
  auto instance = Start(FromWat(kEchoGuest, GuestKind::kTransform));
  ASSERT_TRUE(instance);
  EXPECT_TRUE(instance->CallWithInt("rivven_poll", 0).ok());
  auto retriable = instance->CallWithInt("rivven_poll", 1);
  ASSERT_FALSE(retriable.ok());
  EXPECT_TRUE(retriable.status().retriable());
  EXPECT_EQ(retriable.status().message(),
            "wasm module test.wat: rivven_poll returned 1: guest says no");
  auto fatal = instance->CallWithInt("rivven_poll", 7);
  ASSERT_FALSE(fatal.ok());
  EXPECT_FALSE(fatal.status().retriable());
  // A guest error is not a trap: the instance goes on.
  EXPECT_TRUE(instance->broken().ok());
  EXPECT_TRUE(instance->CallWithInt("rivven_poll", 0).ok());
}

TEST(WasmInstanceTest, AResultOutsideMemoryTraps) {
  auto instance = Start(FromWat(kEchoGuest, GuestKind::kTransform));
  ASSERT_TRUE(instance);
  auto out = instance->CallWithBytes("rivven_write", "x");
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("rivven_write trapped: rivven.set_result: [65530, "
                                        "65630) is outside guest memory"),
            std::string::npos)
      << out.status().message();
}

constexpr const char* kDivideGuest = R"((module
  (memory (export "memory") 1)
  (func (export "rivven_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "rivven_init") (param i32 i32) (result i32) (i32.const 0))
  ;; 100 / (first byte - 'b'): traps on input starting with "b"
  (func (export "rivven_transform") (param $p i32) (param $n i32) (result i32)
    (drop (i32.div_u (i32.const 100) (i32.sub (i32.load8_u (local.get $p)) (i32.const 98))))
    (i32.const 0)))
)";

TEST(WasmInstanceTest, ATrapIsAnErrorAndAnotherInstanceStillWorks) {
  auto module = FromWat(kDivideGuest, GuestKind::kTransform);
  auto first = Start(module);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->CallWithBytes("rivven_transform", "ok").ok());
  auto trapped = first->CallWithBytes("rivven_transform", "boom");
  ASSERT_FALSE(trapped.ok());
  EXPECT_EQ(trapped.status().message(),
            "wasm module test.wat: rivven_transform trapped: integer divide by zero");
  // The instance is broken: every later call returns the same error.
  auto again = first->CallWithBytes("rivven_transform", "ok");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().message(), trapped.status().message());
  // A new instance of the same module is unaffected.
  auto second = Start(module);
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->CallWithBytes("rivven_transform", "ok").ok());
}

TEST(WasmInstanceTest, AnInfiniteLoopIsStoppedAtTheTimeout) {
  WasmLimits limits;
  limits.timeout = std::chrono::milliseconds(300);
  auto module = WasmModule::Load(GuestPath("loop_forever"), GuestKind::kSource, limits);
  auto instance = Start(module);
  ASSERT_TRUE(instance);
  const auto start = std::chrono::steady_clock::now();
  auto out = instance->CallWithInt("rivven_poll", 10);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kTimeout);
  EXPECT_NE(out.status().message().find("rivven_poll did not return within timeout_secs=0.3; "
                                        "it was stopped"),
            std::string::npos)
      << out.status().message();
  EXPECT_GE(elapsed, std::chrono::milliseconds(300));
  EXPECT_LT(elapsed, std::chrono::milliseconds(1300));
  // The deadline is per call: a second instance gets its own full budget.
  auto second = Start(module);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->CallWithBytes("rivven_write", "[]").status().code(), StatusCode::kTimeout);
}

TEST(WasmInstanceTest, AStopRequestEndsAGuestCallLongBeforeTheTimeout) {
  auto instance = Start(WasmModule::Load(GuestPath("loop_forever"), GuestKind::kSource, {}));
  ASSERT_TRUE(instance);
  const auto start = std::chrono::steady_clock::now();
  const auto stop_at = start + std::chrono::milliseconds(100);
  auto out = instance->CallWithInt("rivven_poll", 10,
                                   [&] { return std::chrono::steady_clock::now() >= stop_at; });
  EXPECT_EQ(out.status().code(), StatusCode::kCancelled) << out.status().ToString();
  EXPECT_NE(out.status().message().find("rivven_poll was stopped: the connector is stopping"),
            std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));  // not 30 s
}

TEST(WasmInstanceTest, DeepRecursionWithoutLoopsIsStoppedToo) {
  // fib(40) makes ~3e8 calls: minutes in the interpreter, unless function entries are metered.
  WasmLimits limits;
  limits.timeout = std::chrono::milliseconds(200);
  auto instance = Start(FromWat(R"((module
    (memory (export "memory") 1)
    (func $fib (param $n i64) (result i64)
      (if (result i64) (i64.lt_u (local.get $n) (i64.const 2))
        (then (local.get $n))
        (else (i64.add (call $fib (i64.sub (local.get $n) (i64.const 1)))
                       (call $fib (i64.sub (local.get $n) (i64.const 2)))))))
    (func (export "rivven_alloc") (param i32) (result i32) (i32.const 1024))
    (func (export "rivven_init") (param i32 i32) (result i32) (i32.const 0))
    (func (export "rivven_poll") (param $n i32) (result i32)
      (drop (call $fib (i64.extend_i32_u (local.get $n))))
      (i32.const 0))))",
                                GuestKind::kSource, limits));
  ASSERT_TRUE(instance);
  const auto start = std::chrono::steady_clock::now();
  auto out = instance->CallWithInt("rivven_poll", 40);
  EXPECT_EQ(out.status().code(), StatusCode::kTimeout) << out.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1200));
}

TEST(WasmInstanceTest, UnboundedRecursionTrapsOnTheCallStackLimit) {
  auto instance = Start(FromWat(R"((module
    (memory (export "memory") 1)
    (func $down (param $n i32) (result i32) (call $down (i32.add (local.get $n) (i32.const 1))))
    (func (export "rivven_alloc") (param i32) (result i32) (i32.const 1024))
    (func (export "rivven_init") (param i32 i32) (result i32) (i32.const 0))
    (func (export "rivven_poll") (param $n i32) (result i32) (call $down (local.get $n)))))",
                                GuestKind::kSource));
  ASSERT_TRUE(instance);
  auto out = instance->CallWithInt("rivven_poll", 0);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("rivven_poll trapped: call stack exhausted"),
            std::string::npos)
      << out.status().message();
}

TEST(WasmInstanceTest, MeteringKeepsCallsTablesStartAndGlobalsWorking) {
  // One import, so metering's added import shifts every defined function's index.
  auto instance = Start(FromWat(R"((module
    (import "rivven" "set_result" (func $set (param i32 i32)))
    (type $unary (func (param i64) (result i64)))
    (memory (export "memory") 1)
    (table 2 funcref)
    (elem (i32.const 0) $fib $double)
    (global $started (mut i32) (i32.const 0))
    (func $fib (param $n i64) (result i64)
      (if (result i64) (i64.lt_u (local.get $n) (i64.const 2))
        (then (local.get $n))
        (else (i64.add (call $fib (i64.sub (local.get $n) (i64.const 1)))
                       (call $fib (i64.sub (local.get $n) (i64.const 2)))))))
    (func $double (param $n i64) (result i64) (i64.mul (local.get $n) (i64.const 2)))
    (func $sum (param $n i32) (result i32) (local $acc i32)
      (loop $more (result i32)
        (local.set $acc (i32.add (local.get $acc) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br_if $more (i32.gt_s (local.get $n) (i32.const 0)))
        (local.get $acc)))
    (func $start (global.set $started (i32.const 1)))
    (start $start)
    (func (export "rivven_alloc") (param i32) (result i32) (i32.const 1024))
    (func (export "rivven_init") (param i32 i32) (result i32)
      (i32.sub (i32.const 1) (global.get $started)))
    (func (export "rivven_poll") (param $n i32) (result i32)
      (i64.store (i32.const 0)
        (call_indirect (type $unary)
          (call_indirect (type $unary) (i64.extend_i32_u (local.get $n)) (i32.const 0))
          (i32.const 1)))
      (i32.store (i32.const 8) (call $sum (i32.const 100000)))
      (call $set (i32.const 0) (i32.const 12))
      (i32.const 0))))",
                                GuestKind::kSource));
  ASSERT_TRUE(instance);  // rivven_init returned 0: the start function ran
  auto out = instance->CallWithInt("rivven_poll", 20);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->size(), 12u);
  int64_t fib_doubled = 0;
  int32_t sum = 0;
  std::memcpy(&fib_doubled, out->data(), 8);
  std::memcpy(&sum, out->data() + 8, 4);
  EXPECT_EQ(fib_doubled, 2 * 6765);
  EXPECT_EQ(sum, 705082704);  // 100000 * 100001 / 2, wrapped to 32 bits
}

TEST(WasmInstanceTest, GrowingMemoryPastTheLimitFailsClearly) {
  WasmLimits limits;
  limits.memory_limit_mb = 2;  // 32 pages
  auto instance = Start(WasmModule::Load(GuestPath("memory_hog"), GuestKind::kSource, limits));
  ASSERT_TRUE(instance);
  auto out = instance->CallWithInt("rivven_poll", 1);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(instance->MemoryPages(), 32u);
  EXPECT_NE(out.status().message().find("rivven_poll trapped: unreachable executed (its memory "
                                        "is at memory_limit_mb=2, so memory.grow returned -1)"),
            std::string::npos)
      << out.status().message();
}

TEST(WasmInstanceTest, TheCUppercaseTransformRuns) {
  auto instance =
      Start(WasmModule::Load(GuestPath("uppercase_transform"), GuestKind::kTransform, {}));
  ASSERT_TRUE(instance);
  for (int i = 0; i < 3; ++i) {  // rivven_free resets the guest's heap between calls
    auto out = instance->CallWithBytes(
        "rivven_transform",
        R"([{"topic":"t","key":"abc","value":{"name":"ada \u00e9","tags":["x"],"n":1},)"
        R"("headers":{"h":"low"}}])");
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(*out, R"([{"topic":"t","key":"abc","value":{"name":"ADA \u00e9","tags":["X"],"n":1},)"
                    R"("headers":{"h":"low"}}])");
  }
}

}  // namespace
}  // namespace rivven::wasm
