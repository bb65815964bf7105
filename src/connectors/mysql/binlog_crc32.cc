#include "connectors/mysql/binlog_crc32.h"

#include "base/reflected_crc32.h"

namespace rivven::mysql {
namespace {

constexpr ReflectedCrc32 kIsoHdlc(0xEDB88320U);

}  // namespace

uint32_t BinlogCrc32Portable(uint32_t crc, std::string_view bytes) {
  return kIsoHdlc.ExtendPortable(crc, bytes.data(), bytes.size());
}

uint32_t BinlogCrc32Extend(uint32_t crc, std::string_view bytes) {
  return kIsoHdlc.Extend(crc, bytes.data(), bytes.size());
}

uint32_t BinlogCrc32(std::string_view bytes) { return BinlogCrc32Extend(0, bytes); }

}  // namespace rivven::mysql
