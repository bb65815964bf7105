#include "connectors/mysql/binlog_event.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <utility>

#include "connectors/mysql/binlog_crc32.h"
#include "connectors/mysql/binlog_reader.h"

namespace rivven::mysql {
namespace {

using internal::EventName;
using internal::Reader;

constexpr uint8_t kFormatDescriptionType = static_cast<uint8_t>(BinlogEventType::kFormatDescription);

uint32_t LoadLe32(const char* p) {
  return static_cast<uint32_t>(static_cast<uint8_t>(p[0])) |
         static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(p[3])) << 24;
}

/// Whether a server of this version ends its FDE with the checksum algorithm byte and a
/// checksum: MySQL 5.6.1 and later, MariaDB 5.3 and later.
bool VersionHasChecksum(std::string_view version) {
  int parts[3] = {0, 0, 0};
  size_t i = 0;
  for (int& part : parts) {
    while (i < version.size() && version[i] >= '0' && version[i] <= '9') {
      part = std::min(part * 10 + (version[i] - '0'), 100000);
      ++i;
    }
    if (i < version.size() && version[i] == '.') ++i;
  }
  const bool mariadb = version.find("MariaDB") != std::string_view::npos;
  const int min[3] = {5, mariadb ? 3 : 6, mariadb ? 0 : 1};
  return std::lexicographical_compare(min, min + 3, parts, parts + 3) ||
         std::equal(min, min + 3, parts);
}

bool StartsWithWord(std::string_view sql, std::string_view word) {
  if (sql.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    char c = sql[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != word[i]) return false;
  }
  if (sql.size() == word.size()) return true;
  const char next = sql[word.size()];
  return next == ' ' || next == '\t' || next == '\n' || next == '\r' || next == ';';
}

QueryKind ClassifyQuery(std::string_view sql) {
  while (!sql.empty() && (sql.front() == ' ' || sql.front() == '\t' || sql.front() == '\n' ||
                          sql.front() == '\r')) {
    sql.remove_prefix(1);
  }
  if (StartsWithWord(sql, "BEGIN")) return QueryKind::kBegin;
  if (StartsWithWord(sql, "COMMIT")) return QueryKind::kCommit;
  if (StartsWithWord(sql, "ROLLBACK")) return QueryKind::kRollback;
  if (StartsWithWord(sql, "XA")) return QueryKind::kXa;
  if (StartsWithWord(sql, "SAVEPOINT")) return QueryKind::kSavepoint;
  return QueryKind::kDdl;
}

void AppendHex(std::string& out, const uint8_t* bytes, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 15]);
  }
}

std::string FormatUuid(const uint8_t* b) {
  std::string out;
  out.reserve(36);
  AppendHex(out, b, 4);
  out.push_back('-');
  AppendHex(out, b + 4, 2);
  out.push_back('-');
  AppendHex(out, b + 6, 2);
  out.push_back('-');
  AppendHex(out, b + 8, 2);
  out.push_back('-');
  AppendHex(out, b + 10, 6);
  return out;
}

FormatDescriptionEvent ReadFormatDescription(Reader& r, bool has_checksum_tail) {
  FormatDescriptionEvent e;
  e.binlog_version = r.U16("binlog version");
  std::string_view version = r.Bytes(50, "server version");
  e.server_version = version.substr(0, std::min(version.find('\0'), version.size()));
  e.create_timestamp = r.U32("create timestamp");
  const size_t at = r.pos();
  e.header_length = r.U8("header length");
  if (r.ok() && e.header_length != kEventHeaderSize) {
    r.FailAt(at, "header length " + std::to_string(e.header_length) + " is not 19 (binlog v4)");
  }
  const size_t tail = has_checksum_tail ? 1 + kChecksumSize : 0;
  e.post_header_lengths = r.Bytes(r.remaining() >= tail ? r.remaining() - tail : tail,
                                  "post-header lengths");
  if (has_checksum_tail) {
    const size_t alg_at = r.pos();
    const uint8_t alg = r.U8("checksum algorithm");
    if (r.ok() && alg != 0 && alg != 1) {
      r.FailAt(alg_at, "unknown checksum algorithm " + std::to_string(alg));
    }
    e.checksum = alg == 1 ? ChecksumAlg::kCrc32 : ChecksumAlg::kOff;
    r.Skip(kChecksumSize, "checksum");
  }
  return e;
}

