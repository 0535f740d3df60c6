// Detector state across agent restarts: half a brute force before the restart plus the other half
// after it is still one brute force; learned abnormal-login profiles survive; expired failures and
// rules that no longer exist are dropped; a damaged file is an error naming the field.
#include "agent/detectors/detector_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace rampart::agent {
namespace {

using ::testing::HasSubstr;

constexpr std::int64_t kT0 = 1795000000;  // 2026-11-18

LoginEvent Event(std::int64_t t, std::string source, std::string user, LoginOutcome outcome,
                 std::string kind = "password") {
  LoginEvent e;
  e.file = "auth.log";
  e.time = t;
  e.service = "sshd";
  e.outcome = outcome;
  e.kind = std::move(kind);
  e.user = std::move(user);
  e.source = std::move(source);
  return e;
}
LoginEvent Failure(std::int64_t t, std::string source, std::string user = "root") {
  return Event(t, std::move(source), std::move(user), LoginOutcome::kFailure);
}
LoginEvent Success(std::int64_t t, std::string source, std::string user = "root") {
  return Event(t, std::move(source), std::move(user), LoginOutcome::kSuccess);
}

// One slow rule: 10 failures within an hour, per source.
DetectionRules SlowRule() {
  DetectionRules r;
  r.brute_force.push_back({"slow", RuleScope::kSource, 3600, 10, 1, AlertLevel::kHigh, false});
  r.brute_force.push_back({"spread", RuleScope::kAccount, 3600, 12, 3, AlertLevel::kHigh, false});
  r.invalid_user_scan = {true, 600, 4, AlertLevel::kMedium};
  return r;
}

class DetectorStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rampart_detector_state_XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/" + std::string(kDetectorStateFile);
  }
  void TearDown() override { (void)std::system(("rm -rf '" + dir_ + "'").c_str()); }
  std::string dir_;
  std::string path_;
};

TEST_F(DetectorStateTest, HalfTheGuessesBeforeARestartAndHalfAfterAreOneBruteForce) {
  const AbnormalLoginSettings abnormal_settings;
  {
    BruteForceDetector brute(SlowRule());
    AbnormalLoginDetector abnormal(abnormal_settings, {});
    for (int i = 0; i < 5; ++i) brute.Process(Failure(kT0 + i * 300, "203.0.113.7"));
    EXPECT_TRUE(brute.alerts().empty());
    ASSERT_TRUE(SaveDetectorState(path_, brute, abnormal, kT0 + 1500).ok());
  }
  // Without the saved state the five later guesses are only half a brute force.
  {
    BruteForceDetector fresh(SlowRule());
    for (int i = 5; i < 10; ++i) fresh.Process(Failure(kT0 + i * 300, "203.0.113.7"));
    EXPECT_TRUE(fresh.alerts().empty());
  }
  BruteForceDetector brute(SlowRule());
  AbnormalLoginDetector abnormal(abnormal_settings, {});
  auto loaded = LoadDetectorState(path_, kT0 + 1600, &brute, &abnormal);
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_TRUE(*loaded);
  EXPECT_EQ(brute.tracked_keys(), 2u);  // the source, and the account for "spread"
  for (int i = 5; i < 10; ++i) brute.Process(Failure(kT0 + i * 300, "203.0.113.7"));
  ASSERT_EQ(brute.alerts().size(), 1u);
  EXPECT_EQ(brute.alerts()[0].type, "brute_force");
  EXPECT_EQ(brute.alerts()[0].count, 10u);
  EXPECT_EQ(brute.alerts()[0].first_seen, kT0);  // the guesses before the restart count
  // And a success from it afterwards is "cracked".
  brute.Process(Success(kT0 + 3100, "203.0.113.7"));
  EXPECT_EQ(brute.alerts().back().type, "cracked");
}

