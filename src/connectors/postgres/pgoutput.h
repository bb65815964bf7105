#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"

/// Decoding of PostgreSQL's logical replication stream: the walsender's CopyData framing
/// (XLogData, primary keepalive, standby status update) and the pgoutput plugin's messages,
/// protocol version 1, per "Streaming Replication Protocol" and "Logical Replication Message
/// Formats" of the PostgreSQL 15 documentation. Pure functions over bytes; no libpq.
namespace rivven::postgres {

/// A WAL position.
using Lsn = uint64_t;

/// "16/B374D848" (upper and lower 32 bits in hex, as PostgreSQL prints them).
std::string FormatLsn(Lsn lsn);
Result<Lsn> ParseLsn(std::string_view text);

/// Microseconds since 2000-01-01 00:00:00 UTC (PostgreSQL's epoch) to milliseconds since the
/// Unix epoch, and back.
int64_t PgTimestampToUnixMs(int64_t pg_micros);
int64_t UnixMsToPgTimestamp(int64_t unix_ms);

// ---- walsender framing (inside CopyData) --------------------------------------------------

/// 'w': a piece of WAL; for logical replication, one pgoutput message in `payload`.
struct XLogData {
  Lsn wal_start = 0;
  Lsn wal_end = 0;
  int64_t send_time = 0;     ///< PostgreSQL epoch, microseconds
  std::string_view payload;  ///< a view into the decoded buffer
};

/// 'k': the server's keepalive; `reply_requested` asks for a status update at once.
struct PrimaryKeepalive {
  Lsn wal_end = 0;
  int64_t send_time = 0;
  bool reply_requested = false;
};

using ReplicationMessage = std::variant<XLogData, PrimaryKeepalive>;

/// Decodes one CopyData message of a START_REPLICATION stream. Errors (kCorruption) name the
/// message kind and what is short or unknown.
Result<ReplicationMessage> DecodeReplicationMessage(std::string_view bytes);

/// 'r': the standby status update we send: positions written/flushed/applied (we report the
/// acknowledged position for all three), the client's clock, and whether we want a reply.
std::string EncodeStandbyStatusUpdate(Lsn written, Lsn flushed, Lsn applied, int64_t now_pg_micros,
                                      bool reply_requested);

// ---- pgoutput messages ----------------------------------------------------------------------

struct BeginMessage {
  Lsn final_lsn = 0;        ///< the LSN of the transaction's commit record
  int64_t commit_time = 0;  ///< PostgreSQL epoch, microseconds
  uint32_t xid = 0;
};

struct CommitMessage {
  uint8_t flags = 0;
  Lsn commit_lsn = 0;
  Lsn end_lsn = 0;  ///< the end of the commit record: where the next transaction starts
  int64_t commit_time = 0;
};

struct OriginMessage {
  Lsn commit_lsn = 0;
  std::string name;
};

struct RelationColumn {
  bool key = false;  ///< part of the replica identity (flag 1)
  std::string name;
  uint32_t type_oid = 0;
  int32_t type_modifier = -1;
};

struct RelationMessage {
  uint32_t relation_id = 0;
  std::string schema;  ///< "" is pg_catalog's way of saying none; pgoutput sends "public" etc.
  std::string table;
  char replica_identity = 'd';  ///< 'd' default, 'n' nothing, 'f' full, 'i' index
  std::vector<RelationColumn> columns;
};

struct TypeMessage {
  uint32_t type_oid = 0;
  std::string schema;
  std::string name;
};

/// One column of a tuple. `data` views the message bytes (valid while they are).
struct TupleValue {
  enum class Kind : char { kNull = 'n', kUnchangedToast = 'u', kText = 't', kBinary = 'b' };
  Kind kind = Kind::kNull;
  std::string_view data;
};

using TupleData = std::vector<TupleValue>;

struct InsertMessage {
  uint32_t relation_id = 0;
  TupleData new_tuple;
};

struct UpdateMessage {
  uint32_t relation_id = 0;
  /// 'K' (the old key, replica identity index/default when the key changed), 'O' (the whole
  /// old row, replica identity full), or 0 when the old row was not sent.
  char old_kind = 0;
  TupleData old_tuple;
  TupleData new_tuple;
};

struct DeleteMessage {
  uint32_t relation_id = 0;
  char old_kind = 'K';  ///< 'K' or 'O' as for updates
  TupleData old_tuple;
};

struct TruncateMessage {
  bool cascade = false;
  bool restart_identity = false;
  std::vector<uint32_t> relation_ids;
};

/// pg_logical_emit_message() output (with the `messages` option).
struct LogicalMessage {
  bool transactional = false;
  Lsn lsn = 0;
  std::string prefix;
  std::string_view content;
};

using PgOutputMessage =
    std::variant<BeginMessage, CommitMessage, OriginMessage, RelationMessage, TypeMessage,
                 InsertMessage, UpdateMessage, DeleteMessage, TruncateMessage, LogicalMessage>;

/// Decodes one pgoutput message (protocol version 1). Views in the result point into `bytes`.
/// Malformed input is a kCorruption error naming the message type and the byte offset; never
/// reads past `bytes`.
Result<PgOutputMessage> DecodePgOutput(std::string_view bytes);

}  // namespace rivven::postgres
