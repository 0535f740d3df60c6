// LoginMonitor in-process: log lines -> contract events; a restart resumes after the last line
// and continues the incident under the same id; tenant settings; automatic blocking through a
// fake firewall, refused for whitelisted sources; the journal follower over a real journal file.
#include "agent/monitor/login_monitor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <fstream>
#include <sstream>

#include "agent/sources/journal_follow.h"
#include "agent/sources/utmp_test_records.h"
#include "agent/transport/test_util.h"

namespace rampart::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class NftRecorder final : public CommandRunner {
 public:
  Result<CommandOutput> Run(const std::vector<std::string>& argv, std::string_view) override {
    std::string line;
    for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
    commands.push_back(line);
    return CommandOutput{0, ""};
  }
  std::vector<std::string> commands;
};

std::string FailedLine(int pid, const std::string& source) {
  return "Dec  6 10:00:0" + std::to_string(pid % 10) + " web sshd[" + std::to_string(pid) +
         "]: Failed password for root from " + source + " port 4" + std::to_string(pid) + " ssh2\n";
}

void Append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::app) << text;
}

class LoginMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    log_ = dir_ + "/auth.log";
    Append(log_, "");
  }
  LoginMonitorOptions Options() const {
    LoginMonitorOptions o;
    o.data_dir = dir_;
    o.files = {log_};
    o.journal = LoginMonitorOptions::Journal::kOff;
    o.save_interval = std::chrono::milliseconds(0);
    return o;
  }
  std::string dir_;
  std::string log_;
  std::vector<Json> events_;
  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1796601600))};
};

// An attacker guessing slowly across an agent restart: three guesses before, two after, within
// the rule's minute. The detectors' windows are saved at stop (login_detectors.json) and loaded
// at start, so the fifth guess raises the alert as it would have without the restart.
TEST_F(LoginMonitorTest, ASlowBruteForceAcrossARestartIsStillCaught) {
  {
    LoginMonitor m(
        Options(), LoginMonitorSettings{}, [&](const Json& e) { events_.push_back(e); }, nullptr,
        &clock_);
    ASSERT_TRUE(m.Start().ok());
    for (int i = 0; i < 3; ++i) Append(log_, FailedLine(100 + i, "203.0.113.70"));
    ASSERT_TRUE(m.PollOnce().ok());
    EXPECT_TRUE(events_.empty());
    ASSERT_TRUE(m.SaveState().ok());
  }
  std::ifstream saved(dir_ + "/login_detectors.json");
  std::stringstream text;
  text << saved.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("\"key\":\"203.0.113.70\""));
  LoginMonitor m(
      Options(), LoginMonitorSettings{}, [&](const Json& e) { events_.push_back(e); }, nullptr,
      &clock_);
  ASSERT_TRUE(m.Start().ok());
  for (int i = 3; i < 5; ++i) Append(log_, FailedLine(100 + i, "203.0.113.70"));
  ASSERT_TRUE(m.PollOnce().ok());
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].GetString("type"), "brute_force");
  EXPECT_EQ(events_[0].GetInt("count"), 5);
}

TEST_F(LoginMonitorTest, ADamagedDetectorStateIsSetAsideAndDetectionStartsEmpty) {
  Append(dir_ + "/login_detectors.json", "{\"version\":1,\"brute_force\":{\"sources\":[{\"ke");
  LoginMonitor m(
      Options(), LoginMonitorSettings{}, [&](const Json& e) { events_.push_back(e); }, nullptr,
      &clock_);
  ASSERT_TRUE(m.Start().ok());
  EXPECT_EQ(access((dir_ + "/login_detectors.json.bad").c_str(), F_OK), 0);
  EXPECT_NE(access((dir_ + "/login_detectors.json").c_str(), F_OK), 0);
  for (int i = 0; i < 5; ++i) Append(log_, FailedLine(100 + i, "203.0.113.71"));
  ASSERT_TRUE(m.PollOnce().ok());
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].GetString("type"), "brute_force");
  ASSERT_TRUE(m.SaveState().ok());
  EXPECT_EQ(access((dir_ + "/login_detectors.json").c_str(), F_OK), 0);
}

