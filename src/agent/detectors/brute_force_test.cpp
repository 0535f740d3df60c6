// Password-cracking detection, specified by event sequences (event time drives every window).
#include "agent/detectors/brute_force.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rampart::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr std::int64_t kT0 = 1795000000;  // 2026-11-18

LoginEvent Failure(std::int64_t t, std::string source, std::string user = "root",
                   std::string kind = "password") {
  LoginEvent e;
  e.file = "auth.log";
  e.time = t;
  e.service = "sshd";
  e.outcome = LoginOutcome::kFailure;
  e.kind = std::move(kind);
  e.user = std::move(user);
  e.source = std::move(source);
  return e;
}

LoginEvent Success(std::int64_t t, std::string source, std::string user = "root") {
  LoginEvent e = Failure(t, std::move(source), std::move(user), "password");
  e.outcome = LoginOutcome::kSuccess;
  return e;
}

DetectionRules OneRule(std::uint32_t failures, std::int64_t window,
                       RuleScope scope = RuleScope::kSource, std::uint32_t min_sources = 1) {
  DetectionRules r;
  r.brute_force.push_back({"bf", scope, window, failures, min_sources, AlertLevel::kMedium, false});
  r.invalid_user_scan.enabled = false;
  return r;
}

std::vector<std::string> Types(const BruteForceDetector& d) {
  std::vector<std::string> out;
  for (const auto& a : d.alerts())
    out.push_back(a.type + ":" + a.source + ":" + AlertLevelName(a.level));
  return out;
}

TEST(BruteForce, AlertsAfterFiveFailuresWithinOneMinute) {
  BruteForceDetector d(DefaultRules());
  for (int i = 0; i < 4; ++i) d.Process(Failure(kT0 + i * 10, "203.0.113.5"));
  EXPECT_TRUE(d.alerts().empty());
  std::vector<std::size_t> changed;
  d.Process(Failure(kT0 + 50, "203.0.113.5", "admin"), &changed);
  ASSERT_EQ(d.alerts().size(), 1u);
  EXPECT_THAT(changed, ElementsAre(0u));
  const Alert& a = d.alerts()[0];
  EXPECT_EQ(a.type, "brute_force");
  EXPECT_EQ(a.rule, "brute_force");
  EXPECT_EQ(a.level, AlertLevel::kMedium);
  EXPECT_EQ(a.source, "203.0.113.5");
  EXPECT_EQ(a.user, "admin");
  EXPECT_THAT(a.users, ElementsAre("root", "admin"));
  EXPECT_EQ(a.count, 5u);
  EXPECT_EQ(a.first_seen, kT0);
  EXPECT_EQ(a.last_seen, kT0 + 50);
  EXPECT_EQ(a.service, "sshd");
}

TEST(BruteForce, FiveFailuresSpreadOverMoreThanTheWindowDoNotAlert) {
  BruteForceDetector d(OneRule(5, 60));
  for (int i = 0; i < 20; ++i) d.Process(Failure(kT0 + i * 15, "203.0.113.5"));  // 4 per minute
  EXPECT_TRUE(d.alerts().empty());
}

TEST(BruteForce, WindowSlides) {
  BruteForceDetector d(OneRule(5, 60));
  for (int i = 0; i < 4; ++i) d.Process(Failure(kT0 + i, "198.51.100.1"));
  d.Process(Failure(kT0 + 60, "198.51.100.1"));  // the one at kT0 has left the window
  EXPECT_TRUE(d.alerts().empty());
  d.Process(Failure(kT0 + 61, "198.51.100.1"));  // and kT0+1 too: still 4 in the window
  EXPECT_TRUE(d.alerts().empty());
  d.Process(Failure(kT0 + 61, "198.51.100.1"));
  ASSERT_EQ(d.alerts().size(), 1u);
  EXPECT_EQ(d.alerts()[0].first_seen, kT0 + 2);
  EXPECT_EQ(d.alerts()[0].count, 5u);
}

