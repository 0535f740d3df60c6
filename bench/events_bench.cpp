// The agent channel's login-security path on the server: validating a 1,000-event
// security_events batch, and the whole message through AgentHub (validate, upsert in one SQLite
// transaction, recompute the host's risk counter, ack) for new incidents and for updates of
// known ones (the steady state of a long attack: the same incidents with growing counts).
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
#include "server/service/events_protocol.h"

namespace rampart::server {
namespace {

constexpr int kEvents = 1000;

// `salt` picks the incident id space: the same salt names the same incidents.
Json Event(int i, int round, const std::string& salt) {
  Json e = Json::MakeObject();
  e.Set("id", Sha256Hex("incident-" + salt + "-" + std::to_string(i)));
  e.Set("type", i % 10 == 0 ? "cracked" : "brute_force");
  e.Set("level", i % 10 == 0 ? "critical" : "high");
  e.Set("rule", "default");
  e.Set("service", "sshd");
  e.Set("source", "203.0." + std::to_string(i / 250) + "." + std::to_string(i % 250));
  e.Set("user", "root");
  e.Set("users", Json::StringArray({"root", "admin", "oracle", "postgres"}));
  e.Set("sources", Json::MakeArray());
  e.Set("count", 10 + round);
  e.Set("failures", 10 + round);
  e.Set("first_seen", 1764000000);
  e.Set("last_seen", 1764000060 + round);
  e.Set("reason", "");
  e.Set("network", "203.0.0.0/16");
  e.Set("country", "NL");
  return e;
}

std::string Message(const std::string& key, int round, const std::string& salt = "") {
  Json events = Json::MakeArray();
  for (int i = 0; i < kEvents; ++i) events.Push(Event(i, round, salt));
  Json payload = Json::MakeObject();
  payload.Set("events", std::move(events));
  Json message = Json::MakeObject();
  message.Set("type", "batch");
  message.Set("key", key);
  message.Set("kind", "security_events");
  message.Set("payload", std::move(payload));
  return message.Dump();
}

void BM_ParseAndValidateSecurityEvents1000(benchmark::State& state) {
  const std::string text = Message("ev-1", 0);
  for (auto _ : state) {
    auto message = ParseChannelMessage(text);
    auto batch = ParseSecurityEventsBatch("ev-1", *message->Find("payload"));
    benchmark::DoNotOptimize(batch);
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseAndValidateSecurityEvents1000)->Unit(benchmark::kMillisecond);

// arg 0: every batch brings new incidents; arg 1: every batch updates the same 1,000 incidents.
void BM_HubSecurityEventsMessage1000(benchmark::State& state) {
  const bool updates = state.range(0) == 1;
  auto channel = HubBenchChannel::Open(state);
  if (!channel) return;
  if (updates && !channel->SendCommitted(Message("seed", 0, std::string()))) {
    state.SkipWithError("seed batch not committed");
    return;
  }
  int round = 0;
  for (auto _ : state) {
    ++round;
    state.PauseTiming();
    // Updates: the seeded incidents again; else a new id space each round.
    std::string text = Message("ev-" + std::to_string(round), round,
                               updates ? std::string() : std::to_string(round));
    state.ResumeTiming();
    if (!channel->SendCommitted(text)) {
      state.SkipWithError("batch not committed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
}
BENCHMARK(BM_HubSecurityEventsMessage1000)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rampart::server
