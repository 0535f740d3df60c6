// sshd effective configuration: first value wins, Include expands in place (globs, relative to
// /etc/ssh, inside the Match it appears in), Match blocks override for matching connections,
// OpenSSH defaults fill the rest.
#include "agent/baseline/sshd_config.h"

#include <gtest/gtest.h>

#include <map>

namespace rampart::agent::baseline {
namespace {

SshdIncludeReader Files(std::map<std::string, std::string> files) {
  return [files](const std::string& pattern) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [path, content] : files) {
      // a trailing "*.conf" glob is all these tests need
      const auto star = pattern.find('*');
      if (star == std::string::npos
              ? path == pattern
              : path.compare(0, star, pattern, 0, star) == 0 && path.size() > 5 &&
                    path.substr(path.size() - 5) == ".conf") {
        out.emplace_back(path, content);
      }
    }
    return out;
  };
}

TEST(SshdConfig, FirstValueWinsAndIncludeComesFirstWhereWritten) {
  // Debian's layout: the Include is at the top, so a drop-in overrides the main file.
  const auto cfg = ParseSshdConfig(
      "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\nPasswordAuthentication yes\n",
      "/etc/ssh/sshd_config",
      Files({{"/etc/ssh/sshd_config.d/10-hard.conf", "PermitRootLogin no\n"},
             {"/etc/ssh/sshd_config.d/20-late.conf", "permitrootlogin prohibit-password\n"}}));
  auto v = SshdGlobalValue(cfg, "permitrootlogin");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->value, "no");
  EXPECT_EQ(v->source, "/etc/ssh/sshd_config.d/10-hard.conf:1");
  EXPECT_EQ(SshdGlobalValue(cfg, "passwordauthentication")->source, "/etc/ssh/sshd_config:3");
}

TEST(SshdConfig, RelativeIncludeIsUnderEtcSsh) {
  const auto cfg = ParseSshdConfig("Include extra.conf\n", "/etc/ssh/sshd_config",
                                   Files({{"/etc/ssh/extra.conf", "MaxAuthTries 3\n"}}));
  EXPECT_EQ(SshdGlobalValue(cfg, "maxauthtries")->value, "3");
}

TEST(SshdConfig, DefaultsFillUnsetKeywords) {
  const auto cfg = ParseSshdConfig("# nothing\n", "/etc/ssh/sshd_config", Files({}));
  auto v = SshdGlobalValue(cfg, "permitrootlogin");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->value, "prohibit-password");
  EXPECT_EQ(v->source, "default");
  EXPECT_EQ(SshdGlobalValue(cfg, "maxauthtries")->value, "6");
  EXPECT_FALSE(SshdGlobalValue(cfg, "nosuchkeyword").has_value());
}

TEST(SshdConfig, MatchBlocksOverrideForMatchingConnections) {
  const auto cfg = ParseSshdConfig(
      "PasswordAuthentication no\n"
      "Match User deploy,!root Address 10.0.0.0/8\n"
      "  PasswordAuthentication yes\n"
      "Match Group admins\n"
      "  PasswordAuthentication yes\n"
      "Match all\n"
      "  X11Forwarding no\n",
      "/etc/ssh/sshd_config", Files({}));
  ASSERT_EQ(cfg.matches.size(), 3u);
  EXPECT_EQ(cfg.global.size(), 1u);  // directives after Match belong to the block
  EXPECT_EQ(SshdGlobalValue(cfg, "passwordauthentication")->value, "no");
  SshdConnection deploy{"deploy", "", "10.1.2.3", "", ""};
  EXPECT_EQ(SshdValueFor(cfg, "passwordauthentication", deploy)->value, "yes");
  SshdConnection outside{"deploy", "", "192.168.1.1", "", ""};
  EXPECT_EQ(SshdValueFor(cfg, "passwordauthentication", outside)->value, "no");
  SshdConnection root{"root", "", "10.1.2.3", "", ""};
  EXPECT_EQ(SshdValueFor(cfg, "passwordauthentication", root)->value, "no");  // negated
  EXPECT_EQ(SshdValueFor(cfg, "x11forwarding", outside)->value, "no");        // Match all
}

TEST(SshdConfig, IncludeInsideMatchStaysInThatMatch) {
  const auto cfg = ParseSshdConfig("Match User bob\n  Include bob.conf\n", "/etc/ssh/sshd_config",
                                   Files({{"/etc/ssh/bob.conf", "AllowTcpForwarding yes\n"}}));
  ASSERT_EQ(cfg.matches.size(), 1u);
  ASSERT_EQ(cfg.matches[0].directives.size(), 1u);
  EXPECT_EQ(cfg.matches[0].directives[0].file, "/etc/ssh/bob.conf");
  EXPECT_EQ(SshdGlobalValue(cfg, "allowtcpforwarding")->source, "default");
}

TEST(SshdConfig, IncludeLoopsAreCut) {
  const auto cfg = ParseSshdConfig("Include a.conf\n", "/etc/ssh/sshd_config",
                                   Files({{"/etc/ssh/a.conf", "Include b.conf\nPort 2222\n"},
                                          {"/etc/ssh/b.conf", "Include a.conf\n"}}));
  EXPECT_EQ(SshdGlobalValue(cfg, "port")->value, "2222");
  ASSERT_FALSE(cfg.problems.empty());
  EXPECT_NE(cfg.problems[0].find("loop"), std::string::npos);
}

TEST(SshdConfig, EqualsSignQuotesAndAliases) {
  const auto cfg =
      ParseSshdConfig("ChallengeResponseAuthentication=no\nBanner \"/etc/issue net\"\n",
                      "/etc/ssh/sshd_config", Files({}));
  EXPECT_EQ(SshdGlobalValue(cfg, "kbdinteractiveauthentication")->value, "no");
  EXPECT_EQ(SshdGlobalValue(cfg, "banner")->value, "/etc/issue net");
}

}  // namespace
}  // namespace rampart::agent::baseline
