#include "agent/vuln/debian_tracker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/files.h"

namespace rampart::agent::vuln {
namespace {

using ::testing::ElementsAre;

std::string Fixture(std::string_view name) {
  auto text =
      ReadLocalFile(std::string(RAMPART_SOURCE_DIR "/tests/testdata/feeds/") + std::string(name));
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : std::string();
}

TrackerParseResult ParseOk(std::string_view text, std::string_view source = "tracker.json") {
  auto r = ParseDebianTracker(text, source);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : TrackerParseResult{};
}

const Advisory* FindId(const TrackerParseResult& r, std::string_view id) {
  for (const Advisory& a : r.advisories) {
    if (a.id == id) return &a;
  }
  ADD_FAILURE() << "no advisory " << id;
  return nullptr;
}

const Affected* FindAffected(const Advisory& a, std::string_view ecosystem) {
  for (const Affected& aff : a.affected) {
    if (aff.ecosystem == ecosystem) return &aff;
  }
  return nullptr;
}

// "introduced 0" then, when given, "fixed V".
void ExpectRange(const Affected& aff, std::string_view fixed) {
  ASSERT_EQ(aff.ranges.size(), 1u);
  const Range& r = aff.ranges[0];
  EXPECT_EQ(r.type, Range::Type::kEcosystem);
  ASSERT_EQ(r.events.size(), fixed.empty() ? 1u : 2u);
  EXPECT_EQ(r.events[0].kind, RangeEvent::Kind::kIntroduced);
  EXPECT_EQ(r.events[0].version, "0");
  if (!fixed.empty()) {
    EXPECT_EQ(r.events[1].kind, RangeEvent::Kind::kFixed);
    EXPECT_EQ(r.events[1].version, fixed);
  }
}

TEST(DebianTracker, MapsCodenamesToDebianReleaseNumbers) {
  EXPECT_EQ(DebianReleaseNumber("buster"), "10");
  EXPECT_EQ(DebianReleaseNumber("bullseye"), "11");
  EXPECT_EQ(DebianReleaseNumber("bookworm"), "12");
  EXPECT_EQ(DebianReleaseNumber("trixie"), "13");
  EXPECT_EQ(DebianReleaseNumber("forky"), "14");
  EXPECT_EQ(DebianReleaseNumber("sarge"), "3.1");
  EXPECT_EQ(DebianReleaseNumber("sid"), std::nullopt);
  EXPECT_EQ(DebianReleaseNumber("experimental"), std::nullopt);
}

TEST(DebianTracker, SampleGivesOneAdvisoryPerIssueAndSkipsSid) {
  const TrackerParseResult r = ParseOk(Fixture("debian-tracker-sample.json"));
  EXPECT_EQ(r.entries, 12u);
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.releases_skipped, 10u);
  ASSERT_EQ(r.advisories.size(), 12u);
  EXPECT_EQ(r.advisories[0].id, "CVE-2023-38545");
  EXPECT_EQ(r.advisories[11].id, "TEMP-1028575-8E4B1C");
  for (const Advisory& a : r.advisories) {
    EXPECT_TRUE(a.aliases.empty());
    for (const Affected& aff : a.affected) EXPECT_NE(aff.ecosystem, "Debian:");
  }
}

TEST(DebianTracker, ResolvedGivesAFixedRangePerRelease) {
  const TrackerParseResult r = ParseOk(Fixture("debian-tracker-sample.json"));
  const Advisory* a = FindId(r, "CVE-2023-0286");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->source, "tracker.json:openssl/CVE-2023-0286");
  EXPECT_EQ(a->summary.substr(0, 36), "There is a type confusion vulnerabil");
  ASSERT_EQ(a->affected.size(), 2u);
  const Affected* bookworm = FindAffected(*a, "Debian:12");
  const Affected* bullseye = FindAffected(*a, "Debian:11");
  ASSERT_TRUE(bookworm && bullseye);
  EXPECT_EQ(bookworm->name, "openssl");
  EXPECT_EQ(bookworm->purl, "pkg:deb/debian/openssl?arch=source&distro=bookworm");
  EXPECT_EQ(bookworm->status, "");
  ExpectRange(*bookworm, "3.0.8-1");
  ExpectRange(*bullseye, "1.1.1n-0+deb11u4");
  EXPECT_EQ(a->severity, Severity::kUnknown);  // "not yet assigned"
  EXPECT_THAT(a->references,
              ElementsAre("https://security-tracker.debian.org/tracker/CVE-2023-0286"));
}

