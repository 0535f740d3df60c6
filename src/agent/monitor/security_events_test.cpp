// Contract events, stable incident ids across updates and restarts, the monitor state file,
// spooling of events and block snapshots, and the /proc/net/tcp and sshd_config parsers.
#include "agent/monitor/security_events.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/monitor/monitor_state.h"
#include "agent/monitor/sessions.h"
#include "agent/transport/test_util.h"

namespace rampart::agent {
namespace {

using ::testing::HasSubstr;

Alert BruteForce(const std::string& source, std::int64_t first, std::int64_t last,
                 std::uint64_t count, AlertLevel level = AlertLevel::kMedium) {
  Alert a;
  a.type = "brute_force";
  a.rule = "brute_force";
  a.level = level;
  a.service = "sshd";
  a.source = source;
  a.user = "root";
  a.AddUser("root");
  a.count = count;
  a.first_seen = first;
  a.last_seen = last;
  return a;
}

TEST(SecurityEventsTest, EventHasEveryContractField) {
  IncidentBook book;
  const Json e = book.Track(BruteForce("203.0.113.7", 100, 160, 17), "NL");
  for (const char* key :
       {"id", "type", "level", "rule", "service", "source", "user", "users", "sources", "count",
        "failures", "first_seen", "last_seen", "reason", "network", "country"}) {
    EXPECT_NE(e.Find(key), nullptr) << key;
  }
  EXPECT_EQ(e.GetString("id").size(), 32u);
  EXPECT_EQ(e.GetString("level"), "medium");
  EXPECT_EQ(e.GetInt("count"), 17);
  EXPECT_EQ(e.GetInt("first_seen"), 100);
  EXPECT_EQ(e.GetString("country"), "NL");
}

TEST(SecurityEventsTest, SuspiciousIsReportedAsMediumAndOneReason) {
  IncidentBook book;
  Alert a;
  a.type = "abnormal_login";
  a.level = AlertLevel::kSuspicious;
  a.user = "alice";
  a.source = "198.51.100.4";
  a.network = "198.51.100.0/24";
  a.reason = "new_network,unusual_hour";
  a.first_seen = a.last_seen = 5;
  const Json e = book.Track(a);
  EXPECT_EQ(e.GetString("level"), "medium");
  EXPECT_EQ(e.GetString("reason"), "new_network");
}

TEST(SecurityEventsTest, TheSameIncidentKeepsItsIdAndNeverLowersItsLevel) {
  IncidentBook book;
  const Json first = book.Track(BruteForce("203.0.113.7", 100, 100, 5, AlertLevel::kHigh));
  const Json later = book.Track(BruteForce("203.0.113.7", 100, 200, 40, AlertLevel::kMedium));
  EXPECT_EQ(first.GetString("id"), later.GetString("id"));
  EXPECT_EQ(later.GetString("level"), "high");
  EXPECT_EQ(later.GetInt("count"), 40);
  const Json other = book.Track(BruteForce("203.0.113.8", 100, 100, 5));
  EXPECT_NE(other.GetString("id"), first.GetString("id"));
  // Account scope (lists sources) is another incident than the source scope.
  Alert account = BruteForce("203.0.113.7", 100, 100, 20);
  account.AddSource("203.0.113.7");
  EXPECT_NE(book.Track(account).GetString("id"), first.GetString("id"));
}

TEST(SecurityEventsTest, ARestartContinuesTheIncident) {
  IncidentBook before;
  const Json e = before.Track(BruteForce("203.0.113.7", 100, 160, 17));
  const auto records = before.Records(200);
  // After a restart the detector counts from zero; the incident goes on under the same id.
  IncidentBook after(records);
  const Json again = after.Track(BruteForce("203.0.113.7", 300, 320, 5));
  EXPECT_EQ(again.GetString("id"), e.GetString("id"));
  EXPECT_EQ(again.GetInt("count"), 22);
  EXPECT_EQ(again.GetInt("first_seen"), 100);
  EXPECT_EQ(again.GetInt("last_seen"), 320);
  // Long after (beyond reopen_seconds), the same source is a new incident.
  IncidentBook much_later(records, 3600);
  EXPECT_NE(much_later.Track(BruteForce("203.0.113.7", 100000, 100000, 5)).GetString("id"),
            e.GetString("id"));
}

TEST(SecurityEventsTest, RecordsArePrunedAndBounded) {
  IncidentBook book;
  book.Track(BruteForce("203.0.113.1", 10, 10, 5));
  book.Track(BruteForce("203.0.113.2", 1000, 1000, 5));
  book.Track(BruteForce("203.0.113.3", 2000, 2000, 5));
  EXPECT_EQ(book.Records(2000, 1500).size(), 2u);
  const auto top = book.Records(2000, 1500, 1);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].last_seen, 2000);
}

