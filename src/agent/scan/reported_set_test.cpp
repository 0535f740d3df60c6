#include "agent/scan/reported_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/hash.h"

namespace rampart::agent::scan {
namespace {

const std::string kSha(64, 'e');
const std::string kOther(64, 'a');
const std::string kDigest = ReportDigest({"eicar_test_file"}, "low", "test.eicar");

class ReportedSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rampart-reported-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    file_ = dir_ + "/malware_reported";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Read() const {
    std::ifstream in(file_, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void WriteFile(const std::string& text) const {
    std::ofstream(file_, std::ios::binary | std::ios::trunc) << text;
  }
  std::string dir_;
  std::string file_;
};

TEST(ReportDigest, DependsOnWhatMatchedNotOnRuleOrder) {
  EXPECT_EQ(ReportDigest({"a", "b"}, "high", "webshell"),
            ReportDigest({"b", "a"}, "high", "webshell"));
  EXPECT_NE(ReportDigest({"a"}, "high", "webshell"), ReportDigest({"a", "b"}, "high", "webshell"));
  EXPECT_NE(ReportDigest({"a"}, "high", "webshell"), ReportDigest({"a"}, "critical", "webshell"));
  EXPECT_NE(ReportDigest({"a"}, "high", "webshell"), ReportDigest({"a"}, "high", "miner"));
  EXPECT_EQ(kDigest.size(), 16U);
}

TEST_F(ReportedSetTest, RecordsOnceAndReportsChanges) {
  std::string warning;
  ReportedSet set = ReportedSet::Open(file_, "h_1", &warning);
  EXPECT_TRUE(warning.empty()) << "a missing file is an empty set: " << warning;
  EXPECT_TRUE(set.Record("/tmp/a", kSha, kDigest, "pending", 100));
  EXPECT_FALSE(set.Record("/tmp/a", kSha, kDigest, "pending", 200));
  EXPECT_EQ(set.entries().at({"/tmp/a", kSha}).reported_at, 100) << "not re-sent, not re-dated";
  // Another hash at the same path, other rules, a quarantine: each is news.
  EXPECT_TRUE(set.Record("/tmp/a", kOther, kDigest, "pending", 300));
  EXPECT_TRUE(set.Record("/tmp/a", kSha, ReportDigest({"x"}, "low", ""), "pending", 300));
  EXPECT_TRUE(set.Record("/tmp/a", kSha, kDigest, "quarantined", 400));
  EXPECT_TRUE(set.Record("/tmp/a", kSha, kDigest, "quarantined", 401));
  EXPECT_TRUE(set.Record("/tmp/a", kSha, kDigest, "pending", 500)) << "back after a quarantine";
  EXPECT_FALSE(set.Record("/tmp/a", kSha, kDigest, "pending", 600));
  EXPECT_TRUE(set.Forget("/tmp/a", kSha));
  EXPECT_FALSE(set.Forget("/tmp/a", kSha));
  EXPECT_TRUE(set.Record("/tmp/a", kSha, kDigest, "pending", 700));
}

TEST_F(ReportedSetTest, SurvivesAReopenWithAnyPathBytes) {
  const std::vector<std::string> paths = {
      "/var/www/up/x.php",       "/tmp/with space", "/tmp/new\nline",     "/tmp/100%",
      "/tmp/\xff\xfe not utf-8", "/tmp/tab\there",  "/tmp/end 3 " + kSha, "/tmp/\r"};
  {
    ReportedSet set = ReportedSet::Open(file_, "h 1%", nullptr);
    for (std::size_t i = 0; i < paths.size(); ++i) {
      EXPECT_TRUE(set.Record(paths[i], kSha, kDigest, i % 2 ? "quarantined" : "pending",
                             1000 + static_cast<std::int64_t>(i)));
    }
    ASSERT_TRUE(set.Save().ok());
  }
  std::string warning;
  ReportedSet again = ReportedSet::Open(file_, "h 1%", &warning);
  EXPECT_TRUE(warning.empty()) << warning;
  ASSERT_EQ(again.size(), paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const auto& e = again.entries().at({paths[i], kSha});
    EXPECT_EQ(e.status, i % 2 ? "quarantined" : "pending");
    EXPECT_EQ(e.reported_at, 1000 + static_cast<std::int64_t>(i));
    EXPECT_EQ(e.digest, kDigest);
  }
  EXPECT_FALSE(again.Record(paths[0], kSha, kDigest, "pending", 5000));
  EXPECT_EQ(std::filesystem::status(file_).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // Nothing changed: Save does not rewrite.
  const auto mtime = std::filesystem::last_write_time(file_);
  ASSERT_TRUE(again.Save().ok());
  EXPECT_EQ(std::filesystem::last_write_time(file_), mtime);
}

TEST_F(ReportedSetTest, CorruptTruncatedOrForeignFilesStartEmptyWithAWarning) {
  {
    ReportedSet set = ReportedSet::Open(file_, "h_1", nullptr);
    set.Record("/tmp/a", kSha, kDigest, "pending", 1);
    set.Record("/tmp/b", kSha, kDigest, "pending", 2);
    ASSERT_TRUE(set.Save().ok());
  }
  const std::string good = Read();
  struct Case {
    std::string text;
    std::string expect;
  };
  std::string flipped = good;
  flipped[flipped.find("/tmp/a")] = 'X';
  const std::vector<Case> cases = {
      {good.substr(0, good.size() / 2), "truncated"},
      {flipped, "checksum mismatch"},
      {"", "truncated"},
      {"garbage\nend 0 " + std::string(64, '0') + "\n", "line 2: checksum mismatch"},
  };
  for (const Case& c : cases) {
    WriteFile(c.text);
    std::string warning;
    ReportedSet set = ReportedSet::Open(file_, "h_1", &warning);
    EXPECT_EQ(set.size(), 0U);
    EXPECT_NE(warning.find(c.expect), std::string::npos) << warning;
    EXPECT_NE(warning.find(file_), std::string::npos) << "the warning names the file";
    // The next Save replaces it with a readable file.
    set.Record("/tmp/c", kSha, kDigest, "pending", 3);
    ASSERT_TRUE(set.Save().ok());
    EXPECT_EQ(ReportedSet::Open(file_, "h_1", nullptr).size(), 1U);
  }
  WriteFile(good);
  std::string warning;
  EXPECT_EQ(ReportedSet::Open(file_, "h_2", &warning).size(), 0U);
  EXPECT_NE(warning.find("written for host h_1"), std::string::npos) << warning;
}

TEST(ReportedSetParse, NamesTheLineAndWhatWasExpected) {
  ReportedSet set;
  set.Record("/tmp/a", kSha, kDigest, "pending", 1);
  const std::string good = set.Serialize();
  auto parsed = ReportedSet::Parse(good);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->size(), 1U);

  // Every field checked, by line number (the checksum is fixed up so the field check is reached).
  const std::string entry = kSha + " " + kDigest + " pending 1 /tmp/a";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"rampart-malware-reported 2 h\n", "line 1: unsupported version '2'"},
      {"something-else 1 h\n", "line 1: expected 'rampart-malware-reported"},
      {"rampart-malware-reported 1 h\nshort line\n", "line 2: expected '<sha256> <digest>"},
      {"rampart-malware-reported 1 h\n" + std::string(63, 'e') + " " + kDigest +
           " pending 1 /tmp/a\n",
       "line 2: sha256"},
      {"rampart-malware-reported 1 h\n" + kSha + " xyz pending 1 /tmp/a\n", "line 2: digest"},
      {"rampart-malware-reported 1 h\n" + kSha + " " + kDigest + " handled 1 /tmp/a\n",
       "line 2: status"},
      {"rampart-malware-reported 1 h\n" + kSha + " " + kDigest + " pending -1 /tmp/a\n",
       "line 2: reported_at"},
      {"rampart-malware-reported 1 h\n" + kSha + " " + kDigest + " pending 1 relative\n",
       "line 2: path"},
      {"rampart-malware-reported 1 h\n" + kSha + " " + kDigest + " pending 1 /tmp/%zz\n",
       "line 2: path"},
      {"rampart-malware-reported 1 h\n" + entry + "\n" + entry + "\n", "line 4: entry count"},
  };
  for (const auto& [body, expect] : bad) {
    // The trailer as Serialize writes it: entry count and SHA-256 of the body.
    std::string text = body;
    const std::size_t lines = static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n'));
    text += "end " + std::to_string(lines - 1) + " " + Sha256Hex(body) + "\n";
    auto result = ReportedSet::Parse(text);
    ASSERT_FALSE(result.ok()) << body;
    EXPECT_NE(result.error().message().find(expect), std::string::npos)
        << result.error().message() << " for " << body;
  }
}

TEST(ReportedSetBounds, KeepsTheNewestWhenFull) {
  ReportedSet set;
  set.set_max_entries(100);
  for (int i = 0; i < 250; ++i) {
    set.Record("/tmp/f" + std::to_string(i), kSha, kDigest, "pending", 1000 + i);
    EXPECT_LE(set.size(), 100U);
  }
  EXPECT_GE(set.size(), 90U);
  EXPECT_EQ(set.entries().count({"/tmp/f249", kSha}), 1U);
  EXPECT_EQ(set.entries().count({"/tmp/f0", kSha}), 0U);
  EXPECT_EQ(set.entries().count({"/tmp/f150", kSha}), 0U);
}

TEST(ReportedSetForget, ForgetsWhatACompleteScanOfItsRootsNoLongerFinds) {
  ReportedSet set;
  set.Record("/var/www/a.php", kSha, kDigest, "pending", 1);
  set.Record("/var/www/b.php", kSha, kDigest, "pending", 1);
  set.Record("/var/www2/c.php", kSha, kDigest, "pending", 1);
  set.Record("/tmp/d", kSha, kDigest, "pending", 1);
  set.Record("/etc/crontab", kSha, kDigest, "pending", 1);
  EXPECT_EQ(set.ForgetMissing({"/var/www/", "/etc/crontab"}, {{"/var/www/a.php", kSha}}), 2U);
  EXPECT_EQ(set.entries().count({"/var/www/a.php", kSha}), 1U);
  EXPECT_EQ(set.entries().count({"/var/www2/c.php", kSha}), 1U) << "a sibling is not below";
  EXPECT_EQ(set.entries().count({"/tmp/d", kSha}), 1U);
  EXPECT_EQ(set.ForgetMissing({"/"}, {}), 3U);
  EXPECT_EQ(set.size(), 0U);
}

}  // namespace
}  // namespace rampart::agent::scan
