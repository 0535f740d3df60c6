#include "agent/collectors/software_lang.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace rampart::agent {
namespace {

const std::string kDebianRoot = std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/root-debian";

std::vector<std::string> Ids(const std::vector<SoftwarePackage>& pkgs) {
  std::vector<std::string> out;
  for (const auto& p : pkgs) out.push_back(p.name + "=" + p.version);
  return out;
}

TEST(PythonMetadata, ReadsHeaderFieldsAndIgnoresTheBody) {
  const PythonMetadata m = ParsePythonMetadata(
      "Metadata-Version: 2.1\n"
      "Name: PyYAML\n"
      "Version: 6.0\n"
      "Summary: YAML parser and emitter for Python\n"
      "License: MIT\n"
      "Classifier: Programming Language :: Python\n"
      "\n"
      "Name: NotTheName\n");
  EXPECT_EQ(m.metadata_version, "2.1");
  EXPECT_EQ(m.name, "PyYAML");
  EXPECT_EQ(m.version, "6.0");
  EXPECT_EQ(m.summary, "YAML parser and emitter for Python");
  EXPECT_EQ(m.license, "MIT");
}

TEST(PythonMetadata, CaseInsensitiveFirstValueWinsCrlfAndUnknownLicense) {
  const PythonMetadata m = ParsePythonMetadata(
      "name: first\r\nNAME: second\r\nversion:  1.0 \r\n        folded: line\r\nLicense: UNKNOWN");
  EXPECT_EQ(m.name, "first");
  EXPECT_EQ(m.version, "1.0");
  EXPECT_EQ(m.license, "");
  EXPECT_EQ(ParsePythonMetadata("").name, "");
  EXPECT_EQ(ParsePythonMetadata(":::\n\x01\x02: x\n").name, "");
}

TEST(PythonName, NormalisesAsPep503) {
  EXPECT_EQ(NormalizePythonName("Flask-Login"), "flask-login");
  EXPECT_EQ(NormalizePythonName("zope.interface"), "zope-interface");
  EXPECT_EQ(NormalizePythonName("Foo.._-Bar__baz"), "foo-bar-baz");
  EXPECT_EQ(NormalizePythonName("PyYAML"), "pyyaml");
}

TEST(DistInfoDirName, SplitsNameAndVersion) {
  auto d = ParseDistInfoDirName("requests-2.31.0.dist-info");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->name, "requests");
  EXPECT_EQ(d->version, "2.31.0");
  d = ParseDistInfoDirName("PyYAML-6.0-py3.11.egg-info");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->name, "PyYAML");
  EXPECT_EQ(d->version, "6.0");
  d = ParseDistInfoDirName("foo.egg-info");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->name, "foo");
  EXPECT_EQ(d->version, "");
  EXPECT_FALSE(ParseDistInfoDirName("yaml"));
  EXPECT_FALSE(ParseDistInfoDirName(".dist-info"));
  EXPECT_FALSE(ParseDistInfoDirName("-1.0.dist-info"));
}

TEST(NpmPackageJson, ReadsNameVersionAndBothLicenseForms) {
  auto p = ParseNpmPackageJson(R"({"name":"@vue/cli","version":"5.0.8","license":{"type":"MIT"}})");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "@vue/cli");
  EXPECT_EQ(p->version, "5.0.8");
  EXPECT_EQ(p->license, "MIT");
  p = ParseNpmPackageJson(R"({"name":"npm","version":"9.2.0","license":"Artistic-2.0"})");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->license, "Artistic-2.0");
  p = ParseNpmPackageJson(R"({"name":7,"version":["x"]})");  // wrong types: unknown, not an error
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "");
  EXPECT_EQ(p->version, "");
}

TEST(NpmPackageJson, RejectsNonObjects) {
  EXPECT_FALSE(ParseNpmPackageJson("[1,2]"));
  EXPECT_FALSE(ParseNpmPackageJson("{\"name\":"));
  EXPECT_FALSE(ParseNpmPackageJson(""));
  EXPECT_FALSE(ParseNpmPackageJson(std::string(10000, '[')));
}

