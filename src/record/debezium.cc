#include "record/debezium.h"

#include <charconv>
#include <cstring>

#include "base/append_in_place.h"
#include "base/json_escape.h"
#include "record/json.h"

namespace rivven::debezium {
namespace {

void AppendUint(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

void AppendObjectOrNull(std::string& out, std::optional<std::string_view> object) {
  if (object) {
    out += *object;
  } else {
    out += "null";
  }
}

// Whether JSON takes `s` between quotes as it is (printable ASCII, no quote or backslash): binlog
// file names and GTIDs always are, so the tail is written in place without escaping.
bool PlainJsonText(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x80 || c == '"' || c == '\\') return false;
  }
  return true;
}

template <size_t N>
char* Put(char* p, const char (&literal)[N]) {
  std::memcpy(p, literal, N - 1);
  return p + (N - 1);
}

char* Put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

template <typename Int>
char* PutNumber(char* p, Int v) {
  return std::to_chars(p, p + 24, v).ptr;
}

char* PutQuoted(char* p, std::string_view s) {
  *p++ = '"';
  p = Put(p, s);
  *p++ = '"';
  return p;
}

// The source block's fields after `table`, and its closing brace.
void AppendSourceTail(std::string& out, const SourceInfo& s) {
  const bool plain = (!s.file || PlainJsonText(*s.file)) && (!s.gtid || PlainJsonText(*s.gtid));
  if (plain) {
    // One write into the string's buffer: a change event's tail is a dozen short pieces.
    const size_t most = 160 + (s.file ? s.file->size() : 0) + (s.gtid ? s.gtid->size() : 0);
    AppendInPlace(out, most, [&](char* p) {
      if (s.tx_id) p = PutNumber(Put(p, ",\"txId\":"), *s.tx_id);
      if (s.lsn) p = PutNumber(Put(p, ",\"lsn\":"), *s.lsn);
      if (s.file) p = PutQuoted(Put(p, ",\"file\":"), *s.file);
      if (s.pos) p = PutNumber(Put(p, ",\"pos\":"), *s.pos);
      if (s.gtid) p = PutQuoted(Put(p, ",\"gtid\":"), *s.gtid);
      if (s.server_id) p = PutNumber(Put(p, ",\"server_id\":"), *s.server_id);
      if (s.row) p = PutNumber(Put(p, ",\"row\":"), *s.row);
      *p++ = '}';
      return p;
    });
    return;
  }
  if (s.tx_id) {
    out += ",\"txId\":";
    json::AppendInt(out, *s.tx_id);
  }
  if (s.lsn) {
    out += ",\"lsn\":";
    AppendUint(out, *s.lsn);
  }
  if (s.file) {
    out += ",\"file\":";
    AppendJsonString(out, *s.file);
  }
  if (s.pos) {
    out += ",\"pos\":";
    AppendUint(out, *s.pos);
  }
  if (s.gtid) {
    out += ",\"gtid\":";
    AppendJsonString(out, *s.gtid);
  }
  if (s.server_id) {
    out += ",\"server_id\":";
    AppendUint(out, *s.server_id);
  }
  if (s.row) {
    out += ",\"row\":";
    AppendUint(out, *s.row);
  }
  out.push_back('}');
}

}  // namespace

char OpChar(Op op) {
  switch (op) {
    case Op::kCreate: return 'c';
    case Op::kUpdate: return 'u';
    case Op::kDelete: return 'd';
    case Op::kRead: return 'r';
    case Op::kTruncate: return 't';
  }
  return '?';
}

std::optional<Op> OpFromChar(char c) {
  switch (c) {
    case 'c': return Op::kCreate;
    case 'u': return Op::kUpdate;
    case 'd': return Op::kDelete;
    case 'r': return Op::kRead;
    case 't': return Op::kTruncate;
    default: return std::nullopt;
  }
}

const char* SnapshotName(Snapshot s) {
  switch (s) {
    case Snapshot::kFalse: return "false";
    case Snapshot::kTrue: return "true";
    case Snapshot::kLast: return "last";
    case Snapshot::kIncremental: return "incremental";
  }
  return "false";
}

