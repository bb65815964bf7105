#include "support/change_events.h"

#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "support/process.h"

namespace rivven::testing {

std::string RowText(int64_t version, const std::string& val) {
  return std::to_string(version) + "|" + val;
}

std::optional<Event> ParseEvent(const std::string& line, std::string* error) {
  rapidjson::Document d;
  d.Parse(line.c_str(), line.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("op") || !d["op"].IsString()) {
    *error = "not a change event";
    return std::nullopt;
  }
  Event e;
  e.op = d["op"].GetString()[0];
  const auto int_of = [](const rapidjson::Value& row, const char* name) -> int64_t {
    return row.HasMember(name) && row[name].IsInt64() ? row[name].GetInt64() : -1;
  };
  if (d.HasMember("before") && d["before"].IsObject()) e.before_id = int_of(d["before"], "id");
  if (d.HasMember("after") && d["after"].IsObject()) {
    const rapidjson::Value& after = d["after"];
    e.id = int_of(after, "id");
    e.version = int_of(after, "version");
    if (after.HasMember("val") && after["val"].IsString()) e.val = after["val"].GetString();
  } else if (e.before_id) {
    e.id = *e.before_id;
  }
  if (d.HasMember("source") && d["source"].IsObject()) {
    const rapidjson::Value& source = d["source"];
    if (source.HasMember("snapshot") && source["snapshot"].IsString()) {
      e.snapshot = source["snapshot"].GetString();
    }
    if (source.HasMember("txId") && source["txId"].IsInt64()) e.tx_id = source["txId"].GetInt64();
    if (source.HasMember("lsn") && source["lsn"].IsInt64()) e.lsn = source["lsn"].GetInt64();
    if (source.HasMember("gtid") && source["gtid"].IsString()) e.gtid = source["gtid"].GetString();
    if (source.HasMember("file") && source["file"].IsString()) e.file = source["file"].GetString();
    if (source.HasMember("pos") && source["pos"].IsInt64()) e.pos = source["pos"].GetInt64();
  }
  if (e.id < 0) {
    *error = "no id in the event";
    return std::nullopt;
  }
  return e;
}

/// The events of the sink's output so far: complete lines only (the pipeline may be writing).
std::vector<Event> ReadEvents(const std::string& path) {
  const std::string text = ReadFile(path);
  std::vector<Event> events;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    const std::string line = text.substr(start, end - start);
    std::string error;
    auto event = ParseEvent(line, &error);
    if (!event) {
      ADD_FAILURE() << error << ": " << line;
      continue;
    }
    events.push_back(std::move(*event));
  }
  return events;
}

/// Each key's state after the events, in order: the last event wins, a delete removes the key,
/// and an update that changed the key removes the old one.
TableState Replay(const std::vector<Event>& events) {
  TableState state;
  for (const Event& e : events) {
    switch (e.op) {
      case 'd': state.erase(e.id); break;
      case 'u':
        if (e.before_id && *e.before_id != e.id) state.erase(*e.before_id);
        [[fallthrough]];
      case 'r':
      case 'c': state[e.id] = RowText(e.version, e.val); break;
      default: break;
    }
  }
  return state;
}

/// Where two states differ, at most a few keys, for failure messages.
std::string Difference(const TableState& captured, const TableState& table) {
  std::string text;
  int shown = 0;
  std::set<int64_t> keys;
  for (const auto& [id, row] : captured) keys.insert(id);
  for (const auto& [id, row] : table) keys.insert(id);
  for (int64_t id : keys) {
    auto c = captured.find(id);
    auto t = table.find(id);
    const std::string cs = c == captured.end() ? "<absent>" : c->second;
    const std::string ts = t == table.end() ? "<absent>" : t->second;
    if (cs == ts) continue;
    if (++shown > 8) {
      text += "  ...\n";
      break;
    }
    text += "  id " + std::to_string(id) + ": captured " + cs + ", table " + ts + "\n";
  }
  return text;
}

std::string Tail(const std::string& text, size_t n) {
  return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

bool WaitUntil(const std::function<bool()>& done, Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return true;
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace rivven::testing
