#include "transforms/chain.h"

#include <algorithm>

#include <type_traits>
#include <utility>

#include "config/schema.h"
#include "transforms/predicates.h"
#include "transforms/record_arena.h"
#include "transforms/record_context.h"
#include "transforms/transform.h"

namespace rivven::transforms {

/// One compiled entry of the list.
struct TransformChain::Entry {
  std::string label;  ///< "transforms[2] (MaskField)": how failures name the entry
  std::unique_ptr<Transform> transform;
  std::unique_ptr<Predicate> predicate;  ///< null: applies to every record
  bool negate = false;
};

namespace {

using config::Diagnostics;
using config::Key;
using config::Mark;
using config::Node;
using config::ValueType;

// The keys of one `transforms:` entry (the transform's own keys are under `config`).
const config::Schema& EntrySchema() {
  static const config::Schema schema = [] {
    config::Schema s;
    s.Add(Key("type", ValueType::kString, "Transform type, e.g. MaskField.").Required());
    s.Add(Key("config", ValueType::kAny, "The transform's own keys."));
    s.Add(Key("predicate", ValueType::kObject,
              "Apply the transform only to records this predicate matches.")
              .Child(Key("type", ValueType::kString, "Predicate type, e.g. TopicNameMatches.")
                         .Required())
              .Child(Key("config", ValueType::kAny, "The predicate's own keys.")));
    s.Add(Key("when", ValueType::kString,
              "Apply the transform only to records for which this expression is true."));
    s.Add(Key("negate", ValueType::kBool,
              "Apply the transform to the records the predicate does NOT match.")
              .Default("false"));
    return s;
  }();
  return schema;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

void UnknownType(const char* what, const std::string& type, std::vector<std::string> known,
                 const std::string& path, Mark mark, Diagnostics* diags) {
  std::string message = std::string("unknown ") + what + " type '" + type + "'";
  const std::string suggestion = config::DidYouMean(type, known);
  if (!suggestion.empty()) {
    message += " (did you mean '" + suggestion + "'?)";
  } else {
    message += " (known types: " + JoinNames(known) + ")";
  }
  diags->Add(path, mark, std::move(message));
}

// A factory's error names the key it is about as "key: why" when it can; the diagnostic then
// points at that key, otherwise at the whole config block.
void FactoryError(const Status& error, const config::Schema& schema,
                  const config::BoundConfig& bound, Diagnostics* diags) {
  const std::string& message = error.message();
  const size_t colon = message.find(": ");
  if (colon != std::string::npos && schema.Find(message.substr(0, colon)) != nullptr) {
    const std::string key = message.substr(0, colon);
    const Node* raw = bound.Raw(key);
    diags->Add(config::JoinPath(bound.path(), key), raw ? raw->mark : bound.MarkOf(key),
               message.substr(colon + 2));
    return;
  }
  diags->Add(bound.path(), bound.MarkOf(""), message);
}

// Runs one record through the entries (a template only because Entry is private to the chain).
template <typename Entries>
Result<Outcome> Run(const Entries& entries, RecordContext& context) {
  for (const auto& entry : entries) {
    if (entry->predicate && entry->predicate->Test(context) == entry->negate) continue;
    Result<Outcome> r = entry->transform->Apply(context);
    if (!r.ok()) return r.status().WithContext(entry->label);
    if (*r == Outcome::kDrop) return Outcome::kDrop;
  }
  context.Commit();
  return Outcome::kKeep;
}

// Binds `config_node` against the descriptor's schema and calls its factory; nullptr (after
// reporting) when either fails. Transform and predicate descriptors have the same shape.
template <typename Descriptor>
auto MakeFrom(const Descriptor& d, const Node* config_node, const std::string& path, Mark mark,
              Diagnostics* diags)
    -> std::remove_cvref_t<decltype(d.make(config::BoundConfig()).value())> {
  const size_t before = diags->size();
  const config::BoundConfig bound = config::Bind(d.schema, config_node, path, mark, diags);
  if (diags->size() != before) return nullptr;
  auto made = d.make(bound);
  if (made.ok()) return std::move(made).value();
  FactoryError(made.status(), d.schema, bound, diags);
  return nullptr;
}

// The entry's transform: its `type` looked up, its `config` bound and built.
std::unique_ptr<Transform> BuildTransform(const TransformRegistry& registry,
                                          const config::BoundConfig& entry, Mark entry_mark,
                                          Diagnostics* diags) {
  const std::string type = entry.GetString("type");
  if (type.empty()) return nullptr;  // missing or not a string: Bind reported it
  const TransformDescriptor* d = registry.FindTransform(type);
  if (d == nullptr) {
    std::vector<std::string> known;
    for (const TransformDescriptor* t : registry.Transforms()) known.push_back(t->type);
    UnknownType("transform", type, std::move(known), config::JoinPath(entry.path(), "type"),
                entry.Raw("type")->mark, diags);
    return nullptr;
  }
  const Node* config_node = entry.Raw("config");
  return MakeFrom(*d, config_node, config::JoinPath(entry.path(), "config"),
                  config_node ? config_node->mark : entry_mark, diags);
}

// The entry's predicate: `predicate: {type, config}`, or `when: "<expression>"`; nullptr when
// the entry has neither (or it is wrong, after reporting).
std::unique_ptr<Predicate> BuildPredicate(const TransformRegistry& registry,
                                          const config::BoundConfig& entry, Diagnostics* diags) {
  const std::string& path = entry.path();
  const bool has_predicate = entry.IsSet("predicate");
  const bool has_when = entry.IsSet("when");
  if (has_predicate && has_when) {
    diags->Add(config::JoinPath(path, "when"), entry.Raw("when")->mark,
               "use either 'predicate' or 'when', not both");
    return nullptr;
  }
  if (has_when) {
    auto made = MakeExpressionPredicate(entry.GetString("when"));
    if (made.ok()) return std::move(made).value();
    // Shown verbatim: the message carries the expression and a caret under the bad column.
    diags->Add(config::JoinPath(path, "when"), entry.Raw("when")->mark, made.status().message());
    return nullptr;
  }
  if (!has_predicate) {
    if (entry.IsSet("negate")) {
      diags->Add(config::JoinPath(path, "negate"), entry.Raw("negate")->mark,
                 "'negate' needs a 'predicate' or a 'when' to negate");
    }
    return nullptr;
  }
  const config::BoundConfig p = entry.GetObject("predicate");
  const std::string type = p.GetString("type");
  if (type.empty()) return nullptr;  // Bind reported it
  const PredicateDescriptor* d = registry.FindPredicate(type);
  if (d == nullptr) {
    std::vector<std::string> known;
    for (const PredicateDescriptor* t : registry.Predicates()) known.push_back(t->type);
    UnknownType("predicate", type, std::move(known), config::JoinPath(p.path(), "type"),
                p.Raw("type")->mark, diags);
    return nullptr;
  }
  const Node* config_node = p.Raw("config");
  return MakeFrom(*d, config_node, config::JoinPath(p.path(), "config"),
                  config_node ? config_node->mark : p.MarkOf(""), diags);
}

}  // namespace

TransformChain::TransformChain() = default;
TransformChain::~TransformChain() = default;
TransformChain::TransformChain(TransformChain&&) noexcept = default;
TransformChain& TransformChain::operator=(TransformChain&&) noexcept = default;

bool TransformChain::empty() const { return entries_.empty(); }

std::vector<std::string> TransformChain::Topics() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) {
    for (auto& t : e->transform->Topics()) out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

TransformChain TransformChain::Build(const std::vector<config::Node>& entries,
                                     const std::string& path, config::Diagnostics* diags) {
  const TransformRegistry& registry = BuiltinTransforms();
  TransformChain chain;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Node& node = entries[i];
    const std::string entry_path = config::IndexPath(path, i);
    if (!node.IsMap()) {
      diags->Add(entry_path, node.mark,
                 "expected a map with a 'type' (and 'config'), got " +
                     (node.IsScalar()     ? "'" + node.scalar + "'"
                      : node.IsSequence() ? std::string("a sequence")
                                          : std::string("nothing")));
      continue;
    }
    const size_t before = diags->size();
    const config::BoundConfig entry =
        config::Bind(EntrySchema(), &node, entry_path, node.mark, diags);
    auto compiled = std::make_unique<Entry>();
    const std::string type = entry.GetString("type");
    compiled->label = "transforms[" + std::to_string(i) + "] (" + type + ")";
    compiled->negate = entry.GetBool("negate");
    compiled->transform = BuildTransform(registry, entry, node.mark, diags);
    compiled->predicate = BuildPredicate(registry, entry, diags);
    if (diags->size() == before && compiled->transform) {
      chain.entries_.push_back(std::move(compiled));
    }
  }
  return chain;
}

void TransformChain::Apply(std::vector<Record>& records, const std::string& default_topic,
                           std::vector<Failure>* failures, std::vector<Record>* rejected) const {
  if (entries_.empty()) return;
  size_t kept = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    Record& record = records[i];
    Result<Outcome> outcome = Outcome::kDrop;
    {
      RecordArenaScope arena;  // declared first: the context must not outlive it
      RecordContext context(record, default_topic);
      outcome = Run(entries_, context);
    }
    if (!outcome.ok()) {
      if (failures != nullptr) failures->push_back(Failure{i, outcome.status()});
      if (rejected != nullptr) rejected->push_back(std::move(record));
      continue;
    }
    if (*outcome == Outcome::kDrop) continue;
    if (kept != i) records[kept] = std::move(record);
    ++kept;
  }
  records.erase(records.begin() + static_cast<std::ptrdiff_t>(kept), records.end());
}

void TransformChain::Apply(std::vector<ConsumedRecord>& records, std::vector<Failure>* failures,
                           std::vector<ConsumedRecord>* rejected) const {
  if (entries_.empty()) return;
  size_t kept = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    ConsumedRecord& consumed = records[i];
    Result<Outcome> outcome = Outcome::kDrop;
    {
      RecordArenaScope arena;
      RecordContext context(consumed.record, consumed.topic, consumed.partition,
                            consumed.offset.value());
      outcome = Run(entries_, context);
    }
    if (!outcome.ok()) {
      if (failures != nullptr) failures->push_back(Failure{i, outcome.status()});
      if (rejected != nullptr) rejected->push_back(std::move(consumed));
      continue;
    }
    if (*outcome == Outcome::kDrop) continue;
    // A routing transform wrote record.topic; on the sink side the topic lives beside it.
    if (!consumed.record.topic.empty()) {
      consumed.topic = std::move(consumed.record.topic);
      consumed.record.topic.clear();
    }
    if (kept != i) records[kept] = std::move(consumed);
    ++kept;
  }
  records.erase(records.begin() + static_cast<std::ptrdiff_t>(kept), records.end());
}

}  // namespace rivven::transforms
