// SemVer 2.0.0 precedence (npm, Go modules, Cargo): the golden fixtures, the rules of semver.org
// §11, Go's forms, and the inputs rejected.
#include "agent/vuln/version_semver.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "agent/vuln/version_fixture_testing.h"

namespace rampart::agent::vuln {
namespace {

int Sign(int v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

int Cmp(std::string_view a, std::string_view b) {
  const Result<int> r = CompareSemverVersions(a, b);
  EXPECT_TRUE(r.ok()) << a << " vs " << b << ": " << r.status().ToString();
  return r.ok() ? Sign(*r) : 99;
}

TEST(SemverVersionFixtures, FixturePasses) {
  EXPECT_GE(testing::ExpectFixturePasses(
                "semver-versions.txt",
                [](std::string_view a, std::string_view b) { return CompareSemverVersions(a, b); }),
            80u);
}

TEST(SemverVersion, SpecExampleChainIsStrictlyIncreasing) {
  // semver.org §11.4.
  const std::vector<std::string> chain = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                                          "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                                          "1.0.0-rc.1",  "1.0.0",         "1.0.1",
                                          "1.1.0",       "2.0.0"};
  for (std::size_t i = 0; i < chain.size(); ++i) {
    for (std::size_t j = 0; j < chain.size(); ++j) {
      EXPECT_EQ(Cmp(chain[i], chain[j]), i < j ? -1 : (i == j ? 0 : 1))
          << chain[i] << " " << chain[j];
    }
  }
}

TEST(SemverVersion, NumericIdentifiersSortBeforeAlphanumericOnes) {
  EXPECT_EQ(Cmp("1.0.0-999", "1.0.0-a"), -1);
  EXPECT_EQ(Cmp("1.0.0-1a", "1.0.0-999"), 1);  // "1a" is alphanumeric
  EXPECT_EQ(Cmp("1.0.0-B", "1.0.0-a"), -1);    // ASCII order: upper case first
  EXPECT_EQ(Cmp("1.0.0--", "1.0.0-0"), 1);     // "-" is alphanumeric
}

TEST(SemverVersion, BuildMetadataIsIgnored) {
  EXPECT_EQ(Cmp("1.0.0+20130313144700", "1.0.0+exp.sha.5114f85"), 0);
  EXPECT_EQ(Cmp("v2.0.0+incompatible", "v2.0.0"), 0);
  EXPECT_EQ(Cmp("1.0.0-rc.1+build.1", "1.0.0-rc.1"), 0);
  EXPECT_EQ(Cmp("1.0.0+001", "1.0.0"), 0);  // build identifiers may have leading zeros
}

TEST(SemverVersion, GoPrefixesAndPseudoVersions) {
  EXPECT_EQ(Cmp("v1.2.3", "1.2.3"), 0);
  EXPECT_EQ(Cmp("=1.2.3", "v1.2.3"), 0);
  EXPECT_EQ(Cmp("v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200101000000-aaaaaaaaaaaa"), -1);
  EXPECT_EQ(Cmp("v0.0.0-20191109021931-daa7c04131f5", "v0.0.1"), -1);
  EXPECT_EQ(Cmp("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3"), 1);
  EXPECT_EQ(Cmp("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4-rc.1"), -1);
  EXPECT_EQ(Cmp("v1.2.3-pre.0.20191109021931-daa7c04131f5", "v1.2.3-pre"), 1);
}

TEST(SemverVersion, ShortAndLongFormsPadWithZeros) {
  EXPECT_EQ(Cmp("1", "1.0.0"), 0);
  EXPECT_EQ(Cmp("v1.2", "1.2.0"), 0);
  EXPECT_EQ(Cmp("1.2", "1.2.0-rc.1"), 1);
  EXPECT_EQ(Cmp("1.2.3.4", "1.2.3"), 1);
  EXPECT_EQ(Cmp("1.2.3.0", "1.2.3"), 0);
  EXPECT_EQ(Cmp("1.2.3.10", "1.2.3.9"), 1);
}

TEST(SemverVersion, NumbersOfAnyLengthCompareExactly) {
  EXPECT_EQ(Cmp("18446744073709551616.0.0", "18446744073709551615.0.0"), 1);
  EXPECT_EQ(Cmp("1.0.0-18446744073709551616", "1.0.0-9"), 1);
  EXPECT_EQ(Cmp("99999999999999999999.0.0", "100000000000000000000.0.0"), -1);
}

TEST(SemverVersion, InvalidInputIsAnErrorNamingIt) {
  for (const char* bad :
       {"",          "v",        "=",      "01.2.3",     "1.02.3",     "1.2.03",
        "1.2.3-01",  "1.2.3-",   "1.2.3+", "1.2.3-a..b", "1.2.3+a..b", "1.2.3-a_b",
        "1.2.3+a_b", " 1.2.3",   "1.2.3 ", "1.2.",       ".1.2",       "1..2",
        "a.b.c",     "1.2-beta", "1-rc",   "vv1.2.3",    "=v1.2.3",    "1.2.3-\xC3\xA9",
        "1.2.3foo",  "V1.2.3"}) {
    testing::ExpectRejectedNamingInput(
        [](std::string_view a, std::string_view b) { return CompareSemverVersions(a, b); },
        "semver", bad, "1.0.0");
  }
}

}  // namespace
}  // namespace rampart::agent::vuln
