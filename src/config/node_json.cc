#include "config/node_json.h"

#include "base/json_escape.h"
#include "config/scalars.h"

namespace rivven::config {
namespace {

void AppendScalar(const Node& node, std::string& out) {
  const std::string& s = node.scalar;
  if (!node.quoted) {
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
      out += "null";
      return;
    }
    if (s == "true" || s == "True" || s == "TRUE") {
      out += "true";
      return;
    }
    if (s == "false" || s == "False" || s == "FALSE") {
      out += "false";
      return;
    }
    if (auto i = ParseYamlInt(s)) {
      out += std::to_string(*i);  // 0x1F and 0o17 become decimal
      return;
    }
    if (auto d = ParseYamlDouble(s)) {
      out += FormatNumber(*d);
      return;
    }
  }
  AppendJsonString(out, s);
}

void Append(const Node& node, std::string& out) {
  switch (node.kind) {
    case Node::Kind::kNull:
      out += "null";
      return;
    case Node::Kind::kScalar:
      AppendScalar(node, out);
      return;
    case Node::Kind::kSequence:
      out.push_back('[');
      for (size_t i = 0; i < node.items.size(); ++i) {
        if (i > 0) out.push_back(',');
        Append(node.items[i], out);
      }
      out.push_back(']');
      return;
    case Node::Kind::kMap:
      out.push_back('{');
      for (size_t i = 0; i < node.entries.size(); ++i) {
        if (i > 0) out.push_back(',');
        AppendJsonString(out, node.entries[i].first);
        out.push_back(':');
        Append(node.entries[i].second, out);
      }
      out.push_back('}');
      return;
  }
}

}  // namespace

std::string NodeToJson(const Node& node) {
  std::string out;
  Append(node, out);
  return out;
}

}  // namespace rivven::config
