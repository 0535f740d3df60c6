// The malware module's reported-findings file at its size bound (ReportedSet::kMaxEntries): what an
// agent start costs (Parse), what each save after a new finding costs (Serialize), and the check a
// rescan makes for every finding (Record of a known one).
#include <benchmark/benchmark.h>

#include <string>

#include "agent/scan/reported_set.h"

namespace {

using rampart::agent::scan::ReportDigest;
using rampart::agent::scan::ReportedSet;

std::string Sha(std::size_t i) {
  std::string s = std::to_string(i);
  return std::string(64 - s.size(), 'a') + s;
}

ReportedSet Full() {
  ReportedSet set;
  const std::string digest =
      ReportDigest({"php_webshell_eval_request"}, "critical", "webshell.php");
  for (std::size_t i = 0; i < ReportedSet::kMaxEntries; ++i) {
    set.Record("/var/www/html/wp-content/uploads/2026/12/file-" + std::to_string(i) + ".php",
               Sha(i), digest, "pending", 1765000000 + static_cast<std::int64_t>(i));
  }
  return set;
}

void BM_ReportedSetParseFull(benchmark::State& state) {
  const std::string text = Full().Serialize();
  for (auto _ : state) {
    auto parsed = ReportedSet::Parse(text);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.counters["file_MB"] = static_cast<double>(text.size()) / 1e6;
}
BENCHMARK(BM_ReportedSetParseFull)->Unit(benchmark::kMillisecond);

void BM_ReportedSetSerializeFull(benchmark::State& state) {
  const ReportedSet set = Full();
  for (auto _ : state) benchmark::DoNotOptimize(set.Serialize());
}
BENCHMARK(BM_ReportedSetSerializeFull)->Unit(benchmark::kMillisecond);

void BM_ReportedSetRecordKnown(benchmark::State& state) {
  ReportedSet set = Full();
  const std::string digest =
      ReportDigest({"php_webshell_eval_request"}, "critical", "webshell.php");
  const std::string path = "/var/www/html/wp-content/uploads/2026/12/file-12345.php";
  const std::string sha = Sha(12345);
  for (auto _ : state) {
    benchmark::DoNotOptimize(set.Record(path, sha, digest, "pending", 1766000000));
  }
}
BENCHMARK(BM_ReportedSetRecordKnown);

}  // namespace
