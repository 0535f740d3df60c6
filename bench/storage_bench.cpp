// Storage hot paths: an agent's full inventory snapshot (2,000 rows) and a typical delta (20
// changes), and a host-list page of 50 out of 10,000 hosts. On SQLite (a temp file) always; on
// MySQL/MariaDB too when RAMPART_BENCH_MYSQL_URL names a database (mysql://user:pw@host:port/db).
//
// Target (issue 3): a full snapshot of 2,000 rows applies in well under 100 ms on SQLite.

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "common/wire.h"
#include "server/storage/storage.h"

namespace rampart::server {
namespace {

struct Backend {
  std::unique_ptr<Storage> storage;
  std::string tenant_id;
  std::string temp_dir;                   // SQLite only; removed at exit
  std::vector<std::string> listed_hosts;  // the 10,000-host tenant, filled on first use
  std::string list_tenant_id;
};

void Fail(const std::string& what) {
  std::fprintf(stderr, "storage_bench: %s\n", what.c_str());
  std::exit(1);
}

// One Storage per backend for the whole process (opening and migrating is not what we measure).
Backend& GetBackend(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Backend>> backends;
  auto& slot = backends[name];
  if (slot != nullptr) return *slot;
  slot = std::make_unique<Backend>();
  std::string url;
  if (name == "sqlite") {
    std::string dir = (std::filesystem::temp_directory_path() / "rampart-bench-XXXXXX").string();
    if (::mkdtemp(dir.data()) == nullptr) Fail("mkdtemp failed");
    slot->temp_dir = dir;
    url = "sqlite://" + dir + "/bench.db";
    std::atexit([] {
      for (auto& [n, b] : backends) {
        if (b && !b->temp_dir.empty()) {
          b->storage.reset();
          std::error_code ec;
          std::filesystem::remove_all(b->temp_dir, ec);
        }
      }
    });
  } else {
    url = std::getenv("RAMPART_BENCH_MYSQL_URL");
  }
  auto storage = OpenStorage(url, "");
  if (!storage.ok()) Fail(storage.status().ToString());
  slot->storage = std::move(*storage);
  auto tenant = slot->storage->CreateTenant("bench-" + wire::RandomId("b"), 1);
  if (!tenant.ok()) Fail(tenant.status().ToString());
  slot->tenant_id = tenant->id;
  return *slot;
}

Host EnrollOne(Backend& b, const std::string& tenant_id, const std::string& hostname,
               std::int64_t now) {
  EnrollTokenRecord token;
  token.tenant_id = tenant_id;
  auto created = b.storage->CreateEnrollToken(token);
  if (!created.ok()) Fail(created.status().ToString());
  Host host;
  host.id = wire::RandomId("h");
  host.machine_id = wire::RandomId("m");
  host.hostname = hostname;
  auto enrolled = b.storage->EnrollHost(created->id, host, now);
  if (!enrolled.ok()) Fail(enrolled.status().ToString());
  return *enrolled;
}

// A process row as the agent sends it (flat object, ~200 bytes of JSON).
Json ProcessRow(int i, int generation) {
  return Json::Object{{"pid", 1000 + i},
                      {"ppid", 1},
                      {"name", "worker-" + std::to_string(i)},
                      {"user", "www-data"},
                      {"cmdline", "/usr/bin/worker --id " + std::to_string(i) + " --config /etc/w"},
                      {"rss_kb", 10240 + i},
                      {"generation", generation},
                      {"listening", i % 7 == 0}};
}

void ApplyOrDie(Backend& b, const std::string& host_id, const InventoryBatch& batch,
                benchmark::State& state) {
  auto outcome = b.storage->ApplyInventory(host_id, batch, 100);
  if (!outcome.ok() || *outcome != IngestOutcome::kCommitted) {
    state.SkipWithError(outcome.ok() ? "not committed" : outcome.status().ToString().c_str());
  }
}

void BM_ApplyInventoryFull(benchmark::State& state, const std::string& backend) {
  Backend& b = GetBackend(backend);
  const Host host = EnrollOne(b, b.tenant_id, "full-snapshot", 1);
  const int rows = static_cast<int>(state.range(0));
  std::int64_t version = 0;
  for (auto _ : state) {
    state.PauseTiming();
    InventoryBatch batch;
    batch.idempotency_key = wire::RandomId("k");
    batch.version = ++version;
    batch.full = true;
    std::vector<Json> items;
    // Half the rows change between snapshots, as process lists do.
    for (int i = 0; i < rows; ++i)
      items.push_back(ProcessRow(i, i % 2 == 0 ? 0 : static_cast<int>(version)));
    batch.rows = {{"processes", std::move(items)}};
    state.ResumeTiming();
    ApplyOrDie(b, host.id, batch, state);
  }
  state.SetItemsProcessed(state.iterations() * rows);
}

void BM_ApplyInventoryDelta(benchmark::State& state, const std::string& backend) {
  Backend& b = GetBackend(backend);
  const Host host = EnrollOne(b, b.tenant_id, "delta", 1);
  InventoryBatch full;
  full.idempotency_key = wire::RandomId("k");
  full.version = 1;
  full.full = true;
  std::vector<Json> base;
  for (int i = 0; i < 2000; ++i) base.push_back(ProcessRow(i, 0));
  full.rows = {{"processes", base}};
  ApplyOrDie(b, host.id, full, state);
  std::int64_t version = 1;
  std::vector<std::string> previous;  // keys added by the last delta, removed by the next
  for (auto _ : state) {
    state.PauseTiming();
    InventoryBatch delta;
    delta.idempotency_key = wire::RandomId("k");
    delta.base = version;
    delta.version = ++version;
    std::vector<Json> added;
    std::vector<std::string> keys;
    for (int i = 0; i < 10; ++i) {
      added.push_back(ProcessRow(5000 + i, static_cast<int>(version)));
      keys.push_back(wire::RowKey(added.back()));
    }
    delta.rows = {{"processes", std::move(added)}};
    delta.removed = {{"processes", previous}};
    previous = std::move(keys);
    state.ResumeTiming();
    ApplyOrDie(b, host.id, delta, state);
  }
  state.SetItemsProcessed(state.iterations() * 20);
}

void BM_ListHosts(benchmark::State& state, const std::string& backend, const std::string& sort,
                  bool desc, bool deep) {
  Backend& b = GetBackend(backend);
  if (b.list_tenant_id.empty()) {
    auto tenant = b.storage->CreateTenant("list-" + wire::RandomId("b"), 1);
    if (!tenant.ok()) Fail(tenant.status().ToString());
    b.list_tenant_id = tenant->id;
    std::vector<std::pair<std::string, std::int64_t>> beats;
    for (int i = 0; i < 10000; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "host-%05d", (i * 7919) % 10000);
      Host h = EnrollOne(b, b.list_tenant_id, name, 1000 + i % 500);
      beats.emplace_back(h.id, 2000 + (i * 31) % 3000);
      if (beats.size() == 500) {
        if (!b.storage->RecordHeartbeats(beats).ok()) Fail("heartbeats");
        beats.clear();
      }
    }
  }
  HostQuery query;
  query.sort = sort;
  query.sort_desc = desc;
  query.page.limit = 50;
  if (deep) {
    // Start in the middle of the list: keyset pagination should cost the same as page one.
    HostQuery skip = query;
    skip.page.limit = 500;
    for (int i = 0; i < 10; ++i) {
      auto page = b.storage->ListHosts(b.list_tenant_id, skip);
      if (!page.ok()) Fail(page.status().ToString());
      skip.page.cursor = page->next_cursor;
    }
    query.page.cursor = skip.page.cursor;
  }
  for (auto _ : state) {
    auto page = b.storage->ListHosts(b.list_tenant_id, query);
    if (!page.ok() || page->items.size() != 50) {
      state.SkipWithError("ListHosts failed");
      break;
    }
    benchmark::DoNotOptimize(page->items.data());
  }
  state.SetItemsProcessed(state.iterations() * 50);
}

void RegisterFor(const std::string& backend) {
  benchmark::RegisterBenchmark(("ApplyInventoryFull/" + backend).c_str(), BM_ApplyInventoryFull,
                               backend)
      ->Arg(2000)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark(("ApplyInventoryDelta20/" + backend).c_str(), BM_ApplyInventoryDelta,
                               backend)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  for (const auto& [sort, desc, deep] :
       {std::tuple<std::string, bool, bool>{"hostname", false, false},
        std::tuple<std::string, bool, bool>{"hostname", false, true},
        std::tuple<std::string, bool, bool>{"last_seen", true, true}}) {
    const std::string name = "ListHosts50Of10000/" + backend + "/" + sort +
                             (desc ? "_desc" : "_asc") + (deep ? "/after_5000" : "/first");
    benchmark::RegisterBenchmark(name.c_str(), BM_ListHosts, backend, sort, desc, deep)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterFor("sqlite");
  const char* mysql = std::getenv("RAMPART_BENCH_MYSQL_URL");
  if (mysql != nullptr && *mysql != '\0') RegisterFor("mysql");
  return true;
}();

}  // namespace
}  // namespace rampart::server
