#pragma once
// The scan result cache: what a file gave last time (its hashes and matched rules), keyed by the
// file's identity (device, inode, size, mtime, ctime) under one rule set. An unchanged file is not
// read again, also in a new process. Stored as one compact binary file per rule set in the data
// dir, `scan-cache-<rules hash prefix>.bin`:
//   "RMPSCAN1" | u32 version | u32 generation | 32-byte rules hash | u32 count |
//   count x entry | 32-byte SHA-256 of everything before it
//   entry: u64 dev, ino, size | i64 mtime_ns, ctime_ns | u32 last_used_generation | 32-byte sha256
//   |
//          16-byte md5 | u8 flags (1 = md5 valid) | u16 n | n x u32 rule index
// Integers little-endian. Bounded (kMaxEntries); a corrupt file is reported and rebuilt.
// Thread-safe: Lookup and Store may be called from scanner threads concurrently.

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace rampart::agent::scan {

struct FileIdentity {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

struct CachedResult {
  std::array<std::uint8_t, 32> sha256{};
  std::array<std::uint8_t, 16> md5{};
  bool has_md5 = false;
  std::vector<std::uint32_t> rules;  // indexes into RuleSet::rules()
};

struct ParsedCache {
  std::array<std::uint8_t, 32> rules_hash{};
  std::uint32_t generation = 0;
  std::vector<std::pair<FileIdentity, CachedResult>> entries;
  std::vector<std::uint32_t> last_used;  // parallel to entries
};

// Parses a cache file's bytes. Errors: kDataLoss naming what is wrong (bad magic, truncated
// entry, checksum mismatch, a count over kMaxEntries).
Result<ParsedCache> ParseResultCache(std::string_view bytes);

class ResultCache {
 public:
  static constexpr std::size_t kMaxEntries = std::size_t{1} << 18;
  // Entries not used for this many runs are dropped on Save.
  static constexpr std::uint32_t kMaxAgeRuns = 16;

  // An empty cache for `rules_hash_hex` (RuleSet::content_hash()), stored under `dir` (empty: in
  // memory only).
  ResultCache(std::string dir, std::string rules_hash_hex);

  // Loads the file for this rule set. Missing: empty. Corrupt or for other rules: warns, starts
  // empty (the next Save rewrites it).
  void Load();
  // Writes atomically (temp file + rename). Keeps at most 4 cache files (other rule sets) in dir.
  Status Save();

  std::optional<CachedResult> Lookup(const FileIdentity& id);
  void Store(const FileIdentity& id, CachedResult result);
  std::size_t size() const;
  const std::string& path() const { return path_; }

 private:
  struct IdHash {
    std::size_t operator()(const FileIdentity& k) const;
  };
  struct Slot {
    CachedResult result;
    std::uint32_t last_used = 0;
  };
  std::string dir_;
  std::string path_;
  std::array<std::uint8_t, 32> rules_hash_{};
  std::uint32_t generation_ = 1;
  mutable std::mutex mu_;
  std::unordered_map<FileIdentity, Slot, IdHash> map_;  // GUARDED_BY(mu_)
  bool dirty_ = false;                                  // GUARDED_BY(mu_)
};

}  // namespace rampart::agent::scan
