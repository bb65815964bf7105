#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rivven::config {

/// 1-based position of a YAML node in its file.
struct Mark {
  int line = 0;
  int column = 0;
};

/// A YAML node after `${VAR}` resolution, detached from yaml-cpp so only loader.cc sees
/// yaml-cpp headers. Map entries keep file order. Owned by value; immutable after loading.
struct Node {
  enum class Kind { kNull, kScalar, kSequence, kMap };

  Kind kind = Kind::kNull;
  std::string scalar;  ///< text of a scalar, after variable resolution
  bool quoted = false; ///< the scalar was written in quotes ("1" is a string, 1 may be a number)
  bool from_variable = false; ///< the scalar's text held a ${VAR}: its value is not in the file
  std::vector<Node> items;                           ///< kSequence
  std::vector<std::pair<std::string, Node>> entries; ///< kMap, in file order
  std::vector<Mark> key_marks;                       ///< kMap: position of each key
  Mark mark;                                         ///< position of the value itself

  /// Defined in node.cc: an inline default constructor makes Clang (with libstdc++ 12) check
  /// std::pair<std::string, Node> while Node is still incomplete, which fails to compile.
  Node();

  bool IsNull() const { return kind == Kind::kNull; }
  bool IsScalar() const { return kind == Kind::kScalar; }
  bool IsMap() const { return kind == Kind::kMap; }
  bool IsSequence() const { return kind == Kind::kSequence; }
  /// Map lookup; nullptr when absent or not a map.
  const Node* Find(std::string_view key) const;
  /// Position of `key` in this map (the key's own mark), or this node's mark.
  Mark KeyMark(std::string_view key) const;
};

}  // namespace rivven::config
