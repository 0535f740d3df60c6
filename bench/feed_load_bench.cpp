// Advisory feed import: each shared OSV zip loaded whole (records/s, zip MB/s, and the heap memory
// the loaded set holds), one OSV record parsed (JSON text -> Advisory), and a synthetic Debian
// tracker file.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>

#include "agent/vuln/debian_tracker.h"
#include "agent/vuln/feed.h"
#include "agent/vuln/osv.h"
#include "common/json.h"

namespace rampart::agent::vuln {
namespace {

const std::string kShared = RAMPART_SOURCE_DIR "/../shared/data/feeds/";

// Heap bytes in use (glibc), so the memory a loaded set holds is the difference around the load.
std::size_t HeapInUse() {
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

void BM_LoadFeedZip(benchmark::State& state, const std::string& file) {
  const std::string path = kShared + file;
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(path, ec);
  if (ec) {
    state.SkipWithError(("missing " + path).c_str());
    return;
  }
  std::size_t records = 0;
  std::size_t held = 0;
  for (auto _ : state) {
    const std::size_t before = HeapInUse();
    AdvisorySet set;
    auto r = LoadFeed(path, set);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    records = r->records;
    const std::size_t after = HeapInUse();
    held = after > before ? after - before : 0;
    benchmark::DoNotOptimize(set.size());
  }
  state.counters["records"] = static_cast<double>(records);
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(records) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
  state.counters["set_heap_MB"] = static_cast<double>(held) / (1024.0 * 1024.0);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes) * state.iterations());
}
BENCHMARK_CAPTURE(BM_LoadFeedZip, Debian, std::string("Debian-all.zip"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LoadFeedZip, Go, std::string("Go-all.zip"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LoadFeedZip, PyPI, std::string("PyPI-all.zip"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LoadFeedZip, Maven, std::string("Maven-all.zip"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LoadFeedZip, npm, std::string("npm-all.zip"))->Unit(benchmark::kMillisecond);

// A GitHub advisory as osv.dev serves it: aliases, CVSS v3 vector, several affected packages.
constexpr std::string_view kRecord = R"({
  "schema_version": "1.6.0", "id": "GHSA-xvch-5gv4-984h", "modified": "2024-03-05T18:53:37.123456Z",
  "published": "2021-03-11T22:26:55Z", "aliases": ["CVE-2021-44906"], "related": ["CVE-2020-7598"],
  "summary": "Prototype Pollution in minimist",
  "details": "Minimist <=1.2.5 is vulnerable to Prototype Pollution via file index.js, function setKey().",
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
  "affected": [
    {"package": {"ecosystem": "npm", "name": "minimist", "purl": "pkg:npm/minimist"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "0.2.4"}]}],
     "database_specific": {"source": "https://github.com/github/advisory-database"}},
    {"package": {"ecosystem": "npm", "name": "minimist", "purl": "pkg:npm/minimist"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0.0"}, {"fixed": "1.2.6"}]}],
     "versions": ["1.0.0", "1.1.0", "1.1.1", "1.1.2", "1.1.3", "1.2.0", "1.2.1", "1.2.2", "1.2.5"]}],
  "references": [{"type": "ADVISORY", "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-44906"},
                 {"type": "PACKAGE", "url": "https://github.com/substack/minimist"}],
  "database_specific": {"cwe_ids": ["CWE-1321"], "severity": "CRITICAL", "github_reviewed": true}})";

void BM_ParseOsvRecord(benchmark::State& state) {
  for (auto _ : state) {
    auto json = Json::Parse(kRecord);
    auto a = ParseOsvRecord(*json, "bench");
    benchmark::DoNotOptimize(a.ok());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(kRecord.size()) * state.iterations());
}
BENCHMARK(BM_ParseOsvRecord)->Unit(benchmark::kMicrosecond);

// `packages` source packages with 40 issues each, four releases per issue (one of them sid).
std::string SyntheticTracker(int packages) {
  std::ostringstream out;
  out << "{";
  for (int p = 0; p < packages; ++p) {
    out << (p ? "," : "") << "\"pkg" << p << "\": {";
    for (int c = 0; c < 40; ++c) {
      out << (c ? "," : "") << "\"CVE-2024-" << p * 40 + c
          << R"(": {"description": "A flaw in a library parses input badly.", "scope": "remote",)"
          << R"("releases": {"bookworm": {"status": "resolved", "repositories": {"bookworm": "1.2-3"},)"
          << R"("fixed_version": "1.2-2+deb12u1", "urgency": "medium"},)"
          << R"("bullseye": {"status": "open", "repositories": {"bullseye": "1.0-1"},)"
          << R"("urgency": "low", "nodsa": "Minor issue", "nodsa_reason": ""},)"
          << R"("buster": {"status": "resolved", "repositories": {"buster": "0.9-1"},)"
          << R"("fixed_version": "0", "urgency": "not yet assigned"},)"
          << R"("sid": {"status": "resolved", "repositories": {"sid": "1.3-1"},)"
          << R"("fixed_version": "1.2-4", "urgency": "medium"}}})";
    }
    out << "}";
  }
  out << "}";
  return out.str();
}

void BM_ParseDebianTracker(benchmark::State& state) {
  const std::string text = SyntheticTracker(static_cast<int>(state.range(0)));
  std::size_t issues = 0;
  for (auto _ : state) {
    auto r = ParseDebianTracker(text, "bench");
    issues = r->entries;
    benchmark::DoNotOptimize(r->advisories.data());
  }
  state.counters["entries/s"] =
      benchmark::Counter(static_cast<double>(issues) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(text.size()) * state.iterations());
}
BENCHMARK(BM_ParseDebianTracker)->Arg(250)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rampart::agent::vuln
