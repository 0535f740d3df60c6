#pragma once
// LogStream: the bytes of a log file, decompressed when it is an archive. Used by `rampart
// logscan` (text logs and binary wtmp/btmp/lastlog records), the login monitor's resume from
// rotated files and the rotation search.
//
// The format is recognised by the file's first bytes, not by its name: gzip (1f 8b 08, decoded
// in-process by zlib, concatenated members included), xz (fd 37 7a 58 5a 00, liblzma), zstd
// (28 b5 2f fd, libzstd) and bzip2 ("BZh1".."BZh9" + a block or end-of-stream magic, through the
// `bzip2 -dc` tool: libbz2 is not linked). Anything else is read as is. A file whose NAME says it
// is an archive (.gz, .xz, .zst, .bz2) but whose first bytes are not that archive's is an error,
// not silently read as text: a rotated file compressed by the wrong tool, or a half-written one.
//
// Errors name the file, the byte offset in the (compressed) file where decoding stopped and what
// was expected there: "auth.log.2.gz: truncated gzip archive: it ends at byte 4096 inside a
// compressed member (expected more deflate data and the 8-byte gzip trailer)". Decoding errors are
// kDataLoss; a file that cannot be opened keeps its errno's code.
//
// Not thread-safe; one reader per stream.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rampart::agent {

enum class Compression { kNone, kGzip, kXz, kZstd, kBzip2 };

const char* CompressionName(Compression c);  // "plain", "gzip", "xz", "zstd", "bzip2"
// The archive format `head` (a file's first bytes; 10 are enough) starts with; kNone when none
// (or when `head` is too short to tell).
Compression DetectCompression(std::string_view head);
// The archive format a file name claims by its extension (.gz, .xz, .zst, .bz2); kNone otherwise.
Compression CompressionByName(std::string_view path);

class LogStream {
 public:
  virtual ~LogStream();
  // Opens `path` ("-" = standard input, not closed at the end) and looks at its first bytes.
  // Errors: cannot open (errno), a directory (kInvalidArgument), an archive name over content that
  // is not that archive (kDataLoss), a bzip2 file when the bzip2 tool cannot be run.
  static Result<std::unique_ptr<LogStream>> Open(const std::string& path);
  // A stream over bytes in memory (not copied: `data` must outlive the stream); `name` is used in
  // error messages. Never bzip2 (no tool is spawned for memory): such data reads as is.
  static std::unique_ptr<LogStream> FromMemory(std::string_view data, std::string name);

  // Up to `size` (> 0) decompressed bytes into `data`; 0 at the end. Errors: read errors, corrupt
  // or truncated compressed data (kDataLoss, with the byte offset).
  virtual Result<std::size_t> Read(char* data, std::size_t size) = 0;
  Compression compression() const { return compression_; }
  // Bytes of the underlying file consumed so far (compressed bytes for an archive).
  std::uint64_t input_offset() const;

  struct Input;  // the raw bytes under a stream (log_stream.cpp)

 protected:
  explicit LogStream(std::unique_ptr<Input> in, Compression c);
  std::unique_ptr<Input> in_;
  Compression compression_;
};

}  // namespace rampart::agent
