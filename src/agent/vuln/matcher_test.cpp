// Specification of the matcher: hand-made advisories (no feed parsing) against installed packages,
// one pitfall per test: source packages, epochs and tildes, backports, range shapes, ecosystems,
// merging, Debian tracker statuses, kernels.
#include "agent/vuln/matcher.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "agent/collectors/host.h"
#include "agent/collectors/software_apk.h"
#include "agent/collectors/software_dpkg.h"
#include "agent/collectors/software_lang.h"
#include "common/host_view.h"

namespace rampart::agent::vuln {
namespace {

using K = RangeEvent::Kind;
using Strings = std::vector<std::string>;

RangeEvent Intro(std::string v) { return {K::kIntroduced, std::move(v)}; }
RangeEvent Fixed(std::string v) { return {K::kFixed, std::move(v)}; }
RangeEvent Last(std::string v) { return {K::kLastAffected, std::move(v)}; }
RangeEvent Limit(std::string v) { return {K::kLimit, std::move(v)}; }

Range Eco(std::vector<RangeEvent> events) { return {Range::Type::kEcosystem, std::move(events)}; }
Range Semver(std::vector<RangeEvent> events) { return {Range::Type::kSemver, std::move(events)}; }

Affected Aff(std::string eco, std::string name, std::vector<Range> ranges, Strings versions = {},
             std::string status = {}, std::string severity = {}) {
  Affected a;
  a.ecosystem = std::move(eco);
  a.name = std::move(name);
  a.ranges = std::move(ranges);
  a.versions = std::move(versions);
  a.status = std::move(status);
  a.severity = std::move(severity);
  return a;
}

Advisory Adv(std::string id, std::vector<Affected> affected, Strings aliases = {},
             Severity severity = Severity::kUnknown) {
  Advisory a;
  a.id = std::move(id);
  a.summary = "summary of " + a.id;
  a.affected = std::move(affected);
  a.aliases = std::move(aliases);
  a.severity = severity;
  a.references = {"https://example.org/" + a.id};
  return a;
}

SoftwarePackage Pkg(std::string type, std::string name, std::string version,
                    std::string source = {}, std::string source_version = {},
                    std::string path = {}) {
  SoftwarePackage p;
  p.type = std::move(type);
  p.name = std::move(name);
  p.version = std::move(version);
  p.source_name = source.empty() ? p.name : std::move(source);
  p.source_version = source_version.empty() ? p.version : std::move(source_version);
  p.path = std::move(path);
  return p;
}

OsInfo Os(std::string id, std::string version) {
  return {std::move(id), "", std::move(version), ""};
}

// Owns the advisories (the index points into them) and runs matches.
class Feed {
 public:
  explicit Feed(std::vector<Advisory> advisories)
      : advisories_(advisories.begin(), advisories.end()) {
    std::vector<const Advisory*> ptrs;
    for (const auto& a : advisories_) ptrs.push_back(&a);
    index_ = AdvisoryIndex::Build(ptrs);
  }
  std::vector<Finding> Match(const OsInfo& os, std::vector<SoftwarePackage> pkgs,
                             MatchOptions opts = {}, std::string kernel = {}) const {
    MatchTarget t{OsTargetFor(os), std::move(kernel), std::move(pkgs)};
    return MatchHost(index_, t, opts);
  }
  const AdvisoryIndex& index() const { return index_; }

