#pragma once
// The `processes` category: one row per /proc/<pid> (kernel threads included), with the
// executable's SHA-256 (cached by file identity, persisted in CollectOptions::cache_dir) and the
// package that owns it.

#include <span>

#include "agent/collectors/collector.h"
#include "agent/collectors/exe_hash_cache.h"
#include "agent/collectors/exe_owner.h"

namespace rampart::agent {

// Longest cmdline kept, in bytes (the rest of the arguments is cut).
inline constexpr std::size_t kMaxCmdlineBytes = 4096;

class ProcessesCollector final : public Collector {
 public:
  std::string_view name() const override { return "processes"; }
  Shape shape() const override { return Shape::kRows; }
  std::span<const Field> schema() const override;
  // Rows sorted by pid. A process that exits during the scan is skipped. Never errors: an
  // unreadable /proc yields no rows. Not thread-safe (the hash cache is shared by successive
  // calls).
  Result<Json> Collect(const CollectContext& ctx) override;

  // Executables actually read and hashed by the last Collect (cache misses); for tests and
  // benchmarks.
  std::size_t last_files_hashed() const { return last_files_hashed_; }

 private:
  ExeHashCache cache_;
  PackageOwnerCache owners_;
  std::string loaded_cache_dir_;
  bool cache_loaded_ = false;
  std::size_t last_files_hashed_ = 0;
};

}  // namespace rampart::agent
