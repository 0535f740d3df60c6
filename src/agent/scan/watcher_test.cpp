#include "agent/scan/watcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

namespace rampart::agent::scan {
namespace {

class WatcherTest : public ::testing::TestWithParam<Watcher::Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Watcher::Backend::kFanotify && ::geteuid() != 0) {
      GTEST_SKIP() << "fanotify needs CAP_SYS_ADMIN";
    }
    char tmpl[] = "/tmp/rampart-watch-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    std::filesystem::create_directories(dir_ + "/www/sub");
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  // Polls until `path` is reported or 1 s passes (the real-time promise).
  bool ReportedWithinOneSecond(Watcher& w, const std::string& path) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (std::chrono::steady_clock::now() < deadline) {
      auto got = w.Poll(100);
      EXPECT_TRUE(got.ok());
      for (const std::string& p : *got) {
        if (p == path) return true;
      }
    }
    return false;
  }
  std::string dir_;
};

TEST_P(WatcherTest, ReportsWrittenMovedAndNewDirectoryFiles) {
  auto w = Watcher::Start({dir_ + "/www"}, GetParam());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  // Written and closed.
  std::ofstream(dir_ + "/www/sub/a.php") << "<?php echo 1;";
  EXPECT_TRUE(ReportedWithinOneSecond(**w, dir_ + "/www/sub/a.php"));
  // Moved in from outside the watched tree.
  std::ofstream(dir_ + "/staged.php") << "x";
  std::filesystem::rename(dir_ + "/staged.php", dir_ + "/www/b.php");
  EXPECT_TRUE(ReportedWithinOneSecond(**w, dir_ + "/www/b.php"));
  // A directory created after the start is watched too.
  std::filesystem::create_directories(dir_ + "/www/new");
  ASSERT_TRUE((*w)->Poll(200).ok());
  std::ofstream(dir_ + "/www/new/c.sh") << "echo";
  EXPECT_TRUE(ReportedWithinOneSecond(**w, dir_ + "/www/new/c.sh"));
  // Files outside are not reported.
  std::ofstream(dir_ + "/outside") << "x";
  auto rest = (*w)->Poll(200);
  ASSERT_TRUE(rest.ok());
  for (const auto& p : *rest) EXPECT_NE(p, dir_ + "/outside");
}

TEST(Watcher, MissingDirectoryIsAnError) {
  EXPECT_FALSE(Watcher::Start({"/nonexistent/rampart"}, Watcher::Backend::kInotify).ok());
  EXPECT_FALSE(Watcher::Start({}, Watcher::Backend::kAuto).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, WatcherTest,
                         ::testing::Values(Watcher::Backend::kInotify, Watcher::Backend::kFanotify),
                         [](const ::testing::TestParamInfo<Watcher::Backend>& p) {
                           return p.param == Watcher::Backend::kInotify ? "Inotify" : "Fanotify";
                         });

}  // namespace
}  // namespace rampart::agent::scan
