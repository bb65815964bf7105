#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "clients/mysql/binlog_stream.h"
#include "support/mariadb_server.h"

namespace rivven::testing {

/// The server's binlog write position (SHOW MASTER STATUS).
struct MasterPosition {
  std::string file;
  uint64_t position = 0;
};
MasterPosition CurrentPosition(const MariadbServer& server);

/// One event copied out of a BinlogStream (RawEvent only lives until the next Next()).
struct SeenEvent {
  mysql::EventType type = mysql::EventType::kUnknown;
  uint32_t next_position = 0;
  uint16_t flags = 0;
  std::string bytes;
  std::string file;  ///< the stream's current_file() after the event
  std::chrono::steady_clock::time_point at;
};

/// Reads events until `done` returns true for one (included), until `limit` has passed, or
/// until an error (stored in `*error`; Ok otherwise). Each Next() returns within the stream's
/// heartbeat period when the server is idle, so the limit holds.
std::vector<SeenEvent> ReadUntil(mysql::BinlogStream& stream,
                                 const std::function<bool(const SeenEvent&)>& done,
                                 std::chrono::milliseconds limit, Status* error);

/// The events that carry data: no heartbeats, no artificial events, no FORMAT_DESCRIPTION.
std::vector<SeenEvent> DataEvents(const std::vector<SeenEvent>& events);
/// The events' type names, for readable comparisons ("GTID", "TABLE_MAP", ...).
std::vector<std::string> Types(const std::vector<SeenEvent>& events);
size_t Count(const std::vector<SeenEvent>& events, mysql::EventType type);

uint32_t LittleEndian32(const std::string& bytes, size_t at);
uint64_t LittleEndian64(const std::string& bytes, size_t at);

}  // namespace rivven::testing