TEST_F(LoginMonitorTest, RaisesBruteForceAndContinuesItAfterARestart) {
  std::string id;
  {
    LoginMonitor m(
        Options(), LoginMonitorSettings{}, [&](const Json& e) { events_.push_back(e); }, nullptr,
        &clock_);
    ASSERT_TRUE(m.Start().ok());
    for (int i = 0; i < 5; ++i) Append(log_, FailedLine(100 + i, "203.0.113.7"));
    ASSERT_TRUE(m.PollOnce().ok());
    ASSERT_EQ(events_.size(), 1u);
    EXPECT_EQ(events_[0].GetString("type"), "brute_force");
    EXPECT_EQ(events_[0].GetString("source"), "203.0.113.7");
    EXPECT_EQ(events_[0].GetInt("count"), 5);
    id = events_[0].GetString("id");
    ASSERT_TRUE(m.SaveState().ok());
  }
  events_.clear();
  // Restart: the five lines are not read again (no re-raise); new guesses continue the incident.
  LoginMonitor m(
      Options(), LoginMonitorSettings{}, [&](const Json& e) { events_.push_back(e); }, nullptr,
      &clock_);
  ASSERT_TRUE(m.Start().ok());
  ASSERT_EQ(*m.PollOnce(), 0u);
  EXPECT_TRUE(events_.empty());
  for (int i = 0; i < 5; ++i) Append(log_, FailedLine(200 + i, "203.0.113.7"));
  ASSERT_TRUE(m.PollOnce().ok());
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].GetString("id"), id);
  EXPECT_EQ(events_[0].GetInt("count"), 10);
}

TEST_F(LoginMonitorTest, BlocksTheSourceButNeverAWhitelistedOne) {
  NftRecorder runner;
  Firewall fw(&runner, FirewallBackend::kNftables);
  BlockManager blocks(dir_, &fw, &clock_);
  ASSERT_TRUE(blocks.Restore().ok());
  LoginMonitorSettings settings;
  std::vector<std::string> problems;
  Json config = Json::Parse(R"({"brute_force": {"max_failures": 3, "block_seconds": 120},
      "login.whitelist": [{"source": "198.51.100.0/24", "hosts": "all"},
                          {"source": "192.0.2.0/24", "hosts": ["h_other"]}]})")
                    .value();
  settings = SettingsFromConfig(config, "h_me", settings, &problems);
  EXPECT_TRUE(problems.empty());
  LoginMonitor m(
      Options(), settings, [&](const Json& e) { events_.push_back(e); }, &blocks, &clock_);
  blocks.SetPolicy(m.MakeBlockPolicy({}));
  ASSERT_TRUE(m.Start().ok());
  for (int i = 0; i < 3; ++i) Append(log_, FailedLine(300 + i, "203.0.113.9"));
  for (int i = 0; i < 6; ++i) Append(log_, FailedLine(400 + i, "198.51.100.4"));  // whitelisted
  for (int i = 0; i < 3; ++i) Append(log_, FailedLine(500 + i, "192.0.2.5"));     // other host's
  ASSERT_TRUE(m.PollOnce().ok());
  auto list = blocks.List();
  ASSERT_TRUE(list.ok());
  std::vector<std::string> sources;
  for (const auto& b : *list) sources.push_back(b.source);
  EXPECT_THAT(sources, ElementsAre("203.0.113.9", "192.0.2.5"));
  EXPECT_EQ((*list)[0].expires_at - (*list)[0].created_at, 120);
  EXPECT_EQ((*list)[0].reason, "brute_force");
  EXPECT_EQ((*list)[0].event_id, events_[0].GetString("id"));
  for (const auto& e : events_) EXPECT_NE(e.GetString("source"), "198.51.100.4");
  EXPECT_EQ(m.stats().blocks_added, 2u);
}

