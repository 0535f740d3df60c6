// Specification of the host -> OSV ecosystem mapping, package-name normalisation and kernel
// identity.
#include "agent/vuln/platform.h"

#include <gtest/gtest.h>

#include "agent/collectors/host.h"
#include "common/host_view.h"

namespace rampart::agent::vuln {
namespace {

OsInfo Os(std::string id, std::string version) {
  return {std::move(id), "", std::move(version), ""};
}

TEST(OsTarget, MapsEachDistributionToItsOsvEcosystem) {
  EXPECT_EQ(OsTargetFor(Os("debian", "12"))->ecosystem, "Debian:12");
  EXPECT_EQ(OsTargetFor(Os("ubuntu", "22.04"))->ecosystem, "Ubuntu:22.04");
  EXPECT_EQ(OsTargetFor(Os("alpine", "3.19.1"))->ecosystem, "Alpine:v3.19");
  EXPECT_EQ(OsTargetFor(Os("rocky", "9.3"))->ecosystem, "Rocky Linux:9");
  EXPECT_EQ(OsTargetFor(Os("almalinux", "9.3"))->ecosystem, "AlmaLinux:9");
  EXPECT_EQ(OsTargetFor(Os("rhel", "9.3"))->ecosystem, "Red Hat:9");
  EXPECT_FALSE(OsTargetFor(Os("gentoo", "2.14")).has_value());
  EXPECT_FALSE(OsTargetFor(Os("debian", "")).has_value());  // sid/testing have no VERSION_ID
}

TEST(OsTarget, ChoosesComparatorPackageTypeAndPackageManager) {
  const auto deb = *OsTargetFor(Os("debian", "12"));
  EXPECT_EQ(deb.comparator, Ecosystem::kDeb);
  EXPECT_EQ(deb.package_type, "deb");
  EXPECT_EQ(deb.package_manager, "apt-get");
  EXPECT_TRUE(deb.by_source);
  const auto apk = *OsTargetFor(Os("alpine", "3.19.1"));
  EXPECT_EQ(apk.comparator, Ecosystem::kApk);
  EXPECT_EQ(apk.package_manager, "apk");
  const auto rocky = *OsTargetFor(Os("rocky", "9.3"));
  EXPECT_EQ(rocky.comparator, Ecosystem::kRpm);
  EXPECT_EQ(rocky.package_manager, "dnf");
  EXPECT_TRUE(rocky.by_source);
  EXPECT_FALSE(OsTargetFor(Os("rhel", "9.3"))->by_source);
  EXPECT_EQ(OsTargetFor(Os("centos", "7"))->package_manager, "yum");
}

TEST(OsTarget, ReadsTheFixtureRoots) {
  auto at = [](const char* root) {
    auto host = HostView::Open(std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/" + root);
    EXPECT_TRUE(host.ok());
    return OsTargetFor(ReadOsInfo(*host))->ecosystem;
  };
  EXPECT_EQ(at("root-debian"), "Debian:12");
  EXPECT_EQ(at("root-alpine"), "Alpine:v3.19");  // VERSION_ID=3.19.1
  EXPECT_EQ(at("root-rpm"), "Rocky Linux:9");
}

TEST(IndexEcosystem, CutsOsEcosystemsToWhatHostsAreMappedTo) {
  EXPECT_EQ(IndexEcosystem("Debian:12"), "Debian:12");
  EXPECT_EQ(IndexEcosystem("Debian:11"), "Debian:11");
  EXPECT_EQ(IndexEcosystem("Ubuntu:22.04:LTS"), "Ubuntu:22.04");
  EXPECT_EQ(IndexEcosystem("Ubuntu:Pro:22.04:LTS"), "Ubuntu:22.04");
  EXPECT_EQ(IndexEcosystem("Red Hat:enterprise_linux:9::appstream"), "Red Hat:9");
  EXPECT_EQ(IndexEcosystem("Rocky Linux:9"), "Rocky Linux:9");
  EXPECT_EQ(IndexEcosystem("Alpine:v3.19"), "Alpine:v3.19");
  EXPECT_EQ(IndexEcosystem("PyPI"), "PyPI");
  EXPECT_EQ(IndexEcosystem("crates.io"), "crates.io");
}

TEST(ComparatorFor, PicksTheEcosystemsOwnOrdering) {
  EXPECT_EQ(ComparatorFor("Debian:12"), Ecosystem::kDeb);
  EXPECT_EQ(ComparatorFor("Ubuntu:22.04"), Ecosystem::kDeb);
  EXPECT_EQ(ComparatorFor("Alpine:v3.19"), Ecosystem::kApk);
  EXPECT_EQ(ComparatorFor("AlmaLinux:9"), Ecosystem::kRpm);
  EXPECT_EQ(ComparatorFor("Red Hat:9"), Ecosystem::kRpm);
  EXPECT_EQ(ComparatorFor("PyPI"), Ecosystem::kPypi);
  EXPECT_EQ(ComparatorFor("Maven"), Ecosystem::kMaven);
  EXPECT_EQ(ComparatorFor("npm"), Ecosystem::kSemver);
  EXPECT_EQ(ComparatorFor("Go"), Ecosystem::kSemver);
  EXPECT_EQ(ComparatorFor("crates.io"), Ecosystem::kSemver);
  EXPECT_FALSE(ComparatorFor("Packagist").has_value());
}

TEST(NormalizePackageName, Pep503ForPypiOnly) {
  EXPECT_EQ(NormalizePackageName("PyPI", "Django"), "django");
  EXPECT_EQ(NormalizePackageName("PyPI", "zope.interface"), "zope-interface");
  EXPECT_EQ(NormalizePackageName("PyPI", "Zope__Interface"), "zope-interface");
  EXPECT_EQ(NormalizePackageName("npm", "JSONStream"), "jsonstream");
  EXPECT_EQ(NormalizePackageName("Maven", "org.apache.logging.log4j:log4j-core"),
            "org.apache.logging.log4j:log4j-core");
  EXPECT_EQ(NormalizePackageName("Debian:12", "libxml2"), "libxml2");
}

TEST(Kernel, RecognisesImagePackagesButNotMetaPackages) {
  EXPECT_TRUE(IsKernelImagePackage("deb", "linux-image-6.1.0-18-amd64"));
  EXPECT_TRUE(IsKernelImagePackage("deb", "linux-image-unsigned-6.5.0-14-generic"));
  EXPECT_FALSE(IsKernelImagePackage("deb", "linux-image-amd64"));
  EXPECT_FALSE(IsKernelImagePackage("deb", "linux-libc-dev"));
  EXPECT_TRUE(IsKernelImagePackage("rpm", "kernel-core"));
  EXPECT_FALSE(IsKernelImagePackage("rpm", "kernel-headers"));
  EXPECT_TRUE(IsKernelImagePackage("apk", "linux-lts"));
  EXPECT_FALSE(IsKernelImagePackage("apk", "linux-firmware-none"));
  EXPECT_FALSE(IsKernelImagePackage("apk", "linux-pam"));
}

TEST(Kernel, MatchesTheRunningRelease) {
  EXPECT_TRUE(IsRunningKernel("deb", "linux-image-6.1.0-18-amd64", "6.1.76-1", "6.1.0-18-amd64"));
  EXPECT_FALSE(IsRunningKernel("deb", "linux-image-6.1.0-17-amd64", "6.1.69-1", "6.1.0-18-amd64"));
  EXPECT_TRUE(
      IsRunningKernel("rpm", "kernel-core", "5.14.0-362.8.1.el9_3", "5.14.0-362.8.1.el9_3.x86_64"));
  EXPECT_FALSE(
      IsRunningKernel("rpm", "kernel-core", "5.14.0-362.el9", "5.14.0-362.8.1.el9_3.x86_64"));
  EXPECT_TRUE(IsRunningKernel("apk", "linux-lts", "6.6.14-r0", "6.6.14-0-lts"));
  EXPECT_FALSE(IsRunningKernel("apk", "linux-virt", "6.6.14-r0", "6.6.14-0-lts"));
}

TEST(Kernel, SignedTemplateSourcesMapToTheKernelSource) {
  EXPECT_EQ(KernelSourceOfSignedTemplate("linux-signed-amd64"), "linux");
  EXPECT_EQ(KernelSourceOfSignedTemplate("linux-signed-arm64"), "linux");
  EXPECT_EQ(KernelSourceOfSignedTemplate("linux-signed"), "linux");  // Ubuntu
  EXPECT_EQ(KernelSourceOfSignedTemplate("linux-signed-hwe-5.15"), "linux-hwe-5.15");
  EXPECT_FALSE(KernelSourceOfSignedTemplate("linux").has_value());
  EXPECT_FALSE(KernelSourceOfSignedTemplate("linux-signedx").has_value());
  EXPECT_FALSE(KernelSourceOfSignedTemplate("openssl").has_value());
}

}  // namespace
}  // namespace rampart::agent::vuln
