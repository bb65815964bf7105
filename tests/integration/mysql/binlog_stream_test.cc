// BinlogStream against a real MariaDB: event order and bytes, rotation, GTID resume,
// heartbeats, interruption, and the errors a CDC source must tell apart.
#include "clients/mysql/binlog_stream.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "binlog_test_util.h"
#include "clients/mysql/mysql_error.h"
#include "support/mariadb_server.h"
#include "support/process.h"

namespace rivven::testing {
namespace {

using mysql::BinlogStream;
using mysql::EventType;
using namespace std::chrono_literals;

constexpr size_t kHeader = 19;

class BinlogStreamTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (MariadbServer::Available()) server_ = MariadbServer::Start({}, &start_error_);
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(MariadbServer::Available()) << "MariaDB is not installed: run install-deps.sh";
    ASSERT_NE(server_, nullptr) << start_error_;
  }

  // A stream as `rivven` (so the grants are tested too) with a short heartbeat.
  static std::unique_ptr<BinlogStream> Open(BinlogStream::Options options) {
    auto stream = BinlogStream::Open(server_->RivvenParams(), options);
    EXPECT_TRUE(stream.ok()) << stream.status().ToString() << "\n" << server_->Log();
    return stream.ok() ? std::move(stream).value() : nullptr;
  }
  static BinlogStream::Options At(const MasterPosition& p, uint32_t server_id) {
    BinlogStream::Options o;
    o.server_id = server_id;
    o.file = p.file;
    o.position = p.position;
    o.heartbeat_period = 200ms;
    return o;
  }
  static void Exec(const std::string& sql) {
    ASSERT_EQ(server_->Exec(sql, "rivven_test"), "") << sql;
  }

  static std::unique_ptr<MariadbServer> server_;
  static std::string start_error_;
};

std::unique_ptr<MariadbServer> BinlogStreamTest::server_;
std::string BinlogStreamTest::start_error_;

// Checks each event against the binlog file: same bytes at next_position - size, a valid
// CRC32 at the end, positions increasing from `start`; `contiguous`: no gaps between events.
void ExpectAsInBinlogFile(const std::string& binlog_dir, const std::vector<SeenEvent>& data,
                          const MasterPosition& start, bool contiguous) {
  ASSERT_FALSE(data.empty());
  const std::string file = ReadFile(binlog_dir + "/" + start.file);
  uint64_t offset = start.position;
  for (const SeenEvent& e : data) {
    SCOPED_TRACE(mysql::EventTypeName(e.type));
    ASSERT_GT(e.bytes.size(), kHeader + 4);
    EXPECT_EQ(static_cast<EventType>(e.bytes[4]), e.type);
    EXPECT_EQ(LittleEndian32(e.bytes, 9), e.bytes.size());
    ASSERT_LE(e.next_position, file.size());
    const uint64_t begin = e.next_position - e.bytes.size();
    if (contiguous || &e == &data.front()) {
      EXPECT_EQ(begin, offset);
    } else {
      EXPECT_GE(begin, offset);
    }
    EXPECT_TRUE(file.compare(begin, e.bytes.size(), e.bytes) == 0);
    const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(e.bytes.data()),
                            static_cast<uInt>(e.bytes.size() - 4));
    EXPECT_EQ(LittleEndian32(e.bytes, e.bytes.size() - 4), static_cast<uint32_t>(crc));
    offset = e.next_position;
  }
}

auto XidCount(size_t n) {
  return [n, seen = size_t{0}](const SeenEvent& e) mutable {
    return e.type == EventType::kXid && ++seen == n;
  };
}

