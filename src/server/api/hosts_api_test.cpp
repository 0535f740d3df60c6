// GET/DELETE /hosts and the fingerprint routes, on hosts made through Storage (EnrollHost +
// ApplyInventory).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "server/api/api_test_support.h"
#include "server/api/host_json.h"

namespace rampart::server::api {
namespace {

using testing::ApiFixture;
using testing::ErrorCode;
using testing::ErrorMessage;
using testing::ParseBody;

std::vector<std::string> Hostnames(const Json& page) {
  std::vector<std::string> names;
  for (const Json& item : page.Find("items")->as_array())
    names.push_back(item.GetString("hostname"));
  return names;
}

class HostsApi : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    web1_ = MustHost(tenant_a_, "web-1", {"10.0.0.1", "fe80::1"});
    clock_.Advance(std::chrono::seconds(10));
    web2_ = MustHost(tenant_a_, "web-2", {"10.0.0.2"});
    clock_.Advance(std::chrono::seconds(10));
    db1_ = MustHost(tenant_a_, "db-1", {"10.0.1.1"}, "ubuntu", "pro");
    clock_.Advance(std::chrono::seconds(10));
    web3_ = MustHost(tenant_a_, "web-3", {"10.0.0.3"});
    other_ = MustHost(tenant_b_, "web-of-b", {"10.0.0.1"});
  }
  Host web1_, web2_, db1_, web3_, other_;
};