QueryEvent ReadQuery(Reader& r, uint8_t post_header_length) {
  QueryEvent e;
  const size_t start = r.pos();
  e.thread_id = r.U32("thread id");
  e.exec_time = r.U32("exec time");
  const uint8_t db_len = r.U8("database length");
  e.error_code = r.U16("error code");
  const uint16_t status_len = r.U16("status variables length");
  // Later versions may lengthen the post-header; what we know is its first 13 bytes.
  if (r.ok() && post_header_length > r.pos() - start) r.Skip(post_header_length - (r.pos() - start), "post-header");
  e.status_vars = r.Bytes(status_len, "status variables");
  e.database = r.Bytes(db_len, "database");
  const size_t nul_at = r.pos();
  if (r.U8("database terminator") != 0 && r.ok()) r.FailAt(nul_at, "database name is not NUL-terminated");
  e.sql = r.Rest();
  e.kind = ClassifyQuery(e.sql);
  return e;
}

MariaGtidEvent ReadMariaGtid(Reader& r, const EventHeader& h) {
  MariaGtidEvent e;
  e.gtid.server_id = h.server_id;
  e.gtid.sequence = r.U64("sequence number");
  e.gtid.domain_id = r.U32("domain id");
  e.flags = r.U8("flags");
  if (e.flags & MariaGtidEvent::kGroupCommitId) e.commit_id = r.U64("commit id");
  if (e.flags & (MariaGtidEvent::kPreparedXa | MariaGtidEvent::kCompletedXa)) {
    r.U32("XA format id");
    const uint8_t gtrid = r.U8("XA gtrid length");
    const uint8_t bqual = r.U8("XA bqual length");
    e.xa_xid = r.Bytes(size_t{gtrid} + bqual, "XA xid");
  }
  // MariaDB reads the extra flags from what follows (the padding of a plain GTID event is 0).
  if (r.ok() && r.remaining() > 0) {
    e.flags_extra = r.U8("extra flags");
    if (e.flags_extra & 1) r.U8("extra engines");           // FL_EXTRA_MULTI_ENGINE
    if (e.flags_extra & (4 | 8)) r.U64("start alter sequence");  // FL_COMMIT/ROLLBACK_ALTER
  }
  r.Rest();  // padding to the 19-byte post-header, and fields of later versions
  return e;
}

MariaGtidListEvent ReadMariaGtidList(Reader& r) {
  MariaGtidListEvent e;
  const size_t at = r.pos();
  const uint32_t word = r.U32("GTID count");
  e.flags = static_cast<uint8_t>(word >> 28);
  const uint64_t n = r.Count(word & 0x0FFFFFFF, 16, at, "GTID count");
  e.gtids.reserve(n);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    MariaGtid g;
    g.domain_id = r.U32("domain id");
    g.server_id = r.U32("server id");
    g.sequence = r.U64("sequence number");
    e.gtids.push_back(g);
  }
  r.Rest();  // MariaDB 10.11 pads an empty list with two bytes
  return e;
}

MysqlGtidEvent ReadMysqlGtid(Reader& r, bool anonymous) {
  MysqlGtidEvent e;
  e.anonymous = anonymous;
  e.flags = r.U8("flags");
  std::string_view uuid = r.Bytes(16, "uuid");
  if (r.ok()) std::copy(uuid.begin(), uuid.end(), e.uuid.begin());
  e.gno = static_cast<int64_t>(r.U64("gno"));
  // Fields added by later versions, each present only if the writer knew it.
  if (r.ok() && r.remaining() >= 17 && r.U8("logical clock type") == 2) {
    e.last_committed = static_cast<int64_t>(r.U64("last committed"));
    e.sequence_number = static_cast<int64_t>(r.U64("sequence number"));
    if (r.ok() && r.remaining() >= 7) {
      uint64_t immediate = r.Uint(7, "immediate commit timestamp");
      constexpr uint64_t kHasOriginal = uint64_t{1} << 55;
      e.immediate_commit_ts = immediate & ~kHasOriginal;
      e.original_commit_ts =
          (immediate & kHasOriginal) ? r.Uint(7, "original commit timestamp") : *e.immediate_commit_ts;
    }
  }
  r.Rest();  // transaction length, server versions, ... (not needed here)
  return e;
}