TEST(PythonReader, FindsDistInfoEggInfoDirAndEggInfoFile) {
  auto host = HostView::Open(kDebianRoot);
  ASSERT_TRUE(host);
  auto pkgs = ReadPythonPackages(*host);
  SortSoftwarePackages(pkgs);
  EXPECT_EQ(Ids(pkgs),
            (std::vector<std::string>{"Flask-Login=0.6.3", "PyYAML=6.0", "broken_pkg=0.1",
                                      "legacy_tool=1.0.post2", "zope.interface=5.5.2"}));
  const SoftwarePackage& flask = pkgs[0];
  EXPECT_EQ(flask.type, "pypi");
  EXPECT_EQ(flask.normalized_name, "flask-login");
  EXPECT_EQ(flask.arch, "");
  EXPECT_EQ(flask.source_name, "Flask-Login");
  EXPECT_EQ(flask.source_version, "0.6.3");
  EXPECT_EQ(flask.path,
            "/usr/local/lib/python3.11/dist-packages/Flask_Login-0.6.3-py3.11.egg-info");
  EXPECT_EQ(flask.install_time, host->Stat(flask.path)->mtime);
  EXPECT_EQ(pkgs[1].path, "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info");
  EXPECT_EQ(pkgs[1].license, "MIT");
  // legacy_tool's .egg-info is a plain file; broken_pkg has no METADATA and is named by its
  // directory.
  EXPECT_EQ(pkgs[3].path, "/usr/local/lib/python3.11/dist-packages/legacy_tool-1.0.egg-info");
  EXPECT_EQ(pkgs[3].normalized_name, "legacy-tool");
  EXPECT_EQ(pkgs[3].license, "");
  EXPECT_EQ(pkgs[4].normalized_name, "zope-interface");
}

TEST(NpmReader, ListsTopLevelAndScopedPackagesButNotNestedOnes) {
  auto host = HostView::Open(kDebianRoot);
  ASSERT_TRUE(host);
  auto pkgs = ReadNpmPackages(*host);
  SortSoftwarePackages(pkgs);
  EXPECT_EQ(Ids(pkgs), (std::vector<std::string>{"@vue/cli=5.0.8", "npm=9.2.0"}));
  EXPECT_EQ(pkgs[0].type, "npm");
  EXPECT_EQ(pkgs[0].path, "/usr/lib/node_modules/@vue/cli");
  EXPECT_EQ(pkgs[0].license, "MIT");
  EXPECT_EQ(pkgs[0].arch, "");
  EXPECT_EQ(pkgs[0].install_time, host->Stat("/usr/lib/node_modules/@vue/cli")->mtime);
  EXPECT_EQ(pkgs[1].path, "/usr/lib/node_modules/npm");
}

// A scratch root with a symlinked lib64 (as on Fedora) and a nvm install with a broken
// package.json.
class LangScratchRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rampart_software_lang_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    namespace fs = std::filesystem;
    const fs::path site = dir_ / "usr/lib/python3.12/site-packages";
    fs::create_directories(site / "attrs-23.1.0.dist-info");
    Write(site / "attrs-23.1.0.dist-info/METADATA",
          "Metadata-Version: 2.1\nName: attrs\n"
          "Version: 23.1.0\n");
    fs::create_directory_symlink("lib", dir_ / "usr/lib64");
    const fs::path nvm = dir_ / "root/.nvm/versions/node/v20.10.0/lib/node_modules";
    fs::create_directories(nvm / "pm2");
    Write(nvm / "pm2/package.json", R"({"name":"pm2","version":"5.3.0"})");
    fs::create_directories(nvm / "broken");
    Write(nvm / "broken/package.json", "{not json");
    fs::create_directories(nvm / "nomanifest");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static void Write(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p) << text;
  }
  std::filesystem::path dir_;
};

TEST_F(LangScratchRoot, SymlinkedSitePackagesAreReadOnce) {
  auto host = HostView::Open(dir_.string());
  ASSERT_TRUE(host);
  EXPECT_EQ(FindPythonSitePackages(*host),
            (std::vector<std::string>{"/usr/lib/python3.12/site-packages"}));
  EXPECT_EQ(Ids(ReadPythonPackages(*host)), (std::vector<std::string>{"attrs=23.1.0"}));
}

TEST_F(LangScratchRoot, NvmRootIsSearchedAndBrokenManifestsAreSkipped) {
  auto host = HostView::Open(dir_.string());
  ASSERT_TRUE(host);
  const auto pkgs = ReadNpmPackages(*host);
  EXPECT_EQ(Ids(pkgs), (std::vector<std::string>{"pm2=5.3.0"}));
  ASSERT_EQ(pkgs.size(), 1u);
  EXPECT_EQ(pkgs[0].path, "/root/.nvm/versions/node/v20.10.0/lib/node_modules/pm2");
}

}  // namespace
}  // namespace rampart::agent