TEST(BruteForce, RepeatedMessagesCountAsTheirAttempts) {
  BruteForceDetector d(OneRule(5, 60));
  LoginEvent e = Failure(kT0, "198.51.100.1");
  e.attempts = 5;  // "message repeated 5 times"
  d.Process(e);
  ASSERT_EQ(d.alerts().size(), 1u);
  EXPECT_EQ(d.alerts()[0].count, 5u);
}

TEST(BruteForce, OneAlertPerSourceIsUpdatedAndEscalates) {
  BruteForceDetector d(DefaultRules());
  for (int i = 0; i < 40; ++i)
    d.Process(Failure(kT0 + i, "203.0.113.9", "u" + std::to_string(i % 3)));
  ASSERT_EQ(d.alerts().size(), 1u);
  const Alert& a = d.alerts()[0];
  EXPECT_EQ(a.count, 40u);
  EXPECT_EQ(a.level, AlertLevel::kHigh);  // 30 in 10m crossed too
  EXPECT_EQ(a.rule, "brute_force_sustained");
  EXPECT_EQ(a.last_seen, kT0 + 39);
  EXPECT_THAT(a.users, UnorderedElementsAre("u0", "u1", "u2"));
}

TEST(BruteForce, SourcesAreCountedSeparately) {
  BruteForceDetector d(OneRule(5, 60));
  for (int i = 0; i < 4; ++i) {
    d.Process(Failure(kT0 + i, "192.0.2.1"));
    d.Process(Failure(kT0 + i, "192.0.2.2"));
  }
  EXPECT_TRUE(d.alerts().empty());
}

TEST(BruteForce, DistributedAttackOnOneAccount) {
  BruteForceDetector d(DefaultRules());
  // 20 failures against "oracle" from 10 sources, 2 each, within 10 minutes: no source crosses
  // 5/1m.
  for (int i = 0; i < 20; ++i) {
    d.Process(Failure(kT0 + i * 25, "198.51.100." + std::to_string(i % 10), "oracle"));
  }
  ASSERT_EQ(d.alerts().size(), 1u) << ::testing::PrintToString(Types(d));
  const Alert& a = d.alerts()[0];
  EXPECT_EQ(a.type, "brute_force");
  EXPECT_EQ(a.rule, "distributed_brute_force");
  EXPECT_EQ(a.level, AlertLevel::kHigh);
  EXPECT_EQ(a.user, "oracle");
  EXPECT_EQ(a.count, 20u);
  EXPECT_GE(a.sources.size(), 5u);
}

TEST(BruteForce, ManyFailuresFromFewSourcesAreNotDistributed) {
  BruteForceDetector d(OneRule(20, 600, RuleScope::kAccount, 5));
  for (int i = 0; i < 100; ++i)
    d.Process(Failure(kT0 + i, "198.51.100." + std::to_string(i % 4), "oracle"));
  EXPECT_TRUE(d.alerts().empty());
  d.Process(Failure(kT0 + 100, "198.51.100.99", "oracle"));  // a fifth source
  ASSERT_EQ(d.alerts().size(), 1u);
}

TEST(BruteForce, CrackedAfterThreshold) {
  BruteForceDetector d(DefaultRules());
  for (int i = 0; i < 6; ++i) d.Process(Failure(kT0 + i, "203.0.113.7", "deploy"));
  std::vector<std::size_t> changed;
  d.Process(Success(kT0 + 10, "203.0.113.7", "deploy"), &changed);
  ASSERT_EQ(d.alerts().size(), 2u);
  EXPECT_THAT(changed, ElementsAre(1u));
  const Alert& c = d.alerts()[1];
  EXPECT_EQ(c.type, "cracked");
  EXPECT_EQ(c.level, AlertLevel::kCritical);
  EXPECT_EQ(c.rule, "brute_force");
  EXPECT_EQ(c.source, "203.0.113.7");
  EXPECT_EQ(c.user, "deploy");
  EXPECT_EQ(c.count, 1u);
  EXPECT_EQ(c.failures, 6u);
  EXPECT_EQ(c.first_seen, kT0 + 10);
  d.Process(Success(kT0 + 20, "203.0.113.7", "deploy"));
  ASSERT_EQ(d.alerts().size(), 2u);
  EXPECT_EQ(d.alerts()[1].count, 2u);
  EXPECT_EQ(d.alerts()[1].last_seen, kT0 + 20);
}

