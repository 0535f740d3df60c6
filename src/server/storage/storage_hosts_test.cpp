// Storage: enrolment, host listing with keyset pagination and filters, heartbeats, status and
// deletion. Runs on SQLite and on MariaDB (test_db.h).

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "server/storage/storage_test_fixture.h"

namespace rampart::server {
namespace {

class Hosts : public StorageTest {
 protected:
  Host HostFor(const std::string& machine_id, const std::string& hostname) {
    Host host;
    host.id = wire::RandomId("h");
    host.machine_id = machine_id;
    host.hostname = hostname;
    host.agent_version = "1.0";
    host.agent_secret_hash = "hash-1";
    return host;
  }

  Page<Host> List(const std::string& tenant_id, HostQuery query) {
    auto page = storage().ListHosts(tenant_id, query);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? *page : Page<Host>{};
  }

  std::vector<std::string> Ids(const Page<Host>& page) {
    std::vector<std::string> ids;
    for (const auto& h : page.items) ids.push_back(h.id);
    return ids;
  }
};

// ---- Enrolment ----

TEST_P(Hosts, EnrolCreatesOnlineHostInTheTokensTenantAndCountsTheUse) {
  Tenant t = MakeTenant("t");
  EnrollTokenRecord token = MakeEnrollToken(t.id);
  Host wanted = HostFor("machine-1", "web-1");
  wanted.tenant_id = "tn_ignored";
  wanted.ips = {"10.0.0.1", "fe80::1"};
  wanted.os_name = "debian";
  auto host = storage().EnrollHost(token.id, wanted, 3000);
  ASSERT_TRUE(host.ok()) << host.status().ToString();
  EXPECT_EQ(host->id, wanted.id);
  EXPECT_EQ(host->tenant_id, t.id);
  EXPECT_EQ(host->status, HostStatus::kOnline);
  EXPECT_EQ(host->installed_at, 3000);
  EXPECT_EQ(host->last_seen, 3000);
  EXPECT_EQ(storage().GetEnrollToken(token.id)->uses, 1);

  auto stored = storage().GetHost(t.id, wanted.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->machine_id, "machine-1");
  EXPECT_EQ(stored->hostname, "web-1");
  EXPECT_EQ(stored->ips, (std::vector<std::string>{"10.0.0.1", "fe80::1"}));
  EXPECT_EQ(stored->os_name, "debian");
  EXPECT_EQ(stored->plan, "basic");
  EXPECT_EQ(stored->agent_secret_hash, "hash-1");
  EXPECT_EQ(stored->inventory_version, 0);
  EXPECT_EQ(storage().GetHostById(wanted.id)->tenant_id, t.id);
}

TEST_P(Hosts, ReEnrollingAMachineKeepsItsIdAndInstallTime) {
  Tenant t = MakeTenant("t");
  EnrollTokenRecord token = MakeEnrollToken(t.id);
  Host first = HostFor("machine-1", "old-name");
  ASSERT_TRUE(storage().EnrollHost(token.id, first, 3000).ok());
  InventoryBatch full;
  full.idempotency_key = "k1";
  full.version = 4;
  full.full = true;
  ASSERT_TRUE(storage().ApplyInventory(first.id, full, 3100).ok());
  ASSERT_TRUE(storage().SetHostStatus(first.id, HostStatus::kUninstalled, 3200).ok());

  Host second = HostFor("machine-1", "new-name");
  second.agent_secret_hash = "hash-2";
  second.agent_version = "2.0";
  auto again = storage().EnrollHost(token.id, second, 5000);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->id, first.id);
  auto stored = storage().GetHost(t.id, first.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->installed_at, 3000);
  EXPECT_EQ(stored->last_seen, 5000);
  EXPECT_EQ(stored->hostname, "new-name");
  EXPECT_EQ(stored->agent_secret_hash, "hash-2");
  EXPECT_EQ(stored->agent_version, "2.0");
  EXPECT_EQ(stored->status, HostStatus::kOnline);
  EXPECT_EQ(stored->inventory_version, 0);
  EXPECT_EQ(storage().GetHostById(second.id).status().code(), Code::kNotFound);
  EXPECT_EQ(storage().GetEnrollToken(token.id)->uses, 2);
}

TEST_P(Hosts, SameMachineInAnotherTenantIsAnotherHost) {
  Tenant a = MakeTenant("a");
  Tenant b = MakeTenant("b");
  Host in_a = Enroll(a.id, "shared-machine", "x");
  Host in_b = Enroll(b.id, "shared-machine", "x");
  EXPECT_NE(in_a.id, in_b.id);
  EXPECT_EQ(in_b.tenant_id, b.id);
}

TEST_P(Hosts, EnrolRefusesUnknownRevokedAndExpiredTokensWithoutCountingThem) {
  Tenant t = MakeTenant("t");
  EXPECT_EQ(storage().EnrollHost("et_missing", HostFor("m", "h"), 10).status().code(),
            Code::kNotFound);
  EnrollTokenRecord revoked = MakeEnrollToken(t.id);
  ASSERT_TRUE(storage().RevokeEnrollToken(t.id, revoked.id, 5).ok());
  EXPECT_EQ(storage().EnrollHost(revoked.id, HostFor("m", "h"), 10).status().code(),
            Code::kFailedPrecondition);
  EnrollTokenRecord expired = MakeEnrollToken(t.id, /*expires_at=*/10);
  EXPECT_EQ(storage().EnrollHost(expired.id, HostFor("m", "h"), 10).status().code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(storage().GetEnrollToken(revoked.id)->uses, 0);
  EXPECT_EQ(storage().GetEnrollToken(expired.id)->uses, 0);
  EXPECT_TRUE(List(t.id, {}).items.empty());
  Host bad = HostFor("", "h");
  EXPECT_EQ(storage().EnrollHost(MakeEnrollToken(t.id).id, bad, 10).status().code(),
            Code::kInvalidArgument);
  bad = HostFor("m", std::string(256, 'h'));
  EXPECT_EQ(storage().EnrollHost(MakeEnrollToken(t.id).id, bad, 10).status().code(),
            Code::kInvalidArgument);
}

// ---- Tenant isolation ----

TEST_P(Hosts, OtherTenantsHostIsNotFoundAndNeverListed) {
  Tenant a = MakeTenant("a");
  Tenant b = MakeTenant("b");
  Host mine = Enroll(a.id, "m-a", "alpha");
  Enroll(b.id, "m-b", "beta");
  EXPECT_EQ(storage().GetHost(b.id, mine.id).status().code(), Code::kNotFound);
  EXPECT_EQ(storage().GetHost("", mine.id).status().code(), Code::kNotFound);
  EXPECT_EQ(storage().DeleteHost(b.id, mine.id).code(), Code::kNotFound);
  EXPECT_EQ(storage().CountFingerprints(b.id, mine.id).status().code(), Code::kNotFound);
  FingerprintQuery q;
  q.category = "ports";
  q.host_id = mine.id;
  EXPECT_EQ(storage().QueryFingerprints(b.id, q).status().code(), Code::kNotFound);
  EXPECT_TRUE(storage().GetHost(a.id, mine.id).ok());
  auto listed = List(b.id, {});
  ASSERT_EQ(listed.items.size(), 1u);
  EXPECT_EQ(listed.items[0].hostname, "beta");
  HostQuery by_name;
  by_name.hostname_contains = "alpha";
  EXPECT_TRUE(List(b.id, by_name).items.empty());
}

// ---- Pagination ----

struct SortCase {
  std::string sort;
  bool desc;
};

TEST_P(Hosts, PaginationWalksEverySortAndDirectionWithoutGapsOrDuplicates) {
  Tenant t = MakeTenant("t");
  Tenant other = MakeTenant("other");
  std::vector<Host> hosts;
  for (int i = 0; i < 120; ++i) {
    // Ties on every sort column, so the id tiebreak is exercised.
    char name[32];
    std::snprintf(name, sizeof name, "host-%02d", i % 40);
    hosts.push_back(Enroll(t.id, "m" + std::to_string(i), name, 1000 + i % 17));
  }
  Enroll(other.id, "foreign", "host-00", 1000);
  std::vector<std::pair<std::string, std::int64_t>> beats;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    hosts[i].installed_at = 1000 + static_cast<std::int64_t>(i % 17);
    hosts[i].last_seen = 5000 + static_cast<std::int64_t>(i % 13);
    beats.emplace_back(hosts[i].id, hosts[i].last_seen);
  }
  ASSERT_TRUE(storage().RecordHeartbeats(beats).ok());

  for (const SortCase& c : {SortCase{"hostname", false}, SortCase{"hostname", true},
                            SortCase{"last_seen", false}, SortCase{"last_seen", true},
                            SortCase{"installed_at", false}, SortCase{"installed_at", true}}) {
    SCOPED_TRACE(c.sort + (c.desc ? " desc" : " asc"));
    auto key = [&](const Host& h) {
      const std::string text = c.sort == "hostname" ? h.hostname : "";
      const std::int64_t number = c.sort == "last_seen"      ? h.last_seen
                                  : c.sort == "installed_at" ? h.installed_at
                                                             : 0;
      return std::make_tuple(text, number, h.id);
    };
    std::vector<Host> expected = hosts;
    std::sort(expected.begin(), expected.end(), [&](const Host& x, const Host& y) {
      return c.desc ? key(y) < key(x) : key(x) < key(y);
    });
    HostQuery query;
    query.sort = c.sort;
    query.sort_desc = c.desc;
    query.page.limit = 7;
    std::vector<std::string> walked;
    for (int pages = 0; pages < 30; ++pages) {
      Page<Host> page = List(t.id, query);
      EXPECT_LE(page.items.size(), 7u);
      for (const auto& h : page.items) walked.push_back(h.id);
      if (page.next_cursor.empty()) break;
      query.page.cursor = page.next_cursor;
    }
    std::vector<std::string> want;
    for (const auto& h : expected) want.push_back(h.id);
    EXPECT_EQ(walked, want);
    EXPECT_EQ(std::set<std::string>(walked.begin(), walked.end()).size(), 120u);
  }
}

TEST_P(Hosts, CursorOfAnotherSortOrDirectionOrGarbageIsRejected) {
  Tenant t = MakeTenant("t");
  for (int i = 0; i < 3; ++i) Enroll(t.id, "m" + std::to_string(i), "h" + std::to_string(i));
  HostQuery query;
  query.page.limit = 1;
  Page<Host> first = List(t.id, query);
  ASSERT_FALSE(first.next_cursor.empty());
  for (auto [sort, desc] : {std::pair<std::string, bool>{"last_seen", false},
                            std::pair<std::string, bool>{"hostname", true},
                            std::pair<std::string, bool>{"installed_at", false}}) {
    HostQuery other;
    other.sort = sort;
    other.sort_desc = desc;
    other.page.cursor = first.next_cursor;
    auto page = storage().ListHosts(t.id, other);
    ASSERT_FALSE(page.ok()) << sort;
    EXPECT_EQ(page.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(page.status().message().rfind("cursor: ", 0), 0u) << page.status().message();
  }
  for (const std::string garbage : {"!!!", "bm90IGpzb24", "WzEsMiwzXQ", "eyJhIjoxfQ"}) {
    HostQuery bad;
    bad.page.cursor = garbage;
    auto page = storage().ListHosts(t.id, bad);
    ASSERT_FALSE(page.ok()) << garbage;
    EXPECT_EQ(page.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(page.status().message().rfind("cursor: ", 0), 0u) << page.status().message();
  }
  HostQuery unknown_sort;
  unknown_sort.sort = "machine_id";
  EXPECT_EQ(storage().ListHosts(t.id, unknown_sort).status().code(), Code::kInvalidArgument);
}

TEST_P(Hosts, LimitIsClampedToOneThroughFiveHundred) {
  Tenant t = MakeTenant("t");
  for (int i = 0; i < 3; ++i) Enroll(t.id, "m" + std::to_string(i), "h" + std::to_string(i));
  HostQuery query;
  query.page.limit = 0;
  EXPECT_EQ(List(t.id, query).items.size(), 1u);
  query.page.limit = -5;
  EXPECT_EQ(List(t.id, query).items.size(), 1u);
  query.page.limit = 100000;
  Page<Host> all = List(t.id, query);
  EXPECT_EQ(all.items.size(), 3u);
  EXPECT_TRUE(all.next_cursor.empty());
}

// ---- Filters ----

TEST_P(Hosts, FiltersByStatusNameOsPlanAndIp) {
  Tenant t = MakeTenant("t");
  EnrollTokenRecord token = MakeEnrollToken(t.id);
  auto enrol = [&](const std::string& name, const std::string& os, const std::string& plan,
                   std::vector<std::string> ips) {
    Host h = HostFor("m-" + name, name);
    h.os_name = os;
    h.plan = plan;
    h.ips = std::move(ips);
    auto r = storage().EnrollHost(token.id, h, 100);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return h.id;
  };
  const std::string web = enrol("Web-Prod_1", "debian", "pro", {"10.0.0.1", "10.0.0.2"});
  const std::string db = enrol("db-prod", "rocky", "basic", {"10.0.0.3"});
  const std::string pct = enrol("100%-up", "debian", "basic", {});
  ASSERT_TRUE(storage().SetHostStatus(db, HostStatus::kOffline, 200).ok());

  auto ids = [&](HostQuery q) {
    auto v = Ids(List(t.id, std::move(q)));
    std::sort(v.begin(), v.end());
    return v;
  };
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  HostQuery q;
  q.status = HostStatus::kOffline;
  EXPECT_EQ(ids(q), (std::vector<std::string>{db}));
  q = {};
  q.hostname_contains = "PROD";
  EXPECT_EQ(ids(q), sorted({web, db}));
  q.hostname_contains = "d_";  // "_" is literal, not a wildcard
  EXPECT_EQ(ids(q), (std::vector<std::string>{web}));
  q.hostname_contains = "0%";  // "%" is literal too
  EXPECT_EQ(ids(q), (std::vector<std::string>{pct}));
  q = {};
  q.os_name = "debian";
  EXPECT_EQ(ids(q), sorted({web, pct}));
  q = {};
  q.plan = "pro";
  EXPECT_EQ(ids(q), (std::vector<std::string>{web}));
  q = {};
  q.ip = "10.0.0.2";
  EXPECT_EQ(ids(q), (std::vector<std::string>{web}));
  q.ip = "10.0.0";
  EXPECT_TRUE(ids(q).empty());
  q = {};
  q.os_name = "debian";
  q.plan = "basic";
  EXPECT_EQ(ids(q), (std::vector<std::string>{pct}));
}

// ---- Heartbeats and status ----

TEST_P(Hosts, HeartbeatsKeepTheLatestTimeAndSkipUnknownAndUninstalledHosts) {
  Tenant t = MakeTenant("t");
  Host a = Enroll(t.id, "a", "a", 100);
  Host b = Enroll(t.id, "b", "b", 100);
  Host gone = Enroll(t.id, "gone", "gone", 100);
  ASSERT_TRUE(storage().SetHostStatus(a.id, HostStatus::kOffline, 150).ok());
  ASSERT_TRUE(storage().SetHostStatus(gone.id, HostStatus::kUninstalled, 150).ok());
  ASSERT_TRUE(storage()
                  .RecordHeartbeats(
                      {{a.id, 500}, {b.id, 400}, {b.id, 300}, {"h_unknown", 900}, {gone.id, 900}})
                  .ok());
  auto ha = storage().GetHost(t.id, a.id);
  auto hb = storage().GetHost(t.id, b.id);
  auto hg = storage().GetHost(t.id, gone.id);
  ASSERT_TRUE(ha.ok() && hb.ok() && hg.ok());
  EXPECT_EQ(ha->status, HostStatus::kOnline);
  EXPECT_EQ(ha->last_seen, 500);
  EXPECT_EQ(hb->last_seen, 400);
  EXPECT_EQ(hg->status, HostStatus::kUninstalled);
  EXPECT_EQ(hg->last_seen, 150);
  ASSERT_TRUE(storage().RecordHeartbeats({{a.id, 200}}).ok());
  EXPECT_EQ(storage().GetHost(t.id, a.id)->last_seen, 500);
  EXPECT_TRUE(storage().RecordHeartbeats({}).ok());
}

TEST_P(Hosts, MarkOfflineSweepsStaleOnlineHostsOfEveryTenant) {
  Tenant a = MakeTenant("a");
  Tenant b = MakeTenant("b");
  Host stale_a = Enroll(a.id, "1", "1", 100);
  Host stale_b = Enroll(b.id, "2", "2", 100);
  Host fresh = Enroll(a.id, "3", "3", 100);
  Host uninstalled = Enroll(b.id, "4", "4", 100);
  ASSERT_TRUE(storage().RecordHeartbeats({{fresh.id, 1000}}).ok());
  ASSERT_TRUE(storage().SetHostStatus(uninstalled.id, HostStatus::kUninstalled, 100).ok());
  auto marked = storage().MarkOffline(500);
  ASSERT_TRUE(marked.ok()) << marked.status().ToString();
  EXPECT_EQ(*marked, 2);
  EXPECT_EQ(storage().GetHost(a.id, stale_a.id)->status, HostStatus::kOffline);
  EXPECT_EQ(storage().GetHost(b.id, stale_b.id)->status, HostStatus::kOffline);
  EXPECT_EQ(storage().GetHost(a.id, fresh.id)->status, HostStatus::kOnline);
  EXPECT_EQ(storage().GetHost(b.id, uninstalled.id)->status, HostStatus::kUninstalled);
  EXPECT_EQ(*storage().MarkOffline(500), 0);

  auto counts = storage().CountHostsByStatus();
  ASSERT_TRUE(counts.ok());
  std::map<HostStatus, std::int64_t> by_status(counts->begin(), counts->end());
  EXPECT_EQ(by_status[HostStatus::kOnline], 1);
  EXPECT_EQ(by_status[HostStatus::kOffline], 2);
  EXPECT_EQ(by_status[HostStatus::kUninstalled], 1);
  EXPECT_EQ(counts->size(), 3u);
}

TEST_P(Hosts, UninstalledHostIsNotRevivedByHeartbeats) {
  Tenant t = MakeTenant("t");
  Host h = Enroll(t.id, "m", "h", 100);
  ASSERT_TRUE(storage().SetHostStatus(h.id, HostStatus::kUninstalled, 300).ok());
  EXPECT_EQ(storage().GetHost(t.id, h.id)->last_seen, 300);
  ASSERT_TRUE(storage().RecordHeartbeats({{h.id, 400}}).ok());
  EXPECT_EQ(storage().GetHost(t.id, h.id)->status, HostStatus::kUninstalled);
  EXPECT_EQ(storage().SetHostStatus("h_missing", HostStatus::kOnline, 1).code(), Code::kNotFound);
}

// ---- Deletion ----

TEST_P(Hosts, DeleteRemovesTheHostItsFingerprintsAndBatchKeys) {
  Tenant t = MakeTenant("t");
  Host doomed = Enroll(t.id, "doomed", "doomed");
  Host kept = Enroll(t.id, "kept", "kept");
  InventoryBatch full;
  full.idempotency_key = "same-key";
  full.version = 1;
  full.full = true;
  full.rows = {{"ports", {Json::Object{{"port", 22}}, Json::Object{{"port", 80}}}}};
  ASSERT_TRUE(storage().ApplyInventory(doomed.id, full, 10).ok());
  ASSERT_TRUE(storage().ApplyInventory(kept.id, full, 10).ok());

  ASSERT_TRUE(storage().DeleteHost(t.id, doomed.id).ok());
  EXPECT_EQ(storage().GetHost(t.id, doomed.id).status().code(), Code::kNotFound);
  EXPECT_EQ(storage().ApplyInventory(doomed.id, full, 11).status().code(), Code::kNotFound);
  EXPECT_EQ(QueryInt(db(), "SELECT COUNT(*) FROM fingerprints WHERE host_id = '" + doomed.id + "'"),
            0);
  EXPECT_EQ(QueryInt(db(), "SELECT COUNT(*) FROM batch_keys WHERE host_id = '" + doomed.id + "'"),
            0);
  EXPECT_EQ(QueryInt(db(), "SELECT COUNT(*) FROM fingerprints WHERE host_id = '" + kept.id + "'"),
            2);
  EXPECT_EQ(storage().DeleteHost(t.id, doomed.id).code(), Code::kNotFound);
}

RAMPART_INSTANTIATE_DB_TEST(Hosts);

}  // namespace
}  // namespace rampart::server