 private:
  std::deque<Advisory> advisories_;
  AdvisoryIndex index_;
};

// Evaluates one affected entry of the given comparator against a version.
Verdict Eval(Ecosystem e, const Affected& aff, std::string_view v) {
  static const Advisory kNone;
  return Evaluate(PrepareAffected(&kNone, aff, e), v);
}

const OsInfo kBookworm = Os("debian", "12");

TEST(Matcher, BinaryPackagesAreMatchedByTheirSourcePackageAsOneFinding) {
  Feed feed({Adv("DSA-9001-1",
                 {Aff("Debian:12", "openssl", {Eco({Intro("0"), Fixed("3.0.13-1~deb12u1")})})})});
  const auto findings = feed.Match(
      kBookworm, {Pkg("deb", "libssl3", "3.0.11-1~deb12u2+b1", "openssl", "3.0.11-1~deb12u2"),
                  Pkg("deb", "openssl", "3.0.11-1~deb12u2"),
                  Pkg("deb", "libssl-doc", "3.0.11-1~deb12u2", "openssl")});
  ASSERT_EQ(findings.size(), 1u);
  const Finding& f = findings[0];
  EXPECT_EQ(f.id, "DSA-9001-1");
  EXPECT_EQ(f.package, "openssl");
  EXPECT_EQ(f.binaries, (Strings{"libssl-doc", "libssl3", "openssl"}));
  EXPECT_EQ(f.type, "deb");
  EXPECT_EQ(f.installed_version, "3.0.11-1~deb12u2");  // the source version, not the binNMU "+b1"
  EXPECT_EQ(f.fixed_version, "3.0.13-1~deb12u1");
  EXPECT_EQ(f.status, "fixed_available");
  EXPECT_EQ(f.ecosystem, "Debian:12");
  EXPECT_EQ(f.fix, "apt-get install --only-upgrade libssl-doc libssl3 openssl");
  EXPECT_EQ(f.references, (Strings{"https://example.org/DSA-9001-1"}));
}

TEST(Matcher, BinaryNameAloneDoesNotMatchASourceAdvisory) {
  Feed feed({Adv("DSA-9001-1", {Aff("Debian:12", "libssl3", {Eco({Intro("0"), Fixed("9")})})})});
  EXPECT_TRUE(
      feed.Match(kBookworm, {Pkg("deb", "libssl3", "3.0.11-1~deb12u2+b1", "openssl")}).empty());
}

TEST(Matcher, SourcePackagesOfTheFixtureRootAreMapped) {
  auto host = HostView::Open(std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/root-debian");
  ASSERT_TRUE(host.ok());
  Feed feed({Adv("DSA-9001-1",
                 {Aff("Debian:12", "openssl", {Eco({Intro("0"), Fixed("3.0.13-1~deb12u1")})})}),
             Adv("DSA-9002-1",
                 {Aff("Debian:12", "zlib", {Eco({Intro("0"), Fixed("1:1.2.13.dfsg-1")})})})});
  const auto findings = feed.Match(ReadOsInfo(*host), ReadDpkgPackages(*host));
  ASSERT_EQ(findings.size(), 1u);  // zlib 1:1.2.13.dfsg-1 is the fixed version itself
  EXPECT_EQ(findings[0].binaries, (Strings{"libssl3", "openssl"}));
  EXPECT_EQ(findings[0].installed_version, "3.0.11-1~deb12u2");
}

TEST(Matcher, BackportedDebianFixesAreNotReported) {
  const auto installed =
      Pkg("deb", "libssl3", "3.0.11-1~deb12u2+b1", "openssl", "3.0.11-1~deb12u2");
  Feed older({Adv("DSA-1",
                  {Aff("Debian:12", "openssl", {Eco({Intro("0"), Fixed("3.0.11-1~deb12u1")})})})});
  EXPECT_TRUE(older.Match(kBookworm, {installed}).empty());
  Feed same({Adv("DSA-1",
                 {Aff("Debian:12", "openssl", {Eco({Intro("0"), Fixed("3.0.11-1~deb12u2")})})})});
  EXPECT_TRUE(same.Match(kBookworm, {installed}).empty());
  // The upstream release the backport came from sorts after the ~deb12 revision: still affected.
  Feed upstream(
      {Adv("DSA-1", {Aff("Debian:12", "openssl", {Eco({Intro("0"), Fixed("3.0.11-1")})})})});
  EXPECT_EQ(upstream.Match(kBookworm, {installed}).size(), 1u);
}

TEST(Evaluate, EpochsAndTildesInFixedVersions) {
  const Affected aff = Aff("Debian:12", "p", {Eco({Intro("0"), Fixed("1:2.0~rc1")})});
  EXPECT_TRUE(Eval(Ecosystem::kDeb, aff, "2.0").affected);  // epoch 0 < epoch 1
  EXPECT_TRUE(Eval(Ecosystem::kDeb, aff, "9.9-1").affected);
  EXPECT_TRUE(Eval(Ecosystem::kDeb, aff, "1:2.0~beta1").affected);
  EXPECT_TRUE(Eval(Ecosystem::kDeb, aff, "1:2.0~rc1~1").affected);  // ~ sorts before anything
  EXPECT_EQ(Eval(Ecosystem::kDeb, aff, "1:1.9").fixed, "1:2.0~rc1");
  EXPECT_FALSE(Eval(Ecosystem::kDeb, aff, "1:2.0~rc1").affected);
  EXPECT_FALSE(Eval(Ecosystem::kDeb, aff, "1:2.0").affected);
  EXPECT_FALSE(Eval(Ecosystem::kDeb, aff, "1:2.0~rc1+deb12u1").affected);
  EXPECT_FALSE(Eval(Ecosystem::kDeb, aff, "2:0.1").affected);
}

TEST(Evaluate, SeveralIntroducedFixedPairsInAnyOrder) {
  // Events deliberately out of version order: the spec evaluates them sorted by version.
  const Affected aff =
      Aff("PyPI", "p", {Eco({Fixed("2.3"), Intro("2.0"), Fixed("1.5"), Intro("1.0")})});
  EXPECT_FALSE(Eval(Ecosystem::kPypi, aff, "0.9").affected);
  EXPECT_TRUE(Eval(Ecosystem::kPypi, aff, "1.0").affected);
  EXPECT_EQ(Eval(Ecosystem::kPypi, aff, "1.2").fixed, "1.5");
  EXPECT_FALSE(Eval(Ecosystem::kPypi, aff, "1.5").affected);
  EXPECT_FALSE(Eval(Ecosystem::kPypi, aff, "1.9").affected);
  EXPECT_TRUE(Eval(Ecosystem::kPypi, aff, "2.0rc1").affected == false);  // 2.0rc1 < 2.0
  EXPECT_EQ(Eval(Ecosystem::kPypi, aff, "2.2.9").fixed, "2.3");
  EXPECT_FALSE(Eval(Ecosystem::kPypi, aff, "2.3").affected);
  EXPECT_FALSE(Eval(Ecosystem::kPypi, aff, "3.0").affected);
}

TEST(Evaluate, LastAffectedIncludesThatVersionOnly) {
  const Affected aff = Aff("PyPI", "p", {Eco({Intro("0"), Last("2.4")})});
  EXPECT_TRUE(Eval(Ecosystem::kPypi, aff, "1.0").affected);
  const Verdict at = Eval(Ecosystem::kPypi, aff, "2.4");
  EXPECT_TRUE(at.affected);
  EXPECT_EQ(at.fixed, "");  // last_affected gives no fixed version
  EXPECT_FALSE(Eval(Ecosystem::kPypi, aff, "2.4.1").affected);
  EXPECT_FALSE(Eval(Ecosystem::kPypi, aff, "2.4.post1").affected);
}

TEST(Evaluate, LimitBoundsARange) {
  const Affected aff = Aff("Go", "p", {Semver({Intro("1.0.0"), Limit("1.5.0")})});
  EXPECT_FALSE(Eval(Ecosystem::kSemver, aff, "0.9.0").affected);
  EXPECT_TRUE(Eval(Ecosystem::kSemver, aff, "1.2.0").affected);
  EXPECT_FALSE(Eval(Ecosystem::kSemver, aff, "1.5.0").affected);
  EXPECT_FALSE(Eval(Ecosystem::kSemver, aff, "2.0.0").affected);
}

TEST(Evaluate, VersionsListsAreExactMatchesAndGitRangesAreIgnored) {
  Affected aff = Aff("PyPI", "p", {Range{Range::Type::kGit, {Intro("abc123"), Fixed("def456")}}},
                     {"1.0.1", "1.0.3"});
  EXPECT_TRUE(Eval(Ecosystem::kPypi, aff, "1.0.1").affected);
  EXPECT_FALSE(Eval(Ecosystem::kPypi, aff, "1.0.2").affected);
  EXPECT_TRUE(Eval(Ecosystem::kPypi, aff, "1.0.3").affected);
  aff.versions.clear();  // a GIT range alone says nothing about package versions
  EXPECT_FALSE(Eval(Ecosystem::kPypi, aff, "1.0.1").affected);
}

TEST(Evaluate, AnEventTheComparatorRejectsDisablesItsRange) {
  Feed feed({Adv("DSA-1", {Aff("Debian:12", "p", {Eco({Intro("0"), Fixed("1:")})})})});
  EXPECT_EQ(feed.index().stats().invalid_ranges, 1u);
  EXPECT_TRUE(feed.Match(kBookworm, {Pkg("deb", "p", "1.0-1")}).empty());
}

TEST(Matcher, SemverRangesForNpmAndGo) {
  Feed feed(
      {Adv("GHSA-p6mc-m468-83gw", {Aff("npm", "lodash", {Semver({Intro("0"), Fixed("4.17.21")})})}),
       Adv("GO-2023-2102",
           {Aff("Go", "golang.org/x/net", {Semver({Intro("0"), Fixed("0.17.0")})})})});
  auto f = feed.Match(kBookworm, {Pkg("npm", "lodash", "4.17.20")});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].fix, "npm install -g lodash@4.17.21");
  EXPECT_EQ(feed.Match(kBookworm, {Pkg("npm", "lodash", "4.17.21-beta.1")}).size(),
            1u);  // pre-release
  EXPECT_TRUE(feed.Match(kBookworm, {Pkg("npm", "lodash", "4.17.21")}).empty());
  f = feed.Match(kBookworm, {Pkg("go", "golang.org/x/net", "v0.15.0")});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].fixed_version, "0.17.0");
  EXPECT_TRUE(feed.Match(kBookworm, {Pkg("go", "golang.org/x/net", "v0.17.0")}).empty());
}