TEST_F(DetectorStateTest, DistributedAndInvalidUserWindowsSurvive) {
  const AbnormalLoginSettings abnormal_settings;
  BruteForceDetector before(SlowRule());
  AbnormalLoginDetector abnormal(abnormal_settings, {});
  for (int i = 0; i < 6; ++i) {
    before.Process(Failure(kT0 + i, "198.51.100." + std::to_string(i % 3 + 1), "admin"));
  }
  for (const char* u : {"oracle", "test"}) {
    LoginEvent e = Failure(kT0 + 10, "192.0.2.9", u);
    e.invalid_user = true;
    before.Process(e);
  }
  const std::string text = EncodeDetectorState(before, abnormal, kT0 + 20);
  BruteForceDetector after(SlowRule());
  AbnormalLoginDetector abnormal2(abnormal_settings, {});
  ASSERT_TRUE(DecodeDetectorState(text, kT0 + 30, &after, &abnormal2).ok());
  for (int i = 0; i < 6; ++i) {
    after.Process(Failure(kT0 + 40 + i, "198.51.100." + std::to_string(i % 3 + 1), "admin"));
  }
  for (const char* u : {"guest", "ftp"}) {
    LoginEvent e = Failure(kT0 + 50, "192.0.2.9", u);
    e.invalid_user = true;
    after.Process(e);
  }
  std::vector<std::string> rules;
  for (const auto& a : after.alerts()) rules.push_back(a.type + "/" + a.rule);
  EXPECT_THAT(rules, ::testing::Contains("brute_force/spread"));
  EXPECT_THAT(rules, ::testing::Contains("invalid_user_scan/invalid_user_scan"));
}

TEST_F(DetectorStateTest, ExpiredFailuresAndRemovedRulesAreDropped) {
  const AbnormalLoginSettings abnormal_settings;
  BruteForceDetector before(SlowRule());
  AbnormalLoginDetector abnormal(abnormal_settings, {});
  for (int i = 0; i < 9; ++i) before.Process(Failure(kT0 + i, "203.0.113.8", "a"));
  const std::string text = EncodeDetectorState(before, abnormal, kT0 + 10);
  {
    // Another source's failure two hours later: by then .8's failures are outside the one-hour
    // window and are not restored (only .9 and the account it tried are).
    BruteForceDetector later(SlowRule());
    ASSERT_TRUE(DecodeDetectorState(text, kT0 + 20, &later, &abnormal).ok());
    later.Process(Failure(kT0 + 7200, "203.0.113.9", "b"));
    const std::string text2 = EncodeDetectorState(later, abnormal, kT0 + 7300);
    BruteForceDetector after(SlowRule());
    AbnormalLoginDetector a(abnormal_settings, {});
    ASSERT_TRUE(DecodeDetectorState(text2, kT0 + 7300, &after, &a).ok());
    EXPECT_EQ(after.tracked_keys(), 2u);
    EXPECT_THAT(EncodeDetectorState(after, a, kT0 + 7300),
                ::testing::Not(HasSubstr("203.0.113.8")));
    after.Process(Failure(kT0 + 7201, "203.0.113.8", "a"));
    EXPECT_TRUE(after.alerts().empty());
  }
  {
    // Judged by event time, not the clock: the agent stopped for two hours and reads the log's
    // backlog, which continues the windows, so they are kept.
    BruteForceDetector after(SlowRule());
    AbnormalLoginDetector a(abnormal_settings, {});
    ASSERT_TRUE(DecodeDetectorState(text, kT0 + 7200, &after, &a).ok());
    after.Process(Failure(kT0 + 30, "203.0.113.8", "a"));
    ASSERT_EQ(after.alerts().size(), 1u);
    EXPECT_EQ(after.alerts()[0].count, 10u);
  }
  {
    // A clock earlier than the saved event time (a log dated in the future) wins.
    BruteForceDetector after(SlowRule());
    AbnormalLoginDetector a(abnormal_settings, {});
    ASSERT_TRUE(DecodeDetectorState(text, kT0 - 100000, &after, &a).ok());
    EXPECT_EQ(after.tracked_keys(), 2u);
  }
  {
    // The rule was renamed meanwhile: its window is not carried over.
    DetectionRules renamed = SlowRule();
    renamed.brute_force[0].name = "slow2";
    BruteForceDetector after(renamed);
    AbnormalLoginDetector a(abnormal_settings, {});
    ASSERT_TRUE(DecodeDetectorState(text, kT0 + 20, &after, &a).ok());
    after.Process(Failure(kT0 + 21, "203.0.113.8", "a"));
    EXPECT_TRUE(after.alerts().empty());
  }
}

