#include "agent/sources/auth_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "agent/sources/auth_log_test_util.h"
#include "agent/sources/log_time.h"
#include "common/files.h"

namespace rampart::agent {
namespace {

using testing::DescribeAll;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::ParseText;

constexpr std::int64_t kT = 1795920687;  // 2026-11-29T02:51:27Z

AuthLogOptions RefOptions() {
  AuthLogOptions o;
  o.reference_time = kT;
  return o;
}

std::string Fixture(const std::string& name) {
  return std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/logs/" + name;
}

std::vector<std::string> ScanFixture(const std::string& name) {
  AuthLogOptions o;
  o.reference_time = kT;
  std::vector<LoginEvent> events;
  const Status s =
      ScanAuthLogFile(Fixture(name), o, [&](LoginEvent&& e) { events.push_back(std::move(e)); });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return DescribeAll(events);
}

TEST(AuthLogFixtures, DebianAuthLog) {
  EXPECT_THAT(
      ScanFixture("debian_auth.log"),
      ElementsAre("5 sshd failure password user=root source=203.0.113.5 port=50022",
                  "6 sshd failure password user=root source=203.0.113.5 port=50022",
                  "7 sshd failure password user=root source=203.0.113.5 port=50022 x2",
                  "11 sshd failure invalid_user user=admin source=198.51.100.7 port=41234 invalid",
                  "14 sshd failure password user=admin source=198.51.100.7 port=41234 invalid",
                  "16 sshd failure preauth user=ubuntu source=192.0.2.44 port=60100",
                  "18 sshd success publickey user=deploy source=2001:db8::10 port=51000",
                  "25 sshd failure password user=x from 6.6.6.6 port 22 ssh2 source=192.0.2.50 "
                  "port=40000 invalid",
                  "26 sshd success password user=alice source=::ffff:192.0.2.60 port=40001",
                  "28 sudo failure password user=bob source= port=0 x3",
                  "30 su failure password user=root source= port=0",
                  "31 su success password user=root source= port=0",
                  "32 login failure pam user=carol source= port=0",
                  "34 dropbear failure password user=root source=198.51.100.20 port=52000",
                  "35 dropbear failure preauth user=root source=198.51.100.20 port=52000 x2",
                  "36 dropbear success password user=pi source=198.51.100.21 port=52001"));
}

TEST(AuthLogFixtures, RhelSecureWithIsoTimestamps) {
  EXPECT_THAT(
      ScanFixture("rhel_secure_iso.log"),
      ElementsAre("1 sshd failure password user=root source=203.0.113.9 port=40022",
                  "2 sshd failure keyboard-interactive user=oracle source=203.0.113.9 port=40022 "
                  "invalid",
                  "4 sshd failure password user=root source=203.0.113.10 port=40023",
                  "5 sshd failure root_refused user=root source=203.0.113.11 port=0",
                  "6 sshd failure not_allowed user=guest source=203.0.113.12 port=0",
                  "7 sshd failure root_refused user=root source=203.0.113.13 port=4242",
                  "8 sshd failure invalid_user user=test source=203.0.113.14 port=40024 invalid",
                  "10 sshd success keyboard-interactive user=ops source=203.0.113.15 port=40025",
                  "11 sshd failure preauth user=root source=203.0.113.16 port=40026"));
}

TEST(AuthLogFixtures, OldOpenSsh) {
  EXPECT_THAT(
      ScanFixture("old_openssh.log"),
      ElementsAre("1 sshd failure invalid_user user=test source=::ffff:10.1.2.3 port=0 invalid",
                  "3 sshd failure password user=test source=::ffff:10.1.2.3 port=2201 invalid",
                  "5 sshd failure invalid_user user=oracle source=10.1.2.4 port=2202 invalid",
                  "6 sshd failure preauth user=root source= port=0",
                  "7 sshd failure root_refused user=root source=10.1.2.5 port=0",
                  "8 sshd failure password user=root source=10.1.2.6 port=2203"));
}

TEST(AuthLogFixtures, Rfc5424) {
  EXPECT_THAT(ScanFixture("rfc5424.log"),
              ElementsAre("1 sshd failure password user=admin source=192.0.2.200 port=2222",
                          "2 sshd success password user=admin source=192.0.2.200 port=2222"));
}

TEST(AuthLogFixtures, FtpDaemons) {
  EXPECT_THAT(ScanFixture("vsftpd.log"),
              ElementsAre("1 vsftpd failure password user=ftp source=192.0.2.31 port=0",
                          "2 vsftpd failure password user=bob source=::ffff:192.0.2.32 port=0",
                          "3 vsftpd success password user=bob source=192.0.2.33 port=0",
                          "4 vsftpd success password user=ftp source=192.0.2.34 port=0"));
  EXPECT_THAT(
      ScanFixture("ftp_syslog.log"),
      ElementsAre("2 vsftpd failure password user=bob source=192.0.2.41 port=0",
                  "3 proftpd failure password user=bob source=192.0.2.42 port=0",
                  "4 proftpd failure invalid_user user=nosuch source=192.0.2.42 port=0 invalid",
                  "5 proftpd success password user=carol source=::ffff:192.0.2.43 port=0",
                  "6 pure-ftpd failure password user=dave source=192.0.2.44 port=0",
                  "7 pure-ftpd success password user=dave source=192.0.2.44 port=0"));
  EXPECT_THAT(
      ScanFixture("proftpd_system.log"),
      ElementsAre("1 proftpd failure password user=root source=192.0.2.51 port=0",
                  "2 proftpd failure invalid_user user=ghost source=192.0.2.51 port=0 invalid"));
}

TEST(AuthLogFixtures, Databases) {
  EXPECT_THAT(ScanFixture("mysql_old.err"),
              ElementsAre("1 mysql failure password user=root source=192.0.2.61 port=0",
                          "3 mysql failure password user=app source=localhost port=0"));
  EXPECT_THAT(ScanFixture("mysql_new.err"),
              ElementsAre("1 mysql failure password user=root source=192.0.2.62 port=0",
                          "2 mysql failure password user=admin source=2001:db8::62 port=0",
                          "3 mysql failure password user=root source=192.0.2.63 port=0"));
  EXPECT_THAT(
      ScanFixture("postgres.log"),
      ElementsAre("2 postgresql failure password user=bob source=192.0.2.71 port=51000",
                  "4 postgresql failure password user=postgres source=192.0.2.72 port=51001",
                  "5 postgresql failure not_allowed user=eve source=192.0.2.73 port=0",
                  "6 postgresql failure password user=mallory source= port=0",
                  "8 postgresql success login user=app source=192.0.2.74 port=51002"));
}

TEST(AuthLogFixtures, TimesOfNativeFormats) {
  auto first_time = [](const std::string& name) {
    std::int64_t t = 0;
    AuthLogOptions o;
    o.reference_time = kT;
    EXPECT_TRUE(ScanAuthLogFile(Fixture(name), o, [&](LoginEvent&& e) {
                  if (t == 0) t = e.time;
                }).ok());
    return t;
  };
  EXPECT_EQ(first_time("debian_auth.log"), kT - 3);
  EXPECT_EQ(first_time("rhel_secure_iso.log"), kT - 3600);
  EXPECT_EQ(first_time("rfc5424.log"), kT);
  EXPECT_EQ(first_time("vsftpd.log"), kT);
  EXPECT_EQ(first_time("proftpd_system.log"), kT);
  EXPECT_EQ(first_time("mysql_old.err"),
            DaysFromCivil(2016, 11, 29) * 86400 + 2 * 3600 + 51 * 60 + 27);
  EXPECT_EQ(first_time("mysql_new.err"), kT);
  EXPECT_EQ(first_time("postgres.log"), kT);
}

// ---- Counting rules -------------------------------------------------------------------------

TEST(AuthLogCounting, FailedPublickeyFollowedBySuccessIsNotAFailure) {
  EXPECT_THAT(DescribeAll(ParseText(
                  "Nov 29 02:51:27 h sshd[5]: Failed publickey for a from 1.2.3.4 port 9 ssh2\n"
                  "Nov 29 02:51:27 h sshd[5]: Failed publickey for a from 1.2.3.4 port 9 ssh2\n"
                  "Nov 29 02:51:28 h sshd[5]: Accepted password for a from 1.2.3.4 port 9 ssh2\n")),
              ElementsAre("3 sshd success password user=a source=1.2.3.4 port=9"));
}

TEST(AuthLogCounting, FailedPublickeyWithoutSuccessCountsWhenTheConnectionEnds) {
  AuthLogParser parser(RefOptions());
  std::vector<LoginEvent> events;
  parser.ParseLine("Nov 29 02:51:27 h sshd[5]: Failed publickey for a from 1.2.3.4 port 9 ssh2", 1,
                   &events);
  EXPECT_THAT(events, IsEmpty());
  parser.ParseLine("Nov 29 02:51:29 h sshd[5]: Connection closed by 1.2.3.4 port 9 [preauth]", 2,
                   &events);
  EXPECT_THAT(DescribeAll(events),
              ElementsAre("1 sshd failure publickey user=a source=1.2.3.4 port=9"));
}

TEST(AuthLogCounting, PreauthDisconnectCountsOnlyWhenNothingElseDid) {
  // Failures already counted: the preauth lines add nothing.
  EXPECT_THAT(
      DescribeAll(ParseText(
          "Nov 29 02:51:27 h sshd[5]: Failed password for r from 1.2.3.4 port 9 ssh2\n"
          "Nov 29 02:51:28 h sshd[5]: error: maximum authentication attempts exceeded for r from "
          "1.2.3.4 port 9 ssh2 [preauth]\n"
          "Nov 29 02:51:28 h sshd[5]: Disconnecting authenticating user r 1.2.3.4 port 9: Too many "
          "authentication failures [preauth]\n")),
      ElementsAre("1 sshd failure password user=r source=1.2.3.4 port=9"));
  // Nothing counted (key offers are not logged at INFO): max attempts counts once, the following
  // disconnect of the same connection not again.
  EXPECT_THAT(
      DescribeAll(ParseText(
          "Nov 29 02:51:28 h sshd[6]: error: maximum authentication attempts exceeded for r from "
          "1.2.3.4 port 9 ssh2 [preauth]\n"
          "Nov 29 02:51:28 h sshd[6]: Disconnecting authenticating user r 1.2.3.4 port 9: Too many "
          "authentication failures [preauth]\n")),
      ElementsAre("1 sshd failure max_auth_attempts user=r source=1.2.3.4 port=9"));
  // A connection that succeeded never counts a preauth line.
  EXPECT_THAT(
      DescribeAll(ParseText(
          "Nov 29 02:51:27 h sshd[7]: Accepted publickey for r from 1.2.3.4 port 9 ssh2\n"
          "Nov 29 02:51:28 h sshd[7]: Connection closed by authenticating user r 1.2.3.4 port 9 "
          "[preauth]\n")),
      ElementsAre("1 sshd success publickey user=r source=1.2.3.4 port=9"));
  // An invalid user already announced: its preauth close adds nothing.
  EXPECT_THAT(DescribeAll(ParseText(
                  "Nov 29 02:51:27 h sshd[8]: Invalid user q from 1.2.3.4 port 9\n"
                  "Nov 29 02:51:28 h sshd[8]: Connection closed by invalid user q 1.2.3.4 port 9 "
                  "[preauth]\n")),
              ElementsAre("1 sshd failure invalid_user user=q source=1.2.3.4 port=9 invalid"));
}

TEST(AuthLogCounting, HeldPamNoticeCountsInsteadOfThePreauthLine) {
  EXPECT_THAT(
      DescribeAll(ParseText(
          "Nov 29 02:51:27 h sshd[5]: pam_unix(sshd:auth): authentication failure; logname= uid=0 "
          "euid=0 tty=ssh ruser= rhost=1.2.3.4  user=r\n"
          "Nov 29 02:51:29 h sshd[5]: Connection closed by authenticating user r 1.2.3.4 port 9 "
          "[preauth]\n")),
      ElementsAre("1 sshd failure pam user=r source=1.2.3.4 port=0"));
}

TEST(AuthLogCounting, PamNoticesOfSshdAreNotCountedTwice) {
  EXPECT_THAT(
      DescribeAll(ParseText(
          "Nov 29 02:51:27 h sshd[5]: pam_unix(sshd:auth): authentication failure; logname= uid=0 "
          "euid=0 tty=ssh ruser= rhost=1.2.3.4  user=r\n"
          "Nov 29 02:51:27 h sshd[5]: error: PAM: Authentication failure for r from 1.2.3.4\n"
          "Nov 29 02:51:27 h sshd[5]: Failed keyboard-interactive/pam for r from 1.2.3.4 port 9 "
          "ssh2\n"
          "Nov 29 02:51:30 h sshd[5]: PAM 1 more authentication failure; logname= uid=0 euid=0 "
          "tty=ssh ruser= rhost=1.2.3.4  user=r\n")),
      ElementsAre("3 sshd failure keyboard-interactive user=r source=1.2.3.4 port=9"));
}

TEST(AuthLogCounting, InvalidUserCountsOncePerConnection) {
  EXPECT_THAT(
      DescribeAll(ParseText("Jan  3 10:00:00 h sshd[5]: Invalid user t from 1.2.3.4\n"
                            "Jan  3 10:00:01 h sshd[5]: input_userauth_request: invalid user t\n"
                            "Jan  3 10:00:02 h sshd[6]: Invalid user t from 1.2.3.4\n")),
      ElementsAre("1 sshd failure invalid_user user=t source=1.2.3.4 port=0 invalid",
                  "3 sshd failure invalid_user user=t source=1.2.3.4 port=0 invalid"));
}

TEST(AuthLogCounting, SameProcessOnDifferentHostsIsDifferentConnections) {
  EXPECT_THAT(
      DescribeAll(ParseText(
          "Nov 29 02:51:27 a sshd[5]: Failed publickey for r from 1.2.3.4 port 9 ssh2\n"
          "Nov 29 02:51:28 b sshd[5]: Accepted publickey for r from 1.2.3.5 port 9 ssh2\n")),
      ElementsAre("2 sshd success publickey user=r source=1.2.3.5 port=9",
                  "1 sshd failure publickey user=r source=1.2.3.4 port=9"));
}

TEST(AuthLogCounting, DropbearExitCountsTheFailuresNotLogged) {
  EXPECT_THAT(
      DescribeAll(ParseText(
          "Nov 29 02:51:27 h dropbear[5]: Login attempt for nonexistent user from 1.2.3.4:9\n"
          "Nov 29 02:51:28 h dropbear[5]: Exit before auth from <1.2.3.4:9>: (user 'x', 4 fails): "
          "Max auth tries reached - user 'x'\n")),
      ElementsAre("1 dropbear failure invalid_user user= source=1.2.3.4 port=9 invalid",
                  "2 dropbear failure preauth user=x source=1.2.3.4 port=9 x4"));
}

TEST(AuthLogCounting, ManyOpenConnectionsAreBounded) {
  AuthLogParser parser(RefOptions());
  std::vector<LoginEvent> events;
  for (int pid = 1; pid <= 40000; ++pid) {
    parser.ParseLine("Nov 29 02:51:27 h sshd[" + std::to_string(pid) +
                         "]: Failed publickey for r from 1.2.3.4 port 9 ssh2",
                     static_cast<std::uint64_t>(pid), &events);
  }
  parser.Flush(&events);
  EXPECT_EQ(events.size(), 40000u);  // every held failure comes out exactly once
}

// ---- Header handling ------------------------------------------------------------------------

TEST(AuthLogHeaders, YearRolloverUsesTheReference) {
  AuthLogOptions o;
  o.reference_time = DaysFromCivil(2027, 1, 2) * 86400;
  const auto events = ParseText(
      "Dec 31 23:59:59 h sshd[5]: Failed password for r from 1.2.3.4\n"
      "Jan  1 00:00:01 h sshd[6]: Failed password for r from 1.2.3.4\n",
      o);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].time, DaysFromCivil(2027, 1, 1) * 86400 - 1);
  EXPECT_EQ(events[1].time, DaysFromCivil(2027, 1, 1) * 86400 + 1);
}

