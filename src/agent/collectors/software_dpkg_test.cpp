#include "agent/collectors/software_dpkg.h"

#include <gtest/gtest.h>

#include <string>

#include "common/clock.h"

namespace rampart::agent {
namespace {

const std::string kRoot = std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/root-debian";

const SoftwarePackage* Find(const std::vector<SoftwarePackage>& pkgs, std::string_view name,
                            std::string_view arch = {}) {
  for (const auto& p : pkgs) {
    if (p.name == name && (arch.empty() || p.arch == arch)) return &p;
  }
  return nullptr;
}

TEST(DpkgStatus, ParsesEveryStanzaWithItsFields) {
  const std::string text =
      "Package: libssl3\n"
      "Status: install ok installed\n"
      "Installed-Size: 6166\n"
      "Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>\n"
      "Architecture: amd64\n"
      "Multi-Arch: same\n"
      "Source: openssl (3.0.11-1~deb12u2)\n"
      "Version: 3.0.11-1~deb12u2+b1\n"
      "Description: Secure Sockets Layer toolkit - shared libraries\n"
      " This package is part of the OpenSSL project.\n"
      " .\n"
      " Package: not-a-field\n"
      "\n"
      "Package: adduser\n"
      "Status: install ok installed\n"
      "Architecture: all\n"
      "Version: 3.134\n";
  const auto stanzas = ParseDpkgStatus(text);
  ASSERT_EQ(stanzas.size(), 2u);
  EXPECT_EQ(stanzas[0].package, "libssl3");
  EXPECT_EQ(stanzas[0].status, "install ok installed");
  EXPECT_EQ(stanzas[0].version, "3.0.11-1~deb12u2+b1");
  EXPECT_EQ(stanzas[0].architecture, "amd64");
  EXPECT_EQ(stanzas[0].source, "openssl (3.0.11-1~deb12u2)");
  EXPECT_EQ(stanzas[0].maintainer,
            "Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>");
  EXPECT_EQ(stanzas[0].installed_size, "6166");
  EXPECT_EQ(stanzas[0].multi_arch, "same");
  EXPECT_EQ(stanzas[1].package, "adduser");
  EXPECT_EQ(stanzas[1].architecture, "all");
  EXPECT_EQ(stanzas[1].source, "");
}

TEST(DpkgStatus, DropsStanzaWithoutPackageField) {
  const auto stanzas =
      ParseDpkgStatus("Status: install ok installed\nVersion: 1.0\n\nPackage: b\nVersion: 2\n");
  ASSERT_EQ(stanzas.size(), 1u);
  EXPECT_EQ(stanzas[0].package, "b");
  EXPECT_EQ(stanzas[0].version, "2");
}

TEST(DpkgStatus, RepeatedFieldKeepsItsFirstValue) {
  const auto stanzas = ParseDpkgStatus("Package: a\nVersion: 1\nVersion: 2\nPackage: z\n");
  ASSERT_EQ(stanzas.size(), 1u);
  EXPECT_EQ(stanzas[0].package, "a");
  EXPECT_EQ(stanzas[0].version, "1");
}

TEST(DpkgStatus, AcceptsCrlfMissingTrailingNewlineAndCaseInsensitiveNames) {
  const auto stanzas = ParseDpkgStatus(
      "package: a\r\nSTATUS: install ok installed\r\nVersion:1.0 \r\n\r\nPackage: b\r\nVersion: 2");
  ASSERT_EQ(stanzas.size(), 2u);
  EXPECT_EQ(stanzas[0].package, "a");
  EXPECT_EQ(stanzas[0].status, "install ok installed");
  EXPECT_EQ(stanzas[0].version, "1.0");
  EXPECT_EQ(stanzas[1].version, "2");
}

TEST(DpkgStatus, BlankOnlyLineEndsStanzaAndManyBlankLinesAreHarmless) {
  const auto stanzas = ParseDpkgStatus("\n\n\nPackage: a\n \t \nPackage: b\n\n\n");
  ASSERT_EQ(stanzas.size(), 2u);
  EXPECT_EQ(stanzas[0].package, "a");
  EXPECT_EQ(stanzas[1].package, "b");
}

TEST(DpkgStatus, SurvivesBinaryGarbage) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 131 + 7) % 256));
  garbage += "\nPackage: survivor\nVersion: 1\n";
  garbage.push_back('\0');
  garbage += ":\n::::\nPackage\n";
  const auto stanzas = ParseDpkgStatus(garbage);
  ASSERT_FALSE(stanzas.empty());
  EXPECT_EQ(stanzas.back().package, "survivor");
}

