#include "agent/collectors/systemd_unit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace rampart::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(SystemdUnit, ParsesSectionsKeysAndLineNumbers) {
  const auto a = ParseUnitFile(
      "[Unit]\nDescription = OpenBSD Secure Shell server \n\n[Service]\n"
      "ExecStart=/usr/sbin/sshd -D\n");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].section, "Unit");
  EXPECT_EQ(a[0].key, "Description");
  EXPECT_EQ(a[0].value, "OpenBSD Secure Shell server");
  EXPECT_EQ(a[0].line, 2u);
  EXPECT_EQ(a[1].section, "Service");
  EXPECT_EQ(a[1].value, "/usr/sbin/sshd -D");
  EXPECT_EQ(a[1].line, 5u);
}

TEST(SystemdUnit, SkipsHashAndSemicolonCommentsAndLinesWithoutEquals) {
  const auto a = ParseUnitFile(
      "# c1\n; c2\n[Service]\n  # indented comment\nnot an assignment\n"
      "User=nobody ; not a comment mid-line\n");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].value, "nobody ; not a comment mid-line");
}

TEST(SystemdUnit, DropsAssignmentsBeforeAnySectionAndAfterABrokenHeader) {
  const auto a = ParseUnitFile("User=early\n[Service\nUser=broken\n[Service]\nUser=ok\n");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].value, "ok");
}

TEST(SystemdUnit, JoinsContinuationLinesAndSkipsCommentsInside) {
  const auto a = ParseUnitFile(
      "[Service]\nExecStart=/bin/relay --a \\\n# skipped comment\n  --b \\\n; another\n  --c\n"
      "User=x\n");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].key, "ExecStart");
  EXPECT_EQ(a[0].value, "/bin/relay --a  --b  --c");
  EXPECT_EQ(a[0].line, 2u);
  EXPECT_EQ(a[1].key, "User");
  EXPECT_EQ(a[1].line, 7u);
}

TEST(SystemdUnit, ContinuationAtEndOfFileStillCounts) {
  const auto a = ParseUnitFile("[Service]\nExecStart=/bin/x \\");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].value, "/bin/x");
}

TEST(SystemdUnit, HandlesCrLfLineEndings) {
  const auto a = ParseUnitFile("[Service]\r\nUser=web\r\n");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].value, "web");
}

TEST(SystemdUnit, DropsLinesWithNulBytes) {
  const std::string text = std::string("[Service]\nUser=a\0b\nType=simple\n", 30);
  const auto a = ParseUnitFile(text);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].key, "Type");
}

TEST(SystemdUnit, DropsOverlongLogicalLinesButKeepsTheRest) {
  std::string text =
      "[Service]\nExecStart=/bin/" + std::string(kMaxUnitLogicalLine + 10, 'a') + "\nUser=after\n";
  auto a = ParseUnitFile(text);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].key, "User");
  // Also when the length comes from many continuation lines.
  std::string cont = "[Service]\nExecStart=/bin/x";
  for (int i = 0; i < 10000; ++i) cont += " \\\n0123456789";
  cont += "\nUser=after\n";
  a = ParseUnitFile(cont);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].key, "User");
}

TEST(SystemdUnit, BoundsTheNumberOfAssignments) {
  std::string text = "[Service]\n";
  for (std::size_t i = 0; i < kMaxUnitAssignments + 100; ++i) text += "Environment=A=1\n";
  EXPECT_EQ(ParseUnitFile(text).size(), kMaxUnitAssignments);
}

TEST(UnitConfig, LaterFilesOverrideSingleValues) {
  UnitConfig c;
  c.Apply(ParseUnitFile("[Service]\nUser=root\nType=simple\n"));
  c.Apply(ParseUnitFile("[Service]\nUser=www-data\n"));
  EXPECT_EQ(c.Get("Service", "User"), "www-data");
  EXPECT_EQ(c.Get("Service", "Type"), "simple");
  EXPECT_EQ(c.Get("Service", "Group"), "");
  EXPECT_EQ(c.Get("Unit", "User"), "");
}

TEST(UnitConfig, EmptyExecStartResetsTheList) {
  UnitConfig c;
  c.Apply(ParseUnitFile("[Service]\nExecStart=/a\nExecStart=/b\n"));
  EXPECT_THAT(c.GetList("Service", "ExecStart"), ElementsAre("/a", "/b"));
  c.Apply(ParseUnitFile("[Service]\nExecStart=\nExecStart=/c --x\n"));
  EXPECT_THAT(c.GetList("Service", "ExecStart"), ElementsAre("/c --x"));
  c.Apply(ParseUnitFile("[Service]\nExecStart=\n"));
  EXPECT_THAT(c.GetList("Service", "ExecStart"), IsEmpty());
}

TEST(UnitConfig, TimerTriggersShareOneListThatAnyEmptyAssignmentResets) {
  UnitConfig c;
  c.Apply(ParseUnitFile("[Timer]\nOnBootSec=15min\nOnUnitActiveSec=1d\nPersistent=true\n"));
  const std::vector<std::string_view> keys = {"OnBootSec", "OnUnitActiveSec", "OnCalendar"};
  EXPECT_THAT(c.GetSharedList("Timer", keys), ElementsAre("OnBootSec=15min", "OnUnitActiveSec=1d"));
  c.Apply(ParseUnitFile("[Timer]\nOnCalendar=\nOnCalendar=daily\n"));
  EXPECT_THAT(c.GetSharedList("Timer", keys), ElementsAre("OnCalendar=daily"));
}

