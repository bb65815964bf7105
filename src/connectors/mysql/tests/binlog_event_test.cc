// The event decoder against events captured from MariaDB 10.11 (mariadb_capture.h) and
// MySQL-format events built by hand from libbinlogevents' documented layouts.
#include "connectors/mysql/binlog_event.h"

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "connectors/mysql/tests/binlog_test_util.h"

namespace rivven::mysql {
namespace {

using testing::CapturedFileEvents;
using testing::Frame;
using testing::PutLe;
using testing::Unhex;

/// Decodes the capture up to and including event `index`.
BinlogEvent DecodeUpTo(BinlogDecoder& decoder, size_t index) {
  const auto events = CapturedFileEvents();
  static std::vector<std::string> keep;  // the views in the result point into these bytes
  keep = events;
  Result<BinlogEvent> last = Status::Internal("none");
  for (size_t i = 0; i <= index; ++i) {
    last = decoder.Decode(keep[i]);
    EXPECT_TRUE(last.ok()) << i << ": " << last.status().message();
  }
  return *last;
}

TEST(BinlogEventCapturedTest, FormatDescription) {
  BinlogDecoder d;
  const BinlogEvent e = DecodeUpTo(d, 0);
  const auto& f = std::get<FormatDescriptionEvent>(e.body);
  EXPECT_EQ(f.binlog_version, 4);
  EXPECT_EQ(f.server_version, "10.11.19-MariaDB-0+deb12u1-log");
  EXPECT_TRUE(f.mariadb());
  EXPECT_EQ(f.header_length, 19);
  EXPECT_EQ(f.checksum, ChecksumAlg::kCrc32);
  ASSERT_EQ(f.post_header_lengths.size(), 171u);  // MariaDB 10.11 knows types 1..171
  EXPECT_EQ(f.post_header_lengths[162 - 1], 19);  // GTID_EVENT
  EXPECT_EQ(f.post_header_lengths[23 - 1], 8);    // WRITE_ROWS_EVENT_V1
  EXPECT_EQ(d.checksum(), ChecksumAlg::kCrc32);
  EXPECT_EQ(e.header.start(), BinlogOffset(4));
  EXPECT_EQ(e.header.flags & 1, 1);  // LOG_EVENT_BINLOG_IN_USE_F: the CRC is over the flag cleared
}

TEST(BinlogEventCapturedTest, GtidsQueriesAndXids) {
  BinlogDecoder d;
  const auto list = std::get<MariaGtidListEvent>(DecodeUpTo(d, 1).body);
  EXPECT_TRUE(list.gtids.empty());
  EXPECT_TRUE(std::holds_alternative<OtherEvent>(DecodeUpTo(d, 2).body));  // BINLOG_CHECKPOINT

  const auto ddl = std::get<MariaGtidEvent>(DecodeUpTo(d, 3).body);
  EXPECT_EQ(ddl.gtid.ToString(), "0-1-1");
  EXPECT_TRUE(ddl.standalone());
  EXPECT_TRUE(ddl.ddl());
  EXPECT_FALSE(ddl.commit_id.has_value());
  const BinlogEvent create = DecodeUpTo(d, 4);
  const auto& q = std::get<QueryEvent>(create.body);
  EXPECT_EQ(q.sql, "CREATE DATABASE shop");
  EXPECT_EQ(q.kind, QueryKind::kDdl);
  EXPECT_EQ(q.error_code, 0);
  EXPECT_EQ(create.header.log_pos, 457u);

  const auto trx = std::get<MariaGtidEvent>(DecodeUpTo(d, 7).body);
  EXPECT_EQ(trx.gtid.ToString(), "0-1-3");
  EXPECT_FALSE(trx.standalone());
  EXPECT_EQ(trx.flags, MariaGtidEvent::kTransactional | MariaGtidEvent::kAllowParallel);
  const auto annotate = std::get<AnnotateRowsEvent>(DecodeUpTo(d, 8).body);
  EXPECT_EQ(annotate.sql.substr(0, 24), "INSERT INTO ints VALUES ");
  EXPECT_GT(std::get<XidEvent>(DecodeUpTo(d, 11).body).xid, 0u);
}

TEST(BinlogEventCapturedTest, TableMapWithFullMetadata) {
  BinlogDecoder d;
  const auto map = *std::get<std::shared_ptr<const TableMap>>(DecodeUpTo(d, 35).body);
  EXPECT_EQ(map.database, "shop");
  EXPECT_EQ(map.table, "strs");
  ASSERT_EQ(map.columns.size(), 21u);
  EXPECT_EQ(map.primary_key, std::vector<uint32_t>{0});
  EXPECT_TRUE(map.has_optional(OptionalMetadataType::kColumnName));
  auto col = [&](std::string_view name) -> const TableColumn& {
    for (const TableColumn& c : map.columns) {
      if (c.name == name) return c;
    }
    ADD_FAILURE() << name;
    return map.columns[0];
  };
  EXPECT_FALSE(col("id").nullable);
  EXPECT_TRUE(col("c").nullable);
  EXPECT_EQ(col("c").type, ColumnType::kString);
  EXPECT_EQ(col("c").length, 40u);       // CHAR(10) utf8mb4
  EXPECT_EQ(col("c255").length, 1020u);  // CHAR(255) utf8mb4: bits 8-9 in the type byte
  EXPECT_EQ(col("vc").length, 400u);
  EXPECT_EQ(col("l1").collation, 8u);    // latin1_swedish_ci
  EXPECT_EQ(col("cp").collation, 51u);   // cp1251_general_ci
  EXPECT_EQ(col("bin").collation, 63u);  // binary
  EXPECT_EQ(col("tx").length, 2u);       // TEXT: 2-byte lengths
  EXPECT_EQ(col("e").real_type, ColumnType::kEnum);
  EXPECT_EQ(col("e").labels, (std::vector<std::string>{"small", "medium", "large"}));
  EXPECT_EQ(col("st").real_type, ColumnType::kSet);
  EXPECT_EQ(col("st").labels, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(col("e").collation, 45u);
  EXPECT_EQ(col("g").geometry_type, 0u);
  EXPECT_EQ(col("pt").geometry_type, 1u);
  EXPECT_EQ(col("u16").collation, 54u);
  ASSERT_EQ(d.FindTable(map.table_id)->table, "strs");

  const auto ints = *std::get<std::shared_ptr<const TableMap>>(DecodeUpTo(d, 9).body);
  // MariaDB counts YEAR among the signed/unsigned columns.
  EXPECT_EQ(ints.columns[2].is_unsigned, true);   // tu
  EXPECT_EQ(ints.columns[11].is_unsigned, true);  // y YEAR
  EXPECT_EQ(ints.columns[12].is_unsigned, false); // flag BOOLEAN
}

TEST(BinlogEventCapturedTest, RowsEventsV1) {
  BinlogDecoder d;
  const auto write = std::get<RowsEvent>(DecodeUpTo(d, 10).body);
  EXPECT_EQ(write.kind, RowsKind::kWrite);
  EXPECT_EQ(write.version, 1);
  EXPECT_TRUE(write.stmt_end());
  EXPECT_EQ(write.column_count, 13u);
  EXPECT_EQ(write.columns_present, Unhex("ff1f"));
  EXPECT_TRUE(write.columns_after.empty());
  EXPECT_EQ(write.table->table, "ints");
  const auto update = std::get<RowsEvent>(DecodeUpTo(d, 50).body);
  EXPECT_EQ(update.kind, RowsKind::kUpdate);
  EXPECT_EQ(update.columns_after, Unhex("ff1f"));
  EXPECT_EQ(std::get<RowsEvent>(DecodeUpTo(d, 55).body).kind, RowsKind::kDelete);
}

TEST(BinlogEventCapturedTest, StreamPackets) {
  BinlogDecoder d;  // initial checksum undefined: recognised by the CRC itself
  const std::string rotate = Unhex(testdata::kStreamRotateCrc);
  Result<BinlogEvent> r = d.Decode(rotate);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(std::get<RotateEvent>(r->body).next_file, "mysql-bin.000001");
  EXPECT_EQ(std::get<RotateEvent>(r->body).position, BinlogOffset(4));
  EXPECT_EQ(r->header.flags, kLogEventArtificialF);
  const std::string plain = Unhex(testdata::kStreamRotateNoCrc);
  BinlogDecoder d2;
  r = d2.Decode(plain);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<RotateEvent>(r->body).next_file, "mysql-bin.000001");
  BinlogDecoder told({ChecksumAlg::kCrc32, true});
  EXPECT_FALSE(told.Decode(plain).ok());  // told CRC32: the last 4 name bytes are no CRC

  const std::string fde = Unhex(testdata::kStreamFdeMidFile);
  const std::string heartbeat = Unhex(testdata::kStreamHeartbeat);
  ASSERT_TRUE(d.Decode(fde).ok());
  r = d.Decode(heartbeat);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(std::get<HeartbeatEvent>(r->body).log_file, "mysql-bin.000001");
  EXPECT_EQ(r->header.log_pos, 18298u);
}

TEST(BinlogEventMalformedTest, EveryTruncationIsAnError) {
  const auto events = CapturedFileEvents();
  BinlogDecoder d;
  for (size_t i = 0; i < events.size(); ++i) {
    const std::string& full = events[i];
    for (size_t n = 0; n < full.size(); ++n) {
      BinlogDecoder copy = d;
      Result<BinlogEvent> r = copy.Decode(std::string_view(full).substr(0, n));
      ASSERT_FALSE(r.ok()) << i << " cut to " << n;
      ASSERT_EQ(r.status().code(), StatusCode::kCorruption);
      ASSERT_NE(r.status().message().find(" at byte "), std::string::npos);
    }
    // With the size in the header fixed too, the checksum no longer matches. (Not for the
    // FDE: whether it has a checksum is its own byte, so a cut one may just lack one.)
    for (size_t n = 19; i > 0 && n + 1 < full.size(); n += 7) {
      std::string cut = full.substr(0, n);
      cut[9] = static_cast<char>(n);
      cut[10] = static_cast<char>(n >> 8);
      BinlogDecoder copy = d;
      ASSERT_FALSE(copy.Decode(cut).ok()) << i << " cut to " << n;
    }
    ASSERT_TRUE(d.Decode(full).ok()) << i;
  }
}

TEST(BinlogEventMalformedTest, ChecksumMismatchNamesTypeAndPosition) {
  BinlogDecoder d;
  const auto events = CapturedFileEvents();
  ASSERT_TRUE(d.Decode(events[0]).ok());
  std::string gtid = events[3];
  gtid[20] ^= 1;
  Result<BinlogEvent> r = d.Decode(gtid);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(r.status().message(),
            "binlog GTID_EVENT (type 162) at position 328: checksum mismatch (stored 0xdabe0fde, "
            "computed 0x35ecb93f) at byte 38");
  BinlogDecoder lenient({ChecksumAlg::kUndefined, false});
  ASSERT_TRUE(lenient.Decode(events[0]).ok());
  EXPECT_TRUE(lenient.Decode(gtid).ok());
}

TEST(BinlogEventMalformedTest, FlippedBytesNeverEscapeTheBuffer) {
  const auto events = CapturedFileEvents();
  const unsigned char kValues[] = {0x00, 0x01, 0x7f, 0x80, 0xfb, 0xfc, 0xfe, 0xff};
  size_t decoded = 0;
  BinlogDecoder base({ChecksumAlg::kUndefined, false});  // so corrupted bodies get decoded
  for (size_t i = 0; i < events.size(); ++i) {
    std::string bytes = events[i];
    for (size_t k = 0; k < bytes.size() && k < 400; ++k) {
      const char original = bytes[k];
      for (unsigned char v : kValues) {
        bytes[k] = static_cast<char>(v);
        BinlogDecoder copy = base;
        Result<BinlogEvent> r = copy.Decode(bytes);
        if (r.ok()) ++decoded;
      }
      bytes[k] = original;
    }
    ASSERT_TRUE(base.Decode(events[i]).ok());
  }
  EXPECT_GT(decoded, 0u);
}

TEST(BinlogEventMalformedTest, RowsWithoutTheirTableMap) {
  BinlogDecoder d;
  const auto events = CapturedFileEvents();
  ASSERT_TRUE(d.Decode(events[0]).ok());
  Result<BinlogEvent> r = d.Decode(events[10]);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "binlog WRITE_ROWS_EVENT_V1 (type 23) at position 1308: table id 35 has no "
            "TABLE_MAP_EVENT before it at byte 19");
}

TEST(BinlogEventMalformedTest, SplitBinlogFile) {
  std::string file(kBinlogMagic);
  for (const std::string& e : CapturedFileEvents()) file += e;
  Result<std::vector<std::string_view>> parts = SplitBinlogFile(file);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->size(), std::size(testdata::kFileEvents));
  EXPECT_FALSE(SplitBinlogFile(file.substr(0, file.size() - 1)).ok());
  EXPECT_FALSE(SplitBinlogFile("xbin").ok());
}

