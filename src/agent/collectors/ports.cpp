#include "agent/collectors/ports.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_set>

#include "agent/collectors/passwd.h"
#include "agent/collectors/proc_net.h"
#include "agent/collectors/proc_pid.h"
#include "agent/collectors/proc_reader.h"
#include "agent/collectors/registry.h"
#include "common/logging.h"

namespace rampart::agent {
namespace {

constexpr Field kPortsSchema[] = {
    {"proto", FieldType::kString, false, true},   {"family", FieldType::kInt, false, false},
    {"bind_ip", FieldType::kString, false, true}, {"port", FieldType::kInt, false, true},
    {"pid", FieldType::kInt, true, true},         {"process", FieldType::kString, false, true},
    {"exe", FieldType::kString, false, false},    {"user", FieldType::kString, false, true},
    {"inode", FieldType::kInt, false, false},     {"uid", FieldType::kInt, false, false},
};

// Bounds the sockets kept from one table: listening sockets are few, but the table itself may hold
// hundreds of thousands of connections, which are streamed past without being stored.
constexpr std::size_t kMaxListeningPerTable = 200'000;

struct Table {
  const char* path;
  const char* proto;
  int family;
};
constexpr Table kTables[] = {
    {"/proc/net/tcp", "tcp", 4},
    {"/proc/net/tcp6", "tcp", 6},
    {"/proc/net/udp", "udp", 4},
    {"/proc/net/udp6", "udp", 6},
};

struct Found {
  const Table* table;
  NetSocket socket;
};

std::vector<Found> ReadTables(const HostView& host) {
  std::vector<Found> found;
  for (const Table& t : kTables) {
    const bool udp = std::string_view(t.proto) == "udp";
    std::size_t kept = 0;
    const Status st = host.ForEachLine(
        t.path,
        [&](std::string_view line) {
          auto s = ParseProcNetLine(line, t.family);
          if (s && IsListening(*s, udp)) {
            found.push_back({&t, *s});
            ++kept;
          }
          return kept < kMaxListeningPerTable;
        },
        4096);
    if (!st.ok()) log::Debug("ports: {}", st.ToString());
  }
  return found;
}

}  // namespace

std::vector<PortRow> ReadListeningPorts(const HostView& host) {
  const std::vector<Found> sockets = ReadTables(host);
  std::unordered_set<std::uint64_t> inodes;
  for (const Found& f : sockets) {
    if (f.socket.inode != 0) inodes.insert(f.socket.inode);
  }
  const auto owners = inodes.empty() ? std::unordered_map<std::uint64_t, std::int64_t>{}
                                     : MapSocketOwners(host, ListPids(host), inodes);

  struct ProcInfo {
    std::string comm;
    std::string exe;
  };
  std::unordered_map<std::int64_t, ProcInfo> procs;
  const UserNames users = UserNames::Read(host);

  std::vector<PortRow> rows;
  std::set<std::tuple<std::string, int, std::string, std::uint16_t, std::int64_t>> seen;
  for (const Found& f : sockets) {
    PortRow row;
    row.proto = f.table->proto;
    row.family = f.table->family;
    row.bind_ip = FormatSocketAddress(f.socket.family, f.socket.local);
    row.port = f.socket.local_port;
    row.uid = f.socket.uid;
    row.user = users.Name(f.socket.uid);
    row.inode = f.socket.inode;
    if (auto it = owners.find(f.socket.inode); f.socket.inode != 0 && it != owners.end()) {
      row.pid = it->second;
      auto [pit, inserted] = procs.try_emplace(it->second);
      if (inserted) {
        pit->second.comm = ReadComm(host, it->second);
        if (auto link = ReadExeLink(host, it->second)) pit->second.exe = ParseExeLink(*link).path;
      }
      row.process = pit->second.comm;
      row.exe = pit->second.exe;
    }
    if (!seen.emplace(row.proto, row.family, row.bind_ip, row.port, row.pid.value_or(-1)).second) {
      continue;  // another socket of the same SO_REUSEPORT group
    }
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const PortRow& a, const PortRow& b) {
    return std::tie(a.proto, a.family, a.port, a.bind_ip, a.pid) <
           std::tie(b.proto, b.family, b.port, b.bind_ip, b.pid);
  });
  return rows;
}

std::span<const Field> PortsCollector::schema() const { return kPortsSchema; }

Result<Json> PortsCollector::Collect(const CollectContext& ctx) {
  Json rows = Json::MakeArray();
  for (const PortRow& r : ReadListeningPorts(ctx.host)) {
    Json j = Json::MakeObject();
    j["proto"] = r.proto;
    j["family"] = r.family;
    j["bind_ip"] = r.bind_ip;
    j["port"] = static_cast<int>(r.port);
    j["pid"] = r.pid ? Json(*r.pid) : Json(nullptr);
    j["process"] = r.process;
    j["exe"] = r.exe;
    j["user"] = r.user;
    j["inode"] = static_cast<std::int64_t>(r.inode);
    j["uid"] = static_cast<std::int64_t>(r.uid);
    rows.Push(std::move(j));
  }
  return rows;
}

std::unique_ptr<Collector> MakePortsCollector() { return std::make_unique<PortsCollector>(); }

}  // namespace rampart::agent