TEST(MonitorStateTest, RoundTripAndDamage) {
  MonitorState s;
  FileCursor c;
  c.path = "/var/log/auth.log";
  c.dev = 2049;
  c.ino = 12;
  c.offset = 4096;
  c.fingerprint = std::string(64, 'a');
  c.fp_len = 256;
  s.files.push_back(c);
  s.journal_cursor = "s=abc;i=1";
  s.incidents.push_back(
      {"brute_force\nsrc\n1.2.3.4", std::string(32, 'f'), "brute_force", "high", 1, 2, 3});
  auto back = DecodeMonitorState(EncodeMonitorState(s));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(*back, s);

  const std::string dir = testing::MakeTempDir();
  ASSERT_TRUE(SaveMonitorState(dir + "/m.json", s).ok());
  EXPECT_EQ(testing::FileMode(dir + "/m.json"), 0600u);
  auto loaded = LoadMonitorState(dir + "/m.json");
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ(**loaded, s);
  EXPECT_FALSE(LoadMonitorState(dir + "/absent.json")->has_value());

  struct Bad {
    const char* text;
    const char* where;
  } bad[] = {
      {"nope", "line 1"},
      {R"({"version":2})", "version"},
      {R"({"version":1,"files":[{"path":"rel","dev":1,"ino":1,"offset":1,"fp":"","fp_len":0}]})",
       "files[0].path"},
      {R"({"version":1,"files":[{"path":"/a","dev":1,"ino":1,"offset":-1,"fp":"","fp_len":0}]})",
       "files[0].offset"},
      {R"({"version":1,"files":[{"path":"/a","dev":1,"ino":1,"offset":1,"fp":"zz","fp_len":2}]})",
       "files[0].fp"},
      {R"({"version":1,"files":[{"path":"/a","dev":1,"ino":1,"offset":1,"fp":"","fp_len":999}]})",
       "files[0].fp_len"},
      {R"({"version":1,"incidents":[{"key":"k","id":"xyz","type":"t","level":"l","first_seen":1,"last_seen":1,"count":1}]})",
       "incidents[0].id"},
  };
  for (const auto& b : bad) {
    auto r = DecodeMonitorState(b.text);
    ASSERT_FALSE(r.ok()) << b.text;
    EXPECT_EQ(r.error().code(), Code::kDataLoss);
    EXPECT_THAT(r.error().message(), HasSubstr(b.where)) << b.text;
  }
}

TEST(EventSpoolerTest, CoalescesByIdAndBatches) {
  const std::string dir = testing::MakeTempDir();
  auto spool = Spool::Open(dir + "/spool");
  ASSERT_TRUE(spool.ok());
  EventSpooler spooler(spool->get());
  IncidentBook book;
  spooler.Add(book.Track(BruteForce("203.0.113.7", 1, 1, 5)));
  spooler.Add(book.Track(BruteForce("203.0.113.7", 1, 2, 6)));  // same incident, newer version
  for (int i = 0; i < 1200; ++i) {
    spooler.Add(book.Track(
        BruteForce("198.51." + std::to_string(i / 256) + "." + std::to_string(i % 256), 1, 1, 5)));
  }
  EXPECT_EQ(spooler.pending(), 1201u);
  ASSERT_TRUE(spooler.Flush().ok());
  EXPECT_EQ(spooler.pending(), 0u);
  const auto entries = (*spool)->List();
  ASSERT_EQ(entries.size(), 2u);  // 1000 + 201
  auto first = (*spool)->Get(entries[0].key);
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->kind, "security_events");
  auto payload = Json::Parse((*first)->payload);
  ASSERT_TRUE(payload.ok());
  const Json& events = *payload->Find("events");
  ASSERT_EQ(events.size(), 1000u);
  EXPECT_EQ(events.as_array()[0].GetInt("count"), 6);  // the latest version only

  // Block snapshots: a newer one replaces the queued one.
  ASSERT_TRUE(spooler.SendBlocks("nftables", Json::MakeArray()).ok());
  ASSERT_TRUE(spooler.SendBlocks("nftables", Json::MakeArray()).ok());
  int snapshots = 0;
  for (const auto& e : (*spool)->List()) snapshots += e.kind == "blocks";
  EXPECT_EQ(snapshots, 1);
}

TEST(SessionsTest, ProcNetTcpEstablishedOnSshPorts) {
  const std::string v4 =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
      "inode\n"
      "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
      "1 1 0000000000000000 100 0 0 10 0\n"
      "   1: 0101A8C0:0016 0501A8C0:D431 01 00000000:00000000 00:00000000 00000000     0        0 "
      "2 1 0000000000000000 20 4 30 10 -1\n"
      "   2: 0101A8C0:1F90 0601A8C0:D432 01 00000000:00000000 00:00000000 00000000     0        0 "
      "3 1 0000000000000000 20 4 30 10 -1\n"
      "garbage line\n   3: zz:zz yy:yy 01\n";
  const auto found = ParseProcNetTcp(v4, false, {22});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], ParseIpAddress("192.168.1.5").value());
  EXPECT_EQ(ParseProcNetTcp(v4, false, {8080}).size(), 1u);
  const std::string v6 =
      "  sl  local_address                         remote_address                        st\n"
      "   0: 00000000000000000000000001000000:0016 B80D0120000000000000000001000000:C350 01 "
      "00000000:00000000 00:00000000 00000000     0        0 4 1\n";
  const auto found6 = ParseProcNetTcp(v6, true, {22});
  ASSERT_EQ(found6.size(), 1u);
  EXPECT_EQ(found6[0], ParseIpAddress("2001:db8::1").value());
}

TEST(SessionsTest, SshdPorts) {
  EXPECT_EQ(ParseSshdPorts(""), std::vector<int>{22});
  EXPECT_EQ(ParseSshdPorts("# Port 99\nPort 2222\nport 2223\nPort nope\nPort 70000\n"),
            (std::vector<int>{2222, 2223}));
}

}  // namespace
}  // namespace rampart::agent