TEST(Matcher, PypiNamesAreComparedPep503Normalised) {
  Feed feed(
      {Adv("PYSEC-2021-98", {Aff("PyPI", "django", {Eco({Intro("3.2"), Fixed("3.2.1")})})}),
       Adv("GHSA-zope", {Aff("PyPI", "zope.interface", {Eco({Intro("0"), Fixed("5.5.3")})})})});
  auto f =
      feed.Match(kBookworm, {Pkg("pypi", "Django", "3.2", {}, {},
                                 "/usr/local/lib/python3.11/dist-packages/Django-3.2.dist-info")});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].package, "Django");
  EXPECT_EQ(f[0].ecosystem, "PyPI");
  EXPECT_EQ(f[0].fix, "pip install 'Django>=3.2.1'");
  EXPECT_EQ(f[0].paths, (Strings{"/usr/local/lib/python3.11/dist-packages/Django-3.2.dist-info"}));
  f = feed.Match(kBookworm, {Pkg("pypi", "zope-interface", "5.5.2", {}, {},
                                 "/opt/app/venv/lib/python3.11/site-packages/x")});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id, "GHSA-zope");
}

TEST(Matcher, PythonPackagesOwnedByTheOsPackageManagerAreLeftToIt) {
  Feed feed(
      {Adv("GHSA-zope", {Aff("PyPI", "zope-interface", {Eco({Intro("0"), Fixed("5.5.3")})})})});
  const std::vector<SoftwarePackage> pkgs = {
      Pkg("deb", "python3-zope.interface", "5.5.2-1+b1", "zope.interface", "5.5.2-1"),
      Pkg("pypi", "zope.interface", "5.5.2", {}, {},
          "/usr/lib/python3/dist-packages/zope.interface-5.5.2.dist-info")};
  MatchStats stats;
  const MatchTarget t{OsTargetFor(kBookworm), "", pkgs};
  EXPECT_TRUE(MatchHost(feed.index(), t, {}, &stats).empty());
  EXPECT_EQ(stats.skipped_os_managed, 1u);
  MatchOptions opts;
  opts.include_os_managed_python = true;
  EXPECT_EQ(feed.Match(kBookworm, pkgs, opts).size(), 1u);
}

