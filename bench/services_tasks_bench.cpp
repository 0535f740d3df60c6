// Benchmarks of the startup_services / scheduled_tasks parsers and of both collectors on this host
// and on the Debian fixture root.
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <string>

#include "agent/collectors/crontab.h"
#include "agent/collectors/registry.h"
#include "agent/collectors/scheduled_tasks.h"
#include "agent/collectors/startup_services.h"
#include "agent/collectors/systemd_unit.h"
#include "common/clock.h"
#include "common/host_view.h"

namespace {

using namespace rampart;
using namespace rampart::agent;

std::string Crontab(int lines) {
  std::string text = "SHELL=/bin/sh\nMAILTO=root\n# m h dom mon dow user command\n";
  for (int i = 0; i < lines; ++i) {
    text += "*/5 9-17 * jan,jul mon-fri root /usr/local/bin/job --id " + std::to_string(i) +
            " >/dev/null 2>&1 %stdin\n";
  }
  return text;
}

void BM_ParseCrontab(benchmark::State& state) {
  const std::string text = Crontab(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(ParseCrontab(text, true));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseCrontab)->Arg(1000);

void BM_ParseUnitFile(benchmark::State& state) {
  std::string text =
      "# comment\n[Unit]\nDescription=Benchmark unit\nAfter=network.target\n\n[Service]\n";
  for (int i = 0; i < 200; ++i) {
    text += "ExecStartPre=-/usr/bin/prepare --step " + std::to_string(i) +
            " \\\n  --more 'quoted arg'\n";
  }
  text += "ExecStart=/usr/sbin/daemon -D\nUser=nobody\n[Install]\nWantedBy=multi-user.target\n";
  for (auto _ : state) {
    UnitConfig c;
    c.Apply(ParseUnitFile(text));
    benchmark::DoNotOptimize(c.GetList("Service", "ExecStart"));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseUnitFile);

// The whole Collect(), as `rampart inventory` runs it (including systemctl on a systemd host).
void CollectLive(benchmark::State& state, std::unique_ptr<Collector> collector) {
  const HostView host;
  FakeClock clock(std::chrono::system_clock::time_point{});
  const CollectContext ctx{host, clock, {}};
  std::size_t rows = 0;
  for (auto _ : state) {
    auto out = collector->Collect(ctx);
    rows = out.ok() ? out->size() : 0;
    benchmark::DoNotOptimize(out);
  }
  state.counters["rows"] = static_cast<double>(rows);
}
void BM_StartupServicesLive(benchmark::State& state) {
  CollectLive(state, MakeStartupServicesCollector());
}
BENCHMARK(BM_StartupServicesLive)->Unit(benchmark::kMillisecond);

void BM_ScheduledTasksLive(benchmark::State& state) {
  CollectLive(state, MakeScheduledTasksCollector());
}
BENCHMARK(BM_ScheduledTasksLive)->Unit(benchmark::kMillisecond);

void BM_BothCollectorsDebianFixture(benchmark::State& state) {
  auto host = HostView::Open(RAMPART_SOURCE_DIR "/tests/testdata/root-debian");
  if (!host.ok()) {
    state.SkipWithError("fixture root missing");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(CollectStartupServices(*host, std::nullopt));
    benchmark::DoNotOptimize(CollectScheduledTasks(*host));
  }
}
BENCHMARK(BM_BothCollectorsDebianFixture)->Unit(benchmark::kMillisecond);

}  // namespace
