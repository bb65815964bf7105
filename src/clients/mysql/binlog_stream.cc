#include "clients/mysql/binlog_stream.h"

#include <sys/socket.h>

#include <limits>

#include <mysql.h>

#include <ma_pvio.h>      // the read-ahead cache drained when the socket is taken over
#include <mariadb_rpl.h>  // needs mysql.h first

#include "clients/mysql/mysql_error.h"

// libmariadb's mariadb_rpl_open sends COM_BINLOG_DUMP; the events are then read here packet by
// packet, not with mariadb_rpl_fetch: that one copies every event into a memory root allocated
// and freed per event and parses it into `MARIADB_RPL_EVENT` fields nobody here reads (a third
// of the reading thread's time). On a plain connection the socket is then read by our own
// PacketReader (large reads, one copy less than libmariadb's 16 kB read-ahead); over TLS or
// compression by libmariadb's mysql_net_read_packet. Each packet of the dump is
// the OK byte 0x00 followed by the event exactly as in the binlog (19-byte header, body, CRC32
// when checksums are on; no semi-sync bytes, as semi-sync is never asked for); 0xFE in a short
// packet ends the dump; an error packet (0xFF) makes the read fail with the server's error.
namespace rivven::mysql {
namespace {

constexpr size_t kHeaderSize = 19;
constexpr uint32_t kCapabilityGtid = 4;  // MARIA_SLAVE_CAPABILITY_GTID
constexpr std::chrono::milliseconds kMaxHeartbeat{4294967000};

MARIADB_RPL* Rpl(void* p) { return static_cast<MARIADB_RPL*>(p); }

uint32_t Le32(const unsigned char* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

Status CheckOptions(const BinlogStream::Options& o, const std::string& where) {
  const std::string on = " for the binlog stream from " + where;
  if (o.server_id == 0) return Status::InvalidArgument("server_id must not be 0" + on);
  if (o.mariadb_gtid_state.empty()) {
    if (o.file.empty()) {
      return Status::InvalidArgument("neither a binlog file nor a GTID state to start from" + on);
    }
    if (o.position < 4 || o.position > std::numeric_limits<uint32_t>::max()) {
      return Status::InvalidArgument("binlog position " + std::to_string(o.position) +
                                     " out of range [4, 4294967295]" + on);
    }
  }
  if (o.heartbeat_period.count() < 0 || o.heartbeat_period > kMaxHeartbeat) {
    return Status::InvalidArgument("heartbeat period out of range [0, 4294967 s]" + on);
  }
  return Status::Ok();
}

}  // namespace

constexpr struct {
  EventType type;
  const char* name;
} kEventNames[] = {
    {EventType::kUnknown, "UNKNOWN"},
    {EventType::kQuery, "QUERY"},
    {EventType::kStop, "STOP"},
    {EventType::kRotate, "ROTATE"},
    {EventType::kFormatDescription, "FORMAT_DESCRIPTION"},
    {EventType::kXid, "XID"},
    {EventType::kTableMap, "TABLE_MAP"},
    {EventType::kWriteRowsV1, "WRITE_ROWS_V1"},
    {EventType::kUpdateRowsV1, "UPDATE_ROWS_V1"},
    {EventType::kDeleteRowsV1, "DELETE_ROWS_V1"},
    {EventType::kHeartbeat, "HEARTBEAT"},
    {EventType::kWriteRows, "WRITE_ROWS"},
    {EventType::kUpdateRows, "UPDATE_ROWS"},
    {EventType::kDeleteRows, "DELETE_ROWS"},
    {EventType::kAnnotateRows, "ANNOTATE_ROWS"},
    {EventType::kBinlogCheckpoint, "BINLOG_CHECKPOINT"},
    {EventType::kGtid, "GTID"},
    {EventType::kGtidList, "GTID_LIST"},
};

std::string EventTypeName(EventType type) {
  for (const auto& e : kEventNames) {
    if (e.type == type) return e.name;
  }
  return "EVENT_" + std::to_string(static_cast<unsigned>(type));
}

BinlogStream::~BinlogStream() { (void)Close(); }

Result<std::unique_ptr<BinlogStream>> BinlogStream::Open(const ConnectionParams& params,
                                                         const Options& options) {
  RC_RETURN_IF_ERROR(CheckOptions(options, params.Where()));
  ConnectionParams p = params;
  p.multi_statements = false;
  // An idle stream is quiet for a heartbeat period: a read may wait that long.
  if (options.heartbeat_period.count() > 0) {
    const auto needed = std::chrono::ceil<std::chrono::seconds>(options.heartbeat_period * 2) +
                        std::chrono::seconds(5);
    p.read_timeout = std::max(p.read_timeout, needed);
  }
  RC_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, Connection::Open(p));
  std::unique_ptr<BinlogStream> stream(new BinlogStream(std::move(connection)));
  RC_RETURN_IF_ERROR(stream->Start(options, p.read_timeout));
  return stream;
}

Status BinlogStream::Start(const Options& options, std::chrono::milliseconds read_timeout) {
  Connection& c = *connection_;
  RC_ASSIGN_OR_RETURN(QueryResult checksum, c.Query("SELECT @@global.binlog_checksum"));
  checksums_ = checksum.rows() == 1 && checksum.Value(0, size_t{0}) != "NONE";
  // Tell the server we understand checksums (else it refuses to send checksummed events) and
  // GTID events (else it rewrites them into dummy events).
  RC_RETURN_IF_ERROR(c.Exec("SET @master_binlog_checksum = @@global.binlog_checksum"));
  RC_RETURN_IF_ERROR(c.Exec("SET @mariadb_slave_capability = " + std::to_string(kCapabilityGtid)));
  if (options.heartbeat_period.count() > 0) {
    const auto ns = std::chrono::nanoseconds(options.heartbeat_period).count();
    RC_RETURN_IF_ERROR(c.Exec("SET @master_heartbeat_period = " + std::to_string(ns)));
  }
  const bool gtid_mode = !options.mariadb_gtid_state.empty();
  if (gtid_mode) {
    // Non-strict, no duplicate filtering: we only read, and the caller dedups by position.
    RC_RETURN_IF_ERROR(
        c.Exec("SET @slave_connect_state = '" + c.Escape(options.mariadb_gtid_state) + "'"));
    RC_RETURN_IF_ERROR(c.Exec("SET @slave_gtid_strict_mode = 0"));
    RC_RETURN_IF_ERROR(c.Exec("SET @slave_gtid_ignore_duplicates = 0"));
  }

  MYSQL* mysql = static_cast<MYSQL*>(c.native_handle());
  rpl_ = mariadb_rpl_init(mysql);
  if (rpl_ == nullptr) {
    return ErrorStatus(mysql_errno(mysql), mysql_sqlstate(mysql), "starting a binlog stream from",
                       where_, mysql_error(mysql));
  }
  // In GTID mode the server finds the file itself and ignores file and position.
  const std::string file = gtid_mode ? std::string() : options.file;
  const unsigned long position = gtid_mode ? 4 : static_cast<unsigned long>(options.position);
  const unsigned int flags = options.send_annotate_rows ? MARIADB_RPL_BINLOG_SEND_ANNOTATE_ROWS : 0;
  mariadb_rpl_optionsv(Rpl(rpl_), MARIADB_RPL_FILENAME, file.c_str(), file.size());
  mariadb_rpl_optionsv(Rpl(rpl_), MARIADB_RPL_START, position);
  mariadb_rpl_optionsv(Rpl(rpl_), MARIADB_RPL_SERVER_ID,
                       static_cast<unsigned int>(options.server_id));
  mariadb_rpl_optionsv(Rpl(rpl_), MARIADB_RPL_FLAGS, flags);
  current_file_ = file;
  {
    std::lock_guard<std::mutex> lock(socket_mutex_);
    socket_ = static_cast<int>(mysql_get_socket(mysql));
  }
  if (mariadb_rpl_open(Rpl(rpl_)) != 0) return FetchError();
  TakeOverReads(read_timeout);

  // The server answers the dump with an artificial ROTATE, or with an error (1236) when it
  // cannot serve the start: wait for it, so that Open reports it.
  RC_ASSIGN_OR_RETURN(pending_event_, Fetch());
  pending_ = true;
  return Status::Ok();
}

Result<RawEvent> BinlogStream::Next() {
  if (pending_) {
    pending_ = false;
    return pending_event_;
  }
  if (rpl_ == nullptr)
    return Status::FailedPrecondition("binlog stream from " + where_ + " is closed");
  return Fetch();
}

void BinlogStream::TakeOverReads(std::chrono::milliseconds read_timeout) {
  MYSQL* mysql = static_cast<MYSQL*>(connection_->native_handle());
  MARIADB_PVIO* pvio = mysql->net.pvio;
  if (pvio == nullptr || mysql_get_ssl_cipher(mysql) != nullptr || mysql->net.compress ||
      socket_ < 0) {
    return;
  }
  reader_ = std::make_unique<PacketReader>(socket_, static_cast<uint8_t>(mysql->net.pkt_nr),
                                           read_timeout, where_);
  // What libmariadb already read ahead belongs to the dump's first packets.
  if (pvio->cache != nullptr && pvio->cache_pos != nullptr &&
      pvio->cache_pos < pvio->cache + pvio->cache_size) {
    const size_t held = static_cast<size_t>(pvio->cache + pvio->cache_size - pvio->cache_pos);
    reader_->Prime(std::string_view(reinterpret_cast<const char*>(pvio->cache_pos), held));
    pvio->cache_pos = pvio->cache + pvio->cache_size;
  }
}

Result<bool> BinlogStream::Readable(std::chrono::milliseconds wait) {
  if (pending_) return true;
  if (!reader_) return Status::FailedPrecondition("binlog stream from " + where_ + " is not direct");
  if (interrupted_.load()) return FetchError();
  Result<bool> ready = reader_->Readable(wait);
  if (!ready.ok()) {
    if (interrupted_.load()) return FetchError();
    return ready.status().WithContext("reading the binlog (" + current_file_ + ")");
  }
  return ready;
}

Result<RawEvent> BinlogStream::Fetch() {
  if (interrupted_.load()) return FetchError();
  if (reader_) {
    Result<std::string_view> packet = reader_->Next();
    if (!packet.ok()) {
      if (interrupted_.load()) return FetchError();
      return packet.status().WithContext("reading the binlog (" + current_file_ + ")");
    }
    return ParsePacket(reinterpret_cast<const unsigned char*>(packet->data()), packet->size());
  }
  MYSQL* mysql = static_cast<MYSQL*>(connection_->native_handle());
  const unsigned long packet_length = mysql_net_read_packet(mysql);
  if (packet_length == packet_error) return FetchError();
  return ParsePacket(mysql->net.read_pos, packet_length);
}

Status BinlogStream::ServerError(std::string_view packet) const {
  // 0xFF, the error number (2 bytes), '#' and the 5-character SQLSTATE, the message.
  if (packet.size() < 3) {
    return Status::Corruption("error packet of " + std::to_string(packet.size()) + " bytes from " +
                              where_);
  }
  const auto* p = reinterpret_cast<const unsigned char*>(packet.data());
  const unsigned number = p[1] | unsigned{p[2]} << 8;
  std::string_view rest = packet.substr(3);
  std::string_view sqlstate;
  if (rest.size() >= 6 && rest[0] == '#') {
    sqlstate = rest.substr(1, 5);
    rest.remove_prefix(6);
  }
  return ErrorStatus(number, sqlstate, "reading the binlog (" + current_file_ + ") from", where_,
                     rest);
}

Result<RawEvent> BinlogStream::ParsePacket(const unsigned char* packet, size_t packet_length) {
  if (packet_length > 0 && packet[0] == 0xFF) {
    return ServerError(std::string_view(reinterpret_cast<const char*>(packet), packet_length));
  }
  if (packet_length > 0 && packet[0] == 0xFE && packet_length < 9) {
    return Status::Unavailable("the server ended the binlog stream on " + where_);
  }
  if (packet_length == 0 || packet[0] != 0x00) {
    return Status::Corruption("binlog stream from " + where_ + ": a packet of " +
                              std::to_string(packet_length) + " bytes starting with " +
                              (packet_length == 0 ? std::string("nothing")
                                                  : "byte " + std::to_string(packet[0])) +
                              " where an event (first byte 0) was expected");
  }
  if (packet_length - 1 < kHeaderSize) {
    return Status::Corruption("binlog event of " + std::to_string(packet_length - 1) +
                              " bytes from " + where_ + " is shorter than its header");
  }
  const unsigned char* p = packet + 1;
  RawEvent event;
  event.bytes = std::string_view(reinterpret_cast<const char*>(p), packet_length - 1);
  event.timestamp = Le32(p);
  event.type = static_cast<EventType>(p[4]);
  event.server_id = Le32(p + 5);
  const uint32_t length = Le32(p + 9);
  event.next_position = Le32(p + 13);
  event.flags = static_cast<uint16_t>(p[17] | p[18] << 8);
  if (length != event.bytes.size()) {
    return Status::Corruption(EventTypeName(event.type) + " event from " + where_ + " says " +
                              std::to_string(length) + " bytes but " +
                              std::to_string(event.bytes.size()) + " arrived");
  }
  if (event.type == EventType::kFormatDescription) {
    // The body ends with the checksum algorithm (1 = CRC32) and the 4-byte checksum field.
    const size_t n = event.bytes.size();
    checksums_ = n >= kHeaderSize + 57 + 5 && event.bytes[n - 5] == 1;
  } else if (event.type == EventType::kRotate) {
    RC_RETURN_IF_ERROR(TrackFile(event));
  }
  return event;
}

Status BinlogStream::TrackFile(const RawEvent& event) {
  // ROTATE body: 8-byte position of the first event in the next file, then its name.
  const size_t trailer = checksums_ ? 4 : 0;
  if (event.bytes.size() < kHeaderSize + 8 + trailer) {
    return Status::Corruption("ROTATE event from " + where_ + " too short");
  }
  current_file_ = std::string(
      event.bytes.substr(kHeaderSize + 8, event.bytes.size() - kHeaderSize - 8 - trailer));
  return Status::Ok();
}

Status BinlogStream::FetchError() const {
  if (interrupted_.load()) {
    return Status::Cancelled("binlog stream from " + where_ + " interrupted");
  }
  const std::string what = "reading the binlog (" + current_file_ + ") from";
  if (rpl_ != nullptr && mariadb_rpl_errno(Rpl(rpl_)) != 0) {
    return ErrorStatus(mariadb_rpl_errno(Rpl(rpl_)), "", what, where_,
                       mariadb_rpl_error(Rpl(rpl_)));
  }
  MYSQL* mysql = static_cast<MYSQL*>(connection_->native_handle());
  if (mysql_errno(mysql) == 0) {
    return Status::Unavailable("the server ended the binlog stream on " + where_);
  }
  return ErrorStatus(mysql_errno(mysql), mysql_sqlstate(mysql), what, where_, mysql_error(mysql));
}

void BinlogStream::Interrupt() {
  std::lock_guard<std::mutex> lock(socket_mutex_);
  interrupted_.store(true);
  if (socket_ >= 0) ::shutdown(socket_, SHUT_RDWR);
}

Status BinlogStream::Close() {
  {
    std::lock_guard<std::mutex> lock(socket_mutex_);
    socket_ = -1;
  }
  pending_ = false;
  reader_.reset();
  if (rpl_ != nullptr) mariadb_rpl_close(Rpl(rpl_));
  rpl_ = nullptr;
  connection_.reset();
  return Status::Ok();
}

}  // namespace rivven::mysql
