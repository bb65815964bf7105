#include "connectors/file/file_source_checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include <rapidjson/document.h>

#include "base/json_escape.h"

namespace rivven::file {
namespace {

void AppendUint(std::string& out, const char* key, uint64_t v) {
  out += ",\"";
  out += key;
  out += "\":";
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

bool GetUint(const rapidjson::Value& o, const char* key, uint64_t* out) {
  const auto it = o.FindMember(key);
  if (it == o.MemberEnd()) return false;
  if (!it->value.IsUint64()) return false;
  *out = it->value.GetUint64();
  return true;
}

bool GetFlag(const rapidjson::Value& o, const char* key) {
  const auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

}  // namespace

std::string FileStateJson(const FileState& s) {
  std::string out;
  out.reserve(160 + s.path.size());
  out += "{\"path\":";
  AppendJsonString(out, s.path);
  AppendUint(out, "dev", s.id.dev);
  AppendUint(out, "ino", s.id.ino);
  AppendUint(out, "size", s.size);
  AppendUint(out, "offset", s.cursor.offset);
  AppendUint(out, "line", s.cursor.line);
  AppendUint(out, "fp_len", s.fp.length);
  static const char kHex[] = "0123456789abcdef";
  out += ",\"fp\":\"";
  for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kHex[(s.fp.hash >> shift) & 0xF]);
  out.push_back('"');
  if (s.cursor.row > 0) AppendUint(out, "row", s.cursor.row);
  if (s.cursor.json_array) out += ",\"array\":true";
  if (s.rotated) out += ",\"rotated\":true";
  out.push_back('}');
  return out;
}

std::string CheckpointJson(const std::vector<std::string>& entries) {
  size_t size = 16;
  for (const auto& e : entries) size += e.size() + 1;
  std::string out;
  out.reserve(size);
  out += "{\"files\":[";
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += entries[i];
  }
  out += "]}";
  return out;
}

Result<std::vector<FileState>> ParseCheckpoint(std::string_view json) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("file source: unreadable checkpoint (" + why +
                                   "): " + std::string(json.substr(0, 200)));
  };
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return bad("not a JSON object");
  const auto files = doc.FindMember("files");
  if (files == doc.MemberEnd() || !files->value.IsArray()) return bad("no \"files\" array");
  std::vector<FileState> out;
  for (const auto& f : files->value.GetArray()) {
    if (!f.IsObject()) return bad("a file entry is not an object");
    FileState s;
    const auto path = f.FindMember("path");
    if (path == f.MemberEnd() || !path->value.IsString()) return bad("an entry has no path");
    s.path.assign(path->value.GetString(), path->value.GetStringLength());
    uint64_t fp_len = 0;
    if (!GetUint(f, "dev", &s.id.dev) || !GetUint(f, "ino", &s.id.ino) ||
        !GetUint(f, "size", &s.size) || !GetUint(f, "offset", &s.cursor.offset) ||
        !GetUint(f, "line", &s.cursor.line) || !GetUint(f, "fp_len", &fp_len) ||
        fp_len > Fingerprint::kMaxBytes) {
      return bad("entry for " + s.path + " lacks a number");
    }
    s.fp.length = static_cast<uint32_t>(fp_len);
    const auto fp = f.FindMember("fp");
    if (fp == f.MemberEnd() || !fp->value.IsString() || fp->value.GetStringLength() != 16) {
      return bad("entry for " + s.path + " has no fingerprint");
    }
    const char* hex = fp->value.GetString();
    const auto r = std::from_chars(hex, hex + 16, s.fp.hash, 16);
    if (r.ec != std::errc() || r.ptr != hex + 16) return bad("bad fingerprint for " + s.path);
    s.cursor.json_array = GetFlag(f, "array");
    if (f.HasMember("row") && !GetUint(f, "row", &s.cursor.row)) return bad("bad \"row\"");
    s.rotated = GetFlag(f, "rotated");
    out.push_back(std::move(s));
  }
  return out;
}

Result<Fingerprint> ComputeFingerprint(int fd, uint64_t limit) {
  char buf[Fingerprint::kMaxBytes];
  const size_t want = static_cast<size_t>(std::min<uint64_t>(limit, sizeof(buf)));
  size_t got = 0;
  while (got < want) {
    const ssize_t n = ::pread(fd, buf + got, want - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, "reading the first bytes of a file");
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  Fingerprint fp;
  fp.length = static_cast<uint32_t>(got);
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < got; ++i) {
    h ^= static_cast<unsigned char>(buf[i]);
    h *= 1099511628211ull;
  }
  fp.hash = h;
  return fp;
}

}  // namespace rivven::file