TEST(DpkgStatus, EmptyInputHasNoStanzas) {
  EXPECT_TRUE(ParseDpkgStatus("").empty());
  EXPECT_TRUE(ParseDpkgStatus("\n\n").empty());
  EXPECT_TRUE(ParseDpkgStatus(" continuation only\n").empty());
}

TEST(DpkgStatusField, SplitsTheThreeWords) {
  const DpkgStatus s = ParseDpkgStatusField("deinstall ok config-files");
  EXPECT_EQ(s.want, "deinstall");
  EXPECT_EQ(s.eflag, "ok");
  EXPECT_EQ(s.state, "config-files");
  EXPECT_EQ(ParseDpkgStatusField("install ok").state, "");
  EXPECT_EQ(ParseDpkgStatusField("install ok installed extra").state, "");
}

TEST(DpkgStatusField, PresentMeansFilesOnDisk) {
  EXPECT_TRUE(DpkgPackageIsPresent("install ok installed"));
  EXPECT_TRUE(DpkgPackageIsPresent("install ok half-configured"));
  EXPECT_TRUE(DpkgPackageIsPresent("install reinstreq half-installed"));
  EXPECT_TRUE(DpkgPackageIsPresent("install ok unpacked"));
  EXPECT_TRUE(DpkgPackageIsPresent("install ok triggers-awaiting"));
  EXPECT_TRUE(DpkgPackageIsPresent("hold ok triggers-pending"));
  EXPECT_FALSE(DpkgPackageIsPresent("deinstall ok config-files"));
  EXPECT_FALSE(DpkgPackageIsPresent("purge ok not-installed"));
  EXPECT_FALSE(DpkgPackageIsPresent(""));
  EXPECT_FALSE(DpkgPackageIsPresent("install ok bogus"));
}

TEST(DpkgSource, SplitsNameAndOptionalVersion) {
  DpkgSource s = ParseDpkgSource("openssl (3.0.11-1~deb12u2)");
  EXPECT_EQ(s.name, "openssl");
  EXPECT_EQ(s.version, "3.0.11-1~deb12u2");
  s = ParseDpkgSource("glibc");
  EXPECT_EQ(s.name, "glibc");
  EXPECT_EQ(s.version, "");
  s = ParseDpkgSource("shadow (1:4.13+dfsg1-1");  // unterminated: version unknown
  EXPECT_EQ(s.name, "shadow");
  EXPECT_EQ(s.version, "");
}

TEST(DpkgVersion, EpochIsTheNumberBeforeTheFirstColon) {
  EXPECT_EQ(DpkgVersionEpoch("1:9.2p1-2+deb12u2"), 1);
  EXPECT_EQ(DpkgVersionEpoch("2.36-9"), std::nullopt);
  EXPECT_EQ(DpkgVersionEpoch("x:1.0"), std::nullopt);
}

TEST(DpkgReader, ListsPresentPackagesOfTheDebianFixture) {
  auto host = HostView::Open(kRoot);
  ASSERT_TRUE(host);
  const auto pkgs = ReadDpkgPackages(*host);
  std::vector<std::string> names;
  for (const auto& p : pkgs) names.push_back(p.name + ":" + p.arch);
  // nginx-common (config-files) and telnet (not-installed) are absent; zlib1g appears once per
  // arch.
  EXPECT_EQ(names, (std::vector<std::string>{
                       "adduser:all", "base-files:amd64", "bash:amd64", "libc6:amd64",
                       "libssl3:amd64", "login:amd64", "openssh-server:amd64", "openssl:amd64",
                       "python3-yaml:amd64", "tzdata:all", "zlib1g:amd64", "zlib1g:i386"}));
}

