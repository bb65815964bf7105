#pragma once

// Helpers shared by the binlog tests: hex, event framing by hand, decoding a whole capture.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/mysql/binlog_crc32.h"
#include "connectors/mysql/binlog_event.h"
#include "connectors/mysql/tests/mariadb_capture.h"

namespace rivven::mysql::testing {

/// Hex digits to bytes; spaces separate fields for the reader.
inline std::string Unhex(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string digits;
  for (char c : hex) {
    if (c != ' ' && c != '\n') digits.push_back(c);
  }
  std::string out;
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(digits[i]) << 4 | nibble(digits[i + 1])));
  }
  return out;
}

inline std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

inline void PutLe(std::string& out, uint64_t v, int bytes) {
  // Bytes past the eighth are zero (shifting a uint64_t by 64 or more is undefined; UBSan).
  for (int i = 0; i < bytes; ++i) out.push_back(i < 8 ? static_cast<char>(v >> (8 * i)) : '\0');
}

/// A whole event around `body`: the 19-byte header (timestamp 0x6a000000, server id 1,
/// log_pos = `end_pos`) and, with `crc`, a correct CRC32.
inline std::string Frame(uint8_t type, std::string_view body, bool crc = true,
                         uint32_t end_pos = 1000, uint16_t flags = 0) {
  std::string e;
  PutLe(e, 0x6a000000, 4);
  e.push_back(static_cast<char>(type));
  PutLe(e, 1, 4);
  PutLe(e, kEventHeaderSize + body.size() + (crc ? 4 : 0), 4);
  PutLe(e, end_pos, 4);
  PutLe(e, flags, 2);
  e.append(body);
  if (crc) PutLe(e, BinlogCrc32(e), 4);
  return e;
}

/// The captured binlog file's events, decoded in order by one decoder (which then holds the
/// last table maps). Fails the test on any error.
inline std::vector<std::string> CapturedFileEvents() {
  std::vector<std::string> out;
  for (const auto& e : testdata::kFileEvents) out.push_back(Unhex(e.hex));
  return out;
}

/// A MySQL 8.0 FORMAT_DESCRIPTION_EVENT (binlog v4, "8.0.36", CRC32 or none), with the
/// post-header lengths of MySQL 8.0 (41 event types).
inline std::string MysqlFde(bool crc32) {
  std::string body;
  PutLe(body, 4, 2);
  std::string version = "8.0.36";
  version.resize(50, '\0');
  body += version;
  PutLe(body, 0, 4);
  body.push_back(19);
  const uint8_t lengths[] = {0, 13, 0, 8, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 98, 0, 4, 0, 8, 0, 0,
                             0, 8, 8, 8, 2, 0, 0, 0, 10, 10, 10, 42, 42, 0, 18, 52, 0, 10, 40, 0};
  body.append(reinterpret_cast<const char*>(lengths), sizeof lengths);
  body.push_back(crc32 ? 1 : 0);
  // The FDE always ends with 4 checksum bytes after the algorithm byte.
  return Frame(15, body, true);
}

}  // namespace rivven::mysql::testing
