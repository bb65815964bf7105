#pragma once

#include <cstddef>
#include <cstdint>

namespace rivven::embedded {

/// CRC-32C (Castagnoli), the checksum of Kafka RecordBatch v2. Uses the SSE4.2 `crc32`
/// instruction when the build targets it (x86-64 builds use -msse4.2), else a table.
/// Long inputs are folded with carry-less multiplication (base/reflected_crc32.h).
/// Thread-safe, no allocation.
uint32_t Crc32c(const void* data, size_t n);

/// Continues a CRC: Crc32cExtend(Crc32c(a), b) == Crc32c(a + b).
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);

/// The portable table implementation, exposed so tests can check both paths agree.
uint32_t Crc32cPortable(uint32_t crc, const void* data, size_t n);

/// True when Crc32c runs on the hardware instruction.
bool Crc32cIsHardware();

}  // namespace rivven::embedded
