// VulnService: hand-made feeds imported through the server path, matched against inventories
// stored as an agent uploads them: findings with fix commands, fixed detection when a later
// inventory carries the fixed version, withdrawn advisories leaving the results, re-import in
// place, the schedule setting, and the Jobs loop draining the queue.
#include "server/service/vuln_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "common/wire.h"
#include "server/service/jobs.h"

namespace rampart::server {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr std::string_view kOpensslDsa = R"({
  "id": "DSA-9001-1", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-2024-1111"],
  "summary": "openssl: remote crash",
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
  "affected": [{"package": {"ecosystem": "Debian:12", "name": "openssl"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u2"}]}]}],
  "references": [{"type": "ADVISORY", "url": "https://www.debian.org/security/2024/dsa-9001"}]})";

std::string RequestsRecord(const std::string& modified, bool withdrawn) {
  return std::string(R"({"id": "GHSA-req1-0000-0000", "modified": ")") + modified + "\"" +
         (withdrawn ? R"(, "withdrawn": "2024-03-01T00:00:00Z")" : "") +
         R"(, "aliases": ["CVE-2024-2222"], "summary": "requests leaks proxy credentials",
  "database_specific": {"severity": "MODERATE"},
  "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.3.0"}, {"fixed": "2.31.0"}]}]}]})";
}

// A record the reader must reject (a range without events), reported and skipped.
constexpr std::string_view kBadRecord = R"({
  "id": "GHSA-bad0-0000-0000", "modified": "2024-01-01T00:00:00Z",
  "affected": [{"package": {"ecosystem": "PyPI", "name": "x"},
    "ranges": [{"type": "ECOSYSTEM", "events": []}]}]})";

class VulnServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenStorage("sqlite://:memory:", "");
    ASSERT_TRUE(opened.ok()) << opened.error().ToString();
    storage_ = std::move(*opened);
    tenant_ = storage_->CreateTenant("acme", Now())->id;
    token_ =
        storage_->CreateEnrollToken({wire::RandomId("et"), tenant_, "x", Now(), Now() + 86400})->id;
    dir_ = fs::temp_directory_path() / ("rampart-vuln-" + wire::RandomId("t"));
    fs::create_directories(dir_);
    service_ = std::make_unique<VulnService>(*storage_, clock_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::int64_t Now() const {
    return std::chrono::duration_cast<seconds>(clock_.Now().time_since_epoch()).count();
  }

  std::string Write(const std::string& name, std::string_view text) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }

  std::string AddHost(const std::string& machine) {
    Host host;
    host.id = wire::RandomId("h");
    host.machine_id = machine;
    host.hostname = machine;
    host.agent_secret_hash = std::string(64, '0');
    auto stored = storage_->EnrollHost(token_, host, Now());
    EXPECT_TRUE(stored.ok()) << stored.error().ToString();
    return stored.ok() ? stored->id : std::string();
  }

  static Json Deb(const std::string& name, const std::string& version) {
    Json row = Json::MakeObject();
    row.Set("type", "deb");
    row.Set("name", name);
    row.Set("version", version);
    row.Set("source_name", "openssl");
    row.Set("source_version", version);
    row.Set("arch", "amd64");
    row.Set("path", "/var/lib/dpkg/status");
    return row;
  }
  static Json Pypi(const std::string& version) {
    Json row = Json::MakeObject();
    row.Set("type", "pypi");
    row.Set("name", "requests");
    row.Set("version", version);
    row.Set("source_name", "requests");
    row.Set("source_version", version);
    row.Set("arch", "");
    row.Set("path",
            "/opt/app/venv/lib/python3.11/site-packages/requests-" + version + ".dist-info");
    return row;
  }

  // A full inventory as the agent uploads it: the host row and the software rows.
  void Upload(const std::string& host_id, const std::string& openssl_version,
              const std::string& requests_version) {
    InventoryBatch batch;
    batch.idempotency_key = wire::RandomId("b");
    batch.version = ++version_;
    batch.full = true;
    Json host = Json::MakeObject();
    host.Set("hostname", "web-1");
    host.Set("os_name", "Debian GNU/Linux");
    host.Set("os_version", "12");
    host.Set("os_id", "debian");
    host.Set("kernel", "6.1.0-18-amd64");
    batch.rows = {{"host", {host}},
                  {"software",
                   {Deb("openssl", openssl_version), Deb("libssl3", openssl_version),
                    Pypi(requests_version)}}};
    auto applied = storage_->ApplyInventory(host_id, batch, Now());
    ASSERT_TRUE(applied.ok()) << applied.error().ToString();
  }

  std::vector<HostFinding> Findings(const std::string& host_id, const std::string& status) {
    HostFindingQuery q;
    q.host_id = host_id;
    q.status = status;
    auto page = storage_->ListHostFindings(tenant_, q);
    EXPECT_TRUE(page.ok()) << page.error().ToString();
    return page.ok() ? page->items : std::vector<HostFinding>{};
  }

  const HostFinding* Find(const std::vector<HostFinding>& all, const std::string& id) {
    for (const auto& f : all) {
      if (f.vuln_id == id) return &f;
    }
    return nullptr;
  }

  void Drain() {
    ASSERT_TRUE(service_->Refresh().ok());
    auto done = service_->DrainQueue(100);
    ASSERT_TRUE(done.ok()) << done.error().ToString();
  }

  FakeClock clock_{std::chrono::system_clock::time_point(seconds(1'800'000'000))};
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<VulnService> service_;
  std::string tenant_;
  std::string token_;
  fs::path dir_;
  std::int64_t version_ = 0;
};

TEST_F(VulnServiceTest, ImportReportsBadRecordsAndMatchesStoredInventoryWithFixCommands) {
  const std::string host = AddHost("m1");
  Upload(host, "3.0.9-1", "2.28.0");
  Write("feed/openssl.json", kOpensslDsa);
  Write("feed/requests.json", RequestsRecord("2024-01-01T00:00:00Z", false));
  Write("feed/bad.json", kBadRecord);
  auto report = ImportFeed(*storage_, (dir_ / "feed").string(), Now());
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  EXPECT_EQ(report->stored.records, 2);
  EXPECT_EQ(report->stored.skipped, 1);
  ASSERT_EQ(report->errors.size(), 1u);
  EXPECT_EQ(report->errors[0].id, "GHSA-bad0-0000-0000");
  EXPECT_NE(report->errors[0].reason.find("events"), std::string::npos) << report->errors[0].reason;

  Drain();
  EXPECT_EQ(service_->advisory_count(), 2u);
  auto open = Findings(host, "pending");
  ASSERT_EQ(open.size(), 2u);
  const HostFinding* dsa = Find(open, "DSA-9001-1");
  ASSERT_NE(dsa, nullptr);
  EXPECT_EQ(dsa->package, "openssl");
  EXPECT_EQ(dsa->installed_version, "3.0.9-1");
  EXPECT_EQ(dsa->fixed_version, "3.0.11-1~deb12u2");
  EXPECT_EQ(dsa->severity, "critical");
  EXPECT_NEAR(dsa->score, 9.8, 0.01);
  EXPECT_EQ(dsa->fix_command, "apt-get install --only-upgrade libssl3 openssl");
  EXPECT_EQ(dsa->ids, (std::vector<std::string>{"DSA-9001-1", "CVE-2024-1111"}));
  const HostFinding* req = Find(open, "GHSA-req1-0000-0000");
  ASSERT_NE(req, nullptr);
  EXPECT_EQ(req->severity, "medium");
  EXPECT_EQ(req->fix_command, "pip install 'requests>=2.31.0'");
  EXPECT_EQ(storage_->GetHost(tenant_, host)->risk.vulnerabilities, 2);
  EXPECT_TRUE(storage_->QueuedRematches(10)->empty());
}

TEST_F(VulnServiceTest, ALaterInventoryWithTheFixedVersionMarksTheFindingFixed) {
  const std::string host = AddHost("m1");
  Upload(host, "3.0.9-1", "2.28.0");
  Write("openssl.json", kOpensslDsa);
  ASSERT_TRUE(ImportFeed(*storage_, (dir_ / "openssl.json").string(), Now()).ok());
  Drain();
  ASSERT_EQ(Findings(host, "pending").size(), 1u);
  const std::int64_t first = Now();

  clock_.Advance(seconds(3600));
  Upload(host, "3.0.11-1~deb12u2", "2.28.0");  // the agent uploads after the upgrade
  Drain();
  EXPECT_TRUE(Findings(host, "pending").empty());
  auto fixed = Findings(host, "fixed");
  ASSERT_EQ(fixed.size(), 1u);
  EXPECT_EQ(fixed[0].fixed_at, Now());
  EXPECT_EQ(fixed[0].first_detected, first);
  EXPECT_EQ(storage_->GetHost(tenant_, host)->risk.vulnerabilities, 0);
}

TEST_F(VulnServiceTest, ReimportUpdatesInPlaceAndAWithdrawnRecordLeavesTheResults) {
  const std::string host = AddHost("m1");
  Upload(host, "3.0.11-1~deb12u2", "2.28.0");
  const std::string path = Write("requests.json", RequestsRecord("2024-01-01T00:00:00Z", false));
  ASSERT_TRUE(ImportFeed(*storage_, path, Now()).ok());
  Drain();
  ASSERT_EQ(Findings(host, "pending").size(), 1u);

  // The same feed again: nothing changes, the generation moves on.
  auto same = ImportFeed(*storage_, path, Now());
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->stored.unchanged, 1);
  // A newer copy that withdraws the record: in place (one stored advisory), gone from results.
  Write("requests.json", RequestsRecord("2024-03-01T00:00:00Z", true));
  auto newer = ImportFeed(*storage_, path, Now());
  ASSERT_TRUE(newer.ok());
  EXPECT_EQ(newer->stored.updated, 1);
  EXPECT_EQ(newer->stored.withdrawn, 1);
  EXPECT_EQ(storage_->LoadAdvisories()->size(), 1u);
  Drain();
  EXPECT_EQ(service_->advisory_count(), 0u);
  EXPECT_TRUE(Findings(host, "pending").empty());
  EXPECT_TRUE(Findings(host, "fixed").empty());  // removed, not "fixed": nothing was patched
}

TEST_F(VulnServiceTest, ImportOfANewFeedRematchesEveryHostAndOnDemandScanCountsThem) {
  const std::string a = AddHost("m1");
  const std::string b = AddHost("m2");
  Upload(a, "3.0.9-1", "2.28.0");
  Upload(b, "3.0.9-1", "2.31.0");
  Drain();  // no feed yet: nothing found
  EXPECT_TRUE(Findings(a, "pending").empty());
  Write("openssl.json", kOpensslDsa);
  ASSERT_TRUE(ImportFeed(*storage_, (dir_ / "openssl.json").string(), Now()).ok());
  EXPECT_EQ(storage_->QueuedRematches(10)->size(), 2u);
  Drain();
  EXPECT_EQ(Findings(a, "pending").size(), 1u);
  EXPECT_EQ(Findings(b, "pending").size(), 1u);

  auto scan = service_->RematchTenant(tenant_);
  ASSERT_TRUE(scan.ok()) << scan.error().ToString();
  EXPECT_EQ(scan->hosts, 2);
  EXPECT_EQ(scan->totals.detected, 2);
  EXPECT_EQ(scan->totals.new_findings, 0);
  auto list = storage_->ListVulnerabilities(tenant_, VulnQuery{});
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].hosts, 2);
}

