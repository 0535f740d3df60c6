#include "agent/vuln/version_apk.h"

#include <gtest/gtest.h>

#include <string>

#include "agent/vuln/version.h"
#include "agent/vuln/version_fixture_testing.h"

namespace rampart::agent::vuln {
namespace {

int Cmp(std::string_view a, std::string_view b) {
  const Result<int> r = CompareApkVersions(a, b);
  EXPECT_TRUE(r.ok()) << a << " vs " << b << ": " << r.status().ToString();
  return r.ok() ? *r : 99;
}

TEST(ApkVersion, GoldenFixturesPassInBothDirections) {
  const std::size_t hand = testing::ExpectFixturePasses("alpine-versions.txt", [](auto a, auto b) {
    return CompareApkVersions(std::string_view(a), std::string_view(b));
  });
  const std::size_t generated = testing::ExpectFixturePasses(
      "alpine-versions-generated.txt",
      [](auto a, auto b) { return CompareApkVersions(std::string_view(a), std::string_view(b)); });
  EXPECT_GE(hand, 500u);
  EXPECT_GE(generated, 13000u);
  std::printf(
      "apk fixture lines checked: alpine-versions.txt %zu, alpine-versions-generated.txt %zu\n",
      hand, generated);
}

TEST(ApkVersion, EveryGeneratedFixtureVersionIsWellFormed) {
  for (const auto& l : testing::ReadFixture("alpine-versions-generated.txt")) {
    EXPECT_TRUE(IsWellFormedApkVersion(l.a)) << l.line << ": " << l.a;
    EXPECT_TRUE(IsWellFormedApkVersion(l.b)) << l.line << ": " << l.b;
  }
}

TEST(ApkVersion, PreReleaseSuffixesSortBeforeTheReleaseAndPostReleaseOnesAfter) {
  EXPECT_LT(Cmp("1.2_alpha", "1.2_beta"), 0);
  EXPECT_LT(Cmp("1.2_beta", "1.2_pre"), 0);
  EXPECT_LT(Cmp("1.2_pre", "1.2_rc"), 0);
  EXPECT_LT(Cmp("1.2_rc1", "1.2"), 0);
  EXPECT_LT(Cmp("1.2", "1.2_cvs"), 0);
  EXPECT_LT(Cmp("1.2_cvs", "1.2_svn"), 0);
  EXPECT_LT(Cmp("1.2_svn", "1.2_git"), 0);
  EXPECT_LT(Cmp("1.2_git", "1.2_hg"), 0);
  EXPECT_LT(Cmp("1.2_hg", "1.2_p"), 0);
  EXPECT_LT(Cmp("1.2_p1", "1.2.1"), 0);
  EXPECT_LT(Cmp("1.2_rc9", "1.2_rc10"), 0);
  EXPECT_LT(Cmp("1.0_alpha1_p2", "1.0_alpha2"), 0);
}

TEST(ApkVersion, RevisionComparesNumericallyAndAbsentIsOlderThanR0) {
  EXPECT_LT(Cmp("1.0-r9", "1.0-r10"), 0);
  EXPECT_LT(Cmp("1.0", "1.0-r0"), 0);
  EXPECT_EQ(Cmp("1-r1", "1-r01"), 0);
  EXPECT_EQ(Cmp("1-r", "1-r0"), 0);
  EXPECT_LT(Cmp("2.2.39-r1", "2.2.40-r0"), 0);
}

TEST(ApkVersion, LeadingZerosAfterADotCountAsAWeightBelowAnyNumber) {
  EXPECT_LT(Cmp("1.05", "1.1"), 0);
  EXPECT_LT(Cmp("1.05", "1.5"), 0);
  EXPECT_GT(Cmp("1.0", "1.00"), 0);    // -1 zero vs -2 zeros
  EXPECT_GT(Cmp("1.010", "1.09"), 0);  // apk 2.x: zero run, then 10 vs 9
  EXPECT_LT(Cmp("2.15.05", "2.16.01"), 0);
  EXPECT_EQ(Cmp("01.2", "1.2"), 0);  // the first component is a plain number
}

TEST(ApkVersion, LetterAfterNumbersAndDigitsAfterTheLetter) {
  EXPECT_LT(Cmp("1.0", "1.0a"), 0);
  EXPECT_LT(Cmp("1.0a", "1.0b"), 0);
  EXPECT_LT(Cmp("1.0z", "1.0.1"), 0);
  EXPECT_LT(Cmp("6.6.2p1", "6.6.2p2"), 0);
  EXPECT_GT(Cmp("6.6.2p1", "6.6.2_p2"), 0);
  EXPECT_LT(Cmp("1.9.5p1-r1", "1.9.5p2-r1"), 0);
}

TEST(ApkVersion, NumbersOfAnyLengthCompareByValue) {
  EXPECT_LT(Cmp("1.0.0_pre20191002222144-r0", "1.0.0_pre20210530193627-r0"), 0);
  EXPECT_LT(Cmp("99999999999999999999999", "100000000000000000000000"), 0);
  EXPECT_LT(Cmp("1-r99999999999999999999", "1-r100000000000000000000"), 0);
}

TEST(ApkVersion, CommitHashSitsBetweenSuffixAndRevision) {
  EXPECT_TRUE(IsWellFormedApkVersion("1.0_git20240101~a1b2c3-r0"));
  EXPECT_GT(Cmp("1.0~abc", "1.0"), 0);
  EXPECT_LT(Cmp("1.0~abc", "1.0~abd"), 0);
  EXPECT_LT(Cmp("1.0~abc-r0", "1.0~abc-r1"), 0);
  EXPECT_LT(Cmp("1.0~abc", "1.0.1"), 0);
  EXPECT_FALSE(IsWellFormedApkVersion("1.0~"));
  EXPECT_FALSE(IsWellFormedApkVersion("1.0~xyz"));
  EXPECT_FALSE(IsWellFormedApkVersion("1.0-r1~abc"));
}

TEST(ApkVersion, MalformedVersionsSortBelowWhereTheyStopParsing) {
  EXPECT_GT(Cmp("1", "1-ruff"), 0);
  EXPECT_LT(Cmp("1.2.0A", "1.2.0d"), 0);
  EXPECT_LT(Cmp("1-r-0", "1-r0"), 0);
  EXPECT_GT(Cmp("1.2", "1.2_blah"), 0);
  EXPECT_LT(Cmp("1.0", "1.0bc"), 0);  // "1.0b" parses, then "c" stops it
  EXPECT_EQ(Cmp("1-r0-1", "1-r0-2"), 0);
  EXPECT_LT(Cmp(".1", "1"), 0);
  EXPECT_LT(Cmp("a", "b"), 0);
}

TEST(ApkVersion, WellFormedMeansValidStartingWithADigit) {
  EXPECT_TRUE(IsWellFormedApkVersion("1.2.3"));
  EXPECT_TRUE(IsWellFormedApkVersion("1.2.3a_rc1_p2-r10"));
  EXPECT_TRUE(IsWellFormedApkVersion("5.7.1p1-r0"));
  EXPECT_FALSE(IsWellFormedApkVersion("a"));
  EXPECT_FALSE(IsWellFormedApkVersion("1..2"));
  EXPECT_FALSE(IsWellFormedApkVersion("1.2-1"));
  EXPECT_FALSE(IsWellFormedApkVersion("1.2_foo"));
  EXPECT_FALSE(IsWellFormedApkVersion("1.2.0A"));
  EXPECT_FALSE(IsWellFormedApkVersion(""));
}

TEST(ApkVersion, RejectsOnlyTheEmptyStringAndNulBytes) {
  const Result<int> r = CompareApkVersions("", "1.0");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "invalid apk version '': empty version");
  EXPECT_FALSE(CompareApkVersions("1.0", std::string_view("1\0", 2)).ok());
  EXPECT_TRUE(CompareApkVersions("not a version", "1.0").ok());
}

TEST(ApkVersion, DispatchThroughCompareVersions) {
  EXPECT_LT(*CompareVersions(Ecosystem::kApk, "1.2_rc1", "1.2"), 0);
}

}  // namespace
}  // namespace rampart::agent::vuln
