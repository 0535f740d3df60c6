// The agent spool's hot path: Enqueue (write, fsync, rename, directory fsync) followed by Remove
// after the acknowledgement, for small (heartbeat-sized event) and inventory-delta-sized batches;
// and the Peek that feeds the channel.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "agent/transport/spool.h"

namespace rampart::agent {
namespace {

std::string TempDir() {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "rampart_spool_bench_XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return "/tmp/rampart_spool_bench";
  return tmpl;
}

void BM_SpoolEnqueueRemove(benchmark::State& state) {
  const std::string dir = TempDir();
  auto spool = Spool::Open(dir + "/spool");
  if (!spool) {
    state.SkipWithError(spool.error().ToString().c_str());
    return;
  }
  const std::string payload(static_cast<std::size_t>(state.range(0)), 'x');
  std::uint64_t n = 0;
  for (auto _ : state) {
    const std::string key = "k" + std::to_string(n++);
    if (!(*spool)->Enqueue("event", key, payload).ok() || !(*spool)->Remove(key).ok()) {
      state.SkipWithError("spool operation failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SpoolEnqueueRemove)->Arg(256)->Arg(64 << 10)->UseRealTime();

void BM_SpoolPeek(benchmark::State& state) {
  const std::string dir = TempDir();
  auto spool = Spool::Open(dir + "/spool");
  if (!spool) {
    state.SkipWithError(spool.error().ToString().c_str());
    return;
  }
  const std::string payload(static_cast<std::size_t>(state.range(0)), 'x');
  for (int i = 0; i < 100; ++i) (void)(*spool)->Enqueue("event", "k" + std::to_string(i), payload);
  std::uint64_t after = 0;
  for (auto _ : state) {
    auto batch = (*spool)->Peek(after);
    if (!batch || !*batch) {
      after = 0;
      continue;
    }
    after = (*batch)->seq;
    benchmark::DoNotOptimize(batch);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SpoolPeek)->Arg(256)->Arg(64 << 10);

}  // namespace
}  // namespace rampart::agent
