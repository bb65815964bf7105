#include "connectors/postgres/pgoutput.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <utility>

namespace rivven::postgres {
namespace {

/// 2000-01-01 00:00:00 UTC in milliseconds since the Unix epoch.
constexpr int64_t kPgEpochUnixMs = 946'684'800'000;

/// "'I'" for a printable byte, "0x07" otherwise: error messages must stay readable when the
/// byte is garbage.
std::string DescribeByte(uint8_t b) {
  char buf[8];
  if (b >= 0x20 && b < 0x7f) {
    std::snprintf(buf, sizeof(buf), "'%c'", static_cast<char>(b));
  } else {
    std::snprintf(buf, sizeof(buf), "0x%02X", b);
  }
  return buf;
}

/// A big-endian cursor over one message. The first failed read records why and where (the
/// byte offset from the start of the message, type byte included); later reads return zero
/// values without moving, so a decoder reads a whole message and checks once. Nothing is
/// allocated unless a read fails, which keeps the per-row path cheap.
class Reader {
 public:
  /// `what` names the message ("pgoutput Insert ('I')"); it must outlive the reader.
  Reader(std::string_view bytes, const char* what) : bytes_(bytes), what_(what), pos_(1) {}

  bool ok() const { return status_.ok(); }
  size_t pos() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  /// Which tuple column is being read, for error messages; -1 outside tuples.
  void set_column(int column) { column_ = column; }

  uint8_t U8(const char* field) { return static_cast<uint8_t>(Uint(1, field)); }
  int16_t I16(const char* field) { return static_cast<int16_t>(Uint(2, field)); }
  uint32_t U32(const char* field) { return static_cast<uint32_t>(Uint(4, field)); }
  int32_t I32(const char* field) { return static_cast<int32_t>(Uint(4, field)); }
  uint64_t U64(const char* field) { return Uint(8, field); }
  int64_t I64(const char* field) { return static_cast<int64_t>(Uint(8, field)); }

  std::string_view Bytes(size_t n, const char* field) {
    if (!Need(n, field)) return {};
    std::string_view out = bytes_.substr(pos_, n);
    pos_ += n;
    return out;
  }

  /// A NUL-terminated string; the terminator is consumed but not returned.
  std::string_view CString(const char* field) {
    if (!ok()) return {};
    size_t end = bytes_.find('\0', pos_);
    if (end == std::string_view::npos) {
      FailAt(pos_, std::string(field) + " has no terminating NUL");
      return {};
    }
    std::string_view out = bytes_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return out;
  }

  /// A count that pgoutput sends signed; negative counts are corruption.
  int64_t Count(int width, const char* field) {
    size_t at = pos_;
    int64_t n = width == 2 ? I16(field) : I32(field);
    if (n < 0) FailAt(at, std::string(field) + " is negative (" + std::to_string(n) + ")");
    return ok() ? n : 0;
  }

  void FailAt(size_t at, const std::string& why) {
    if (!ok()) return;
    std::string msg = what_;
    msg += ": ";
    if (column_ >= 0) msg += "column " + std::to_string(column_) + ": ";
    msg += why;
    msg += " at byte ";
    msg += std::to_string(at);
    status_ = Status::Corruption(std::move(msg));
  }

  /// The outcome: the first error, or an error if bytes are left over (every message we
  /// decode is self-delimiting, so leftovers mean the layout is not what we think it is).
  Status Finish() {
    if (ok() && pos_ != bytes_.size()) {
      column_ = -1;
      FailAt(pos_, "unexpected trailing bytes (" + std::to_string(remaining()) + ")");
    }
    return status_;
  }

 private:
  bool Need(size_t n, const char* field) {
    if (!ok()) return false;
    if (remaining() < n) {
      FailAt(pos_, std::string(field) + " needs " + std::to_string(n) +
                       (n == 1 ? " byte, " : " bytes, ") + std::to_string(remaining()) + " left");
      return false;
    }
    return true;
  }

  uint64_t Uint(size_t n, const char* field) {
    if (!Need(n, field)) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(bytes_[pos_ + i]);
    pos_ += n;
    return v;
  }