TEST(BruteForce, SuccessBelowThresholdIsNotCracked) {
  BruteForceDetector d(DefaultRules());
  for (int i = 0; i < 4; ++i) d.Process(Failure(kT0 + i, "203.0.113.7"));
  d.Process(Success(kT0 + 5, "203.0.113.7"));
  d.Process(Success(kT0 + 6, "192.0.2.1"));
  EXPECT_TRUE(d.alerts().empty());
}

TEST(BruteForce, CrackedFromASourceOfADistributedAttack) {
  BruteForceDetector d(OneRule(10, 600, RuleScope::kAccount, 5));
  for (int i = 0; i < 10; ++i)
    d.Process(Failure(kT0 + i, "198.51.100." + std::to_string(i), "oracle"));
  ASSERT_EQ(d.alerts().size(), 1u);
  d.Process(Success(kT0 + 20, "198.51.100.7", "oracle"));
  d.Process(Success(kT0 + 21, "192.0.2.50", "oracle"));  // not one of the attackers
  ASSERT_EQ(d.alerts().size(), 2u);
  EXPECT_EQ(d.alerts()[1].type, "cracked");
  EXPECT_EQ(d.alerts()[1].source, "198.51.100.7");
}

TEST(BruteForce, WhitelistCidrAndUserSuppressAlerts) {
  DetectionRules rules = DefaultRules();
  rules.whitelist.networks.push_back(*ParseCidr("10.1.0.0/16"));
  rules.whitelist.users.push_back("monitor");
  BruteForceDetector d(rules);
  for (int i = 0; i < 50; ++i) {
    d.Process(Failure(kT0 + i, "10.1.2.3"));
    d.Process(Failure(kT0 + i, "203.0.113.1", "monitor"));
  }
  d.Process(Success(kT0 + 60, "10.1.2.3"));
  EXPECT_TRUE(d.alerts().empty());
  EXPECT_EQ(d.tracked_keys(), 0u);
  for (int i = 0; i < 5; ++i) d.Process(Failure(kT0 + 100 + i, "10.2.0.1"));  // outside the CIDR
  EXPECT_EQ(d.alerts().size(), 1u);
}

TEST(BruteForce, ScopedWhitelistCoversOnlyItsCountryAndHours) {
  DetectionRules rules = DefaultRules();
  ScopedWhitelistEntry office;  // the office network, during its hours only
  office.network = *ParseCidr("198.51.100.0/24");
  office.window.from_minute = 8 * 60;
  office.window.to_minute = 18 * 60;
  rules.whitelist.scoped.push_back(office);
  ScopedWhitelistEntry germany;
  germany.window.countries = {"DE"};
  rules.whitelist.scoped.push_back(germany);
  BruteForceOptions options;
  options.country_of = [](std::string_view s) {
    return std::string(s.starts_with("85.") ? "DE" : "");
  };
  BruteForceDetector d(rules, options);
  const std::int64_t day = kT0 - kT0 % 86400;
  for (int i = 0; i < 10; ++i) {
    d.Process(Failure(day + 9 * 3600 + i, "198.51.100.7"));  // 09:00: covered
    d.Process(Failure(day + 9 * 3600 + i, "85.0.0.1"));      // DE: covered
  }
  EXPECT_TRUE(d.alerts().empty());
  for (int i = 0; i < 5; ++i) d.Process(Failure(day + 20 * 3600 + i, "198.51.100.7"));  // 20:00
  EXPECT_THAT(Types(d), ElementsAre("brute_force:198.51.100.7:medium"));
}

