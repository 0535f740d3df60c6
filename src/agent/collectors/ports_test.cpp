// Specification of the ports collector on the fixture roots.
#include "agent/collectors/ports.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "agent/collectors/registry.h"

namespace rampart::agent {
namespace {

HostView Root(const char* name) {
  auto host = HostView::Open(std::string(RAMPART_SOURCE_DIR "/tests/testdata/") + name);
  EXPECT_TRUE(host.ok());
  return std::move(*host);
}

Json CollectFrom(const char* root) {
  const HostView host = Root(root);
  FakeClock clock(std::chrono::system_clock::from_time_t(1764400000));
  CollectContext ctx{host, clock, {}};
  auto collector = MakePortsCollector();
  auto rows = collector->Collect(ctx);
  EXPECT_TRUE(rows.ok());
  for (const Json& row : rows->as_array()) {
    EXPECT_TRUE(ValidateRow(row, collector->schema()).ok()) << row.Dump();
  }
  return std::move(*rows);
}

// "tcp 0.0.0.0:22 pid=612 sshd /usr/sbin/sshd root" for compact whole-table comparisons.
std::vector<std::string> Summaries(const Json& rows) {
  std::vector<std::string> out;
  for (const Json& r : rows.as_array()) {
    const Json* pid = r.Find("pid");
    std::string line = r.GetString("proto") + std::to_string(r.GetInt("family")) + " " +
                       r.GetString("bind_ip") + ":" + std::to_string(r.GetInt("port")) +
                       " pid=" + (pid->is_null() ? "null" : std::to_string(pid->as_int())) + " " +
                       r.GetString("process") + " " + r.GetString("exe") + " " +
                       r.GetString("user");
    out.push_back(line);
  }
  return out;
}

TEST(Ports, ListsExactlyWhatSsWouldOnTheDebianFixture) {
  const std::vector<std::string> want = {
      "tcp4 0.0.0.0:22 pid=612 sshd /usr/sbin/sshd root",
      "tcp4 127.0.0.1:25 pid=null   root",  // no process holds it: unknown owner, not dropped
      "tcp4 0.0.0.0:80 pid=700 nginx /usr/sbin/nginx root",
      "tcp4 0.0.0.0:443 pid=700 nginx /usr/sbin/nginx root",  // two SO_REUSEPORT sockets, one row
      "tcp4 127.0.0.1:6379 pid=820 redis-server /usr/bin/redis-server redis",
      "tcp6 :::22 pid=612 sshd /usr/sbin/sshd root",
      "tcp6 :::80 pid=700 nginx /usr/sbin/nginx root",
      "tcp6 ::1:6379 pid=820 redis-server /usr/bin/redis-server redis",
      "tcp6 ::ffff:127.0.0.1:8080 pid=2301 python3 /usr/bin/python3.11 alice",
      "udp4 0.0.0.0:68 pid=null   root",
      "udp4 127.0.0.1:123 pid=900 ntpd /usr/sbin/ntpd root",
      "udp4 192.168.1.10:123 pid=900 ntpd /usr/sbin/ntpd root",
      "udp6 :::123 pid=900 ntpd /usr/sbin/ntpd root",
      "udp6 fe80::5054:ff:fe12:3456:123 pid=900 ntpd /usr/sbin/ntpd root",
  };
  EXPECT_EQ(Summaries(CollectFrom("root-debian")), want);
}

TEST(Ports, ListsListeningTcp6SocketsWithOwningProcess) {
  const Json rows = CollectFrom("root-debian");
  const Json* found = nullptr;
  for (const Json& r : rows.as_array()) {
    if (r.GetString("bind_ip") == "::ffff:127.0.0.1") found = &r;
  }
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->GetString("proto"), "tcp");
  EXPECT_EQ(found->GetInt("family"), 6);
  EXPECT_EQ(found->GetInt("port"), 8080);
  EXPECT_EQ(found->GetInt("pid"), 2301);
  EXPECT_EQ(found->GetInt("uid"), 1000);
  EXPECT_EQ(found->GetInt("inode"), 26001);
  EXPECT_EQ(found->GetString("user"), "alice");
}

TEST(Ports, AttributesSharedListenersToTheLowestPid) {
  // nginx master (700) and worker (701) both hold socket 22001; the master is reported.
  const Json rows = CollectFrom("root-debian");
  for (const Json& r : rows.as_array()) {
    EXPECT_NE(r.GetInt("pid"), 701) << r.Dump();
  }
}

TEST(Ports, OmitsConnectedAndEstablishedSockets) {
  const Json rows = CollectFrom("root-debian");
  for (const Json& r : rows.as_array()) {
    EXPECT_NE(r.GetInt("inode"), 25001);  // established TCP
    EXPECT_NE(r.GetInt("inode"), 26002);  // connected UDP
    EXPECT_NE(r.GetInt("inode"), 26003);  // established TCP6
    EXPECT_NE(r.GetString("bind_ip"), "10.0.2.15");
  }
}

TEST(Ports, ReadsTheRpmFixture) {
  const std::vector<std::string> want = {
      "tcp4 0.0.0.0:22 pid=880 sshd /usr/sbin/sshd root",
      "tcp6 :::22 pid=880 sshd /usr/sbin/sshd root",
      "tcp6 :::3306 pid=1320 mysqld /usr/libexec/mysqld mysql",
      "tcp6 :::33060 pid=1320 mysqld /usr/libexec/mysqld mysql",
      "udp4 127.0.0.1:323 pid=1400 chronyd /usr/sbin/chronyd root",
      "udp6 ::1:323 pid=1400 chronyd /usr/sbin/chronyd root",
  };
  EXPECT_EQ(Summaries(CollectFrom("root-rpm")), want);
}

TEST(Ports, ReadsTheAlpineFixtureWithEmptyUdpTables) {
  const std::vector<std::string> want = {
      "tcp4 0.0.0.0:22 pid=230 sshd /usr/sbin/sshd root",
      "tcp4 0.0.0.0:80 pid=300 nginx /usr/sbin/nginx root",
      "tcp6 :::22 pid=230 sshd /usr/sbin/sshd root",
      "tcp6 :::80 pid=300 nginx /usr/sbin/nginx root",
  };
  EXPECT_EQ(Summaries(CollectFrom("root-alpine")), want);
}

TEST(Ports, DegradesToNoRowsWithoutProcNet) {
  const std::string dir = ::testing::TempDir() + "/ports_empty_root";
  ASSERT_EQ(std::system(("mkdir -p " + dir + "/proc").c_str()), 0);
  auto host = HostView::Open(dir);
  ASSERT_TRUE(host.ok());
  FakeClock clock(std::chrono::system_clock::from_time_t(0));
  CollectContext ctx{*host, clock, {}};
  auto rows = MakePortsCollector()->Collect(ctx);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 0u);
}