TEST(AuthLogHeaders, LocalOffsetAppliesToZonelessTimes) {
  AuthLogOptions o;
  o.local_utc_offset = 3600;
  const auto events = ParseText(
      "Nov 29 03:51:27 h sshd[5]: Failed password for r from 1.2.3.4\n"
      "2026-11-29T03:51:27 h sshd[6]: Failed password for r from 1.2.3.4\n"
      "2026-11-29T02:51:27Z h sshd[7]: Failed password for r from 1.2.3.4\n",
      o);
  ASSERT_EQ(events.size(), 3u);
  for (const auto& e : events) EXPECT_EQ(e.time, kT);
}

TEST(AuthLogHeaders, ForcedFormatIgnoresOtherFormats) {
  AuthLogOptions o;
  o.format = LogFormat::kRfc5424;
  EXPECT_THAT(ParseText("Nov 29 02:51:27 h sshd[5]: Failed password for r from 1.2.3.4\n"
                        "<38>1 2026-11-29T02:51:27Z h sshd 6 - - Failed password for r from "
                        "1.2.3.4\n",
                        o),
              ::testing::SizeIs(1));
  o.format = LogFormat::kMysql;
  EXPECT_THAT(ParseText("Nov 29 02:51:27 h sshd[5]: Failed password for r from 1.2.3.4\n"
                        "261129  2:51:27 [Warning] Access denied for user 'r'@'h' (using "
                        "password: YES)\n",
                        o),
              ::testing::SizeIs(1));
}

