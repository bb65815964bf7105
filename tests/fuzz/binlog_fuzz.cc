// Fuzz target of the MySQL/MariaDB binlog decoder (src/connectors/mysql): any bytes, read as a
// run of events framed by their headers' sizes, must decode or fail with a Status — never
// crash or read outside the input — and every rows event that decodes must turn into JSON
// images and keys or fail cleanly, under both option sets. The whole input is also fed to the
// binary JSON printer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "connectors/mysql/binlog_event.h"
#include "connectors/mysql/binlog_rows.h"
#include "connectors/mysql/mysql_json_binary.h"

namespace {

using namespace rivven::mysql;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

void ReadRows(const RowsEvent& rows, RowOptions options) {
  const TableSchema schema = TableSchema::FromTableMap(*rows.table);
  RowsReader reader(options);
  if (!reader.Start(rows, schema).ok()) return;
  std::string image, key;
  // Each image consumes at least its null bitmap or ends the reader, so this terminates.
  for (int n = 0; !reader.done() && n < 100000; ++n) {
    image.clear();
    key.clear();
    if (!reader.AppendImage(image).ok()) {
      Check(reader.done());
      break;
    }
    Check(image.size() >= 2 && image.front() == '{' && image.back() == '}');
    reader.AppendKey(key, image);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string json;
  (void)AppendJsonBinaryAsText(json, input);
  if (input.empty()) return 0;
  // The first byte picks how checksums are treated, so corrupted bodies still get decoded.
  const uint8_t mode = static_cast<uint8_t>(input[0]);
  input.remove_prefix(1);
  DecoderOptions options;
  options.verify_checksum = (mode & 1) != 0;
  options.initial_checksum = (mode & 2) ? ChecksumAlg::kCrc32 : ChecksumAlg::kUndefined;
  BinlogDecoder decoder(options);
  while (input.size() >= kEventHeaderSize) {
    uint32_t event_size = 0;
    for (int i = 3; i >= 0; --i) event_size = event_size << 8 | static_cast<uint8_t>(input[9 + i]);
    const size_t n = event_size >= kEventHeaderSize && event_size <= input.size() ? event_size : input.size();
    const std::string event(input.substr(0, n));  // exact-size heap copy: ASan sees over-reads
    rivven::Result<BinlogEvent> e = decoder.Decode(event);
    input.remove_prefix(n);
    if (!e.ok()) {
      Check(!e.status().message().empty());
      continue;
    }
    if (const auto* rows = std::get_if<RowsEvent>(&e->body); rows != nullptr && rows->table) {
      ReadRows(*rows, RowOptions{});
      ReadRows(*rows, RowOptions{RowOptions::Decimal::kDouble, RowOptions::Json::kEmbedded});
    }
  }
  return 0;
}