  std::string_view bytes_;
  const char* what_;
  size_t pos_;
  int column_ = -1;
  Status status_;
};

template <typename T>
Result<PgOutputMessage> Done(Reader& r, T message) {
  Status s = r.Finish();
  if (!s.ok()) return s;
  return PgOutputMessage(std::move(message));
}

TupleData ReadTuple(Reader& r) {
  TupleData tuple;
  int64_t n = r.Count(2, "column count");
  // Each column takes at least one byte, so a huge count in a short message cannot make us
  // reserve much.
  tuple.reserve(static_cast<size_t>(std::min<int64_t>(n, static_cast<int64_t>(r.remaining()))));
  for (int i = 0; i < n && r.ok(); ++i) {
    r.set_column(i);
    size_t at = r.pos();
    uint8_t kind = r.U8("kind");
    TupleValue v;
    switch (kind) {
      case 'n':
        v.kind = TupleValue::Kind::kNull;
        break;
      case 'u':
        v.kind = TupleValue::Kind::kUnchangedToast;
        break;
      case 't':
      case 'b': {
        v.kind = kind == 't' ? TupleValue::Kind::kText : TupleValue::Kind::kBinary;
        int64_t len = r.Count(4, "value length");
        v.data = r.Bytes(static_cast<size_t>(len), "value");
        break;
      }
      default:
        if (r.ok()) r.FailAt(at, "unknown value kind " + DescribeByte(kind));
        break;
    }
    if (r.ok()) tuple.push_back(v);
  }
  r.set_column(-1);
  return tuple;
}

/// Reads the byte that introduces a tuple ('N', 'K' or 'O') and checks it is one of `allowed`.
char ReadTupleTag(Reader& r, std::string_view allowed, const char* field) {
  size_t at = r.pos();
  uint8_t tag = r.U8(field);
  if (r.ok() && allowed.find(static_cast<char>(tag)) == std::string_view::npos) {
    std::string expected;
    for (char c : allowed) expected += (expected.empty() ? "" : " or ") + DescribeByte(c);
    r.FailAt(at, std::string(field) + " is " + DescribeByte(tag) + ", expected " + expected);
  }
  return r.ok() ? static_cast<char>(tag) : 0;
}

Result<PgOutputMessage> DecodeBegin(Reader& r) {
  BeginMessage m;
  m.final_lsn = r.U64("final LSN");
  m.commit_time = r.I64("commit timestamp");
  m.xid = r.U32("xid");
  return Done(r, std::move(m));
}

Result<PgOutputMessage> DecodeCommit(Reader& r) {
  CommitMessage m;
  m.flags = r.U8("flags");
  m.commit_lsn = r.U64("commit LSN");
  m.end_lsn = r.U64("end LSN");
  m.commit_time = r.I64("commit timestamp");
  return Done(r, std::move(m));
}

Result<PgOutputMessage> DecodeOrigin(Reader& r) {
  OriginMessage m;
  m.commit_lsn = r.U64("commit LSN");
  m.name = r.CString("origin name");
  return Done(r, std::move(m));
}

Result<PgOutputMessage> DecodeRelation(Reader& r) {
  RelationMessage m;
  m.relation_id = r.U32("relation id");
  m.schema = r.CString("namespace");
  m.table = r.CString("relation name");
  size_t at = r.pos();
  uint8_t identity = r.U8("replica identity");
  if (r.ok() && identity != 'd' && identity != 'n' && identity != 'f' && identity != 'i') {
    r.FailAt(at, "unknown replica identity " + DescribeByte(identity));
  }
  m.replica_identity = static_cast<char>(identity);
  int64_t n = r.Count(2, "column count");
  // A column takes at least 10 bytes (flags, empty name, type, modifier).
  m.columns.reserve(static_cast<size_t>(std::min<int64_t>(n, r.remaining() / 10)));
  for (int i = 0; i < n && r.ok(); ++i) {
    r.set_column(i);
    RelationColumn c;
    c.key = (r.U8("flags") & 1) != 0;
    c.name = r.CString("name");
    c.type_oid = r.U32("type oid");
    c.type_modifier = r.I32("type modifier");
    if (r.ok()) m.columns.push_back(std::move(c));
  }
  r.set_column(-1);
  return Done(r, std::move(m));
}

Result<PgOutputMessage> DecodeType(Reader& r) {
  TypeMessage m;
  m.type_oid = r.U32("type oid");
  m.schema = r.CString("namespace");
  m.name = r.CString("type name");
  return Done(r, std::move(m));
}

Result<PgOutputMessage> DecodeInsert(Reader& r) {
  InsertMessage m;
  m.relation_id = r.U32("relation id");
  ReadTupleTag(r, "N", "tuple tag");
  m.new_tuple = ReadTuple(r);
  return Done(r, std::move(m));
}

Result<PgOutputMessage> DecodeUpdate(Reader& r) {
  UpdateMessage m;
  m.relation_id = r.U32("relation id");
  char tag = ReadTupleTag(r, "KON", "tuple tag");
  if (tag == 'K' || tag == 'O') {
    m.old_kind = tag;
    m.old_tuple = ReadTuple(r);
    ReadTupleTag(r, "N", "new tuple tag");
  }
  m.new_tuple = ReadTuple(r);
  return Done(r, std::move(m));
}

Result<PgOutputMessage> DecodeDelete(Reader& r) {
  DeleteMessage m;
  m.relation_id = r.U32("relation id");
  m.old_kind = ReadTupleTag(r, "KO", "tuple tag");
  m.old_tuple = ReadTuple(r);
  return Done(r, std::move(m));
}

Result<PgOutputMessage> DecodeTruncate(Reader& r) {
  TruncateMessage m;
  int64_t n = r.Count(4, "relation count");
  uint8_t options = r.U8("options");
  m.cascade = (options & 1) != 0;
  m.restart_identity = (options & 2) != 0;
  m.relation_ids.reserve(static_cast<size_t>(std::min<int64_t>(n, r.remaining() / 4)));
  for (int64_t i = 0; i < n && r.ok(); ++i) {
    uint32_t id = r.U32("relation id");
    if (r.ok()) m.relation_ids.push_back(id);
  }
  return Done(r, std::move(m));
}

Result<PgOutputMessage> DecodeMessage(Reader& r) {
  LogicalMessage m;
  m.transactional = (r.U8("flags") & 1) != 0;
  m.lsn = r.U64("LSN");
  m.prefix = r.CString("prefix");
  int64_t len = r.Count(4, "content length");
  m.content = r.Bytes(static_cast<size_t>(len), "content");
  return Done(r, std::move(m));
}

}  // namespace

std::string FormatLsn(Lsn lsn) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%X/%X", static_cast<unsigned>(lsn >> 32),
                static_cast<unsigned>(lsn & 0xFFFFFFFFu));
  return buf;
}

