#include "connectors/datagen/datagen_rows.h"

#include <array>
#include <string_view>

#include "record/json.h"

namespace rivven::datagen {
namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

struct Product {
  std::string_view name;
  int64_t price_cents;
};

constexpr std::array<Product, 16> kProducts = {{
    {"laptop", 129999},     {"smartphone", 79999}, {"tablet", 49999},   {"monitor", 34999},
    {"smartwatch", 24999},  {"headphones", 19999}, {"speaker", 9999},   {"keyboard", 8999},
    {"webcam", 6999},       {"backpack", 5999},    {"desk lamp", 3999}, {"mouse", 2999},
    {"charger", 2499},      {"coffee mug", 1499},  {"usb-c cable", 1299}, {"notebook", 599},
}};

// A new order is "pending"; updates move it to one of the later states.
constexpr std::array<std::string_view, 5> kStatuses = {"pending", "paid", "shipped", "delivered",
                                                        "cancelled"};

constexpr std::array<std::string_view, 16> kFirstNames = {
    "Alice", "Bob",  "Carla", "David", "Emma",  "Farid", "Grace", "Hiro",
    "Ines",  "Jack", "Kemal", "Lena",  "Mateo", "Nora",  "Omar",  "Priya"};
constexpr std::array<std::string_view, 16> kFirstNamesLower = {
    "alice", "bob",  "carla", "david", "emma",  "farid", "grace", "hiro",
    "ines",  "jack", "kemal", "lena",  "mateo", "nora",  "omar",  "priya"};
constexpr std::array<std::string_view, 16> kLastNames = {
    "Smith", "Garcia", "Mueller", "Rossi",  "Tanaka", "Kowalski", "Dubois", "Silva",
    "Chen",  "Novak",  "Jensen",  "Okafor", "Haddad", "Larsen",   "Moreau", "Patel"};
constexpr std::array<std::string_view, 16> kLastNamesLower = {
    "smith", "garcia", "mueller", "rossi",  "tanaka", "kowalski", "dubois", "silva",
    "chen",  "novak",  "jensen",  "okafor", "haddad", "larsen",   "moreau", "patel"};
constexpr std::array<std::string_view, 4> kEmailDomains = {"example.com", "example.org",
                                                            "example.net", "mail.example"};

constexpr std::array<std::string_view, 12> kPages = {
    "/",
    "/products",
    "/products/laptop",
    "/products/headphones",
    "/products/smartphone",
    "/search?q=monitor",
    "/cart",
    "/checkout",
    "/account",
    "/blog/how-we-ship",
    "/help/returns",
    "/about"};
constexpr std::string_view kSite = "https://shop.example.com";
constexpr std::array<std::string_view, 5> kReferrers = {
    "https://www.google.com/", "https://www.bing.com/", "https://news.ycombinator.com/",
    "https://twitter.com/", "https://shop.example.com/"};

constexpr uint64_t kCustomers = 10'000;
constexpr uint64_t kMaxQuantity = 5;

template <typename T, size_t N>
const T& Pick(RowRandom& r, const std::array<T, N>& items) {
  return items[r.Below(N)];
}

// Table entries are plain ASCII without quotes or backslashes: appended without escaping.
void AppendQuoted(std::string& out, std::string_view s) {
  out.push_back('"');
  out += s;
  out.push_back('"');
}

void AppendOrder(std::string& out, uint64_t seed, int64_t id, int64_t n, RowVersion version) {
  RowRandom entity(seed, kEntityStream, static_cast<uint64_t>(id));
  RowRandom event(seed, kEventStream, static_cast<uint64_t>(n));
  const int64_t customer_id = 1 + static_cast<int64_t>(entity.Below(kCustomers));
  const Product& product = Pick(entity, kProducts);
  const int64_t quantity = 1 + static_cast<int64_t>(event.Below(kMaxQuantity));
  std::string_view status;
  switch (version) {
    case RowVersion::kPlain: status = Pick(event, kStatuses); break;
    case RowVersion::kCreated: status = kStatuses[0]; break;
    case RowVersion::kUpdated: status = kStatuses[1 + event.Below(kStatuses.size() - 1)]; break;
  }
  out += "{\"order_id\":";
  json::AppendInt(out, id);
  out += ",\"customer_id\":";
  json::AppendInt(out, customer_id);
  out += ",\"product\":";
  AppendQuoted(out, product.name);
  out += ",\"quantity\":";
  json::AppendInt(out, quantity);
  out += ",\"total\":";
  json::AppendFixed2(out, quantity * product.price_cents);
  out += ",\"status\":";
  AppendQuoted(out, status);
  out.push_back('}');
}

void AppendUser(std::string& out, uint64_t seed, int64_t id, int64_t n) {
  RowRandom entity(seed, kEntityStream, static_cast<uint64_t>(id));
  RowRandom event(seed, kEventStream, static_cast<uint64_t>(n));
  const size_t first = entity.Below(kFirstNames.size());
  const size_t last = entity.Below(kLastNames.size());
  // One user per second of synthetic time, in id order.
  const TimestampMs created_at =
      kEpochMs + (id - 1) * 1000 + static_cast<TimestampMs>(entity.Below(1000));
  out += "{\"user_id\":";
  json::AppendInt(out, id);
  out += ",\"name\":\"";
  out += kFirstNames[first];
  out.push_back(' ');
  out += kLastNames[last];
  out += "\",\"email\":\"";
  out += kFirstNamesLower[first];
  out.push_back('.');
  out += kLastNamesLower[last];
  json::AppendInt(out, id);  // the id keeps every address unique
  out.push_back('@');
  out += Pick(event, kEmailDomains);  // changes on updates
  out += "\",\"created_at\":";
  json::AppendIsoTimestamp(out, created_at);
  out.push_back('}');
}

void AppendPageview(std::string& out, uint64_t seed, int64_t n) {
  RowRandom event(seed, kEventStream, static_cast<uint64_t>(n));
  const std::string_view page = Pick(event, kPages);
  const int64_t user_id = 1 + static_cast<int64_t>(event.Below(kCustomers));
  const TimestampMs ts = EventTimeMs(n) + static_cast<TimestampMs>(event.Below(kEventSpacingMs));
  const bool direct = event.Below(10) < 4;  // 40% of views have no referrer
  const std::string_view referrer = Pick(event, kReferrers);
  out += "{\"page_url\":\"";
  out += kSite;
  out += page;
  out += "\",\"user_id\":";
  json::AppendInt(out, user_id);
  out += ",\"timestamp\":";
  json::AppendInt(out, ts);
  out += ",\"referrer\":";
  if (direct) {
    out += "null";
  } else {
    AppendQuoted(out, referrer);
  }
  out.push_back('}');
}

template <typename T, size_t N>
std::string EnumJson(const std::array<T, N>& items) {
  std::string out = "[";
  for (size_t i = 0; i < N; ++i) {
    if (i > 0) out.push_back(',');
    AppendQuoted(out, items[i]);
  }
  out.push_back(']');
  return out;
}

std::string RowSchemaBody(Pattern pattern) {
  switch (pattern) {
    case Pattern::kOrders:
      return R"("type":"object","properties":{"order_id":{"type":"integer","minimum":1},)"
             R"("customer_id":{"type":"integer","minimum":1},"product":{"type":"string"},)"
             R"("quantity":{"type":"integer","minimum":1,"maximum":5},)"
             R"("total":{"type":"number","multipleOf":0.01},"status":{"type":"string","enum":)" +
             EnumJson(kStatuses) +
             R"(}},"required":["order_id","customer_id","product","quantity","total","status"],)"
             R"("additionalProperties":false)";
    case Pattern::kUsers:
      return R"("type":"object","properties":{"user_id":{"type":"integer","minimum":1},)"
             R"("name":{"type":"string"},"email":{"type":"string","format":"email"},)"
             R"("created_at":{"type":"string","format":"date-time"}},)"
             R"("required":["user_id","name","email","created_at"],"additionalProperties":false)";
    case Pattern::kPageviews:
      return R"("type":"object","properties":{"page_url":{"type":"string","format":"uri"},)"
             R"("user_id":{"type":"integer","minimum":1},)"
             R"("timestamp":{"type":"integer","description":"epoch milliseconds"},)"
             R"("referrer":{"type":["string","null"]}},)"
             R"("required":["page_url","user_id","timestamp","referrer"],)"
             R"("additionalProperties":false)";
  }
  return {};
}

}  // namespace