// ---- MySQL-format events, built from the documented layouts -------------------------------

TEST(BinlogEventMysqlTest, GtidAnonymousGtidAndPreviousGtids) {
  BinlogDecoder d;
  ASSERT_TRUE(d.Decode(testing::MysqlFde(true)).ok());
  EXPECT_EQ(d.server_version(), "8.0.36");
  // GTID_LOG_EVENT: flags, uuid 3e11fa47-71ca-11e1-9e33-c80aa9429562, gno 23, logical clock
  // (typecode 2, last_committed 5, sequence 6), immediate commit ts with the "original
  // follows" bit, original ts, then a transaction length.
  std::string body = Unhex("01 3e11fa4771ca11e19e33c80aa9429562");
  PutLe(body, 23, 8);
  body.push_back(2);
  PutLe(body, 5, 8);
  PutLe(body, 6, 8);
  PutLe(body, 1700000000000000ull | (1ull << 55), 7);
  PutLe(body, 1690000000000000ull, 7);
  body.push_back(static_cast<char>(0xfc));
  PutLe(body, 300, 2);
  Result<BinlogEvent> r = d.Decode(Frame(33, body));
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& g = std::get<MysqlGtidEvent>(r->body);
  EXPECT_EQ(g.ToString(), "3e11fa47-71ca-11e1-9e33-c80aa9429562:23");
  EXPECT_EQ(g.last_committed, 5);
  EXPECT_EQ(g.sequence_number, 6);
  EXPECT_EQ(g.immediate_commit_ts, 1700000000000000ull);
  EXPECT_EQ(g.original_commit_ts, 1690000000000000ull);
  // The anonymous variant (gtid_mode=OFF), as MySQL 5.7 writes it: no commit timestamps.
  std::string anon(1 + 16 + 8, '\0');
  anon.push_back(2);
  PutLe(anon, 0, 16);
  r = d.Decode(Frame(34, anon));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(std::get<MysqlGtidEvent>(r->body).anonymous);
  EXPECT_FALSE(std::get<MysqlGtidEvent>(r->body).immediate_commit_ts.has_value());
  // PREVIOUS_GTIDS: two SIDs, intervals [1,6) [7,10) and [1,2): end exclusive.
  std::string prev;
  PutLe(prev, 2, 8);
  prev += Unhex("3e11fa4771ca11e19e33c80aa9429562");
  PutLe(prev, 2, 8);
  PutLe(prev, 1, 8);
  PutLe(prev, 6, 8);
  PutLe(prev, 7, 8);
  PutLe(prev, 10, 8);
  prev += Unhex("00000000000000000000000000000001");
  PutLe(prev, 1, 8);
  PutLe(prev, 1, 8);
  PutLe(prev, 2, 8);
  r = d.Decode(Frame(35, prev));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(std::get<PreviousGtidsEvent>(r->body).gtid_set,
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7-9,00000000-0000-0000-0000-000000000001:1");
  // A count that cannot fit is corruption, not an allocation.
  std::string huge;
  PutLe(huge, ~0ull, 8);
  EXPECT_EQ(d.Decode(Frame(35, huge)).status().code(), StatusCode::kCorruption);
}

TEST(BinlogEventMysqlTest, RowsV2WithExtraDataAndRowsQuery) {
  BinlogDecoder d;
  ASSERT_TRUE(d.Decode(testing::MysqlFde(false)).ok());
  EXPECT_EQ(d.checksum(), ChecksumAlg::kOff);
  // TABLE_MAP: id 0x010203040506, db "d", table "t", (id BIGINT UNSIGNED, v VARCHAR(10));
  // optional metadata: SIGNEDNESS 0b10..., COLUMN_NAME id, v; SIMPLE_PRIMARY_KEY 0.
  std::string map = Unhex("060504030201 0100 01 64 00 01 74 00 02 08 0f 02 0a00 02");
  map += Unhex("01 01 80  04 05 026964 0176  08 01 00");
  Result<BinlogEvent> r = d.Decode(Frame(19, map, false));
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& t = *std::get<std::shared_ptr<const TableMap>>(r->body);
  EXPECT_EQ(t.table_id, 0x010203040506u);
  EXPECT_EQ(t.columns[0].is_unsigned, true);
  EXPECT_EQ(t.columns[1].is_unsigned, std::nullopt);  // VARCHAR is not numeric
  EXPECT_FALSE(t.columns[0].nullable);
  EXPECT_TRUE(t.columns[1].nullable);
  EXPECT_EQ(t.columns[1].name, "v");
  EXPECT_EQ(t.columns[1].length, 10u);
  // UPDATE_ROWS_EVENT (V2): extra data of 3 bytes (+2 for its length), both bitmaps, one row.
  std::string rows = Unhex("060504030201 0100 0500 010203 02 03 03");
  rows += Unhex("00 0100000000000000 01 61");
  rows += Unhex("00 0100000000000000 01 62");
  // An event's views point into the bytes given to Decode, so the frames here are held by name
  // (temporary frames were freed before the views were read; found by TSan).
  const std::string rows_frame = Frame(31, rows, false);
  r = d.Decode(rows_frame);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& u = std::get<RowsEvent>(r->body);
  EXPECT_EQ(u.version, 2);
  EXPECT_EQ(u.kind, RowsKind::kUpdate);
  EXPECT_EQ(u.extra_data, Unhex("010203"));
  EXPECT_EQ(u.columns_after, Unhex("03"));
  EXPECT_EQ(u.rows.size(), 22u);
  // An extra-data length below its own 2 bytes.
  EXPECT_EQ(d.Decode(Frame(30, Unhex("060504030201 0100 0100 02 03"), false)).status().message(),
            "binlog WRITE_ROWS_EVENT (type 30) at position 969: extra data length 1 is below 2 "
            "at byte 27");
  const std::string annotate_frame = Frame(29, Unhex("05") + "BEGIN", false);
  r = d.Decode(annotate_frame);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<AnnotateRowsEvent>(r->body).sql, "BEGIN");
  // MySQL starts transactions with a QUERY "BEGIN".
  std::string begin;
  PutLe(begin, 7, 4);
  PutLe(begin, 0, 4);
  begin.push_back(1);
  PutLe(begin, 0, 2);
  PutLe(begin, 0, 2);
  begin += "d";
  begin.push_back('\0');
  begin += "BEGIN";
  const std::string begin_frame = Frame(2, begin, false);
  r = d.Decode(begin_frame);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(std::get<QueryEvent>(r->body).kind, QueryKind::kBegin);
  EXPECT_EQ(std::get<QueryEvent>(r->body).database, "d");
  EXPECT_EQ(std::get<QueryEvent>(r->body).thread_id, 7u);
}

