// ScanJournal against real journal files: export-format text
// (tests/testdata/logs/journal_export.txt) is turned into a .journal file with Debian's
// systemd-journal-remote, since journald does not run on the build machines.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "agent/sources/auth_log.h"
#include "agent/sources/auth_log_test_util.h"

namespace rampart::agent {
namespace {

using testing::DescribeAll;
using ::testing::ElementsAre;

constexpr const char* kJournalRemote = "/lib/systemd/systemd-journal-remote";

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kJournalRemote, X_OK) != 0) GTEST_SKIP() << kJournalRemote << " is not installed";
    char tmpl[] = "/tmp/rampart_journal_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) std::system(("rm -rf '" + dir_ + "'").c_str());
  }
  // Writes `export_path` (journal export format) into DIR/name.journal.
  std::string MakeJournal(const std::string& export_path, const std::string& name) {
    const std::string out = dir_ + "/" + name + ".journal";
    const std::string cmd =
        std::string(kJournalRemote) + " -o '" + out + "' - < '" + export_path + "' 2>/dev/null";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return out;
  }
  std::vector<LoginEvent> Scan(const std::vector<std::string>& paths, Status* status) {
    std::vector<LoginEvent> events;
    *status = ScanJournal(paths, [&](LoginEvent&& e) { events.push_back(std::move(e)); });
    return events;
  }
  std::string dir_;
};

const std::string kFixture =
    std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/logs/journal_export.txt";

TEST_F(JournalTest, ReadsJournalFilesWithRealtimeTimestamps) {
  const std::string file = MakeJournal(kFixture, "a");
  Status s;
  const auto events = Scan({file}, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_THAT(DescribeAll(events),
              ElementsAre("0 sshd failure password user=root source=203.0.113.81 port=50100",
                          "0 sshd failure invalid_user user=x from 6.6.6.6 port 22 "
                          "source=203.0.113.82 port=50101 invalid",
                          "0 sshd success publickey user=ops source=2001:db8::83 port=50102"));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].time, 1795920687);
  EXPECT_EQ(events[0].time_nsec, 123456000);
  EXPECT_EQ(events[0].file, "journal");
  EXPECT_EQ(events[0].host, "jhost");
}

TEST_F(JournalTest, ReadsJournalDirectories) {
  MakeJournal(kFixture, "b");
  Status s;
  const auto events = Scan({dir_}, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(events.size(), 3u);
}

TEST_F(JournalTest, PublickeyFailureAndSuccessOnOneConnection) {
  const std::string export_path = dir_ + "/pk.txt";
  std::ofstream(export_path)
      << "__REALTIME_TIMESTAMP=1795920687000000\n__MONOTONIC_TIMESTAMP=1\n"
         "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=h\nSYSLOG_IDENTIFIER=sshd\n"
         "_PID=7\nMESSAGE=Failed publickey for a from 192.0.2.1 port 9 ssh2: RSA SHA256:x\n\n"
         "__REALTIME_TIMESTAMP=1795920688000000\n__MONOTONIC_TIMESTAMP=2\n"
         "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=h\nSYSLOG_IDENTIFIER=sshd\n"
         "_PID=7\nMESSAGE=Accepted password for a from 192.0.2.1 port 9 ssh2\n\n"
         "__REALTIME_TIMESTAMP=1795920689000000\n__MONOTONIC_TIMESTAMP=3\n"
         "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=h\nSYSLOG_IDENTIFIER=dropbear\n"
         "_PID=8\nMESSAGE=Bad password attempt for 'root' from 192.0.2.2:5\n\n";
  const std::string file = MakeJournal(export_path, "pk");
  Status s;
  EXPECT_THAT(DescribeAll(Scan({file}, &s)),
              ElementsAre("0 sshd success password user=a source=192.0.2.1 port=9",
                          "0 dropbear failure password user=root source=192.0.2.2 port=5"));
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(JournalTest, MissingPathIsNotFound) {
  Status s;
  Scan({dir_ + "/nope.journal"}, &s);
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_NE(s.message().find("nope.journal"), std::string::npos);
}

}  // namespace
}  // namespace rampart::agent