Result<Lsn> ParseLsn(std::string_view text) {
  // As PostgreSQL's pg_lsn input: 1 to 8 hex digits, '/', 1 to 8 hex digits, nothing else.
  auto bad = [&] {
    return Status::InvalidArgument("invalid LSN \"" + std::string(text) +
                                   "\": expected two groups of 1 to 8 hex digits, as 16/B374D848");
  };
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return bad();
  uint64_t parts[2] = {0, 0};
  std::string_view groups[2] = {text.substr(0, slash), text.substr(slash + 1)};
  for (int g = 0; g < 2; ++g) {
    if (groups[g].empty() || groups[g].size() > 8) return bad();
    for (char c : groups[g]) {
      int digit;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'A' && c <= 'F') {
        digit = c - 'A' + 10;
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else {
        return bad();
      }
      parts[g] = (parts[g] << 4) | static_cast<uint64_t>(digit);
    }
  }
  return Lsn{(parts[0] << 32) | parts[1]};
}

int64_t PgTimestampToUnixMs(int64_t pg_micros) {
  // PostgreSQL's 'infinity' and '-infinity' stay at the ends of the range.
  if (pg_micros == std::numeric_limits<int64_t>::max() ||
      pg_micros == std::numeric_limits<int64_t>::min()) {
    return pg_micros;
  }
  // Floor, so an instant before 2000 lands in the millisecond that contains it.
  int64_t ms = pg_micros / 1000;
  if (pg_micros % 1000 < 0) --ms;
  return ms + kPgEpochUnixMs;
}

