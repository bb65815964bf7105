#pragma once

#include <cstdint>
#include <string_view>

namespace rivven::mysql {

/// CRC-32 (ISO-HDLC: reflected polynomial 0xEDB88320, pre- and post-inverted; zlib's crc32),
/// the checksum the binlog puts after every event. Folds 64 bytes at a time with carry-less
/// multiplication when the build targets it (base/reflected_crc32.h).
/// Thread-safe, no allocation.
uint32_t BinlogCrc32(std::string_view bytes);

/// Continues a CRC: BinlogCrc32Extend(BinlogCrc32(a), b) == BinlogCrc32(a + b).
uint32_t BinlogCrc32Extend(uint32_t crc, std::string_view bytes);

/// The table implementation alone, so tests can check both paths agree.
uint32_t BinlogCrc32Portable(uint32_t crc, std::string_view bytes);

}  // namespace rivven::mysql
