// Matching speed: all five real OSV feeds (../shared/data/feeds/*-all.zip) are loaded once (load
// time printed), indexed (index build time printed), then hosts are matched:
//   BM_MatchDebianFixture  tests/testdata/root-debian (packages read once, outside the timing)
//   BM_MatchLiveHost       this machine's packages (dpkg, rpm, apk, Python, npm)
//   BM_MatchSynthetic1000  1000 packages named after feed entries, at versions inside an affected
//   range
// Counters: ms_per_host and ns_per_package. Target: < 50 ms per host.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "agent/collectors/host.h"
#include "agent/collectors/software_apk.h"
#include "agent/collectors/software_dpkg.h"
#include "agent/collectors/software_lang.h"
#include "agent/collectors/software_rpm.h"
#include "agent/vuln/feed.h"
#include "agent/vuln/matcher.h"
#include "common/host_view.h"

namespace rampart::agent::vuln {
namespace {

struct World {
  AdvisorySet set;
  std::vector<const Advisory*> active;
  AdvisoryIndex index;
};

const World& Feeds() {
  static const World* world = [] {
    auto* w = new World;
    const auto start = std::chrono::steady_clock::now();
    std::size_t records = 0;
    for (const char* eco : {"Debian", "Go", "PyPI", "Maven", "npm"}) {
      const std::string path =
          std::string(RAMPART_SOURCE_DIR) + "/../shared/data/feeds/" + eco + "-all.zip";
      auto report = LoadFeed(path, w->set);
      if (!report) {
        std::fprintf(stderr, "load %s: %s\n", path.c_str(), report.error().message().c_str());
        continue;
      }
      records += report->records;
    }
    const auto loaded = std::chrono::steady_clock::now();
    w->active = w->set.Active();
    w->index = AdvisoryIndex::Build(w->active);
    const auto built = std::chrono::steady_clock::now();
    std::fprintf(
        stderr,
        "feeds: %zu records loaded in %.0f ms; index of %zu entries (%zu keys) built in %.1f ms\n",
        records, std::chrono::duration<double, std::milli>(loaded - start).count(),
        w->index.stats().entries, w->index.stats().keys,
        std::chrono::duration<double, std::milli>(built - loaded).count());
    return w;
  }();
  return *world;
}

MatchTarget ReadTarget(const std::string& root) {
  MatchTarget t;
  auto host = HostView::Open(root);
  if (!host) return t;
  t.os = OsTargetFor(ReadOsInfo(*host));
  t.kernel_release = ReadKernelRelease(*host);
  for (auto* read : {&ReadRpmPackages, &ReadApkPackages, &ReadPythonPackages, &ReadNpmPackages}) {
    for (auto& p : read(*host)) t.packages.push_back(std::move(p));
  }
  for (auto& p : ReadDpkgPackages(*host)) t.packages.push_back(std::move(p));
  return t;
}

// A version inside the first range of an entry: its first non-zero introduced version, else a low
// one.
std::string OldVersion(const Affected& a, std::string_view type) {
  for (const auto& r : a.ranges) {
    for (const auto& e : r.events) {
      if (e.kind == RangeEvent::Kind::kIntroduced && e.version != "0") {
        return type == "go" ? "v" + e.version : e.version;
      }
    }
  }
  if (type == "deb") return "0.1-1";
  if (type == "go") return "v0.0.1";
  if (type == "pypi" || type == "maven") return "0.1";
  return "0.0.1";
}

MatchTarget Synthetic() {
  MatchTarget t;
  t.os = OsTargetFor(OsInfo{"debian", "", "11", ""});
  struct Quota {
    std::string_view eco;
    std::string_view type;
    std::size_t n;
  };
  const Quota quotas[] = {{"Debian:11", "deb", 400},
                          {"PyPI", "pypi", 300},
                          {"Go", "go", 200},
                          {"Maven", "maven", 98},
                          {"npm", "npm", 2}};
  std::set<std::pair<std::string_view, std::string>> taken;
  auto fill = [&](const Quota& q, std::size_t total_cap) {
    std::size_t added = 0;
    for (const Advisory* adv : Feeds().active) {
      for (const Affected& a : adv->affected) {
        if (added >= q.n || t.packages.size() >= total_cap) return;
        if (IndexEcosystem(a.ecosystem) != q.eco || !taken.emplace(q.eco, a.name).second) continue;
        SoftwarePackage p;
        p.type = std::string(q.type);
        p.name = a.name;
        p.version = OldVersion(a, q.type);
        p.source_name = p.name;
        p.source_version = p.version;
        t.packages.push_back(std::move(p));
        ++added;
      }
    }
  };
  for (const Quota& q : quotas) fill(q, 1000);
  // Top up from the larger language feeds when an ecosystem has fewer names than its quota.
  for (const Quota& q : quotas) fill({q.eco, q.type, 1000}, 1000);
  return t;
}

void Run(benchmark::State& state, const MatchTarget& target) {
  const World& w = Feeds();
  std::size_t findings = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    auto f = MatchHost(w.index, target);
    findings = f.size();
    benchmark::DoNotOptimize(f);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double n = static_cast<double>(state.iterations());
  state.counters["packages"] = static_cast<double>(target.packages.size());
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["ms_per_host"] = seconds * 1e3 / n;
  state.counters["ns_per_package"] =
      seconds * 1e9 / (n * static_cast<double>(std::max<std::size_t>(target.packages.size(), 1)));
}

void BM_MatchDebianFixture(benchmark::State& state) {
  static const MatchTarget t =
      ReadTarget(std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/root-debian");
  Run(state, t);
}
BENCHMARK(BM_MatchDebianFixture)->Unit(benchmark::kMicrosecond);

void BM_MatchLiveHost(benchmark::State& state) {
  static const MatchTarget t = ReadTarget("/");
  Run(state, t);
}
BENCHMARK(BM_MatchLiveHost)->Unit(benchmark::kMicrosecond);

void BM_MatchSynthetic1000(benchmark::State& state) {
  static const MatchTarget t = Synthetic();
  Run(state, t);
}
BENCHMARK(BM_MatchSynthetic1000)->Unit(benchmark::kMillisecond);

void BM_BuildIndex(benchmark::State& state) {
  const World& w = Feeds();
  for (auto _ : state) {
    auto index = AdvisoryIndex::Build(w.active);
    benchmark::DoNotOptimize(index);
  }
  state.counters["advisories"] = static_cast<double>(w.active.size());
}
BENCHMARK(BM_BuildIndex)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rampart::agent::vuln