TEST(Ports, SkipsGarbageAndTruncatedLinesInProcNet) {
  const std::string dir = ::testing::TempDir() + "/ports_hostile_root";
  ASSERT_EQ(std::system(("rm -rf " + dir + " && mkdir -p " + dir + "/proc/net " + dir +
                         "/proc/5/fd && ln -s 'socket:[4242]' " + dir + "/proc/5/fd/3")
                            .c_str()),
            0);
  std::string tcp =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
      "inode\n"
      "   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
      "4242 1\n"
      "   1: 0100007F:0051 00000000:0000 0A 00000000:0000\n";
  tcp += std::string("\0\xff\x01 garbage: 1:2 3\n", 20) + std::string(100000, 'A') + "\n";
  {
    std::FILE* f = std::fopen((dir + "/proc/net/tcp").c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(tcp.data(), 1, tcp.size(), f);
    std::fclose(f);
  }
  auto host = HostView::Open(dir);
  ASSERT_TRUE(host.ok());
  const auto rows = ReadListeningPorts(*host);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].bind_ip, "127.0.0.1");
  EXPECT_EQ(rows[0].port, 80);
  EXPECT_EQ(rows[0].pid, 5);
  EXPECT_EQ(rows[0].process, "");  // pid 5 has no comm file
  EXPECT_EQ(rows[0].user, "0");    // no /etc/passwd in this root
}

}  // namespace
}  // namespace rampart::agent
