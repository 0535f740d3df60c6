#include "agent/vuln/osv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace rampart::agent::vuln {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Result<Advisory> Parse(std::string_view text) {
  auto json = Json::Parse(text);
  EXPECT_TRUE(json.ok()) << json.status().ToString();
  if (!json.ok()) return json.error();
  return ParseOsvRecord(*json, "test.json");
}

Advisory Ok(std::string_view text) {
  auto r = Parse(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Advisory{};
}

std::string ErrorOf(std::string_view text) {
  auto r = Parse(text);
  return r.ok() ? std::string("accepted") : r.error().message();
}

// A minimal valid record with `affected` replaced by the given JSON.
std::string WithAffected(std::string_view affected) {
  return R"({"id":"OSV-1","modified":"2024-01-01T00:00:00Z","affected":)" + std::string(affected) +
         "}";
}
std::string WithRanges(std::string_view ranges) {
  return WithAffected(R"([{"package":{"ecosystem":"PyPI","name":"demo"},"ranges":)" +
                      std::string(ranges) + "}]");
}
std::string WithSeverity(std::string_view extra) {
  return R"({"id":"OSV-1","modified":"2024-01-01T00:00:00Z",)" + std::string(extra) + "}";
}

constexpr std::string_view kDsa = R"({
 "schema_version": "1.6.0", "id": "DSA-5380-1",
 "published": "2023-03-29T00:00:00Z", "modified": "2023-03-29T00:00:00Z",
 "summary": "xorg-server - security update", "related": ["CVE-2023-1393"],
 "affected": [{"package": {"ecosystem": "Debian:11", "name": "xorg-server",
                            "purl": "pkg:deb/debian/xorg-server?arch=source"},
               "ranges": [{"type": "ECOSYSTEM",
                           "events": [{"introduced": "0"}, {"fixed": "2:1.20.11-1+deb11u6"}]}]}],
 "database_specific": {"source": "data/DSA/list", "notes": []}})";

TEST(OsvRecord, ParsesADebianDsaWithItsCvesFromRelated) {
  const Advisory a = Ok(kDsa);
  EXPECT_EQ(a.id, "DSA-5380-1");
  EXPECT_THAT(a.aliases, ElementsAre("CVE-2023-1393"));
  EXPECT_EQ(a.summary, "xorg-server - security update");
  EXPECT_EQ(a.modified, "2023-03-29T00:00:00Z");
  EXPECT_EQ(a.source, "test.json");
  ASSERT_EQ(a.affected.size(), 1u);
  EXPECT_EQ(a.affected[0].ecosystem, "Debian:11");
  EXPECT_EQ(a.affected[0].name, "xorg-server");
  EXPECT_EQ(a.affected[0].purl, "pkg:deb/debian/xorg-server?arch=source");
  ASSERT_EQ(a.affected[0].ranges.size(), 1u);
  EXPECT_EQ(a.affected[0].ranges[0].type, Range::Type::kEcosystem);
  ASSERT_EQ(a.affected[0].ranges[0].events.size(), 2u);
  EXPECT_EQ(a.affected[0].ranges[0].events[0].kind, RangeEvent::Kind::kIntroduced);
  EXPECT_EQ(a.affected[0].ranges[0].events[0].version, "0");
  EXPECT_EQ(a.affected[0].ranges[0].events[1].kind, RangeEvent::Kind::kFixed);
  EXPECT_EQ(a.affected[0].ranges[0].events[1].version, "2:1.20.11-1+deb11u6");
  EXPECT_EQ(a.severity, Severity::kUnknown);
  EXPECT_EQ(a.cvss_score, 0.0);
  EXPECT_TRUE(a.withdrawn.empty());
}

TEST(OsvRecord, MergesAliasesAndRelatedWithoutDuplicatesOrTheIdItself) {
  const Advisory a = Ok(R"({"id":"GHSA-1","modified":"2024-01-01T00:00:00Z",
      "aliases":["CVE-2024-1","GHSA-1","CVE-2024-2","CVE-2024-1"],
      "related":["CVE-2024-2","PYSEC-2024-9",{"type":"SIMILAR_TO","id":"OSV-7"}]})");
  EXPECT_THAT(a.aliases, ElementsAre("CVE-2024-1", "CVE-2024-2", "PYSEC-2024-9", "OSV-7"));
  EXPECT_EQ(ErrorOf(R"({"id":"A","modified":"2024-01-01T00:00:00Z","aliases":[1]})"),
            "aliases[0]: expected a string");
  EXPECT_EQ(ErrorOf(R"({"id":"A","modified":"2024-01-01T00:00:00Z","related":"CVE-1"})"),
            "related: expected an array");
}