TEST(LoginMonitorSettingsTest, AppliesKnownKeysAndReportsBadOnes) {
  std::vector<std::string> problems;
  const Json config = Json::Parse(R"({
      "brute_force.window_seconds": 120, "brute_force.max_failures": "many",
      "brute_force.block_seconds": 0,
      "brute_force.rules": [{"window_seconds": 3600, "failures": 50}, {"bad": 1}],
      "login.whitelist_users": ["deploy"], "login.abnormal.learning_days": 3,
      "some.future_key": true})")
                          .value();
  const auto s = SettingsFromConfig(config, "h1", LoginMonitorSettings{}, &problems);
  EXPECT_EQ(s.rules.brute_force[0].window_seconds, 120);
  EXPECT_EQ(s.rules.brute_force[0].failures, DefaultRules().brute_force[0].failures);
  EXPECT_EQ(s.block_seconds, 0);
  ASSERT_EQ(s.rules.brute_force.size(), DefaultRules().brute_force.size() + 1);
  EXPECT_EQ(s.rules.brute_force.back().window_seconds, 3600);
  EXPECT_TRUE(s.rules.brute_force.back().custom);
  EXPECT_THAT(s.rules.whitelist.users, ElementsAre("deploy"));
  EXPECT_EQ(s.rules.abnormal_login.learning_seconds, 3 * 86400);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_THAT(problems[0], HasSubstr("brute_force.max_failures"));
  EXPECT_THAT(problems[1], HasSubstr("brute_force.rules[1]"));
  // Absent keys: defaults.
  const auto d = SettingsFromConfig(Json::MakeObject(), "h1", LoginMonitorSettings{}, nullptr);
  EXPECT_EQ(d.block_seconds, 900);
  EXPECT_EQ(d.rules, DefaultRules());
}

TEST(LoginMonitorSettingsTest, WhitelistScopesApplyOnlyToCoveredHostsAndTheirConditions) {
  std::vector<std::string> problems;
  const Json config = Json::Parse(R"({"login": {
      "whitelist": [
        {"source": "10.0.0.0/8", "hosts": "all"},
        {"source": "192.0.2.0/24", "hosts": ["h2"]},
        {"source": "198.51.100.0/24", "days": ["mon","tue","wed","thu","fri"],
         "hours": "08:00-18:00", "zone": "+01:00", "hosts": ["h1", "h3"]},
        {"countries": ["DE"], "hosts": "all"},
        {"source": "203.0.113.5", "user": "deploy", "hosts": "all"},
        {"hosts": "all"},
        {"source": "10.1.0.0/16", "hours": "25:00-26:00", "hosts": "all"}],
      "whitelist_users": [
        {"user": "backup", "hosts": "all"},
        {"user": "ops", "hours": "22:00-06:00", "hosts": ["h1"]},
        {"user": "elsewhere", "hosts": ["h9"]},
        "legacy"]}})")
                          .value();
  const auto s = SettingsFromConfig(config, "h1", LoginMonitorSettings{}, &problems);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_THAT(problems[0], HasSubstr("login.whitelist[5]: expected a source, a user or countries"));
  EXPECT_THAT(problems[1], HasSubstr("login.whitelist[6].hours: expected HH:MM-HH:MM"));
  // Only the unconditional source is never blocked.
  ASSERT_EQ(s.never_block.size(), 1u);
  EXPECT_EQ(s.rules.whitelist.networks.size(), 1u);
  EXPECT_THAT(s.rules.whitelist.users, ElementsAre("backup", "legacy"));
  // Office hours (h1 covered), DE, deploy@203.0.113.5, ops at night.
  ASSERT_EQ(s.rules.whitelist.scoped.size(), 4u);
  const Whitelist& w = s.rules.whitelist;
  const CountryOf country = [](std::string_view source) {
    return std::string(source.starts_with("85.") ? "DE" : "US");
  };
  auto event = [](std::string source, std::string user, std::int64_t t) {
    LoginEvent e;
    e.source = std::move(source);
    e.user = std::move(user);
    e.time = t;
    return e;
  };
  constexpr std::int64_t kMonday = 1796601600;  // 2026-12-07T00:00:00Z
  EXPECT_TRUE(w.Suppresses(event("198.51.100.9", "x", kMonday + 9 * 3600), country));  // 10:00+1
  EXPECT_FALSE(w.Suppresses(event("198.51.100.9", "x", kMonday + 20 * 3600), country));
  EXPECT_FALSE(w.Suppresses(event("198.51.100.9", "x", kMonday + 5 * 86400 + 36000), country));
  EXPECT_TRUE(w.Suppresses(event("85.1.2.3", "x", kMonday), country));
  EXPECT_FALSE(w.Suppresses(event("86.1.2.3", "x", kMonday), country));
  EXPECT_FALSE(w.Suppresses(event("85.1.2.3", "x", kMonday), CountryOf{}));  // no GeoIP
  EXPECT_TRUE(w.Suppresses(event("203.0.113.5", "deploy", kMonday), country));
  EXPECT_FALSE(w.Suppresses(event("203.0.113.5", "root", kMonday), country));
  EXPECT_TRUE(w.Suppresses(event("1.2.3.4", "ops", kMonday + 23 * 3600), country));
  EXPECT_FALSE(w.Suppresses(event("1.2.3.4", "ops", kMonday + 12 * 3600), country));
  EXPECT_FALSE(w.Suppresses(event("192.0.2.1", "x", kMonday), country));  // h2's entry
  // Another host sees other entries.
  const auto h2 = SettingsFromConfig(config, "h2", LoginMonitorSettings{}, nullptr);
  EXPECT_EQ(h2.never_block.size(), 2u);
  EXPECT_EQ(h2.rules.whitelist.scoped.size(), 2u);  // DE, deploy
}

