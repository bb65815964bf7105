#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "base/status.h"
#include "base/types.h"
#include "connectors/mysql/binlog_types.h"

/// Decoding of MySQL/MariaDB binary log events as they arrive on the replication stream (or
/// are read from a binlog file), per MySQL's libbinlogevents documentation and MariaDB's
/// "Replication protocol" pages. Pure functions over bytes; no libmariadb.
namespace rivven::mysql {

/// A byte offset in a binlog file (the "pos" of file/pos).
using BinlogOffset = StrongInt<struct BinlogOffsetTag, uint64_t>;

/// The 19-byte header every event starts with (binlog version 4).
struct EventHeader {
  uint32_t timestamp = 0;  ///< seconds since the Unix epoch; 0 for some artificial events
  uint8_t type = 0;        ///< a BinlogEventType value, or one this decoder does not know
  uint32_t server_id = 0;
  uint32_t event_size = 0;  ///< header + body + checksum
  uint32_t log_pos = 0;     ///< end of this event in its file (0 for some artificial events)
  uint16_t flags = 0;       ///< kLogEventArtificialF, ...
  /// Where the event starts in its file: log_pos - event_size (0 when log_pos is 0).
  BinlogOffset start() const {
    return BinlogOffset(log_pos >= event_size ? log_pos - event_size : 0);
  }
};

inline constexpr size_t kEventHeaderSize = 19;
inline constexpr size_t kChecksumSize = 4;
/// Header flag: made up by the server (the first Rotate of a dump, fake GTID lists), not read
/// from the binlog file.
inline constexpr uint16_t kLogEventArtificialF = 0x20;
/// The 4 bytes every binlog file starts with.
inline constexpr std::string_view kBinlogMagic = "\xfe" "bin";

enum class ChecksumAlg : uint8_t { kOff = 0, kCrc32 = 1, kUndefined = 255 };

/// FORMAT_DESCRIPTION_EVENT (15): the first event of every binlog file and of every dump.
struct FormatDescriptionEvent {
  uint16_t binlog_version = 0;
  std::string_view server_version;  ///< "10.11.19-MariaDB-0+deb12u1-log"
  uint32_t create_timestamp = 0;
  uint8_t header_length = 0;
  std::string_view post_header_lengths;  ///< byte i: the post-header length of event type i + 1
  ChecksumAlg checksum = ChecksumAlg::kOff;  ///< what the events that follow carry
  bool mariadb() const { return server_version.find("MariaDB") != std::string_view::npos; }
};

/// ROTATE_EVENT (4): the stream continues in `next_file` at `position`.
struct RotateEvent {
  BinlogOffset position;
  std::string_view next_file;
};

/// What a QUERY_EVENT's statement is, as far as a change stream cares.
enum class QueryKind : uint8_t {
  kBegin,     ///< "BEGIN" (MySQL starts transactions so; MariaDB uses its GTID event)
  kCommit,    ///< "COMMIT" (transactions of non-transactional engines)
  kRollback,  ///< "ROLLBACK", "ROLLBACK TO SAVEPOINT"
  kXa,        ///< "XA START|END|PREPARE|COMMIT|ROLLBACK ..."
  kSavepoint, ///< "SAVEPOINT x"
  kDdl,       ///< anything else: DDL, GRANT, statements logged as statements
};

/// QUERY_EVENT (2).
struct QueryEvent {
  uint32_t thread_id = 0;
  uint32_t exec_time = 0;  ///< seconds
  uint16_t error_code = 0;
  std::string_view status_vars;  ///< raw Q_* status variables (sql_mode, charset, ...)
  std::string_view database;     ///< the default database when the statement ran ("" = none)
  std::string_view sql;
  QueryKind kind = QueryKind::kDdl;
};

/// XID_EVENT (16): the commit of a transaction of a transactional engine.
struct XidEvent {
  uint64_t xid = 0;
};

/// MariaDB GTID "domain-server-sequence".
struct MariaGtid {
  uint32_t domain_id = 0;
  uint32_t server_id = 0;
  uint64_t sequence = 0;
  std::string ToString() const;  ///< "0-1-5"
  void AppendTo(std::string& out) const;  ///< appends ToString()'s text
  bool operator==(const MariaGtid&) const = default;
};

/// MariaDB GTID_EVENT (162): starts an event group (a transaction, or one DDL statement).
struct MariaGtidEvent {
  // flags2 bits.
  static constexpr uint8_t kStandalone = 1;      ///< no COMMIT/XID ends the group (DDL, ...)
  static constexpr uint8_t kGroupCommitId = 2;   ///< commit_id is present
  static constexpr uint8_t kTransactional = 4;
  static constexpr uint8_t kAllowParallel = 8;
  static constexpr uint8_t kWaited = 16;
  static constexpr uint8_t kDdl = 32;
  static constexpr uint8_t kPreparedXa = 64;
  static constexpr uint8_t kCompletedXa = 128;

