// `sshd -T` output parsing, sshd's time format and algorithm-list modifiers (the live comparison of
// sshd -T with the file parser is sshd_effective_root_test.cpp).
#include "agent/baseline/sshd_effective.h"

#include <gtest/gtest.h>

#include "agent/baseline/sshd_config.h"

namespace rampart::agent::baseline {
namespace {

TEST(SshdTestOutput, KeywordsValuesAndRepeatedKeywords) {
  const auto v = ParseSshdTestOutput(
      "port 22\n"
      "permitrootlogin without-password\n"
      "listenaddress [::]:22\n"
      "listenaddress 0.0.0.0:22\n"
      "allowusers alice\n"
      "allowusers bob@10.0.0.0/8\n"
      "lonelykeyword\n"
      "\n"
      "subsystem sftp /usr/lib/openssh/sftp-server\n");
  EXPECT_EQ(v.at("port"), "22");
  EXPECT_EQ(v.at("permitrootlogin"), "prohibit-password");
  EXPECT_EQ(v.at("listenaddress"), "[::]:22 0.0.0.0:22");
  EXPECT_EQ(v.at("allowusers"), "alice bob@10.0.0.0/8");
  EXPECT_EQ(v.at("subsystem"), "sftp /usr/lib/openssh/sftp-server");
  EXPECT_EQ(v.count("lonelykeyword"), 0u);
}

TEST(SshdTestOutput, RunRefusesAMissingProgram) {
  auto r = RunSshdTest("/nonexistent/sshd", "", "");
  EXPECT_FALSE(r.ok());
}

TEST(SshdTestOutput, RunRejectsOutputThatIsNotAConfiguration) {
  // /bin/echo prints "-T": a program that runs but prints no configuration is an error.
  auto r = RunSshdTest("/bin/echo", "", "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("printed no configuration"), std::string::npos);
}

TEST(SshdTime, Formats) {
  EXPECT_EQ(ParseSshdTime("120"), 120);
  EXPECT_EQ(ParseSshdTime("1m"), 60);
  EXPECT_EQ(ParseSshdTime("1m30s"), 90);
  EXPECT_EQ(ParseSshdTime("1h"), 3600);
  EXPECT_EQ(ParseSshdTime("2D"), 172800);
  EXPECT_EQ(ParseSshdTime("1w"), 604800);
  EXPECT_EQ(ParseSshdTime("0"), 0);
  EXPECT_FALSE(ParseSshdTime(""));
  EXPECT_FALSE(ParseSshdTime("m"));
  EXPECT_FALSE(ParseSshdTime("10x"));
  EXPECT_FALSE(ParseSshdTime("-5"));
  EXPECT_FALSE(ParseSshdTime("99999999999999999999"));
}

TEST(SshdConfigNormalizes, TimeKeywordsInSecondsAndOldPermitRootLoginSpelling) {
  const auto cfg = ParseSshdConfig(
      "LoginGraceTime 1m\nClientAliveInterval 5m\nPermitRootLogin without-password\nBanner 1m\n"
      "LogLevel debug1\n",
      "/etc/ssh/sshd_config",
      [](const std::string&) { return std::vector<std::pair<std::string, std::string>>{}; });
  EXPECT_EQ(SshdGlobalValue(cfg, "logingracetime")->value, "60");
  EXPECT_EQ(SshdGlobalValue(cfg, "clientaliveinterval")->value, "300");
  EXPECT_EQ(SshdGlobalValue(cfg, "permitrootlogin")->value, "prohibit-password");
  EXPECT_EQ(SshdGlobalValue(cfg, "banner")->value, "1m");  // not a time keyword
  EXPECT_EQ(SshdGlobalValue(cfg, "loglevel")->value, "DEBUG");
}

TEST(SshdAlgorithms, PlusMinusCaretAndWildcards) {
  const std::string def = *SshdDefault("ciphers");
  EXPECT_EQ(SshdExpandAlgorithms("ciphers", "aes256-ctr"), "aes256-ctr");
  EXPECT_EQ(SshdExpandAlgorithms("ciphers", "+aes128-cbc"), def + ",aes128-cbc");
  EXPECT_EQ(SshdExpandAlgorithms("ciphers", "^aes128-cbc"), "aes128-cbc," + def);
  const std::string no_ctr = SshdExpandAlgorithms("ciphers", "-aes*-ctr");
  EXPECT_EQ(no_ctr, "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-gcm@openssh.com");
  EXPECT_EQ(SshdExpandAlgorithms("macs", "-hmac-sha1,hmac-sha1-etm@openssh.com").find("sha1,"),
            std::string::npos);
  // A keyword without a default list keeps the value as written.
  EXPECT_EQ(SshdExpandAlgorithms("banner", "+x"), "+x");
}

}  // namespace
}  // namespace rampart::agent::baseline
