// Request-target parsing (net/http.h): every API request the server handles runs ParseTarget once,
// so it should cost well under a microsecond for typical targets.
#include <benchmark/benchmark.h>

#include <string>

#include "net/client.h"
#include "net/http.h"

namespace rampart::net {
namespace {

void BM_ParseTargetHostsPage(benchmark::State& state) {
  const std::string target =
      "/api/v1/hosts?status=ONLINE&limit=50&cursor=eyJsYXN0IjoiaG9zdC0wMDAxMjM0NSJ9";
  HttpRequest req;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseTarget(target, req));
    benchmark::DoNotOptimize(req.query.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(target.size()));
}
BENCHMARK(BM_ParseTargetHostsPage);

void BM_ParseTargetFleetFilter(benchmark::State& state) {
  const std::string target =
      "/api/v1/fingerprints/ports?filter=port%3D6379&filter=state%3DLISTEN&q=redis+server"
      "&limit=100&cursor=aG9zdC0wMDAxMjM0NXxwb3J0LTYzNzk%3D";
  HttpRequest req;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseTarget(target, req));
    benchmark::DoNotOptimize(req.query.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(target.size()));
}
BENCHMARK(BM_ParseTargetFleetFilter);

void BM_ParseTargetPlainPath(benchmark::State& state) {
  const std::string target = "/api/v1/hosts/4f9c2a7e-1b3d-4c5e-8f6a-0b1c2d3e4f5a";
  HttpRequest req;
  for (auto _ : state) benchmark::DoNotOptimize(ParseTarget(target, req));
}
BENCHMARK(BM_ParseTargetPlainPath);

void BM_ParseUrl(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseUrl("wss://rampart.example.com:8443/api/v1/agent/channel"));
  }
}
BENCHMARK(BM_ParseUrl);

}  // namespace
}  // namespace rampart::net
