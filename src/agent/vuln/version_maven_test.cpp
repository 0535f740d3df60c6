// Maven ordering per the POM "Version Order Specification" as OSV implements it: the golden
// fixtures, the specification's own examples, and what differs from Apache Maven's
// ComparableVersion.
#include "agent/vuln/version_maven.h"

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
  const Result<int> r = CompareMavenVersions(a, b);
  EXPECT_TRUE(r.ok()) << a << " vs " << b << ": " << r.status().ToString();
  return r.ok() ? Sign(*r) : 99;
}

std::size_t CheckFixture(const std::string& name) {
  return testing::ExpectFixturePasses(
      name, [](std::string_view a, std::string_view b) { return CompareMavenVersions(a, b); });
}

TEST(MavenVersionFixtures, HandWrittenFixturePasses) {
  EXPECT_GE(CheckFixture("maven-versions.txt"), 100);
}

TEST(MavenVersionFixtures, GeneratedFixturePasses) {
  EXPECT_GE(CheckFixture("maven-versions-generated.txt"), 14700);
}

TEST(MavenVersion, QualifiersFollowTheKnownOrderThenTheAlphabet) {
  const std::vector<std::string> chain = {"1-alpha", "1-beta", "1-milestone", "1-rc",  "1-snapshot",
                                          "1",       "1-sp",   "1-abc",       "1-xyz", "1-1"};
  for (std::size_t i = 0; i < chain.size(); ++i) {
    for (std::size_t j = 0; j < chain.size(); ++j) {
      EXPECT_EQ(Cmp(chain[i], chain[j]), i < j ? -1 : (i == j ? 0 : 1))
          << chain[i] << " " << chain[j];
    }
  }
  EXPECT_EQ(Cmp("1-cr", "1-rc"), 0);
  EXPECT_EQ(Cmp("1-GA", "1"), 0);
  EXPECT_EQ(Cmp("1.Final", "1"), 0);
  EXPECT_EQ(Cmp("1-RELEASE", "1"), 0);
}

TEST(MavenVersion, SingleLetterAbbreviatesOnlyWhenDirectlyFollowedByADigit) {
  EXPECT_EQ(Cmp("1a1", "1-alpha-1"), 0);
  EXPECT_EQ(Cmp("1-b2", "1-beta-2"), 0);
  EXPECT_EQ(Cmp("1m3", "1-milestone-3"), 0);
  EXPECT_EQ(Cmp("1-a", "1-alpha"), 1);  // a bare "a" is an unknown qualifier
  EXPECT_EQ(Cmp("1-a-1", "1-alpha-1"), 1);
}

TEST(MavenVersion, TrailingNullsAreTrimmedAndShorterVersionsPadded) {
  EXPECT_EQ(Cmp("1", "1.0.0"), 0);
  EXPECT_EQ(Cmp("1.0.0-0.0.0", "1"), 0);
  EXPECT_EQ(Cmp("1.0.0-foo.0.0", "1-foo"), 0);
  EXPECT_EQ(Cmp("1-1", "1"), 1);
  EXPECT_EQ(Cmp("1-1", "1.0.1"), -1);  // "-number" < ".number"
  EXPECT_EQ(Cmp("1.sp", "1"), 1);
  EXPECT_EQ(Cmp("1.RC1", "1-RC1"), -1);  // ".qualifier" < "-qualifier"
}

TEST(MavenVersion, NumbersOfAnyLengthCompareExactly) {
  EXPECT_EQ(Cmp("1.18446744073709551616", "1.18446744073709551615"), 1);
  EXPECT_EQ(Cmp("1.0000000000000000000000002", "1.2"), 0);
  EXPECT_EQ(Cmp("20190126.230843", "1234567890.12345"), -1);
}

TEST(MavenVersion, DiffersFromComparableVersionWhereTheSpecificationDoes) {
  // Apache Maven 3.9's ComparableVersion answers the opposite for each of these fixture pairs.
  EXPECT_EQ(Cmp("2.9.0-1", "2.9.0.RC1"), -1);
  EXPECT_EQ(Cmp("1.5.9.RC1", "1.5.9-RC0"), -1);
  EXPECT_EQ(Cmp("1-1", "1-ga-1"), 0);
  EXPECT_EQ(Cmp("7.4.3.20", "7.4.3.20-ga20"), -1);
  EXPECT_EQ(Cmp("1.0.0.RC1", "1.0.0-RC2"), 1);  // ComparableVersion says "<"
}

TEST(MavenVersion, OrderHasTheCyclesOfTheSpecification) {
  // A padded ".0" ranks like the qualifier "0", and ".qualifier" < "-qualifier": a cycle (Maven's
  // ComparableVersion answers "<" for the last pair). Pairwise range checks are what the matcher
  // does, so we keep the reference answers rather than invent a transitive order.
  EXPECT_EQ(Cmp("1.foo", "1"), 1);
  EXPECT_EQ(Cmp("1", "1-alpha"), 1);
  EXPECT_EQ(Cmp("1-alpha", "1.foo"), 1);
}

TEST(MavenVersion, AnyNonEmptyAsciiStringIsAVersion) {
  EXPECT_EQ(Cmp("!", "!"), 0);
  EXPECT_EQ(Cmp("-", "0"), 0);
  EXPECT_EQ(Cmp("..", "0"), 0);
  EXPECT_EQ(Cmp("foo bar", "1"), -1);
}

TEST(MavenVersion, EmptyAndNonAsciiInputAreErrorsNamingIt) {
  for (const char* bad : {"", "1.0-\xC3\xA9", "\xFF"}) {
    testing::ExpectRejectedNamingInput(
        [](std::string_view a, std::string_view b) { return CompareMavenVersions(a, b); }, "maven",
        bad, "1.0");
  }
}

}  // namespace
}  // namespace rampart::agent::vuln