PreviousGtidsEvent ReadPreviousGtids(Reader& r) {
  PreviousGtidsEvent e;
  size_t at = r.pos();
  const uint64_t sids = r.Count(r.U64("SID count"), 24, at, "SID count");
  for (uint64_t s = 0; s < sids && r.ok(); ++s) {
    std::string_view uuid = r.Bytes(16, "uuid");
    at = r.pos();
    const uint64_t intervals = r.Count(r.U64("interval count"), 16, at, "interval count");
    if (!r.ok()) break;
    if (!e.gtid_set.empty()) e.gtid_set.push_back(',');
    e.gtid_set += FormatUuid(reinterpret_cast<const uint8_t*>(uuid.data()));
    for (uint64_t i = 0; i < intervals && r.ok(); ++i) {
      at = r.pos();
      const uint64_t start = r.U64("interval start");
      const uint64_t end = r.U64("interval end");  // exclusive
      if (r.ok() && (end <= start || start == 0)) {
        r.FailAt(at, "interval [" + std::to_string(start) + ", " + std::to_string(end) +
                         ") is empty or starts at 0");
        break;
      }
      e.gtid_set += ':' + std::to_string(start);
      if (end - 1 != start) e.gtid_set += '-' + std::to_string(end - 1);
    }
  }
  return e;
}

}  // namespace

std::string MariaGtid::ToString() const {
  std::string out;
  AppendTo(out);
  return out;
}

void MariaGtid::AppendTo(std::string& out) const {
  char buf[48];
  char* p = std::to_chars(buf, buf + sizeof buf, domain_id).ptr;
  *p++ = '-';
  p = std::to_chars(p, buf + sizeof buf, server_id).ptr;
  *p++ = '-';
  p = std::to_chars(p, buf + sizeof buf, sequence).ptr;
  out.append(buf, p);
}

std::string MysqlGtidEvent::Uuid() const { return FormatUuid(uuid.data()); }

std::string MysqlGtidEvent::ToString() const { return Uuid() + ':' + std::to_string(gno); }

std::string internal::EventName::Render() const {
  if (!fixed.empty()) return std::string(fixed);
  return std::string("binlog ") + BinlogEventTypeName(type) + " (type " + std::to_string(type) +
         ") at position " + std::to_string(position);
}

BinlogDecoder::BinlogDecoder(DecoderOptions options) : options_(options) {}

void BinlogDecoder::Reset() {
  checksum_ = ChecksumAlg::kUndefined;
  have_format_ = false;
  server_version_.clear();
  post_header_lengths_.clear();
  tables_.clear();
  table_bytes_.clear();
}

std::shared_ptr<const TableMap> BinlogDecoder::FindTable(uint64_t table_id) const {
  auto it = tables_.find(table_id);
  return it == tables_.end() ? nullptr : it->second;
}

uint8_t BinlogDecoder::PostHeaderLength(uint8_t type, uint8_t fallback) const {
  if (have_format_ && type >= 1 && type <= post_header_lengths_.size()) {
    return static_cast<uint8_t>(post_header_lengths_[type - 1]);
  }
  return fallback;
}