TEST(DpkgReader, SourceNameAndVersionComeFromSourceFieldOrThePackage) {
  auto host = HostView::Open(kRoot);
  ASSERT_TRUE(host);
  const auto pkgs = ReadDpkgPackages(*host);
  const SoftwarePackage* libssl = Find(pkgs, "libssl3");
  ASSERT_NE(libssl, nullptr);
  EXPECT_EQ(libssl->type, "deb");
  EXPECT_EQ(libssl->version, "3.0.11-1~deb12u2+b1");
  EXPECT_EQ(libssl->source_name, "openssl");
  EXPECT_EQ(libssl->source_version, "3.0.11-1~deb12u2");
  EXPECT_EQ(libssl->size, 6166 * 1024);
  EXPECT_EQ(libssl->path, "/var/lib/dpkg/status");
  EXPECT_EQ(libssl->status, "install ok installed");

  const SoftwarePackage* libc = Find(pkgs, "libc6");  // "Source: glibc" without a version
  ASSERT_NE(libc, nullptr);
  EXPECT_EQ(libc->source_name, "glibc");
  EXPECT_EQ(libc->source_version, "2.36-9+deb12u4");

  const SoftwarePackage* openssl = Find(pkgs, "openssl");  // no Source field
  ASSERT_NE(openssl, nullptr);
  EXPECT_EQ(openssl->source_name, "openssl");
  EXPECT_EQ(openssl->source_version, "3.0.11-1~deb12u2");
  EXPECT_EQ(openssl->epoch, std::nullopt);

  const SoftwarePackage* login = Find(pkgs, "login");
  ASSERT_NE(login, nullptr);
  EXPECT_EQ(login->version, "1:4.13+dfsg1-1+b1");
  EXPECT_EQ(login->epoch, 1);
  EXPECT_EQ(login->source_name, "shadow");
  EXPECT_EQ(login->source_version, "1:4.13+dfsg1-1");

  const SoftwarePackage* sshd = Find(pkgs, "openssh-server");
  ASSERT_NE(sshd, nullptr);
  EXPECT_EQ(sshd->status, "install ok half-configured");
  EXPECT_EQ(sshd->maintainer, "Debian OpenSSH Maintainers <debian-ssh@lists.debian.org>");
}

TEST(DpkgReader, InstallTimeIsTheMtimeOfThePackagesFileList) {
  auto host = HostView::Open(kRoot);
  ASSERT_TRUE(host);
  const auto pkgs = ReadDpkgPackages(*host);
  auto mtime = [&](const std::string& list) {
    auto st = host->Stat("/var/lib/dpkg/info/" + list);
    EXPECT_TRUE(st) << list;
    return st ? std::optional<std::int64_t>(st->mtime) : std::nullopt;
  };
  // Multi-Arch: same packages have arch-qualified lists, one per architecture.
  EXPECT_EQ(Find(pkgs, "zlib1g", "amd64")->install_time, mtime("zlib1g:amd64.list"));
  EXPECT_EQ(Find(pkgs, "zlib1g", "i386")->install_time, mtime("zlib1g:i386.list"));
  EXPECT_EQ(Find(pkgs, "libssl3")->install_time, mtime("libssl3:amd64.list"));
  EXPECT_EQ(Find(pkgs, "bash")->install_time, mtime("bash.list"));
  EXPECT_NE(Find(pkgs, "bash")->install_time, std::nullopt);
  // tzdata has no .list in the fixture: unknown, not invented.
  EXPECT_EQ(Find(pkgs, "tzdata")->install_time, std::nullopt);
}

TEST(DpkgReader, MissingDatabaseGivesNoRows) {
  auto host = HostView::Open(std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/root-alpine");
  ASSERT_TRUE(host);
  EXPECT_TRUE(ReadDpkgPackages(*host).empty());
}

}  // namespace
}  // namespace rampart::agent
