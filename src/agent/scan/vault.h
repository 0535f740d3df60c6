#pragma once
// The quarantine vault: found files are moved into a root-only directory of the data dir,
// encrypted with AES-256-GCM under a host key, with their metadata (path, owner, mode, times,
// hash, detection). Restore writes back the exact bytes, owner, mode and times, refuses an existing
// target unless forced, and never follows a symlink anywhere in the target path.
//
// Layout of <dir> (0700): vault.key (32 random bytes, 0600, made once), and per item <id>.json
// (metadata) and <id>.bin ("RMPQV1" | 12-byte nonce | ciphertext | 16-byte tag; the id is the
// additional authenticated data, so blobs cannot be swapped between items).
// Not thread-safe: one Vault per process; operations on distinct items do not interfere.

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace rampart::agent::scan {

struct QuarantineItem {
  std::string id;  // "q_" + 16 hex digits
  std::string original_path;
  std::string sha256;
  std::uint64_t size = 0;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::uint32_t mode = 0;  // permission bits (07777)
  std::int64_t atime_ns = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t quarantined_at = 0;  // seconds since the epoch
  std::vector<std::string> rules;
  std::string severity;
  std::string family;
  std::vector<int> killed_pids;  // processes killed before the move (with kill_holders)
};

// Pids of processes whose executable is the file, or that hold it open (/proc/<pid>/exe, fd/*),
// excluding this process.
std::vector<int> ProcessesUsingFile(std::uint64_t dev, std::uint64_t ino);

class Vault {
 public:
  static constexpr std::uint64_t kMaxFileBytes = std::uint64_t{1} << 30;

  // Opens (creating) the vault directory with mode 0700 and the host key. Errors: the mkdir/open
  // error; kFailedPrecondition when the directory or key is not owned by this user or is
  // accessible to others (it is then not used).
  static Result<Vault> Open(const std::string& dir);

  // Moves `path` (not following a symlink at any component) into the vault. With kill_holders,
  // first SIGKILLs processes that run or hold the file. The original is unlinked only after the
  // encrypted copy and metadata are durable, and only if the name still names the same inode.
  // Errors: kFailedPrecondition (not a regular file, too big), open/read/write errors.
  Result<QuarantineItem> Quarantine(const std::string& path, const std::vector<std::string>& rules,
                                    const std::string& severity, const std::string& family,
                                    bool kill_holders);

  // Items sorted by quarantine time, newest first. Unreadable metadata files are skipped with a
  // warning.
  Result<std::vector<QuarantineItem>> List() const;
  Result<QuarantineItem> Get(const std::string& id) const;

  // Puts the file back at its original path with its bytes, owner, mode and times, then removes
  // it from the vault. Errors: kNotFound (no such id), kAlreadyExists (target exists and !force),
  // kPermissionDenied (a symlink in the target path), kDataLoss (decryption or hash mismatch),
  // kNotFound when the parent directory is gone.
  Status Restore(const std::string& id, bool force);
  // Removes the item (its encrypted copy and metadata) for good.
  Status Delete(const std::string& id);

  const std::string& dir() const { return dir_; }

 private:
  Vault(std::string dir, std::string key) : dir_(std::move(dir)), key_(std::move(key)) {}
  Status CheckId(const std::string& id) const;
  std::string dir_;
  std::string key_;
};

}  // namespace rampart::agent::scan