TEST(AuthLogHeaders, NoHostFieldAndFullProgramPath) {
  EXPECT_THAT(
      DescribeAll(ParseText("Nov 29 02:51:27 sshd[5]: Failed password for r from 1.2.3.4\n"
                            "Nov 29 02:51:27 h /usr/sbin/sshd[6]: Failed password for s from "
                            "1.2.3.4\n")),
      ElementsAre("1 sshd failure password user=r source=1.2.3.4 port=0",
                  "2 sshd failure password user=s source=1.2.3.4 port=0"));
}

TEST(AuthLogHeaders, GarbageAndTruncatedLinesYieldNothing) {
  EXPECT_THAT(ParseText("\n \nNov\nNov 29\nNov 29 02:51:27\nNov 29 02:51:27 h\n<38>1\n"
                        "2026-11-29T02:51:27Z\n\x01\x02\xff\n261129\n"),
              IsEmpty());
}

TEST(ParseLogFormat, NamesAndError) {
  EXPECT_EQ(*ParseLogFormat("auto"), LogFormat::kAuto);
  EXPECT_EQ(*ParseLogFormat("syslog"), LogFormat::kSyslog);
  EXPECT_EQ(*ParseLogFormat("rfc5424"), LogFormat::kRfc5424);
  EXPECT_EQ(*ParseLogFormat("iso8601"), LogFormat::kIso8601);
  EXPECT_EQ(*ParseLogFormat("mysql"), LogFormat::kMysql);
  EXPECT_EQ(*ParseLogFormat("postgres"), LogFormat::kPostgres);
  auto bad = ParseLogFormat("json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("expected auto, syslog"), std::string::npos);
}

// ---- ScanAuthLogFile ------------------------------------------------------------------------

class ScanFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rampart_authlog_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::vector<LoginEvent> Scan(const std::string& path, Status* status) {
    std::vector<LoginEvent> events;
    AuthLogOptions o;
    o.reference_time = kT;
    *status = ScanAuthLogFile(path, o, [&](LoginEvent&& e) { events.push_back(std::move(e)); });
    return events;
  }
  std::string dir_;
};