TEST(DebianTracker, FixedVersionZeroMeansNotAffected) {
  const TrackerParseResult r = ParseOk(Fixture("debian-tracker-sample.json"));
  const Advisory* looney = FindId(r, "CVE-2023-4911");
  ASSERT_NE(looney, nullptr);
  ASSERT_EQ(looney->affected.size(), 1u);  // bullseye's glibc 2.31 never had the bug
  EXPECT_EQ(looney->affected[0].ecosystem, "Debian:12");
  ExpectRange(looney->affected[0], "2.36-9+deb12u3");
  EXPECT_EQ(looney->affected[0].severity, "high");
  EXPECT_EQ(looney->severity, Severity::kHigh);
  EXPECT_THAT(looney->references,
              ElementsAre("https://security-tracker.debian.org/tracker/CVE-2023-4911",
                          "https://bugs.debian.org/1053013"));
  const Advisory* overlay = FindId(r, "CVE-2023-0386");
  ASSERT_NE(overlay, nullptr);
  EXPECT_EQ(overlay->affected.size(), 2u);
  EXPECT_EQ(FindAffected(*overlay, "Debian:10"), nullptr);
}

TEST(DebianTracker, OpenIssuesHaveNoFixAndAStatus) {
  const TrackerParseResult r = ParseOk(Fixture("debian-tracker-sample.json"));
  const Advisory* push = FindId(r, "CVE-2024-2398");
  ASSERT_NE(push, nullptr);
  const Affected* nodsa = FindAffected(*push, "Debian:11");
  ASSERT_NE(nodsa, nullptr);
  EXPECT_EQ(nodsa->status, "no-dsa");
  EXPECT_EQ(nodsa->severity, "medium");  // "medium*"
  ExpectRange(*nodsa, "");
  EXPECT_EQ(FindAffected(*push, "Debian:12")->status, "");

  const Advisory* gc = FindId(r, "CVE-2024-26581");
  ASSERT_NE(gc, nullptr);
  EXPECT_EQ(FindAffected(*gc, "Debian:11")->status, "undetermined");
  ExpectRange(*FindAffected(*gc, "Debian:11"), "");
  EXPECT_EQ(FindAffected(*gc, "Debian:10")->status, "end-of-life");
  EXPECT_EQ(FindAffected(*gc, "Debian:10")->severity, "");

  const Advisory* temp = FindId(r, "TEMP-1028575-8E4B1C");
  ASSERT_NE(temp, nullptr);
  ASSERT_EQ(temp->affected.size(), 1u);
  EXPECT_EQ(temp->affected[0].status, "open");
  EXPECT_EQ(temp->affected[0].severity, "low");  // "low**"
  EXPECT_EQ(temp->severity, Severity::kLow);

  const Advisory* dh = FindId(r, "CVE-2023-5678");
  ASSERT_NE(dh, nullptr);
  EXPECT_EQ(FindAffected(*dh, "Debian:11")->status, "no-dsa");
  EXPECT_EQ(FindAffected(*dh, "Debian:11")->severity, "");
}

TEST(DebianTracker, UnimportantIsLowSeverityWithItsOwnStatus) {
  const TrackerParseResult r = ParseOk(Fixture("debian-tracker-sample.json"));
  for (std::string_view id : {"CVE-2010-0928", "CVE-2019-1010022"}) {
    const Advisory* a = FindId(r, id);
    ASSERT_NE(a, nullptr);
    ASSERT_EQ(a->affected.size(), 2u) << id;
    for (const Affected& aff : a->affected) {
      EXPECT_EQ(aff.status, "unimportant");
      EXPECT_EQ(aff.severity, "low");
      ExpectRange(aff, "");
    }
    EXPECT_EQ(a->severity, Severity::kLow);
  }
}

TEST(DebianTracker, MergesOneIssueAcrossSourcePackages) {
  const TrackerParseResult r = ParseOk(R"({
    "linux": {"CVE-2024-1": {"description": "d", "releases": {
        "bookworm": {"status": "resolved", "fixed_version": "6.1.1-1", "urgency": "low"}}}},
    "linux-signed-amd64": {"CVE-2024-1": {"description": "other", "releases": {
        "bookworm": {"status": "open", "urgency": "high"}}}}})");
  ASSERT_EQ(r.advisories.size(), 1u);
  const Advisory& a = r.advisories[0];
  EXPECT_EQ(a.summary, "d");
  ASSERT_EQ(a.affected.size(), 2u);
  EXPECT_EQ(a.affected[0].name, "linux");
  EXPECT_EQ(a.affected[1].name, "linux-signed-amd64");
  EXPECT_EQ(a.affected[1].status, "open");
  EXPECT_EQ(a.severity, Severity::kHigh);
}