TEST(LoginMonitorSettingsTest, CustomRulesUseTheServersKeys) {
  std::vector<std::string> problems;
  const Json config = Json::Parse(R"({"brute_force": {"rules": [
      {"window_seconds": 600, "max_failures": 20, "level": "critical"},
      {"window_seconds": 60, "max_failures": 3}]}})")
                          .value();
  const auto s = SettingsFromConfig(config, "h1", LoginMonitorSettings{}, &problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(s.rules.brute_force.size(), DefaultRules().brute_force.size() + 2);
  const auto& first = s.rules.brute_force[DefaultRules().brute_force.size()];
  EXPECT_EQ(first.failures, 20u);
  EXPECT_EQ(first.level, AlertLevel::kCritical);
  EXPECT_EQ(s.rules.brute_force.back().level, AlertLevel::kHigh);
}

constexpr const char* kJournalRemote = "/lib/systemd/systemd-journal-remote";

TEST(JournalFollowerTest, FollowsAndResumesFromTheCursor) {
  if (access(kJournalRemote, X_OK) != 0) GTEST_SKIP() << kJournalRemote << " is not installed";
  const std::string dir = testing::MakeTempDir();
  const std::string journal_dir = dir + "/journal";
  ASSERT_EQ(mkdir(journal_dir.c_str(), 0700), 0);
  auto write_entries = [&](const std::string& name, int first, int n) {
    std::string text;
    for (int i = first; i < first + n; ++i) {
      text += "__REALTIME_TIMESTAMP=" + std::to_string(1796601600000000LL + i * 1000000LL) +
              "\n__MONOTONIC_TIMESTAMP=" + std::to_string(1000000 + i) +
              "\n_BOOT_ID=0123456789abcdef0123456789abcdef\nSYSLOG_IDENTIFIER=sshd\n_PID=" +
              std::to_string(1000 + i) +
              "\n_HOSTNAME=web\nMESSAGE=Failed password for root from 203.0.113.7 port " +
              std::to_string(40000 + i) + " ssh2\n\n";
    }
    testing::WriteAll(dir + "/" + name + ".export", text);
    const std::string cmd = std::string(kJournalRemote) + " -o '" + journal_dir + "/" + name +
                            ".journal' - < '" + dir + "/" + name + ".export' 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  };
  write_entries("a", 0, 3);
  std::string cursor;
  {
    auto f = JournalFollower::Open(journal_dir, "", /*from_start=*/true);
    ASSERT_TRUE(f.ok()) << f.error().ToString();
    int events = 0;
    auto n = (*f)->Poll([&](LoginEvent&& e) {
      EXPECT_EQ(e.source, "203.0.113.7");
      ++events;
    });
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, 3u);
    EXPECT_EQ(events, 3);
    cursor = (*f)->cursor();
    EXPECT_FALSE(cursor.empty());
  }
  // Resume: nothing again until new entries arrive.
  auto f = JournalFollower::Open(journal_dir, cursor);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*(*f)->Poll([](LoginEvent&&) {}), 0u);
  write_entries("b", 3, 2);
  int events = 0;
  auto n = (*f)->Poll([&](LoginEvent&&) { ++events; });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(events, 2);
}

