// fleet_sim: the platform benchmark of `make bench` (bench/fleet.sh runs it). One process holds N
// simulated agents on TLS WebSockets against one `rampart server` (heartbeats, a full inventory
// each, then inventory deltas and security events), while an API client reads /api/v1/hosts at a
// fixed rate; it prints connected agents, agent messages/s, acks/s and the API latency percentiles
// with the fleet connected, and a PASS/FAIL line against the target (N agents, API p99 < 100 ms).
//
// Phases: create the hosts in the database (see fleet_sim_hosts.h), ramp (connect at
// --connect-rate until all are connected, or nothing progressed for 30 s, or --ramp-timeout),
// then a steady window of --duration seconds on which the figures are computed.
//
// File descriptors: one per agent. The process raises its RLIMIT_NOFILE soft limit to what it
// needs (the hard limit caps it); the server needs as many, so fleet.sh starts it under
// `ulimit -n` as well. Exit status: 0 when the benchmark ran (PASS or FAIL), 1 when it could not
// run (bad options, no database, no tenant), 2 for usage errors.

#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "common/wire.h"
#include "fleet_sim_agents.h"
#include "fleet_sim_api.h"
#include "fleet_sim_hosts.h"
#include "fleet_sim_report.h"
#include "fleet_sim_tls.h"
#include "server/storage/storage.h"

