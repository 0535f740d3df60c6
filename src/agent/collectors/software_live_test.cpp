// Reads this machine and compares with the package managers' own tools.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <set>
#include <string>
#include <tuple>

#include "agent/collectors/registry.h"
#include "agent/collectors/software.h"
#include "agent/collectors/software_rpm.h"
#include "common/clock.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

// Runs a shell command; nullopt when it cannot run or exits non-zero.
std::optional<std::string> RunCommand(const std::string& cmd) {
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return std::nullopt;
  std::string out;
  std::array<char, 65536> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  if (::pclose(p) != 0) return std::nullopt;
  return out;
}

Json CollectLive() {
  HostView host;
  const CollectContext ctx{host, SystemClock::Instance(), CollectOptions{}};
  auto out = MakeSoftwareCollector()->Collect(ctx);
  EXPECT_TRUE(out) << out.error().ToString();
  return out ? *out : Json::MakeArray();
}

using Triple = std::tuple<std::string, std::string, std::string>;

TEST(SoftwareLive, DebRowsEqualDpkgQueryInstalledPackages) {
  HostView host;
  if (!host.Exists("/var/lib/dpkg/status")) GTEST_SKIP() << "no dpkg database on this machine";
  const auto listing = RunCommand(
      "dpkg-query -W -f '${db:Status-Abbrev}|${Package}|${Version}|${Architecture}\\n' "
      "2>/dev/null");
  if (!listing) GTEST_SKIP() << "dpkg-query is not available";
  // dpkg-query -W prints every package that is not "not-installed", config-files ("rc") included;
  // the inventory lists only packages whose files are on disk, so drop the "c" (and any "n")
  // states.
  std::set<Triple> want;
  for (std::string_view line : SplitLines(*listing)) {
    const auto f = Split(line, '|');
    ASSERT_EQ(f.size(), 4u) << line;
    ASSERT_GE(f[0].size(), 2u) << line;
    const char state = f[0][1];
    if (state == 'c' || state == 'n') continue;
    want.emplace(f[1], f[2], f[3]);
  }
  ASSERT_FALSE(want.empty());

  std::set<Triple> got;
  const Json rows = CollectLive();
  for (const Json& r : rows.as_array()) {
    if (r.GetString("type") != "deb") continue;
    EXPECT_TRUE(
        got.emplace(r.GetString("name"), r.GetString("version"), r.GetString("arch")).second)
        << "duplicate " << r.Dump();
  }
  EXPECT_EQ(got, want);
}

TEST(SoftwareLive, DebInstallTimesComeFromFileLists) {
  HostView host;
  if (!host.Exists("/var/lib/dpkg/status")) GTEST_SKIP() << "no dpkg database on this machine";
  const Json rows = CollectLive();
  std::size_t deb = 0;
  std::size_t with_time = 0;
  for (const Json& r : rows.as_array()) {
    if (r.GetString("type") != "deb") continue;
    ++deb;
    if (r.Find("install_time")->is_string()) ++with_time;
  }
  ASSERT_GT(deb, 0u);
  // Every installed package has a .list file; allow a few odd ones (a package being unpacked).
  EXPECT_GE(with_time + 5, deb);
}

TEST(SoftwareLive, RowsMatchSchemaAndLanguagePackagesPointAtExistingPaths) {
  HostView host;
  const Json rows = CollectLive();
  ASSERT_GT(rows.size(), 0u);
  for (const Json& r : rows.as_array()) {
    const Status s = ValidateRow(r, SoftwareSchema());
    EXPECT_TRUE(s.ok()) << s.message() << "\n" << r.Dump();
    EXPECT_FALSE(r.GetString("name").empty()) << r.Dump();
    EXPECT_TRUE(host.Exists(r.GetString("path"))) << r.Dump();
  }
}

TEST(SoftwareLive, NpmVersionMatchesTheGlobalNpm) {
  HostView host;
  if (!host.Exists("/usr/lib/node_modules/npm/package.json")) {
    GTEST_SKIP() << "no global npm in /usr/lib/node_modules";
  }
  const auto version = RunCommand("/usr/lib/node_modules/npm/bin/npm-cli.js --version 2>/dev/null");
  if (!version) GTEST_SKIP() << "npm does not run here";
  const Json rows = CollectLive();
  bool found = false;
  for (const Json& r : rows.as_array()) {
    if (r.GetString("type") == "npm" && r.GetString("path") == "/usr/lib/node_modules/npm") {
      found = true;
      EXPECT_EQ(r.GetString("version"), TrimView(*version));
    }
  }
  EXPECT_TRUE(found);
}

TEST(SoftwareLive, NoRpmDatabaseMeansNoRpmRowsAndNothingOnStderr) {
  HostView host;
  if (FindRpmDb(host)) GTEST_SKIP() << "this machine has an RPM database";
  ::testing::internal::CaptureStderr();
  const auto pkgs = ReadRpmPackages(host);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(pkgs.empty());
  EXPECT_EQ(err, "");
}

}  // namespace
}  // namespace rampart::agent