TEST(Matcher, WithdrawnAdvisoriesNeverMatch) {
  Advisory a = Adv("GHSA-gone", {Aff("PyPI", "django", {Eco({Intro("0")})})});
  a.withdrawn = "2024-01-01T00:00:00Z";
  Feed feed({a});
  EXPECT_EQ(feed.index().stats().entries, 0u);
  EXPECT_TRUE(feed.Match(kBookworm, {Pkg("pypi", "django", "1.0")}).empty());
}

TEST(Matcher, OsAdvisoriesMatchOnlyTheHostsRelease) {
  Feed feed({Adv("DSA-1", {Aff("Debian:11", "openssl", {Eco({Intro("0"), Fixed("9")})})})});
  EXPECT_TRUE(feed.Match(kBookworm, {Pkg("deb", "openssl", "3.0.11-1")}).empty());
  EXPECT_EQ(feed.Match(Os("debian", "11"), {Pkg("deb", "openssl", "1.1.1n-0+deb11u4")}).size(), 1u);
  EXPECT_TRUE(feed.Match(Os("gentoo", "2.14"), {Pkg("deb", "openssl", "1.0")}).empty());
}

TEST(Matcher, AlpineOriginPackagesOnV319) {
  auto host = HostView::Open(std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/root-alpine");
  ASSERT_TRUE(host.ok());
  Feed feed(
      {Adv("CVE-2023-6129",
           {Aff("Alpine:v3.19", "openssl", {Eco({Intro("0"), Fixed("3.1.4-r3")})})}),
       Adv("CVE-2023-0001", {Aff("Alpine:v3.18", "musl", {Eco({Intro("0"), Fixed("9.9-r0")})})})});
  const auto f = feed.Match(ReadOsInfo(*host), ReadApkPackages(*host));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].ecosystem, "Alpine:v3.19");
  EXPECT_EQ(f[0].package, "openssl");
  EXPECT_EQ(f[0].binaries, (Strings{"libcrypto3", "libssl3"}));
  EXPECT_EQ(f[0].installed_version, "3.1.4-r1");
  EXPECT_EQ(f[0].fix, "apk upgrade libcrypto3 libssl3");
}

