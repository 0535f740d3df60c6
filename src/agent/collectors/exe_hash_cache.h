#pragma once
// SHA-256 of executables, cached by file identity (dev, inode, size, mtime) so N processes of one
// binary hash it once, and persisted as a small JSON file so the next run re-reads no unchanged
// executable. Not thread-safe: one cache per collector, used by one Collect at a time.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/host_view.h"

namespace rampart::agent {

struct FileKey {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t size = 0;
  std::int64_t mtime = 0;
  std::int64_t mtime_nsec = 0;
  friend bool operator==(const FileKey&, const FileKey&) = default;
};

struct FileKeyHash {
  std::size_t operator()(const FileKey& k) const;
};

class ExeHashCache {
 public:
  // Executables larger than this are not hashed (sha256 null): bounds the time one hostile file can
  // take.
  static constexpr std::uint64_t kMaxHashBytes = std::uint64_t{512} << 20;
  static constexpr std::size_t kMaxEntries = 65'536;
  static constexpr std::string_view kFileName = "exe_sha256.json";

  // Hex SHA-256 of the file `path` opens to (through the host view: "/proc/<pid>/exe" follows the
  // kernel's link even to a deleted file); nullopt when it cannot be opened, is not a regular file,
  // is too big or a read fails. Counts a real read in files_hashed().
  std::optional<std::string> Hash(const HostView& host, std::string_view path);

  // Loads `<dir>/exe_sha256.json` (missing or corrupt file: empty cache, debug log). Replaces the
  // entries.
  void Load(const std::string& dir);
  // Ends a run: writes the entries used since the last Load/Save atomically to
  // `<dir>/exe_sha256.json` (skipped when dir is empty or nothing changed), then forgets entries no
  // process used in this run, so entries of replaced binaries age out.
  void Save(const std::string& dir);

  std::size_t files_hashed() const { return files_hashed_; }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string sha256;
    bool used = false;
  };
  void Write(const std::string& dir) const;

  std::unordered_map<FileKey, Entry, FileKeyHash> entries_;
  std::size_t files_hashed_ = 0;
  bool dirty_ = false;
};

}  // namespace rampart::agent
