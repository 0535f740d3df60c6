// Abnormal-login detection: learning per user, then new networks, unusual hours and new users.
#include "agent/detectors/abnormal_login.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rampart::agent {
namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kT0 = 1795046400;  // 2026-11-18T00:00:00Z, a midnight

LoginEvent Login(std::int64_t t, std::string source, std::string user = "alice") {
  LoginEvent e;
  e.time = t;
  e.service = "sshd";
  e.outcome = LoginOutcome::kSuccess;
  e.kind = "publickey";
  e.user = std::move(user);
  e.source = std::move(source);
  return e;
}

AbnormalLoginSettings Settings() { return DefaultRules().abnormal_login; }

// Alice logs in from 198.51.100.0/24 at 09:00 every day of the learning week.
void LearnWeek(AbnormalLoginDetector* d) {
  for (int day = 0; day < 7; ++day) d->Process(Login(kT0 + day * kDay + 9 * 3600, "198.51.100.20"));
}

TEST(SourceNetwork, GroupsIpv4By24AndIpv6By64) {
  EXPECT_EQ(SourceNetwork("198.51.100.20"), "198.51.100.0/24");
  EXPECT_EQ(SourceNetwork("::ffff:198.51.100.20"), "198.51.100.0/24");
  EXPECT_EQ(SourceNetwork("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(SourceNetwork("host.example"), "host.example");
  EXPECT_EQ(SourceNetwork(""), "");
}

TEST(AbnormalLogin, NoAlertsDuringTheLearningPeriod) {
  AbnormalLoginDetector d(Settings(), {});
  LearnWeek(&d);
  d.Process(Login(kT0 + 3 * kDay + 3 * 3600, "203.0.113.1"));  // new network, 03:00: still learning
  EXPECT_TRUE(d.alerts().empty());
  EXPECT_EQ(d.learning_ends(), kT0 + 9 * 3600 + 7 * kDay);
  EXPECT_EQ(d.tracked_users(), 1u);
}

TEST(AbnormalLogin, UsualLoginAfterLearningIsQuiet) {
  AbnormalLoginDetector d(Settings(), {});
  LearnWeek(&d);
  d.Process(Login(kT0 + 8 * kDay + 10 * 3600, "198.51.100.77"));  // same /24, within 1 h
  EXPECT_TRUE(d.alerts().empty());
}

TEST(AbnormalLogin, NewNetworkIsSuspicious) {
  AbnormalLoginDetector d(Settings(), {});
  LearnWeek(&d);
  std::vector<std::size_t> changed;
  d.Process(Login(kT0 + 8 * kDay + 9 * 3600, "203.0.113.5"), &changed);
  ASSERT_EQ(d.alerts().size(), 1u);
  EXPECT_THAT(changed, ::testing::ElementsAre(0u));
  const Alert& a = d.alerts()[0];
  EXPECT_EQ(a.type, "abnormal_login");
  EXPECT_EQ(a.level, AlertLevel::kSuspicious);
  EXPECT_EQ(a.reason, "new_network");
  EXPECT_EQ(a.network, "203.0.113.0/24");
  EXPECT_EQ(a.user, "alice");
  EXPECT_EQ(a.count, 1u);
  // The same network again updates the same alert.
  d.Process(Login(kT0 + 9 * kDay + 9 * 3600, "203.0.113.6"));
  ASSERT_EQ(d.alerts().size(), 1u);
  EXPECT_EQ(d.alerts()[0].count, 2u);
  EXPECT_EQ(d.alerts()[0].last_seen, kT0 + 9 * kDay + 9 * 3600);
}

TEST(AbnormalLogin, UnusualHourIsSuspicious) {
  AbnormalLoginDetector d(Settings(), {});
  LearnWeek(&d);
  d.Process(Login(kT0 + 8 * kDay + 3 * 3600, "198.51.100.20"));
  ASSERT_EQ(d.alerts().size(), 1u);
  EXPECT_EQ(d.alerts()[0].reason, "unusual_hour");
  d.Process(Login(kT0 + 8 * kDay + 4 * 3600, "203.0.113.1"));
  ASSERT_EQ(d.alerts().size(), 2u);
  EXPECT_EQ(d.alerts()[1].reason, "new_network,unusual_hour");
}

TEST(AbnormalLogin, HourToleranceWrapsAroundMidnight) {
  AbnormalLoginSettings s = Settings();
  s.hour_tolerance = 2;
  AbnormalLoginDetector d(s, {});
  for (int day = 0; day < 7; ++day) d.Process(Login(kT0 + day * kDay + 23 * 3600, "198.51.100.20"));
  d.Process(Login(kT0 + 9 * kDay + 1 * 3600, "198.51.100.20"));  // 01:00 is 2 h after 23:00
  EXPECT_TRUE(d.alerts().empty());
  d.Process(Login(kT0 + 9 * kDay + 2 * 3600, "198.51.100.20"));
  EXPECT_EQ(d.alerts().size(), 1u);
}

TEST(AbnormalLogin, UnknownUserIsSuspicious) {
  AbnormalLoginDetector d(Settings(), {});
  LearnWeek(&d);
  d.Process(Login(kT0 + 8 * kDay + 9 * 3600, "198.51.100.20", "mallory"));
  ASSERT_EQ(d.alerts().size(), 1u);
  EXPECT_EQ(d.alerts()[0].reason, "new_user");
}

TEST(AbnormalLogin, FailuresAndLocalLoginsAreIgnored) {
  AbnormalLoginDetector d(Settings(), {});
  LearnWeek(&d);
  LoginEvent failed = Login(kT0 + 8 * kDay, "203.0.113.1");
  failed.outcome = LoginOutcome::kFailure;
  d.Process(failed);
  d.Process(Login(kT0 + 8 * kDay, "", "alice"));  // su, a console login
  EXPECT_TRUE(d.alerts().empty());
}

TEST(AbnormalLogin, WhitelistSuppresses) {
  Whitelist w;
  w.networks.push_back(*ParseCidr("203.0.113.0/24"));
  w.users.push_back("backup");
  AbnormalLoginDetector d(Settings(), w);
  LearnWeek(&d);
  d.Process(Login(kT0 + 8 * kDay + 3 * 3600, "203.0.113.1"));
  d.Process(Login(kT0 + 8 * kDay + 3 * 3600, "192.0.2.1", "backup"));
  EXPECT_TRUE(d.alerts().empty());
}

TEST(AbnormalLogin, LearningPeriodStartsAtTheFirstEventOfAnyKind) {
  AbnormalLoginDetector d(Settings(), {});
  LoginEvent failed = Login(kT0, "203.0.113.1");
  failed.outcome = LoginOutcome::kFailure;
  d.Process(failed);
  EXPECT_EQ(d.learning_ends(), kT0 + 7 * kDay);
  d.Process(Login(kT0 + 7 * kDay, "198.51.100.20"));  // the period is over: an unknown user
  EXPECT_EQ(d.alerts().size(), 1u);
}

TEST(AbnormalLogin, BaselineReplacesTheLearningPeriod) {
  AbnormalLoginDetector d(Settings(), {});
  d.Learn(Login(kT0 - 30 * kDay + 9 * 3600, "198.51.100.20"));
  d.Process(Login(kT0 + 9 * 3600, "198.51.100.21"));
  EXPECT_TRUE(d.alerts().empty());
  d.Process(Login(kT0 + 9 * 3600, "203.0.113.1"));
  EXPECT_EQ(d.alerts().size(), 1u);
}

TEST(AbnormalLogin, LastlogSeedKeepsTheLearningPeriod) {
  AbnormalLoginDetector d(Settings(), {});
  d.Seed(Login(kT0 - 30 * kDay + 9 * 3600, "192.0.2.10", "bob"));  // bob's last login
  // The learning period still runs: alice's first login is learned, not judged.
  d.Process(Login(kT0 + 9 * 3600, "198.51.100.20"));
  EXPECT_TRUE(d.alerts().empty());
  EXPECT_EQ(d.learning_ends(), kT0 + 9 * 3600 + 7 * kDay);
  // After it: bob from his seeded network at his usual hour is normal; from elsewhere is not.
  d.Process(Login(kT0 + 8 * kDay + 9 * 3600, "192.0.2.11", "bob"));
  EXPECT_TRUE(d.alerts().empty());
  d.Process(Login(kT0 + 8 * kDay + 9 * 3600, "203.0.113.1", "bob"));
  ASSERT_EQ(d.alerts().size(), 1u);
  EXPECT_EQ(d.alerts()[0].reason, "new_network");
}

TEST(AbnormalLogin, DisabledRaisesNothing) {
  AbnormalLoginSettings s = Settings();
  s.enabled = false;
  AbnormalLoginDetector d(s, {});
  d.Process(Login(kT0, "198.51.100.20"));
  d.Process(Login(kT0 + 30 * kDay, "203.0.113.1", "mallory"));
  EXPECT_TRUE(d.alerts().empty());
}

TEST(AbnormalLogin, UsersAreCapped) {
  AbnormalLoginOptions o;
  o.max_users = 10;
  AbnormalLoginDetector d(Settings(), {}, o);
  for (int i = 0; i < 100; ++i) d.Process(Login(kT0 + i, "198.51.100.20", "u" + std::to_string(i)));
  EXPECT_EQ(d.tracked_users(), 10u);
}

}  // namespace
}  // namespace rampart::agent
