// The vulnerability routes end to end on the router: a feed imported through the server path, an
// on-demand scan, the lists by vulnerability and by host, status changes, ignore rules,
// emergencies and the feed list; bad input answers 400 naming the field.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "server/api/api_test_support.h"
#include "server/service/vuln_service.h"

namespace rampart::server::api {
namespace {

namespace fs = std::filesystem;
using testing::ApiFixture;
using testing::ErrorCode;
using testing::ParseBody;

constexpr std::string_view kFeed = R"({"vulns": [
 {"id": "DSA-7001-1", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-2024-7001"],
  "summary": "openssl crash",
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
  "affected": [{"package": {"ecosystem": "Debian:12", "name": "openssl"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.11-1"}]}]}]},
 {"id": "DSA-7002-1", "modified": "2024-01-01T00:00:00Z", "summary": "bash overflow",
  "database_specific": {"severity": "LOW"},
  "affected": [{"package": {"ecosystem": "Debian:12", "name": "bash"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.2.15-3"}]}]}]}
]})";

class VulnApi : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    dir_ = fs::temp_directory_path() / ("rampart-vapi-" + wire::RandomId("t"));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "feed.json") << kFeed;
    auto imported = ImportFeed(*storage_, (dir_ / "feed.json").string(), Now());
    ASSERT_TRUE(imported.ok()) << imported.error().ToString();
    web_ = MustHost(tenant_a_, "web-1");
    db_ = MustHost(tenant_a_, "db-1");
    Inventory(web_.id, "3.0.9-1", "5.2.15-2");
    Inventory(db_.id, "3.0.9-1", "5.2.15-3");
  }
  void TearDown() override {
    fs::remove_all(dir_);
    ApiFixture::TearDown();
  }

  static Json Deb(const std::string& name, const std::string& version) {
    return Json::Object{{"type", "deb"},
                        {"name", name},
                        {"version", version},
                        {"source_name", name},
                        {"source_version", version},
                        {"arch", "amd64"},
                        {"path", "/var/lib/dpkg/status"}};
  }
  void Inventory(const std::string& host, const std::string& openssl, const std::string& bash) {
    Json row = Json::Object{{"hostname", "h"},
                            {"os_id", "debian"},
                            {"os_version", "12"},
                            {"os_name", "Debian GNU/Linux"}};
    MustInventory(host,
                  {{"host", {row}}, {"software", {Deb("openssl", openssl), Deb("bash", bash)}}});
  }

  Json Scan() {
    net::HttpResponse r = Do("POST", "/api/v1/vulnerabilities/scan", operator_);
    EXPECT_EQ(r.status, 200) << r.body;
    return ParseBody(r);
  }

  fs::path dir_;
  Host web_;
  Host db_;
};

TEST_F(VulnApi, ScanListsByVulnerabilityAndByHost) {
  Json scan = Scan();
  EXPECT_EQ(scan.GetInt("hosts"), 2);
  EXPECT_EQ(scan.GetInt("detected"), 3);
  EXPECT_EQ(scan.GetInt("new_findings"), 3);
  EXPECT_EQ(scan.GetInt("advisories"), 2);

  Json list = GetOk("/api/v1/vulnerabilities", viewer_);
  ASSERT_EQ(list.Find("items")->size(), 2u);
  const Json& top = list.Find("items")->as_array()[0];
  EXPECT_EQ(top.GetString("id"), "DSA-7001-1");
  EXPECT_EQ(top.GetString("severity"), "critical");
  EXPECT_EQ(top.GetInt("affected_hosts"), 2);
  EXPECT_EQ(list.Find("items")->as_array()[1].GetInt("affected_hosts"), 1);

  Json low = GetOk("/api/v1/vulnerabilities?severity=low", viewer_);
  ASSERT_EQ(low.Find("items")->size(), 1u);
  EXPECT_EQ(low.Find("items")->as_array()[0].GetString("id"), "DSA-7002-1");
  Json by_package = GetOk("/api/v1/vulnerabilities?package=openssl&limit=1", viewer_);
  EXPECT_EQ(by_package.Find("items")->size(), 1u);
  EXPECT_TRUE(by_package.Find("next_cursor")->is_null());

  Json detail = GetOk("/api/v1/vulnerabilities/DSA-7001-1", viewer_);
  EXPECT_EQ(detail.Find("items")->size(), 2u);
  EXPECT_EQ(detail.GetString("summary"), "openssl crash");
  EXPECT_FALSE(detail.Find("emergency")->as_bool());
  EXPECT_EQ(Do("GET", "/api/v1/vulnerabilities/CVE-0000-0000", viewer_).status, 404);

  Json host = GetOk("/api/v1/hosts/" + web_.id + "/vulnerabilities", viewer_);
  ASSERT_EQ(host.Find("items")->size(), 2u);
  const Json& f = host.Find("items")->as_array()[0];
  EXPECT_EQ(f.GetString("vuln_id"), "DSA-7001-1");
  EXPECT_EQ(f.GetString("installed_version"), "3.0.9-1");
  EXPECT_EQ(f.GetString("fixed_version"), "3.0.11-1");
  EXPECT_EQ(f.GetString("fix_command"), "apt-get install --only-upgrade openssl");
  EXPECT_EQ(f.GetString("status"), "pending");
  EXPECT_TRUE(f.Find("first_detected")->is_string());
  EXPECT_TRUE(f.Find("fixed_at")->is_null());
  EXPECT_EQ(GetOk("/api/v1/hosts/" + web_.id, viewer_).Find("risk")->GetInt("vulnerabilities"), 2);

  // The fix lands on web-1: after its next inventory and a scan, fixed there.
  Inventory(web_.id, "3.0.11-1", "5.2.15-3");
  Json second = Scan();
  EXPECT_EQ(second.GetInt("fixed"), 2);
  Json fixed = GetOk("/api/v1/hosts/" + web_.id + "/vulnerabilities?status=fixed", viewer_);
  EXPECT_EQ(fixed.Find("items")->size(), 2u);
  EXPECT_TRUE(fixed.Find("items")->as_array()[0].Find("fixed_at")->is_string());
  EXPECT_EQ(GetOk("/api/v1/vulnerabilities/DSA-7001-1", viewer_).Find("items")->size(), 1u);
}

TEST_F(VulnApi, OperatorsIgnoreFindingsAndAdminsManageRulesAndEmergencies) {
  Scan();
  const std::string patch = "/api/v1/hosts/" + web_.id + "/vulnerabilities/DSA-7002-1";
  net::HttpResponse ignored = Do("PATCH", patch, operator_, R"({"status":"ignored"})");
  ASSERT_EQ(ignored.status, 200) << ignored.body;
  EXPECT_EQ(ParseBody(ignored).Find("items")->as_array()[0].GetString("status"), "ignored");
  EXPECT_EQ(ParseBody(ignored).Find("items")->as_array()[0].GetString("ignored_by"), "user");
  EXPECT_EQ(Do("PATCH", patch, operator_, R"({"status":"fixed"})").status, 400);
  EXPECT_EQ(Do("PATCH", patch, operator_, R"({"state":"ignored"})").status, 400);
  EXPECT_EQ(Do("PATCH", "/api/v1/hosts/" + web_.id + "/vulnerabilities/NOPE", operator_,
               R"({"status":"ignored"})")
                .status,
            404);
  EXPECT_EQ(GetOk("/api/v1/vulnerabilities?status=ignored", viewer_).Find("items")->size(), 1u);

  // A rule on openssl for db-1 only.
  net::HttpResponse created =
      Do("POST", "/api/v1/vulnerability-ignore-rules", admin_,
         R"({"package":"openssl","host_ids":[")" + db_.id + R"("],"reason":"not exposed"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string rule_id = ParseBody(created).GetString("id");
  Json db_findings = GetOk("/api/v1/hosts/" + db_.id + "/vulnerabilities?status=ignored", viewer_);
  ASSERT_EQ(db_findings.Find("items")->size(), 1u);
  EXPECT_EQ(db_findings.Find("items")->as_array()[0].GetString("ignored_by"), "rule:" + rule_id);
  EXPECT_EQ(GetOk("/api/v1/vulnerability-ignore-rules", viewer_).Find("items")->size(), 1u);
  net::HttpResponse empty = Do("POST", "/api/v1/vulnerability-ignore-rules", admin_, "{}");
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(ErrorCode(empty), "invalid_argument");
  EXPECT_EQ(
      Do("POST", "/api/v1/vulnerability-ignore-rules", admin_, R"({"host_ids":"all"})").status,
      400);
  EXPECT_EQ(Do("DELETE", "/api/v1/vulnerability-ignore-rules/" + rule_id, admin_).status, 204);
  EXPECT_EQ(GetOk("/api/v1/hosts/" + db_.id + "/vulnerabilities?status=pending", viewer_)
                .Find("items")
                ->size(),
            1u);

  // Emergency: flagged, filtered, reported by the scan.
  net::HttpResponse flag = Do("POST", "/api/v1/vulnerability-emergencies", admin_,
                              R"({"vuln_id":"DSA-7001-1","note":"patch today"})");
  ASSERT_EQ(flag.status, 201) << flag.body;
  Json only = GetOk("/api/v1/vulnerabilities?emergency=true", viewer_);
  ASSERT_EQ(only.Find("items")->size(), 1u);
  EXPECT_TRUE(only.Find("items")->as_array()[0].Find("emergency")->as_bool());
  Json scan = Scan();
  ASSERT_EQ(scan.Find("emergencies")->size(), 1u);
  EXPECT_EQ(scan.Find("emergencies")->as_array()[0].GetInt("affected_hosts"), 2);
  EXPECT_EQ(GetOk("/api/v1/vulnerability-emergencies", viewer_).Find("items")->size(), 1u);
  EXPECT_EQ(Do("DELETE", "/api/v1/vulnerability-emergencies/DSA-7001-1", admin_).status, 204);
  EXPECT_EQ(Do("DELETE", "/api/v1/vulnerability-emergencies/DSA-7001-1", admin_).status, 404);
}

TEST_F(VulnApi, FiltersAreValidatedAndFeedsAreListed) {
  EXPECT_EQ(Do("GET", "/api/v1/vulnerabilities?severity=severe", viewer_).status, 400);
  EXPECT_EQ(Do("GET", "/api/v1/vulnerabilities?status=open", viewer_).status, 400);
  EXPECT_EQ(Do("GET", "/api/v1/vulnerabilities?emergency=yes", viewer_).status, 400);
  EXPECT_EQ(Do("GET", "/api/v1/vulnerabilities?cursor=garbage", viewer_).status, 400);
  EXPECT_EQ(Do("GET", "/api/v1/vulnerabilities?sort=id", viewer_).status, 400);
  Json feeds = GetOk("/api/v1/feeds", viewer_);
  ASSERT_EQ(feeds.Find("items")->size(), 1u);
  EXPECT_EQ(feeds.Find("items")->as_array()[0].GetString("name"), "feed.json");
  EXPECT_EQ(feeds.Find("items")->as_array()[0].GetInt("records"), 2);
  EXPECT_EQ(feeds.GetInt("generation"), 1);
}

}  // namespace
}  // namespace rampart::server::api
