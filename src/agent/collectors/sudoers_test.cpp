#include "agent/collectors/sudoers.h"

#include <gtest/gtest.h>

namespace rampart::agent {
namespace {

SudoPolicy PolicyOf(std::string_view text) {
  SudoPolicy p;
  p.Add(ParseSudoers(text));
  p.Finish();
  return p;
}

TEST(Sudoers, ParsesUserGroupUidGidAndAllPrincipals) {
  const auto f = ParseSudoers(
      "root\tALL=(ALL:ALL) ALL\n"
      "%sudo ALL=(ALL:ALL) ALL\n"
      "alice, bob ,carol ALL = NOPASSWD: /bin/ls\n"
      "#1000 ALL=(ALL) ALL\n"
      "%#27 ALL=(ALL) ALL\n");
  ASSERT_EQ(f.grants.size(), 7u);
  EXPECT_EQ(f.grants[0].who, "root");
  EXPECT_EQ(f.grants[0].line, 1u);
  EXPECT_FALSE(f.grants[0].nopasswd);
  EXPECT_EQ(f.grants[1].who, "%sudo");
  EXPECT_EQ(f.grants[2].who, "alice");
  EXPECT_EQ(f.grants[3].who, "bob");
  EXPECT_EQ(f.grants[4].who, "carol");
  EXPECT_TRUE(f.grants[4].nopasswd);
  EXPECT_EQ(f.grants[5].who, "#1000");
  EXPECT_EQ(f.grants[6].who, "%#27");
}

TEST(Sudoers, SkipsCommentsDefaultsAndOtherAliases) {
  const auto f = ParseSudoers(
      "# bob ALL=(ALL) ALL\n"
      "Defaults\tenv_reset\n"
      "Defaults:bob !requiretty\n"
      "Host_Alias SERVERS = web1, web2\n"
      "Cmnd_Alias RESTART = /bin/systemctl restart app, \\\n   /bin/systemctl reload app\n"
      "Runas_Alias OP = root\n"
      "dave ALL=(ALL) ALL # trailing comment\n"
      "just some words\n"
      "= ALL\n");
  ASSERT_EQ(f.grants.size(), 1u);
  EXPECT_EQ(f.grants[0].who, "dave");
  EXPECT_EQ(f.grants[0].line, 8u);
}

TEST(Sudoers, ReadsIncludeDirectivesInBothSpellings) {
  const auto f = ParseSudoers(
      "#includedir /etc/sudoers.d\n@includedir /opt/sudo.d\n#include /etc/sudoers.local\n"
      "@include \"relative file\"\n#include\n");
  EXPECT_EQ(f.includedirs, (std::vector<std::string>{"/etc/sudoers.d", "/opt/sudo.d"}));
  EXPECT_EQ(f.includes, (std::vector<std::string>{"/etc/sudoers.local", "relative file"}));
  EXPECT_TRUE(f.grants.empty());
}

TEST(Sudoers, ExpandsUserAliasesAcrossContinuationsAndNesting) {
  const auto p = PolicyOf(
      "User_Alias ADMINS = alice, \\\n  %ops : DEVS = DEPLOYERS, erin\n"
      "User_Alias DEPLOYERS = deploy, #2001\n"
      "ADMINS ALL=(ALL) ALL\n"
      "DEVS ALL=(ALL) NOPASSWD: ALL\n");
  EXPECT_TRUE(p.Grants("alice", 1000, {"alice"}, {1000}));
  EXPECT_TRUE(p.Grants("frank", 1005, {"frank", "ops"}, {1005, 50}));
  bool nopasswd = false;
  EXPECT_TRUE(p.Grants("deploy", 1002, {"deploy"}, {1002}, &nopasswd));
  EXPECT_TRUE(nopasswd);
  EXPECT_TRUE(p.Grants("svc", 2001, {"svc"}, {2001}));
  EXPECT_TRUE(p.Grants("erin", 1003, {"erin"}, {1003}));
  EXPECT_FALSE(p.Grants("mallory", 1004, {"mallory"}, {1004}));
}

TEST(Sudoers, AliasCyclesTerminate) {
  const auto p = PolicyOf("User_Alias A = B, x\nUser_Alias B = A, y\nA ALL=(ALL) ALL\n");
  EXPECT_TRUE(p.Grants("x", 1, {}, {}));
  EXPECT_TRUE(p.Grants("y", 2, {}, {}));
}

TEST(Sudoers, MatchesGroupsByNameAndGidAndIgnoresNegations) {
  const auto p = PolicyOf(
      "%wheel ALL=(ALL) ALL\n%#27 ALL=(ALL) ALL\n!bob ALL=(ALL) ALL\n"
      "+netgroup ALL=(ALL) ALL\n%:AD\\ Admins ALL=(ALL) ALL\n");
  EXPECT_TRUE(p.Grants("ops", 1000, {"ops", "wheel"}, {1000, 10}));
  EXPECT_TRUE(p.Grants("eve", 1001, {"eve"}, {1001, 27}));
  EXPECT_FALSE(p.Grants("bob", 1002, {"bob"}, {1002}));
}

TEST(Sudoers, AllGrantsEveryone) {
  bool nopasswd = false;
  EXPECT_TRUE(PolicyOf("ALL ALL=(ALL) NOPASSWD: ALL\n").Grants("anyone", 5, {}, {}, &nopasswd));
  EXPECT_TRUE(nopasswd);
}

TEST(Sudoers, ReadsIncludedirSkippingDotAndTildeNames) {
  auto host = HostView::Open(RAMPART_SOURCE_DIR "/tests/testdata/root-debian");
  ASSERT_TRUE(host);
  const SudoPolicy p = ReadSudoPolicy(*host);
  bool nopasswd = false;
  EXPECT_TRUE(p.Grants("deploy", 1002, {"deploy"}, {1002}, &nopasswd));  // sudoers.d/90-deploy
  EXPECT_TRUE(nopasswd);
  EXPECT_TRUE(p.Grants("root", 0, {"root"}, {0}));
  EXPECT_TRUE(p.Grants("alice", 1000, {"alice", "adm", "sudo"}, {1000, 4, 27}));
  EXPECT_FALSE(p.Grants("bob", 1001, {"bob"}, {1001}));  // only in bob.conf and 90-deploy~
}

TEST(Sudoers, ResolvesRelativeIncludesNextToTheIncludingFile) {
  auto host = HostView::Open(RAMPART_SOURCE_DIR "/tests/testdata/root-alpine");
  ASSERT_TRUE(host);
  EXPECT_TRUE(ReadSudoPolicy(*host).Grants("nginx", 100, {"nginx"}, {101}));
}

TEST(Sudoers, HashIncludedirIsNotAComment) {
  auto host = HostView::Open(RAMPART_SOURCE_DIR "/tests/testdata/root-rpm");
  ASSERT_TRUE(host);
  bool nopasswd = false;
  EXPECT_TRUE(ReadSudoPolicy(*host).Grants("ops", 1000, {"ops"}, {1000}, &nopasswd));
  EXPECT_TRUE(nopasswd);  // "#1000 ALL=(ALL) NOPASSWD: ALL" in sudoers.d/ansible
}

}  // namespace
}  // namespace rampart::agent
