#include "agent/vuln/version_rpm.h"

#include <gtest/gtest.h>

#include <string>

#include "agent/vuln/version.h"
#include "agent/vuln/version_fixture_testing.h"

namespace rampart::agent::vuln {
namespace {

int Cmp(std::string_view a, std::string_view b) {
  const Result<int> r = CompareRpmVersions(a, b);
  EXPECT_TRUE(r.ok()) << a << " vs " << b << ": " << r.status().ToString();
  return r.ok() ? *r : 99;
}

TEST(RpmVersion, GoldenFixturePassesInBothDirections) {
  const std::size_t n = testing::ExpectFixturePasses("redhat-versions.txt", [](auto a, auto b) {
    return CompareRpmVersions(std::string_view(a), std::string_view(b));
  });
  EXPECT_GE(n, 100u);
  std::printf("rpm fixture lines checked: redhat-versions.txt %zu\n", n);
}

TEST(RpmVersion, TildeSortsBeforeEverythingIncludingTheEnd) {
  EXPECT_LT(Cmp("1.0~rc1", "1.0"), 0);
  EXPECT_LT(Cmp("1.0~rc1~git123", "1.0~rc1"), 0);
  EXPECT_LT(Cmp("1.0~rc1", "1.0~rc2"), 0);
  EXPECT_LT(Cmp("1.0~rc1", "1.0arc1"), 0);
}

TEST(RpmVersion, CaretSortsAfterTheEndButBeforeAnythingElse) {
  EXPECT_GT(Cmp("1.0^", "1.0"), 0);
  EXPECT_LT(Cmp("1.0^", "1.0.1"), 0);
  EXPECT_GT(Cmp("1.0^git1", "1.0"), 0);
  EXPECT_LT(Cmp("1.0^git1", "1.01"), 0);
  EXPECT_LT(Cmp("1.0^20160101", "1.0.1"), 0);
  EXPECT_LT(Cmp("1.0^git1~pre", "1.0^git1"), 0);
}

TEST(RpmVersion, NumericSegmentsAreNewerThanAlphabeticOnes) {
  EXPECT_LT(Cmp("6.0", "6.0.rc1"), 0);  // more segments wins
  EXPECT_GT(Cmp("1.1", "1.a"), 0);
  EXPECT_LT(Cmp("xyz.4", "2"), 0);
  EXPECT_LT(Cmp("1-1.ael7b", "1-1.el7"), 0);
}

TEST(RpmVersion, NumbersIgnoreLeadingZerosAtAnyLength) {
  EXPECT_EQ(Cmp("10.0001", "10.1"), 0);
  EXPECT_LT(Cmp("1.99999999999999999999999999", "1.100000000000000000000000000"), 0);
  EXPECT_EQ(Cmp("0000000000000000000000000000000001", "1"), 0);
}

TEST(RpmVersion, SeparatorsOnlySeparate) {
  EXPECT_EQ(Cmp("2_0", "2.0"), 0);
  EXPECT_EQ(Cmp("1.", "1"), 0);
  EXPECT_EQ(Cmp("+", "_"), 0);
  EXPECT_EQ(Cmp("1.1.\xce\xb1", "1.1.\xce\xb2"), 0);  // non-ASCII letters are separators
}

TEST(RpmVersion, EpochIsLeadingDigitsBeforeAColonOtherwiseTheColonIsPartOfTheVersion) {
  EXPECT_GT(Cmp("1:1.0", "2.0"), 0);
  EXPECT_EQ(Cmp("0:1.0", "1.0"), 0);
  EXPECT_EQ(Cmp(":1.0", "0:1.0"), 0);  // an empty epoch is "0"
  EXPECT_EQ(Cmp("01:2", "1:2"), 0);
  const RpmVersion v = *ParseRpmVersion("1.m+e2:1");
  EXPECT_EQ(v.epoch, "");
  EXPECT_EQ(v.version, "1.m+e2:1");
  EXPECT_LT(Cmp("a:1", "b:1"), 0);
}

TEST(RpmVersion, ReleaseFollowsTheLastHyphen) {
  const RpmVersion v = *ParseRpmVersion("2:1.0-beta-3.el9");
  EXPECT_EQ(v.epoch, "2");
  EXPECT_EQ(v.version, "1.0-beta");
  EXPECT_EQ(v.release, "3.el9");
  EXPECT_TRUE(v.has_release);
}

TEST(RpmVersion, ASideWithoutReleaseIsOlderThanTheSameVersionWithAnyRelease) {
  // rpmverCmp compares releases only when both exist; otherwise the one that has a release wins.
  EXPECT_LT(Cmp("1", "1-0"), 0);
  EXPECT_LT(Cmp("1", "1-"), 0);
  EXPECT_LT(Cmp("1", "1-~"), 0);
  EXPECT_EQ(Cmp("1-", "1-"), 0);
  EXPECT_GT(Cmp("1.1", "1.0-5"), 0);  // the version decides first
}

TEST(RpmVersion, RealWorldBackportsOrder) {
  EXPECT_LT(Cmp("0:3.10.0-229.el7", "0:3.10.0-229.1.2.ael7b"), 0);
  EXPECT_LT(Cmp("0:2.4.21-9.EL", "0:2.4.21-9.0.1.EL"), 0);
  EXPECT_LT(Cmp("1:1.1.1k-7.el8_6", "1:1.1.1k-12.el8_9"), 0);
  EXPECT_LT(Cmp("4.18.0-477.10.1.el8_8", "4.18.0-477.13.1.el8_8"), 0);
}

TEST(RpmVersion, AcceptsWhatRpmAcceptsAndRejectsTheEmptyString) {
  EXPECT_TRUE(ParseRpmVersion("1:").ok());  // an empty version, as rpm parses it
  EXPECT_TRUE(ParseRpmVersion("-").ok());
  const Result<int> r = CompareRpmVersions("1.0", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "invalid rpm version '': empty version");
  EXPECT_FALSE(ParseRpmVersion(std::string_view("1\0", 2)).ok());
}

TEST(RpmVersion, DispatchThroughCompareVersions) {
  EXPECT_LT(*CompareVersions(Ecosystem::kRpm, "1.0~rc1", "1.0"), 0);
}

}  // namespace
}  // namespace rampart::agent::vuln
