// GeoIp over a tiny database written by the test (mmdb_test_writer.h), in both layouts, and the
// abnormal-login detector's new-country rule on top of it.
#include "agent/monitor/geoip.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/detectors/abnormal_login.h"
#include "agent/monitor/mmdb_test_writer.h"
#include "agent/transport/test_util.h"

namespace rampart::agent {
namespace {

using testing::Ipv4;
using testing::MmdbWriter;

std::string WriteDb(bool flat) {
  MmdbWriter w(flat);
  w.Add(Ipv4(203, 0, 113, 0), 24, "NL");
  w.Add(Ipv4(198, 51, 100, 0), 24, "BR");
  w.Add(Ipv4(10, 0, 0, 0), 8, "DE");
  const std::string path = testing::MakeTempDir() + (flat ? "/flat.mmdb" : "/geo.mmdb");
  testing::WriteAll(path, w.Build());
  return path;
}

TEST(GeoIpTest, LooksUpCountriesInBothLayouts) {
  for (const bool flat : {false, true}) {
    auto geo = GeoIp::Open(WriteDb(flat));
    ASSERT_TRUE(geo.ok()) << geo.error().ToString();
    EXPECT_EQ((*geo)->Country("203.0.113.7"), "NL");
    EXPECT_EQ((*geo)->Country("198.51.100.200"), "BR");
    EXPECT_EQ((*geo)->Country("10.200.1.1"), "DE");
    EXPECT_EQ((*geo)->Country("192.0.2.1"), "");     // not in the database
    EXPECT_EQ((*geo)->Country("host.example"), "");  // names are not resolved
    EXPECT_EQ((*geo)->Country(""), "");
    EXPECT_EQ((*geo)->Country("2001:db8::1"), "");  // IPv6 in an IPv4 database
  }
}

TEST(GeoIpTest, BadFilesAreClearErrors) {
  const std::string dir = testing::MakeTempDir();
  EXPECT_EQ(GeoIp::Open(dir + "/absent.mmdb").error().code(), Code::kNotFound);
  testing::WriteAll(dir + "/junk.mmdb", "this is not a database");
  auto junk = GeoIp::Open(dir + "/junk.mmdb");
  ASSERT_FALSE(junk.ok());
  EXPECT_THAT(junk.error().message(), ::testing::HasSubstr("junk.mmdb"));
}

LoginEvent Success(const std::string& user, const std::string& source, std::int64_t t) {
  LoginEvent e;
  e.service = "sshd";
  e.outcome = LoginOutcome::kSuccess;
  e.kind = "password";
  e.user = user;
  e.source = source;
  e.time = t;
  return e;
}

TEST(GeoIpTest, ANewCountryIsHighOtherAnomaliesSuspicious) {
  auto geo = GeoIp::Open(WriteDb(false));
  ASSERT_TRUE(geo.ok());
  AbnormalLoginSettings settings;
  settings.learning_seconds = 1000;
  AbnormalLoginOptions options;
  GeoIp* g = geo->get();
  options.country_of = [g](std::string_view s) { return g->Country(s); };
  AbnormalLoginDetector d(settings, Whitelist{}, options);
  const std::int64_t t0 = 1800000000 - 1800000000 % 86400 + 9 * 3600;  // 09:00 UTC
  d.Process(Success("alice", "203.0.113.7", t0));                      // learning: NL
  std::vector<std::size_t> changed;
  d.Process(Success("alice", "203.0.113.99", t0 + 2000), &changed);  // same network, usual hour
  EXPECT_TRUE(changed.empty());
  d.Process(Success("alice", "10.1.1.1", t0 + 3000), &changed);  // DE: a new country
  ASSERT_EQ(changed.size(), 1u);
  const Alert& a = d.alerts()[changed[0]];
  EXPECT_EQ(a.level, AlertLevel::kHigh);
  EXPECT_EQ(a.country, "DE");
  EXPECT_THAT(a.reason, ::testing::HasSubstr("new_country"));
  changed.clear();
  d.Process(Success("alice", "203.0.114.1", t0 + 4000), &changed);  // unknown country, new network
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(d.alerts()[changed[0]].level, AlertLevel::kSuspicious);
}

}  // namespace
}  // namespace rampart::agent
