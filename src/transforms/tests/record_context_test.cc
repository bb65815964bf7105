#include "transforms/record_context.h"

#include <pthread.h>

#include <cmath>
#include <functional>
#include <limits>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "transforms/json_path.h"
#include "transforms/parse_stack_allocator.h"
#include "transforms/record_arena.h"

namespace rivven::transforms {
namespace {

Record Rec(std::optional<std::string> value, std::optional<std::string> key = std::nullopt) {
  Record r;
  r.value = std::move(value);
  r.key = std::move(key);
  return r;
}

TEST(RecordContext, UntouchedRecordKeepsItsBytes) {
  Record r = Rec(R"({ "b" : 1.50 ,"a":  [1, 2] })", "  {\"id\" : 7}");
  RecordContext ctx(r, "orders");
  ASSERT_NE(ctx.Value(), nullptr);  // parsed but not changed
  ASSERT_NE(ctx.Key(), nullptr);
  ctx.Commit();
  EXPECT_EQ(*r.value, R"({ "b" : 1.50 ,"a":  [1, 2] })");
  EXPECT_EQ(*r.key, "  {\"id\" : 7}");
}

TEST(RecordContext, CommitSerializesOnlyTheChangedSide) {
  Record r = Rec(R"({"a": 1})", R"({ "id": 7 })");
  RecordContext ctx(r, "orders");
  rapidjson::Value v(2);
  ASSERT_TRUE(SetPath(*ctx.Value(), JsonPath("b"), v, ctx.allocator()));
  ctx.MarkValueChanged();
  ASSERT_NE(ctx.Key(), nullptr);
  ctx.Commit();
  EXPECT_EQ(*r.value, R"({"a":1,"b":2})");
  EXPECT_EQ(*r.key, R"({ "id": 7 })");
}

TEST(RecordContext, NumbersSurviveARoundTrip) {
  const std::string in =
      R"({"i":-9223372036854775808,"u":18446744073709551615,"d":0.1,"e":1e2,"f":-2.5E-3,)"
      R"("big":123456789.123456789,"z":0,"neg0":-0.0})";
  Record r = Rec(in);
  RecordContext ctx(r, "orders");
  ASSERT_TRUE(ctx.Value()->IsObject());
  EXPECT_TRUE((*ctx.Value())["i"].IsInt64());
  EXPECT_EQ((*ctx.Value())["i"].GetInt64(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ((*ctx.Value())["u"].GetUint64(), std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE((*ctx.Value())["d"].IsDouble());
  ctx.MarkValueChanged();
  ctx.Commit();
  // Integers exact; decimals as the shortest text of the same double.
  EXPECT_EQ(*r.value, R"({"i":-9223372036854775808,"u":18446744073709551615,"d":0.1,"e":100.0,)"
                      R"("f":-0.0025,"big":123456789.12345679,"z":0,"neg0":-0.0})");
}

TEST(RecordContext, InvalidJsonValueExplainsAndIsLeftAlone) {
  Record r = Rec("{\"a\": 1,", "not json");
  RecordContext ctx(r, "orders");
  EXPECT_EQ(ctx.Value(), nullptr);
  EXPECT_FALSE(ctx.value_is_null());
  EXPECT_EQ(ctx.value_error(),
            "value is not valid JSON: Missing a name for object member. (at byte 8)");
  EXPECT_EQ(ctx.Key(), nullptr);
  EXPECT_NE(ctx.key_error().find("key is not valid JSON"), std::string::npos);
  ctx.Commit();
  EXPECT_EQ(*r.value, "{\"a\": 1,");
  Result<rapidjson::Value*> obj = ValueObject(ctx);
  ASSERT_FALSE(obj.ok());
  EXPECT_EQ(obj.status().message(), ctx.value_error());
}

TEST(RecordContext, NulBytesAreNotJson) {
  Record r = Rec(std::string("{\"a\":1}\0{}", 10));
  RecordContext ctx(r, "orders");
  EXPECT_EQ(ctx.Value(), nullptr);
  EXPECT_EQ(ctx.value_error(), "value is not valid JSON: a NUL byte (at byte 7)");
  Record s = Rec(std::string("{\"a\":\"x\0y\"}", 11));
  RecordContext in_string(s, "orders");
  EXPECT_EQ(in_string.Value(), nullptr);
}

TEST(RecordContext, EscapedStringsDecodeAndReencode) {
  Record r = Rec(R"({"s":"a\"b\\c\u00e9\ud83c\udf89\n\/"})");
  RecordContext ctx(r, "orders");
  ASSERT_NE(ctx.Value(), nullptr);
  EXPECT_EQ(StringView((*ctx.Value())["s"]), "a\"b\\cé🎉\n/");
  ctx.MarkValueChanged();
  ctx.Commit();
  EXPECT_EQ(*r.value, R"({"s":"a\"b\\cé🎉\n/"})");
}

TEST(RecordContext, InvalidUtf8IsNotJson) {
  Record r = Rec("{\"a\":\"\xff\"}");
  RecordContext ctx(r, "orders");
  EXPECT_EQ(ctx.Value(), nullptr);
  EXPECT_NE(ctx.value_error().find("Invalid encoding"), std::string::npos) << ctx.value_error();
}

TEST(RecordContext, ValueObjectTellsTombstonesNullsAndNonObjectsApart) {
  Record tomb = Rec(std::nullopt);
  RecordContext t(tomb, "orders");
  EXPECT_TRUE(t.value_is_null());
  EXPECT_EQ(t.Value(), nullptr);
  ASSERT_TRUE(ValueObject(t).ok());
  EXPECT_EQ(*ValueObject(t), nullptr);

  Record json_null = Rec("null");
  RecordContext n(json_null, "orders");
  EXPECT_FALSE(n.value_is_null());
  ASSERT_NE(n.Value(), nullptr);
  EXPECT_EQ(*ValueObject(n), nullptr);

  Record arr = Rec("[1]");
  RecordContext a(arr, "orders");
  EXPECT_EQ(ValueObject(a).status().message(), "value is an array, not a JSON object");
}

TEST(RecordContext, SetValueFromItsOwnMemberAndNulls) {
  Record r = Rec(R"({"before":null,"after":{"id":1,"name":"x"},"op":"c"})", "1");
  RecordContext ctx(r, "orders");
  ctx.SetValue(std::move((*ctx.Value())["after"]));
  ctx.SetKeyNull();
  EXPECT_TRUE(ctx.key_is_null());
  ctx.Commit();
  EXPECT_EQ(*r.value, R"({"id":1,"name":"x"})");
  EXPECT_FALSE(r.key.has_value());

  Record r2 = Rec("{}", std::nullopt);
  RecordContext ctx2(r2, "orders");
  ctx2.SetValueNull();
  rapidjson::Value k(rapidjson::kObjectType);
  k.AddMember("id", 5, ctx2.allocator());
  ctx2.SetKey(std::move(k));
  EXPECT_TRUE(ctx2.value_is_null());
  EXPECT_EQ(ctx2.Value(), nullptr);
  ctx2.Commit();
  EXPECT_FALSE(r2.value.has_value());
  EXPECT_EQ(*r2.key, R"({"id":5})");
}

TEST(RecordContext, NonFiniteNumbersAreWrittenAsNull) {
  Record r = Rec(R"({"a":1})");
  RecordContext ctx(r, "orders");
  (*ctx.Value())["a"].SetDouble(std::nan(""));
  ctx.MarkValueChanged();
  ctx.Commit();
  EXPECT_EQ(*r.value, R"({"a":null})");
}

TEST(RecordContext, TopicPartitionOffsetAndHeaders) {
  Record r = Rec("{}");
  r.headers = {{"h", "1"}, {"x", "a"}, {"h", "2"}};
  RecordContext source_side(r, "orders");
  EXPECT_EQ(source_side.topic(), "orders");
  EXPECT_EQ(source_side.partition(), -1);
  EXPECT_EQ(source_side.offset(), -1);
  EXPECT_EQ(source_side.Header("h"), "2");
  EXPECT_EQ(source_side.Header("x"), "a");
  EXPECT_EQ(source_side.Header("y"), std::nullopt);
  source_side.set_topic("eu-orders");
  EXPECT_EQ(source_side.topic(), "eu-orders");
  EXPECT_EQ(r.topic, "eu-orders");

  Record s = Rec("{}");
  RecordContext sink_side(s, "cdc.orders", 3, 42);
  EXPECT_EQ(sink_side.topic(), "cdc.orders");
  EXPECT_EQ(sink_side.partition(), 3);
  EXPECT_EQ(sink_side.offset(), 42);
}

TEST(RecordContext, KeyAndValueShareOneAllocator) {
  Record r = Rec(R"({"id":9,"v":"x"})", R"({"k":1})");
  RecordContext ctx(r, "orders");
  rapidjson::Value moved;
  ASSERT_TRUE(TakePath(*ctx.Value(), JsonPath("id"), &moved));
  ASSERT_TRUE(SetPath(*ctx.Key(), JsonPath("id"), moved, ctx.allocator()));
  ctx.MarkKeyChanged();
  ctx.MarkValueChanged();
  ctx.Commit();
  EXPECT_EQ(*r.key, R"({"k":1,"id":9})");
  EXPECT_EQ(*r.value, R"({"v":"x"})");
}

TEST(RecordArenaScope, LendsOneThreadMemoryToOneContextAtATime) {
  rapidjson::MemoryPoolAllocator<>* lent = nullptr;
  for (int i = 0; i < 3; ++i) {
    Record r = Rec(R"({"a":"x","b":[1,2,3]})", R"({"id":1})");
    RecordArenaScope arena;
    RecordContext first(r, "orders");
    Record other = Rec(R"({"c":1})");
    RecordContext second(other, "orders");  // constructed in the same scope: owns its memory
    EXPECT_NE(&first.allocator(), &second.allocator());
    if (lent == nullptr) lent = &first.allocator();
    EXPECT_EQ(&first.allocator(), lent);  // the same pool, record after record
    ASSERT_NE(first.Value(), nullptr);
    ASSERT_NE(first.Key(), nullptr);
    ASSERT_NE(second.Value(), nullptr);
    rapidjson::Value v("y");
    ASSERT_TRUE(SetPath(*first.Value(), JsonPath("a"), v, first.allocator()));
    first.MarkValueChanged();
    first.Commit();
    EXPECT_EQ(*r.value, R"({"a":"y","b":[1,2,3]})");
    EXPECT_EQ((*second.Value())["c"].GetInt(), 1);
  }
  {
    RecordArenaScope outer;
    RecordArenaScope inner;  // lends nothing: the outer scope's context gets the arena
    Record r = Rec("{}");
    RecordContext ctx(r, "orders");
    EXPECT_EQ(&ctx.allocator(), lent);
  }
  Record r = Rec("{}");
  RecordContext outside(r, "orders");
  EXPECT_NE(&outside.allocator(), lent);
}

TEST(RecordArenaScope, RecordsLargerThanTheFirstBlock) {
  std::string big = R"({"items":[)";
  for (int i = 0; i < 20000; ++i) big += (i ? ",\"" : "\"") + std::to_string(i) + "-abcdefgh\"";
  big += "]}";
  for (int round = 0; round < 2; ++round) {
    Record r = Rec(big);
    RecordArenaScope arena;
    RecordContext ctx(r, "orders");
    ASSERT_NE(ctx.Value(), nullptr);
    EXPECT_EQ((*ctx.Value())["items"].Size(), 20000u);
    ctx.MarkValueChanged();
    ctx.Commit();
    EXPECT_EQ(*r.value, big);
  }
}

// Runs `body` on a thread whose stack is only `stack_bytes` long: a parser that recursed once per
// nesting level would overflow it on the inputs below.
void OnSmallStack(size_t stack_bytes, const std::function<void()>& body) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, stack_bytes), 0);
  pthread_t thread;
  auto run = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, run, const_cast<std::function<void()>*>(&body)), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

