// The dashboard's aggregate routes on the router: /api/v1/stats/overview, /stats/events (days in
// the caller's zone, zero days filled) and /stats/vulnerabilities (snapshots plus today's live
// count); parameters checked; tenants isolated.
#include <gtest/gtest.h>

#include "server/api/api_test_support.h"
#include "server/stats_model.h"

namespace rampart::server::api {
namespace {

using testing::ApiFixture;
using testing::ErrorCode;
using testing::kStart;

constexpr std::int64_t kDay = 86400;

Json Day(const Json& body, std::size_t i) { return body.Find("days")->as_array().at(i); }

class StatsApi : public ApiFixture {
 protected:
  void Events(const Host& host, const std::string& key, std::vector<ReportedEvent> events) {
    SecurityEventsBatch batch;
    batch.idempotency_key = key;
    batch.events = std::move(events);
    auto r = storage_->ApplySecurityEvents(host.id, batch, Now());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  static ReportedEvent Incident(char hex, const std::string& type, EventLevel level,
                                std::int64_t first_seen) {
    ReportedEvent e;
    e.incident_id = std::string(32, hex);
    e.type = type;
    e.level = level;
    e.rule = "default";
    e.service = "sshd";
    e.source = "198.51.100." + std::to_string(hex % 200);
    e.user = "root";
    e.users = {"root"};
    e.count = 4;
    e.first_seen = first_seen;
    e.last_seen = first_seen + 5;
    return e;
  }
};

TEST_F(StatsApi, OverviewHasHostsEventsAndVulnerabilities) {
  Host web = MustHost(tenant_a_, "web-1");
  MustHost(tenant_a_, "web-2");
  Host other = MustHost(tenant_b_, "db-1");
  Events(web, "k1",
         {Incident('a', "brute_force", EventLevel::kHigh, kStart - 100),
          Incident('b', "abnormal_login", EventLevel::kCritical, kStart - 50)});
  Events(other, "k2", {Incident('c', "brute_force", EventLevel::kLow, kStart - 10)});

  Json body = GetOk("/api/v1/stats/overview", viewer_);
  EXPECT_EQ(body["hosts"]["total"].as_int(), 2);
  EXPECT_EQ(body["hosts"]["by_status"]["ONLINE"].as_int() +
                body["hosts"]["by_status"]["OFFLINE"].as_int(),
            2);
  EXPECT_EQ(body["hosts"]["at_risk"].as_int(), 1);
  ASSERT_EQ(body["hosts"]["top_risky"].size(), 1U);
  EXPECT_EQ(body["hosts"]["top_risky"].as_array()[0].GetString("hostname"), "web-1");
  EXPECT_EQ(body["events"]["open"].as_int(), 2);
  EXPECT_EQ(body["events"]["by_type"]["brute_force"].as_int(), 1);
  EXPECT_EQ(body["events"]["by_type"]["abnormal_login"].as_int(), 1);
  EXPECT_EQ(body["events"]["by_level"]["critical"].as_int(), 1);
  EXPECT_EQ(body["events"]["by_level"]["low"].as_int(), 0);
  EXPECT_EQ(body["vulnerabilities"]["open"].as_int(), 0);
  EXPECT_EQ(body["vulnerabilities"]["by_severity"]["critical"].as_int(), 0);
  // The host part is exactly /host-summary's answer.
  EXPECT_EQ(body["hosts"], GetOk("/api/v1/host-summary", viewer_));

  Json b = GetOk("/api/v1/stats/overview", admin_b_);
  EXPECT_EQ(b["hosts"]["total"].as_int(), 1);
  EXPECT_EQ(b["events"]["by_type"]["brute_force"].as_int(), 1);
  EXPECT_EQ(b["events"]["by_level"]["low"].as_int(), 1);
}

TEST_F(StatsApi, EventsPerDayFillZeroDaysOldestFirstInTheCallersZone) {
  Host web = MustHost(tenant_a_, "web-1");
  // The clock is 2026-01-01T00:00Z. Two events on 2025-12-31 (UTC) at 22:30 and 23:30, one on
  // 2025-12-29, one 20 days ago (outside 7 days).
  Events(web, "k1",
         {Incident('a', "brute_force", EventLevel::kHigh, kStart - 5400),
          Incident('b', "brute_force", EventLevel::kMedium, kStart - 1800),
          Incident('c', "cracked", EventLevel::kCritical, kStart - 3 * kDay + 60),
          Incident('d', "brute_force", EventLevel::kLow, kStart - 20 * kDay)});
  clock_.Advance(std::chrono::hours(1));  // 01:00Z

  Json utc = GetOk("/api/v1/stats/events?days=7", viewer_);
  EXPECT_EQ(utc["tz_offset"].as_int(), 0);
  ASSERT_EQ(utc["days"].size(), 7U);
  EXPECT_EQ(Day(utc, 0).GetString("date"), "2025-12-26");
  EXPECT_EQ(Day(utc, 6).GetString("date"), "2026-01-01");
  EXPECT_EQ(Day(utc, 6)["total"].as_int(), 0);
  EXPECT_EQ(Day(utc, 5).GetString("date"), "2025-12-31");
  EXPECT_EQ(Day(utc, 5)["total"].as_int(), 2);
  EXPECT_EQ(Day(utc, 5)["by_level"]["high"].as_int(), 1);
  EXPECT_EQ(Day(utc, 5)["by_level"]["medium"].as_int(), 1);
  EXPECT_EQ(Day(utc, 3).GetString("date"), "2025-12-29");
  EXPECT_EQ(Day(utc, 3)["by_level"]["critical"].as_int(), 1);
  std::int64_t sum = 0;
  for (Json d : utc["days"].as_array()) sum += d["total"].as_int();
  EXPECT_EQ(sum, 3);  // the 20-day-old one is outside the range

  // UTC+1 (Paris in winter): 23:30Z is 00:30 on 2026-01-01 locally.
  Json paris = GetOk("/api/v1/stats/events?days=2&tz_offset=60", viewer_);
  ASSERT_EQ(paris["days"].size(), 2U);
  EXPECT_EQ(Day(paris, 1).GetString("date"), "2026-01-01");
  EXPECT_EQ(Day(paris, 1)["total"].as_int(), 1);
  EXPECT_EQ(Day(paris, 0)["total"].as_int(), 1);

  // UTC-5 (New York): it is still 2025-12-31 20:00 there; both events are today.
  Json ny = GetOk("/api/v1/stats/events?days=1&tz_offset=-300", viewer_);
  ASSERT_EQ(ny["days"].size(), 1U);
  EXPECT_EQ(Day(ny, 0).GetString("date"), "2025-12-31");
  EXPECT_EQ(Day(ny, 0)["total"].as_int(), 2);

  EXPECT_EQ(GetOk("/api/v1/stats/events", viewer_)["days"].size(), 30U);
  EXPECT_EQ(GetOk("/api/v1/stats/events?days=90", viewer_)["days"].size(), 90U);
  // Another tenant sees none of them.
  Json b = GetOk("/api/v1/stats/events?days=7", admin_b_);
  for (Json d : b["days"].as_array()) EXPECT_EQ(d["total"].as_int(), 0);
}

TEST_F(StatsApi, BadParametersAreRefusedNamingThem) {
  for (const char* target :
       {"/api/v1/stats/events?days=0", "/api/v1/stats/events?days=91",
        "/api/v1/stats/events?days=x", "/api/v1/stats/events?tz_offset=900",
        "/api/v1/stats/vulnerabilities?days=-1", "/api/v1/stats/events?bogus=1"}) {
    net::HttpResponse r = Do("GET", target, viewer_);
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_EQ(ErrorCode(r), "invalid_argument") << target << ": " << r.body;
  }
  net::HttpResponse r = Do("GET", "/api/v1/stats/events?days=91", viewer_);
  EXPECT_NE(r.body.find("days"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("1 to 90"), std::string::npos) << r.body;
}

TEST_F(StatsApi, VulnerabilitiesPerDayAreSnapshotsThenTodayLive) {
  const std::int64_t today = UtcDay(kStart);
  ASSERT_TRUE(
      storage_->AddVulnSnapshot(tenant_a_, {DayText(today - 2), {1, 2, 3, 4, 0}, kStart - 2 * kDay})
          .ok());
  ASSERT_TRUE(storage_->AddVulnSnapshot(tenant_a_, {DayText(today - 40), {9, 9, 9, 9, 9}, 1}).ok());
  // A snapshot of today is superseded by the live count.
  ASSERT_TRUE(storage_->AddVulnSnapshot(tenant_a_, {DayText(today), {7, 7, 7, 7, 7}, kStart}).ok());
  ASSERT_TRUE(storage_->AddVulnSnapshot(tenant_b_, {DayText(today - 1), {5, 0, 0, 0, 0}, 1}).ok());

  Json body = GetOk("/api/v1/stats/vulnerabilities?days=7", viewer_);
  ASSERT_EQ(body["days"].size(), 2U) << body.Dump();
  EXPECT_EQ(Day(body, 0).GetString("date"), "2025-12-30");
  EXPECT_EQ(Day(body, 0).GetString("source"), "snapshot");
  EXPECT_EQ(Day(body, 0)["total"].as_int(), 10);
  EXPECT_EQ(Day(body, 0)["by_severity"]["medium"].as_int(), 3);
  EXPECT_EQ(Day(body, 1).GetString("date"), "2026-01-01");
  EXPECT_EQ(Day(body, 1).GetString("source"), "live");
  EXPECT_EQ(Day(body, 1)["total"].as_int(), 0);
  EXPECT_EQ(Day(body, 1).GetString("taken_at"), "2026-01-01T00:00:00Z");
}

}  // namespace
}  // namespace rampart::server::api