TEST_F(DetectorStateTest, AbnormalLoginLearningSurvivesARestart) {
  AbnormalLoginSettings settings;
  settings.learning_seconds = 86400;
  const DetectionRules rules = SlowRule();
  std::string text;
  {
    BruteForceDetector brute(rules);
    AbnormalLoginDetector abnormal(settings, {});
    abnormal.Process(Success(kT0 + 9 * 3600, "198.51.100.20", "alice"));  // learning starts
    text = EncodeDetectorState(brute, abnormal, kT0 + 10 * 3600);
  }
  BruteForceDetector brute(rules);
  AbnormalLoginDetector abnormal(settings, {});
  ASSERT_TRUE(DecodeDetectorState(text, kT0 + 2 * 86400, &brute, &abnormal).ok());
  EXPECT_EQ(abnormal.learning_ends(), kT0 + 9 * 3600 + 86400);  // not restarted
  // After the (original) learning period: alice's usual network and hour raise nothing; a new
  // network does.
  abnormal.Process(Success(kT0 + 2 * 86400 + 9 * 3600, "198.51.100.21", "alice"));
  EXPECT_TRUE(abnormal.alerts().empty());
  abnormal.Process(Success(kT0 + 2 * 86400 + 9 * 3600 + 60, "203.0.113.50", "alice"));
  ASSERT_EQ(abnormal.alerts().size(), 1u);
  EXPECT_EQ(abnormal.alerts()[0].type, "abnormal_login");
}

TEST_F(DetectorStateTest, ADamagedFileIsAnErrorNamingTheField) {
  const AbnormalLoginSettings settings;
  BruteForceDetector brute(SlowRule());
  AbnormalLoginDetector abnormal(settings, {});
  auto error = [&](const std::string& text) {
    BruteForceDetector b(SlowRule());
    AbnormalLoginDetector a(settings, {});
    Status s = DecodeDetectorState(text, kT0, &b, &a);
    EXPECT_EQ(s.code(), Code::kDataLoss) << text;
    return s.message();
  };
  EXPECT_THAT(error("{\"version\":1,"), HasSubstr("not JSON"));
  EXPECT_THAT(error("[]"), HasSubstr("document: expected an object"));
  EXPECT_THAT(error("{\"version\":2}"), HasSubstr("version 2 is not supported (expected 1)"));
  EXPECT_THAT(error(R"({"version":1,"brute_force":{"sources":[{"key":"a","windows":[
                {"rule":"slow","last":5,"slots":[[5,0]]}]}]}})"),
              HasSubstr("brute_force.sources[0].windows[0].slots[0]: expected [time, count >= 1]"));
  EXPECT_THAT(error(R"({"version":1,"brute_force":{"sources":[{"key":"a","windows":[
                {"rule":"slow","last":9,"slots":[[5,1],[4,1]]}]}]}})"),
              HasSubstr("slots[1]: expected times in ascending order"));
  EXPECT_THAT(error(R"({"version":1,"abnormal":{"started":"yes"}})"),
              HasSubstr("abnormal.started: expected true or false"));
  EXPECT_THAT(error(R"({"version":1,"abnormal":{"started":true,"baseline":false,
                "learning_ends":1,"profiles":[{"user":"a","hours":-1}]}})"),
              HasSubstr("abnormal.profiles[0].hours: -1 is out of range"));
  // A truncated file on disk (a crash mid-write cannot leave one, a disk error can).
  for (int i = 0; i < 5; ++i) brute.Process(Failure(kT0 + i, "203.0.113.7"));
  const std::string text = EncodeDetectorState(brute, abnormal, kT0 + 5);
  std::ofstream(path_, std::ios::binary) << text.substr(0, text.size() / 2);
  BruteForceDetector b(SlowRule());
  AbnormalLoginDetector a(settings, {});
  auto loaded = LoadDetectorState(path_, kT0 + 6, &b, &a);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.error().message(), HasSubstr(path_ + ": not JSON"));
}

TEST_F(DetectorStateTest, NoFileIsNoState) {
  BruteForceDetector b(SlowRule());
  AbnormalLoginDetector a(AbnormalLoginSettings{}, {});
  auto loaded = LoadDetectorState(path_, kT0, &b, &a);
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(*loaded);
}

TEST_F(DetectorStateTest, SaveIsAtomicAndPrivate) {
  BruteForceDetector b(SlowRule());
  AbnormalLoginDetector a(AbnormalLoginSettings{}, {});
  b.Process(Failure(kT0, "203.0.113.7"));
  ASSERT_TRUE(SaveDetectorState(path_, b, a, kT0).ok());
  ASSERT_TRUE(SaveDetectorState(path_, b, a, kT0 + 1).ok());
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Only the file itself is left in the directory (no temporary files).
  EXPECT_EQ(std::system(("test $(ls -A '" + dir_ + "' | wc -l) -eq 1").c_str()), 0);
}

}  // namespace
}  // namespace rampart::agent