TEST(Matcher, RockyPackagesBySourceRpmWithTheBinaryEpoch) {
  Feed feed({Adv("RLSA-2024:0001", {Aff("Rocky Linux:9", "openssl",
                                        {Eco({Intro("0"), Fixed("1:3.0.7-25.el9_3")})})})});
  const auto f = feed.Match(
      Os("rocky", "9.3"), {Pkg("rpm", "openssl-libs", "1:3.0.7-24.el9", "openssl", "3.0.7-24.el9"),
                           Pkg("rpm", "openssl", "1:3.0.7-24.el9", "openssl", "3.0.7-24.el9")});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].installed_version, "1:3.0.7-24.el9");
  EXPECT_EQ(f[0].fix, "dnf upgrade openssl openssl-libs");
}

TEST(Matcher, ADsaAndItsCveRecordsAreOneFinding) {
  Feed feed({Adv("DSA-5621-1",
                 {Aff("Debian:12", "openssl", {Eco({Intro("0"), Fixed("3.0.13-1~deb12u1")})})},
                 {"CVE-2024-0727", "CVE-2023-6129"}),
             Adv("CVE-2024-0727",
                 {Aff("Debian:12", "openssl", {Eco({Intro("0"), Fixed("3.0.13-1~deb12u2")})}, {},
                      {}, "medium")}),
             Adv("CVE-2023-5678",
                 {Aff("Debian:12", "openssl", {Eco({Intro("0")})}, {}, "open", "low")})});
  const auto f = feed.Match(
      kBookworm, {Pkg("deb", "libssl3", "3.0.11-1~deb12u2+b1", "openssl", "3.0.11-1~deb12u2")});
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].id, "DSA-5621-1");  // medium sorts before low
  EXPECT_EQ(f[0].ids, (Strings{"DSA-5621-1", "CVE-2023-6129", "CVE-2024-0727"}));
  EXPECT_EQ(f[0].severity, Severity::kMedium);        // the highest of the merged records
  EXPECT_EQ(f[0].fixed_version, "3.0.13-1~deb12u2");  // the highest fixed version
  EXPECT_EQ(f[0].summary, "summary of DSA-5621-1");
  EXPECT_EQ(f[0].references,
            (Strings{"https://example.org/DSA-5621-1", "https://example.org/CVE-2024-0727"}));
  EXPECT_EQ(f[1].id, "CVE-2023-5678");
  EXPECT_EQ(f[1].ids, (Strings{"CVE-2023-5678"}));
}

