// Vulnerability management through the server path: each shared feed imported into a fresh SQLite
// database with `rampart admin feed import`'s code (records/s: read + validate + store), and the
// rematch of one host with 1,000 installed packages (read its inventory from the database, match,
// write the findings): the first rematch (every finding new) and a steady one (nothing changed).
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <string>

#include "agent/vuln/advisory_json.h"
#include "agent/vuln/feed.h"
#include "common/clock.h"
#include "common/wire.h"
#include "server/service/vuln_service.h"
#include "server/storage/storage.h"

namespace rampart::server {
namespace {

namespace fs = std::filesystem;
const std::string kShared = RAMPART_SOURCE_DIR "/../shared/data/feeds/";

std::int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct TempDb {
  fs::path dir = fs::temp_directory_path() / ("rampart-vbench-" + wire::RandomId("d"));
  std::unique_ptr<Storage> storage;
  TempDb() {
    fs::create_directories(dir);
    auto opened = OpenStorage("sqlite://" + (dir / "bench.db").string(), "");
    if (opened.ok()) storage = std::move(*opened);
  }
  ~TempDb() {
    storage.reset();
    fs::remove_all(dir);
  }
};

void BM_ServerFeedImport(benchmark::State& state, const std::string& file) {
  const std::string path = kShared + file;
  if (!fs::exists(path)) {
    state.SkipWithError(("missing " + path).c_str());
    return;
  }
  std::int64_t records = 0;
  double read = 0;
  double store = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto db = std::make_unique<TempDb>();
    state.ResumeTiming();
    auto report = ImportFeed(*db->storage, path, UnixNow());
    if (!report.ok()) {
      state.SkipWithError(report.error().ToString().c_str());
      return;
    }
    records = report->stored.records;
    read += report->read_seconds;
    store += report->store_seconds;
    state.PauseTiming();
    db.reset();
    state.ResumeTiming();
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["records"] = static_cast<double>(records);
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(records) * n, benchmark::Counter::kIsRate);
  state.counters["read_s"] = read / n;
  state.counters["store_s"] = store / n;
}
BENCHMARK_CAPTURE(BM_ServerFeedImport, Debian, std::string("Debian-all.zip"))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);
BENCHMARK_CAPTURE(BM_ServerFeedImport, Go, std::string("Go-all.zip"))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);
BENCHMARK_CAPTURE(BM_ServerFeedImport, Maven, std::string("Maven-all.zip"))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
BENCHMARK_CAPTURE(BM_ServerFeedImport, PyPI, std::string("PyPI-all.zip"))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);
BENCHMARK_CAPTURE(BM_ServerFeedImport, npm, std::string("npm-all.zip"))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(5);

// A database holding the Debian feed and a Debian 11 host with 1,000 packages: the source packages
// the feed names most (so the rematch does real work), each at a version below its fixes.
struct RematchFixture {
  TempDb db;
  std::string tenant;
  std::string token;
  std::unique_ptr<VulnService> service;
  std::vector<std::string> sources;
  Status status;

  RematchFixture() {
    const std::string path = kShared + "Debian-all.zip";
    auto report = ImportFeed(*db.storage, path, UnixNow());
    if (!report.ok()) {
      status = report.error();
      return;
    }
    agent::vuln::AdvisorySet set;
    (void)agent::vuln::LoadFeed(path, set);
    std::set<std::string> names;
    for (const auto* a : set.Active()) {
      for (const auto& af : a->affected) {
        if (af.ecosystem == "Debian:11" && names.size() < 1000) names.insert(af.name);
      }
    }
    sources.assign(names.begin(), names.end());
    for (int i = 0; sources.size() < 1000; ++i)
      sources.push_back("unaffected-" + std::to_string(i));
    tenant = db.storage->CreateTenant("bench", UnixNow())->id;
    token =
        db.storage
            ->CreateEnrollToken({wire::RandomId("et"), tenant, "x", UnixNow(), UnixNow() + 3600})
            ->id;
    service = std::make_unique<VulnService>(*db.storage, SystemClock::Instance());
    status = service->Refresh();
  }

  std::string NewHost() {
    Host host;
    host.id = wire::RandomId("h");
    host.machine_id = wire::RandomId("m");
    host.hostname = "bench";
    host.agent_secret_hash = std::string(64, '0');
    const std::string id = db.storage->EnrollHost(token, host, UnixNow())->id;
    InventoryBatch batch;
    batch.idempotency_key = wire::RandomId("b");
    batch.version = 1;
    batch.full = true;
    Json h = Json::Object{{"os_id", "debian"}, {"os_version", "11"}, {"os_name", "Debian"}};
    std::vector<Json> software;
    for (const std::string& src : sources) {
      software.push_back(Json::Object{{"type", "deb"},
                                      {"name", src},
                                      {"version", "0.1-1"},
                                      {"source_name", src},
                                      {"source_version", "0.1-1"},
                                      {"arch", "amd64"},
                                      {"path", "/var/lib/dpkg/status"}});
    }
    batch.rows = {{"host", {h}}, {"software", software}};
    (void)db.storage->ApplyInventory(id, batch, UnixNow());
    return id;
  }
};

RematchFixture& Fixture() {
  static RematchFixture* fixture = new RematchFixture();
  return *fixture;
}

void BM_RematchHost1000Packages(benchmark::State& state, bool first) {
  RematchFixture& f = Fixture();
  if (!f.status.ok()) {
    state.SkipWithError(f.status.ToString().c_str());
    return;
  }
  std::string host = f.NewHost();
  std::int64_t findings = 0;
  if (!first) (void)f.service->RematchHost(f.tenant, host);
  for (auto _ : state) {
    if (first) {
      state.PauseTiming();
      host = f.NewHost();
      state.ResumeTiming();
    }
    auto r = f.service->RematchHost(f.tenant, host);
    if (!r.ok()) {
      state.SkipWithError(r.error().ToString().c_str());
      return;
    }
    findings = r->detected;
  }
  state.counters["packages"] = static_cast<double>(f.sources.size());
  state.counters["findings"] = static_cast<double>(findings);
}
BENCHMARK_CAPTURE(BM_RematchHost1000Packages, first, true)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_RematchHost1000Packages, steady, false)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace rampart::server