uint64_t Mix64(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

RowRandom::RowRandom(uint64_t seed, uint64_t stream, uint64_t index)
    // Mixing the start (not just offsetting it) keeps the sequences of neighbouring indexes
    // from being shifted copies of each other.
    : state_(Mix64(Mix64(seed ^ (stream * 0xD1B54A32D192ED03ULL)) + index * kGolden)) {}

uint64_t RowRandom::Next() {
  state_ += kGolden;
  return Mix64(state_);
}

uint64_t RowRandom::Below(uint64_t bound) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * bound) >> 64);
}

void AppendRow(std::string& out, Pattern pattern, uint64_t seed, int64_t id, int64_t n,
               RowVersion version) {
  switch (pattern) {
    case Pattern::kOrders: AppendOrder(out, seed, id, n, version); return;
    case Pattern::kUsers: AppendUser(out, seed, id, n); return;
    case Pattern::kPageviews: AppendPageview(out, seed, n); return;
  }
}

const char* IdField(Pattern pattern) {
  switch (pattern) {
    case Pattern::kOrders: return "order_id";
    case Pattern::kUsers: return "user_id";
    case Pattern::kPageviews: return nullptr;
  }
  return nullptr;
}

void AppendKey(std::string& out, Pattern pattern, int64_t id) {
  out += "{\"";
  out += IdField(pattern);
  out += "\":";
  json::AppendInt(out, id);
  out.push_back('}');
}

std::string ValueJsonSchema(Pattern pattern, bool cdc_mode) {
  const std::string dialect = R"("$schema":"https://json-schema.org/draft/2020-12/schema",)";
  const std::string title = PatternName(pattern);
  if (!cdc_mode) {
    return "{" + dialect + "\"title\":\"" + title + "\"," + RowSchemaBody(pattern) + "}";
  }
  return "{" + dialect + "\"title\":\"" + title +
         " change event (Debezium envelope)\",\"type\":\"object\",\"properties\":{"
         R"("before":{"type":["object","null"],"description":"key columns of a deleted row"},)"
         R"("after":{"oneOf":[{"type":"null"},{)" +
         RowSchemaBody(pattern) +
         R"(}]},"source":{"type":"object"},"op":{"type":"string","enum":["c","u","d"]},)"
         R"("ts_ms":{"type":"integer"}},"required":["before","after","source","op","ts_ms"]})";
}

}  // namespace rivven::datagen
