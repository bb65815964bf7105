#include "binlog_test_util.h"

#include <string>

#include "base/status.h"

namespace rivven::testing {

MasterPosition CurrentPosition(const MariadbServer& server) {
  auto conn = server.Connect();
  auto status = conn->Query("SHOW MASTER STATUS");
  RC_ASSERT(status.ok() && status->rows() == 1);
  MasterPosition p;
  p.file = std::string(status->Value(0, "File").value_or(""));
  p.position = std::stoull(std::string(status->Value(0, "Position").value_or("0")));
  return p;
}

std::vector<SeenEvent> ReadUntil(mysql::BinlogStream& stream,
                                 const std::function<bool(const SeenEvent&)>& done,
                                 std::chrono::milliseconds limit, Status* error) {
  *error = Status::Ok();
  std::vector<SeenEvent> seen;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto event = stream.Next();
    if (!event.ok()) {
      *error = event.status();
      break;
    }
    SeenEvent e;
    e.type = event->type;
    e.next_position = event->next_position;
    e.flags = event->flags;
    e.bytes = std::string(event->bytes);
    e.file = stream.current_file();
    e.at = std::chrono::steady_clock::now();
    seen.push_back(e);
    if (done(seen.back())) break;
  }
  return seen;
}

std::vector<SeenEvent> DataEvents(const std::vector<SeenEvent>& events) {
  std::vector<SeenEvent> out;
  for (const SeenEvent& e : events) {
    if (e.type == mysql::EventType::kHeartbeat || (e.flags & 0x20) != 0 ||
        e.type == mysql::EventType::kFormatDescription) {
      continue;
    }
    out.push_back(e);
  }
  return out;
}

std::vector<std::string> Types(const std::vector<SeenEvent>& events) {
  std::vector<std::string> types;
  for (const SeenEvent& e : events) types.push_back(mysql::EventTypeName(e.type));
  return types;
}

size_t Count(const std::vector<SeenEvent>& events, mysql::EventType type) {
  size_t n = 0;
  for (const SeenEvent& e : events) n += e.type == type ? 1 : 0;
  return n;
}

uint32_t LittleEndian32(const std::string& bytes, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(bytes.at(at + i));
  return v;
}

uint64_t LittleEndian64(const std::string& bytes, size_t at) {
  return uint64_t{LittleEndian32(bytes, at)} | uint64_t{LittleEndian32(bytes, at + 4)} << 32;
}

}  // namespace rivven::testing
