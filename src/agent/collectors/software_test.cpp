#include "agent/collectors/software.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "agent/collectors/registry.h"
#include "common/clock.h"

namespace rampart::agent {
namespace {

Json CollectOn(const char* fixture) {
  auto host = HostView::Open(std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/" + fixture);
  EXPECT_TRUE(host);
  if (!host) return Json::MakeArray();
  FakeClock clock(std::chrono::system_clock::from_time_t(1764400000));
  const CollectContext ctx{*host, clock, CollectOptions{}};
  auto out = MakeSoftwareCollector()->Collect(ctx);
  EXPECT_TRUE(out) << out.error().ToString();
  return out ? *out : Json::MakeArray();
}

std::map<std::string, int> CountByType(const Json& rows) {
  std::map<std::string, int> n;
  for (const Json& r : rows.as_array()) ++n[r.GetString("type")];
  return n;
}

const Json* FindRow(const Json& rows, std::string_view type, std::string_view name,
                    std::string_view arch = {}) {
  for (const Json& r : rows.as_array()) {
    if (r.GetString("type") == type && r.GetString("name") == name &&
        (arch.empty() || r.GetString("arch") == arch)) {
      return &r;
    }
  }
  return nullptr;
}

void ExpectValidRows(const Json& rows) {
  ASSERT_TRUE(rows.is_array());
  for (const Json& r : rows.as_array()) {
    const Status s = ValidateRow(r, SoftwareSchema());
    EXPECT_TRUE(s.ok()) << s.message() << "\n" << r.Dump();
  }
}

TEST(SoftwareCollector, IsARowsCategoryWithTheContractColumns) {
  auto c = MakeSoftwareCollector();
  EXPECT_EQ(c->name(), "software");
  EXPECT_EQ(c->shape(), Shape::kRows);
  std::vector<std::string> table;
  for (const Field& f : c->schema()) {
    if (f.table) table.emplace_back(f.name);
  }
  EXPECT_EQ(table, (std::vector<std::string>{"type", "name", "version", "arch"}));
}

TEST(SoftwareCollector, DebianRootCombinesDebPypiAndNpm) {
  const Json rows = CollectOn("root-debian");
  ExpectValidRows(rows);
  EXPECT_EQ(CountByType(rows), (std::map<std::string, int>{{"deb", 12}, {"npm", 2}, {"pypi", 5}}));
  // Sources in a fixed order: deb, then pypi, then npm.
  EXPECT_EQ(rows.as_array().front().GetString("type"), "deb");
  EXPECT_EQ(rows.as_array().back().GetString("type"), "npm");

  const Json* libssl = FindRow(rows, "deb", "libssl3");
  ASSERT_NE(libssl, nullptr);
  EXPECT_EQ(libssl->GetString("version"), "3.0.11-1~deb12u2+b1");
  EXPECT_EQ(libssl->GetString("source_name"), "openssl");
  EXPECT_EQ(libssl->GetString("source_version"), "3.0.11-1~deb12u2");
  EXPECT_EQ(libssl->GetString("arch"), "amd64");
  EXPECT_EQ(libssl->GetString("path"), "/var/lib/dpkg/status");
  EXPECT_EQ(libssl->GetString("status"), "install ok installed");
  EXPECT_EQ(libssl->GetInt("size"), 6166 * 1024);
  EXPECT_TRUE(libssl->Find("epoch")->is_null());
  ASSERT_TRUE(libssl->Find("install_time")->is_string());
  auto host = HostView::Open(std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/root-debian");
  EXPECT_EQ(libssl->GetString("install_time"),
            FormatIso8601(host->Stat("/var/lib/dpkg/info/libssl3:amd64.list")->mtime));

  const Json* zlib = FindRow(rows, "deb", "zlib1g", "i386");
  ASSERT_NE(zlib, nullptr);
  EXPECT_EQ(zlib->GetInt("epoch"), 1);
  EXPECT_EQ(zlib->GetString("version"), "1:1.2.13.dfsg-1");
  EXPECT_TRUE(FindRow(rows, "deb", "tzdata")->Find("install_time")->is_null());
  EXPECT_EQ(FindRow(rows, "deb", "nginx-common"), nullptr);  // config-files only
  EXPECT_EQ(FindRow(rows, "deb", "telnet"), nullptr);        // purged

  const Json* flask = FindRow(rows, "pypi", "Flask-Login");
  ASSERT_NE(flask, nullptr);
  EXPECT_EQ(flask->GetString("normalized_name"), "flask-login");
  EXPECT_EQ(flask->GetString("arch"), "");
  EXPECT_TRUE(flask->Find("epoch")->is_null());
  EXPECT_TRUE(flask->Find("size")->is_null());

  const Json* vue = FindRow(rows, "npm", "@vue/cli");
  ASSERT_NE(vue, nullptr);
  EXPECT_EQ(vue->GetString("version"), "5.0.8");
  EXPECT_EQ(vue->GetString("source_name"), "@vue/cli");
  EXPECT_EQ(vue->GetString("path"), "/usr/lib/node_modules/@vue/cli");
  EXPECT_EQ(FindRow(rows, "npm", "abbrev"), nullptr);  // nested under npm/node_modules
}

TEST(SoftwareCollector, RpmRootListsRpmDatabase) {
  const Json rows = CollectOn("root-rpm");
  ExpectValidRows(rows);
  EXPECT_EQ(CountByType(rows), (std::map<std::string, int>{{"rpm", 3}}));
  const Json* vim = FindRow(rows, "rpm", "vim-filesystem");
  ASSERT_NE(vim, nullptr);
  EXPECT_EQ(vim->GetString("version"), "2:8.2.2637-20.el9_1");
  EXPECT_EQ(vim->GetInt("epoch"), 2);
  EXPECT_EQ(vim->GetString("source_name"), "vim");
  EXPECT_EQ(vim->GetString("source_version"), "8.2.2637-20.el9_1");
  EXPECT_EQ(vim->GetString("arch"), "noarch");
  EXPECT_EQ(vim->GetString("path"), "/var/lib/rpm/rpmdb.sqlite");
  EXPECT_EQ(vim->GetString("vendor"), "Rocky Enterprise Software Foundation");
  const std::string t = vim->GetString("install_time");
  ASSERT_EQ(t.size(), 20u) << t;  // 2025-06-24T10:11:12Z
  EXPECT_EQ(t[10], 'T');
  EXPECT_EQ(t.back(), 'Z');
}

TEST(SoftwareCollector, AlpineRootListsApkWithoutInstallTime) {
  const Json rows = CollectOn("root-alpine");
  ExpectValidRows(rows);
  EXPECT_EQ(CountByType(rows), (std::map<std::string, int>{{"apk", 7}}));
  const Json* libcrypto = FindRow(rows, "apk", "libcrypto3");
  ASSERT_NE(libcrypto, nullptr);
  EXPECT_EQ(libcrypto->GetString("version"), "3.1.4-r1");
  EXPECT_EQ(libcrypto->GetString("source_name"), "openssl");
  EXPECT_EQ(libcrypto->GetString("arch"), "x86_64");
  EXPECT_TRUE(libcrypto->Find("install_time")->is_null());
  EXPECT_EQ(libcrypto->GetString("build_time"), "2023-11-06T16:58:36Z");
  EXPECT_EQ(libcrypto->GetString("maintainer"), "Ariadne Conill <ariadne@dereferenced.org>");
}

TEST(SoftwareCollector, RowsOfOneSourceAreSortedByNameThenArch) {
  const Json rows = CollectOn("root-debian");
  std::vector<std::string> deb;
  for (const Json& r : rows.as_array()) {
    if (r.GetString("type") == "deb")
      deb.push_back(r.GetString("name") + ":" + r.GetString("arch"));
  }
  ASSERT_EQ(deb.size(), 12u);
  EXPECT_TRUE(std::is_sorted(deb.begin(), deb.end()));
  EXPECT_EQ(deb[10], "zlib1g:amd64");
  EXPECT_EQ(deb[11], "zlib1g:i386");
}

}  // namespace
}  // namespace rampart::agent