TEST(OsvRecord, RequiresIdAndModified) {
  EXPECT_EQ(ErrorOf(R"({"modified":"2024-01-01T00:00:00Z"})"),
            "id: required non-empty string is missing");
  EXPECT_EQ(ErrorOf(R"({"id":"","modified":"2024-01-01T00:00:00Z"})"),
            "id: required non-empty string is missing");
  EXPECT_EQ(ErrorOf(R"({"id":"A"})"), "modified: required string is missing");
  EXPECT_EQ(ErrorOf(R"({"id":"A","modified":20240101})"), "modified: required string is missing");
  EXPECT_EQ(ErrorOf(R"([1,2])"), "record: expected a JSON object");
}

TEST(OsvRecord, RejectsTimestampsThatAreNotRfc3339) {
  EXPECT_EQ(ErrorOf(R"({"id":"A","modified":"2024-01-01"})"),
            "modified: '2024-01-01' is not an RFC 3339 date-time");
  EXPECT_EQ(ErrorOf(R"({"id":"A","modified":"2024-01-01T00:00:00Z","published":"yesterday"})"),
            "published: 'yesterday' is not an RFC 3339 date-time");
  EXPECT_EQ(
      ErrorOf(R"({"id":"A","modified":"2024-01-01T00:00:00Z","withdrawn":"2024-02-30T00:00:00Z"})"),
      "withdrawn: '2024-02-30T00:00:00Z' is not an RFC 3339 date-time");
}

TEST(OsvRecord, KeepsWithdrawnTime) {
  const Advisory a =
      Ok(R"({"id":"GO-1","modified":"2024-01-01T00:00:00Z","withdrawn":"2023-08-22T06:23:00Z"})");
  EXPECT_EQ(a.withdrawn, "2023-08-22T06:23:00Z");
}

TEST(OsvRecord, AcceptsNullForOptionalArrays) {
  const Advisory a = Ok(R"({"id":"A","modified":"2024-01-01T00:00:00Z","aliases":null,
      "severity":null,"affected":null,"references":null})");
  EXPECT_TRUE(a.aliases.empty());
  EXPECT_TRUE(a.affected.empty());
}

TEST(OsvRecord, RequiresPackageEcosystemAndName) {
  EXPECT_EQ(ErrorOf(WithAffected(R"([{"ranges":[]}])")),
            "affected[0].package: required object is missing");
  EXPECT_EQ(ErrorOf(WithAffected(R"([{"package":{"name":"x"}}])")),
            "affected[0].package.ecosystem: required non-empty string is missing");
  EXPECT_EQ(ErrorOf(WithAffected(R"([{"package":{"ecosystem":"npm","name":""}}])")),
            "affected[0].package.name: required non-empty string is missing");
  EXPECT_EQ(ErrorOf(WithAffected(R"([{"package":"npm/x"}])")),
            "affected[0].package: expected an object");
  EXPECT_EQ(ErrorOf(WithAffected(R"({"package":{}})")), "affected: expected an array");
}

TEST(OsvRecord, AcceptsAGitOnlyAffectedEntryWithoutPackage) {
  const Advisory a = Ok(WithAffected(
      R"([{"ranges":[{"type":"GIT","repo":"https://github.com/x/y","events":[{"introduced":"0"},{"fixed":"abc123"}]}]}])"));
  ASSERT_EQ(a.affected.size(), 1u);
  EXPECT_EQ(a.affected[0].ecosystem, "");
  EXPECT_EQ(a.affected[0].ranges[0].type, Range::Type::kGit);
}

TEST(OsvRecord, ValidatesRangeTypeAndGitRepo) {
  EXPECT_EQ(ErrorOf(WithRanges(R"([{"type":"DEB","events":[{"introduced":"0"}]}])")),
            "affected[0].ranges[0].type: 'DEB' is not one of ECOSYSTEM, SEMVER, GIT");
  EXPECT_EQ(ErrorOf(WithRanges(R"([{"events":[{"introduced":"0"}]}])")),
            "affected[0].ranges[0].type: required string is missing");
  EXPECT_EQ(ErrorOf(WithRanges(R"([{"type":"GIT","events":[{"introduced":"0"}]}])")),
            "affected[0].ranges[0].repo: required for a GIT range");
  const Advisory a = Ok(WithRanges(
      R"([{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"last_affected":"1.4.2"}]}])"));
  EXPECT_EQ(a.affected[0].ranges[0].type, Range::Type::kSemver);
  EXPECT_EQ(a.affected[0].ranges[0].events[1].kind, RangeEvent::Kind::kLastAffected);
}

TEST(OsvRecord, ValidatesEvents) {
  EXPECT_EQ(ErrorOf(WithRanges(R"([{"type":"ECOSYSTEM","events":[]}])")),
            "affected[0].ranges[0].events: 'events' is empty");
  EXPECT_EQ(ErrorOf(WithRanges(R"([{"type":"ECOSYSTEM"}])")),
            "affected[0].ranges[0].events: required array is missing");
  EXPECT_EQ(
      ErrorOf(WithRanges(
          R"([{"type":"ECOSYSTEM","events":[{"introduced":"0"}]},
              {"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1"},{"fixed":"2","limit":"3"}]}])")),
      "affected[0].ranges[1].events[2]: expected exactly one of introduced, fixed, last_affected, "
      "limit");
  EXPECT_EQ(ErrorOf(WithRanges(R"([{"type":"ECOSYSTEM","events":[{"introduced":"0"},{}]}])")),
            "affected[0].ranges[0].events[1]: expected exactly one of introduced, fixed, "
            "last_affected, limit");
  EXPECT_EQ(ErrorOf(WithRanges(R"([{"type":"ECOSYSTEM","events":[{"introduced":0}]}])")),
            "affected[0].ranges[0].events[0].introduced: expected a non-empty version string");
  EXPECT_EQ(ErrorOf(WithRanges(R"([{"type":"ECOSYSTEM","events":[{"fixed":"1.0"}]}])")),
            "affected[0].ranges[0].events: no 'introduced' event");
  EXPECT_EQ(
      ErrorOf(WithRanges(
          R"([{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1"},{"last_affected":"0.9"}]}])")),
      "affected[0].ranges[0].events: has both 'fixed' and 'last_affected'");
}

