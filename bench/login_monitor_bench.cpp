// The live login path end to end: FileTailer reading a log file, AuthLogParser, the brute-force
// and abnormal-login detectors, the incident book and the contract event JSON of every updated
// incident (the sink discards it), as the agent runs it (no blocking):
//   BM_MonitorFile  LoginMonitor::PollOnce over a generated attack log (many sources guessing,
//                   a few successes); items_per_second = lines/s.
// An attack that raises one incident per source updates it on every further failure, so this
// also measures the per-update cost of incident tracking.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "agent/monitor/login_monitor.h"
#include "common/clock.h"

namespace rampart::agent {
namespace {

std::string MakeLog(const std::string& path, std::size_t lines) {
  std::ofstream out(path, std::ios::trunc);
  for (std::size_t i = 0; i < lines; ++i) {
    const int sec = static_cast<int>(i / 50);
    char buf[200];
    const unsigned src = static_cast<unsigned>(i % 997);
    if (i % 200 == 199) {
      std::snprintf(buf, sizeof buf,
                    "Nov %2d %02d:%02d:%02d web1 sshd[%zu]: Accepted publickey for deploy from "
                    "10.0.%u.%u port 50000 ssh2: ED25519 SHA256:abc\n",
                    1 + sec / 86400, sec / 3600 % 24, sec / 60 % 60, sec % 60, 10000 + i, src / 256,
                    src % 256);
    } else {
      std::snprintf(buf, sizeof buf,
                    "Nov %2d %02d:%02d:%02d web1 sshd[%zu]: Failed password for root from "
                    "203.0.%u.%u port %zu ssh2\n",
                    1 + sec / 86400, sec / 3600 % 24, sec / 60 % 60, sec % 60, 10000 + i / 3,
                    src / 256, src % 256, 30000 + i % 30000);
    }
    out << buf;
  }
  return path;
}

void BM_MonitorFile(benchmark::State& state) {
  const std::size_t lines = static_cast<std::size_t>(state.range(0));
  char dir_tmpl[] = "/tmp/rampart_monitor_bench_XXXXXX";
  const std::string dir = mkdtemp(dir_tmpl);
  const std::string log = MakeLog(dir + "/auth.log", lines);
  std::size_t events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::remove((dir + "/login_monitor.json").c_str());
    LoginMonitorOptions o;
    o.data_dir = dir;
    o.files = {log};
    o.journal = LoginMonitorOptions::Journal::kOff;
    o.from_start = true;
    o.save_interval = std::chrono::hours(1);
    LoginMonitor m(
        o, LoginMonitorSettings{}, [&](const Json&) { ++events; }, nullptr,
        &SystemClock::Instance());
    if (!m.Start().ok()) state.SkipWithError("start failed");
    state.ResumeTiming();
    for (;;) {
      auto n = m.PollOnce();
      if (!n.ok() || *n == 0) break;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(lines));
  state.counters["events"] = static_cast<double>(events) / static_cast<double>(state.iterations());
  std::system(("rm -rf '" + dir + "'").c_str());
}
BENCHMARK(BM_MonitorFile)->Arg(200000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rampart::agent