TEST_F(BinlogStreamTest, RowChangesArriveInOrderWithTheirBinlogBytes) {
  const MasterPosition start = CurrentPosition(*server_);
  auto stream = Open(At(start, 101));
  ASSERT_NE(stream, nullptr);
  Exec("CREATE TABLE orders (id INT PRIMARY KEY, note VARCHAR(50)) ENGINE=InnoDB");
  Exec("INSERT INTO orders VALUES (1, 'a'), (2, 'b')");
  Exec("UPDATE orders SET note = 'bb' WHERE id = 2");
  Exec("DELETE FROM orders WHERE id = 1");

  Status error;
  const auto events = ReadUntil(*stream, XidCount(3), 20s, &error);
  ASSERT_TRUE(error.ok()) << error.ToString();
  ASSERT_GE(events.size(), 2u);
  // The server opens with an artificial ROTATE naming the file, then the file's format.
  EXPECT_EQ(events[0].type, EventType::kRotate);
  EXPECT_NE(events[0].flags & 0x20, 0);
  EXPECT_EQ(events[0].file, start.file);
  EXPECT_EQ(events[1].type, EventType::kFormatDescription);
  EXPECT_TRUE(stream->checksums());

  const auto data = DataEvents(events);
  const std::vector<std::string> expected = {
      "GTID", "QUERY",                               // the CREATE TABLE
      "GTID", "TABLE_MAP", "WRITE_ROWS_V1",  "XID",  // each statement its transaction
      "GTID", "TABLE_MAP", "UPDATE_ROWS_V1", "XID",  // before and after image in one event
      "GTID", "TABLE_MAP", "DELETE_ROWS_V1", "XID"};
  ASSERT_EQ(Types(data), expected);

  // Each event is exactly its bytes in the binlog file, ending with the CRC32 of the rest. The
  // server leaves out the ANNOTATE_ROWS events nobody asked for, so the events need not be back
  // to back; the first starts at the start position.
  ExpectAsInBinlogFile(server_->binlog_dir(), data, start, /*contiguous=*/false);
  EXPECT_NE(data[1].bytes.find("CREATE TABLE orders"), std::string::npos);
}

TEST_F(BinlogStreamTest, AnnotateRowsWhenAsked) {
  Exec("CREATE TABLE annotated (id INT PRIMARY KEY)");
  const MasterPosition start = CurrentPosition(*server_);
  BinlogStream::Options o = At(start, 102);
  o.send_annotate_rows = true;
  auto stream = Open(o);
  ASSERT_NE(stream, nullptr);
  Exec("INSERT INTO annotated VALUES (7)");
  Status error;
  const auto data = DataEvents(ReadUntil(*stream, XidCount(1), 20s, &error));
  ASSERT_TRUE(error.ok()) << error.ToString();
  const std::vector<std::string> expected = {"GTID", "ANNOTATE_ROWS", "TABLE_MAP", "WRITE_ROWS_V1",
                                             "XID"};
  ASSERT_EQ(Types(data), expected);
  EXPECT_NE(data[1].bytes.find("INSERT INTO annotated VALUES (7)"), std::string::npos);
  // With the annotations, every event of the file arrives: back to back from the start.
  ExpectAsInBinlogFile(server_->binlog_dir(), data, start, /*contiguous=*/true);
}

TEST_F(BinlogStreamTest, FlushBinaryLogsRotatesToTheNextFile) {
  const MasterPosition start = CurrentPosition(*server_);
  auto stream = Open(At(start, 103));
  ASSERT_NE(stream, nullptr);
  Exec("FLUSH BINARY LOGS");  // as root here; RELOAD lets rivven do it (MariadbServerTest)
  const MasterPosition next = CurrentPosition(*server_);
  ASSERT_NE(next.file, start.file);

  Status error;
  auto rotated_then_format = [rotated = false](const SeenEvent& e) mutable {
    if (e.type == EventType::kRotate && (e.flags & 0x20) == 0) rotated = true;
    return rotated && e.type == EventType::kFormatDescription;
  };
  const auto events = ReadUntil(*stream, rotated_then_format, 20s, &error);
  ASSERT_TRUE(error.ok()) << error.ToString();
  const auto data = DataEvents(events);
  ASSERT_FALSE(data.empty());
  // The real ROTATE closes the old file; the stream then reads the new one from its start.
  const SeenEvent& rotate = data.back();
  ASSERT_EQ(rotate.type, EventType::kRotate);
  EXPECT_EQ(LittleEndian64(rotate.bytes, kHeader), 4u);  // the new file's first event
  EXPECT_EQ(rotate.file, next.file);
  EXPECT_EQ(stream->current_file(), next.file);
  EXPECT_EQ(events.back().type, EventType::kFormatDescription);
}

