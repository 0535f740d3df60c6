// Specification of executable -> package ownership (dpkg lists, apk database).
#include "agent/collectors/exe_owner.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/files.h"

namespace rampart::agent {
namespace {

TEST(ExeOwner, CanonicalisesUsrMergedDirectories) {
  EXPECT_EQ(UsrMergeCanonical("/bin/sleep"), "/usr/bin/sleep");
  EXPECT_EQ(UsrMergeCanonical("/sbin/ip"), "/usr/sbin/ip");
  EXPECT_EQ(UsrMergeCanonical("/lib/systemd/systemd"), "/usr/lib/systemd/systemd");
  EXPECT_EQ(UsrMergeCanonical("/lib64/ld-linux-x86-64.so.2"), "/usr/lib64/ld-linux-x86-64.so.2");
  EXPECT_EQ(UsrMergeCanonical("/usr/bin/sleep"), "/usr/bin/sleep");
  EXPECT_EQ(UsrMergeCanonical("/binary/x"), "/binary/x");
  EXPECT_EQ(UsrMergeCanonical("/opt/app/bin/x"), "/opt/app/bin/x");
}

TEST(ExeOwner, NamesDpkgListFilesWithoutArchitecture) {
  EXPECT_EQ(DpkgListPackage("coreutils.list"), "coreutils");
  EXPECT_EQ(DpkgListPackage("libc6:amd64.list"), "libc6");
  EXPECT_EQ(DpkgListPackage("coreutils.md5sums"), "");
  EXPECT_EQ(DpkgListPackage(".list"), "");
}

TEST(ExeOwner, MatchesDpkgListLinesAcrossUsrMerge) {
  const std::unordered_map<std::string, std::vector<std::string>> wanted = {
      {"/usr/bin/sleep", {"/usr/bin/sleep", "/bin/sleep"}}};
  std::unordered_map<std::string, std::string> owners;
  MatchDpkgList("coreutils", "/.\n/bin\n/bin/sleep\n/usr/bin/tail\n", wanted, &owners);
  EXPECT_EQ(owners.size(), 2u);
  EXPECT_EQ(owners["/usr/bin/sleep"], "coreutils");
  EXPECT_EQ(owners["/bin/sleep"], "coreutils");
}

TEST(ExeOwner, ParsesApkInstalledDatabase) {
  const std::string db =
      "C:Q1abc=\nP:busybox\nV:1.36.1-r15\nF:bin\nR:busybox\nR:sh\n\n"
      "P:nginx\nV:1.24.0-r15\nF:usr\nF:usr/sbin\nR:nginx\nF:var/lib/nginx\n\n"
      "P:orphan-files\nR:rootfile\n\n"
      "R:no-package-yet\nP:late\n";
  const auto owners = ParseApkOwners(db, {"/bin/busybox", "/usr/sbin/nginx", "/usr/bin/busybox",
                                          "/rootfile", "/no-package-yet", "/usr/bin/missing"});
  EXPECT_EQ(owners.at("/bin/busybox"), "busybox");
  EXPECT_EQ(owners.at("/usr/bin/busybox"), "busybox");  // usr-merged spelling of the same file
  EXPECT_EQ(owners.at("/usr/sbin/nginx"), "nginx");
  EXPECT_EQ(owners.at("/rootfile"), "orphan-files");
  EXPECT_EQ(owners.count("/no-package-yet"), 0u);  // R: before any P: of its block
  EXPECT_EQ(owners.count("/usr/bin/missing"), 0u);
}

TEST(ExeOwner, FindsOwnersOnTheDebianFixture) {
  auto host = HostView::Open(RAMPART_SOURCE_DIR "/tests/testdata/root-debian");
  ASSERT_TRUE(host.ok());
  const auto owners = FindPackageOwners(
      *host, {"/usr/lib/systemd/systemd", "/usr/sbin/nginx", "/usr/local/bin/app"});
  EXPECT_EQ(owners.at("/usr/lib/systemd/systemd"), "systemd");
  EXPECT_EQ(owners.at("/usr/sbin/nginx"), "nginx-core");
  EXPECT_EQ(owners.count("/usr/local/bin/app"), 0u);
}

TEST(ExeOwner, RpmHostsHaveNoOwnersHere) {
  auto host = HostView::Open(RAMPART_SOURCE_DIR "/tests/testdata/root-rpm");
  ASSERT_TRUE(host.ok());
  EXPECT_TRUE(FindPackageOwners(*host, {"/usr/sbin/sshd"}).empty());
}

TEST(ExeOwner, CacheAnswersUntilThePackageDatabaseChanges) {
  const std::string root = ::testing::TempDir() + "/exe_owner_cache_root";
  const std::string info = root + "/var/lib/dpkg/info";
  ASSERT_EQ(std::system(("rm -rf " + root + " && mkdir -p " + info).c_str()), 0);
  ASSERT_TRUE(WriteFileAtomic(info + "/coreutils.list", "/bin/sleep\n").ok());
  auto host = HostView::Open(root);
  ASSERT_TRUE(host.ok());
  PackageOwnerCache cache;
  EXPECT_EQ(cache.Find(*host, {"/usr/bin/sleep", "/usr/bin/app"}).at("/usr/bin/sleep"),
            "coreutils");
  // Rewriting a list in place leaves the directory's mtime alone: the cached answers stand.
  {
    std::FILE* f = std::fopen((info + "/coreutils.list").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("/bin/true\n", f);
    std::fclose(f);
  }
  EXPECT_EQ(cache.Find(*host, {"/usr/bin/sleep"}).at("/usr/bin/sleep"), "coreutils");
  EXPECT_EQ(cache.Find(*host, {"/usr/bin/app"}).count("/usr/bin/app"), 0u);
  // Installing a package adds a list file: the directory changes and the cache is rebuilt.
  ASSERT_TRUE(WriteFileAtomic(info + "/app.list", "/usr/bin/app\n").ok());
  const auto owners = cache.Find(*host, {"/usr/bin/sleep", "/usr/bin/app"});
  EXPECT_EQ(owners.count("/usr/bin/sleep"), 0u);
  EXPECT_EQ(owners.at("/usr/bin/app"), "app");
}

}  // namespace
}  // namespace rampart::agent
