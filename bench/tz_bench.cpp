// Time zones (common/tz.h): parsing a TZif file, an offset lookup inside the transition table and
// past it (the footer rule), and local -> UTC. The baseline scheduler asks once per schedule per
// minute, so these bound its cost; the C library's setenv("TZ") + tzset + localtime_r is measured
// beside for the ratio (what a lock-around-tzset design would pay per call, without the lock).
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <time.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/tz.h"

namespace rampart {
namespace {

std::string ReadParis() {
  std::ifstream in("/usr/share/zoneinfo/Europe/Paris", std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void BM_ParseTzif(benchmark::State& state) {
  const std::string data = ReadParis();
  for (auto _ : state) {
    auto tz = ParseTzif(data, "Europe/Paris");
    benchmark::DoNotOptimize(tz);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(data.size()));
}
BENCHMARK(BM_ParseTzif);

void BM_UtcOffsetAt(benchmark::State& state) {
  auto tz = LoadZone("Europe/Paris");
  std::int64_t t = state.range(0);
  for (auto _ : state) {
    benchmark::DoNotOptimize(tz->UtcOffsetAt(t));
    t += 3607;
  }
}
BENCHMARK(BM_UtcOffsetAt)->Arg(1774746000)->Arg(2524608000);  // 2026 (table), 2050 (footer rule)

void BM_LocalToUtc(benchmark::State& state) {
  auto tz = LoadZone("Europe/Paris");
  std::int64_t local = 1774751400;  // 2026-03-29 02:30, inside the spring-forward gap
  for (auto _ : state) {
    benchmark::DoNotOptimize(tz->LocalToUtc(local));
    local += 86400;
  }
}
BENCHMARK(BM_LocalToUtc);

void BM_LoadZoneCached(benchmark::State& state) {
  for (auto _ : state) {
    auto tz = LoadZone("Europe/Paris");
    benchmark::DoNotOptimize(tz);
  }
}
BENCHMARK(BM_LoadZoneCached);

void BM_LibcSetenvTzsetLocaltime(benchmark::State& state) {
  time_t t = 1774746000;
  for (auto _ : state) {
    setenv("TZ", ":Europe/Paris", 1);
    tzset();
    struct tm tm {};
    localtime_r(&t, &tm);
    benchmark::DoNotOptimize(tm.tm_gmtoff);
    t += 3607;
  }
  unsetenv("TZ");
  tzset();
}
BENCHMARK(BM_LibcSetenvTzsetLocaltime);

}  // namespace
}  // namespace rampart
