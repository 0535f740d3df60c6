// Storage: vulnerability management (advisories and feed imports, the rematch queue, findings with
// their status, ignore rules, emergencies). Runs on SQLite and on MariaDB (test_db.h).

#include <functional>
#include <map>

#include "server/storage/storage_test_fixture.h"

namespace rampart::server {
namespace {

class Vuln : public StorageTest {
 protected:
  static StoredAdvisory Adv(const std::string& id, const std::string& modified,
                            bool withdrawn = false, const std::string& data = "{}") {
    return StoredAdvisory{id, modified, withdrawn, data};
  }

  static HostFinding Finding(const std::string& vuln_id, const std::string& package,
                             const std::string& severity = "high",
                             const std::string& fixed = "1.2") {
    HostFinding f;
    f.vuln_id = vuln_id;
    f.package = package;
    f.ids = {vuln_id, "CVE-" + vuln_id};
    f.installed_version = "1.0";
    f.fixed_version = fixed;
    f.severity = severity;
    f.score = 7.5;
    f.summary = "summary of " + vuln_id;
    f.fix_command = "apt-get install --only-upgrade " + package;
    f.detail.Set("id", vuln_id);
    return f;
  }

  Result<RematchResult> Replace(const Host& h, std::vector<HostFinding> current, std::int64_t now,
                                std::function<bool(const std::string&)> advised = nullptr) {
    if (!advised) advised = [](const std::string&) { return true; };
    return storage().ReplaceHostFindings(h.tenant_id, h.id, std::move(current), advised, now);
  }

  std::vector<HostFinding> Findings(const Host& h, const std::string& status = "") {
    HostFindingQuery q;
    q.host_id = h.id;
    q.status = status;
    auto page = storage().ListHostFindings(h.tenant_id, q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->items : std::vector<HostFinding>{};
  }

  std::int64_t Risk(const Host& h) {
    auto host = storage().GetHost(h.tenant_id, h.id);
    return host.ok() ? host->risk.vulnerabilities : -1;
  }
};

TEST_P(Vuln, ImportKeepsTheNewerCopyCountsAndBumpsTheGeneration) {
  EXPECT_EQ(*storage().FeedGeneration(), 0);
  FeedImport first{"feed-a.zip"};
  first.records = 3;
  first.skipped = 1;
  first.imported_at = 100;
  auto a = storage().ImportAdvisories(
      first, {Adv("A-1", "002"), Adv("A-2", "002"), Adv("A-3", "002", true)});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->inserted, 3);
  EXPECT_EQ(a->withdrawn, 1);
  EXPECT_EQ(a->generation, 1);

  FeedImport second{"feed-a.zip"};
  second.records = 3;
  second.imported_at = 200;
  auto b = storage().ImportAdvisories(
      second, {Adv("A-1", "003", false, R"({"v":2})"), Adv("A-2", "001"), Adv("A-4", "")});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->inserted, 1);
  EXPECT_EQ(b->updated, 1);
  EXPECT_EQ(b->unchanged, 1);  // A-2's stored copy is newer
  EXPECT_EQ(b->generation, 2);
  EXPECT_EQ(*storage().FeedGeneration(), 2);

  auto all = storage().LoadAdvisories();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  std::map<std::string, StoredAdvisory> by_id;
  for (auto& s : *all) by_id[s.id] = s;
  EXPECT_EQ(by_id["A-1"].data, R"({"v":2})");
  EXPECT_EQ(by_id["A-2"].modified, "002");
  EXPECT_TRUE(by_id["A-3"].withdrawn);

  auto feeds = storage().ListFeedImports();
  ASSERT_TRUE(feeds.ok());
  ASSERT_EQ(feeds->size(), 1u);  // one row per feed name: the latest import
  EXPECT_EQ((*feeds)[0].imported_at, 200);
  EXPECT_EQ((*feeds)[0].generation, 2);