TEST_F(VulnServiceTest, TheScheduleSettingQueuesTheTenantsHostsWhenDue) {
  const std::string host = AddHost("m1");
  ASSERT_TRUE(storage_->FinishRematch(host, "").ok());
  Json settings = Json::MakeObject();
  settings["vulnerabilities"].Set("scan_interval_hours", 2);
  ASSERT_TRUE(storage_->PutSettings(tenant_, settings, -1, Now()).ok());
  EXPECT_EQ(*service_->QueueScheduledScans(), 1);
  EXPECT_EQ(storage_->QueuedRematches(10)->size(), 1u);
  ASSERT_TRUE(service_->DrainQueue(10).ok());
  clock_.Advance(seconds(3600));
  EXPECT_EQ(*service_->QueueScheduledScans(), 0);
  clock_.Advance(seconds(3600));
  EXPECT_EQ(*service_->QueueScheduledScans(), 1);
  settings["vulnerabilities"].Set("scan_interval_hours", 0);
  ASSERT_TRUE(storage_->PutSettings(tenant_, settings, -1, Now()).ok());
  clock_.Advance(seconds(86400));
  EXPECT_EQ(*service_->QueueScheduledScans(), 0);
}

TEST_F(VulnServiceTest, DebianTrackerIssuesWithoutAFixAreFindingsWithNoFixCommand) {
  const std::string host = AddHost("m1");
  Upload(host, "3.0.9-1", "2.31.0");
  const std::string path = Write("tracker.json", R"({
    "openssl": {
      "CVE-2024-5555": {"description": "openssl: timing side channel", "releases": {
        "bookworm": {"status": "open", "urgency": "medium", "repositories": {"bookworm": "3.0.9-1"}}}},
      "CVE-2024-6666": {"description": "fixed already", "releases": {
        "bookworm": {"status": "resolved", "fixed_version": "3.0.8-1", "urgency": "high"}}}}})");
  auto report = ImportFeed(*storage_, path, Now());
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  EXPECT_EQ(report->stored.records, 2);
  Drain();
  auto open = Findings(host, "pending");
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].vuln_id, "CVE-2024-5555");
  EXPECT_EQ(open[0].severity, "medium");
  EXPECT_EQ(open[0].fixed_version, "");
  EXPECT_EQ(open[0].fix_command, "");
  EXPECT_EQ(open[0].detail.GetString("status"), "unfixed");
}

TEST_F(VulnServiceTest, JobsReloadTheIndexAndDrainTheQueue) {
  const std::string host = AddHost("m1");
  Upload(host, "3.0.9-1", "2.28.0");
  Write("openssl.json", kOpensslDsa);
  ASSERT_TRUE(ImportFeed(*storage_, (dir_ / "openssl.json").string(), Now()).ok());
  JobsOptions options;
  options.node_id = "node-a";
  options.vuln = service_.get();
  Jobs jobs(*storage_, clock_, nullptr, options);
  jobs.Tick();
  EXPECT_EQ(service_->generation(), 1);
  EXPECT_EQ(jobs.stats().vuln_rematches, 1);
  EXPECT_EQ(Findings(host, "pending").size(), 1u);
}

}  // namespace
}  // namespace rampart::server
