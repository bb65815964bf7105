// What evaluation costs: no allocation for comparisons, paths and predicates, and a timing
// printed for the common filter shape (not asserted: test machines vary).
#include <chrono>
#include <cstdio>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "transforms/expr/expr_eval.h"
#include "transforms/expr/expr_parser.h"
#include "transforms/expr/tests/expr_test_util.h"

namespace rivven::transforms::expr {
namespace {

constexpr const char* kOrder = R"({
  "id": 1001, "op": "c", "status": "paid", "currency": "eur", "total": 120.5, "qty": 3,
  "note": "", "created_at": "2024-05-01T10:00:00Z", "source": "web", "coupon": null,
  "customer": {"id": 42, "name": "Zoë", "address": {"city": "Berlin", "zip": "10115"}},
  "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-2", "qty": 1}]
})";

TEST(ExprCostTest, ComparisonsAndPredicatesAllocateNothing) {
  testing::TestRecord record(kOrder);
  record.topic = "orders";
  record.headers = {{"source", "pg"}};
  for (const char* text :
       {"value.total > 100", "value.customer.address.city == 'Berlin'",
        "value.status in ['paid', 'shipped']", "op == 'c' && value.total >= 1 || topic == 'x'",
        "headers.source == 'pg'", "exists(value.coupon) && value.coupon is null",
        "starts_with(value.created_at, '2024-') && len(value.customer.name) == 3",
        "lower(value.currency) == 'eur'", "value.items[-1].sku matches '^B-'",
        "value.qty * 2 + 1 > value.total / 100", "!(value.note != '') && [1, 2] == [1, 2]"}) {
    auto root = Parse(text, Expression::kMaxNestingDepth);
    ASSERT_TRUE(root.ok()) << root.status().message();
    ValueArena arena;
    EXPECT_TRUE(Truthy(Evaluate(**root, &record, arena))) << text;
    EXPECT_TRUE(arena.empty()) << text;
  }
  // What does allocate: a string that has to change, a list with items from the record.
  for (const char* text : {"upper(value.currency)", "[value.id, value.qty]"}) {
    auto root = Parse(text, Expression::kMaxNestingDepth);
    ASSERT_TRUE(root.ok());
    ValueArena arena;
    Evaluate(**root, &record, arena);
    EXPECT_FALSE(arena.empty()) << text;
  }
}

TEST(ExprCostTest, TimingOfACommonFilter) {
  testing::TestRecord record(kOrder);
  for (const char* text : {"value.total > 100", "value.customer.address.city == 'Berlin'",
                           "value.status in ['paid', 'shipped'] && value.currency == 'eur'"}) {
    Expression e = testing::MustCompile(text);
    constexpr int kRuns = 200000;
    int hits = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int k = 0; k < kRuns; ++k) hits += e.Test(record);
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    EXPECT_EQ(hits, kRuns);
    std::printf("[ timing   ] %-70s %6.1f ns/eval\n", text, static_cast<double>(ns) / kRuns);
  }
}

}  // namespace
}  // namespace rivven::transforms::expr