TEST_F(HostsApi, ListsTheTenantsHostsSortedByHostnameWithTheDocumentedShape) {
  Json page = GetOk("/api/v1/hosts", viewer_);
  EXPECT_EQ(Hostnames(page), (std::vector<std::string>{"db-1", "web-1", "web-2", "web-3"}));
  EXPECT_TRUE(page.Find("next_cursor")->is_null());

  const Json& web1 = page.Find("items")->as_array()[1];
  std::vector<std::string> keys;
  for (const auto& [key, value] : web1.as_object()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "hostname", "ips", "os_name", "os_version",
                                            "machine_type", "agent_version", "installed_at",
                                            "last_seen", "status", "plan", "risk"}));
  EXPECT_EQ(web1.GetString("id"), web1_.id);
  EXPECT_EQ(*web1.Find("ips"), Json::StringArray({"10.0.0.1", "fe80::1"}));
  EXPECT_EQ(web1.GetString("installed_at"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(web1.GetString("last_seen"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(web1.GetString("status"), "ONLINE");
  EXPECT_EQ(web1.GetString("plan"), "basic");
  EXPECT_EQ(web1.Find("risk")->Dump(),
            R"({"vulnerabilities":0,"baseline_failures":0,"events":0,"malware":0})");
  EXPECT_EQ(web1, HostJson(web1_));
}

TEST_F(HostsApi, FiltersByStatusHostnameOsPlanAndIp) {
  ASSERT_TRUE(storage_->SetHostStatus(db1_.id, HostStatus::kOffline, Now()).ok());
  EXPECT_EQ(Hostnames(GetOk("/api/v1/hosts?status=OFFLINE", viewer_)),
            std::vector<std::string>{"db-1"});
  EXPECT_EQ(Hostnames(GetOk("/api/v1/hosts?status=ONLINE", viewer_)).size(), 3U);
  EXPECT_EQ(Hostnames(GetOk("/api/v1/hosts?hostname=WEB", viewer_)),
            (std::vector<std::string>{"web-1", "web-2", "web-3"}));
  EXPECT_EQ(Hostnames(GetOk("/api/v1/hosts?os_name=ubuntu", viewer_)),
            std::vector<std::string>{"db-1"});
  EXPECT_EQ(Hostnames(GetOk("/api/v1/hosts?plan=pro", viewer_)), std::vector<std::string>{"db-1"});
  EXPECT_EQ(Hostnames(GetOk("/api/v1/hosts?ip=fe80%3A%3A1", viewer_)),
            std::vector<std::string>{"web-1"});
  EXPECT_EQ(Hostnames(GetOk("/api/v1/hosts?hostname=web&ip=10.0.0.2", viewer_)),
            std::vector<std::string>{"web-2"});
  EXPECT_TRUE(GetOk("/api/v1/hosts?hostname=nothing", viewer_).Find("items")->as_array().empty());
}

TEST_F(HostsApi, SortsByEachKeyBothWays) {
  ASSERT_TRUE(storage_->RecordHeartbeats({{web2_.id, Now() + 100}, {web1_.id, Now() + 50}}).ok());
  EXPECT_EQ(Hostnames(GetOk("/api/v1/hosts?sort=-hostname", viewer_)),
            (std::vector<std::string>{"web-3", "web-2", "web-1", "db-1"}));
  EXPECT_EQ(Hostnames(GetOk("/api/v1/hosts?sort=-last_seen", viewer_)),
            (std::vector<std::string>{"web-2", "web-1", "web-3", "db-1"}));
  EXPECT_EQ(Hostnames(GetOk("/api/v1/hosts?sort=installed_at", viewer_)),
            (std::vector<std::string>{"web-1", "web-2", "db-1", "web-3"}));
  EXPECT_EQ(Hostnames(GetOk("/api/v1/hosts?sort=-installed_at", viewer_)),
            (std::vector<std::string>{"web-3", "db-1", "web-2", "web-1"}));
}

TEST_F(HostsApi, PaginatesWithCursorsWithoutGapsOrRepeats) {
  for (const char* sort : {"hostname", "-last_seen", "installed_at"}) {
    std::vector<std::string> seen;
    std::string target = std::string("/api/v1/hosts?limit=1&sort=") + sort;
    for (int pages = 0; pages < 10; ++pages) {
      Json page = GetOk(target, viewer_);
      ASSERT_LE(page.Find("items")->size(), 1U);
      for (const std::string& name : Hostnames(page)) seen.push_back(name);
      if (page.Find("next_cursor")->is_null()) break;
      target = std::string("/api/v1/hosts?limit=1&sort=") + sort +
               "&cursor=" + net::PercentEncode(page.GetString("next_cursor"));
    }
    EXPECT_EQ(seen.size(), 4U) << sort;
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 4U) << sort;
  }
}

TEST_F(HostsApi, ClampsAnOversizedLimitTo500AndRejectsZeroOrText) {
  for (int i = 0; i < 500; ++i) MustHost(tenant_a_, "bulk-" + std::to_string(1000 + i));
  Json page = GetOk("/api/v1/hosts?limit=100000", viewer_);
  EXPECT_EQ(page.Find("items")->size(), 500U);
  EXPECT_FALSE(page.Find("next_cursor")->is_null());
  EXPECT_EQ(GetOk("/api/v1/hosts", viewer_).Find("items")->size(), 50U);  // the default

  for (const char* bad : {"0", "-1", "ten", "", "1.5"}) {
    net::HttpResponse response = Do("GET", std::string("/api/v1/hosts?limit=") + bad, viewer_);
    EXPECT_EQ(response.status, 400) << bad;
    EXPECT_NE(ErrorMessage(response).find("'limit'"), std::string::npos) << response.body;
  }
}

TEST_F(HostsApi, RejectsUnknownOrBadQueryParametersNamingThem) {
  net::HttpResponse unknown = Do("GET", "/api/v1/hosts?hostnme=web&colour=red", viewer_);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(ErrorCode(unknown), "invalid_argument");
  EXPECT_NE(ErrorMessage(unknown).find("'hostnme', 'colour'"), std::string::npos) << unknown.body;
  EXPECT_NE(ErrorMessage(unknown).find("accepted: status, hostname"), std::string::npos);

  net::HttpResponse sort = Do("GET", "/api/v1/hosts?sort=os", viewer_);
  EXPECT_EQ(sort.status, 400);
  EXPECT_NE(ErrorMessage(sort).find("'sort'"), std::string::npos);
  net::HttpResponse status = Do("GET", "/api/v1/hosts?status=online", viewer_);
  EXPECT_EQ(status.status, 400);
  EXPECT_NE(ErrorMessage(status).find("ONLINE, OFFLINE or UNINSTALLED"), std::string::npos);
  EXPECT_EQ(Do("GET", "/api/v1/hosts?plan=pro&plan=basic", viewer_).status, 400);
  EXPECT_EQ(Do("GET", "/api/v1/hosts?cursor=not-a-cursor", viewer_).status, 400);
  EXPECT_EQ(Do("GET", "/api/v1/hosts?cursor=" + std::string(2000, 'a'), viewer_).status, 400);
}

TEST_F(HostsApi, HostDetailCountsFingerprintRowsPerCategory) {
  MustInventory(web1_.id, {{"ports", {Json::Object{{"port", 22}}, Json::Object{{"port", 80}}}},
                           {"accounts", {Json::Object{{"name", "root"}}}}});
  Json host = GetOk("/api/v1/hosts/" + web1_.id, viewer_);
  EXPECT_EQ(host.GetString("hostname"), "web-1");
  const Json* counts = host.Find("fingerprint_counts");
  ASSERT_NE(counts, nullptr);
  EXPECT_EQ(counts->GetInt("ports"), 2);
  EXPECT_EQ(counts->GetInt("accounts"), 1);
  EXPECT_EQ(Do("GET", "/api/v1/hosts/h_missing", viewer_).status, 404);
}

TEST_F(HostsApi, AdminDeletesAHostAndItsRows) {
  MustInventory(web2_.id, {{"ports", {Json::Object{{"port", 6379}}}}});
  net::HttpResponse deleted = Do("DELETE", "/api/v1/hosts/" + web2_.id, admin_);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(Do("GET", "/api/v1/hosts/" + web2_.id, viewer_).status, 404);
  EXPECT_TRUE(
      GetOk("/api/v1/fingerprints/ports?port=6379", viewer_).Find("items")->as_array().empty());
  EXPECT_EQ(Do("DELETE", "/api/v1/hosts/" + web2_.id, admin_).status, 404);
}

class FingerprintsApi : public HostsApi {
 protected:
  void SetUp() override {
    HostsApi::SetUp();
    MustInventory(web1_.id,
                  {{"ports",
                    {Json::Object{{"port", 22}, {"proto", "tcp"}, {"process", "sshd"}},
                     Json::Object{{"port", 6379}, {"proto", "tcp"}, {"process", "redis"}}}},
                   {"software", {Json::Object{{"name", "openssl"}, {"version", "3.0"}}}}});
    MustInventory(
        db1_.id,
        {{"ports", {Json::Object{{"port", 6379}, {"proto", "tcp"}, {"process", "redis-server"}}}}});
    MustInventory(other_.id, {{"ports", {Json::Object{{"port", 6379}, {"proto", "tcp"}}}}});
  }
};

TEST_F(FingerprintsApi, ListsOneHostsRowsOfACategory) {
  Json page = GetOk("/api/v1/hosts/" + web1_.id + "/fingerprints/ports", viewer_);
  ASSERT_EQ(page.Find("items")->size(), 2U);
  std::set<std::int64_t> ports;
  for (const Json& row : page.Find("items")->as_array()) ports.insert(row.GetInt("port"));
  EXPECT_EQ(ports, (std::set<std::int64_t>{22, 6379}));
  EXPECT_TRUE(page.Find("next_cursor")->is_null());
  EXPECT_TRUE(GetOk("/api/v1/hosts/" + web2_.id + "/fingerprints/ports", viewer_)
                  .Find("items")
                  ->as_array()
                  .empty());
  Json filtered = GetOk("/api/v1/hosts/" + web1_.id + "/fingerprints/ports?process=sshd", viewer_);
  ASSERT_EQ(filtered.Find("items")->size(), 1U);
  EXPECT_EQ(filtered.Find("items")->as_array()[0].GetInt("port"), 22);
}

TEST_F(FingerprintsApi, FleetQueryFiltersOnRowFieldsWithinTheTenant) {
  Json page = GetOk("/api/v1/fingerprints/ports?port=6379", viewer_);
  ASSERT_EQ(page.Find("items")->size(), 2U);  // not tenant B's host
  std::set<std::string> hosts;
  for (const Json& item : page.Find("items")->as_array()) {
    hosts.insert(item.GetString("hostname"));
    EXPECT_EQ(item.Find("row")->GetInt("port"), 6379);
    EXPECT_FALSE(item.GetString("host_id").empty());
  }
  EXPECT_EQ(hosts, (std::set<std::string>{"web-1", "db-1"}));
  Json both = GetOk("/api/v1/fingerprints/ports?port=6379&process=redis", viewer_);
  ASSERT_EQ(both.Find("items")->size(), 1U);
  EXPECT_EQ(both.Find("items")->as_array()[0].GetString("host_id"), web1_.id);
  EXPECT_EQ(GetOk("/api/v1/fingerprints/software", viewer_).Find("items")->size(), 1U);

  // Pages of one row walk the whole result.
  Json first = GetOk("/api/v1/fingerprints/ports?port=6379&limit=1", viewer_);
  ASSERT_EQ(first.Find("items")->size(), 1U);
  ASSERT_FALSE(first.Find("next_cursor")->is_null());
  Json second = GetOk("/api/v1/fingerprints/ports?port=6379&limit=1&cursor=" +
                          net::PercentEncode(first.GetString("next_cursor")),
                      viewer_);
  ASSERT_EQ(second.Find("items")->size(), 1U);
  EXPECT_NE(first.Find("items")->as_array()[0].GetString("host_id"),
            second.Find("items")->as_array()[0].GetString("host_id"));
}

TEST_F(FingerprintsApi, RejectsUnknownCategoriesListingTheValidOnes) {
  for (const std::string& target : {std::string("/api/v1/fingerprints/portz"),
                                    "/api/v1/hosts/" + web1_.id + "/fingerprints/x"}) {
    net::HttpResponse response = Do("GET", target, viewer_);
    EXPECT_EQ(response.status, 400) << target;
    EXPECT_NE(ErrorMessage(response).find("host, resources, accounts, ports"), std::string::npos)
        << response.body;
  }
  net::HttpResponse field = Do("GET", "/api/v1/fingerprints/ports?Port=1", viewer_);
  EXPECT_EQ(field.status, 400);
  EXPECT_NE(ErrorMessage(field).find("'Port'"), std::string::npos);
  EXPECT_EQ(Do("GET", "/api/v1/hosts/h_missing/fingerprints/ports", viewer_).status, 404);
}

}  // namespace
}  // namespace rampart::server::api
