#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

/// A little-endian cursor over one binlog event, shared by the event decoders (not part of
/// the module's API). Like the pgoutput reader: the first failed read records why and where
/// (the byte offset from the start of the event, header included); later reads return zero
/// values without moving, so a decoder reads a whole event and checks once.
namespace rivven::mysql::internal {

/// Names what a Reader reads, for messages: `fixed` when set, else "binlog <TYPE> (type N) at
/// position P". Rendered only when a message is made, not for every event.
struct EventName {
  std::string_view fixed;
  uint8_t type = 0;
  uint64_t position = 0;
  std::string Render() const;  // binlog_event.cc
};

class Reader {
 public:
  /// `bytes` is the event without its checksum; reading starts at `start`. `what` names the
  /// event for messages and must outlive the reader.
  Reader(std::string_view bytes, size_t start, const EventName& what)
      : bytes_(bytes), what_(what), pos_(start) {}

  bool ok() const { return status_.ok(); }
  size_t pos() const { return pos_; }
  size_t remaining() const { return pos_ <= bytes_.size() ? bytes_.size() - pos_ : 0; }
  /// Which column is being read, for messages; -1 outside columns.
  void set_column(int64_t column) { column_ = column; }

  uint8_t U8(const char* field) { return static_cast<uint8_t>(Uint(1, field)); }
  uint16_t U16(const char* field) { return static_cast<uint16_t>(Uint(2, field)); }
  uint32_t U32(const char* field) { return static_cast<uint32_t>(Uint(4, field)); }
  uint64_t U48(const char* field) { return Uint(6, field); }
  uint64_t U64(const char* field) { return Uint(8, field); }
  uint64_t Uint(size_t n, const char* field) {
    if (!Need(n, field)) return 0;
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | static_cast<uint8_t>(bytes_[pos_ + i]);
    pos_ += n;
    return v;
  }

  std::string_view Bytes(size_t n, const char* field) {
    if (!Need(n, field)) return {};
    std::string_view out = bytes_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  std::string_view Rest() { return Bytes(remaining(), "rest"); }
  void Skip(size_t n, const char* field) { Bytes(n, field); }

  /// A length-encoded integer (1, 3, 4 or 9 bytes); 0xFB (NULL) and 0xFF are corruption.
  uint64_t Packed(const char* field) {
    const size_t at = pos_;
    const uint8_t first = U8(field);
    if (!ok()) return 0;
    if (first < 0xFB) return first;
    if (first == 0xFC) return Uint(2, field);
    if (first == 0xFD) return Uint(3, field);
    if (first == 0xFE) return Uint(8, field);
    FailAt(at, std::string(field) + " is not a length-encoded integer (first byte 0x" +
                   (first == 0xFB ? "FB" : "FF") + ")");
    return 0;
  }

  /// A count of items that each take at least `min_item_bytes`: larger than what is left
  /// means corruption (and keeps a garbage count from sizing an allocation).
  uint64_t Count(uint64_t n, size_t min_item_bytes, size_t at, const char* field) {
    if (ok() && min_item_bytes > 0 && n > remaining() / min_item_bytes) {
      FailAt(at, std::string(field) + " " + std::to_string(n) + " does not fit in the " +
                     std::to_string(remaining()) + " bytes left");
    }
    return ok() ? n : 0;
  }

  /// A reader over the next `n` bytes only (offsets stay those of the event); this reader
  /// moves past them. Take the sub-reader's error back with Adopt.
  Reader Sub(size_t n, const char* field) {
    const size_t start = pos_;
    Skip(n, field);
    Reader sub(bytes_.substr(0, ok() ? start + n : start), start, what_);
    if (!ok()) sub.status_ = status_;
    return sub;
  }
  void Adopt(const Status& sub) {
    if (ok() && !sub.ok()) status_ = sub;
  }

  void FailAt(size_t at, const std::string& why) {
    if (!ok()) return;
    std::string msg = what_.Render();
    msg += ": ";
    if (column_ >= 0) msg += "column " + std::to_string(column_) + ": ";
    msg += why;
    msg += " at byte ";
    msg += std::to_string(at);
    status_ = Status::Corruption(std::move(msg));
  }
  void Fail(const std::string& why) { FailAt(pos_, why); }

  /// The first error, or an error for bytes left over.
  Status Finish() {
    if (ok() && pos_ != bytes_.size()) {
      column_ = -1;
      Fail("unexpected trailing bytes (" + std::to_string(remaining()) + ")");
    }
    return status_;
  }
  const Status& status() const { return status_; }

 private:
  bool Need(size_t n, const char* field) {
    if (ok() && remaining() >= n) [[likely]] return true;
    return NeedFailed(n, field);
  }
  [[gnu::noinline]] bool NeedFailed(size_t n, const char* field) {
    if (!ok()) return false;
    if (remaining() < n) {
      Fail(std::string(field) + " needs " + std::to_string(n) + (n == 1 ? " byte, " : " bytes, ") +
           std::to_string(remaining()) + " left");
      return false;
    }
    return true;
  }

  std::string_view bytes_;
  const EventName& what_;
  size_t pos_;
  int64_t column_ = -1;
  Status status_;
};

}  // namespace rivven::mysql::internal

namespace rivven::mysql {
struct TableMap;
namespace internal {
/// Reads a TABLE_MAP_EVENT's post-header (`post_header_length` bytes) and body into `map`
/// (binlog_table_map.cc); errors are left in `r`. `mariadb`: the server is MariaDB, whose
/// optional metadata counts GEOMETRY among the character columns.
void ReadTableMap(Reader& r, uint8_t post_header_length, TableMap& map, bool mariadb);
}  // namespace internal
}  // namespace rivven::mysql
