// The server's baseline path: validating a baseline_results batch of 300 checks (about what the
// shipped Debian policies report per host), and storing it (replace the host x policy rows, the
// day's history row, the host counter, one SQLite transaction) as each scheduled run does.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <string>

#include "common/json.h"
#include "common/wire.h"
#include "server/service/baseline_protocol.h"
#include "server/service/channel_protocol.h"
#include "server/storage/storage.h"

namespace rampart::server {
namespace {

constexpr int kChecks = 300;

std::string Message(const std::string& key) {
  Json results = Json::MakeArray();
  for (int i = 0; i < kChecks; ++i) {
    Json r = Json::MakeObject();
    r.Set("policy", "linux-cis-debian");
    r.Set("id", "cis-" + std::to_string(i));
    r.Set("title", "Ensure the setting number " + std::to_string(i) + " is configured");
    r.Set("level", i % 3 == 0 ? "high" : "medium");
    r.Set("status", i % 4 == 0 ? "fail" : "pass");
    r.Set("evidence", "/etc/ssh/sshd_config:" + std::to_string(i) + ": PermitRootLogin yes");
    Json rem = Json::MakeObject();
    rem.Set("advice", "Set the value in /etc/ssh/sshd_config and reload sshd.");
    rem.Set("command", Json());
    r.Set("remediation", std::move(rem));
    r.Set("references", Json::StringArray({"CIS 5.2." + std::to_string(i), "MLPS 8.1.4"}));
    results.Push(std::move(r));
  }
  Json policy = Json::MakeObject();
  policy.Set("id", "linux-cis-debian");
  policy.Set("name", "Linux CIS (Debian)");
  policy.Set("score", 75);
  Json payload = Json::MakeObject();
  payload.Set("run_id", "brun_bench");
  payload.Set("policy", std::move(policy));
  payload.Set("results", std::move(results));
  Json message = Json::MakeObject();
  message.Set("type", "batch");
  message.Set("key", key);
  message.Set("kind", "baseline_results");
  message.Set("payload", std::move(payload));
  return message.Dump();
}

void BM_ParseBaselineResults(benchmark::State& state) {
  const std::string text = Message("k1");
  for (auto _ : state) {
    auto message = ParseChannelMessage(text);
    auto parsed = ParseBaselineResults("k1", *message->Find("payload"));
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.counters["checks/s"] = benchmark::Counter(static_cast<double>(state.iterations() * kChecks),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseBaselineResults)->Unit(benchmark::kMicrosecond);

void BM_ApplyBaselineResults(benchmark::State& state) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("rampart-bl-bench-" + wire::RandomId("d"));
  std::filesystem::create_directories(dir);
  auto storage = OpenStorage("sqlite://" + (dir / "bench.db").string(), dir.string());
  if (!storage.ok()) {
    state.SkipWithError(storage.status().ToString().c_str());
    return;
  }
  auto tenant = (*storage)->CreateTenant("bench", 1);
  EnrollTokenRecord token;
  token.tenant_id = tenant->id;
  token.secret_hash = "x";
  token.created_at = 1;
  auto stored = (*storage)->CreateEnrollToken(token);
  Host h;
  h.id = wire::RandomId("h");
  h.machine_id = "m";
  h.hostname = "bench";
  h.agent_secret_hash = "s";
  auto host = (*storage)->EnrollHost(stored->id, h, 1);
  auto message = ParseChannelMessage(Message("k"));
  auto parsed = ParseBaselineResults("k", *message->Find("payload"));
  int round = 0;
  for (auto _ : state) {
    parsed->batch.idempotency_key = "k" + std::to_string(++round);
    auto done = (*storage)->ApplyBaselineResults(host->id, parsed->batch, 1767225600 + round);
    if (!done.ok()) state.SkipWithError(done.status().ToString().c_str());
  }
  state.counters["checks/s"] = benchmark::Counter(static_cast<double>(state.iterations() * kChecks),
                                                  benchmark::Counter::kIsRate);
  storage->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ApplyBaselineResults)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rampart::server
