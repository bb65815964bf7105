// Documentation generated from the same KeySpec declarations that drive binding: the JSON Schema
// printed by `connectors spec NAME` and the Markdown tables in docs/connectors.md.

#include <string>
#include <utility>
#include <vector>

#include "base/json_escape.h"
#include "config/scalars.h"
#include "config/schema.h"

namespace rivven::config {
namespace {

/// A JSON value with object members in insertion order, so output is deterministic and reads
/// in the order a person expects ($schema first, then title, ...).
struct Json {
  enum class Kind { kObject, kArray, kString, kLiteral };
  Kind kind = Kind::kObject;
  std::string text;  // kString: unescaped text; kLiteral: number/true/false as written
  std::vector<std::pair<std::string, Json>> members;
  std::vector<Json> elements;

  static Json String(std::string s) { return Json{Kind::kString, std::move(s), {}, {}}; }
  static Json Literal(std::string s) { return Json{Kind::kLiteral, std::move(s), {}, {}}; }
  static Json Array() { return Json{Kind::kArray, {}, {}, {}}; }
  static Json Object() { return Json{}; }
  Json& Set(std::string key, Json value) {
    members.emplace_back(std::move(key), std::move(value));
    return *this;
  }
};

void Indent(std::string& out, int depth) { out.append(static_cast<size_t>(depth) * 2, ' '); }

void Write(const Json& j, int depth, std::string& out) {
  switch (j.kind) {
    case Json::Kind::kString:
      AppendJsonString(out, j.text);
      return;
    case Json::Kind::kLiteral:
      out += j.text;
      return;
    case Json::Kind::kArray:
      if (j.elements.empty()) {
        out += "[]";
        return;
      }
      out += "[\n";
      for (size_t i = 0; i < j.elements.size(); ++i) {
        Indent(out, depth + 1);
        Write(j.elements[i], depth + 1, out);
        out += i + 1 < j.elements.size() ? ",\n" : "\n";
      }
      Indent(out, depth);
      out += ']';
      return;
    case Json::Kind::kObject:
      if (j.members.empty()) {
        out += "{}";
        return;
      }
      out += "{\n";
      for (size_t i = 0; i < j.members.size(); ++i) {
        Indent(out, depth + 1);
        AppendJsonString(out, j.members[i].first);
        out += ": ";
        Write(j.members[i].second, depth + 1, out);
        out += i + 1 < j.members.size() ? ",\n" : "\n";
      }
      Indent(out, depth);
      out += '}';
      return;
  }
}

Json StringArray(const std::vector<std::string>& items) {
  Json a = Json::Array();
  for (const std::string& s : items) a.elements.push_back(Json::String(s));
  return a;
}

// The default as a typed JSON value (1, not "1"); nothing when it does not parse as its type.
std::optional<Json> TypedDefault(const KeySpec& key) {
  if (!key.default_value) return std::nullopt;
  const std::string& d = *key.default_value;
  switch (key.type) {
    case ValueType::kInt:
      if (auto i = ParseYamlInt(d)) return Json::Literal(std::to_string(*i));
      return std::nullopt;
    case ValueType::kDouble:
      if (auto x = ParseYamlDouble(d)) return Json::Literal(FormatNumber(*x));
      return std::nullopt;
    case ValueType::kBool:
      if (auto b = ParseYamlBool(d)) return Json::Literal(*b ? "true" : "false");
      return std::nullopt;
    case ValueType::kStringList:
      return StringArray(SplitCommaList(d));
    case ValueType::kStringMap:
      return Json::Object();
    case ValueType::kString:
    case ValueType::kAny:
      return Json::String(d);
    case ValueType::kObject:
      return std::nullopt;
  }
  return std::nullopt;
}

Json ObjectSchema(const std::vector<KeySpec>& keys);

Json KeySchema(const KeySpec& key) {
  Json j = Json::Object();
  switch (key.type) {
    case ValueType::kString:
      j.Set("type", Json::String("string"));
      break;
    case ValueType::kInt:
      j.Set("type", Json::String("integer"));
      break;
    case ValueType::kDouble:
      j.Set("type", Json::String("number"));
      break;
    case ValueType::kBool:
      j.Set("type", Json::String("boolean"));
      break;
    case ValueType::kStringList: {
      j.Set("type", Json::String("array"));
      Json items = Json::Object();
      items.Set("type", Json::String("string"));
      if (!key.allowed.empty()) items.Set("enum", StringArray(key.allowed));
      j.Set("items", std::move(items));
      break;
    }
    case ValueType::kStringMap: {
      j.Set("type", Json::String("object"));
      Json values = Json::Object();
      values.Set("type", Json::String("string"));
      j.Set("additionalProperties", std::move(values));
      break;
    }
    case ValueType::kObject:
      j.Set("type", Json::String("object"));
      break;
    case ValueType::kAny:
      break;  // any JSON value is accepted
  }
  if (!key.description.empty()) j.Set("description", Json::String(key.description));
  if (key.type == ValueType::kObject) {
    // ObjectSchema's members after its leading "type": properties, required, additionalProperties.
    Json nested = ObjectSchema(key.children);
    for (size_t i = 1; i < nested.members.size(); ++i) j.members.push_back(nested.members[i]);
  }
  if (auto d = TypedDefault(key)) j.Set("default", std::move(*d));
  const bool integer = key.type == ValueType::kInt;
  if (key.min && (integer || key.type == ValueType::kDouble)) {
    j.Set("minimum", Json::Literal(FormatNumber(*key.min)));
  }
  if (key.max && (integer || key.type == ValueType::kDouble)) {
    j.Set("maximum", Json::Literal(FormatNumber(*key.max)));
  }
  if (key.type == ValueType::kString && !key.allowed.empty()) {
    j.Set("enum", StringArray(key.allowed));
  }
  if (key.secret) j.Set("writeOnly", Json::Literal("true"));
  return j;
}

Json ObjectSchema(const std::vector<KeySpec>& keys) {
  Json j = Json::Object();
  j.Set("type", Json::String("object"));
  Json properties = Json::Object();
  std::vector<std::string> required;
  for (const KeySpec& key : keys) {
    properties.Set(key.name, KeySchema(key));
    if (key.required) required.push_back(key.name);
  }
  j.Set("properties", std::move(properties));
  if (!required.empty()) j.Set("required", StringArray(required));
  j.Set("additionalProperties", Json::Literal("false"));
  return j;
}

const char* MarkdownType(const KeySpec& key) {
  switch (key.type) {
    case ValueType::kString: return "string";
    case ValueType::kInt: return "integer";
    case ValueType::kDouble: return "number";
    case ValueType::kBool: return "boolean";
    case ValueType::kStringList: return "list of strings";
    case ValueType::kStringMap: return "map of strings";
    case ValueType::kObject: return "object";
    case ValueType::kAny: return "any";
  }
  return "any";
}

// Text inside a table cell: a '|' would end the cell and a newline the row.
std::string Cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string Code(const std::string& s) { return "`" + Cell(s) + "`"; }

void MarkdownRows(const std::vector<KeySpec>& keys, const std::string& prefix, std::string& out) {
  for (const KeySpec& key : keys) {
    const std::string name = prefix.empty() ? key.name : prefix + "." + key.name;
    std::string description = Cell(key.description);
    auto append = [&description](const std::string& s) {
      if (!description.empty()) {
        const char last = description.back();
        if (last != '.' && last != '!' && last != '?' && last != ':') description += '.';
        description += ' ';
      }
      description += s;
    };
    if (!key.allowed.empty()) {
      std::string values;
      for (const std::string& a : key.allowed) values += (values.empty() ? "" : ", ") + Code(a);
      append("One of: " + values + ".");
    }
    if (key.min && key.max) {
      append("Range: " + FormatNumber(*key.min) + " to " + FormatNumber(*key.max) + ".");
    } else if (key.min) {
      append("Minimum: " + FormatNumber(*key.min) + ".");
    } else if (key.max) {
      append("Maximum: " + FormatNumber(*key.max) + ".");
    }
    if (key.secret) append("Secret: never printed.");
    const std::string default_text =
        key.default_value ? Code(key.default_value->empty() ? "\"\"" : *key.default_value) : "-";
    out += "| " + Code(name) + " | " + MarkdownType(key) + " | " + (key.required ? "yes" : "no") +
           " | " + default_text + " | " + description + " |\n";
    if (key.type == ValueType::kObject) MarkdownRows(key.children, name, out);
  }
}

}  // namespace

std::string ToJsonSchema(const Schema& schema, const std::string& title,
                         const std::string& description) {
  Json root = Json::Object();
  root.Set("$schema", Json::String("https://json-schema.org/draft/2020-12/schema"));
  root.Set("title", Json::String(title));
  if (!description.empty()) root.Set("description", Json::String(description));
  for (auto& member : ObjectSchema(schema.keys()).members) root.members.push_back(member);
  std::string out;
  Write(root, 0, out);
  out += '\n';
  return out;
}

std::string ToMarkdownTable(const Schema& schema) {
  std::string out =
      "| Key | Type | Required | Default | Description |\n"
      "|:----|:-----|:---------|:--------|:------------|\n";
  MarkdownRows(schema.keys(), "", out);
  return out;
}

}  // namespace rivven::config