// btmp followed by record: failures raise brute_force; a restart resumes after the last record
// (no re-raise, the incident continues); a record cut mid-write waits for its last bytes.
TEST_F(LoginMonitorTest, FollowsBtmpByRecordAndResumes) {
  const std::string btmp = dir_ + "/btmp";
  Append(btmp, testing::UtmpRecord(6, "ssh:notty", "old", "", 1796601000, 0, "192.0.2.99"));
  auto options = Options();
  options.files = {btmp};
  auto failure = [](int i) {
    return testing::UtmpRecord(6, "ssh:notty", "root", "", 1796601600 + i, 0, "2001:db8::66");
  };
  std::string id;
  {
    LoginMonitor m(
        options, LoginMonitorSettings{}, [&](const Json& e) { events_.push_back(e); }, nullptr,
        &clock_);
    ASSERT_TRUE(m.Start().ok());
    EXPECT_THAT(m.sources(), ElementsAre(btmp));
    std::string burst;
    for (int i = 0; i < 5; ++i) burst += failure(i);
    Append(btmp, burst.substr(0, burst.size() - 100));  // the last record is cut
    ASSERT_TRUE(m.PollOnce().ok());
    EXPECT_TRUE(events_.empty());  // 4 complete records: below the threshold of 5
    Append(btmp, burst.substr(burst.size() - 100));
    ASSERT_TRUE(m.PollOnce().ok());
    ASSERT_EQ(events_.size(), 1u);
    EXPECT_EQ(events_[0].GetString("type"), "brute_force");
    EXPECT_EQ(events_[0].GetString("source"), "2001:db8::66");
    EXPECT_EQ(events_[0].GetInt("count"), 5);
    id = events_[0].GetString("id");
    ASSERT_TRUE(m.SaveState().ok());
  }
  events_.clear();
  LoginMonitor m(
      options, LoginMonitorSettings{}, [&](const Json& e) { events_.push_back(e); }, nullptr,
      &clock_);
  ASSERT_TRUE(m.Start().ok());
  ASSERT_EQ(*m.PollOnce(), 0u);  // nothing read twice
  EXPECT_TRUE(events_.empty());
  std::string more;
  for (int i = 5; i < 10; ++i) more += failure(i);
  Append(btmp, more);
  ASSERT_TRUE(m.PollOnce().ok());
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].GetString("id"), id);
  EXPECT_EQ(events_[0].GetInt("count"), 10);
}

TEST_F(LoginMonitorTest, BtmpIsNotFollowedBesideATextLog) {
  const std::string btmp = dir_ + "/btmp";
  Append(btmp, "");
  auto options = Options();
  options.files = {log_, btmp};
  LoginMonitor m(
      options, LoginMonitorSettings{}, [&](const Json& e) { events_.push_back(e); }, nullptr,
      &clock_);
  ASSERT_TRUE(m.Start().ok());
  EXPECT_THAT(m.sources(), ElementsAre(log_));
  // The same five guesses in both: counted once (from auth.log).
  for (int i = 0; i < 5; ++i) {
    Append(log_, FailedLine(100 + i, "203.0.113.7"));
    Append(btmp, testing::UtmpRecord(6, "ssh:notty", "root", "", 1796601600 + i, 0, "203.0.113.7"));
  }
  ASSERT_TRUE(m.PollOnce().ok());
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].GetInt("count"), 5);
}

