// Storage: the dashboard's aggregates (open events and findings, events per day in a zone) and
// the daily snapshots of open findings. Runs on SQLite and on MariaDB (test_db.h).

#include "server/storage/storage_test_fixture.h"

namespace rampart::server {
namespace {

class Stats : public StorageTest {
 protected:
  static ReportedEvent Incident(char hex, std::string type, EventLevel level,
                                std::int64_t first_seen) {
    ReportedEvent e;
    e.incident_id = std::string(32, hex);
    e.type = std::move(type);
    e.level = level;
    e.rule = "default";
    e.service = "sshd";
    e.source = "203.0.113." + std::to_string(hex % 200);
    e.user = "root";
    e.users = {"root"};
    e.count = 3;
    e.first_seen = first_seen;
    e.last_seen = first_seen + 10;
    return e;
  }

  void Apply(const Host& h, const std::string& key, std::vector<ReportedEvent> events) {
    SecurityEventsBatch batch;
    batch.idempotency_key = key;
    batch.events = std::move(events);
    auto r = storage().ApplySecurityEvents(h.id, batch, 900000);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  static HostFinding Finding(const std::string& vuln_id, const std::string& severity) {
    HostFinding f;
    f.vuln_id = vuln_id;
    f.package = "pkg-" + vuln_id;
    f.ids = {vuln_id};
    f.installed_version = "1.0";
    f.fixed_version = "1.1";
    f.severity = severity;
    f.summary = "s";
    f.detail.Set("id", vuln_id);
    return f;
  }
};

constexpr std::int64_t kDay = 86400;

TEST_P(Stats, OverviewCountsOnlyPendingEventsAndFindingsOfTheTenant) {
  Tenant t = MakeTenant("t");
  Tenant other = MakeTenant("other");
  Host h = Enroll(t.id, "m1", "web-1");
  Host o = Enroll(other.id, "m2", "db-1");
  Apply(h, "k1",
        {Incident('a', "brute_force", EventLevel::kHigh, 10 * kDay),
         Incident('b', "brute_force", EventLevel::kMedium, 10 * kDay),
         Incident('c', "abnormal_login", EventLevel::kCritical, 11 * kDay),
         Incident('d', "cracked", EventLevel::kCritical, 11 * kDay)});
  Apply(o, "k2", {Incident('e', "brute_force", EventLevel::kLow, 10 * kDay)});
  // Handled events are not open any more.
  std::vector<std::string> ids;
  EventQuery q;
  q.type = "cracked";
  auto cracked = storage().ListSecurityEvents(t.id, q);
  ASSERT_TRUE(cracked.ok());
  ASSERT_EQ(cracked->items.size(), 1U);
  ASSERT_TRUE(storage()
                  .SetEventStatus(t.id, {cracked->items[0].id}, EventStatus::kHandled, "", "u", 1)
                  .ok());

  auto advised = [](const std::string&) { return true; };
  ASSERT_TRUE(storage()
                  .ReplaceHostFindings(h.tenant_id, h.id,
                                       {Finding("V-1", "critical"), Finding("V-2", "high"),
                                        Finding("V-3", "high"), Finding("V-4", "weird")},
                                       advised, 1000)
                  .ok());
  ASSERT_TRUE(storage()
                  .ReplaceHostFindings(o.tenant_id, o.id, {Finding("V-9", "low")}, advised, 1000)
                  .ok());
  ASSERT_TRUE(storage().SetFindingIgnored(t.id, h.id, "V-3", true, 1100).ok());

  auto s = storage().GetStatsOverview(t.id);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->events_by_type.size(), 2U);
  EXPECT_EQ(s->events_by_type[0], (std::pair<std::string, std::int64_t>{"abnormal_login", 1}));
  EXPECT_EQ(s->events_by_type[1], (std::pair<std::string, std::int64_t>{"brute_force", 2}));
  EXPECT_EQ(s->events_by_level, (std::array<std::int64_t, 4>{0, 1, 1, 1}));
  // critical, high, medium, low, unknown (an unexpected severity counts as unknown).
  EXPECT_EQ(s->findings_by_severity, (SeverityCounts{1, 1, 0, 0, 1}));