void AppendSource(std::string& out, const SourceInfo& s) {
  out += "{\"version\":";
  AppendJsonString(out, s.version);
  out += ",\"connector\":";
  AppendJsonString(out, s.connector);
  out += ",\"name\":";
  AppendJsonString(out, s.name);
  out += ",\"ts_ms\":";
  json::AppendInt(out, s.ts_ms);
  out += ",\"snapshot\":\"";
  out += SnapshotName(s.snapshot);
  out += "\",\"db\":";
  AppendJsonString(out, s.db);
  if (s.schema) {
    out += ",\"schema\":";
    AppendJsonString(out, *s.schema);
  }
  out += ",\"table\":";
  AppendJsonString(out, s.table);
  AppendSourceTail(out, s);
}

void AppendEnvelope(std::string& out, std::optional<std::string_view> before,
                    std::optional<std::string_view> after, const SourceInfo& source, Op op,
                    TimestampMs ts_ms) {
  out += "{\"before\":";
  AppendObjectOrNull(out, before);
  out += ",\"after\":";
  AppendObjectOrNull(out, after);
  AppendEnvelopeTail(out, source, op, ts_ms);
}

void SourceWriter::Append(std::string& out, const SourceInfo& s) {
  if (!valid_ || last_.version != s.version || last_.connector != s.connector ||
      last_.name != s.name) {
    head_ = "{\"version\":";
    AppendJsonString(head_, s.version);
    head_ += ",\"connector\":";
    AppendJsonString(head_, s.connector);
    head_ += ",\"name\":";
    AppendJsonString(head_, s.name);
    head_ += ",\"ts_ms\":";
    last_.version = s.version;
    last_.connector = s.connector;
    last_.name = s.name;
    valid_ = false;  // the middle is rendered below
  }
  if (!valid_ || last_.snapshot != s.snapshot || last_.db != s.db || last_.schema != s.schema ||
      last_.table != s.table) {
    middle_ = ",\"snapshot\":\"";
    middle_ += SnapshotName(s.snapshot);
    middle_ += "\",\"db\":";
    AppendJsonString(middle_, s.db);
    if (s.schema) {
      middle_ += ",\"schema\":";
      AppendJsonString(middle_, *s.schema);
    }
    middle_ += ",\"table\":";
    AppendJsonString(middle_, s.table);
    last_.snapshot = s.snapshot;
    last_.db = s.db;
    last_.schema = s.schema;
    last_.table = s.table;
    valid_ = true;
  }
  AppendInPlace(out, head_.size() + 24 + middle_.size(), [&](char* p) {
    return Put(PutNumber(Put(p, head_), s.ts_ms), middle_);
  });
  AppendSourceTail(out, s);
}

void AppendEnvelopeTail(std::string& out, SourceWriter& writer, const SourceInfo& source, Op op,
                        TimestampMs ts_ms) {
  AppendLiteral(out, ",\"source\":");
  writer.Append(out, source);
  AppendInPlace(out, 40, [&](char* p) {
    p = Put(p, ",\"op\":\"");
    *p++ = OpChar(op);
    p = PutNumber(Put(p, "\",\"ts_ms\":"), ts_ms);
    *p++ = '}';
    return p;
  });
}

void AppendEnvelopeTail(std::string& out, const SourceInfo& source, Op op, TimestampMs ts_ms) {
  out += ",\"source\":";
  AppendSource(out, source);
  out += ",\"op\":\"";
  out.push_back(OpChar(op));
  out += "\",\"ts_ms\":";
  json::AppendInt(out, ts_ms);
  out.push_back('}');
}

std::string BuildEnvelope(std::optional<std::string_view> before,
                          std::optional<std::string_view> after, const SourceInfo& source, Op op,
                          TimestampMs ts_ms) {
  std::string out;
  out.reserve(256 + (before ? before->size() : 0) + (after ? after->size() : 0));
  AppendEnvelope(out, before, after, source, op, ts_ms);
  return out;
}

}  // namespace rivven::debezium
