#pragma once
// The file scanner: walks trees without following symlinks, reads each regular file once (mmap)
// and in that pass computes its SHA-256 (and MD5 when an MD5 blocklist needs it) and runs the
// YARA rules over the same bytes; results are cached by file identity (result_cache.h), and the
// hash intelligence (hash_intel.h) adds blocklist findings and clears trusted files.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/scan/hash_intel.h"
#include "agent/scan/result_cache.h"
#include "agent/scan/yara_rules.h"
#include "common/status.h"

namespace rampart::agent::scan {

struct Finding {
  std::string path;
  std::string sha256;
  std::string md5;  // empty unless computed
  std::uint64_t size = 0;
  std::vector<std::string> rules;  // rule names; a blocklist hit is "blocklist:<name>"
  std::string severity;            // the highest of its rules'
  std::string family;              // of the rule with the highest severity
  std::string description;         // of that rule
};

struct ScanStats {
  std::uint64_t files = 0;       // regular files looked at (scanned or answered from the cache)
  std::uint64_t bytes = 0;       // their bytes
  std::uint64_t bytes_read = 0;  // bytes actually read (cache misses)
  std::uint64_t cached = 0;      // files answered from the cache
  std::uint64_t skipped = 0;     // too big, trusted path, or special files
  std::uint64_t errors = 0;      // unreadable files, scan failures
  double seconds = 0;
  bool timed_out = false;
};

struct ScanProgress {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  std::uint64_t bytes_found = 0;  // bytes of the files found by the walk so far
  bool walk_done = false;         // bytes_found is the total
  double seconds = 0;
};

struct ScanOptions {
  std::vector<std::string> paths;  // files or directories (absolute or relative)
  // Directories never entered (absolute, without a trailing '/'): Rampart's own data dir, whose
  // compiled rules hold the very strings the rules look for.
  std::vector<std::string> exclude_dirs;
  std::uint64_t max_file_size = std::uint64_t{256} << 20;
  int threads = 0;             // 0: the number of online CPUs
  double timeout_seconds = 0;  // whole scan; 0: none
  int per_file_timeout_seconds = 60;
  int cpu_percent = 0;  // self-throttle to this % of one CPU (0: no limit)
  // Called about 4 times a second from a monitor thread while the scan runs.
  std::function<void(const ScanProgress&)> on_progress;
  // Called for each finding as it is made, from a scanner thread (serialised by the scanner).
  std::function<void(const Finding&)> on_finding;
};

struct ScanReport {
  std::vector<Finding> findings;  // sorted by path
  ScanStats stats;
  std::vector<std::string> errors;  // "path: message" for files that could not be scanned (max 100)
};

// True for file-system types that hold no local files worth scanning: proc, sysfs, cgroup,
// devpts, debugfs, tracefs, securityfs, network file systems (NFS, CIFS/SMB, Ceph, 9p, FUSE) and
// the like (statfs f_type).
bool IsSkippedFilesystem(std::int64_t f_type);

// "100M", "2G", "512K", "4096" -> bytes. Errors: kInvalidArgument.
Result<std::uint64_t> ParseSize(std::string_view text);

class Scanner {
 public:
  // All three must outlive the scanner; intel and cache may be null.
  Scanner(const RuleSet& rules, const HashIntel* intel, ResultCache* cache)
      : rules_(rules), intel_(intel), cache_(cache) {}

  // Scans the given trees. Per-file problems are counted in stats and listed in errors, never
  // fatal. Errors: kNotFound / kPermissionDenied when a top-level path cannot be opened.
  Result<ScanReport> Run(const ScanOptions& options);

  // Scans one file (not following a symlink at `path` itself): its finding, or nullopt when clean
  // or trusted. Errors: kFailedPrecondition when not a regular file or over max_file_size, and
  // open/read/scan errors. Thread-safe (a scanner per call).
  Result<std::optional<Finding>> ScanFile(const std::string& path, std::uint64_t max_file_size,
                                          int timeout_seconds = 60);

  // Builds a finding from rule indexes and hashes; nullopt when nothing matched or the hash is
  // trusted. Exposed for the watcher and tests.
  std::optional<Finding> MakeFinding(const std::string& path, std::uint64_t size,
                                     const CachedResult& result) const;

 private:
  const RuleSet& rules_;
  const HashIntel* intel_;
  ResultCache* cache_;
};

}  // namespace rampart::agent::scan