TEST(OsvRecord, ReadsVersionsListAndRejectsNonStrings) {
  const Advisory a = Ok(WithAffected(
      R"([{"package":{"ecosystem":"PyPI","name":"demo"},"versions":["1.0","1.0.post1"]}])"));
  EXPECT_THAT(a.affected[0].versions, ElementsAre("1.0", "1.0.post1"));
  EXPECT_EQ(
      ErrorOf(WithAffected(R"([{"package":{"ecosystem":"PyPI","name":"d"},"versions":["1",2]}])")),
      "affected[0].versions[1]: expected a string");
}

TEST(OsvRecord, ValidatesSeverityEntries) {
  EXPECT_EQ(ErrorOf(WithSeverity(R"("severity":[{"type":"CVSS_V5","score":"x"}])")),
            "severity[0].type: 'CVSS_V5' is not one of CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu");
  EXPECT_EQ(ErrorOf(WithSeverity(R"("severity":[{"type":"CVSS_V3"}])")),
            "severity[0].score: required string is missing");
  EXPECT_THAT(
      ErrorOf(WithSeverity(R"("severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N"}])")),
      HasSubstr("severity[0].score: CVSS v3 vector 'CVSS:3.1/AV:N': missing base metric AC"));
  EXPECT_THAT(ErrorOf(WithSeverity(R"("severity":[{"type":"CVSS_V2","score":"AV:N/AC:L"}])")),
              HasSubstr("severity[0].score: CVSS v2 vector"));
  EXPECT_EQ(ErrorOf(WithSeverity(R"("severity":[{"type":"CVSS_V4","score":"AV:N"}])")),
            "severity[0].score: CVSS v4 vector must start CVSS:4.0/");
  EXPECT_EQ(ErrorOf(WithSeverity(R"("database_specific":"HIGH")")),
            "database_specific: expected an object");
}