TEST(BinlogEventMariaTest, GtidWithCommitIdAndGtidList) {
  BinlogDecoder d;
  const auto events = CapturedFileEvents();
  ASSERT_TRUE(d.Decode(events[0]).ok());
  // GTID 5-7-100 with FL_GROUP_COMMIT_ID: the commit id follows the flags.
  std::string g;
  PutLe(g, 100, 8);
  PutLe(g, 5, 4);
  g.push_back(MariaGtidEvent::kGroupCommitId | MariaGtidEvent::kTransactional);
  PutLe(g, 4242, 8);
  Result<BinlogEvent> r = d.Decode(Frame(162, g));
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& ge = std::get<MariaGtidEvent>(r->body);
  EXPECT_EQ(ge.gtid.ToString(), "5-1-100");  // server id from the header
  EXPECT_EQ(ge.commit_id, 4242u);
  // The KB's example GTID_LIST: one GTID 0-10124-3584.
  std::string list = Unhex("01000000 00000000 8c270000 000e000000000000");
  r = d.Decode(Frame(163, list));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(std::get<MariaGtidListEvent>(r->body).gtids.size(), 1u);
  EXPECT_EQ(std::get<MariaGtidListEvent>(r->body).gtids[0].ToString(), "0-10124-3584");
}

}  // namespace
}  // namespace rivven::mysql
