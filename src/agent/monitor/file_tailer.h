#pragma once
// FileTailer: follows one log file like `tail -F`, line by line, across rotations, and tells where
// it stands (a FileCursor) so a restarted agent resumes exactly after the last line it processed.
//
// Rotation kinds:
//   - rename (logrotate's default, rsyslog reopening): the path now names another inode. The old
//     file stays open until its tail has been read (also when it was renamed and compressed
//     meanwhile: the open descriptor still reads the original bytes), then the new file is read
//     from its first byte.
//   - copytruncate: same inode, but the file is shorter than our position or its first bytes
//     changed: read again from the start.
//   - deletion: the path is gone; the old descriptor is read to its end and the path is retried.
// Resume: a cursor names the file by (device, inode), the offset after the last complete line
// delivered, and the SHA-256 of its first `fp_len` bytes (up to kFingerprintBytes). At start the
// path's file is accepted when identity and fingerprint match; when the path names another file,
// the rotated sibling "<path>.1" (or "<path>.0") with the cursor's identity is finished first;
// otherwise the cursor's file is looked for among the other rotated siblings, renamed further or
// compressed (rotated_log.h: "<path>.2", "<path>.1.gz/.xz/.zst", dateext "<path>-DATE.gz"): its
// lines after the offset, then every newer rotated file whole, are read before the new file. When
// the cursor's file cannot be found the new file is read from its start (with a warning). A file
// whose first bytes no longer match the fingerprint is a replaced file: read from its start.
// Without a cursor a file that exists at start is read from its end (history is not replayed:
// `from_start` changes that); a file that appears later is read from its start.
//
// A line is delivered once it ends with '\n' (a partial last line waits; it is delivered as is
// when the file is rotated away). Lines longer than kMaxLineBytes are cut there.
// Record mode (`record_size` > 0, for the binary wtmp/btmp): fixed-size records instead of lines,
// with the same rotation and cursor logic; a record is delivered once all its bytes are there (a
// partial record left by a rotation is dropped, it can never be completed).
// Not thread-safe.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rampart::agent {

inline constexpr std::size_t kFingerprintBytes = 256;
inline constexpr std::size_t kMaxLineBytes = 64 * 1024;

struct FileCursor {
  std::string path;
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t offset = 0;  // after the last complete line delivered
  std::string fingerprint;   // hex SHA-256 of the first fp_len bytes ("" when fp_len is 0)
  std::uint32_t fp_len = 0;
  friend bool operator==(const FileCursor&, const FileCursor&) = default;
};

struct TailStats {
  std::uint64_t lines = 0;
  std::uint64_t rotations = 0;      // rename/delete: switched to a new file
  std::uint64_t truncations = 0;    // copytruncate or replaced content: restarted at 0
  std::uint64_t backlog_lines = 0;  // lines read from rotated (compressed) files at resume
};

struct RotatedPart {
  std::string path;
  std::uint64_t offset = 0;  // bytes (decompressed) to skip
};

class FileTailer {
 public:
  // `resume`: the cursor saved by a previous run (its path must equal `path`), or nullopt.
  FileTailer(std::string path, std::optional<FileCursor> resume, bool from_start = false,
             std::size_t record_size = 0);
  ~FileTailer();
  FileTailer(const FileTailer&) = delete;
  FileTailer& operator=(const FileTailer&) = delete;

  // Opens the file now (when it exists), fixing the start position, so lines written between
  // construction and the first Poll are not mistaken for history. Poll does it when not called.
  void Prime();

  using LineFn = std::function<void(std::string_view line)>;
  // Delivers the complete lines available now (at most about `max_bytes` read per call, so one
  // huge burst does not starve other sources; call again while it returns true). Returns whether
  // more data may be pending. Errors: a read error other than the file being absent.
  Result<bool> Poll(const LineFn& fn, std::size_t max_bytes = std::size_t{4} << 20);

  // Where the next run resumes. Offsets are at line boundaries.
  FileCursor cursor() const;
  const std::string& path() const { return path_; }
  bool is_open() const { return fd_ >= 0; }
  const TailStats& stats() const { return stats_; }
  // Offset after the last complete line/record; inside a LineFn, the offset where the line or
  // record being delivered starts (when it was read in one piece; always so for records).
  std::uint64_t delivered_offset() const { return line_end_; }

 private:
  bool OpenPath(bool at_start);
  void Close();
  // Reads from fd_ at pos_, delivering lines. Returns bytes read (0 at EOF); -1 on error (errno).
  ssize_t ReadSome(const LineFn& fn, std::size_t limit);
  void SplitRecords(const LineFn& fn, std::string_view data, std::uint64_t base);
  void Deliver(const LineFn& fn, std::string_view line);
  void FlushPartial(const LineFn& fn);
  bool FingerprintMatches(int fd, const FileCursor& c) const;
  void UpdateFingerprint();
  void Restart(const LineFn& fn);
  // Finds the cursor's file among the rotated siblings; true when there is a backlog to read.
  bool TakeBacklog(const FileCursor& c);
  bool Replaced();  // shorter than our position, or its first bytes changed

  std::string path_;
  std::optional<FileCursor> resume_;
  bool from_start_;
  std::size_t record_size_;
  bool first_open_ = true;
  int fd_ = -1;
  std::uint64_t dev_ = 0;
  std::uint64_t ino_ = 0;
  std::uint64_t pos_ = 0;       // bytes consumed from fd_ (read position)
  std::uint64_t line_end_ = 0;  // offset after the last complete line
  std::string partial_;         // bytes after line_end_ read so far
  std::string fingerprint_;
  std::uint32_t fp_len_ = 0;
  TailStats stats_;
  // Rotated files (oldest first, the first from an offset) to read before fd_ (see rotated_log.h).
  std::vector<RotatedPart> backlog_;
  FileCursor backlog_cursor_;  // the saved cursor, still ours until the backlog is read
};

// The hex SHA-256 of `len` bytes at offset 0 of fd; "" when fewer than `len` bytes can be read.
std::string FingerprintOf(int fd, std::size_t len);

}  // namespace rampart::agent