TEST(RecordContext, DeepNestingParsesOnASmallStack) {
  // Short texts take the recursive parser, long ones the iterative one; both must stay within
  // a 512 KB stack however deep the nesting (and whether or not the brackets close).
  for (const size_t depth : {1000, 2040, 100000}) {
    const std::string open(depth, '[');
    const std::string valid = open + std::string(depth, ']');
    std::string error_open, error_valid;
    size_t parsed_depth = 0;
    OnSmallStack(512 * 1024, [&] {
      RecordArenaScope arena;
      Record unclosed = Rec(open);
      RecordContext a(unclosed, "t");
      EXPECT_EQ(a.Value(), nullptr);
      error_open = a.value_error();
      Record closed = Rec(valid);
      RecordContext b(closed, "t");
      if (const rapidjson::Value* v = b.Value()) {
        for (; v->IsArray() && !v->Empty(); v = &(*v)[0]) ++parsed_depth;
        ++parsed_depth;
      }
      error_valid = b.value_error();
    });
    EXPECT_NE(error_open.find("not valid JSON"), std::string::npos) << depth;
    EXPECT_EQ(error_valid, "") << depth;
    EXPECT_EQ(parsed_depth, depth);
  }
}

TEST(ParseStackAllocator, ReusesFreedBlocksAndDropsHugeOnes) {
  std::thread([] {  // a thread of its own: its block cache starts empty
    ParseStackAllocator alloc;
    void* a = alloc.Malloc(100);
    ParseStackAllocator::Free(a);
    EXPECT_EQ(ParseStackAllocator::CachedBlocks(), 1u);
    EXPECT_EQ(alloc.Malloc(500), a);  // a freed block serves any request it fits
    EXPECT_EQ(ParseStackAllocator::CachedBlocks(), 0u);
    EXPECT_EQ(alloc.Realloc(a, 500, 900), a);  // within the block's capacity: no move
    void* moved = alloc.Realloc(a, 900, 5000);
    ASSERT_NE(moved, nullptr);
    static_cast<char*>(moved)[4999] = 1;
    EXPECT_EQ(ParseStackAllocator::CachedBlocks(), 1u);  // the old block, kept
    ParseStackAllocator::Free(moved);
    EXPECT_EQ(ParseStackAllocator::CachedBlocks(), 2u);
    ParseStackAllocator::Free(alloc.Malloc(4 << 20));  // above the limit: back to the C heap
    EXPECT_EQ(ParseStackAllocator::CachedBlocks(), 2u);
    std::vector<void*> many;
    for (int i = 0; i < 6; ++i) many.push_back(alloc.Malloc(2000));
    for (void* p : many) ParseStackAllocator::Free(p);
    EXPECT_EQ(ParseStackAllocator::CachedBlocks(), 4u);  // bounded
    EXPECT_EQ(alloc.Malloc(0), nullptr);
  }).join();
}
}  // namespace
}  // namespace rivven::transforms
