#pragma once
// Spool: the agent's bounded on-disk queue of outgoing batches (<data_dir>/spool/). Every record
// the agent sends to the server goes through it and leaves it only when the server acknowledged
// its commit (Remove), so a crash or a network outage loses nothing.
//
// On disk: one file per batch, named by a zero-padded sequence number ("00000000000000000042"
// + ".batch"), holding a one-line header "RSPOOL1 <kind> <key> <payload bytes> <crc32 hex>\n" and
// the payload. Enqueue writes "<name>.tmp", fsyncs it, renames it and fsyncs the directory, so a
// crash never leaves half a batch under a batch name. Open() deletes leftover *.tmp files, loads
// the batches in sequence order and moves any file whose header, length or CRC does not check out
// to spool/bad/ (with a warning; the 100 newest are kept there), so a corrupt file never stops the
// agent. Removals are not fsynced: a removal lost in a crash only resends a batch, which the
// server recognises by its idempotency key.
//
// Bounds: max_bytes (sum of file sizes, default 64 MiB) and max_files (default 10,000). When an
// Enqueue would exceed either, it fails with kResourceExhausted and stores nothing; the caller
// decides what to drop (the inventory sync drops its pending inventory batches and schedules a
// full snapshot, see inventory_sync.h).
//
// Thread-safe: every method may be called from any thread.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace rampart::agent {

struct SpoolOptions {
  std::uint64_t max_bytes = std::uint64_t{64} << 20;
  std::size_t max_files = 10000;
};

struct SpoolBatch {
  std::uint64_t seq = 0;  // position in the queue; increases with every Enqueue
  std::string kind;       // e.g. "inventory"
  std::string key;        // idempotency key, unique in the spool
  std::string payload;    // JSON text, sent as is
};

// Metadata of a queued batch, without its payload.
struct SpoolEntry {
  std::uint64_t seq = 0;
  std::string kind;
  std::string key;
  std::uint64_t bytes = 0;  // file size on disk
};

// Kinds and keys are 1..200 characters of [A-Za-z0-9_.:-] (they go into the header line).
bool IsValidSpoolName(std::string_view name);

// The header + payload file content for a batch, and its parser (for tests and the fuzzer).
std::string EncodeSpoolFile(std::string_view kind, std::string_view key, std::string_view payload);
// Errors: kDataLoss saying what is wrong (header, length, checksum).
Result<SpoolBatch> DecodeSpoolFile(std::string_view content);

class Spool {
 public:
  // Opens (creating with mode 0700) `dir`, removes *.tmp leftovers, recovers the queued batches
  // in order and sets corrupt ones aside in dir/bad/. Errors: the directory cannot be created or
  // listed.
  static Result<std::unique_ptr<Spool>> Open(const std::string& dir, SpoolOptions options = {});

  // Appends a batch durably and returns its sequence number. Errors: kInvalidArgument (bad kind or
  // key), kAlreadyExists (key already queued), kResourceExhausted (a bound would be exceeded), or
  // an I/O error (nothing is left behind).
  Result<std::uint64_t> Enqueue(std::string_view kind, std::string_view key,
                                std::string_view payload);

  // The first batch with seq > after_seq (0: the oldest), or nullopt when there is none. A file
  // that turns out to be unreadable or corrupt is set aside and skipped.
  Result<std::optional<SpoolBatch>> Peek(std::uint64_t after_seq = 0);
  // The batch queued under `key`, or nullopt.
  Result<std::optional<SpoolBatch>> Get(std::string_view key);
  // Metadata of the batch queued under `key`, or nullopt (no file access).
  std::optional<SpoolEntry> Find(std::string_view key) const;

  // Deletes the batch queued under `key` (after the server acknowledged it). kNotFound when no
  // such batch is queued.
  Status Remove(std::string_view key);
  // Deletes every queued batch of `kind`; returns how many.
  std::size_t RemoveKind(std::string_view kind);

  // Queued batches in order (metadata only).
  std::vector<SpoolEntry> List() const;
  // Number of queued batches with seq <= `seq`.
  std::size_t CountUpTo(std::uint64_t seq) const;
  std::size_t size() const;
  std::uint64_t bytes() const;
  const std::string& dir() const { return dir_; }

 private:
  Spool(std::string dir, SpoolOptions options) : dir_(std::move(dir)), options_(options) {}
  Status Recover();
  std::string PathOf(std::uint64_t seq) const;
  // Moves a bad file to dir/bad/ and logs why. REQUIRES: mu_ held when `seq` is indexed.
  void SetAside(const std::string& name, const std::string& why);
  // Reads and verifies one indexed batch; on corruption sets it aside and drops it from the index.
  // REQUIRES: mu_ held.
  Result<std::optional<SpoolBatch>> ReadLocked(std::uint64_t seq);
  void EraseLocked(std::uint64_t seq);

  const std::string dir_;
  const SpoolOptions options_;
  mutable std::mutex mu_;
  std::map<std::uint64_t, SpoolEntry> entries_;            // guarded by mu_
  std::unordered_map<std::string, std::uint64_t> by_key_;  // guarded by mu_
  std::uint64_t total_bytes_ = 0;                          // guarded by mu_
  std::uint64_t next_seq_ = 1;                             // guarded by mu_
};

}  // namespace rampart::agent