TEST_F(ScanFile, CrLfAndMissingFinalNewline) {
  const auto path = Write("auth.log",
                          "Nov 29 02:51:27 h sshd[5]: Failed password for a from 1.2.3.4\r\n"
                          "Nov 29 02:51:28 h sshd[6]: Failed password for b from 1.2.3.5");
  Status s;
  const auto events = Scan(path, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_THAT(DescribeAll(events),
              ElementsAre("1 sshd failure password user=a source=1.2.3.4 port=0",
                          "2 sshd failure password user=b source=1.2.3.5 port=0"));
  EXPECT_EQ(events[0].file, path);
}

TEST_F(ScanFile, LinesSpanningReadBlocks) {
  std::string text;
  for (int i = 0; i < 30000; ++i) {
    text += "Nov 29 02:51:27 h sshd[" + std::to_string(i) + "]: Failed password for user" +
            std::to_string(i) + " from 1.2.3.4 port 22 ssh2\n";
  }
  Status s;
  const auto events = Scan(Write("big.log", text), &s);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(events.size(), 30000u);
  for (std::size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(events[i].user, "user" + std::to_string(i));
    ASSERT_EQ(events[i].line, i + 1);
  }
}

TEST_F(ScanFile, ReadsGzipRotatedFiles) {
  const auto path = Write("auth.log.1",
                          "Nov 29 02:51:27 h sshd[5]: Failed password for a from "
                          "1.2.3.4\n");
  ASSERT_EQ(std::system(("gzip -f '" + path + "'").c_str()), 0);
  Status s;
  const auto events = Scan(path + ".gz", &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_THAT(DescribeAll(events),
              ElementsAre("1 sshd failure password user=a source=1.2.3.4 port=0"));
}

TEST_F(ScanFile, CorruptArchiveIsDataLoss) {
  Status s;
  (void)Scan(Write("bad.gz", "not gzip at all"), &s);
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("bad.gz"), std::string::npos);
}

TEST_F(ScanFile, ErrorsNameTheFile) {
  Status s;
  (void)Scan(dir_ + "/missing.log", &s);
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_NE(s.message().find("missing.log"), std::string::npos);
  (void)Scan(dir_, &s);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("directory"), std::string::npos);
}

}  // namespace
}  // namespace rampart::agent
