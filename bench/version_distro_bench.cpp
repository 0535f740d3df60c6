// Version comparison speed for the distro ecosystems (deb, rpm, apk) on the golden fixture pairs:
// each iteration compares every pair of the file once; the "time_per_compare" counter is the figure
// to watch (the vulnerability matcher compares millions of pairs; the target is < 200 ns).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "agent/vuln/version_apk.h"
#include "agent/vuln/version_deb.h"
#include "agent/vuln/version_rpm.h"

namespace rampart::agent::vuln {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs LoadPairs(const char* file) {
  Pairs out;
  const std::string path =
      std::string(RAMPART_SOURCE_DIR) + "/../shared/data/version-fixtures/" + file;
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return out;
  char a[512];
  char op[8];
  char b[512];
  char line[1100];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (line[0] == '#') continue;
    if (std::sscanf(line, "%511s %7s %511s", a, op, b) == 3) out.emplace_back(a, b);
  }
  std::fclose(f);
  return out;
}

template <typename Compare>
void RunPairs(benchmark::State& state, const char* file, Compare compare) {
  const Pairs pairs = LoadPairs(file);
  if (pairs.empty()) {
    state.SkipWithError("fixture not found");
    return;
  }
  for (auto _ : state) {
    for (const auto& [a, b] : pairs) {
      auto r = compare(a, b);
      benchmark::DoNotOptimize(r);
    }
  }
  const auto compares = static_cast<double>(state.iterations()) * static_cast<double>(pairs.size());
  state.counters["time_per_compare"] =
      benchmark::Counter(compares, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["pairs"] = static_cast<double>(pairs.size());
}

void BM_DebCompare(benchmark::State& state) {
  RunPairs(state, "debian-versions-generated.txt", [](const std::string& a, const std::string& b) {
    return CompareDebVersions(std::string_view(a), std::string_view(b));
  });
}
BENCHMARK(BM_DebCompare);

void BM_RpmCompare(benchmark::State& state) {
  RunPairs(state, "redhat-versions.txt", [](const std::string& a, const std::string& b) {
    return CompareRpmVersions(std::string_view(a), std::string_view(b));
  });
}
BENCHMARK(BM_RpmCompare);

void BM_ApkCompare(benchmark::State& state) {
  RunPairs(state, "alpine-versions-generated.txt", [](const std::string& a, const std::string& b) {
    return CompareApkVersions(std::string_view(a), std::string_view(b));
  });
}
BENCHMARK(BM_ApkCompare);

}  // namespace
}  // namespace rampart::agent::vuln