  MariaGtid gtid;  ///< server_id from the event header
  uint8_t flags = 0;
  std::optional<uint64_t> commit_id;
  std::string_view xa_xid;  ///< the XID's gtrid + bqual bytes, for kPreparedXa / kCompletedXa
  uint8_t flags_extra = 0;  ///< MariaDB 10.5+ extra flags (0 when absent)
  bool standalone() const { return (flags & kStandalone) != 0; }
  bool ddl() const { return (flags & kDdl) != 0; }
};

/// MariaDB GTID_LIST_EVENT (163): the last GTID of each domain before this file / dump.
struct MariaGtidListEvent {
  uint8_t flags = 0;  ///< the top 4 bits of the count field
  std::vector<MariaGtid> gtids;
};

/// MySQL GTID_LOG_EVENT (33) and ANONYMOUS_GTID_LOG_EVENT (34): starts a transaction.
struct MysqlGtidEvent {
  bool anonymous = false;  ///< type 34: gtid_mode=OFF, uuid and gno are 0
  uint8_t flags = 0;       ///< bit 0: may commit in parallel (commit flag)
  std::array<uint8_t, 16> uuid{};
  int64_t gno = 0;
  /// Logical clock (typecode 2), when present.
  std::optional<int64_t> last_committed;
  std::optional<int64_t> sequence_number;
  /// Microseconds since the epoch (MySQL 8.0.1+), when present.
  std::optional<uint64_t> immediate_commit_ts;
  std::optional<uint64_t> original_commit_ts;
  std::string Uuid() const;      ///< "3e11fa47-71ca-11e1-9e33-c80aa9429562"
  std::string ToString() const;  ///< "uuid:gno"
};

/// MySQL PREVIOUS_GTIDS_LOG_EVENT (35): gtid_executed before this file.
struct PreviousGtidsEvent {
  /// MySQL's text form: "uuid:1-5:7,uuid2:1-3" (intervals inclusive; "" when empty).
  std::string gtid_set;
};

/// HEARTBEAT_LOG_EVENT (27): sent while the primary is idle; header.log_pos is its position.
struct HeartbeatEvent {
  std::string_view log_file;
};

/// MariaDB ANNOTATE_ROWS_EVENT (160) and MySQL ROWS_QUERY_LOG_EVENT (29): the statement that
/// produced the following row events (binlog_annotate_row_events / binlog_rows_query_log_events).
struct AnnotateRowsEvent {
  std::string_view sql;
};

/// One column of a table map, with the metadata its type carries decoded (see the fields).
struct TableColumn {
  ColumnType type = ColumnType::kNull;  ///< as in the binlog (CHAR/ENUM/SET arrive as kString)
  /// The real type: kEnum / kSet for ENUM / SET (sent as kString), kString for CHAR and BINARY,
  /// else `type`.
  ColumnType real_type = ColumnType::kNull;
  /// The raw metadata, 0-2 bytes, as the server packs it (kept for diagnostics).
  uint16_t meta = 0;
  /// Per type: VARCHAR / CHAR / VAR_STRING: maximum length in bytes; BLOB / TEXT / JSON /
  /// GEOMETRY: bytes of the length prefix (1-4); FLOAT / DOUBLE: bytes (4 / 8); NEWDECIMAL:
  /// precision; BIT: bits; TIME2 / DATETIME2 / TIMESTAMP2: fractional digits (0-6);
  /// ENUM / SET: bytes of the stored value (1-2 / 1-8).
  uint32_t length = 0;
  uint8_t scale = 0;  ///< NEWDECIMAL: digits after the point
  bool nullable = true;

  // ---- from the optional metadata (binlog_row_metadata=MINIMAL or FULL) ----
  std::optional<bool> is_unsigned;  ///< numeric columns, when SIGNEDNESS was sent
  uint32_t collation = 0;           ///< character, ENUM and SET columns; 0 = not sent
  std::string name;                 ///< FULL only; "" = not sent
  std::vector<std::string> labels;  ///< ENUM / SET values in definition order (FULL only)
  std::optional<uint32_t> geometry_type;  ///< GEOMETRY columns: 0 geometry, 1 point, ...
  bool visible = true;              ///< MySQL 8.0.23+ COLUMN_VISIBILITY
};

/// TABLE_MAP_EVENT (19), decoded and owned: it outlives the event's bytes.
struct TableMap {
  uint64_t table_id = 0;
  uint16_t flags = 0;
  std::string database;
  std::string table;
  std::vector<TableColumn> columns;
  /// Key columns from SIMPLE_PRIMARY_KEY / PRIMARY_KEY_WITH_PREFIX (FULL only), in key order.
  std::vector<uint32_t> primary_key;
  /// Prefix length per primary_key entry (0 = whole column).
  std::vector<uint32_t> primary_key_prefix;
  /// Which optional metadata fields were present (bit = field type, 1..12).
  uint32_t optional_fields = 0;
  bool has_optional(OptionalMetadataType t) const {
    return (optional_fields >> static_cast<uint8_t>(t) & 1) != 0;
  }
};

enum class RowsKind : uint8_t { kWrite, kUpdate, kDelete };

/// WRITE/UPDATE/DELETE_ROWS_EVENT, V1 (23-25, what MariaDB sends) and V2 (30-32, MySQL 5.6+).
/// The row images stay in the caller's buffer; binlog_rows.h decodes them.
struct RowsEvent {
  static constexpr uint16_t kStmtEndF = 0x0001;  ///< last event of the statement
  static constexpr uint16_t kNoForeignKeyChecksF = 0x0002;
  static constexpr uint16_t kRelaxedUniqueChecksF = 0x0004;
  static constexpr uint16_t kCompleteRowsF = 0x0008;

