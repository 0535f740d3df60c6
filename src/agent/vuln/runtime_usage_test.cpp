// Specification of the NEED_RESTART / REMOTE labels: hand-built usage for the label logic, then the
// fixture root (tests/testdata/root-debian: nginx and sshd listen on 0.0.0.0 and map libssl3's and
// zlib1g's libraries; redis-server listens on loopback only and maps a deleted libssl.so.3).
#include "agent/vuln/runtime_usage.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/collectors/host.h"
#include "agent/collectors/software_dpkg.h"
#include "agent/vuln/feed.h"
#include "agent/vuln/matcher.h"
#include "common/host_view.h"

namespace rampart::agent::vuln {
namespace {

using Strings = std::vector<std::string>;

Finding DebFinding(std::string package, Strings binaries) {
  Finding f;
  f.id = "DSA-1-1";
  f.package = std::move(package);
  f.binaries = std::move(binaries);
  f.type = "deb";
  return f;
}

RuntimeUsage Usage() {
  // nginx (700, listening) and its worker (701) map libssl3; cron (900) maps libc6 only; an old
  // redis (820, not listening) maps a replaced copy of libssl.so.3.
  const std::vector<ProcessFiles> procs = {
      {700, "nginx", {{"/usr/sbin/nginx", false, true}, {"/usr/lib/libssl.so.3", false, true}}},
      {701, "nginx", {{"/usr/sbin/nginx", false, true}, {"/usr/lib/libssl.so.3", false, true}}},
      {820,
       "redis-server",
       {{"/usr/lib/libssl.so.3", true, true}, {"/usr/lib/libc.so.6", false, true}}},
      {900, "cron", {{"/usr/lib/libc.so.6", false, true}, {"/usr/sbin/cron", false, true}}},
  };
  const std::unordered_map<std::string, std::string> owners = {
      {"/usr/sbin/nginx", "nginx"},
      {"/usr/lib/libssl.so.3", "libssl3"},
      {"/usr/lib/libc.so.6", "libc6"},
  };
  return BuildRuntimeUsage(procs, owners, {700});
}

TEST(RuntimeUsage, JoinsMappedFilesWithTheirOwningPackages) {
  const RuntimeUsage u = Usage();
  EXPECT_TRUE(u.available);
  ASSERT_EQ(u.packages.count("libssl3"), 1U);
  const PackageUsage& ssl = u.packages.at("libssl3");
  EXPECT_EQ(ssl.processes.size(), 3U);
  EXPECT_TRUE(ssl.listening());
  EXPECT_TRUE(ssl.deleted());
  EXPECT_TRUE(ssl.processes.at(820).deleted);
  EXPECT_FALSE(ssl.processes.at(700).deleted);
  EXPECT_FALSE(u.packages.at("libc6").listening());
  EXPECT_EQ(u.packages.count("cron"), 0U);  // /usr/sbin/cron has no owner
}

TEST(RuntimeLabels, NeedRestartAndRemoteWhenAListeningProcessMapsTheVulnerableLibrary) {
  std::vector<Finding> findings = {DebFinding("openssl", {"libssl3", "openssl"})};
  ApplyRuntimeLabels(findings, Usage());
  EXPECT_EQ(findings[0].labels, (Strings{"NEED_RESTART", "REMOTE"}));
  ASSERT_EQ(findings[0].processes.size(), 3U);
  // Listening processes first, then by pid.
  EXPECT_EQ(findings[0].processes[0].pid, 700);
  EXPECT_TRUE(findings[0].processes[0].listening);
  EXPECT_EQ(findings[0].processes[0].name, "nginx");
  EXPECT_EQ(findings[0].processes[1].pid, 701);
  EXPECT_FALSE(findings[0].processes[1].listening);
  EXPECT_EQ(findings[0].processes[2].pid, 820);
  EXPECT_TRUE(findings[0].processes[2].deleted);
}

TEST(RuntimeLabels, NeedRestartOnlyWhenNoUserListens) {
  std::vector<Finding> findings = {DebFinding("glibc", {"libc-bin", "libc6"})};
  ApplyRuntimeLabels(findings, Usage());
  EXPECT_EQ(findings[0].labels, (Strings{"NEED_RESTART"}));
  ASSERT_EQ(findings[0].processes.size(), 2U);
  EXPECT_EQ(findings[0].processes[0].pid, 820);
  EXPECT_EQ(findings[0].processes[1].pid, 900);
}

TEST(RuntimeLabels, OnlyADeletedMappingStillNeedsARestart) {
  // The installed libssl3 is not mapped by anyone any more, but redis runs the replaced copy.
  const RuntimeUsage u =
      BuildRuntimeUsage({{820, "redis-server", {{"/usr/lib/libssl.so.3", true, true}}}},
                        {{"/usr/lib/libssl.so.3", "libssl3"}}, {});
  std::vector<Finding> findings = {DebFinding("openssl", {"libssl3"})};
  ApplyRuntimeLabels(findings, u);
  EXPECT_EQ(findings[0].labels, (Strings{"NEED_RESTART"}));
  ASSERT_EQ(findings[0].processes.size(), 1U);
  EXPECT_TRUE(findings[0].processes[0].deleted);
}

TEST(RuntimeLabels, UnusedPackagesAndLanguagePackagesGetNoLabels) {
  Finding pypi = DebFinding("libssl3", {"libssl3"});
  pypi.type = "pypi";  // a PyPI distribution that happens to share a deb's name
  std::vector<Finding> findings = {DebFinding("bash", {"bash"}), pypi};
  ApplyRuntimeLabels(findings, Usage());
  EXPECT_TRUE(findings[0].labels.empty());
  EXPECT_TRUE(findings[0].processes.empty());
  EXPECT_TRUE(findings[1].labels.empty());
}

TEST(RuntimeLabels, ExistingLabelsAreKeptAndNotRepeated) {
  std::vector<Finding> findings = {DebFinding("openssl", {"libssl3"})};
  findings[0].labels = {"UNIMPORTANT", "REMOTE"};
  ApplyRuntimeLabels(findings, Usage());
  ApplyRuntimeLabels(findings, Usage());
  EXPECT_EQ(findings[0].labels, (Strings{"UNIMPORTANT", "REMOTE", "NEED_RESTART"}));
}

TEST(RuntimeLabels, AnUnavailableUsageChangesNothing) {
  RuntimeUsage u = Usage();
  u.available = false;
  std::vector<Finding> findings = {DebFinding("openssl", {"libssl3"})};
  ApplyRuntimeLabels(findings, u);
  EXPECT_TRUE(findings[0].labels.empty());
}

TEST(RuntimeLabels, ListsAtMostTwentyProcesses) {
  std::vector<ProcessFiles> procs;
  for (std::int64_t pid = 100; pid < 150; ++pid) {
    procs.push_back({pid, "worker", {{"/usr/lib/libssl.so.3", false, true}}});
  }
  const RuntimeUsage u = BuildRuntimeUsage(procs, {{"/usr/lib/libssl.so.3", "libssl3"}}, {149});
  std::vector<Finding> findings = {DebFinding("openssl", {"libssl3"})};
  ApplyRuntimeLabels(findings, u);
  ASSERT_EQ(findings[0].processes.size(), kMaxFindingProcesses);
  EXPECT_EQ(findings[0].processes[0].pid, 149);  // the listener survives the cut
  EXPECT_EQ(findings[0].processes[1].pid, 100);
}

TEST(RuntimeUsage, CodePathsAreSharedObjectsOrExecutablesUnderPackageDirectories) {
  EXPECT_TRUE(IsPackageCodePath({"/usr/lib/x86_64-linux-gnu/libc.so.6", false, false}));
  EXPECT_TRUE(IsPackageCodePath({"/lib/x86_64-linux-gnu/libz.so.1.2.13", false, false}));
  EXPECT_TRUE(IsPackageCodePath({"/usr/lib/python3/dist-packages/_yaml.so", false, false}));
  EXPECT_TRUE(IsPackageCodePath({"/usr/sbin/nginx", false, true}));
  EXPECT_TRUE(IsPackageCodePath({"/opt/app/bin/app", false, true}));
  EXPECT_TRUE(IsPackageCodePath({"/bin/bash", true, true}));
  EXPECT_FALSE(IsPackageCodePath({"/usr/lib/locale/locale-archive", false, false}));
  EXPECT_FALSE(IsPackageCodePath({"/usr/share/fonts/x.ttf", false, false}));
  EXPECT_FALSE(IsPackageCodePath({"/usr/lib/x86_64-linux-gnu/libc.sox", false, false}));
  EXPECT_FALSE(IsPackageCodePath({"/tmp/libevil.so", false, true}));
  EXPECT_FALSE(IsPackageCodePath({"/home/u/bin/tool", false, true}));
  EXPECT_FALSE(IsPackageCodePath({"/memfd:jit", true, true}));
  EXPECT_FALSE(IsPackageCodePath({"/usr", false, true}));
  EXPECT_FALSE(IsPackageCodePath({"/usrx/lib/a.so", false, true}));
}

TEST(RuntimeUsage, LoopbackAddresses) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.53"));
  EXPECT_TRUE(IsLoopbackAddress("::1"));
  EXPECT_TRUE(IsLoopbackAddress("::ffff:127.0.0.1"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackAddress("::"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.2.15"));
  EXPECT_FALSE(IsLoopbackAddress("fe80::1234:5678:9abc:ff00"));
}

const std::string kRoot = std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/root-debian";

TEST(RuntimeUsageFixture, ReadsMapsExeLinksOwnersAndListenersOfTheFixtureRoot) {
  auto host = HostView::Open(kRoot);
  ASSERT_TRUE(host.ok());
  const RuntimeUsage u = ReadRuntimeUsage(*host);
  ASSERT_TRUE(u.available);
  ASSERT_EQ(u.packages.count("libssl3"), 1U);
  const PackageUsage& ssl = u.packages.at("libssl3");
  Strings pids;
  for (const auto& [pid, use] : ssl.processes) pids.push_back(std::to_string(pid));
  EXPECT_EQ(pids, (Strings{"612", "700", "701", "820"}));  // libcrypto.so.3 / libssl.so.3
  EXPECT_TRUE(ssl.processes.at(612).listening);            // sshd on 0.0.0.0:22
  EXPECT_TRUE(ssl.processes.at(700).listening);            // nginx on 0.0.0.0:80
  EXPECT_FALSE(ssl.processes.at(820).listening);           // redis on 127.0.0.1 and ::1 only
  EXPECT_TRUE(ssl.processes.at(820).deleted);
  // /lib/x86_64-linux-gnu/libz.so.1 in zlib1g:amd64.list matches both spellings in the maps.
  ASSERT_EQ(u.packages.count("zlib1g"), 1U);
  EXPECT_EQ(u.packages.at("zlib1g").processes.size(), 3U);
  // From the exe link alone (no maps file): systemd's /usr/lib/systemd/systemd, listed as
  // /lib/systemd/systemd.
  ASSERT_EQ(u.packages.count("systemd"), 1U);
  EXPECT_EQ(u.packages.at("systemd").processes.count(1), 1U);
  // Kernel threads are skipped.
  EXPECT_EQ(u.names.count(2), 0U);
  EXPECT_EQ(u.names.count(12), 0U);
  EXPECT_EQ(u.names.at(820), "redis-server");
}

TEST(RuntimeUsageFixture, FindingsOfTheFixtureFeedGetLabels) {
  auto host = HostView::Open(kRoot);
  ASSERT_TRUE(host.ok());
  AdvisorySet set;
  auto report = LoadFeed(std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/feeds/match", set);
  ASSERT_TRUE(report.ok());
  const auto active = set.Active();
  const auto index = AdvisoryIndex::Build(active);
  MatchTarget target;
  target.os = OsTargetFor(ReadOsInfo(*host));
  target.packages = ReadDpkgPackages(*host);
  auto findings = MatchHost(index, target);
  ApplyRuntimeLabels(findings, ReadRuntimeUsage(*host));
  auto find = [&](std::string_view package) -> const Finding& {
    auto it = std::find_if(findings.begin(), findings.end(),
                           [&](const Finding& f) { return f.package == package; });
    EXPECT_NE(it, findings.end()) << package;
    return *it;
  };
  const Finding& openssl = find("openssl");
  EXPECT_EQ(openssl.labels, (Strings{"NEED_RESTART", "REMOTE"}));
  ASSERT_EQ(openssl.processes.size(), 4U);
  EXPECT_EQ(openssl.processes[0].pid, 612);
  EXPECT_EQ(openssl.processes[0].name, "sshd");
  EXPECT_EQ(openssl.processes[1].pid, 700);
  EXPECT_EQ(openssl.processes[3].pid, 820);
  EXPECT_TRUE(openssl.processes[3].deleted);
  EXPECT_EQ(find("zlib").labels, (Strings{"NEED_RESTART", "REMOTE"}));
  EXPECT_TRUE(find("bash").labels.empty());  // no bash process
}

TEST(RuntimeUsageFixture, AnImageWithoutProcHasNoUsage) {
  const std::string dir = ::testing::TempDir() + "/runtime-usage-noproc";
  std::filesystem::create_directories(dir + "/var/lib/dpkg/info");
  auto host = HostView::Open(dir);
  ASSERT_TRUE(host.ok());
  const RuntimeUsage u = ReadRuntimeUsage(*host);
  EXPECT_FALSE(u.available);
  std::vector<Finding> findings = {DebFinding("openssl", {"libssl3"})};
  ApplyRuntimeLabels(findings, u);
  EXPECT_TRUE(findings[0].labels.empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rampart::agent::vuln