TEST(StripExecPrefixes, RemovesEveryPrefixCombination) {
  EXPECT_EQ(StripExecPrefixes("-/sbin/agetty -o x"), "/sbin/agetty -o x");
  EXPECT_EQ(StripExecPrefixes("+/usr/bin/a"), "/usr/bin/a");
  EXPECT_EQ(StripExecPrefixes("!!/lib/systemd/x"), "/lib/systemd/x");
  EXPECT_EQ(StripExecPrefixes(":-+/bin/y arg"), "/bin/y arg");
  EXPECT_EQ(StripExecPrefixes("|/bin/z"), "/bin/z");
  EXPECT_EQ(StripExecPrefixes("/bin/plain --flag"), "/bin/plain --flag");
  EXPECT_EQ(StripExecPrefixes("-"), "");
}

TEST(StripExecPrefixes, AtPrefixDropsTheArgv0Override) {
  EXPECT_EQ(StripExecPrefixes("@/usr/local/bin/backup.sh backup-job --full /srv"),
            "/usr/local/bin/backup.sh --full /srv");
  EXPECT_EQ(StripExecPrefixes("-@/bin/sh \"my shell\" -c 'x y'"), "/bin/sh -c 'x y'");
  EXPECT_EQ(StripExecPrefixes("@/bin/true"), "/bin/true");
}

TEST(SplitUnitCommandLine, HonoursQuotesAndEscapes) {
  EXPECT_THAT(SplitUnitCommandLine("/sbin/agetty -o '-p -- \\\\u' --noclear - $TERM"),
              ElementsAre("/sbin/agetty", "-o", "-p -- \\\\u", "--noclear", "-", "$TERM"));
  EXPECT_THAT(SplitUnitCommandLine("/usr/sbin/nginx -g \"daemon on; master_process on;\""),
              ElementsAre("/usr/sbin/nginx", "-g", "daemon on; master_process on;"));
  EXPECT_THAT(SplitUnitCommandLine("/bin/echo a\\ b \"c \\\"d\\\"\""),
              ElementsAre("/bin/echo", "a b", "c \"d\""));
  EXPECT_THAT(SplitUnitCommandLine("/bin/x 'unterminated arg"),
              ElementsAre("/bin/x", "unterminated arg"));
  EXPECT_THAT(SplitUnitCommandLine("   "), IsEmpty());
}

TEST(UnitName, ParsesPlainTemplateAndInstanceNames) {
  UnitName n;
  ASSERT_TRUE(ParseUnitName("ssh.service", &n));
  EXPECT_FALSE(n.has_at);
  EXPECT_EQ(n.prefix, "ssh");
  EXPECT_EQ(n.suffix, ".service");
  ASSERT_TRUE(ParseUnitName("getty@.service", &n));
  EXPECT_TRUE(n.is_template());
  ASSERT_TRUE(ParseUnitName("getty@tty1.service", &n));
  EXPECT_TRUE(n.is_instance());
  EXPECT_EQ(n.instance, "tty1");
  EXPECT_EQ(n.TemplateName(), "getty@.service");
  EXPECT_FALSE(ParseUnitName("noextension", &n));
  EXPECT_FALSE(ParseUnitName("bad name.service", &n));
  EXPECT_FALSE(ParseUnitName("@x.service", &n));
  EXPECT_FALSE(ParseUnitName("x.", &n));
}

TEST(UnitName, ExpandsInstanceSpecifiers) {
  UnitName n;
  ASSERT_TRUE(ParseUnitName("systemd-fsck@dev-disk-by\\x2duuid-1234.service", &n));
  EXPECT_EQ(ExpandSpecifiers("%n|%N|%p|%i", n),
            "systemd-fsck@dev-disk-by\\x2duuid-1234.service|systemd-fsck@dev-disk-by\\x2duuid-1234|"
            "systemd-fsck|dev-disk-by\\x2duuid-1234");
  EXPECT_EQ(ExpandSpecifiers("%I", n), "dev/disk/by-uuid/1234");
  EXPECT_EQ(ExpandSpecifiers("%f", n), "/dev/disk/by-uuid/1234");
  EXPECT_EQ(ExpandSpecifiers("%j 100%% %Z %", n), "systemd 100% %Z %");
}

TEST(ParseListUnits, ReadsPlainSystemctlOutput) {
  const auto units = ParseListUnits(
      "ssh.service        loaded    active   running OpenBSD Secure Shell server\n"
      "\xe2\x97\x8f nginx.service loaded failed failed A high performance web server\n"
      "apt-daily.timer    loaded    active   waiting Daily apt download activities\n"
      "short line\n"
      "bogus name! loaded active running x\n");
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(units[0].name, "ssh.service");
  EXPECT_EQ(units[0].active, "active");
  EXPECT_EQ(units[0].sub, "running");
  EXPECT_EQ(units[1].name, "nginx.service");
  EXPECT_EQ(units[1].active, "failed");
  EXPECT_EQ(units[2].load, "loaded");
}

}  // namespace
}  // namespace rampart::agent