  RowsKind kind = RowsKind::kWrite;
  uint8_t version = 1;  ///< 1 or 2
  uint64_t table_id = 0;
  uint16_t flags = 0;
  std::string_view extra_data;  ///< V2 only: the extra-data block after its 2-byte length
  uint32_t column_count = 0;
  /// Bitmaps (bit i of byte i / 8, least significant first) of the columns each image holds:
  /// before images for updates and deletes, after images for writes; `columns_after` is the
  /// after image of updates (empty otherwise).
  std::string_view columns_present;
  std::string_view columns_after;
  std::string_view rows;  ///< the images, one after another
  /// The table map the event refers to. shared: the decoder replaces its map when the next
  /// TABLE_MAP_EVENT for the id arrives, while the caller may still be reading these rows.
  std::shared_ptr<const TableMap> table;
  bool stmt_end() const { return (flags & kStmtEndF) != 0; }
};

/// Any event this decoder does not decode further (INTVAR, RAND, USER_VAR, BINLOG_CHECKPOINT,
/// START_ENCRYPTION, compressed events, PARTIAL_UPDATE_ROWS, TRANSACTION_PAYLOAD, ...).
struct OtherEvent {
  std::string_view body;  ///< after the header, without the checksum
};

using EventBody =
    std::variant<FormatDescriptionEvent, RotateEvent, QueryEvent, XidEvent, MariaGtidEvent,
                 MariaGtidListEvent, MysqlGtidEvent, PreviousGtidsEvent,
                 std::shared_ptr<const TableMap>, RowsEvent, HeartbeatEvent, AnnotateRowsEvent,
                 OtherEvent>;

/// A decoded event. Views point into the bytes given to BinlogDecoder::Decode; a table map
/// is shared with the decoder, which keeps it for the rows events that follow.
struct BinlogEvent {
  EventHeader header;
  EventBody body;
};

struct DecoderOptions {
  /// Whether events before the first FORMAT_DESCRIPTION_EVENT (the dump's artificial Rotate)
  /// carry a checksum: the @master_binlog_checksum the connection announced. kUndefined: find
  /// out by checking the last 4 bytes as a CRC32.
  ChecksumAlg initial_checksum = ChecksumAlg::kUndefined;
  /// Verify every CRC32 (a mismatch is kCorruption). Off only to read damaged files.
  bool verify_checksum = true;
};

/// Decodes one event at a time and keeps what later events need: the format description
/// (post-header lengths, checksum) and the table maps by table id. One per replication
/// stream; not thread-safe; called by the source's thread. Nothing it holds is durable.
class BinlogDecoder {
 public:
  explicit BinlogDecoder(DecoderOptions options = {});

  /// Decodes `bytes`: one whole event (header, body, checksum when the format says so), as
  /// the replication stream delivers it after its OK byte. Errors are kCorruption and name
  /// the event type, its position and the byte offset; nothing is read past `bytes`.
  Result<BinlogEvent> Decode(std::string_view bytes);

  /// The table map for `table_id`, or null.
  std::shared_ptr<const TableMap> FindTable(uint64_t table_id) const;
  /// The checksum the current format description announced (kUndefined before the first).
  ChecksumAlg checksum() const { return checksum_; }
  const std::string& server_version() const { return server_version_; }
  /// Forgets the format and every table map (a new connection, a new file).
  void Reset();

 private:
  uint8_t PostHeaderLength(uint8_t type, uint8_t fallback) const;

  DecoderOptions options_;
  ChecksumAlg checksum_ = ChecksumAlg::kUndefined;
  bool have_format_ = false;
  std::string server_version_;
  std::string post_header_lengths_;
  std::unordered_map<uint64_t, std::shared_ptr<const TableMap>> tables_;
  /// The body bytes each table map was decoded from: servers repeat the same TABLE_MAP_EVENT
  /// before every transaction's rows, and an identical one is not decoded again.
  std::unordered_map<uint64_t, std::string> table_bytes_;
};

/// Splits the bytes of a binlog file (magic, then events) into its events. A torn last event
/// is an error naming its position (kCorruption).
Result<std::vector<std::string_view>> SplitBinlogFile(std::string_view file);


}  // namespace rivven::mysql
