// YAML text -> config::Node. The only file that sees yaml-cpp: it drives yaml-cpp's event parser
// (not YAML::Load) because events carry every position, show how a scalar was written (tag "!" =
// quoted or block) and let us reject duplicate keys, which YAML::Load silently accepts.

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>

#include "config/pipeline_config.h"
#include "config/variables.h"

namespace rivven::config {
namespace {

// Aliases copy the anchored node, so nested aliases can grow a small file exponentially ("billion
// laughs"). Real configs reuse a few blocks; past this many copied nodes the file is rejected.
constexpr size_t kMaxAliasNodes = 100000;

size_t CountNodes(const Node& node) {
  size_t n = 1;
  for (const Node& item : node.items) n += CountNodes(item);
  for (const auto& entry : node.entries) n += CountNodes(entry.second);
  return n;
}

Mark ToMark(const YAML::Mark& m) {
  if (m.is_null()) return Mark{};
  return Mark{m.line + 1, m.column + 1};
}

/// Builds one Node tree from the parser's events. Variables are resolved as each value scalar
/// arrives, so every error can name the dotted path and the key's position.
class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(const EnvLookup& env, Diagnostics* diags) : env_(env), diags_(diags) {}

  Node TakeRoot() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Node node;
    node.mark = ToMark(mark);
    Complete(std::move(node), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = anchors_.find(anchor);
    Node node;
    node.mark = ToMark(mark);
    if (it != anchors_.end()) {
      alias_nodes_ += it->second.second;
      if (alias_nodes_ <= kMaxAliasNodes) {
        node = it->second.first;
      } else if (!alias_limit_reported_) {
        alias_limit_reported_ = true;
        diags_->Add(NextPath(), node.mark,
                    "aliases expand to more than " + std::to_string(kMaxAliasNodes) +
                        " nodes; write the repeated blocks out or reuse fewer of them");
      }
    }
    Complete(std::move(node), 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Node node;
    node.kind = Node::Kind::kScalar;
    node.mark = ToMark(mark);
    // "!" is yaml-cpp's tag for quoted and block scalars; "!!str" is an explicit string.
    node.quoted = tag == "!" || tag == "tag:yaml.org,2002:str";
    if (ExpectingKey()) {
      node.scalar = value;  // keys are never expanded
    } else {
      std::vector<std::string> errors;
      node.from_variable = value.find("${") != std::string::npos;
      node.scalar = ExpandVariables(value, env_, &errors);
      for (std::string& error : errors) diags_->Add(NextPath(), NextKeyMark(node.mark), error);
    }
    Complete(std::move(node), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(Node::Kind::kSequence, mark, anchor);
  }
  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(Node::Kind::kMap, mark, anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Frame {
    Node node;
    std::string path;
    YAML::anchor_t anchor = 0;
    bool is_key = false;       // this collection is being used as a map key
    bool has_key = false;      // kMap: a key is waiting for its value
    bool drop_value = false;   // kMap: the waiting key is a duplicate or invalid
    std::string key;
    Mark key_mark;
  };

  bool ExpectingKey() const {
    return !stack_.empty() && stack_.back().node.IsMap() && !stack_.back().has_key;
  }

  // Path of the node about to be completed, as diagnostics name it.
  std::string NextPath() const {
    if (stack_.empty()) return {};
    const Frame& top = stack_.back();
    if (top.node.IsMap()) return JoinPath(top.path, top.key);
    return IndexPath(top.path, top.node.items.size());
  }

  // Errors in a map value point at its key (the line a user looks for); elsewhere at the value.
  Mark NextKeyMark(Mark value_mark) const {
    if (!stack_.empty() && stack_.back().node.IsMap() && stack_.back().has_key) {
      return stack_.back().key_mark;
    }
    return value_mark;
  }

  void Open(Node::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    Frame frame;
    frame.node.kind = kind;
    frame.node.mark = ToMark(mark);
    frame.anchor = anchor;
    frame.is_key = ExpectingKey();
    frame.path = frame.is_key ? (stack_.empty() ? std::string() : stack_.back().path) : NextPath();
    stack_.push_back(std::move(frame));
  }

  void Close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    Complete(std::move(frame.node), frame.anchor);
  }

  void Complete(Node node, YAML::anchor_t anchor) {
    if (anchor != 0) anchors_[anchor] = {node, CountNodes(node)};
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& parent = stack_.back();
    if (parent.node.IsSequence()) {
      parent.node.items.push_back(std::move(node));
      return;
    }
    if (!parent.has_key) {
      AcceptKey(parent, node);
      return;
    }
    parent.has_key = false;
    if (parent.drop_value) return;
    // yaml-cpp marks an empty value ("key:" then newline) at the next token; the key is closer.
    if (node.IsNull() && node.mark.line > parent.key_mark.line) node.mark = parent.key_mark;
    parent.node.entries.emplace_back(std::move(parent.key), std::move(node));
    parent.node.key_marks.push_back(parent.key_mark);
  }

  void AcceptKey(Frame& map, const Node& key) {
    map.has_key = true;
    map.drop_value = false;
    map.key = key.scalar;
    map.key_mark = key.mark;
    if (!key.IsScalar()) {
      map.drop_value = true;
      diags_->Add(map.path, key.mark,
                  key.IsNull() ? "empty map key" : "map keys must be plain strings");
      return;
    }
    for (size_t i = 0; i < map.node.entries.size(); ++i) {
      if (map.node.entries[i].first == key.scalar) {
        map.drop_value = true;
        diags_->Add(JoinPath(map.path, key.scalar), key.mark,
                    "duplicate key '" + key.scalar + "' (first defined at line " +
                        std::to_string(map.node.key_marks[i].line) + ")");
        return;
      }
    }
  }

  const EnvLookup& env_;
  Diagnostics* diags_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, std::pair<Node, size_t>> anchors_;  // node, its size in nodes
  size_t alias_nodes_ = 0;
  bool alias_limit_reported_ = false;
  Node root_;
};

/// Sees a second document only to report where it starts.
class DocumentCounter : public YAML::EventHandler {
 public:
  Mark start;
  void OnDocumentStart(const YAML::Mark& mark) override { start = ToMark(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::optional<Node> ParseYaml(const std::string& text, const EnvLookup& env, Diagnostics* diags) {
  std::istringstream in(text);
  TreeBuilder builder(env, diags);
  try {
    YAML::Parser parser(in);
    if (!parser.HandleNextDocument(builder)) return Node{};  // empty file or only comments
    DocumentCounter counter;
    if (parser.HandleNextDocument(counter)) {
      diags->Add("", counter.start,
                 "a config file holds one YAML document; found another one here");
    }
  } catch (const YAML::Exception& e) {
    diags->Add("", ToMark(e.mark), "invalid YAML: " + e.msg);
    return std::nullopt;
  }
  return builder.TakeRoot();
}

PipelineConfig LoadPipelineConfig(const std::string& path, const EnvLookup& env,
                                  Diagnostics* diags, const NodeRewriter& rewrite) {
  PipelineConfig config;
  config.file = path;
  std::string text;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  int error = f == nullptr ? errno : 0;
  if (f != nullptr) {
    char buf[65536];
    size_t n;
    errno = 0;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, n);
    if (std::ferror(f)) error = errno != 0 ? errno : EIO;
    std::fclose(f);
  }
  if (error != 0) {
    diags->Add("", Mark{}, "cannot read config file '" + path + "': " + std::strerror(error));
    return config;
  }
  std::optional<Node> root = ParseYaml(text, env, diags);
  if (!root) return config;
  if (rewrite) rewrite(&*root, diags);
  config = ReadPipelineConfig(*root, diags);
  config.file = path;
  return config;
}

}  // namespace rivven::config
