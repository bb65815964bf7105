#pragma once

namespace rivven::transforms {

/// Lends this thread's reusable JSON memory to the next RecordContext constructed on the thread,
/// so a chain parses, edits and serializes a record without a single malloc of its own: the
/// DOM's pool (a fixed first block, cleared between records) and the parser's stack live as long
/// as the thread. Without a scope a RecordContext owns its memory (tests, one-off contexts).
///
/// Usage (the chain, once per record):
///   RecordArenaScope arena;           // must outlive the context: declare it first
///   RecordContext context(record, topic);
///
/// Only the first RecordContext constructed in the scope uses the arena; a scope opened while
/// another is active on the same thread lends nothing. Not copyable; thread-local by design.
class RecordArenaScope {
 public:
  RecordArenaScope();
  ~RecordArenaScope();
  RecordArenaScope(const RecordArenaScope&) = delete;
  RecordArenaScope& operator=(const RecordArenaScope&) = delete;

 private:
  bool owner_ = false;
};

}  // namespace rivven::transforms
