// scheduled_tasks on this machine: every crontab in /etc/crontab and /etc/cron.d yields the entries
// an independent, simple reading of the files finds; a crontab line this test writes shows up
// exactly.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "agent/collectors/scheduled_tasks.h"

namespace rampart::agent {
namespace {

namespace fs = std::filesystem;
using Entry =
    std::tuple<std::string, std::string, std::string, std::string>;  // source schedule user cmd

// The remainder of `line` after `words` blank-separated words, trimmed.
std::string AfterWords(const std::string& line, int words) {
  std::size_t i = 0;
  for (int w = 0; w < words; ++w) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
  }
  const std::size_t b = line.find_first_not_of(" \t", i);
  if (b == std::string::npos) return "";
  return line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
}

// A deliberately naive reader of system crontabs, written apart from crontab.cpp.
std::set<Entry> SimpleParse(const std::string& path) {
  std::set<Entry> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string first;
    if (!(words >> first) || first[0] == '#') continue;
    if (first.find('=') != std::string::npos) continue;  // SHELL=/bin/sh, MAILTO=root
    if (first[0] != '@' && !std::isdigit(static_cast<unsigned char>(first[0])) && first[0] != '*') {
      continue;
    }
    std::string schedule = first;
    int fields = 1;
    if (first[0] != '@') {
      std::string w;
      for (int i = 0; i < 4 && (words >> w); ++i, ++fields) schedule += " " + w;
      if (fields != 5) continue;
    }
    std::string user;
    if (!(words >> user)) continue;
    std::string cmd = AfterWords(line, fields + 1);
    if (cmd.find('%') != std::string::npos) continue;  // covered by the unit tests
    if (cmd.empty()) continue;
    out.emplace(path, schedule, user, cmd);
  }
  return out;
}

std::set<Entry> CollectedFrom(const Json& rows, const std::string& source) {
  std::set<Entry> out;
  for (const Json& r : rows.as_array()) {
    if (r.GetString("source") != source || r.GetString("type") != "cron") continue;
    if (r.Find("stdin") != nullptr && !r.Find("stdin")->is_null()) continue;
    out.emplace(source, r.GetString("schedule"), r.GetString("user"), r.GetString("command"));
  }
  return out;
}

bool CronIgnores(const std::string& name) {
  return name.empty() || name[0] == '.' || name.back() == '~' ||
         name.find(".dpkg-") != std::string::npos || name.ends_with(".rpmsave") ||
         name.ends_with(".rpmnew") || name.ends_with(".swp") || name.ends_with(".bak") ||
         name.ends_with(".rpmorig");
}

TEST(ScheduledTasksLive, SystemCrontabsMatchAnIndependentParse) {
  std::vector<std::string> files;
  if (fs::is_regular_file("/etc/crontab")) files.push_back("/etc/crontab");
  std::error_code ec;
  if (fs::is_directory("/etc/cron.d")) {
    for (const auto& e : fs::directory_iterator("/etc/cron.d", ec)) {
      const std::string name = e.path().filename();
      // Files the other live tests write come and go while this one reads (ctest runs tests in
      // parallel), so only the machine's own crontabs are compared.
      if (name.starts_with("rampart-")) continue;
      if (e.is_regular_file() && !CronIgnores(name)) files.push_back(e.path());
    }
  }
  if (files.empty()) GTEST_SKIP() << "no /etc/crontab and nothing in /etc/cron.d on this machine";
  const Json rows = CollectScheduledTasks(HostView());
  for (const Json& r : rows.as_array()) ASSERT_TRUE(ValidateRow(r, ScheduledTasksSchema()).ok());
  for (const std::string& f : files) {
    EXPECT_EQ(CollectedFrom(rows, f), SimpleParse(f)) << f;
  }
}

class TempCronFile {
 public:
  explicit TempCronFile(std::string path) : path_(std::move(path)) {}
  ~TempCronFile() { std::remove(path_.c_str()); }
  TempCronFile(const TempCronFile&) = delete;
  TempCronFile& operator=(const TempCronFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ScheduledTasksLive, ALineWrittenToCronDAppearsWithItsScheduleUserAndCommand) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to write /etc/cron.d";
  if (!fs::is_directory("/etc/cron.d")) GTEST_SKIP() << "no /etc/cron.d on this machine";
  const TempCronFile file("/etc/cron.d/rampart-live-test");
  {
    std::ofstream out(file.path());
    ASSERT_TRUE(out) << "cannot write " << file.path();
    out << "# written by scheduled_tasks_live_test; removed when it ends\n"
        << "MAILTO=\"\"\n"
        << "*/7 3 * * mon-fri nobody /bin/echo rampart-live-test >/dev/null %to stdin\n"
        << "@reboot root /bin/true rampart-live-test-reboot\n";
  }
  const Json rows = CollectScheduledTasks(HostView());
  int found = 0;
  for (const Json& r : rows.as_array()) {
    if (r.GetString("source") != file.path()) continue;
    ++found;
    if (r.GetString("schedule") == "@reboot") {
      EXPECT_EQ(r.GetString("user"), "root");
      EXPECT_EQ(r.GetString("command"), "/bin/true rampart-live-test-reboot");
      EXPECT_EQ(r.Find("line")->as_int(), 4);
      continue;
    }
    EXPECT_EQ(r.GetString("schedule"), "*/7 3 * * mon-fri");
    EXPECT_EQ(r.GetString("user"), "nobody");
    EXPECT_EQ(r.GetString("command"), "/bin/echo rampart-live-test >/dev/null");
    EXPECT_EQ(r.GetString("stdin"), "to stdin");
    EXPECT_EQ(r.GetString("type"), "cron");
    EXPECT_EQ(r.Find("line")->as_int(), 3);
  }
  EXPECT_EQ(found, 2);
}

TEST(ScheduledTasksLive, CollectsTheWholeHostQuickly) {
  const auto start = std::chrono::steady_clock::now();
  const Json rows = CollectScheduledTasks(HostView());
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::seconds(1));
  for (const Json& r : rows.as_array()) EXPECT_TRUE(ValidateRow(r, ScheduledTasksSchema()).ok());
}

}  // namespace
}  // namespace rampart::agent