Result<BinlogEvent> BinlogDecoder::Decode(std::string_view bytes) {
  if (bytes.size() < kEventHeaderSize) {
    return Status::Corruption("binlog event: the header needs 19 bytes, " +
                              std::to_string(bytes.size()) + " given at byte 0");
  }
  BinlogEvent event;
  EventHeader& h = event.header;
  {
    static const EventName kHeaderWhat{"binlog event header"};
    Reader hr(bytes, 0, kHeaderWhat);
    h.timestamp = hr.U32("timestamp");
    h.type = hr.U8("type");
    h.server_id = hr.U32("server id");
    h.event_size = hr.U32("event size");
    h.log_pos = hr.U32("log position");
    h.flags = hr.U16("flags");
  }
  const EventName what{{}, h.type, h.start().value()};  // names the event in errors
  if (h.event_size != bytes.size()) {
    return Status::Corruption(what.Render() + ": the header says " + std::to_string(h.event_size) +
                              " bytes, " + std::to_string(bytes.size()) + " given at byte 9");
  }

  // Which checksum the event carries.
  bool has_crc = false;
  bool fde_tail = false;
  if (h.type == kFormatDescriptionType) {
    // The FDE says itself: from 5.6.1 / MariaDB 5.3 it ends with the algorithm and a CRC.
    if (bytes.size() >= kEventHeaderSize + 2 + 50) {
      std::string_view version = bytes.substr(kEventHeaderSize + 2, 50);
      fde_tail = VersionHasChecksum(version.substr(0, std::min(version.find('\0'), version.size())));
    }
    has_crc = fde_tail && bytes.size() >= kEventHeaderSize + 1 + kChecksumSize &&
              bytes[bytes.size() - 1 - kChecksumSize] == 1;
  } else if (have_format_) {
    has_crc = checksum_ == ChecksumAlg::kCrc32;
  } else if (options_.initial_checksum == ChecksumAlg::kUndefined) {
    // Before any FDE only the dump's artificial Rotate comes; it has a CRC when the
    // connection announced one, which we recognise by the CRC itself.
    has_crc = bytes.size() >= kEventHeaderSize + kChecksumSize &&
              BinlogCrc32(bytes.substr(0, bytes.size() - kChecksumSize)) ==
                  LoadLe32(bytes.data() + bytes.size() - kChecksumSize);
  } else {
    has_crc = options_.initial_checksum == ChecksumAlg::kCrc32;
  }
  if (has_crc) {
    if (bytes.size() < kEventHeaderSize + kChecksumSize) {
      return Status::Corruption(what.Render() + ": no room for the checksum at byte 19");
    }
    if (options_.verify_checksum) {
      const uint32_t stored = LoadLe32(bytes.data() + bytes.size() - kChecksumSize);
      uint32_t computed = BinlogCrc32(bytes.substr(0, bytes.size() - kChecksumSize));
      // A binlog file's FDE has LOG_EVENT_BINLOG_IN_USE_F (0x01) set while the server writes
      // the file; the server checksummed the event without it.
      if (h.type == kFormatDescriptionType && (h.flags & 1) != 0 && stored != computed) {
        std::string copy(bytes.substr(0, bytes.size() - kChecksumSize));
        copy[17] = static_cast<char>(copy[17] & ~1);
        computed = BinlogCrc32(copy);
      }
      if (stored != computed) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "checksum mismatch (stored 0x%08x, computed 0x%08x)",
                      stored, computed);
        return Status::Corruption(what.Render() + ": " + buf + " at byte " +
                                  std::to_string(bytes.size() - kChecksumSize));
      }
    }
  }
  // The FDE's own tail is read by its decoder; every other event's CRC is cut off here.
  const std::string_view content =
      (has_crc && !fde_tail) ? bytes.substr(0, bytes.size() - kChecksumSize) : bytes;
  Reader r(content, kEventHeaderSize, what);

  switch (static_cast<BinlogEventType>(h.type)) {
    case BinlogEventType::kFormatDescription: {
      FormatDescriptionEvent e = ReadFormatDescription(r, fde_tail);
      RC_RETURN_IF_ERROR(r.Finish());
      checksum_ = e.checksum;
      have_format_ = true;
      server_version_.assign(e.server_version);
      post_header_lengths_.assign(e.post_header_lengths);
      // Table ids mean something only within one file: a new file starts afresh.
      tables_.clear();
      table_bytes_.clear();
      event.body = e;
      break;
    }
    case BinlogEventType::kRotate: {
      RotateEvent e;
      const uint8_t ph = PostHeaderLength(h.type, 8);
      e.position = BinlogOffset(r.U64("position"));
      if (ph > 8) r.Skip(ph - 8u, "post-header");
      e.next_file = r.Rest();
      if (r.ok() && e.next_file.empty()) r.Fail("the next file name is empty");
      event.body = e;
      break;
    }
    case BinlogEventType::kQuery:
      event.body = ReadQuery(r, PostHeaderLength(h.type, 13));
      break;
    case BinlogEventType::kXid:
      event.body = XidEvent{r.U64("xid")};
      break;
    case BinlogEventType::kMariaGtid:
      event.body = ReadMariaGtid(r, h);
      break;
    case BinlogEventType::kMariaGtidList:
      event.body = ReadMariaGtidList(r);
      break;
    case BinlogEventType::kGtid:
    case BinlogEventType::kAnonymousGtid:
      event.body = ReadMysqlGtid(r, h.type == static_cast<uint8_t>(BinlogEventType::kAnonymousGtid));
      break;
    case BinlogEventType::kPreviousGtids:
      event.body = ReadPreviousGtids(r);
      break;
    case BinlogEventType::kHeartbeat:
      event.body = HeartbeatEvent{r.Rest()};
      break;
    case BinlogEventType::kAnnotateRows:
      event.body = AnnotateRowsEvent{r.Rest()};
      break;
    case BinlogEventType::kRowsQuery:
      r.U8("length");  // the statement's length mod 256; the rest of the event is the statement
      event.body = AnnotateRowsEvent{r.Rest()};
      break;
    case BinlogEventType::kTableMap: {
      const uint8_t post_header = PostHeaderLength(h.type, 8);
      const std::string_view body = content.substr(kEventHeaderSize);
      const size_t id_bytes = post_header == 6 ? 4 : 6;
      if (body.size() > id_bytes) {
        uint64_t id = 0;
        for (size_t i = id_bytes; i-- > 0;) id = id << 8 | static_cast<uint8_t>(body[i]);
        auto known = table_bytes_.find(id);
        if (known != table_bytes_.end() && known->second == body) {
          event.body = tables_.at(id);  // the same map as before
          (void)r.Rest();
          break;
        }
      }
      auto map = std::make_shared<TableMap>();
      internal::ReadTableMap(r, post_header, *map,
                             server_version_.find("MariaDB") != std::string::npos);
      RC_RETURN_IF_ERROR(r.Finish());
      table_bytes_[map->table_id].assign(body);
      event.body = std::shared_ptr<const TableMap>(map);
      tables_[map->table_id] = std::move(map);
      break;
    }
    case BinlogEventType::kWriteRowsV1:
    case BinlogEventType::kUpdateRowsV1:
    case BinlogEventType::kDeleteRowsV1:
    case BinlogEventType::kWriteRowsV2:
    case BinlogEventType::kUpdateRowsV2:
    case BinlogEventType::kDeleteRowsV2: {
      const auto type = static_cast<BinlogEventType>(h.type);
      const bool v2 = h.type >= static_cast<uint8_t>(BinlogEventType::kWriteRowsV2);
      RowsEvent e;
      e.version = v2 ? 2 : 1;
      e.kind = (type == BinlogEventType::kWriteRowsV1 || type == BinlogEventType::kWriteRowsV2)
                   ? RowsKind::kWrite
               : (type == BinlogEventType::kUpdateRowsV1 || type == BinlogEventType::kUpdateRowsV2)
                   ? RowsKind::kUpdate
                   : RowsKind::kDelete;
      const uint8_t ph = PostHeaderLength(h.type, v2 ? 10 : 8);
      const size_t ph_start = r.pos();
      e.table_id = ph == 6 ? r.U32("table id") : r.U48("table id");
      e.flags = r.U16("flags");
      size_t extra_at = 0;
      uint16_t extra_len = 2;
      if (v2) {
        extra_at = r.pos();
        extra_len = r.U16("extra data length");
      }
      // A longer post-header than we know: skip what later versions added.
      if (r.ok() && ph > r.pos() - ph_start) r.Skip(ph - (r.pos() - ph_start), "post-header");
      if (v2) {
        if (r.ok() && extra_len < 2) {
          r.FailAt(extra_at, "extra data length " + std::to_string(extra_len) + " is below 2");
        }
        e.extra_data = r.Bytes(r.ok() ? extra_len - 2u : 0, "extra data");
      }
      const size_t count_at = r.pos();
      const uint64_t columns = r.Packed("column count");
      const uint64_t bitmap = r.Count((columns + 7) / 8, 1, count_at, "column bitmap size");
      e.column_count = static_cast<uint32_t>(columns);
      e.columns_present = r.Bytes(bitmap, "columns-present bitmap");
      if (e.kind == RowsKind::kUpdate) e.columns_after = r.Bytes(bitmap, "after-image bitmap");
      e.rows = r.Rest();
      if (!r.ok()) break;
      e.table = FindTable(e.table_id);
      if (e.table == nullptr) {
        // MySQL ends some statements with an empty event for the dummy id 0x00FFFFFF.
        if (!e.rows.empty()) {
          return Status::Corruption(what.Render() + ": table id " + std::to_string(e.table_id) +
                                    " has no TABLE_MAP_EVENT before it at byte 19");
        }
      } else if (e.table->columns.size() != columns) {
        r.FailAt(count_at, "column count " + std::to_string(columns) + " differs from the " +
                               std::to_string(e.table->columns.size()) + " of the table map of " +
                               e.table->database + "." + e.table->table);
      }
      event.body = std::move(e);
      break;
    }
    default:
      event.body = OtherEvent{r.Rest()};
      break;
  }
  RC_RETURN_IF_ERROR(r.Finish());
  return event;
}

Result<std::vector<std::string_view>> SplitBinlogFile(std::string_view file) {
  if (file.substr(0, kBinlogMagic.size()) != kBinlogMagic) {
    return Status::Corruption("binlog file: does not start with the magic \\xfebin at byte 0");
  }
  std::vector<std::string_view> events;
  size_t pos = kBinlogMagic.size();
  while (pos < file.size()) {
    if (file.size() - pos < kEventHeaderSize) {
      return Status::Corruption("binlog file: torn event header (" +
                                std::to_string(file.size() - pos) + " bytes) at byte " +
                                std::to_string(pos));
    }
    const uint32_t size = LoadLe32(file.data() + pos + 9);
    if (size < kEventHeaderSize || size > file.size() - pos) {
      return Status::Corruption("binlog file: event size " + std::to_string(size) +
                                " does not fit (" + std::to_string(file.size() - pos) +
                                " bytes left) at byte " + std::to_string(pos));
    }
    events.push_back(file.substr(pos, size));
    pos += size;
  }
  return events;
}

}  // namespace rivven::mysql
