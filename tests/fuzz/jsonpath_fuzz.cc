// Fuzz target of JSONPath (src/formats/jsonpath.h, the http-poll source's record, pagination,
// cursor and key selectors) and of the http-poll response bodies it runs on. Input: the path on
// the first line, a JSON document after it. The path must parse or fail with InvalidArgument
// naming a position; a parsed path must select from the document (and from a fixed one) without
// crashing, every value it selects being part of the document it was given.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include <rapidjson/document.h>

#include "formats/jsonpath.h"

namespace {

using rivven::formats::JsonPath;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

void Collect(const rapidjson::Value& v, std::unordered_set<const rapidjson::Value*>* all) {
  all->insert(&v);
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) Collect(m.value, all);
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) Collect(e, all);
  }
}

void SelectFrom(const JsonPath& path, const rapidjson::Value& root) {
  std::unordered_set<const rapidjson::Value*> all;
  Collect(root, &all);
  for (const rapidjson::Value* v : path.Select(root)) Check(all.count(v) == 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static rapidjson::Document* fixture = [] {
    auto* d = new rapidjson::Document;
    d->Parse(R"({"data":{"items":[{"id":1,"price":9.5,"tag":"x","n":null},{"id":2,"price":12,
      "tag":"y","sub":{"id":3}},[1,[2,[3]]],"s",true],"next":"https://api/x?page=2",
      "meta":{"cursor":"c1","page":{"size":2}}},"a b":{"'q'":[-1,0,1e308]},"":{"":""}})");
    return d;
  }();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  const std::string text(input.substr(0, eol));  // exact-size heap copy: ASan sees over-reads
  rivven::Result<JsonPath> path = JsonPath::Parse(text);
  if (!path.ok()) {
    Check(path.status().code() == rivven::StatusCode::kInvalidArgument);
    Check(path.status().message().find("at ") != std::string::npos);
    return 0;
  }
  Check(path->text() == text);
  SelectFrom(*path, *fixture);
  if (eol == std::string_view::npos) return 0;
  const std::string body(input.substr(eol + 1));
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (!doc.HasParseError()) SelectFrom(*path, doc);
  return 0;
}