namespace rampart::fleet {
namespace {

struct Options {
  std::string server;
  std::string db;
  std::string tenant;
  int agents = 20000;
  int heartbeat_seconds = 60;
  int inventory_every = 600;
  int events_every = 300;
  int duration = 60;
  int ramp_timeout = 900;
  std::string api_token;
  double api_rps = 20;
  int api_connections = 4;
  std::string pin;
  bool insecure = false;
  double connect_rate = 2000;
  int max_in_flight = 1000;
  int provision_threads = 0;  // 0: 1 on SQLite, 4 on MySQL
  int server_pid = 0;
  double target_p99_ms = 100;
};

// Raises the soft RLIMIT_NOFILE toward `need`; returns the soft limit now in force.
rlim_t RaiseFileLimit(rlim_t need) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < need) {
    rl.rlim_cur = std::min(need, rl.rlim_max);
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  return rl.rlim_cur;
}

int Run(const Options& opt) {
  auto endpoint = ParseServerUrl(opt.server);
  if (!endpoint.ok()) {
    std::fprintf(stderr, "fleet_sim: %s\n", endpoint.error().message().c_str());
    return 2;
  }
  auto tls = TlsClientContext::Create(opt.pin, opt.insecure);
  if (!tls.ok()) {
    std::fprintf(stderr, "fleet_sim: %s\n", tls.error().message().c_str());
    return 2;
  }
  const rlim_t need =
      static_cast<rlim_t>(opt.agents) + static_cast<rlim_t>(opt.api_connections) + 64;
  const rlim_t limit = RaiseFileLimit(need);
  if (limit < need) {
    std::printf(
        "fleet: WARNING: RLIMIT_NOFILE is %llu (hard limit), %llu needed: at most ~%llu agents "
        "can connect from this process\n",
        static_cast<unsigned long long>(limit), static_cast<unsigned long long>(need),
        static_cast<unsigned long long>(limit > 64 ? limit - 64 : 0));
  }

  // 1. Hosts.
  std::vector<AgentIdentity> ids;
  ProvisionStats provision;
  {
    auto storage = server::OpenStorage(opt.db, "");
    if (!storage.ok()) {
      std::fprintf(stderr, "fleet_sim: --db: %s\n", storage.error().message().c_str());
      return 1;
    }
    int threads = opt.provision_threads > 0                            ? opt.provision_threads
                  : (*storage)->backend() == std::string_view("mysql") ? 4
                                                                       : 1;
    auto made =
        ProvisionHosts(**storage, opt.tenant, opt.agents, threads, "0.1.0-fleet-sim", &provision);
    if (!made.ok()) {
      std::fprintf(stderr, "fleet_sim: %s\n", made.error().ToString().c_str());
      return 1;
    }
    ids = std::move(*made);
  }
  std::printf("fleet: %d hosts ready in %.1f s (%lld created, %lld existing)\n", opt.agents,
              provision.seconds, static_cast<long long>(provision.created),
              static_cast<long long>(provision.existing));
  std::fflush(stdout);

  // 2. Fleet and API load.
  ApiLoadOptions api_options;
  api_options.endpoint = *endpoint;
  api_options.tls = tls->get();
  api_options.token = opt.api_token;
  api_options.rps = opt.api_rps;
  api_options.connections = opt.api_connections;
  for (const AgentIdentity& id : ids) api_options.host_ids.push_back(id.host_id);
  ApiLoad api(std::move(api_options));

  FleetOptions fleet_options;
  fleet_options.endpoint = *endpoint;
  fleet_options.tls = tls->get();
  fleet_options.heartbeat_seconds = opt.heartbeat_seconds;
  fleet_options.inventory_every_seconds = opt.inventory_every;
  fleet_options.events_every_seconds = opt.events_every;
  fleet_options.connect_rate = opt.connect_rate;
  fleet_options.max_in_flight = opt.max_in_flight;
  fleet_options.run_id = wire::RandomId("run").substr(4, 12);
  Fleet fleet(std::move(fleet_options), std::move(ids));

  ProcessSampler server_proc(opt.server_pid);
  ProcessSampler self_proc(static_cast<int>(getpid()));
  const std::int64_t t_start = Fleet::NowMs();
  server_proc.StartRamp();
  self_proc.StartRamp();
  Status fleet_status;
  std::thread fleet_thread([&] { fleet_status = fleet.Run(); });
  api.Start();

  // 3. Ramp: until all are connected and the server has committed every agent's first inventory
  // (the steady state: no backlog left from the connection storm), or nothing progressed for
  // 30 s, or the ramp timeout.
  const FleetCounters& c = fleet.counters();
  std::int64_t last_progress_ms = t_start;
  std::int64_t last_progress = 0;
  std::int64_t last_print = t_start;
  std::string ramp_end = "all connected and inventoried";
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::int64_t now = Fleet::NowMs();
    server_proc.SampleRss();
    std::int64_t connected = c.connected.load();
    std::int64_t inventoried = c.inventoried.load();
    if (connected + inventoried != last_progress) {
      last_progress = connected + inventoried;
      last_progress_ms = now;
    }
    if (now - last_print >= 5000) {
      last_print = now;
      std::fprintf(stderr,
                   "fleet: ramp %.0f s: %lld connected, %lld in flight, %lld inventories "
                   "committed, %lld connect errors, %lld TLS errors, %lld refused\n",
                   static_cast<double>(now - t_start) / 1000.0, static_cast<long long>(connected),
                   static_cast<long long>(c.in_flight.load()), static_cast<long long>(inventoried),
                   static_cast<long long>(c.connect_errors.load()),
                   static_cast<long long>(c.tls_errors.load()),
                   static_cast<long long>(c.upgrade_refused.load()));
    }
    if (connected >= opt.agents && inventoried >= opt.agents) break;
    if (now - last_progress_ms > 30000) {
      ramp_end = "stalled (no new connection or first inventory for 30 s)";
      break;
    }
    if (now - t_start > std::int64_t{opt.ramp_timeout} * 1000) {
      ramp_end = "ramp timeout";
      break;
    }
  }
  const std::int64_t t_window = Fleet::NowMs();
  Snapshot before = Snapshot::Take(c);
  server_proc.StartWindow();
  self_proc.StartWindow();
  std::fprintf(stderr, "fleet: ramp done (%s) after %.1f s; measuring %d s\n", ramp_end.c_str(),
               static_cast<double>(t_window - t_start) / 1000.0, opt.duration);

