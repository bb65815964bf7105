#pragma once

#include <memory>

#include "formats/compression.h"

namespace rivven::formats {

/// The Compression::kSnappy implementations behind Compressor::Create and
/// Decompressor::Create (the format and what a member is: see Compression::kSnappy).
///
/// Compressor: Write opens a member with a stream identifier chunk, buffers up to 64 KiB of
/// input and emits a chunk each time 64 KiB are buffered — compressed (0x00), or uncompressed
/// (0x01) when snappy does not shrink it; EndMember emits the buffered rest and the empty
/// padding chunk that marks the member's end (14 bytes of framing per member plus 8 per chunk).
///
/// Decompressor: verifies the leading stream identifier and every chunk's masked CRC-32C,
/// skips padding and reserved skippable chunks (0x80-0xfd), and fails with Corruption naming
/// the input byte where the offending chunk starts on a bad identifier, a CRC mismatch, corrupt
/// snappy data, a chunk over the 64 KiB limit, or a reserved unskippable type (0x02-0x7f; the
/// 2022 revision's unchecksummed 0x02/0x03 are refused too, as python-snappy does).
std::unique_ptr<Compressor> MakeSnappyCompressor();
std::unique_ptr<Decompressor> MakeSnappyDecompressor();

}  // namespace rivven::formats
