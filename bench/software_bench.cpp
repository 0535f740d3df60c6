// Software inventory hot paths: dpkg status parsing (this machine's database and a synthetic
// 5000-package one) and the whole software collector on the live host. Counters report packages per
// second.
#include <benchmark/benchmark.h>

#include <string>

#include "agent/collectors/registry.h"
#include "agent/collectors/software_dpkg.h"
#include "common/clock.h"
#include "common/host_view.h"

namespace rampart::agent {
namespace {

// A realistic stanza: every field a Debian status stanza has, a multi-line description, conffiles.
std::string SyntheticStatus(int packages) {
  std::string out;
  for (int i = 0; i < packages; ++i) {
    const std::string name = "libsynthetic" + std::to_string(i);
    out += "Package: " + name + "\n";
    out += "Status: install ok installed\n";
    out += "Priority: optional\nSection: libs\nInstalled-Size: " + std::to_string(100 + i) + "\n";
    out += "Maintainer: Debian Synthetic Team <synthetic@lists.debian.org>\n";
    out += "Architecture: amd64\nMulti-Arch: same\n";
    out += "Source: synthetic" + std::to_string(i / 3) + " (1:2." + std::to_string(i) + "-1)\n";
    out += "Version: 1:2." + std::to_string(i) + "-1+b1\n";
    out +=
        "Depends: libc6 (>= 2.34), libgcc-s1 (>= 3.0), libstdc++6 (>= 12), zlib1g (>= 1:1.2.0)\n";
    out += "Breaks: oldsynthetic (<< 1.0~)\nConffiles:\n /etc/" + name + ".conf 0123456789abcdef\n";
    out += "Description: synthetic library number " + std::to_string(i) + "\n";
    out += " This package exists to measure how fast the dpkg status parser walks a\n";
    out += " large database. Its description has several continuation lines, like\n";
    out += " .\n real packages do, and a homepage.\n";
    out += "Homepage: https://example.org/" + name + "\n\n";
  }
  return out;
}

void ReportPackages(benchmark::State& state, std::size_t per_iteration, std::size_t bytes) {
  state.counters["packages"] = static_cast<double>(per_iteration);
  state.counters["packages/s"] = benchmark::Counter(
      static_cast<double>(per_iteration) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
  if (bytes > 0) state.SetBytesProcessed(static_cast<std::int64_t>(bytes) * state.iterations());
}

void BM_ParseDpkgStatus_ThisMachine(benchmark::State& state) {
  HostView host;
  auto text = host.ReadFile("/var/lib/dpkg/status");
  if (!text) {
    state.SkipWithError("no /var/lib/dpkg/status on this machine");
    return;
  }
  std::size_t n = 0;
  for (auto _ : state) {
    auto stanzas = ParseDpkgStatus(*text);
    n = stanzas.size();
    benchmark::DoNotOptimize(stanzas.data());
  }
  ReportPackages(state, n, text->size());
}
BENCHMARK(BM_ParseDpkgStatus_ThisMachine)->Unit(benchmark::kMicrosecond);

void BM_ParseDpkgStatus_Synthetic5000(benchmark::State& state) {
  const std::string text = SyntheticStatus(5000);
  std::size_t n = 0;
  for (auto _ : state) {
    auto stanzas = ParseDpkgStatus(text);
    n = stanzas.size();
    benchmark::DoNotOptimize(stanzas.data());
  }
  ReportPackages(state, n, text.size());
}
BENCHMARK(BM_ParseDpkgStatus_Synthetic5000)->Unit(benchmark::kMicrosecond);

// Parse plus one stat per package for its .list (install_time).
void BM_ReadDpkgPackages_ThisMachine(benchmark::State& state) {
  HostView host;
  std::size_t n = 0;
  for (auto _ : state) {
    auto pkgs = ReadDpkgPackages(host);
    n = pkgs.size();
    benchmark::DoNotOptimize(pkgs.data());
  }
  ReportPackages(state, n, 0);
}
BENCHMARK(BM_ReadDpkgPackages_ThisMachine)->Unit(benchmark::kMillisecond);

void BM_CollectSoftware_ThisMachine(benchmark::State& state) {
  HostView host;
  const CollectContext ctx{host, SystemClock::Instance(), CollectOptions{}};
  auto collector = MakeSoftwareCollector();
  std::size_t n = 0;
  for (auto _ : state) {
    auto rows = collector->Collect(ctx);
    n = rows ? rows->size() : 0;
    benchmark::DoNotOptimize(n);
  }
  ReportPackages(state, n, 0);
}
BENCHMARK(BM_CollectSoftware_ThisMachine)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rampart::agent
