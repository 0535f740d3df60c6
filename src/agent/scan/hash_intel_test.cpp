#include "agent/scan/hash_intel.h"

#include <gtest/gtest.h>

namespace rampart::agent::scan {
namespace {

const std::string kSha(64, 'a');
const std::string kMd5(32, 'b');

TEST(Blocklist, ParsesPlainLinesCsvAndHeader) {
  const std::string text = "sha256,name,severity,family\n" + kSha +
                           ",Mirai.A,critical,botnet\n# comment\n\n" + kMd5 + "  Some Trojan\n" +
                           std::string(64, 'C') + "\n";
  auto list = ParseBlocklist(text, "bl.csv");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].sha256, kSha);
  EXPECT_EQ((*list)[0].name, "Mirai.A");
  EXPECT_EQ((*list)[0].severity, "critical");
  EXPECT_EQ((*list)[0].family, "botnet");
  EXPECT_EQ((*list)[1].md5, kMd5);
  EXPECT_EQ((*list)[1].name, "Some Trojan");
  EXPECT_EQ((*list)[1].severity, "high");
  EXPECT_EQ((*list)[2].sha256, std::string(64, 'c'));  // lower-cased
}

TEST(Blocklist, BadLinesNameFileAndLine) {
  auto r = ParseBlocklist(kSha + "\nnot-a-hash\n", "/etc/bl.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("/etc/bl.txt:2: expected a SHA-256", 0), 0u)
      << r.status().message();
  EXPECT_FALSE(ParseBlocklist(std::string(40, 'a') + "\n", "x").ok());  // SHA-1 length
  auto sev = ParseBlocklist(kSha + ",n,severe\n", "x");
  ASSERT_FALSE(sev.ok());
  EXPECT_NE(sev.status().message().find("x:1: severity"), std::string::npos);
}

TEST(Allowlist, ParsesKindsAndRejectsRelativePaths) {
  auto list = ParseAllowlist(
      "sha256:" + kSha + "\npath:/opt/app/*.so\ndir:/srv/trusted/\n" + kSha + "\n", "al");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 4u);
  EXPECT_EQ((*list)[2].kind, TrustEntry::Kind::kDirectory);
  EXPECT_EQ((*list)[2].value, "/srv/trusted");
  auto bad = ParseAllowlist("\npath:relative/*\n", "al.txt");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("al.txt:2:", 0), 0u);
  EXPECT_FALSE(ParseAllowlist("sha256:abc\n", "al").ok());
  EXPECT_FALSE(ParseAllowlist("/just/a/path\n", "al").ok());
}

TEST(HashIntel, MatchesBlockedHashesAndTrustedPaths) {
  HashIntel intel;
  intel.AddBlock({kSha, "", "evil", "critical", "x"});
  intel.AddBlock({"", kMd5, "old", "high", ""});
  intel.AddTrust({TrustEntry::Kind::kDirectory, "/srv/ok"});
  intel.AddTrust({TrustEntry::Kind::kPathGlob, "/opt/*/bin/tool"});
  intel.AddTrust({TrustEntry::Kind::kSha256, std::string(64, 'd')});
  ASSERT_NE(intel.Blocked(kSha, ""), nullptr);
  EXPECT_EQ(intel.Blocked(kSha, "")->name, "evil");
  EXPECT_EQ(intel.Blocked(std::string(64, 'e'), kMd5)->name, "old");
  EXPECT_EQ(intel.Blocked(std::string(64, 'e'), ""), nullptr);
  EXPECT_TRUE(intel.needs_md5());
  EXPECT_TRUE(intel.TrustedPath("/srv/ok/a/b.php"));
  EXPECT_FALSE(intel.TrustedPath("/srv/okay/b.php"));
  EXPECT_TRUE(intel.TrustedPath("/opt/vendor/bin/tool"));
  EXPECT_FALSE(intel.TrustedPath("/opt/vendor/bin/tool2"));
  EXPECT_TRUE(intel.TrustedHash(std::string(64, 'd')));
}

}  // namespace
}  // namespace rampart::agent::scan
