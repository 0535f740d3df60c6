#include "agent/collectors/software_apk.h"

#include <gtest/gtest.h>

#include <string>

namespace rampart::agent {
namespace {

const std::string kAlpineRoot = std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/root-alpine";

TEST(ApkInstalled, ParsesFieldsAndSkipsFileLists) {
  const auto stanzas = ParseApkInstalled(
      "C:Q1hpi3Nr/Q1I8UJ4mdKb8UejDB9oQ=\n"
      "P:libcrypto3\n"
      "V:3.1.4-r1\n"
      "A:x86_64\n"
      "S:1717846\n"
      "I:4575232\n"
      "L:Apache-2.0\n"
      "o:openssl\n"
      "m:Ariadne Conill <ariadne@dereferenced.org>\n"
      "t:1699289916\n"
      "F:usr/lib\n"
      "R:libcrypto.so.3\n"
      "a:0:0:755\n"
      "Z:Q1uR+Y5IqEuaoD1fD0LlKfo/ZqcWk=\n"
      "\n"
      "P:musl\n"
      "V:1.2.4-r2\n");
  ASSERT_EQ(stanzas.size(), 2u);
  EXPECT_EQ(stanzas[0].name, "libcrypto3");
  EXPECT_EQ(stanzas[0].version, "3.1.4-r1");
  EXPECT_EQ(stanzas[0].arch, "x86_64");
  EXPECT_EQ(stanzas[0].origin, "openssl");
  EXPECT_EQ(stanzas[0].maintainer, "Ariadne Conill <ariadne@dereferenced.org>");
  EXPECT_EQ(stanzas[0].build_time, "1699289916");
  EXPECT_EQ(stanzas[0].installed_size, "4575232");
  EXPECT_EQ(stanzas[0].license, "Apache-2.0");
  EXPECT_EQ(stanzas[1].name, "musl");
  EXPECT_EQ(stanzas[1].origin, "");
}

TEST(ApkInstalled, HostileInputIsSkippedNotFatal) {
  // No P:, a repeated field, CRLF, a line that is not "X:value", no trailing newline.
  const auto stanzas = ParseApkInstalled(
      "V:1.0\nA:x86_64\n\n"
      "P:first\r\nP:second\r\nV:2.0\r\nnot a field\r\n:\r\nPP:x\r\n\r\n"
      "P:last\nV:3");
  ASSERT_EQ(stanzas.size(), 2u);
  EXPECT_EQ(stanzas[0].name, "first");
  EXPECT_EQ(stanzas[0].version, "2.0");
  EXPECT_EQ(stanzas[1].name, "last");
  EXPECT_EQ(stanzas[1].version, "3");
  EXPECT_TRUE(ParseApkInstalled("").empty());
  EXPECT_TRUE(ParseApkInstalled(std::string(100, '\0')).empty());
}

TEST(ApkReader, ListsTheAlpineFixture) {
  auto host = HostView::Open(kAlpineRoot);
  ASSERT_TRUE(host);
  auto pkgs = ReadApkPackages(*host);
  SortSoftwarePackages(pkgs);
  std::vector<std::string> names;
  for (const auto& p : pkgs) names.push_back(p.name + "=" + p.version);
  EXPECT_EQ(names,
            (std::vector<std::string>{"alpine-baselayout-data=3.4.3-r1", "apk-tools=2.14.0-r5",
                                      "busybox=1.36.1-r15", "ca-certificates-bundle=20230506-r0",
                                      "libcrypto3=3.1.4-r1", "libssl3=3.1.4-r1", "musl=1.2.4-r2"}));
  const SoftwarePackage& libssl = pkgs[5];
  EXPECT_EQ(libssl.type, "apk");
  EXPECT_EQ(libssl.arch, "x86_64");
  EXPECT_EQ(libssl.source_name, "openssl");
  EXPECT_EQ(libssl.source_version, "3.1.4-r1");
  EXPECT_EQ(libssl.install_time, std::nullopt);  // apk records none
  EXPECT_EQ(libssl.build_time, 1699289916);
  EXPECT_EQ(libssl.size, 606208);
  EXPECT_EQ(libssl.path, "/lib/apk/db/installed");
  EXPECT_EQ(libssl.license, "Apache-2.0");
  EXPECT_EQ(pkgs[0].source_name, "alpine-baselayout");
}

TEST(ApkReader, MissingDatabaseGivesNoRows) {
  auto host = HostView::Open(std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/root-rpm");
  ASSERT_TRUE(host);
  EXPECT_TRUE(ReadApkPackages(*host).empty());
}

}  // namespace
}  // namespace rampart::agent