TEST_F(BinlogStreamTest, ResumesAfterAGtidState) {
  Exec("CREATE TABLE gtid_resume (id INT PRIMARY KEY)");
  Exec("INSERT INTO gtid_resume VALUES (1)");
  const std::string state = server_->QueryValue("SELECT @@global.gtid_binlog_pos");
  ASSERT_FALSE(state.empty());
  const uint64_t last_seq = std::stoull(state.substr(state.rfind('-') + 1));
  Exec("INSERT INTO gtid_resume VALUES (2)");
  Exec("INSERT INTO gtid_resume VALUES (3)");

  BinlogStream::Options o;
  o.server_id = 104;
  o.mariadb_gtid_state = state;
  o.heartbeat_period = 200ms;
  auto stream = Open(o);
  ASSERT_NE(stream, nullptr);
  Status error;
  const auto data = DataEvents(ReadUntil(*stream, XidCount(2), 20s, &error));
  ASSERT_TRUE(error.ok()) << error.ToString();
  EXPECT_FALSE(stream->current_file().empty());
  std::vector<uint64_t> sequences;
  for (const SeenEvent& e : data) {
    if (e.type == EventType::kGtid) sequences.push_back(LittleEndian64(e.bytes, kHeader));
  }
  EXPECT_EQ(sequences, (std::vector<uint64_t>{last_seq + 1, last_seq + 2}));
  EXPECT_EQ(Count(data, EventType::kWriteRowsV1), 2u);
}

TEST_F(BinlogStreamTest, HeartbeatsWhileIdle) {
  const MasterPosition start = CurrentPosition(*server_);
  auto stream = Open(At(start, 105));
  ASSERT_NE(stream, nullptr);
  Status error;
  const auto events = ReadUntil(
      *stream, [](const SeenEvent&) { return false; }, 1500ms, &error);
  ASSERT_TRUE(error.ok()) << error.ToString();
  std::vector<SeenEvent> beats;
  for (const SeenEvent& e : events) {
    if (e.type == EventType::kHeartbeat) beats.push_back(e);
  }
  ASSERT_GE(beats.size(), 3u);
  for (size_t i = 0; i < beats.size(); ++i) {
    // A heartbeat carries the position the stream has reached and the file name.
    EXPECT_EQ(beats[i].next_position, start.position);
    EXPECT_NE(beats[i].bytes.find(start.file), std::string::npos);
    if (i > 0) {
      EXPECT_LT(beats[i].at - beats[i - 1].at, 1000ms);
    }
  }
}

TEST_F(BinlogStreamTest, InterruptUnblocksNext) {
  BinlogStream::Options o = At(CurrentPosition(*server_), 106);
  o.heartbeat_period = 0ms;  // nothing would wake Next but the interrupt (or the read timeout)
  mysql::ConnectionParams params = server_->RivvenParams();
  params.read_timeout = 20s;
  auto opened = BinlogStream::Open(params, o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<BinlogStream> stream = std::move(opened).value();
  Status error;
  auto format = [](const SeenEvent& e) { return e.type == EventType::kFormatDescription; };
  (void)ReadUntil(*stream, format, 5s, &error);
  ASSERT_TRUE(error.ok()) << error.ToString();

  const auto started = std::chrono::steady_clock::now();
  std::thread interrupter([&] {
    std::this_thread::sleep_for(300ms);
    stream->Interrupt();
  });
  auto next = stream->Next();
  const auto waited = std::chrono::steady_clock::now() - started;
  interrupter.join();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), StatusCode::kCancelled) << next.status().ToString();
  EXPECT_LT(waited, 5s);
  // Interrupted streams stay interrupted; Close is still fine.
  EXPECT_EQ(stream->Next().status().code(), StatusCode::kCancelled);
  EXPECT_TRUE(stream->Close().ok());
  EXPECT_FALSE(stream->Next().ok());
}

