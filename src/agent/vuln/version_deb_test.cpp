#include "agent/vuln/version_deb.h"

#include <gtest/gtest.h>

#include <string>

#include "agent/vuln/version.h"
#include "agent/vuln/version_fixture_testing.h"

namespace rampart::agent::vuln {
namespace {

int Cmp(std::string_view a, std::string_view b) {
  const Result<int> r = CompareDebVersions(a, b);
  EXPECT_TRUE(r.ok()) << a << " vs " << b << ": " << r.status().ToString();
  return r.ok() ? *r : 99;
}

std::string ErrorOf(std::string_view v) {
  const Result<DebVersion> r = ParseDebVersion(v);
  return r.ok() ? std::string("accepted") : r.error().message();
}

TEST(DebVersion, GoldenFixturesPassInBothDirections) {
  const std::size_t hand = testing::ExpectFixturePasses("debian-versions.txt", [](auto a, auto b) {
    return CompareDebVersions(std::string_view(a), std::string_view(b));
  });
  const std::size_t generated = testing::ExpectFixturePasses(
      "debian-versions-generated.txt",
      [](auto a, auto b) { return CompareDebVersions(std::string_view(a), std::string_view(b)); });
  EXPECT_GE(hand, 30u);
  EXPECT_GE(generated, 10000u);
  std::printf(
      "deb fixture lines checked: debian-versions.txt %zu, debian-versions-generated.txt %zu\n",
      hand, generated);
}

TEST(DebVersion, TildeSortsBeforeEverythingEvenTheEmptyString) {
  EXPECT_LT(Cmp("1.0~rc1", "1.0"), 0);
  EXPECT_LT(Cmp("1.0~", "1.0"), 0);
  EXPECT_LT(Cmp("1.0~~", "1.0~"), 0);
  EXPECT_LT(Cmp("1.0~rc1", "1.0~rc2"), 0);
  EXPECT_LT(Cmp("1.2.3-1~deb7u1", "1.2.3-1"), 0);
  EXPECT_LT(Cmp("1.0-1~bpo1", "1.0-1"), 0);
}

TEST(DebVersion, LettersSortBeforeNonLettersAndTheEndBeforeLetters) {
  EXPECT_LT(Cmp("1.0", "1.0a"), 0);
  EXPECT_LT(Cmp("1.0a", "1.0+"), 0);
  EXPECT_LT(Cmp("1.0z", "1.0."), 0);
  EXPECT_LT(Cmp("1.0A", "1.0a"), 0);  // ASCII order among letters
  EXPECT_LT(Cmp("1.0+", "1.0."), 0);  // ASCII order among the rest
  EXPECT_LT(Cmp("2.7.4+reloaded2-13ubuntu1", "2.7.4+reloaded2-13+deb9u1"), 0);
}

TEST(DebVersion, DigitRunsCompareNumericallyAtAnyLength) {
  EXPECT_LT(Cmp("0.9", "0.10"), 0);
  EXPECT_EQ(Cmp("1.001", "1.1"), 0);
  EXPECT_LT(Cmp("1.99999999999999999999999999", "1.100000000000000000000000000"), 0);
  EXPECT_GT(Cmp("1.123456789012345678901234567890", "1.123456789012345678901234567889"), 0);
  EXPECT_EQ(Cmp("00000000000000000000000000001", "1"), 0);
}

TEST(DebVersion, EpochDominatesAndAbsentEpochIsZero) {
  EXPECT_GT(Cmp("1:0.1", "9.9"), 0);
  EXPECT_EQ(Cmp("0:1.0", "1.0"), 0);
  EXPECT_LT(Cmp("1:1.0", "2:0.1"), 0);
  EXPECT_EQ(Cmp("+1:1.0", "1:1.0"), 0);  // strtol() takes a sign, as dpkg does
  EXPECT_EQ(Cmp("2147483647:1", "2147483647:1"), 0);
  EXPECT_EQ(Cmp("0002:1", "2:1"), 0);
}

TEST(DebVersion, RevisionFollowsTheLastHyphenAndAbsentEqualsZero) {
  EXPECT_EQ(Cmp("1.0", "1.0-0"), 0);
  EXPECT_LT(Cmp("1.0", "1.0-1"), 0);
  const DebVersion v = *ParseDebVersion("1:2.0-beta-3");
  EXPECT_EQ(v.epoch, 1u);
  EXPECT_EQ(v.upstream, "2.0-beta");
  EXPECT_EQ(v.revision, "3");
  EXPECT_LT(Cmp("2.0-beta-3", "2.0-beta-10"), 0);
}

TEST(DebVersion, ColonsAfterTheEpochBelongToTheUpstreamVersion) {
  const DebVersion v = *ParseDebVersion("1:2:3-4");
  EXPECT_EQ(v.epoch, 1u);
  EXPECT_EQ(v.upstream, "2:3");
  EXPECT_EQ(v.revision, "4");
}

TEST(DebVersion, SurroundingBlanksAreIgnored) { EXPECT_EQ(Cmp(" 1.0-1\t", "1.0-1"), 0); }

TEST(DebVersion, WhatDpkgOnlyWarnsAboutIsAcceptedAndOrdered) {
  EXPECT_EQ(ErrorOf("abc"), "accepted");      // upstream does not start with a digit
  EXPECT_EQ(ErrorOf("1.0_1"), "accepted");    // invalid character in upstream
  EXPECT_EQ(ErrorOf("1.0-a_b"), "accepted");  // invalid character in revision
  EXPECT_LT(Cmp("abc", "abd"), 0);
  EXPECT_GT(Cmp("1_0", "1.0"), 0);  // non-letters by ASCII: '.' (46) before '_' (95)
}

TEST(DebVersion, NonAsciiBytesSortAfterLettersAndBeforeAsciiPunctuation) {
  // dpkg on amd64 reads a byte >= 0x80 as a negative char: order() = byte - 256 + 256.
  EXPECT_GT(Cmp("1\xc3\xa9", "1z"), 0);
  EXPECT_LT(Cmp("1\xc3\xa9", "1+"), 0);
}

TEST(DebVersion, RejectsWhatDpkgRejects) {
  EXPECT_EQ(ErrorOf(""), "invalid deb version '': empty version");
  EXPECT_EQ(ErrorOf("  "), "invalid deb version '  ': empty version");
  EXPECT_EQ(ErrorOf("1:"), "invalid deb version '1:': empty upstream version");
  EXPECT_EQ(ErrorOf("-1"), "invalid deb version '-1': empty upstream version");
  EXPECT_EQ(ErrorOf("1:-1"), "invalid deb version '1:-1': empty upstream version");
  EXPECT_EQ(ErrorOf("1.0-"), "invalid deb version '1.0-': empty revision");
  EXPECT_EQ(ErrorOf("a:1"), "invalid deb version 'a:1': epoch in version is empty");
  EXPECT_EQ(ErrorOf(":1"), "invalid deb version ':1': epoch in version is empty");
  EXPECT_EQ(ErrorOf("1a:1"), "invalid deb version '1a:1': epoch in version is not number");
  EXPECT_EQ(ErrorOf("1-2:3"), "invalid deb version '1-2:3': epoch in version is not number");
  EXPECT_EQ(ErrorOf("-1:1"), "invalid deb version '-1:1': epoch in version is negative");
  EXPECT_EQ(ErrorOf("2147483648:1"),
            "invalid deb version '2147483648:1': epoch in version is too big");
  EXPECT_EQ(ErrorOf("99999999999999999999999:1"),
            "invalid deb version '99999999999999999999999:1': epoch in version is too big");
  EXPECT_EQ(ErrorOf("1.0 1"), "invalid deb version '1.0 1': version string has embedded spaces");
  EXPECT_EQ(ErrorOf(std::string_view("1\0", 2)).substr(0, 19), "invalid deb version");
}

TEST(DebVersion, ComparingNamesTheInvalidInput) {
  const Result<int> r = CompareDebVersions("1.0", "1:");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "invalid deb version '1:': empty upstream version");
}

TEST(DebVersion, DispatchThroughCompareVersions) {
  EXPECT_LT(*CompareVersions(Ecosystem::kDeb, "1.0~rc1", "1.0"), 0);
}

}  // namespace
}  // namespace rampart::agent::vuln
