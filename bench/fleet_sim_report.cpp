#include "fleet_sim_report.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace rampart::fleet {
namespace {

// The whole of a small /proc file ("" when unreadable). Plain read(2): iostreams trip GCC 12's
// -Wnull-dereference at -O3.
std::string ReadProcFile(const std::string& path) {
  std::string text;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) text.append(buf, static_cast<std::size_t>(n));
  close(fd);
  return text;
}

std::int64_t StatusField(int pid, const std::string& name) {
  std::string text = ReadProcFile("/proc/" + std::to_string(pid) + "/status");
  std::size_t at = text.find("\n" + name + ":");
  if (at == std::string::npos) return 0;
  return std::atoll(text.c_str() + at + name.size() + 2);
}

// utime + stime of the process, in clock ticks.
std::int64_t CpuTicks(int pid) {
  std::string text = ReadProcFile("/proc/" + std::to_string(pid) + "/stat");
  std::size_t close_paren = text.rfind(')');
  if (close_paren == std::string::npos) return 0;
  // After "pid (comm) " come the fields from state (3) on; utime is 14, stime 15 (proc(5)).
  const char* p = text.c_str() + close_paren + 2;
  std::int64_t utime = 0, stime = 0;
  for (int field = 3; field <= 15 && *p != '\0'; ++field) {
    if (field == 14) utime = std::atoll(p);
    if (field == 15) stime = std::atoll(p);
    while (*p != '\0' && *p != ' ') ++p;
    while (*p == ' ') ++p;
  }
  return utime + stime;
}

int CountFds(int pid) {
  DIR* d = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (d == nullptr) return 0;
  int n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n;
}

double Mb(std::int64_t kb) { return static_cast<double>(kb) / 1024.0; }

struct Percentiles {
  std::size_t count = 0;
  std::size_t errors = 0;
  double p50 = 0, p99 = 0, max = 0;  // ms
};

Percentiles Compute(const std::vector<ApiSample>& samples, std::int64_t from, std::int64_t to,
                    int kind /* -1 all, 0 list, 1 detail */) {
  std::vector<double> ms;
  Percentiles p;
  for (const ApiSample& s : samples) {
    if (s.due_ms < from || s.due_ms >= to) continue;
    if (kind >= 0 && s.detail != (kind == 1)) continue;
    ms.push_back(static_cast<double>(s.latency_us) / 1000.0);
    if (s.status != 200) ++p.errors;
  }
  p.count = ms.size();
  if (ms.empty()) return p;
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    auto idx = static_cast<std::size_t>(q * static_cast<double>(ms.size() - 1) + 0.5);
    return ms[std::min(idx, ms.size() - 1)];
  };
  p.p50 = at(0.50);
  p.p99 = at(0.99);
  p.max = ms.back();
  return p;
}

void PrintApi(const char* label, const Percentiles& p) {
  if (p.count == 0) {
    std::printf("fleet: API %s: no requests\n", label);
    return;
  }
  std::printf("fleet: API %s: %zu requests (%zu failed), p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
              label, p.count, p.errors, p.p50, p.p99, p.max);
}

void PrintProcess(const char* label, const ProcessFigures& f) {
  if (!f.valid) return;
  std::printf(
      "fleet: %s: RSS %.0f MB at the end of the window (peak sampled %.0f MB, VmHWM %.0f MB), "
      "CPU %.0f%% of one core over the window (%.0f%% during the ramp), %d threads, %d open fds\n",
      label, Mb(f.rss_kb), Mb(f.peak_rss_kb), Mb(f.hwm_kb), f.cpu_percent, f.ramp_cpu_percent,
      f.threads, f.open_fds);
}

}  // namespace

Snapshot Snapshot::Take(const FleetCounters& c) {
  Snapshot s;
  s.connected = c.connected.load();
  s.hellos = c.hellos.load();
  s.heartbeats = c.heartbeats.load();
  s.full_batches = c.full_batches.load();
  s.delta_batches = c.delta_batches.load();
  s.deltas_skipped = c.deltas_skipped.load();
  s.acks_committed = c.acks_committed.load();
  s.acks_duplicate = c.acks_duplicate.load();
  s.acks_resync = c.acks_resync.load();
  s.acks_rejected = c.acks_rejected.load();
  s.acks_unmatched = c.acks_unmatched.load();
  s.ack_timeouts = c.ack_timeouts.load();
  s.connect_attempts = c.connect_attempts.load();
  s.connect_errors = c.connect_errors.load();
  s.tls_errors = c.tls_errors.load();
  s.upgrade_refused = c.upgrade_refused.load();
  s.protocol_errors = c.protocol_errors.load();
  s.disconnects = c.disconnects.load();
  s.server_closes = c.server_closes.load();
  s.server_error_messages = c.server_error_messages.load();
  s.configs = c.configs.load();
  s.commands = c.commands.load();
  s.bytes_sent = c.bytes_sent.load();
  s.bytes_received = c.bytes_received.load();
  s.event_batches = c.event_batches.load();
  s.events_acked = c.events_acked.load();
  s.events_rejected = c.events_rejected.load();
  s.events_skipped = c.events_skipped.load();
  return s;
}

