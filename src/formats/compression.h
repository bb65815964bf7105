#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace rivven::formats {

/// kSnappy is the Snappy framing format (google/snappy framing_format.txt: a stream identifier
/// chunk, then chunks of at most 64 KiB of input, each with a masked CRC-32C of its decoded
/// bytes). The format has no member of its own: here a member is a stream identifier, data
/// chunks and an empty padding chunk (0xfe, which every decoder skips) that marks where the
/// writer ended it. The marker is what lets recovery cut a torn file where a Flush left it —
/// every chunk verifies on its own, but a chunk is emitted per 64 KiB of input, wherever that
/// falls in a record.
enum class Compression { kNone, kGzip, kZstd, kSnappy };

/// "none", "gzip", "zstd", "snappy".
const char* CompressionName(Compression c);
/// The file name suffix of a compressed file: "", ".gz", ".zst", ".sz".
const char* CompressionExtension(Compression c);

/// A streaming compressor whose output is a sequence of self-contained members: gzip members
/// (RFC 1952), zstd frames (with content checksums) or snappy framing streams (see kSnappy).
/// All three formats define a concatenation of members as one valid stream (`gzip -d`,
/// `zstd -d`, zlib's gzread, every zstd decoder and every snappy framing decoder read it whole),
/// so a writer may end a member at any point and keep appending.
///
/// The member is the unit of crash safety: bytes produced up to the end of a member decode on
/// their own, whatever happens to the bytes after them. A file sink ends a member on every
/// Flush, so a torn write can only damage the member after the last Flush.
///
/// Not thread-safe; one owner. Compressed bytes are appended to the caller's buffer; the
/// compressor holds at most one compression block of input internally until EndMember.
class Compressor {
 public:
  virtual ~Compressor() = default;

  /// A gzip (level 6), zstd (level 3) or snappy compressor; InvalidArgument for kNone.
  static Result<std::unique_ptr<Compressor>> Create(Compression c);

  /// Compresses `in`, starting a member if none is open, and appends the compressed bytes that
  /// are ready to `out`.
  virtual Status Write(std::string_view in, std::string& out) = 0;
  /// Ends the open member, appending its remaining bytes and trailer to `out`; does nothing when
  /// no member is open (nothing was written since the last EndMember).
  virtual Status EndMember(std::string& out) = 0;

  bool member_open() const { return member_open_; }

 protected:
  bool member_open_ = false;
};

/// Decodes a stream of concatenated gzip members, zstd frames or snappy framing streams fed in
/// arbitrary pieces, and says where the last complete member ended: after Feed returns,
/// complete_input() bytes of input (counted from the first byte ever fed) form whole members
/// whose checksums were verified (gzip CRC-32 and length; zstd content checksum when the frame
/// has one; snappy: the CRC-32C of every chunk). A snappy member ends at a padding chunk (the
/// marker Compressor writes) and where a repeated stream identifier starts, not at every chunk:
/// a chunk end may fall inside a record, a member end is where the writer chose to end one.
///
/// Used to read compressed files in tests and tools, and by recovery to find how much of a
/// file survived a crash. Not thread-safe; one owner.
class Decompressor {
 public:
  virtual ~Decompressor() = default;

  /// InvalidArgument for kNone.
  static Result<std::unique_ptr<Decompressor>> Create(Compression c);

  /// Decodes the next bytes of the stream, appending decoded bytes to `out` (nullptr: discard
  /// them). Corruption when the bytes are not a valid member (bad header, data or checksum);
  /// after an error the decoder stays failed and complete_input() keeps its last good value.
  virtual Status Feed(std::string_view in, std::string* out) = 0;

  /// Input bytes up to the end of the last complete member.
  uint64_t complete_input() const { return complete_input_; }
  /// Decoded bytes of the complete members.
  uint64_t complete_output() const { return complete_output_; }
  /// Input bytes fed so far.
  uint64_t fed() const { return fed_; }
  /// The last (up to 8) decoded bytes of the complete members, for callers that need to know how
  /// the decoded text ends without keeping it.
  const std::string& complete_tail() const { return complete_tail_; }
  /// True when everything fed so far is whole members (an empty stream counts as whole).
  bool at_member_boundary() const { return fed_ == complete_input_; }
  /// True when the stream may end here: at a member boundary, or for snappy — whose streams
  /// have no end marker, so other writers' streams end after any chunk — after a whole chunk.
  virtual bool at_stream_end() const { return at_member_boundary(); }

 protected:
  /// Called by implementations at the end of each member, after TrackOutput saw all of its
  /// decoded bytes: `input_end` is the input offset just after it, `output_total` the decoded
  /// bytes of all members so far.
  void MemberEnded(uint64_t input_end, uint64_t output_total);
  /// Keeps the last bytes of decoded output (complete or not) for complete_tail().
  void TrackOutput(std::string_view decoded);

  uint64_t fed_ = 0;
  uint64_t complete_input_ = 0;
  uint64_t complete_output_ = 0;
  std::string pending_tail_;  ///< last decoded bytes, member complete or not
  std::string complete_tail_;
};

/// Decodes all of `data`: Corruption when it is not a sequence of whole members (including a
/// stream that ends inside a member; for snappy, inside a chunk). For tests and tools.
Result<std::string> Decompress(Compression c, std::string_view data);

/// Compresses all of `data` into one member. For tests and tools.
Result<std::string> Compress(Compression c, std::string_view data);

}  // namespace rivven::formats