  // 4. Steady window.
  std::int64_t min_connected = c.connected.load();
  while (Fleet::NowMs() - t_window < std::int64_t{opt.duration} * 1000) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    server_proc.SampleRss();
    min_connected = std::min(min_connected, c.connected.load());
  }
  const std::int64_t t_end = Fleet::NowMs();
  Snapshot after = Snapshot::Take(c);
  server_proc.EndWindow();
  self_proc.EndWindow();
  api.Stop();
  fleet.Stop();
  fleet_thread.join();
  if (!fleet_status.ok()) {
    std::fprintf(stderr, "fleet_sim: %s\n", fleet_status.ToString().c_str());
    return 1;
  }

  // 5. Report.
  ReportInput in;
  in.agents = opt.agents;
  in.heartbeat_seconds = opt.heartbeat_seconds;
  in.inventory_every = opt.inventory_every;
  in.events_every = opt.events_every;
  in.api_rps = opt.api_rps;
  in.target_p99_ms = opt.target_p99_ms;
  in.t_start = t_start;
  in.t_window = t_window;
  in.t_end = t_end;
  in.ramp_end = ramp_end;
  in.all_connected_ms = c.all_connected_ms.load();
  in.all_inventoried_ms = c.all_inventoried_ms.load();
  in.peak_connected = c.peak_connected.load();
  in.min_connected = min_connected;
  in.end_connected = after.connected;
  in.before = before;
  in.after = after;
  in.api_samples = api.Samples();
  in.fleet_errors = fleet.ErrorSamples();
  in.api_errors = api.ErrorSamples();
  in.server = server_proc.Figures();
  in.self = self_proc.Figures();
  PrintReport(in);
  return 0;
}

}  // namespace
}  // namespace rampart::fleet

int main(int argc, char** argv) {
  rampart::fleet::Options opt;
  CLI::App app{"Rampart fleet simulator: N agents + API load against one server"};
  app.add_option("--server", opt.server, "Server base URL, https://HOST:PORT")->required();
  app.add_option("--db", opt.db, "The server's database URL (sqlite:///path or mysql://...)")
      ->required();
  app.add_option("--tenant", opt.tenant, "Tenant id the simulated hosts belong to")->required();
  app.add_option("--agents", opt.agents, "Simulated agents")->check(CLI::Range(1, 1000000));
  app.add_option("--heartbeat-seconds", opt.heartbeat_seconds, "Heartbeat interval per agent")
      ->check(CLI::Range(1, 86400));
  app.add_option("--inventory-every", opt.inventory_every,
                 "Seconds between inventory deltas per agent")
      ->check(CLI::Range(1, 86400));
  app.add_option("--events-every", opt.events_every,
                 "Seconds between security events per agent (0: none)")
      ->check(CLI::Range(0, 86400));
  app.add_option("--duration", opt.duration, "Measured seconds once the fleet is connected")
      ->check(CLI::Range(1, 86400));
  app.add_option("--ramp-timeout", opt.ramp_timeout, "Longest ramp before measuring anyway (s)")
      ->check(CLI::Range(1, 86400));
  app.add_option("--api-token", opt.api_token, "Bearer token for the API load")->required();
  app.add_option("--api-rps", opt.api_rps, "API requests per second")
      ->check(CLI::Range(0.1, 10000.0));
  app.add_option("--api-connections", opt.api_connections, "Keep-alive API connections")
      ->check(CLI::Range(1, 64));
  app.add_option("--pin", opt.pin, "SHA-256 of the server certificate (hex, colons allowed)");
  app.add_flag("--insecure", opt.insecure, "Do not check the server certificate");
  app.add_option("--connect-rate", opt.connect_rate, "New connections per second while ramping")
      ->check(CLI::Range(1.0, 1e6));
  app.add_option("--max-in-flight", opt.max_in_flight,
                 "Most connections between connect() and the WebSocket upgrade")
      ->check(CLI::Range(1, 100000));
  app.add_option("--provision-threads", opt.provision_threads,
                 "Parallel host writers (default: 1 on SQLite, 4 on MySQL)")
      ->check(CLI::Range(0, 64));
  app.add_option("--server-pid", opt.server_pid, "Server process, for its RSS and CPU figures");
  app.add_option("--target-p99-ms", opt.target_p99_ms, "API p99 target for the verdict");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return rampart::fleet::Run(opt);
}