TEST(Matcher, TrackerStatusesWithoutAFix) {
  Feed feed(
      {Adv("CVE-2022-3715", {Aff("Debian:12", "bash", {Eco({Intro("0")})}, {}, "no-dsa", "low")}),
       Adv("CVE-2024-0001", {Aff("Debian:12", "zlib", {Eco({Intro("0")})}, {}, "open", "high")}),
       Adv("CVE-2024-0002", {Aff("Debian:12", "glibc", {}, {}, "undetermined")}),
       Adv("CVE-2007-5686",
           {Aff("Debian:12", "shadow", {Eco({Intro("0")})}, {}, "unimportant", "low")})});
  const std::vector<SoftwarePackage> pkgs = {
      Pkg("deb", "bash", "5.2.15-2+b2", "bash", "5.2.15-2"),
      Pkg("deb", "zlib1g", "1:1.2.13.dfsg-1", "zlib"),
      Pkg("deb", "libc6", "2.36-9+deb12u4", "glibc"),
      Pkg("deb", "login", "1:4.13+dfsg1-1+b1", "shadow", "1:4.13+dfsg1-1")};
  auto f = feed.Match(kBookworm, pkgs);
  ASSERT_EQ(f.size(), 3u);  // "unimportant" is skipped by default
  EXPECT_EQ(f[0].package, "zlib");
  EXPECT_EQ(f[0].status, "unfixed");
  EXPECT_EQ(f[0].fixed_version, "");
  EXPECT_EQ(f[0].fix, "");
  EXPECT_EQ(f[0].severity, Severity::kHigh);
  EXPECT_EQ(f[1].package, "bash");
  EXPECT_EQ(f[1].status, "no-dsa");
  EXPECT_EQ(f[2].package, "glibc");  // undetermined, no range: every version
  EXPECT_EQ(f[2].status, "unfixed");
  EXPECT_EQ(f[2].severity, Severity::kUnknown);
  MatchOptions opts;
  opts.include_unimportant = true;
  f = feed.Match(kBookworm, pkgs, opts);
  ASSERT_EQ(f.size(), 4u);
  const Finding& shadow = f[2].package == "shadow" ? f[2] : f[1];
  EXPECT_EQ(shadow.package, "shadow");
  EXPECT_EQ(shadow.status, "unimportant");
  EXPECT_EQ(shadow.severity, Severity::kLow);
  EXPECT_EQ(shadow.labels, (Strings{"UNIMPORTANT"}));
}

TEST(Matcher, TrackerFixInThisReleaseIsNotReported) {
  Feed feed({Adv("CVE-2024-0727",
                 {Aff("Debian:12", "openssl", {Eco({Intro("0"), Fixed("3.0.11-1~deb12u2")})})})});
  EXPECT_TRUE(feed.Match(kBookworm, {Pkg("deb", "openssl", "3.0.11-1~deb12u2")}).empty());
}

TEST(Matcher, KernelsRunningAndNotRunning) {
  const std::vector<SoftwarePackage> pkgs = {
      Pkg("deb", "linux-image-6.1.0-18-amd64", "6.1.76-1", "linux", "6.1.76-1"),
      Pkg("deb", "linux-image-6.1.0-17-amd64", "6.1.69-1", "linux", "6.1.69-1"),
      Pkg("deb", "linux-image-amd64", "6.1.76-1", "linux-signed-amd64", "6.1.76+1")};
  Feed fixed_in_running(
      {Adv("DSA-5658-1", {Aff("Debian:12", "linux", {Eco({Intro("0"), Fixed("6.1.76-1")})})})});
  auto f = fixed_in_running.Match(kBookworm, pkgs, {}, "6.1.0-18-amd64");
  ASSERT_EQ(f.size(), 1u);  // only the old kernel, which is installed but not running
  EXPECT_EQ(f[0].installed_version, "6.1.69-1");
  EXPECT_EQ(f[0].labels, (Strings{"KERNEL_NOT_RUNNING"}));
  EXPECT_EQ(f[0].fix, "apt-get purge linux-image-6.1.0-17-amd64");

  Feed later(
      {Adv("DSA-5700-1", {Aff("Debian:12", "linux", {Eco({Intro("0"), Fixed("6.1.90-1")})})})});
  f = later.Match(kBookworm, pkgs, {}, "6.1.0-18-amd64");
  ASSERT_EQ(f.size(), 2u);
  const Finding& running = f[0].installed_version == "6.1.76-1" ? f[0] : f[1];
  EXPECT_EQ(running.labels, (Strings{"KERNEL_RUNNING", "NEED_REBOOT"}));
  EXPECT_EQ(running.fix, "apt-get install --only-upgrade linux-image-amd64 && reboot");
  // Unknown running release: plain findings.
  f = later.Match(kBookworm, pkgs);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_TRUE(f[0].labels.empty());
  EXPECT_EQ(f[0].fix.rfind("apt-get install --only-upgrade linux-image-6.1.0-", 0), 0u);
}