TEST(DebianTracker, BadEntriesAreReportedAndTheRestLoads) {
  const TrackerParseResult r = ParseOk(Fixture("debian-tracker-bad.json"), "bad.json");
  EXPECT_EQ(r.entries, 7u);
  EXPECT_EQ(r.rejected, 5u);
  EXPECT_EQ(r.releases_skipped, 1u);
  ASSERT_EQ(r.advisories.size(), 2u);
  EXPECT_EQ(r.advisories[0].id, "CVE-2023-0464");
  EXPECT_EQ(r.advisories[1].id, "CVE-2023-23914");
  ASSERT_EQ(r.errors.size(), 5u);
  EXPECT_EQ(r.errors[0].source, "bad.json:openssl/CVE-2023-0465");
  EXPECT_EQ(r.errors[0].id, "CVE-2023-0465");
  EXPECT_EQ(r.errors[0].reason,
            "releases.bookworm.status: 'fixed' is not one of resolved, open, undetermined");
  EXPECT_EQ(r.errors[1].reason,
            "releases.bookworm.fixed_version: required when status is resolved");
  EXPECT_EQ(r.errors[2].source, "bad.json:sudo/CVE-2023-28487");
  EXPECT_EQ(r.errors[2].reason, "releases: required object is missing");
  EXPECT_EQ(r.errors[3].reason, "debianbug: expected an integer");
  EXPECT_EQ(r.errors[4].source, "bad.json:zlib");
  EXPECT_EQ(r.errors[4].id, "");
  EXPECT_EQ(r.errors[4].reason, "expected an object of issues");
}

TEST(DebianTracker, RejectsTextThatIsNotAnObject) {
  EXPECT_FALSE(ParseDebianTracker("[1]", "x").ok());
  EXPECT_FALSE(ParseDebianTracker("", "x").ok());
  EXPECT_TRUE(ParseDebianTracker(" {} ", "x").ok());
}

TEST(JsonMemberSplit, SplitsTopLevelMembersWithoutParsingValues) {
  auto m = SplitJsonObjectMembers(
      R"( { "a" : {"x": "}{\"]", "y": [1, {"z": []}]} , "b\u00e9\"" :  12 ,"c":"s", "d": null } )");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->size(), 4u);
  EXPECT_EQ((*m)[0].first, "a");
  EXPECT_EQ((*m)[0].second, R"({"x": "}{\"]", "y": [1, {"z": []}]})");
  EXPECT_EQ((*m)[1].first, "b\xc3\xa9\"");
  EXPECT_EQ((*m)[1].second, "12");
  EXPECT_EQ((*m)[2].second, R"("s")");
  EXPECT_EQ((*m)[3].second, "null");
}

TEST(JsonMemberSplit, ReportsMalformedStructureWithAnOffset) {
  EXPECT_EQ(SplitJsonObjectMembers("[]").error().message(), "byte 0: expected '{'");
  EXPECT_EQ(SplitJsonObjectMembers(R"({"a": {"b": [}})").error().message(),
            "byte 13: mismatched bracket");
  EXPECT_EQ(SplitJsonObjectMembers(R"({"a": "x)").error().message(), "byte 6: unterminated string");
  EXPECT_EQ(SplitJsonObjectMembers(R"({"a" 1})").error().message(), "byte 5: expected ':'");
  EXPECT_EQ(SplitJsonObjectMembers(R"({"a": 1 "b": 2})").error().message(),
            "byte 8: expected ',' or '}'");
  EXPECT_EQ(SplitJsonObjectMembers(R"({"a": 1} x)").error().message(),
            "byte 9: unexpected text after the object");
  EXPECT_EQ(SplitJsonObjectMembers(R"({"a": {)").error().message(),
            "byte 6: unterminated object or array");
}

TEST(JsonMemberSplit, TellsTheTrackerFromOsvDocuments) {
  auto shape = [](std::string_view text) {
    auto m = SplitJsonObjectMembers(text);
    return m.ok() && LooksLikeDebianTracker(*m);
  };
  EXPECT_TRUE(shape(R"({"empty": {}, "openssl": {"CVE-1": {"releases": {}}}})"));
  EXPECT_FALSE(shape(R"({"id": "GHSA-1", "modified": "2024-01-01T00:00:00Z"})"));
  EXPECT_FALSE(shape(R"({"vulns": []})"));
  EXPECT_FALSE(shape(R"({"openssl": {"CVE-1": {"status": "open"}}})"));
  EXPECT_FALSE(shape(R"({})"));
}

}  // namespace
}  // namespace rampart::agent::vuln
