// PEP 440 ordering as packaging.version.Version (>= 22) orders it: the golden fixtures, hand-picked
// cases read as the rules, and the inputs packaging rejects.
#include "agent/vuln/version_pypi.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "agent/vuln/version_fixture_testing.h"

namespace rampart::agent::vuln {
namespace {

int Sign(int v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

int Cmp(std::string_view a, std::string_view b) {
  const Result<int> r = ComparePypiVersions(a, b);
  EXPECT_TRUE(r.ok()) << a << " vs " << b << ": " << r.status().ToString();
  return r.ok() ? Sign(*r) : 99;
}

bool Valid(std::string_view v) { return ComparePypiVersions(v, v).ok(); }

// Versions in the fixtures that only packaging < 22 accepted (as LegacyVersion, ordered before
// every PEP 440 version). packaging >= 22, pip >= 24.1 and this comparator reject them.
const std::set<std::string>& LegacyVersions() {
  static const std::set<std::string> kLegacy = {"-class.-jw.util.version.Version-",
                                                "-class.-jw.util.version.version-dev",
                                                "-class.-jw.util.version.version-pre",
                                                "-class.-jw.util.version.version-preview",
                                                "0.0.1-test1",
                                                "0.1-bulbasaur",
                                                "0.1-charmander",
                                                "0.3.1-p1",
                                                "0.3m1",
                                                "0.3m2",
                                                "0.3m3",
                                                "0.3m4",
                                                "0.3m5",
                                                "0.4.0-p1",
                                                "0.4m1",
                                                "0.4m2",
                                                "0.4m3",
                                                "0.4m4",
                                                "0.4m5",
                                                "0.5m1",
                                                "0.5m2",
                                                "0.5m3",
                                                "0.5m4",
                                                "0.5m5",
                                                "0.6m1",
                                                "0.6m2",
                                                "0.6m3",
                                                "0.6m4",
                                                "0.6m5",
                                                "0.6m6",
                                                "0.7.1.fix1",
                                                "0.7.10p1",
                                                "0.7.11p1",
                                                "0.7.11p2",
                                                "0.7.11p3",
                                                "0.7.4.svn.r2010",
                                                "0.8.1p1",
                                                "0.8.3p1",
                                                "0.8.4p1",
                                                "0.8.4p2",
                                                "0.8.6p1",
                                                "0.8.7p1",
                                                "0.9-doduo",
                                                "0.9-eevee",
                                                "0.9-fearow",
                                                "0.9-gyarados",
                                                "0.9-horsea",
                                                "0.9-ivysaur",
                                                "1.0beta6.1",
                                                "1.3.1-STAGING",
                                                "2.0.0-final",
                                                "2.0.1rc2-git",
                                                "2013-01-21T20:33:09+0100",
                                                "2013-01-23T17:11:52+0100",
                                                "2013-02-01T20:50:46+0100",
                                                "2013-02-02T19:59:03+0100",
                                                "2013-02-02T20:23:17+0100",
                                                "2013-02-08T17:40:57+0000",
                                                "2013-03-27T16:32:26+0100",
                                                "2013-05-09T12:47:53+0200",
                                                "2013-05-10T17:55:56+0200",
                                                "2013-05-14T20:16:05+0200",
                                                "2013-06-01T10:32:51+0200",
                                                "2013-07-19T09:11:08+0000",
                                                "2013-08-12T21:48:56+0200",
                                                "2013-09-11T19-27-10",
                                                "2013-12-23T17-51-15",
                                                "2014-01-12T15-52-10",
                                                "4.11-final",
                                                "5.0-final",
                                                "a3",
                                                "trunk"};
  return kLegacy;
}

struct FixtureResult {
  int checked = 0;
  int legacy = 0;
  std::vector<std::string> failures;
};

// Lines "A < B", "A = B", "A > B"; '#' and '//' lines are comments.
FixtureResult CheckFixture(const std::string& name) {
  FixtureResult res;
  const std::string path = RAMPART_SOURCE_DIR "/../shared/data/version-fixtures/" + name;
  std::ifstream in(path);
  if (!in) {
    res.failures.push_back("cannot open " + path);
    return res;
  }
  std::string line;
  for (int ln = 1; std::getline(in, line); ++ln) {
    std::istringstream fields(line);
    std::string a, op, b;
    if (!(fields >> a) || a[0] == '#' || a.starts_with("//")) continue;
    fields >> op >> b;
    const int want = op == "<" ? -1 : (op == "=" ? 0 : 1);
    const std::string where = name + ":" + std::to_string(ln) + " '" + a + " " + op + " " + b + "'";
    const Result<int> ab = ComparePypiVersions(a, b);
    const Result<int> ba = ComparePypiVersions(b, a);
    if (LegacyVersions().count(a) > 0 || LegacyVersions().count(b) > 0) ++res.legacy;
    ++res.checked;
    if (!ab.ok() || !ba.ok()) {
      res.failures.push_back(where + ": " + (ab.ok() ? ba : ab).status().ToString());
      continue;
    }
    if (Sign(*ab) != want || Sign(*ba) != -want) {
      res.failures.push_back(where + ": expected " + std::to_string(want) + ", got " +
                             std::to_string(Sign(*ab)) + " (reversed " + std::to_string(Sign(*ba)) +
                             ")");
    }
    if (!Valid(a) || !Valid(b) || Cmp(a, a) != 0 || Cmp(b, b) != 0) {
      res.failures.push_back(where + ": not reflexive");
    }
  }
  return res;
}

void ExpectFixturePasses(const std::string& name, int min_lines, int legacy_lines) {
  const FixtureResult res = CheckFixture(name);
  for (std::size_t i = 0; i < res.failures.size() && i < 50; ++i) ADD_FAILURE() << res.failures[i];
  EXPECT_TRUE(res.failures.empty()) << res.failures.size() << " failing lines in " << name;
  EXPECT_GE(res.checked, min_lines) << name;
  EXPECT_EQ(res.legacy, legacy_lines) << name;
  std::cout << name << ": " << res.checked << " lines checked both ways, " << res.legacy
            << " of them with legacy versions\n";
}

TEST(PypiVersionFixtures, HandWrittenFixturePasses) {
  ExpectFixturePasses("pypi-versions.txt", 26, 11);
}

TEST(PypiVersionFixtures, GeneratedFixturePasses) {
  ExpectFixturePasses("pypi-versions-generated.txt", 12300, 69);
}

TEST(PypiVersion, TrailingZerosInTheReleaseAreInsignificant) {
  EXPECT_EQ(Cmp("1.0", "1.0.0"), 0);
  EXPECT_EQ(Cmp("1", "1.0.0.0.0"), 0);
  EXPECT_EQ(Cmp("1.0.0.1", "1.0.1"), -1);
  EXPECT_EQ(Cmp("1.01", "1.1"), 0);
}

TEST(PypiVersion, EpochOutranksEverything) {
  EXPECT_EQ(Cmp("1!0.1", "2024.1"), 1);
  EXPECT_EQ(Cmp("0!1.0", "1.0"), 0);
  EXPECT_EQ(Cmp("2!1.0", "10!0.1"), -1);
}

TEST(PypiVersion, DevBeforePreBeforeReleaseBeforePost) {
  EXPECT_EQ(Cmp("1.0.dev1", "1.0a1"), -1);
  EXPECT_EQ(Cmp("1.0a1.dev1", "1.0a1"), -1);
  EXPECT_EQ(Cmp("1.0a1", "1.0b1"), -1);
  EXPECT_EQ(Cmp("1.0b1", "1.0rc1"), -1);
  EXPECT_EQ(Cmp("1.0rc1", "1.0"), -1);
  EXPECT_EQ(Cmp("1.0", "1.0.post1.dev1"), -1);
  EXPECT_EQ(Cmp("1.0.post1.dev1", "1.0.post1"), -1);
  EXPECT_EQ(Cmp("1.0.post1", "1.0.1.dev0"), -1);
  EXPECT_EQ(Cmp("1.0a1.post1", "1.0a2.dev0"), -1);
}

TEST(PypiVersion, SpellingsNormalise) {
  EXPECT_EQ(Cmp("1.0alpha1", "1.0a1"), 0);
  EXPECT_EQ(Cmp("1.0-BETA-2", "1.0b2"), 0);
  EXPECT_EQ(Cmp("1.0c3", "1.0rc3"), 0);
  EXPECT_EQ(Cmp("1.0pre3", "1.0rc3"), 0);
  EXPECT_EQ(Cmp("1.0.preview_3", "1.0rc3"), 0);
  EXPECT_EQ(Cmp("1.0-rev4", "1.0.post4"), 0);
  EXPECT_EQ(Cmp("1.0r4", "1.0.post4"), 0);
  EXPECT_EQ(Cmp("1.0-4", "1.0.post4"), 0);
  EXPECT_EQ(Cmp("V1.0", "1.0"), 0);
  EXPECT_EQ(Cmp("  1.0\t\n", "1.0"), 0);
  EXPECT_EQ(Cmp("\xC2\xA0"
                "1.0\xE3\x80\x80",
                "1.0"),
            0);  // NBSP and ideographic space trim too
}

TEST(PypiVersion, MissingNumbersAreZero) {
  EXPECT_EQ(Cmp("1.0a", "1.0a0"), 0);
  EXPECT_EQ(Cmp("1.0.post", "1.0.post0"), 0);
  EXPECT_EQ(Cmp("1.0.dev", "1.0.dev0"), 0);
  EXPECT_EQ(Cmp("1.0a.", "1.0a0"), 0);
  EXPECT_EQ(Cmp("1.0a..post1", "1.0a0.post1"), 0);
}

TEST(PypiVersion, LocalVersionsSortAfterThePublicOne) {
  EXPECT_EQ(Cmp("1.0+local", "1.0"), 1);
  EXPECT_EQ(Cmp("1.0+abc.1", "1.0+abc"), 1);
  EXPECT_EQ(Cmp("1.0+abc", "1.0+1"), -1);        // alphanumeric < numeric
  EXPECT_EQ(Cmp("1.0+ABC.01", "1.0+abc-1"), 0);  // case and separators do not matter
  EXPECT_EQ(Cmp("1.0+10", "1.0+9"), 1);          // numeric segments compare as numbers
  EXPECT_EQ(Cmp("1.0+local", "1.0.post1"), -1);
}

TEST(PypiVersion, NumbersOfAnyLengthCompareExactly) {
  EXPECT_EQ(Cmp("1.99999999999999999999999999", "1.100000000000000000000000000"), -1);
  EXPECT_EQ(Cmp("18446744073709551616", "18446744073709551615"), 1);
  EXPECT_EQ(Cmp("0000000000000000000001", "1"), 0);
}

TEST(PypiVersion, PythonCaseFoldingOfFourNonAsciiLettersIsReproduced) {
  // re.IGNORECASE lets U+017F match 's' and U+0131/U+0130 match 'i'; lower() keeps them distinct.
  EXPECT_EQ(Cmp("1.0po\xC5\xBFt1", "1.0.post9"), 1);
  EXPECT_EQ(Cmp("1.0prev\xC4\xB1"
                "ew1",
                "1.0rc1"),
            -1);
  EXPECT_EQ(Cmp("1.0prev\xC4\xB0"
                "ew1",
                "1.0prev\xC4\xB1"
                "ew1"),
            -1);
  EXPECT_EQ(Cmp("1.0+\xE2\x84\xAA", "1.0+k"), 0);  // KELVIN SIGN lower-cases to 'k'
}

TEST(PypiVersion, BlankInputIsAnErrorNamingIt) {
  for (const char* bad : {"", "   ", "\t"}) {
    testing::ExpectRejectedNamingInput(
        [](std::string_view a, std::string_view b) { return ComparePypiVersions(a, b); }, "pypi",
        bad, "1.0");
  }
}

TEST(PypiVersion, LegacyVersionsSortBeforeEveryPep440Version) {
  for (const char* legacy : {"1.0-bulbasaur", "trunk", "1.0_1", "1..0", "1.0a1a1", "vv1", "1,0"}) {
    EXPECT_EQ(Cmp(legacy, "0.0.0.dev0"), -1) << legacy;
    EXPECT_EQ(Cmp("0!0", legacy), 1) << legacy;
    EXPECT_EQ(Cmp(legacy, legacy), 0) << legacy;
  }
}

TEST(PypiVersion, LegacyVersionsOrderAsPackagingBefore22) {
  EXPECT_EQ(Cmp("0.3m1", "0.3m2"), -1);
  EXPECT_EQ(Cmp("trunk", "1.0-bulbasaur"), -1);  // words sort before numbers
  EXPECT_EQ(Cmp("1.0-bulbasaur", "1.0-charmander"), -1);
  EXPECT_EQ(Cmp("1.0_dev", "1.0_DEV"), 0);    // case-insensitive
  EXPECT_EQ(Cmp("2.0.0.0_x", "2_x"), 0);      // trailing zero runs are dropped
  EXPECT_EQ(Cmp("1.0-pre_x", "1.0-c_x"), 0);  // "pre" reads as "c"
}

}  // namespace
}  // namespace rampart::agent::vuln
