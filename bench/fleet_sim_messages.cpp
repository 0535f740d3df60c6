#include "fleet_sim_messages.h"

#include <array>
#include <cstdio>

#include "common/clock.h"
#include "common/json.h"
#include "common/wire.h"

namespace rampart::fleet {
namespace {

std::string Ip(std::uint32_t index) {
  return "10." + std::to_string((index >> 16) & 0xFF) + "." + std::to_string((index >> 8) & 0xFF) +
         "." + std::to_string(index & 0xFF);
}

Json HostRow(const AgentProfile& a, std::int64_t now) {
  Json row = Json::MakeObject();
  row.Set("hostname", a.hostname);
  row.Set("ips", Json::StringArray({Ip(a.index)}));
  row.Set("os_name", "Debian GNU/Linux");
  row.Set("os_version", "12");
  row.Set("os_id", "debian");
  row.Set("os_pretty_name", "Debian GNU/Linux 12 (bookworm)");
  row.Set("kernel", "6.1.0-18-amd64");
  row.Set("arch", "x86_64");
  row.Set("machine_type", "VM");
  row.Set("virtualization", "kvm");
  row.Set("cloud_provider", "");
  row.Set("cpu_model", "Intel(R) Xeon(R) Platinum 8272CL CPU @ 2.60GHz");
  row.Set("cpu_count", 2);
  row.Set("mem_total_bytes", std::int64_t{4} << 30);
  row.Set("boot_time", "2026-01-01T00:00:00Z");
  row.Set("uptime_seconds", now - 1767225600);
  row.Set("timezone", "UTC");
  row.Set("agent_version", a.agent_version);
  row.Set("last_login", nullptr);
  return row;
}

Json PortRow(std::string_view process, std::int64_t port, std::int64_t pid, std::string_view user) {
  Json row = Json::MakeObject();
  row.Set("proto", "tcp");
  row.Set("family", 4);
  row.Set("bind_ip", "0.0.0.0");
  row.Set("port", port);
  row.Set("pid", pid);
  row.Set("process", process);
  row.Set("exe", "/usr/sbin/" + std::string(process));
  row.Set("user", user);
  row.Set("inode", 10000 + port);
  row.Set("uid", user == "root" ? 0 : 1000);
  return row;
}

// The application port row of version v (the row a delta moves).
Json AppPortRow(std::int64_t version) {
  return PortRow("app-server", 40000 + (version % 20000), 4000, "app");
}

Json SoftwareRow(std::string_view name, std::string_view version) {
  Json row = Json::MakeObject();
  row.Set("type", "deb");
  row.Set("name", name);
  row.Set("version", version);
  row.Set("source_name", name);
  row.Set("source_version", version);
  row.Set("arch", "amd64");
  row.Set("install_time", nullptr);
  row.Set("path", "");
  row.Set("epoch", nullptr);
  row.Set("size", 1024);
  return row;
}

Json Rows(Json::Array rows) {
  Json c = Json::MakeObject();
  c.Set("rows", Json(std::move(rows)));
  return c;
}

std::string Batch(std::string_view key, Json payload, std::string_view kind = "inventory") {
  Json m = Json::MakeObject();
  m.Set("type", "batch");
  m.Set("key", key);
  m.Set("kind", kind);
  m.Set("payload", std::move(payload));
  return m.Dump();
}

}  // namespace

std::string HelloMessage(std::string_view agent_version) {
  Json m = Json::MakeObject();
  m.Set("type", "hello");
  m.Set("agent_version", agent_version);
  m.Set("config_version", 0);
  return m.Dump();
}

std::string HeartbeatMessage(std::int64_t unix_seconds) {
  Json m = Json::MakeObject();
  m.Set("type", "heartbeat");
  m.Set("time", FormatIso8601(unix_seconds));
  return m.Dump();
}

std::string FullInventoryMessage(const AgentProfile& agent, std::string_view key,
                                 std::int64_t version, std::int64_t base,
                                 std::int64_t unix_seconds) {
  Json::Array ports = {PortRow("sshd", 22, 600, "root")};
  if (agent.index % 10 == 0) ports.push_back(PortRow("redis-server", 6379, 700, "redis"));
  ports.push_back(AppPortRow(version));
  Json::Array software = {
      SoftwareRow("openssl", "3.0.11-1~deb12u2"),
      SoftwareRow("openssh-server", "1:9.2p1-2+deb12u2"), SoftwareRow("bash", "5.2.15-2+b2"),
      SoftwareRow("libc6", "2.36-9+deb12u4"), SoftwareRow("sudo", "1.9.13p3-1+deb12u1")};
  Json categories = Json::MakeObject();
  categories.Set("host", Rows({HostRow(agent, unix_seconds)}));
  categories.Set("ports", Rows(std::move(ports)));
  categories.Set("software", Rows(std::move(software)));
  Json payload = Json::MakeObject();
  payload.Set("version", version);
  payload.Set("base", base);
  payload.Set("mode", "full");
  payload.Set("collected_at", FormatIso8601(unix_seconds));
  payload.Set("categories", std::move(categories));
  return Batch(key, std::move(payload));
}

std::string DeltaInventoryMessage(std::string_view key, std::int64_t version, std::int64_t base,
                                  std::int64_t unix_seconds) {
  Json change = Json::MakeObject();
  change.Set("added", Json(Json::Array{AppPortRow(version)}));
  change.Set("removed", Json::StringArray({wire::RowKey(AppPortRow(base))}));
  Json changes = Json::MakeObject();
  changes.Set("ports", std::move(change));
  Json payload = Json::MakeObject();
  payload.Set("version", version);
  payload.Set("base", base);
  payload.Set("mode", "delta");
  payload.Set("collected_at", FormatIso8601(unix_seconds));
  payload.Set("changes", std::move(changes));
  return Batch(key, std::move(payload));
}

std::string SecurityEventsMessage(std::uint32_t index, std::string_view key, std::int64_t seq,
                                  std::int64_t unix_seconds) {
  const std::int64_t incident = (seq + 1) / 2;
  char id[33];
  std::snprintf(id, sizeof(id), "%016llx%016llx", static_cast<unsigned long long>(index),
                static_cast<unsigned long long>(incident));
  const std::string source = "198.51." + std::to_string((index + incident) % 256) + "." +
                             std::to_string((index * 7 + incident) % 254 + 1);
  const std::int64_t count = seq % 2 == 1 ? 5 : 12;
  Json event = Json::MakeObject();
  event.Set("id", id);
  event.Set("type", "brute_force");
  event.Set("level", count >= 10 ? "high" : "medium");
  event.Set("rule", "default");
  event.Set("service", "sshd");
  event.Set("source", source);
  event.Set("user", "root");
  event.Set("users", Json::StringArray({"root", "admin"}));
  event.Set("sources", Json::StringArray({}));
  event.Set("count", count);
  event.Set("failures", 0);
  event.Set("first_seen", unix_seconds - 60);
  event.Set("last_seen", unix_seconds);
  event.Set("reason", "");
  event.Set("network", "");
  event.Set("country", "");
  Json payload = Json::MakeObject();
  payload.Set("events", Json(Json::Array{std::move(event)}));
  return Batch(key, std::move(payload), "security_events");
}

}  // namespace rampart::fleet
