// Parsers of the accounts and env_vars categories, and both whole collectors on the debian fixture
// and on this machine.
#include <benchmark/benchmark.h>

#include <string>

#include "agent/collectors/env_file.h"
#include "agent/collectors/login_records.h"
#include "agent/collectors/passwd.h"
#include "agent/collectors/registry.h"
#include "agent/collectors/shadow.h"
#include "agent/collectors/sudoers.h"

namespace rampart::agent {
namespace {

const std::string kDebian = RAMPART_SOURCE_DIR "/tests/testdata/root-debian";

std::string FixtureFile(const std::string& path) {
  auto host = HostView::Open(kDebian);
  if (!host) return {};
  return host->ReadFile(path).value_or(std::string());
}

// Repeats a fixture file to about `bytes` so the parsers run on a realistic large input.
std::string Grow(const std::string& unit, std::size_t bytes) {
  std::string out;
  while (!unit.empty() && out.size() < bytes) out += unit;
  return out;
}

void BM_ParsePasswd(benchmark::State& state) {
  const std::string text = Grow(FixtureFile("/etc/passwd"), 1 << 20);
  for (auto _ : state) benchmark::DoNotOptimize(ParsePasswd(text));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParsePasswd);

void BM_ParseShadow(benchmark::State& state) {
  const std::string text = Grow(FixtureFile("/etc/shadow"), 1 << 20);
  for (auto _ : state) benchmark::DoNotOptimize(ParseShadow(text));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseShadow);

void BM_ParseUtmp(benchmark::State& state) {
  const std::string text =
      Grow(FixtureFile("/var/log/wtmp").substr(0, 9 * kUtmpRecordSize), 8 << 20);
  for (auto _ : state) benchmark::DoNotOptimize(ParseUtmp(text));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseUtmp);

void BM_ParseSudoers(benchmark::State& state) {
  const std::string text = Grow(FixtureFile("/etc/sudoers"), 256 << 10);
  for (auto _ : state) benchmark::DoNotOptimize(ParseSudoers(text));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseSudoers);

void BM_ParseShellEnv(benchmark::State& state) {
  const std::string text =
      Grow(FixtureFile("/etc/bash.bashrc") + FixtureFile("/home/alice/.bashrc"), 256 << 10);
  for (auto _ : state) benchmark::DoNotOptimize(ParseShellEnv(text));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseShellEnv);

void BM_MaskEnvValue(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(MaskEnvValue("DATABASE_URL", "postgres://app:S3cr3t@db:5432/app"));
    benchmark::DoNotOptimize(MaskEnvValue("PATH", "/usr/local/bin:/usr/bin:/bin"));
  }
}
BENCHMARK(BM_MaskEnvValue);

// Calls the factories directly (not SelectCollectors) so this bench links without the other
// categories.
void Collect(benchmark::State& state, const HostView& host, std::unique_ptr<Collector> collector) {
  FakeClock clock{std::chrono::system_clock::time_point{std::chrono::seconds{1764374400}}};
  CollectContext ctx{host, clock, {}};
  std::size_t rows = 0;
  for (auto _ : state) {
    auto r = collector->Collect(ctx);
    rows = r ? r->size() : 0;
    benchmark::DoNotOptimize(r);
  }
  state.counters["rows"] = static_cast<double>(rows);
}

void BM_AccountsCollectDebianFixture(benchmark::State& state) {
  auto host = HostView::Open(kDebian);
  if (host) Collect(state, *host, MakeAccountsCollector());
}
BENCHMARK(BM_AccountsCollectDebianFixture)->Unit(benchmark::kMicrosecond);

void BM_AccountsCollectLive(benchmark::State& state) {
  Collect(state, HostView(), MakeAccountsCollector());
}
BENCHMARK(BM_AccountsCollectLive)->Unit(benchmark::kMicrosecond);

void BM_EnvVarsCollectDebianFixture(benchmark::State& state) {
  auto host = HostView::Open(kDebian);
  if (host) Collect(state, *host, MakeEnvVarsCollector());
}
BENCHMARK(BM_EnvVarsCollectDebianFixture)->Unit(benchmark::kMicrosecond);

void BM_EnvVarsCollectLive(benchmark::State& state) {
  Collect(state, HostView(), MakeEnvVarsCollector());
}
BENCHMARK(BM_EnvVarsCollectLive)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace rampart::agent