TEST(Matcher, SignedKernelImagesAreMatchedAsTheLinuxSource) {
  // Debian's amd64 images come from linux-signed-amd64 (5.10.158+2); DSAs name "linux"
  // at 5.10.158-2.
  Feed feed(
      {Adv("DSA-5324-1", {Aff("Debian:11", "linux", {Eco({Intro("0"), Fixed("5.10.162-1")})})})});
  const auto f = feed.Match(
      Os("debian", "11"),
      {Pkg("deb", "linux-image-5.10.0-20-amd64", "5.10.158-2", "linux-signed-amd64", "5.10.158+2"),
       Pkg("deb", "linux-image-amd64", "5.10.158-2", "linux-signed-amd64", "5.10.158+2")},
      {}, "5.10.0-20-amd64");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].package, "linux");
  EXPECT_EQ(f[0].installed_version, "5.10.158-2");
  EXPECT_EQ(f[0].binaries, (Strings{"linux-image-5.10.0-20-amd64", "linux-image-amd64"}));
  EXPECT_EQ(f[0].labels, (Strings{"KERNEL_RUNNING", "NEED_REBOOT"}));
  EXPECT_EQ(f[0].fix, "apt-get install --only-upgrade linux-image-amd64 && reboot");
}

TEST(Matcher, SortsBySeverityThenPackageAndFiltersByMinimum) {
  Feed feed({Adv("A-1", {Aff("PyPI", "zzz", {Eco({Intro("0")})})}, {}, Severity::kCritical),
             Adv("A-2", {Aff("PyPI", "aaa", {Eco({Intro("0")})})}, {}, Severity::kLow),
             Adv("A-3", {Aff("PyPI", "bbb", {Eco({Intro("0")})})}, {}, Severity::kCritical)});
  const std::vector<SoftwarePackage> pkgs = {Pkg("pypi", "aaa", "1"), Pkg("pypi", "bbb", "1"),
                                             Pkg("pypi", "zzz", "1")};
  auto f = feed.Match(kBookworm, pkgs);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].package, "bbb");
  EXPECT_EQ(f[1].package, "zzz");
  EXPECT_EQ(f[2].package, "aaa");
  MatchOptions opts;
  opts.min_severity = Severity::kHigh;
  EXPECT_EQ(feed.Match(kBookworm, pkgs, opts).size(), 2u);
}

TEST(Matcher, InvalidInstalledVersionsAreCountedNotMatched) {
  Feed feed({Adv("DSA-1", {Aff("Debian:12", "weird", {Eco({Intro("0")})})})});
  MatchStats stats;
  const MatchTarget t{OsTargetFor(kBookworm), "", {Pkg("deb", "weird", "1:")}};
  EXPECT_TRUE(MatchHost(feed.index(), t, {}, &stats).empty());
  EXPECT_EQ(stats.invalid_versions, 1u);
}

TEST(FixCommand, OnePerPackageManager) {
  EXPECT_EQ(FixCommand("rpm", "yum", {"bash"}, "4.2"), "yum update bash");
  EXPECT_EQ(FixCommand("rpm", "dnf", {"bash"}, "4.2"), "dnf upgrade bash");
  EXPECT_EQ(FixCommand("deb", "apt-get", {"bash"}, ""), "");
  EXPECT_EQ(FixCommand("maven", "", {"org.x:y"}, "2.0"), "upgrade org.x:y to 2.0");
}

TEST(Finding, JsonHasEveryField) {
  Finding f;
  f.id = "DSA-1";
  f.ids = {"DSA-1", "CVE-1"};
  f.severity = Severity::kHigh;
  const Json j = FindingToJson(f);
  for (const char* k : {"id", "aliases", "ids", "package", "binaries", "paths", "type",
                        "installed_version", "fixed_version", "severity", "score", "summary",
                        "ecosystem", "status", "fix_command", "references", "labels", "sources"}) {
    EXPECT_NE(j.Find(k), nullptr) << k;
  }
  EXPECT_EQ(j.GetString("severity"), "high");
  EXPECT_EQ(IdPreference("DSA-1") < IdPreference("GHSA-x"), true);
  EXPECT_EQ(IdPreference("GHSA-x") < IdPreference("CVE-2024-1"), true);
}

}  // namespace
}  // namespace rampart::agent::vuln
