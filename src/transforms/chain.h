#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "config/diagnostics.h"
#include "config/node.h"
#include "record/record.h"

namespace rivven::transforms {

class Transform;
class Predicate;

/// A `transforms:` list compiled once: each entry's type looked up, its config bound, its
/// predicate (if any) built. Apply runs every record through the entries in order.
///
/// YAML of one entry:
///   - type: MaskField            # required
///     config: {fields: [card]}   # the transform's keys
///     predicate:                 # optional: apply only to matching records
///       type: TopicNameMatches   #   a predicate type, or
///       config: {pattern: "cdc\\..*"}
///     when: "value.total > 100"  # optional shorthand: an expression predicate
///     negate: false              # apply to the records the predicate does NOT match
class TransformChain {
 public:
  TransformChain();
  ~TransformChain();
  TransformChain(TransformChain&&) noexcept;
  TransformChain& operator=(TransformChain&&) noexcept;

  /// Builds the chain; every problem goes to `diags` under `path` ("sources.x.transforms").
  static TransformChain Build(const std::vector<config::Node>& entries, const std::string& path,
                              config::Diagnostics* diags);

  bool empty() const;
  /// Every topic a routing entry may send records to that is known at startup (ContentRouter's
  /// routes and default, fixed RegexRouter/EventRouter replacements), sorted, no duplicates.
  std::vector<std::string> Topics() const;

  /// A record that a transform rejected, with the reason (naming the transform and index).
  struct Failure {
    size_t index;  ///< position in the input batch
    Status error;
  };

  /// Source side: transforms `records` in place; dropped records are removed, failed ones are
  /// removed and reported in `failures` with their index in the input (the caller applies
  /// on_error to them — it must copy what it needs before calling, or use `rejected`).
  /// `default_topic` is the source's topic (records with an empty topic field are on it); a
  /// routing transform sets record.topic.
  void Apply(std::vector<Record>& records, const std::string& default_topic,
             std::vector<Failure>* failures, std::vector<Record>* rejected) const;
  /// Sink side: the same for consumed records (partition/offset visible to transforms; a
  /// routing transform changes ConsumedRecord::topic).
  void Apply(std::vector<ConsumedRecord>& records, std::vector<Failure>* failures,
             std::vector<ConsumedRecord>* rejected) const;

 private:
  struct Entry;
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace rivven::transforms