TEST_F(BinlogStreamTest, APlainStreamIsDirectAndWaitsWithADeadline) {
  Exec("CREATE TABLE direct_wait (id INT PRIMARY KEY, note VARCHAR(20))");
  BinlogStream::Options o = At(CurrentPosition(*server_), 110);
  o.heartbeat_period = 0ms;  // quiet unless rows change
  mysql::ConnectionParams params = server_->RivvenParams();
  params.read_timeout = 3s;
  auto opened = BinlogStream::Open(params, o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<BinlogStream> stream = std::move(opened).value();
  ASSERT_TRUE(stream->direct()) << "a connection without TLS is read by the stream itself";

  // The dump's first events are at hand; then the stream runs dry and a wait ends on time.
  Status error;
  auto format = [](const SeenEvent& e) { return e.type == EventType::kFormatDescription; };
  (void)ReadUntil(*stream, format, 5s, &error);
  ASSERT_TRUE(error.ok()) << error.ToString();
  while (stream->buffered()) ASSERT_TRUE(stream->Next().ok());
  auto start = std::chrono::steady_clock::now();
  auto ready = stream->Readable(300ms);
  ASSERT_TRUE(ready.ok()) << ready.status().ToString();
  EXPECT_FALSE(*ready);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);

  // A change wakes a wait at once, and its events follow.
  std::thread writer([] {
    std::this_thread::sleep_for(200ms);
    Exec("INSERT INTO direct_wait VALUES (1, 'direct')");
  });
  start = std::chrono::steady_clock::now();
  ready = stream->Readable(5000ms);
  writer.join();
  ASSERT_TRUE(ready.ok()) << ready.status().ToString();
  EXPECT_TRUE(*ready);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
  auto rows = [](const SeenEvent& e) { return e.type == EventType::kWriteRowsV1; };
  (void)ReadUntil(*stream, rows, 5s, &error);
  ASSERT_TRUE(error.ok()) << error.ToString();

  // Nothing at all for the read timeout is a retriable error naming the server.
  while (stream->buffered()) ASSERT_TRUE(stream->Next().ok());
  Status silence;
  start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < 10s) {
    auto r = stream->Readable(500ms);
    if (!r.ok()) {
      silence = r.status();
      break;
    }
    if (*r) ASSERT_TRUE(stream->Next().ok());
  }
  ASSERT_FALSE(silence.ok()) << "no error after 10 s of silence";
  EXPECT_EQ(silence.code(), StatusCode::kUnavailable) << silence.ToString();
  EXPECT_TRUE(silence.retriable());
  EXPECT_NE(silence.message().find("for 3 s (the read timeout)"), std::string::npos)
      << silence.ToString();
  EXPECT_NE(silence.message().find("rivven@127.0.0.1:"), std::string::npos) << silence.ToString();
}

TEST_F(BinlogStreamTest, PurgedBinlogIsItsOwnFatalError) {
  const MasterPosition old = CurrentPosition(*server_);
  Exec("FLUSH BINARY LOGS");
  const MasterPosition current = CurrentPosition(*server_);
  // Until InnoDB has checkpointed the old file's transactions, crash recovery still needs it
  // and PURGE only leaves a note: repeat until the file is gone.
  bool purged = false;
  for (int i = 0; i < 100 && !purged; ++i) {
    ASSERT_EQ(server_->Exec("PURGE BINARY LOGS TO '" + current.file + "'"), "");
    purged = !std::filesystem::exists(server_->binlog_dir() + "/" + old.file);
    if (!purged) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(purged) << old.file << " still there after 10 s of PURGE BINARY LOGS";

  auto stream = BinlogStream::Open(server_->RivvenParams(), At({old.file, 4}, 107));
  ASSERT_FALSE(stream.ok());
  const Status& s = stream.status();
  EXPECT_TRUE(mysql::IsBinlogUnavailable(s)) << s.ToString();
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_FALSE(s.retriable());
  EXPECT_NE(s.message().find("MySQL error 1236"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("Could not find first log file name in binary log index file"),
            std::string::npos)
      << s.ToString();
  EXPECT_NE(s.message().find("rivven@127.0.0.1:"), std::string::npos) << s.ToString();

  // A GTID state older than every remaining binlog is the same kind of error.
  BinlogStream::Options o;
  o.server_id = 108;
  o.mariadb_gtid_state = "0-1-1";
  auto by_gtid = BinlogStream::Open(server_->RivvenParams(), o);
  ASSERT_FALSE(by_gtid.ok());
  EXPECT_TRUE(mysql::IsBinlogUnavailable(by_gtid.status())) << by_gtid.status().ToString();
}

TEST_F(BinlogStreamTest, ServerRestartIsRetriable) {
  auto stream = Open(At(CurrentPosition(*server_), 109));
  ASSERT_NE(stream, nullptr);
  Status error;
  auto heartbeat = [](const SeenEvent& e) { return e.type == EventType::kHeartbeat; };
  (void)ReadUntil(*stream, heartbeat, 5s, &error);
  ASSERT_TRUE(error.ok()) << error.ToString();

  ASSERT_TRUE(server_->Stop());
  // Events the server still sent (its STOP event) may come first; then the error.
  const auto events = ReadUntil(
      *stream, [](const SeenEvent&) { return false; }, 15s, &error);
  ASSERT_FALSE(error.ok()) << events.size() << " events, no error";
  EXPECT_TRUE(error.retriable()) << error.ToString();
  EXPECT_EQ(error.code(), StatusCode::kUnavailable) << error.ToString();

  ASSERT_TRUE(server_->StartAgain());
  auto again = Open(At(CurrentPosition(*server_), 109));
  ASSERT_NE(again, nullptr);
  auto first = again->Next();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->type, EventType::kRotate);
}

}  // namespace
}  // namespace rivven::testing