void ProcessSampler::SampleRss() {
  if (pid_ <= 0) return;
  figures_.peak_rss_kb = std::max(figures_.peak_rss_kb, StatusField(pid_, "VmRSS"));
}

namespace {

double CpuPercent(std::int64_t ticks, std::int64_t wall_ms) {
  return 100.0 * static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK)) /
         (static_cast<double>(std::max<std::int64_t>(1, wall_ms)) / 1000.0);
}

}  // namespace

void ProcessSampler::StartRamp() {
  if (pid_ <= 0) return;
  ramp_ticks_start_ = CpuTicks(pid_);
  ramp_ms_start_ = Fleet::NowMs();
}

void ProcessSampler::StartWindow() {
  if (pid_ <= 0) return;
  cpu_ticks_start_ = CpuTicks(pid_);
  wall_ms_start_ = Fleet::NowMs();
  figures_.ramp_cpu_percent =
      CpuPercent(cpu_ticks_start_ - ramp_ticks_start_, wall_ms_start_ - ramp_ms_start_);
}

void ProcessSampler::EndWindow() {
  if (pid_ <= 0) return;
  figures_.valid = access(("/proc/" + std::to_string(pid_)).c_str(), F_OK) == 0;
  figures_.cpu_percent =
      CpuPercent(CpuTicks(pid_) - cpu_ticks_start_, Fleet::NowMs() - wall_ms_start_);
  figures_.rss_kb = StatusField(pid_, "VmRSS");
  figures_.hwm_kb = StatusField(pid_, "VmHWM");
  figures_.peak_rss_kb = std::max(figures_.peak_rss_kb, figures_.rss_kb);
  figures_.threads = static_cast<int>(StatusField(pid_, "Threads"));
  figures_.open_fds = CountFds(pid_);
}