  // Nothing is written when a record is invalid.
  auto bad = storage().ImportAdvisories(FeedImport{"x"}, {Adv("B-1", "1"), Adv("", "1")});
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(*storage().FeedGeneration(), 2);
  EXPECT_EQ(storage().LoadAdvisories()->size(), 4u);
}

TEST_P(Vuln, SoftwareInventoryQueuesTheHostAndAStaleMarkKeepsItQueued) {
  Tenant t = MakeTenant("t");
  Host h = Enroll(t.id, "m1", "web-1");
  EXPECT_TRUE(storage().QueuedRematches(10)->empty());
  InventoryBatch batch;
  batch.idempotency_key = "k1";
  batch.version = 1;
  batch.full = true;
  Json row = Json::MakeObject();
  row.Set("type", "deb");
  row.Set("name", "bash");
  batch.rows = {{"software", {row}}};
  ASSERT_TRUE(storage().ApplyInventory(h.id, batch, 3000).ok());
  auto queued = storage().QueuedRematches(10);
  ASSERT_TRUE(queued.ok());
  ASSERT_EQ(queued->size(), 1u);
  EXPECT_EQ((*queued)[0].first, h.id);
  const std::string mark = (*queued)[0].second;

  // A delta of ports only does not queue it again.
  ASSERT_TRUE(storage().FinishRematch(h.id, mark).ok());
  InventoryBatch ports;
  ports.idempotency_key = "k2";
  ports.version = 2;
  ports.base = 1;
  Json port = Json::MakeObject();
  port.Set("port", 22);
  ports.rows = {{"ports", {port}}};
  ASSERT_TRUE(storage().ApplyInventory(h.id, ports, 3001).ok());
  EXPECT_TRUE(storage().QueuedRematches(10)->empty());

  // Marked again while a rematch with the old mark runs: finishing the old one keeps it queued.
  ASSERT_TRUE(storage().MarkHostsForRematch(t.id, {h.id}, 3002).ok());
  const std::string first_mark = (*storage().QueuedRematches(10))[0].second;
  ASSERT_TRUE(storage().MarkHostsForRematch(t.id, {}, 3003).ok());
  ASSERT_TRUE(storage().FinishRematch(h.id, first_mark).ok());
  EXPECT_EQ(storage().QueuedRematches(10)->size(), 1u);

  // All tenants; another tenant's host id given for this tenant is not queued.
  Tenant other = MakeTenant("other");
  Host o = Enroll(other.id, "m2", "db-1");
  ASSERT_TRUE(storage().MarkHostsForRematch(t.id, {o.id}, 3004).ok());
  EXPECT_EQ(storage().QueuedRematches(10)->size(), 1u);
  ASSERT_TRUE(storage().MarkHostsForRematch("", {}, 3005).ok());
  EXPECT_EQ(storage().QueuedRematches(10)->size(), 2u);
  // Deleting a host removes it from the queue.
  ASSERT_TRUE(storage().DeleteHost(other.id, o.id).ok());
  EXPECT_EQ(storage().QueuedRematches(10)->size(), 1u);
}

TEST_P(Vuln, FindingsKeepFirstDetectionBecomeFixedAndReopen) {
  Tenant t = MakeTenant("t");
  Host h = Enroll(t.id, "m1", "web-1");
  auto r1 = Replace(h, {Finding("DSA-1", "openssl"), Finding("DSA-2", "bash", "low")}, 100);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(r1->new_findings, 2);
  EXPECT_EQ(Risk(h), 2);

  auto r2 = Replace(h, {Finding("DSA-1", "openssl")}, 200);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->new_findings, 0);
  EXPECT_EQ(r2->fixed, 1);
  EXPECT_EQ(Risk(h), 1);
  auto open = Findings(h);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].vuln_id, "DSA-1");
  EXPECT_EQ(open[0].first_detected, 100);
  EXPECT_EQ(open[0].last_detected, 200);
  EXPECT_EQ(open[0].ids, (std::vector<std::string>{"DSA-1", "CVE-DSA-1"}));
  EXPECT_EQ(open[0].hostname, "web-1");
  auto fixed = Findings(h, "fixed");
  ASSERT_EQ(fixed.size(), 1u);
  EXPECT_EQ(fixed[0].vuln_id, "DSA-2");
  EXPECT_EQ(fixed[0].fixed_at, 200);
  EXPECT_EQ(fixed[0].last_detected, 100);  // the last rematch that matched it
  EXPECT_EQ(fixed[0].status, FindingStatus::kFixed);

  // Seen again (a downgrade): pending again, first detection kept.
  ASSERT_TRUE(Replace(h, {Finding("DSA-1", "openssl"), Finding("DSA-2", "bash", "low")}, 300).ok());
  auto again = Findings(h, "pending");
  ASSERT_EQ(again.size(), 2u);
  for (const auto& f : again) {
    EXPECT_EQ(f.first_detected, 100);
    EXPECT_EQ(f.fixed_at, 0);
  }

  // An advisory that left the feeds (withdrawn): its findings are removed, not "fixed".
  auto r4 = Replace(h, {Finding("DSA-1", "openssl")}, 400,
                    [](const std::string& id) { return id != "DSA-2"; });
  ASSERT_TRUE(r4.ok());
  EXPECT_EQ(r4->removed, 1);
  EXPECT_TRUE(Findings(h, "fixed").empty());
}

