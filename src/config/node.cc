#include "config/node.h"

namespace rivven::config {

Node::Node() = default;

const Node* Node::Find(std::string_view key) const {
  if (kind != Kind::kMap) return nullptr;
  for (const auto& [name, value] : entries) {
    if (name == key) return &value;
  }
  return nullptr;
}

Mark Node::KeyMark(std::string_view key) const {
  if (kind != Kind::kMap) return mark;
  for (size_t i = 0; i < entries.size() && i < key_marks.size(); ++i) {
    if (entries[i].first == key) return key_marks[i];
  }
  return mark;
}

}  // namespace rivven::config