TEST(BruteForce, InvalidUserScan) {
  DetectionRules rules = OneRule(1000, 60);
  rules.invalid_user_scan = {true, 600, 5, AlertLevel::kMedium};
  BruteForceDetector d(rules);
  for (int i = 0; i < 8; ++i) d.Process(Failure(kT0 + i, "192.0.2.9", "admin", "invalid_user"));
  EXPECT_TRUE(d.alerts().empty());  // one name, many times: not a scan
  for (const char* u : {"oracle", "test", "guest", "ubuntu"}) {
    d.Process(Failure(kT0 + 10, "192.0.2.9", u, "invalid_user"));
  }
  ASSERT_EQ(d.alerts().size(), 1u);
  const Alert& a = d.alerts()[0];
  EXPECT_EQ(a.type, "invalid_user_scan");
  EXPECT_EQ(a.users.size(), 5u);
  EXPECT_EQ(a.first_seen, kT0 + 7);
  d.Process(Failure(kT0 + 11, "192.0.2.9", "pi", "invalid_user"));
  ASSERT_EQ(d.alerts().size(), 1u);
  EXPECT_EQ(d.alerts()[0].count, 6u);
  EXPECT_EQ(d.alerts()[0].users.size(), 6u);
}

TEST(BruteForce, FailedPasswordsForInvalidUsersCountTowardTheScan) {
  DetectionRules rules = OneRule(1000, 60);
  rules.invalid_user_scan = {true, 600, 3, AlertLevel::kMedium};
  BruteForceDetector d(rules);
  for (const char* u : {"oracle", "test", "guest"}) {
    LoginEvent e = Failure(kT0, "192.0.2.9", u, "password");
    e.invalid_user = true;
    d.Process(e);
  }
  ASSERT_EQ(d.alerts().size(), 1u);
  EXPECT_EQ(d.alerts()[0].type, "invalid_user_scan");
}

TEST(BruteForce, LateEventsCountAtTheLatestTime) {
  BruteForceDetector d(OneRule(3, 60));
  d.Process(Failure(kT0 + 100, "192.0.2.1"));
  d.Process(Failure(kT0 + 10, "192.0.2.1"));  // emitted late by the parser
  d.Process(Failure(kT0 + 101, "192.0.2.1"));
  ASSERT_EQ(d.alerts().size(), 1u);
  EXPECT_EQ(d.alerts()[0].first_seen, kT0 + 100);
}

TEST(BruteForce, StormOfOneMillionFailuresFromThreeSourcesIsThreeAlerts) {
  BruteForceDetector d(DefaultRules());
  const char* sources[] = {"203.0.113.1", "203.0.113.2", "2001:db8::bad"};
  for (int i = 0; i < 1000000; ++i) {
    d.Process(Failure(kT0 + i / 100, sources[i % 3], "user" + std::to_string(i % 1000)));
    ASSERT_LE(d.tracked_keys(), 3000u);  // bounded: windows per source and per account
  }
  ASSERT_EQ(d.alerts().size(), 3u) << ::testing::PrintToString(Types(d));
  std::uint64_t total = 0;
  for (const Alert& a : d.alerts()) {
    EXPECT_EQ(a.type, "brute_force");
    EXPECT_EQ(a.level, AlertLevel::kHigh);
    EXPECT_EQ(a.users.size(), kMaxAlertNames);
    EXPECT_TRUE(a.users_truncated);
    total += a.count;
  }
  EXPECT_EQ(total, 1000000u);
}

TEST(BruteForce, KeyCapEvictsTheOldest) {
  BruteForceOptions options;
  options.max_tracked_keys = 100;
  BruteForceDetector d(OneRule(2, 600), options);
  d.Process(Failure(kT0, "192.0.2.1"));
  for (int i = 0; i < 1000; ++i) {
    d.Process(Failure(kT0 + 1, "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256)));
  }
  EXPECT_EQ(d.tracked_keys(), 100u);
  EXPECT_EQ(d.evicted_keys(), 901u);
  d.Process(Failure(kT0 + 2, "192.0.2.1"));  // its first failure was evicted
  EXPECT_TRUE(d.alerts().empty());
  d.Process(Failure(kT0 + 3, "192.0.2.1"));
  EXPECT_EQ(d.alerts().size(), 1u);
}

}  // namespace
}  // namespace rampart::agent