void PrintReport(const ReportInput& in) {
  const double window_s = static_cast<double>(in.t_end - in.t_window) / 1000.0;
  const Snapshot& a = in.after;
  const Snapshot& b = in.before;
  auto rate = [&](std::int64_t d) { return static_cast<double>(d) / window_s; };

  std::printf(
      "fleet: %d agents, heartbeat every %d s, inventory delta every %d s, security event every "
      "%d s, API %.0f req/s\n",
      in.agents, in.heartbeat_seconds, in.inventory_every, in.events_every, in.api_rps);
  if (in.all_connected_ms >= 0) {
    double ramp = static_cast<double>(in.all_connected_ms - in.t_start) / 1000.0;
    std::printf("fleet: ramp: all %d agents connected in %.1f s (%.0f connections/s)\n", in.agents,
                ramp, static_cast<double>(in.agents) / std::max(ramp, 0.001));
    if (in.all_inventoried_ms >= 0) {
      double settle = static_cast<double>(in.all_inventoried_ms - in.t_start) / 1000.0;
      std::printf(
          "fleet: ramp: every agent's first (full) inventory committed after %.1f s (%.0f/s)\n",
          settle, static_cast<double>(in.agents) / std::max(settle, 0.001));
    }
  } else {
    std::printf("fleet: ramp: NOT all connected: peak %lld of %d, ended by %s after %.1f s\n",
                static_cast<long long>(in.peak_connected), in.agents, in.ramp_end.c_str(),
                static_cast<double>(in.t_window - in.t_start) / 1000.0);
  }
  std::printf("fleet: connected agents: peak %lld, lowest in the window %lld, at the end %lld\n",
              static_cast<long long>(in.peak_connected), static_cast<long long>(in.min_connected),
              static_cast<long long>(in.end_connected));

  std::int64_t beats = a.heartbeats - b.heartbeats;
  std::int64_t batches = (a.full_batches - b.full_batches) + (a.delta_batches - b.delta_batches);
  std::int64_t event_batches = a.event_batches - b.event_batches;
  std::int64_t messages = beats + batches + event_batches + (a.hellos - b.hellos);
  std::int64_t acks = (a.acks_committed - b.acks_committed) +
                      (a.acks_duplicate - b.acks_duplicate) + (a.acks_resync - b.acks_resync) +
                      (a.acks_rejected - b.acks_rejected);
  std::printf(
      "fleet: steady window %.1f s: agent messages %.1f/s (heartbeats %.1f/s, inventory batches "
      "%.1f/s), acks %.1f/s (committed %lld, duplicate %lld, resync %lld, rejected %lld)\n",
      window_s, rate(messages), rate(beats), rate(batches), rate(acks),
      static_cast<long long>(a.acks_committed - b.acks_committed),
      static_cast<long long>(a.acks_duplicate - b.acks_duplicate),
      static_cast<long long>(a.acks_resync - b.acks_resync),
      static_cast<long long>(a.acks_rejected - b.acks_rejected));
  std::printf(
      "fleet: whole run: %lld hellos, %lld heartbeats, %lld full + %lld delta batches (%lld deltas "
      "skipped: previous batch unacknowledged), %lld acks, %lld config messages, %.1f MB sent, "
      "%.1f MB received\n",
      static_cast<long long>(a.hellos), static_cast<long long>(a.heartbeats),
      static_cast<long long>(a.full_batches), static_cast<long long>(a.delta_batches),
      static_cast<long long>(a.deltas_skipped),
      static_cast<long long>(a.acks_committed + a.acks_duplicate + a.acks_resync + a.acks_rejected),
      static_cast<long long>(a.configs), static_cast<double>(a.bytes_sent) / 1048576.0,
      static_cast<double>(a.bytes_received) / 1048576.0);
  std::printf(
      "fleet: errors (whole run): connect %lld, TLS %lld, upgrade refused %lld, protocol %lld, "
      "disconnects %lld (server close frames %lld), server error messages %lld, rejected "
      "batches %lld, unmatched acks %lld, batches resent after 60 s without ack %lld; connect "
      "attempts %lld\n",
      static_cast<long long>(a.connect_errors), static_cast<long long>(a.tls_errors),
      static_cast<long long>(a.upgrade_refused), static_cast<long long>(a.protocol_errors),
      static_cast<long long>(a.disconnects), static_cast<long long>(a.server_closes),
      static_cast<long long>(a.server_error_messages), static_cast<long long>(a.acks_rejected),
      static_cast<long long>(a.acks_unmatched), static_cast<long long>(a.ack_timeouts),
      static_cast<long long>(a.connect_attempts));
  std::printf(
      "fleet: security events: %.1f/s in the steady window (%lld acknowledged, %lld rejected); "
      "whole run %lld batches sent, %lld acknowledged, %lld rejected, %lld skipped (previous "
      "events batch unacknowledged)\n",
      rate(event_batches), static_cast<long long>(a.events_acked - b.events_acked),
      static_cast<long long>(a.events_rejected - b.events_rejected),
      static_cast<long long>(a.event_batches), static_cast<long long>(a.events_acked),
      static_cast<long long>(a.events_rejected), static_cast<long long>(a.events_skipped));
  for (const std::string& e : in.fleet_errors) std::printf("fleet:   agent error: %s\n", e.c_str());

  PrintApi("during the ramp (connection storm: TLS, upgrades, first inventories)",
           Compute(in.api_samples, in.t_start, in.t_window, -1));
  PrintApi("GET /hosts?limit=50, fleet connected",
           Compute(in.api_samples, in.t_window, in.t_end, 0));
  PrintApi("GET /hosts/{id}, fleet connected", Compute(in.api_samples, in.t_window, in.t_end, 1));
  Percentiles steady = Compute(in.api_samples, in.t_window, in.t_end, -1);
  PrintApi("all, fleet connected", steady);
  for (const std::string& e : in.api_errors) std::printf("fleet:   API error: %s\n", e.c_str());
  PrintProcess("server", in.server);
  PrintProcess("simulator", in.self);

  std::vector<std::string> misses;
  if (in.end_connected < in.agents) {
    misses.push_back(std::to_string(in.end_connected) + " of " + std::to_string(in.agents) +
                     " agents connected at the end");
  }
  if (steady.count == 0) misses.push_back("no API requests completed in the window");
  if (a.events_rejected > 0) {
    misses.push_back(std::to_string(a.events_rejected) + " events batches rejected");
  }
  if (steady.errors > 0) misses.push_back(std::to_string(steady.errors) + " API requests failed");
  if (steady.count > 0 && steady.p99 >= in.target_p99_ms) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "API p99 %.1f ms", steady.p99);
    misses.push_back(buf);
  }
  std::string reason;
  for (const std::string& m : misses) reason += (reason.empty() ? ": " : "; ") + m;
  std::printf("fleet: %s against target (%d agents, p99 < %.0f ms)%s\n",
              misses.empty() ? "PASS" : "FAIL", in.agents, in.target_p99_ms, reason.c_str());
  std::fflush(stdout);
}

}  // namespace rampart::fleet