TEST_F(LoginMonitorTest, WtmpRotationByRenameFinishesTheOldFile) {
  const std::string wtmp = dir_ + "/wtmp";
  Append(wtmp, "");
  auto options = Options();
  options.files = {wtmp};
  LoginMonitorSettings settings;
  settings.rules.abnormal_login.learning_seconds = 0;  // every login is judged at once
  LoginMonitor m(
      options, settings, [&](const Json& e) { events_.push_back(e); }, nullptr, &clock_);
  ASSERT_TRUE(m.Start().ok());
  Append(wtmp, testing::UtmpRecord(7, "pts/0", "alice", "", 1796601600, 0, "198.51.100.7"));
  ASSERT_EQ(std::rename(wtmp.c_str(), (wtmp + ".1").c_str()), 0);
  Append(wtmp, testing::UtmpRecord(7, "pts/1", "bob", "", 1796601700, 0, "198.51.100.8"));
  ASSERT_TRUE(m.PollOnce().ok());
  ASSERT_TRUE(m.PollOnce().ok());
  std::vector<std::string> users;
  for (const auto& e : events_) users.push_back(e.GetString("user"));
  EXPECT_THAT(users, ElementsAre("alice", "bob"));
  EXPECT_EQ(events_[0].GetString("type"), "abnormal_login");
}

// Stopped mid-attack; meanwhile auth.log was rotated and compressed (logrotate without
// delaycompress). The restart reads the guesses after the saved offset from auth.log.1.gz, then
// the new file: one alert, no guess counted twice.
TEST_F(LoginMonitorTest, ResumeReadsTheLinesCompressedAwayWhileStopped) {
  {
    LoginMonitor m(
        Options(), LoginMonitorSettings{}, [&](const Json& e) { events_.push_back(e); }, nullptr,
        &clock_);
    ASSERT_TRUE(m.Start().ok());
    for (int i = 0; i < 3; ++i) Append(log_, FailedLine(100 + i, "203.0.113.7"));
    ASSERT_TRUE(m.PollOnce().ok());
    ASSERT_TRUE(m.SaveState().ok());
  }
  EXPECT_TRUE(events_.empty());
  // Logged while the agent was stopped. The detector windows are saved, so the restarted detector
  // counts 8 guesses: the 3 before the stop (restored), these 3 and 2 in the new file; a re-read
  // of the first 3 would make 11.
  for (int i = 3; i < 6; ++i) Append(log_, FailedLine(100 + i, "203.0.113.7"));
  ASSERT_EQ(std::rename(log_.c_str(), (log_ + ".1").c_str()), 0);
  std::ostringstream old;
  old << std::ifstream(log_ + ".1").rdbuf();
  gzFile gz = gzopen((log_ + ".1.gz").c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, old.str().data(), static_cast<unsigned>(old.str().size()));
  gzclose(gz);
  ASSERT_EQ(std::remove((log_ + ".1").c_str()), 0);
  for (int i = 6; i < 8; ++i) Append(log_, FailedLine(100 + i, "203.0.113.7"));
  LoginMonitor m(
      Options(), LoginMonitorSettings{}, [&](const Json& e) { events_.push_back(e); }, nullptr,
      &clock_);
  ASSERT_TRUE(m.Start().ok());
  ASSERT_TRUE(m.PollOnce().ok());
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].GetString("type"), "brute_force");
  EXPECT_EQ(events_[0].GetInt("count"), 8);
  ASSERT_TRUE(m.SaveState().ok());
  events_.clear();
  ASSERT_EQ(*m.PollOnce(), 0u);
  EXPECT_TRUE(events_.empty());
}

}  // namespace
}  // namespace rampart::agent