  auto empty = storage().GetStatsOverview("tn_missing");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->events_by_type.empty());
  EXPECT_EQ(empty->findings_by_severity, SeverityCounts{});
}

TEST_P(Stats, EventsPerDayFollowTheCallersZone) {
  Tenant t = MakeTenant("t");
  Host h = Enroll(t.id, "m1", "web-1");
  // Day 100 at 23:30 UTC, day 101 at 00:30 UTC, day 101 at 12:00 UTC, and one before `from`.
  const std::int64_t late = 100 * kDay + 23 * 3600 + 1800;
  const std::int64_t early = 101 * kDay + 1800;
  const std::int64_t noon = 101 * kDay + 12 * 3600;
  Apply(h, "k1",
        {Incident('a', "brute_force", EventLevel::kHigh, late),
         Incident('b', "brute_force", EventLevel::kHigh, early),
         Incident('c', "abnormal_login", EventLevel::kLow, noon),
         Incident('d', "brute_force", EventLevel::kLow, 90 * kDay)});

  auto utc = storage().CountEventsByDay(t.id, 95 * kDay, 0);
  ASSERT_TRUE(utc.ok()) << utc.status().ToString();
  ASSERT_EQ(utc->size(), 3U);
  EXPECT_EQ((*utc)[0].day, 100);
  EXPECT_EQ((*utc)[0].level, 2);
  EXPECT_EQ((*utc)[0].count, 1);
  EXPECT_EQ((*utc)[1].day, 101);
  EXPECT_EQ((*utc)[1].level, 0);
  EXPECT_EQ((*utc)[2].day, 101);
  EXPECT_EQ((*utc)[2].level, 2);

  // UTC+2: the 23:30 event is on day 101 locally, with the 00:30 one.
  auto east = storage().CountEventsByDay(t.id, 95 * kDay, 2 * 3600);
  ASSERT_TRUE(east.ok());
  ASSERT_EQ(east->size(), 2U);
  EXPECT_EQ((*east)[0].day, 101);
  EXPECT_EQ((*east)[0].level, 0);
  EXPECT_EQ((*east)[1].day, 101);
  EXPECT_EQ((*east)[1].count, 2);

  // UTC-5: the 00:30 event is still day 100 locally.
  auto west = storage().CountEventsByDay(t.id, 95 * kDay, -5 * 3600);
  ASSERT_TRUE(west.ok());
  ASSERT_EQ(west->size(), 2U);
  EXPECT_EQ((*west)[0].day, 100);
  EXPECT_EQ((*west)[0].count, 2);
  EXPECT_EQ((*west)[1].day, 101);
  EXPECT_EQ((*west)[1].level, 0);

  EXPECT_EQ(storage().CountEventsByDay(t.id, 0, 16 * 3600).status().code(), Code::kInvalidArgument);
  auto other = storage().CountEventsByDay(MakeTenant("o").id, 0, 0);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty());
}

TEST_P(Stats, TheFirstSnapshotOfADayWinsAndRangesAreInclusive) {
  Tenant t = MakeTenant("t");
  Tenant other = MakeTenant("o");
  VulnDaySnapshot s1{"2026-12-01", {1, 2, 3, 4, 5}, 100};
  VulnDaySnapshot s1b{"2026-12-01", {9, 9, 9, 9, 9}, 200};
  VulnDaySnapshot s2{"2026-12-03", {0, 1, 0, 0, 0}, 300};
  EXPECT_TRUE(*storage().AddVulnSnapshot(t.id, s2));
  EXPECT_TRUE(*storage().AddVulnSnapshot(t.id, s1));
  EXPECT_FALSE(*storage().AddVulnSnapshot(t.id, s1b));
  EXPECT_TRUE(*storage().AddVulnSnapshot(other.id, s1b));

  auto all = storage().ListVulnSnapshots(t.id, "2026-12-01", "2026-12-03");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2U);
  EXPECT_EQ((*all)[0].day, "2026-12-01");
  EXPECT_EQ((*all)[0].by_severity, (SeverityCounts{1, 2, 3, 4, 5}));
  EXPECT_EQ((*all)[0].taken_at, 100);
  EXPECT_EQ((*all)[1].day, "2026-12-03");
  auto later = storage().ListVulnSnapshots(t.id, "2026-12-02", "2026-12-31");
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later->size(), 1U);
  EXPECT_EQ((*later)[0].by_severity[1], 1);

  EXPECT_EQ(storage().AddVulnSnapshot(t.id, {"2026-1-01", {}, 1}).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(storage().AddVulnSnapshot("tn_missing", s1).status().code(), Code::kNotFound);
}

RAMPART_INSTANTIATE_DB_TEST(Stats);

}  // namespace
}  // namespace rampart::server
