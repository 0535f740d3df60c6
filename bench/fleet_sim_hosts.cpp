#include "fleet_sim_hosts.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "common/hash.h"
#include "common/wire.h"

namespace rampart::fleet {
namespace {

std::int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Hostname(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "fleet-sim-%06d", i);
  return buf;
}

// hostname -> (id, secret hash) of the tenant's existing fleet-sim hosts.
Result<std::unordered_map<std::string, std::pair<std::string, std::string>>> ExistingHosts(
    server::Storage& storage, const std::string& tenant_id) {
  std::unordered_map<std::string, std::pair<std::string, std::string>> out;
  server::HostQuery query;
  query.hostname_contains = "fleet-sim-";
  query.page.limit = 500;
  for (;;) {
    RAMPART_ASSIGN_OR_RETURN(auto page, storage.ListHosts(tenant_id, query));
    for (const server::Host& h : page.items) {
      out.emplace(h.hostname, std::make_pair(h.id, h.agent_secret_hash));
    }
    if (page.next_cursor.empty()) break;
    query.page.cursor = page.next_cursor;
  }
  return out;
}

}  // namespace

Result<std::vector<AgentIdentity>> ProvisionHosts(server::Storage& storage,
                                                  const std::string& tenant_id, int count,
                                                  int threads, const std::string& agent_version,
                                                  ProvisionStats* stats) {
  auto started = std::chrono::steady_clock::now();
  if (auto tenant = storage.GetTenant(tenant_id); !tenant.ok()) {
    return tenant.error().WithContext("--tenant " + tenant_id);
  }
  RAMPART_ASSIGN_OR_RETURN(auto existing, ExistingHosts(storage, tenant_id));

  std::vector<AgentIdentity> ids(static_cast<std::size_t>(count));
  std::vector<int> missing;
  for (int i = 0; i < count; ++i) {
    AgentIdentity& id = ids[static_cast<std::size_t>(i)];
    id.hostname = Hostname(i);
    id.secret = Sha256Hex("rampart fleet-sim " + tenant_id + " " + std::to_string(i));
    auto it = existing.find(id.hostname);
    if (it != existing.end() && it->second.second == Sha256Hex(id.secret)) {
      id.host_id = it->second.first;
    } else {
      missing.push_back(i);  // new, or stored with another secret: (re-)enrol keeps the id
    }
  }
  stats->existing = count - static_cast<std::int64_t>(missing.size());
  if (!missing.empty()) {
    // One token per writer: EnrollHost counts the token's uses under a row lock, and a shared
    // token would serialise the writers on that row.
    const int writers = std::max(1, threads);
    std::vector<std::string> token_ids;
    for (int w = 0; w < writers; ++w) {
      server::EnrollTokenRecord token;
      token.id = wire::RandomId("et");
      token.tenant_id = tenant_id;
      token.secret_hash = "fleet-sim: not a verifiable hash";
      token.created_at = UnixNow();
      token.expires_at = token.created_at + 7 * 86400;
      RAMPART_ASSIGN_OR_RETURN(token, storage.CreateEnrollToken(token));
      token_ids.push_back(token.id);
    }

    std::atomic<std::size_t> next{0};
    std::atomic<std::int64_t> done{0};
    std::mutex mu;
    Status first_error;
    auto work = [&](int writer) {
      const std::string& token_id = token_ids[static_cast<std::size_t>(writer)];
      for (;;) {
        std::size_t k = next.fetch_add(1);
        if (k >= missing.size()) return;
        {
          std::lock_guard<std::mutex> lock(mu);
          if (!first_error.ok()) return;
        }
        AgentIdentity& id = ids[static_cast<std::size_t>(missing[k])];
        server::Host host;
        host.id = wire::RandomId("h");
        host.tenant_id = tenant_id;
        host.machine_id = "fleet-sim-" + tenant_id + "-" + std::to_string(missing[k]);
        host.hostname = id.hostname;
        host.os_name = "Debian GNU/Linux";
        host.os_version = "12";
        host.machine_type = "VM";
        host.agent_version = agent_version;
        host.agent_secret_hash = Sha256Hex(id.secret);
        Result<server::Host> stored = Status(Code::kUnavailable, "not tried");
        // The running server writes too: SQLite may answer busy, MariaDB a deadlock; retry.
        for (int attempt = 0; attempt < 20; ++attempt) {
          stored = storage.EnrollHost(token_id, host, UnixNow());
          if (stored.ok() || stored.error().code() != Code::kUnavailable) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(50 * (attempt + 1)));
        }
        if (!stored.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          if (first_error.ok()) first_error = stored.error().WithContext("creating " + id.hostname);
          return;
        }
        id.host_id = stored->id;
        std::int64_t n = done.fetch_add(1) + 1;
        if (n % 5000 == 0) {
          std::fprintf(stderr, "fleet: created %lld of %zu hosts\n", static_cast<long long>(n),
                       missing.size());
        }
      }
    };
    std::vector<std::thread> workers;
    for (int w = 1; w < writers; ++w) workers.emplace_back(work, w);
    work(0);
    for (std::thread& t : workers) t.join();
    if (!first_error.ok()) return first_error;
    stats->created = static_cast<std::int64_t>(missing.size());
  }
  stats->seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return ids;
}

}  // namespace rampart::fleet
