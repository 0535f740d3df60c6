// Hot paths of the ports and processes collectors: the procfs parsers on fixture text, and whole
// Collect calls on this machine (first run hashes executables; later runs hit the in-memory cache).
#include <benchmark/benchmark.h>

#include <string>

#include "agent/collectors/ports.h"
#include "agent/collectors/proc_net.h"
#include "agent/collectors/proc_pid.h"
#include "agent/collectors/processes.h"
#include "common/files.h"

namespace rampart::agent {
namespace {

std::string Fixture(const char* rel) {
  auto text = ReadLocalFile(std::string(RAMPART_SOURCE_DIR "/tests/testdata/root-debian/") + rel);
  return text.ok() ? *text : std::string();
}

// A /proc/net/tcp6 of a busy server: the fixture repeated to ~10k lines.
std::string BigTcp6() {
  const std::string one = Fixture("proc/net/tcp6");
  const std::size_t body = one.find('\n') + 1;
  std::string big = one.substr(0, body);
  while (big.size() < (std::size_t{1} << 20)) big += one.substr(body);
  return big;
}

void BM_ParseProcNetTcp6(benchmark::State& state) {
  const std::string text = BigTcp6();
  std::size_t n = 0;
  for (auto _ : state) {
    auto sockets = ParseProcNet(text, 6);
    n = sockets.size();
    benchmark::DoNotOptimize(sockets);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.counters["sockets"] = static_cast<double>(n);
}
BENCHMARK(BM_ParseProcNetTcp6);

void BM_ParseProcPidStat(benchmark::State& state) {
  const std::string text = Fixture("proc/700/stat");
  for (auto _ : state) benchmark::DoNotOptimize(ParseProcPidStat(text));
}
BENCHMARK(BM_ParseProcPidStat);

void BM_ParseProcPidStatus(benchmark::State& state) {
  const std::string text = Fixture("proc/701/status");
  for (auto _ : state) benchmark::DoNotOptimize(ParseProcPidStatus(text));
}
BENCHMARK(BM_ParseProcPidStatus);

void BM_PortsCollectLive(benchmark::State& state) {
  HostView host;
  FakeClock clock(std::chrono::system_clock::now());
  PortsCollector collector;
  std::size_t rows = 0;
  for (auto _ : state) {
    CollectContext ctx{host, clock, {}};
    auto out = collector.Collect(ctx);
    rows = out.ok() ? out->size() : 0;
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_PortsCollectLive)->Unit(benchmark::kMillisecond);

void BM_ProcessesCollectLiveCold(benchmark::State& state) {
  HostView host;
  FakeClock clock(std::chrono::system_clock::now());
  std::size_t rows = 0;
  for (auto _ : state) {
    ProcessesCollector collector;  // empty cache: every executable is read and hashed
    CollectContext ctx{host, clock, {}};
    auto out = collector.Collect(ctx);
    rows = out.ok() ? out->size() : 0;
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_ProcessesCollectLiveCold)->Unit(benchmark::kMillisecond);

void BM_ProcessesCollectLiveWarm(benchmark::State& state) {
  HostView host;
  FakeClock clock(std::chrono::system_clock::now());
  ProcessesCollector collector;
  CollectContext warmup{host, clock, {}};
  (void)collector.Collect(warmup);
  std::size_t rows = 0;
  for (auto _ : state) {
    CollectContext ctx{host, clock, {}};
    auto out = collector.Collect(ctx);
    rows = out.ok() ? out->size() : 0;
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_ProcessesCollectLiveWarm)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rampart::agent
