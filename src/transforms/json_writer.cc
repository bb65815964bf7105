#include "transforms/json_writer.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include <rapidjson/internal/dtoa.h>
#include <rapidjson/internal/itoa.h>

namespace rivven::transforms {
namespace {

// For each byte: 0 when it is written as is, else the character after the backslash ('u' for
// the \u00XX form). The same table as RapidJSON's Writer.
constexpr char kEscape[256] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f',  'r', 'u', 'u',  // 00
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',  'u', 'u', 'u',  // 10
    0,   0,   '"', 0,   0,   0,   0,   0,   0,   0,   0,   0,   0,    0,   0,   0,    // 20
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,    0,   0,   0,    // 30
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,    0,   0,   0,    // 40
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   '\\', 0,   0,   0,    // 50
};

void AppendString(const char* s, size_t n, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < n; ++i) {
    const char e = kEscape[static_cast<unsigned char>(s[i])];
    if (e == 0) continue;
    out.append(s + run, i - run);
    run = i + 1;
    const char esc[6] = {'\\', e, '0', '0', kHex[(s[i] >> 4) & 0xF], kHex[s[i] & 0xF]};
    out.append(esc, e == 'u' ? 6 : 2);
  }
  out.append(s + run, n - run);
  out.push_back('"');
}

void AppendScalar(const rapidjson::Value& v, std::string& out) {
  char buf[32];
  switch (v.GetType()) {
    case rapidjson::kNullType:
      out.append("null", 4);
      return;
    case rapidjson::kFalseType:
      out.append("false", 5);
      return;
    case rapidjson::kTrueType:
      out.append("true", 4);
      return;
    case rapidjson::kStringType:
      AppendString(v.GetString(), v.GetStringLength(), out);
      return;
    case rapidjson::kNumberType: {
      char* end;
      if (v.IsInt()) {
        end = rapidjson::internal::i32toa(v.GetInt(), buf);
      } else if (v.IsUint()) {
        end = rapidjson::internal::u32toa(v.GetUint(), buf);
      } else if (v.IsInt64()) {
        end = rapidjson::internal::i64toa(v.GetInt64(), buf);
      } else if (v.IsUint64()) {
        end = rapidjson::internal::u64toa(v.GetUint64(), buf);
      } else if (std::isfinite(v.GetDouble())) {
        end = rapidjson::internal::dtoa(v.GetDouble(), buf);
      } else {
        out.append("null", 4);
        return;
      }
      out.append(buf, static_cast<size_t>(end - buf));
      return;
    }
    case rapidjson::kObjectType:
    case rapidjson::kArrayType:
      return;  // containers are walked by AppendJson
  }
}

// One open container: the next member or element to write.
struct Frame {
  const rapidjson::Value* container;
  rapidjson::SizeType next;
};

}  // namespace

void AppendJson(const rapidjson::Value& root, std::string& out) {
  if (!root.IsObject() && !root.IsArray()) {
    AppendScalar(root, out);
    return;
  }
  thread_local std::vector<Frame> stack;
  const size_t base = stack.size();  // re-entrant: leave frames below `base` alone
  out.push_back(root.IsObject() ? '{' : '[');
  stack.push_back(Frame{&root, 0});
  while (stack.size() > base) {
    Frame& top = stack.back();
    const rapidjson::Value& c = *top.container;
    const bool is_object = c.IsObject();
    const rapidjson::SizeType size = is_object ? c.MemberCount() : c.Size();
    if (top.next == size) {
      out.push_back(is_object ? '}' : ']');
      stack.pop_back();
      continue;
    }
    if (top.next > 0) out.push_back(',');
    const rapidjson::Value* child;
    if (is_object) {
      const auto& member = *(c.MemberBegin() + top.next);
      AppendString(member.name.GetString(), member.name.GetStringLength(), out);
      out.push_back(':');
      child = &member.value;
    } else {
      child = &c[top.next];
    }
    ++top.next;
    if (child->IsObject() || child->IsArray()) {
      out.push_back(child->IsObject() ? '{' : '[');
      stack.push_back(Frame{child, 0});  // may reallocate: `top` is not used after this
    } else {
      AppendScalar(*child, out);
    }
  }
}

}  // namespace rivven::transforms