TEST(OsvRecord, ScoresTheCvssV3VectorAndDerivesSeverity) {
  const Advisory a = Ok(WithSeverity(
      R"("severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N"}],
         "database_specific":{"severity":"CRITICAL"})"));
  EXPECT_EQ(a.cvss_vector, "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N");
  EXPECT_DOUBLE_EQ(a.cvss_score, 6.4);
  EXPECT_EQ(a.severity, Severity::kMedium);  // the vector wins over database_specific
}

TEST(OsvRecord, PrefersV3OverV4AndKeepsAV4OnlyVectorUnscored) {
  const Advisory both = Ok(WithSeverity(
      R"("severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"},
                     {"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}])"));
  EXPECT_DOUBLE_EQ(both.cvss_score, 9.8);
  EXPECT_EQ(both.severity, Severity::kCritical);
  const Advisory v4 = Ok(WithSeverity(
      R"("severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}],
         "database_specific":{"severity":"MODERATE"})"));
  EXPECT_EQ(v4.cvss_vector, "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N");
  EXPECT_EQ(v4.cvss_score, 0.0);
  EXPECT_EQ(v4.severity, Severity::kMedium);
}

TEST(OsvRecord, ScoresCvssV2WithTheV2Bands) {
  const Advisory a =
      Ok(WithSeverity(R"("severity":[{"type":"CVSS_V2","score":"AV:N/AC:L/Au:N/C:C/I:C/A:C"}])"));
  EXPECT_DOUBLE_EQ(a.cvss_score, 10.0);
  EXPECT_EQ(a.severity, Severity::kHigh);
}

TEST(OsvRecord, FallsBackToDatabaseSpecificThenUbuntuThenPackageSeverity) {
  EXPECT_EQ(Ok(WithSeverity(R"("database_specific":{"severity":"MODERATE"})")).severity,
            Severity::kMedium);
  EXPECT_EQ(Ok(WithSeverity(R"("database_specific":{"severity":"LOW"})")).severity, Severity::kLow);
  EXPECT_EQ(Ok(WithSeverity(R"("severity":[{"type":"Ubuntu","score":"high"}])")).severity,
            Severity::kHigh);
  const Advisory a = Ok(WithAffected(
      R"([{"package":{"ecosystem":"Ubuntu:22.04","name":"a"},"ecosystem_specific":{"severity":"low"}},
          {"package":{"ecosystem":"Ubuntu:22.04","name":"b"},"database_specific":{"severity":"HIGH"}},
          {"package":{"ecosystem":"Ubuntu:22.04","name":"c"},"ecosystem_specific":{"severity":7}},
          {"package":{"ecosystem":"Ubuntu:22.04","name":"d"},
           "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}])"));
  EXPECT_EQ(a.affected[0].severity, "low");
  EXPECT_EQ(a.affected[1].severity, "high");
  EXPECT_EQ(a.affected[2].severity, "");
  EXPECT_EQ(a.affected[3].severity, "critical");
  // The per-package vector is the record's only one, so it is the record's score.
  EXPECT_DOUBLE_EQ(a.cvss_score, 9.8);
  EXPECT_EQ(a.severity, Severity::kCritical);
  const Advisory b = Ok(WithAffected(
      R"([{"package":{"ecosystem":"Debian:13","name":"a"},"ecosystem_specific":{"urgency":"medium"}},
          {"package":{"ecosystem":"Debian:13","name":"b"},"ecosystem_specific":{"urgency":"low"}}])"));
  EXPECT_EQ(b.severity, Severity::kMedium);
}

TEST(OsvRecord, CollectsReferenceUrls) {
  const Advisory a = Ok(WithSeverity(
      R"("references":[{"type":"ADVISORY","url":"https://a"},{"type":"FIX","url":"https://b"}])"));
  EXPECT_THAT(a.references, ElementsAre("https://a", "https://b"));
  EXPECT_EQ(ErrorOf(WithSeverity(R"("references":[{"type":"WEB"}])")),
            "references[0].url: required string is missing");
}

TEST(Timestamp, ParsesRfc3339AndOrdersAcrossPrecisions) {
  const auto a = ParseTimestamp("2024-04-15T20:32:09Z");
  const auto b = ParseTimestamp("2024-04-15T20:32:09.9652Z");
  const auto c = ParseTimestamp("2024-04-15T20:32:09.96520000Z");
  const auto d = ParseTimestamp("2024-04-15T22:32:10+02:00");
  ASSERT_TRUE(a && b && c && d);
  EXPECT_LT(*a, *b);
  EXPECT_EQ(*b, *c);
  EXPECT_GT(*d, *b);  // 22:32:10+02:00 is 20:32:10Z
  EXPECT_EQ(ParseTimestamp("2024-04-15T22:32:10+02:00")->seconds,
            ParseTimestamp("2024-04-15T20:32:10Z")->seconds);
  // Text comparison would order these two wrongly ('.' < 'Z').
  EXPECT_LT(*ParseTimestamp("2024-02-16T08:21:07Z"), *ParseTimestamp("2024-02-16T08:21:07.5Z"));
  EXPECT_TRUE(ParseTimestamp("0001-01-01T00:00:00Z"));
  EXPECT_TRUE(ParseTimestamp("2024-02-29t00:00:00z"));
  EXPECT_FALSE(ParseTimestamp("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(ParseTimestamp("2024-01-01T24:00:00Z"));
  EXPECT_FALSE(ParseTimestamp("2024-01-01T00:00:00"));
  EXPECT_FALSE(ParseTimestamp("2024-01-01T00:00:00.Z"));
  EXPECT_FALSE(ParseTimestamp("2024-01-01T00:00:00Zjunk"));
  EXPECT_FALSE(ParseTimestamp(""));
}

}  // namespace
}  // namespace rampart::agent::vuln
