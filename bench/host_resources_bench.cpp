// Benchmarks of the host/resources/kernel_modules parsers on fixture text scaled to a large server
// (128 CPUs, 2000 modules, 256 addresses), and of whole Collect() of host and resources on this
// machine with sample interval 0 (one /proc/stat read, no sleep).
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "agent/collectors/host.h"
#include "agent/collectors/kernel_module_parsers.h"
#include "agent/collectors/proc_parsers.h"
#include "agent/collectors/resources.h"

namespace rampart::agent {
namespace {

std::string Fixture(const std::string& rel) {
  std::ifstream in(std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/" + rel, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  out.reserve(s.size() * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

void BM_ParseMeminfo(benchmark::State& state) {
  const std::string text = Fixture("root-debian/proc/meminfo");
  for (auto _ : state) benchmark::DoNotOptimize(ParseMeminfo(text));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseMeminfo);

void BM_ParseCpuinfo128Cpus(benchmark::State& state) {
  const std::string text = Repeat(Fixture("root-debian/proc/cpuinfo"), 64);
  for (auto _ : state) benchmark::DoNotOptimize(ParseCpuinfo(text));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseCpuinfo128Cpus);

void BM_ParseProcModules2000(benchmark::State& state) {
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += "mod" + std::to_string(i) +
            " 61440 2 nft_chain_nat,xt_MASQUERADE, Live 0x0000000000000000\n";
  }
  for (auto _ : state) benchmark::DoNotOptimize(ParseProcModules(text));
  state.SetItemsProcessed(state.iterations() * 2000);
}
BENCHMARK(BM_ParseProcModules2000);

void BM_ParseModulesDep6000(benchmark::State& state) {
  std::string text;
  for (int i = 0; i < 6000; ++i) {
    text +=
        "kernel/drivers/net/m" + std::to_string(i) + ".ko.zst: kernel/net/core/failover.ko.zst\n";
  }
  for (auto _ : state) benchmark::DoNotOptimize(ParseModulesDep(text));
  state.SetItemsProcessed(state.iterations() * 6000);
}
BENCHMARK(BM_ParseModulesDep6000);

void BM_ParseFibTrie256Addresses(benchmark::State& state) {
  std::string text = "Local:\n  +-- 0.0.0.0/0 3 0 5\n";
  for (int i = 0; i < 256; ++i) {
    const std::string net = "10.1." + std::to_string(i) + ".";
    text += "     |-- " + net + "0\n        /24 link UNICAST\n     |-- " + net +
            "7\n        /32 host LOCAL\n     |-- " + net + "255\n        /32 link BROADCAST\n";
  }
  for (auto _ : state) benchmark::DoNotOptimize(ParseFibTrieLocal(text));
  state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_ParseFibTrie256Addresses);

void BM_ParseModuleSignature(benchmark::State& state) {
  const std::string ko = Fixture("root-debian/lib/modules/6.1.0-18-amd64/kernel/fs/ext4/ext4.ko");
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseElfModinfo(ko));
    benchmark::DoNotOptimize(ParseModuleSignature(ko));
  }
}
BENCHMARK(BM_ParseModuleSignature);

template <typename C>
void CollectLive(benchmark::State& state) {
  HostView live;
  CollectOptions options;
  options.sample_interval = std::chrono::milliseconds(0);
  C collector;
  const CollectContext ctx{live, SystemClock::Instance(), options};
  for (auto _ : state) benchmark::DoNotOptimize(collector.Collect(ctx));
}

void BM_CollectHostLive(benchmark::State& state) { CollectLive<HostCollector>(state); }
BENCHMARK(BM_CollectHostLive)->Unit(benchmark::kMicrosecond);

void BM_CollectResourcesLive(benchmark::State& state) { CollectLive<ResourcesCollector>(state); }
BENCHMARK(BM_CollectResourcesLive)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace rampart::agent
