// The agent channel's inventory path on the server: parsing + validating a 1,000-row batch, and
// the whole message through AgentHub (validate, apply in one SQLite transaction, ack).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/wire.h"
#include "hub_bench_channel.h"
#include "server/service/channel_protocol.h"

namespace rampart::server {
namespace {

constexpr int kRows = 1000;

// A process-like row of the kind agents send (~300 bytes).
Json Row(int i) {
  Json row = Json::MakeObject();
  row.Set("pid", 1000 + i);
  row.Set("ppid", 1);
  row.Set("user", "www-data");
  row.Set("name", "worker-" + std::to_string(i));
  row.Set("exe", "/usr/sbin/nginx");
  row.Set("cmdline", "nginx: worker process " + std::to_string(i));
  row.Set("start_time", "2026-11-29T02:51:27Z");
  row.Set("state", "S");
  row.Set("cpu_percent", 0.5);
  row.Set("rss_bytes", 7340032);
  row.Set("exe_sha256", Sha256Hex(std::to_string(i)));
  row.Set("deleted_exe", false);
  row.Set("package", "nginx-core");
  return row;
}

std::string FullMessage(const std::string& key, int version) {
  Json rows = Json::MakeArray();
  for (int i = 0; i < kRows; ++i) rows.Push(Row(i));
  Json category = Json::MakeObject();
  category.Set("rows", std::move(rows));
  Json categories = Json::MakeObject();
  categories.Set("processes", std::move(category));
  Json payload = Json::MakeObject();
  payload.Set("version", version);
  payload.Set("base", 0);
  payload.Set("mode", "full");
  payload.Set("collected_at", "2026-11-29T02:51:27Z");
  payload.Set("categories", std::move(categories));
  Json message = Json::MakeObject();
  message.Set("type", "batch");
  message.Set("key", key);
  message.Set("kind", "inventory");
  message.Set("payload", std::move(payload));
  return message.Dump();
}

void BM_ParseAndValidateInventory1000(benchmark::State& state) {
  const std::string text = FullMessage("inv-1", 1);
  for (auto _ : state) {
    auto message = ParseChannelMessage(text);
    auto batch = ParseInventoryBatch("inv-1", *message->Find("payload"));
    benchmark::DoNotOptimize(batch);
  }
  state.SetItemsProcessed(state.iterations() * kRows);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseAndValidateInventory1000)->Unit(benchmark::kMillisecond);

// The full message path on a SQLite file (WAL), as a server on one node runs it.
void BM_HubInventoryMessage1000(benchmark::State& state) {
  auto channel = HubBenchChannel::Open(state);
  if (!channel) return;
  int version = 0;
  for (auto _ : state) {
    ++version;
    state.PauseTiming();
    // A fresh key each time, or the server would answer "duplicate" without work.
    std::string text = FullMessage("inv-" + std::to_string(version), version);
    state.ResumeTiming();
    if (!channel->SendCommitted(text)) {
      state.SkipWithError("batch not committed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_HubInventoryMessage1000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rampart::server