int64_t UnixMsToPgTimestamp(int64_t unix_ms) {
  int64_t shifted = 0;
  int64_t micros = 0;
  if (__builtin_sub_overflow(unix_ms, kPgEpochUnixMs, &shifted) ||
      __builtin_mul_overflow(shifted, int64_t{1000}, &micros)) {
    return unix_ms < 0 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
  }
  return micros;
}

Result<ReplicationMessage> DecodeReplicationMessage(std::string_view bytes) {
  if (bytes.empty()) {
    return Status::Corruption("replication stream: empty CopyData message at byte 0");
  }
  switch (bytes[0]) {
    case 'w': {
      Reader r(bytes, "replication stream XLogData ('w')");
      XLogData m;
      m.wal_start = r.U64("WAL start");
      m.wal_end = r.U64("WAL end");
      m.send_time = r.I64("send time");
      m.payload = r.Bytes(r.ok() ? r.remaining() : 0, "payload");
      RC_RETURN_IF_ERROR(r.Finish());
      return ReplicationMessage(m);
    }
    case 'k': {
      Reader r(bytes, "replication stream primary keepalive ('k')");
      PrimaryKeepalive m;
      m.wal_end = r.U64("WAL end");
      m.send_time = r.I64("send time");
      m.reply_requested = r.U8("reply flag") != 0;
      RC_RETURN_IF_ERROR(r.Finish());
      return ReplicationMessage(m);
    }
    default:
      return Status::Corruption("replication stream: unknown CopyData message type " +
                                DescribeByte(static_cast<uint8_t>(bytes[0])) + " at byte 0");
  }
}

std::string EncodeStandbyStatusUpdate(Lsn written, Lsn flushed, Lsn applied, int64_t now_pg_micros,
                                      bool reply_requested) {
  std::string out;
  out.reserve(34);
  out.push_back('r');
  auto put64 = [&out](uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
  };
  put64(written);
  put64(flushed);
  put64(applied);
  put64(static_cast<uint64_t>(now_pg_micros));
  out.push_back(reply_requested ? 1 : 0);
  return out;
}

Result<PgOutputMessage> DecodePgOutput(std::string_view bytes) {
  if (bytes.empty()) return Status::Corruption("pgoutput: empty message at byte 0");
  switch (bytes[0]) {
    case 'B': {
      Reader r(bytes, "pgoutput Begin ('B')");
      return DecodeBegin(r);
    }
    case 'C': {
      Reader r(bytes, "pgoutput Commit ('C')");
      return DecodeCommit(r);
    }
    case 'O': {
      Reader r(bytes, "pgoutput Origin ('O')");
      return DecodeOrigin(r);
    }
    case 'R': {
      Reader r(bytes, "pgoutput Relation ('R')");
      return DecodeRelation(r);
    }
    case 'Y': {
      Reader r(bytes, "pgoutput Type ('Y')");
      return DecodeType(r);
    }
    case 'I': {
      Reader r(bytes, "pgoutput Insert ('I')");
      return DecodeInsert(r);
    }
    case 'U': {
      Reader r(bytes, "pgoutput Update ('U')");
      return DecodeUpdate(r);
    }
    case 'D': {
      Reader r(bytes, "pgoutput Delete ('D')");
      return DecodeDelete(r);
    }
    case 'T': {
      Reader r(bytes, "pgoutput Truncate ('T')");
      return DecodeTruncate(r);
    }
    case 'M': {
      Reader r(bytes, "pgoutput Message ('M')");
      return DecodeMessage(r);
    }
    default:
      // Stream ('S', 'E', 'c', 'A') and two-phase messages only come with protocol 2 and later.
      return Status::Corruption("pgoutput: unknown message type " +
                                DescribeByte(static_cast<uint8_t>(bytes[0])) +
                                " for protocol version 1 at byte 0");
  }
}

}  // namespace rivven::postgres
