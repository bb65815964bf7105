#pragma once

// Change events as the CDC tests read them from a file sink's output: parsing, replaying them
// into a table state, and comparing states. Every table these tests use is
// t(id bigint primary key, version bigint, val text).
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rivven::testing {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

/// One change event of the output file, reduced to what the checks need. Every table here is
/// t(id bigint primary key, version bigint, val text).
struct Event {
  char op = '?';
  int64_t id = -1;                   ///< after.id, or before.id for deletes
  std::optional<int64_t> before_id;  ///< before.id when the event carries a before image
  int64_t version = -1;              ///< after.version; -1 without an after image
  std::string val;                   ///< after.val
  std::string snapshot;              ///< source.snapshot: "true", "last" or "false"
  int64_t tx_id = -1;                ///< source.txId (PostgreSQL); -1 for snapshot rows
  int64_t lsn = -1;                  ///< source.lsn (PostgreSQL)
  std::string gtid;                  ///< source.gtid (MySQL)
  std::string file;                  ///< source.file (MySQL)
  int64_t pos = -1;                  ///< source.pos (MySQL)
};

/// A row as the checks compare it: "version|val".
using TableState = std::map<int64_t, std::string>;

std::string RowText(int64_t version, const std::string& val);
std::optional<Event> ParseEvent(const std::string& line, std::string* error);
std::vector<Event> ReadEvents(const std::string& path);
TableState Replay(const std::vector<Event>& events);
std::string Difference(const TableState& captured, const TableState& table);
std::string Tail(const std::string& text, size_t n = 4000);
bool WaitUntil(const std::function<bool()>& done, Clock::duration timeout);
double SecondsSince(Clock::time_point start);

}  // namespace rivven::testing
