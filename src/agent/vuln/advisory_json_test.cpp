// The stored form of an advisory: every field survives the round trip (OSV- and tracker-derived
// ones alike), and a damaged object is refused naming the member.
#include "agent/vuln/advisory_json.h"

#include <gtest/gtest.h>

#include "agent/vuln/debian_tracker.h"
#include "agent/vuln/osv.h"

namespace rampart::agent::vuln {
namespace {

Advisory Sample() {
  Advisory a;
  a.id = "DSA-5380-1";
  a.aliases = {"CVE-2023-1", "CVE-2023-2"};
  a.summary = "openssl: several issues";
  a.details = "long text";
  a.published = "2023-03-29T00:00:00Z";
  a.modified = "2024-01-02T03:04:05.5Z";
  a.severity = Severity::kCritical;
  a.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
  a.cvss_score = 9.8;
  Affected deb;
  deb.ecosystem = "Debian:12";
  deb.name = "openssl";
  deb.purl = "pkg:deb/debian/openssl";
  deb.ranges.push_back(Range{
      Range::Type::kEcosystem,
      {{RangeEvent::Kind::kIntroduced, "0"}, {RangeEvent::Kind::kFixed, "3.0.11-1~deb12u2"}}});
  deb.ranges.push_back(Range{Range::Type::kSemver,
                             {{RangeEvent::Kind::kIntroduced, "1.0.0"},
                              {RangeEvent::Kind::kLastAffected, "1.2.0"},
                              {RangeEvent::Kind::kLimit, "2.0.0"}}});
  deb.versions = {"3.0.9-1"};
  deb.severity = "high";
  Affected open;
  open.ecosystem = "Debian:12";
  open.name = "linux";
  open.status = "no-dsa";
  open.ranges.push_back(Range{Range::Type::kEcosystem, {{RangeEvent::Kind::kIntroduced, "0"}}});
  a.affected = {deb, open};
  a.references = {"https://www.debian.org/security/2023/dsa-5380"};
  a.source = "Debian-all.zip:DSA-5380-1.json";
  return a;
}

void ExpectSame(const Advisory& a, const Advisory& b) {
  EXPECT_EQ(AdvisoryToJson(a).Dump(), AdvisoryToJson(b).Dump());
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.aliases, b.aliases);
  EXPECT_EQ(a.severity, b.severity);
  EXPECT_EQ(a.cvss_score, b.cvss_score);
  ASSERT_EQ(a.affected.size(), b.affected.size());
  for (std::size_t i = 0; i < a.affected.size(); ++i) {
    EXPECT_EQ(a.affected[i].status, b.affected[i].status);
    EXPECT_EQ(a.affected[i].versions, b.affected[i].versions);
    ASSERT_EQ(a.affected[i].ranges.size(), b.affected[i].ranges.size());
    for (std::size_t r = 0; r < a.affected[i].ranges.size(); ++r) {
      EXPECT_EQ(a.affected[i].ranges[r].type, b.affected[i].ranges[r].type);
      ASSERT_EQ(a.affected[i].ranges[r].events.size(), b.affected[i].ranges[r].events.size());
      for (std::size_t e = 0; e < a.affected[i].ranges[r].events.size(); ++e) {
        EXPECT_EQ(a.affected[i].ranges[r].events[e].kind, b.affected[i].ranges[r].events[e].kind);
        EXPECT_EQ(a.affected[i].ranges[r].events[e].version,
                  b.affected[i].ranges[r].events[e].version);
      }
    }
  }
}

Advisory RoundTrip(const Advisory& a) {
  auto text = AdvisoryToJson(a).Dump();
  auto parsed = Json::Parse(text);
  EXPECT_TRUE(parsed.ok());
  auto back = AdvisoryFromJson(*parsed);
  EXPECT_TRUE(back.ok()) << back.status().ToString();
  return back.ok() ? *back : Advisory{};
}

TEST(AdvisoryJson, EveryFieldSurvivesTheRoundTrip) {
  const Advisory a = Sample();
  ExpectSame(a, RoundTrip(a));
  Advisory withdrawn = a;
  withdrawn.withdrawn = "2024-02-01T00:00:00Z";
  EXPECT_EQ(RoundTrip(withdrawn).withdrawn, withdrawn.withdrawn);
}

TEST(AdvisoryJson, TrackerAdvisoriesKeepTheirPerReleaseStatus) {
  auto parsed = ParseDebianTracker(R"({"linux": {"CVE-2024-9": {"description": "d", "releases": {
      "bookworm": {"status": "open", "urgency": "high", "nodsa": "Minor issue"},
      "bullseye": {"status": "resolved", "fixed_version": "5.10.1-1", "urgency": "low"}}}}})",
                                   "tracker.json");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->advisories.size(), 1u);
  const Advisory& a = parsed->advisories[0];
  ExpectSame(a, RoundTrip(a));
}

TEST(AdvisoryJson, DamagedObjectsNameTheMember) {
  auto check = [](std::string_view text, std::string_view member) {
    auto json = Json::Parse(text);
    ASSERT_TRUE(json.ok()) << text;
    auto a = AdvisoryFromJson(*json);
    ASSERT_FALSE(a.ok()) << text;
    EXPECT_EQ(a.status().code(), Code::kInvalidArgument);
    EXPECT_NE(a.status().message().find(member), std::string::npos) << a.status().message();
  };
  check(R"([])", "advisory");
  check(R"({"id": ""})", "advisory.id");
  check(R"({"id": "X", "aliases": "CVE-1"})", "advisory.aliases");
  check(R"({"id": "X", "severity": "severe"})", "advisory.severity");
  check(R"({"id": "X", "cvss_score": "high"})", "advisory.cvss_score");
  check(R"({"id": "X", "affected": [{"name": 5}]})", "affected[0].name");
  check(R"({"id": "X", "affected": [{"ranges": [{"type": "RANGE", "events": []}]}]})",
        "affected[0].ranges[0].type");
  check(R"({"id": "X", "affected": [{"ranges": [{"type": "SEMVER", "events": [{"fixd": "1"}]}]}]})",
        "affected[0].ranges[0].events[0]");
  check(
      R"({"id": "X", "affected": [{"ranges": [{"type": "GIT", "events": [{"fixed": "1", "limit": "2"}]}]}]})",
      "affected[0].ranges[0].events[0]");
}

}  // namespace
}  // namespace rampart::agent::vuln
