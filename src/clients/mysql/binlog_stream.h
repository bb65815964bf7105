#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/status.h"
#include "clients/mysql/mysql_connection.h"
#include "clients/mysql/packet_reader.h"

namespace rivven::mysql {

/// Binlog event type codes (the header's byte 4) that the stream itself or its callers name
/// often; any other code may arrive too. MariaDB sends the V1 row events (23-25).
enum class EventType : uint8_t {
  kUnknown = 0,
  kQuery = 2,
  kStop = 3,
  kRotate = 4,
  kFormatDescription = 15,
  kXid = 16,
  kTableMap = 19,
  kWriteRowsV1 = 23,
  kUpdateRowsV1 = 24,
  kDeleteRowsV1 = 25,
  kHeartbeat = 27,
  kWriteRows = 30,
  kUpdateRows = 31,
  kDeleteRows = 32,
  kAnnotateRows = 160,
  kBinlogCheckpoint = 161,
  kGtid = 162,
  kGtidList = 163,
};

/// "QUERY", "WRITE_ROWS_V1", ... or "EVENT_<n>" for the others.
std::string EventTypeName(EventType type);

/// One binlog event as the server sent it.
struct RawEvent {
  /// The whole event: the 19-byte common header, the body and, when the server checksums
  /// events (BinlogStream::checksums()), the 4-byte CRC32 at the end. Points into the stream's
  /// buffer: valid until the next Next() or Close().
  std::string_view bytes;
  EventType type = EventType::kUnknown;
  uint32_t timestamp = 0;  ///< seconds since the epoch; 0 for artificial events
  uint32_t server_id = 0;  ///< the server that wrote the event
  /// The header's log_pos: the offset just past this event in the current binlog file, i.e.
  /// where to resume after it. 0 for events that do not move the position (the artificial
  /// ROTATE at the start, the FORMAT_DESCRIPTION resent when starting mid-file).
  uint32_t next_position = 0;
  uint16_t flags = 0;  ///< header flags; 0x20 = LOG_EVENT_ARTIFICIAL_F

  bool artificial() const { return (flags & 0x20) != 0; }
};

/// A replication client on its own connection: sends COM_BINLOG_DUMP through libmariadb's
/// mariadb_rpl and returns each event's raw bytes. Decoding is the caller's (the connector's);
/// this class only frames, reports errors and keeps the current file name.
///
/// Owner: one source task. Thread: one thread calls Open/Next/Close; Interrupt may be called
/// from any thread. Durability: none — the server keeps the binlog; the caller records the
/// positions it has processed.
class BinlogStream {
 public:
  struct Options {
    /// This replica's server id: non-zero, and unique among everything that replicates from
    /// the server (a second dump with the same id makes the server drop the first).
    uint32_t server_id = 0;
    /// File/position mode: start at `position` of binlog `file` (e.g. "mysql-bin.000003", 4).
    std::string file;
    uint64_t position = 4;
    /// GTID mode when not empty: start after the GTIDs of this state (MariaDB's
    /// gtid_slave_pos format, e.g. "0-1-100,1-2-5"); `file`/`position` are then ignored.
    std::string mariadb_gtid_state;
    /// The server sends a HEARTBEAT (type 27) after this long without events, so Next() returns
    /// at least this often. 0 turns heartbeats off. At most about 4294967 s.
    std::chrono::milliseconds heartbeat_period{1000};
    /// Also receive ANNOTATE_ROWS events (the SQL text of row changes; needs
    /// binlog_annotate_row_events on the server).
    bool send_annotate_rows = false;
  };

  ~BinlogStream();
  BinlogStream(const BinlogStream&) = delete;
  BinlogStream& operator=(const BinlogStream&) = delete;

  /// Connects (the read timeout raised above the heartbeat period), sets the replica session
  /// variables (@master_binlog_checksum, @mariadb_slave_capability=4, @master_heartbeat_period;
  /// in GTID mode @slave_connect_state, @slave_gtid_strict_mode=0,
  /// @slave_gtid_ignore_duplicates=0), sends the dump request and waits for the server's first
  /// event, so that a start the server cannot serve fails here: error 1236 (purged or unknown
  /// file, GTID not in any binlog) comes back as a fatal kNotFound Status carrying the server's
  /// text (IsBinlogUnavailable() is true). Connection errors are classified as for Connection.
  static Result<std::unique_ptr<BinlogStream>> Open(const ConnectionParams& params,
                                                    const Options& options);

  /// The next event, heartbeats included; blocks until one arrives. Errors: connection loss or
  /// a server restart are retriable (kUnavailable); 1236 as in Open; a stream stopped by
  /// Interrupt() gives kCancelled; the server ending the dump gives kUnavailable.
  Result<RawEvent> Next();

  /// Makes a Next() blocked in another thread (or the next one) return kCancelled promptly by
  /// shutting the socket down. The stream is unusable afterwards; Close or destroy it.
  void Interrupt();

  /// Ends the dump and closes the connection. Idempotent; the destructor calls it.
  Status Close();

  /// The binlog file the stream is in (from the latest ROTATE event; the start file before).
  const std::string& current_file() const { return current_file_; }
  /// Whether events end with a 4-byte CRC32: the server's binlog_checksum at Open, then what
  /// each FORMAT_DESCRIPTION event says.
  bool checksums() const { return checksums_; }
  /// "user@host:port/database", for messages.
  const std::string& where() const { return where_; }
  /// Whether Next() has an event at hand and would not wait for the network. Always false
  /// over TLS or compression, where libmariadb reads the socket.
  bool buffered() const { return pending_ || (reader_ && reader_->HasWholePacket()); }
  /// Whether this stream reads its socket itself (a plain connection): then the thread that
  /// handles events can wait with Readable() and call Next() without a reader thread of its own.
  bool direct() const { return reader_ != nullptr; }
  /// For a direct stream: waits up to `wait` until Next() has something to work on (an event at
  /// hand, or bytes arrived). False when nothing came; kUnavailable when nothing at all came for
  /// the read timeout (heartbeats arrive well within it) or the connection failed.
  Result<bool> Readable(std::chrono::milliseconds wait);

 private:
  explicit BinlogStream(std::unique_ptr<Connection> connection)
      : connection_(std::move(connection)), where_(connection_->where()) {}
  Status Start(const Options& options, std::chrono::milliseconds read_timeout);
  /// Takes the socket over from libmariadb when the connection is plain (no TLS, no
  /// compression): from here on packets are read by `reader_`.
  void TakeOverReads(std::chrono::milliseconds read_timeout);
  Result<RawEvent> Fetch();
  /// The event in a packet of the dump (OK byte, then the event).
  Result<RawEvent> ParsePacket(const unsigned char* packet, size_t length);
  Status ServerError(std::string_view packet) const;
  Status FetchError() const;
  Status TrackFile(const RawEvent& event);

  std::unique_ptr<Connection> connection_;
  std::string where_;
  void* rpl_ = nullptr;    // MARIADB_RPL*
  bool pending_ = false;   // Open's first event, not yet returned by Next
  RawEvent pending_event_;
  std::string current_file_;
  bool checksums_ = true;
  std::mutex socket_mutex_;  // guards socket_ between Interrupt and Close
  int socket_ = -1;
  std::atomic<bool> interrupted_{false};
  std::unique_ptr<PacketReader> reader_;  ///< null while libmariadb reads
};

}  // namespace rivven::mysql