TEST_P(Vuln, IgnoreRulesApplyToExistingAndFutureFindingsAndManualIgnoreSticks) {
  Tenant t = MakeTenant("t");
  Host h1 = Enroll(t.id, "m1", "web-1");
  Host h2 = Enroll(t.id, "m2", "web-2");
  ASSERT_TRUE(Replace(h1, {Finding("DSA-1", "openssl"), Finding("DSA-2", "bash")}, 100).ok());
  ASSERT_TRUE(Replace(h2, {Finding("DSA-1", "openssl")}, 100).ok());

  // By alias, on one host only.
  IgnoreRule rule;
  rule.tenant_id = t.id;
  rule.vuln_id = "CVE-DSA-1";
  rule.host_ids = {h1.id};
  auto created = storage().CreateIgnoreRule(rule);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(Findings(h1, "ignored").size(), 1u);
  EXPECT_EQ(Findings(h1, "ignored")[0].ignored_by, "rule:" + created->id);
  EXPECT_EQ(Findings(h2, "pending").size(), 1u);
  EXPECT_EQ(Risk(h1), 1);

  // Future findings: a new package matched by a package rule.
  IgnoreRule by_package;
  by_package.tenant_id = t.id;
  by_package.package = "zlib";
  ASSERT_TRUE(storage().CreateIgnoreRule(by_package).ok());
  ASSERT_TRUE(Replace(h2, {Finding("DSA-1", "openssl"), Finding("DSA-9", "zlib")}, 200).ok());
  EXPECT_EQ(Findings(h2, "ignored").size(), 1u);
  EXPECT_EQ(Findings(h2, "ignored")[0].package, "zlib");

  // Deleting the first rule reopens what it covered.
  ASSERT_TRUE(storage().DeleteIgnoreRule(t.id, created->id).ok());
  EXPECT_EQ(Findings(h1, "pending").size(), 2u);
  EXPECT_EQ(storage().DeleteIgnoreRule(t.id, created->id).code(), Code::kNotFound);

  // Manual ignore survives rematches; un-ignore reopens.
  auto ignored = storage().SetFindingIgnored(t.id, h1.id, "DSA-2", true, 300);
  ASSERT_TRUE(ignored.ok()) << ignored.status().ToString();
  ASSERT_EQ(ignored->size(), 1u);
  EXPECT_EQ((*ignored)[0].status, FindingStatus::kIgnored);
  EXPECT_EQ((*ignored)[0].ignored_by, "user");
  ASSERT_TRUE(Replace(h1, {Finding("DSA-1", "openssl"), Finding("DSA-2", "bash")}, 400).ok());
  EXPECT_EQ(Findings(h1, "ignored").size(), 1u);
  ASSERT_TRUE(storage().SetFindingIgnored(t.id, h1.id, "DSA-2", false, 500).ok());
  EXPECT_EQ(Findings(h1, "pending").size(), 2u);
  EXPECT_EQ(storage().SetFindingIgnored(t.id, h1.id, "DSA-404", true, 500).status().code(),
            Code::kNotFound);

  // Rules need a criterion; host lists name the tenant's hosts.
  IgnoreRule empty;
  empty.tenant_id = t.id;
  EXPECT_EQ(storage().CreateIgnoreRule(empty).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(storage().ListIgnoreRules(t.id)->size(), 1u);
}

TEST_P(Vuln, TenantsNeverSeeEachOthersFindingsRulesOrFlags) {
  Tenant a = MakeTenant("a");
  Tenant b = MakeTenant("b");
  Host hb = Enroll(b.id, "m1", "b-host");
  ASSERT_TRUE(Replace(hb, {Finding("DSA-1", "openssl")}, 100).ok());
  auto cross = storage().ReplaceHostFindings(
      a.id, hb.id, {Finding("DSA-2", "x")}, [](const std::string&) { return true; }, 200);
  EXPECT_EQ(cross.status().code(), Code::kNotFound);
  HostFindingQuery q;
  q.host_id = hb.id;
  EXPECT_EQ(storage().ListHostFindings(a.id, q).status().code(), Code::kNotFound);
  EXPECT_TRUE(storage().ListHostFindings(a.id, HostFindingQuery{})->items.empty());
  EXPECT_TRUE(storage().ListVulnerabilities(a.id, VulnQuery{})->items.empty());
  EXPECT_EQ(storage().SetFindingIgnored(a.id, hb.id, "DSA-1", true, 1).status().code(),
            Code::kNotFound);
  IgnoreRule rule;
  rule.tenant_id = a.id;
  rule.host_ids = {hb.id};
  EXPECT_EQ(storage().CreateIgnoreRule(rule).status().code(), Code::kInvalidArgument);
  ASSERT_TRUE(storage().SetEmergency(EmergencyFlag{b.id, "DSA-1", "patch now", 5}).ok());
  EXPECT_TRUE(storage().ListEmergencies(a.id)->empty());
  EXPECT_EQ(storage().DeleteEmergency(a.id, "DSA-1").code(), Code::kNotFound);
  EXPECT_EQ(storage().ListEmergencies(b.id)->size(), 1u);
}

TEST_P(Vuln, VulnerabilitiesAreGroupedCountedFilteredAndPaged) {
  Tenant t = MakeTenant("t");
  std::vector<Host> hosts;
  for (int i = 0; i < 3; ++i) {
    hosts.push_back(Enroll(t.id, "m" + std::to_string(i), "web-" + std::to_string(i)));
  }
  // V-crit on 3 hosts, V-high-a/b on 2, V-low on 1.
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    std::vector<HostFinding> f = {Finding("V-crit", "openssl", "critical")};
    if (i < 2) {
      f.push_back(Finding("V-high-a", "bash", "high"));
      f.push_back(Finding("V-high-b", "curl", "high"));
    }
    if (i == 0) f.push_back(Finding("V-low", "zlib", "low", ""));
    ASSERT_TRUE(Replace(hosts[i], f, 100).ok());
  }
  VulnQuery all;
  all.page.limit = 2;
  auto p1 = storage().ListVulnerabilities(t.id, all);
  ASSERT_TRUE(p1.ok()) << p1.status().ToString();
  ASSERT_EQ(p1->items.size(), 2u);
  EXPECT_EQ(p1->items[0].vuln_id, "V-crit");
  EXPECT_EQ(p1->items[0].hosts, 3);
  EXPECT_EQ(p1->items[0].packages, (std::vector<std::string>{"openssl"}));
  EXPECT_EQ(p1->items[1].vuln_id, "V-high-a");
  ASSERT_FALSE(p1->next_cursor.empty());
  all.page.cursor = p1->next_cursor;
  auto p2 = storage().ListVulnerabilities(t.id, all);
  ASSERT_TRUE(p2.ok()) << p2.status().ToString();
  ASSERT_EQ(p2->items.size(), 2u);
  EXPECT_EQ(p2->items[0].vuln_id, "V-high-b");
  EXPECT_EQ(p2->items[0].hosts, 2);
  EXPECT_EQ(p2->items[1].vuln_id, "V-low");
  EXPECT_TRUE(p2->next_cursor.empty());

  VulnQuery high;
  high.severity = "high";
  EXPECT_EQ(storage().ListVulnerabilities(t.id, high)->items.size(), 2u);
  VulnQuery bash;
  bash.package = "bash";
  EXPECT_EQ(storage().ListVulnerabilities(t.id, bash)->items.size(), 1u);

  ASSERT_TRUE(storage().SetEmergency(EmergencyFlag{t.id, "V-low", "", 0}).ok());
  VulnQuery emergency;
  emergency.emergency_only = true;
  auto flagged = storage().ListVulnerabilities(t.id, emergency);
  ASSERT_EQ(flagged->items.size(), 1u);
  EXPECT_TRUE(flagged->items[0].emergency);

  // Fixed on one host: counted under status=fixed, no longer open there.
  ASSERT_TRUE(Replace(hosts[2], {}, 200).ok());
  VulnQuery fixed;
  fixed.status = "fixed";
  auto f = storage().ListVulnerabilities(t.id, fixed);
  ASSERT_EQ(f->items.size(), 1u);
  EXPECT_EQ(f->items[0].vuln_id, "V-crit");
  EXPECT_EQ(f->items[0].hosts, 1);
  EXPECT_EQ(storage().ListVulnerabilities(t.id, VulnQuery{})->items[0].hosts, 2);

  // Host findings page by severity across hosts.
  HostFindingQuery q;
  q.page.limit = 3;
  std::vector<std::string> seen;
  for (;;) {
    auto page = storage().ListHostFindings(t.id, q);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const auto& item : page->items) seen.push_back(item.vuln_id);
    if (page->next_cursor.empty()) break;
    q.page.cursor = page->next_cursor;
  }
  EXPECT_EQ(seen.size(), 7u);  // 2 + 2 + 2 (high on hosts 0,1) + 1 low; crit on 2 hosts open
  EXPECT_EQ(seen.front(), "V-crit");
  EXPECT_EQ(seen.back(), "V-low");
}

TEST_P(Vuln, ScheduledScanIsClaimedOncePerInterval) {
  Tenant t = MakeTenant("t");
  EXPECT_TRUE(*storage().ClaimScheduledScan(t.id, 3600, 10000));
  EXPECT_FALSE(*storage().ClaimScheduledScan(t.id, 3600, 12000));
  EXPECT_TRUE(*storage().ClaimScheduledScan(t.id, 3600, 13600));
  EXPECT_EQ(storage().ClaimScheduledScan("tn_missing", 3600, 1).status().code(), Code::kNotFound);
}

}  // namespace

RAMPART_INSTANTIATE_DB_TEST(Vuln);

}  // namespace rampart::server
