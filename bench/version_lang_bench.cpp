// Version comparison throughput for the language ecosystems (PyPI, Maven, SemVer) over the golden
// fixture pairs: the generated files for PyPI and Maven (~12k and ~15k real-world pairs), the
// hand-written file for SemVer (it has no generated one). "time_per_compare" is the figure the
// matcher's budget (< 200 ns for typical versions) is stated in.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "agent/vuln/version_maven.h"
#include "agent/vuln/version_pypi.h"
#include "agent/vuln/version_semver.h"

namespace rampart::agent::vuln {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Pairs of the fixture whose two versions are both valid for `cmp`.
Pairs LoadPairs(const std::string& name, Result<int> (*cmp)(std::string_view, std::string_view)) {
  Pairs out;
  std::ifstream in(RAMPART_SOURCE_DIR "/../shared/data/version-fixtures/" + name);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string a, op, b;
    if (!(fields >> a >> op >> b) || a[0] == '#' || a.starts_with("//")) continue;
    if (cmp(a, b).ok()) out.emplace_back(std::move(a), std::move(b));
  }
  return out;
}

void Run(benchmark::State& state, const std::string& name,
         Result<int> (*cmp)(std::string_view, std::string_view)) {
  const Pairs pairs = LoadPairs(name, cmp);
  if (pairs.empty()) {
    state.SkipWithError(("no pairs loaded from " + name).c_str());
    return;
  }
  for (auto _ : state) {
    int sum = 0;
    for (const auto& [a, b] : pairs) sum += *cmp(a, b);
    benchmark::DoNotOptimize(sum);
  }
  const auto n = static_cast<double>(pairs.size());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(pairs.size()));
  state.counters["pairs"] = n;
  // Seconds per comparison (google benchmark prints it with an SI prefix, e.g. "150ns").
  state.counters["time_per_compare"] = benchmark::Counter(
      n, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_PypiCompare(benchmark::State& state) {
  Run(state, "pypi-versions-generated.txt", ComparePypiVersions);
}
void BM_MavenCompare(benchmark::State& state) {
  Run(state, "maven-versions-generated.txt", CompareMavenVersions);
}
void BM_SemverCompare(benchmark::State& state) {
  Run(state, "semver-versions.txt", CompareSemverVersions);
}

BENCHMARK(BM_PypiCompare)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MavenCompare)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SemverCompare)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace rampart::agent::vuln
