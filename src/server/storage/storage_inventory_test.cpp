// Storage: inventory ingestion (full, delta, duplicate, resync, atomicity) and fingerprint
// queries (per host, fleet-wide equality filters, pagination, tenant isolation). Runs on SQLite
// and on MariaDB (test_db.h).

#include <algorithm>
#include <set>
#include <tuple>

#include "server/storage/storage_test_fixture.h"

namespace rampart::server {
namespace {

Json Port(std::int64_t port, const std::string& proto, bool listening) {
  return Json::Object{{"port", port}, {"proto", proto}, {"listening", listening}};
}

class Inventory : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    tenant_ = MakeTenant("t");
    host_ = Enroll(tenant_.id, "m1", "web-1");
  }

  static InventoryBatch Full(const std::string& key, std::int64_t version,
                             std::vector<std::pair<std::string, std::vector<Json>>> rows) {
    InventoryBatch b;
    b.idempotency_key = key;
    b.version = version;
    b.full = true;
    b.rows = std::move(rows);
    return b;
  }
  static InventoryBatch Delta(
      const std::string& key, std::int64_t base, std::int64_t version,
      std::vector<std::pair<std::string, std::vector<Json>>> added,
      std::vector<std::pair<std::string, std::vector<std::string>>> removed) {
    InventoryBatch b;
    b.idempotency_key = key;
    b.base = base;
    b.version = version;
    b.rows = std::move(added);
    b.removed = std::move(removed);
    return b;
  }

  IngestOutcome Apply(const InventoryBatch& batch, std::int64_t now = 100) {
    auto outcome = storage().ApplyInventory(host_.id, batch, now);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    return outcome.ok() ? *outcome : IngestOutcome::kResync;
  }

  // Every row of `category` on host_, as dumped JSON, in page order.
  std::vector<std::string> Rows(const std::string& category) {
    FingerprintQuery q;
    q.category = category;
    q.host_id = host_.id;
    q.page.limit = 500;
    auto page = storage().QueryFingerprints(tenant_.id, q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> rows;
    if (!page.ok()) return rows;
    for (const auto& r : page->items) rows.push_back(r.data.Dump());
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  std::int64_t Version() { return storage().GetHost(tenant_.id, host_.id)->inventory_version; }

  Tenant tenant_;
  Host host_;
};

TEST_P(Inventory, FullSnapshotReplacesEveryRowOfTheHost) {
  ASSERT_EQ(Apply(Full("k1", 1,
                       {{"ports", {Port(22, "tcp", true), Port(80, "tcp", true)}},
                        {"accounts", {Json::Object{{"name", "root"}}}}})),
            IngestOutcome::kCommitted);
  EXPECT_EQ(Rows("ports").size(), 2u);
  ASSERT_EQ(Apply(Full("k2", 2, {{"ports", {Port(443, "tcp", true)}}})), IngestOutcome::kCommitted);
  EXPECT_EQ(Rows("ports"), (std::vector<std::string>{Port(443, "tcp", true).Dump()}));
  EXPECT_TRUE(Rows("accounts").empty());
  EXPECT_EQ(Version(), 2);
  auto counts = storage().CountFingerprints(tenant_.id, host_.id);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(*counts, (std::vector<std::pair<std::string, std::int64_t>>{{"ports", 1}}));
}

TEST_P(Inventory, DeltaRemovesAndAddsRelativeToItsBase) {
  const Json ssh = Port(22, "tcp", true);
  const Json http = Port(80, "tcp", true);
  ASSERT_EQ(Apply(Full("k1", 1, {{"ports", {ssh, http}}})), IngestOutcome::kCommitted);
  ASSERT_EQ(Apply(Delta("k2", 1, 2, {{"ports", {Port(8080, "tcp", false)}}},
                        {{"ports", {wire::RowKey(http), "not-a-stored-key"}}})),
            IngestOutcome::kCommitted);
  std::vector<std::string> want = {ssh.Dump(), Port(8080, "tcp", false).Dump()};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(Rows("ports"), want);
  EXPECT_EQ(Version(), 2);
  // Re-adding a stored row is not an error (it is refreshed).
  ASSERT_EQ(Apply(Delta("k3", 2, 3, {{"ports", {ssh}}}, {}), 300), IngestOutcome::kCommitted);
  EXPECT_EQ(Rows("ports"), want);
}

TEST_P(Inventory, RepeatedBatchKeyIsADuplicateAndChangesNothing) {
  ASSERT_EQ(Apply(Full("k1", 1, {{"ports", {Port(22, "tcp", true)}}})), IngestOutcome::kCommitted);
  // Same key, other content: the first commit stands.
  EXPECT_EQ(Apply(Full("k1", 9, {{"ports", {Port(99, "udp", false)}}})), IngestOutcome::kDuplicate);
  EXPECT_EQ(Rows("ports"), (std::vector<std::string>{Port(22, "tcp", true).Dump()}));
  EXPECT_EQ(Version(), 1);
  // A retried delta whose base no longer matches is still recognised as a duplicate.
  ASSERT_EQ(Apply(Delta("k2", 1, 2, {{"ports", {Port(80, "tcp", true)}}}, {})),
            IngestOutcome::kCommitted);
  EXPECT_EQ(Apply(Delta("k2", 1, 2, {{"ports", {Port(80, "tcp", true)}}}, {})),
            IngestOutcome::kDuplicate);
  EXPECT_EQ(Rows("ports").size(), 2u);
}

TEST_P(Inventory, DuplicateRowsInOneSnapshotAreStoredOnce) {
  ASSERT_EQ(Apply(Full("k1", 1, {{"ports", {Port(22, "tcp", true), Port(22, "tcp", true)}}})),
            IngestOutcome::kCommitted);
  EXPECT_EQ(Rows("ports").size(), 1u);
}

TEST_P(Inventory, DeltaOnAnotherBaseAsksForResyncAndFullSnapshotRecovers) {
  ASSERT_EQ(Apply(Full("k1", 5, {{"ports", {Port(22, "tcp", true)}}})), IngestOutcome::kCommitted);
  EXPECT_EQ(Apply(Delta("k2", 4, 6, {{"ports", {Port(80, "tcp", true)}}}, {})),
            IngestOutcome::kResync);
  EXPECT_EQ(Rows("ports").size(), 1u);
  EXPECT_EQ(Version(), 5);
  // The resync answer recorded no key: the agent's full snapshot under a new key applies, and
  // even the refused key could be used again.
  ASSERT_EQ(Apply(Full("k3", 7, {{"ports", {Port(80, "tcp", true)}}})), IngestOutcome::kCommitted);
  EXPECT_EQ(Version(), 7);
  EXPECT_EQ(Apply(Delta("k2", 7, 8, {}, {})), IngestOutcome::kCommitted);
  EXPECT_EQ(Version(), 8);
}

TEST_P(Inventory, HostFieldsUpdateOnlyWhatTheAgentReported) {
  InventoryBatch b = Full("k1", 1, {});
  b.host_fields = Host{};
  b.host_fields->hostname = "renamed";
  b.host_fields->ips = {"192.0.2.7"};
  b.host_fields->os_name = "ubuntu";
  b.host_fields->os_version = "24.04";
  b.host_fields->machine_type = "VM";
  ASSERT_EQ(Apply(b), IngestOutcome::kCommitted);
  auto h = storage().GetHost(tenant_.id, host_.id);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->hostname, "renamed");
  EXPECT_EQ(h->ips, (std::vector<std::string>{"192.0.2.7"}));
  EXPECT_EQ(h->os_name, "ubuntu");
  EXPECT_EQ(h->os_version, "24.04");
  EXPECT_EQ(h->machine_type, "VM");
  EXPECT_EQ(h->agent_version, "0.1.0");  // empty in the batch: kept

  InventoryBatch partial = Full("k2", 2, {});
  partial.host_fields = Host{};
  partial.host_fields->os_version = "24.10";
  ASSERT_EQ(Apply(partial), IngestOutcome::kCommitted);
  h = storage().GetHost(tenant_.id, host_.id);
  EXPECT_EQ(h->hostname, "renamed");
  EXPECT_EQ(h->ips, (std::vector<std::string>{"192.0.2.7"}));
  EXPECT_EQ(h->os_version, "24.10");
}

TEST_P(Inventory, GoneHostIsNotFoundAndBadBatchesAreRefused) {
  EXPECT_EQ(storage().ApplyInventory("h_gone", Full("k", 1, {}), 1).status().code(),
            Code::kNotFound);
  EXPECT_EQ(storage().ApplyInventory(host_.id, Full("", 1, {}), 1).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(storage()
                .ApplyInventory(host_.id, Full("k", 1, {{std::string(65, 'c'), {}}}), 1)
                .status()
                .code(),
            Code::kInvalidArgument);
  EXPECT_EQ(
      storage().ApplyInventory(host_.id, Full("k", 1, {{"ports", {Json(5)}}}), 1).status().code(),
      Code::kInvalidArgument);
  EXPECT_EQ(Version(), 0);
}

TEST_P(Inventory, FailureMidBatchLeavesThePreviousRowsIntact) {
  ASSERT_EQ(Apply(Full("k1", 1, {{"ports", {Port(22, "tcp", true)}}})), IngestOutcome::kCommitted);
  // A trigger makes the database refuse one row that comes after the DELETE and after the first
  // INSERT chunks of the next snapshot.
  auto lease = db().Acquire();
  ASSERT_TRUE(lease.ok());
  const std::string trigger =
      GetParam() == TestBackend::kSqlite
          ? "CREATE TRIGGER poison BEFORE INSERT ON fingerprints WHEN NEW.category = 'poison' "
            "BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"
          : "CREATE TRIGGER poison BEFORE INSERT ON fingerprints FOR EACH ROW "
            "IF NEW.category = 'poison' THEN "
            "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poisoned row'; END IF";
  auto created = (*lease)->Execute(trigger);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::vector<Json> many;
  for (int i = 0; i < 250; ++i) many.push_back(Port(1000 + i, "tcp", true));
  InventoryBatch poisoned = Full("k2", 2, {{"ports", many}, {"poison", {Json::Object{{"x", 1}}}}});
  poisoned.host_fields = Host{};
  poisoned.host_fields->hostname = "should-not-stick";
  auto outcome = storage().ApplyInventory(host_.id, poisoned, 200);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().message().find("poisoned row"), std::string::npos)
      << outcome.status().message();

  EXPECT_EQ(Rows("ports"), (std::vector<std::string>{Port(22, "tcp", true).Dump()}));
  EXPECT_EQ(Version(), 1);
  EXPECT_EQ(storage().GetHost(tenant_.id, host_.id)->hostname, "web-1");
  ASSERT_TRUE((*lease)->Execute("DROP TRIGGER poison").ok());
  // The key was not recorded: the agent's retry applies.
  EXPECT_EQ(Apply(poisoned, 300), IngestOutcome::kCommitted);
  EXPECT_EQ(Rows("ports").size(), 250u);
}

TEST_P(Inventory, PrunedBatchKeysAreForgotten) {
  ASSERT_EQ(Apply(Full("old", 1, {}), 100), IngestOutcome::kCommitted);
  ASSERT_EQ(Apply(Full("new", 2, {}), 500), IngestOutcome::kCommitted);
  auto pruned = storage().PruneBatchKeys(300);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 1);
  EXPECT_EQ(Apply(Full("new", 3, {}), 600), IngestOutcome::kDuplicate);
  EXPECT_EQ(Apply(Full("old", 3, {}), 600), IngestOutcome::kCommitted);
}

// ---- Queries ----

TEST_P(Inventory, FleetQueryMatchesNumbersStringsAndBooleansAsText) {
  Host other = Enroll(tenant_.id, "m2", "db-1");
  ASSERT_EQ(Apply(Full("k1", 1,
                       {{"ports",
                         {Port(6379, "tcp", true), Port(53, "udp", false),
                          Json::Object{{"port", 8080}, {"ratio", 1.5}, {"note", nullptr}}}}})),
            IngestOutcome::kCommitted);
  InventoryBatch theirs = Full("k1", 1, {{"ports", {Port(6379, "tcp", false)}}});
  ASSERT_EQ(*storage().ApplyInventory(other.id, theirs, 100), IngestOutcome::kCommitted);

  auto query = [&](std::vector<std::pair<std::string, std::string>> equals) {
    FingerprintQuery q;
    q.category = "ports";
    q.equals = std::move(equals);
    auto page = storage().QueryFingerprints(tenant_.id, q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::multiset<std::string> hits;
    if (page.ok()) {
      for (const auto& r : page->items) hits.insert(r.hostname + ":" + r.data.Dump());
    }
    return hits;
  };
  const std::string web = "web-1:";
  const std::string db = "db-1:";
  EXPECT_EQ(query({{"port", "6379"}}),
            (std::multiset<std::string>{web + Port(6379, "tcp", true).Dump(),
                                        db + Port(6379, "tcp", false).Dump()}));
  EXPECT_EQ(query({{"port", "6379"}, {"listening", "true"}}),
            (std::multiset<std::string>{web + Port(6379, "tcp", true).Dump()}));
  EXPECT_EQ(query({{"listening", "false"}}).size(), 2u);
  EXPECT_EQ(query({{"proto", "udp"}}),
            (std::multiset<std::string>{web + Port(53, "udp", false).Dump()}));
  EXPECT_EQ(query({{"ratio", "1.5"}}).size(), 1u);
  EXPECT_TRUE(query({{"port", "637"}}).empty());
  EXPECT_TRUE(query({{"listening", "1"}}).empty());
  EXPECT_TRUE(query({{"missing_field", "x"}}).empty());
  EXPECT_EQ(query({}).size(), 4u);

  FingerprintQuery bad;
  bad.category = "ports";
  const std::vector<std::string> bad_fields = {"Port", "a.b", "x'y", "", std::string(65, 'a')};
  for (const std::string& field : bad_fields) {
    bad.equals = {{field, "1"}};
    EXPECT_EQ(storage().QueryFingerprints(tenant_.id, bad).status().code(), Code::kInvalidArgument)
        << field;
  }
}

TEST_P(Inventory, FingerprintPagesWalkHostCategoryAndKeyOrder) {
  Host second = Enroll(tenant_.id, "m2", "web-2");
  std::vector<Json> ports;
  std::vector<Json> accounts;
  for (int i = 0; i < 40; ++i) ports.push_back(Port(i, "tcp", true));
  for (int i = 0; i < 15; ++i) accounts.push_back(Json::Object{{"name", "u" + std::to_string(i)}});
  ASSERT_EQ(Apply(Full("k1", 1, {{"ports", ports}, {"accounts", accounts}})),
            IngestOutcome::kCommitted);
  ASSERT_EQ(*storage().ApplyInventory(second.id, Full("k1", 1, {{"ports", ports}}), 1),
            IngestOutcome::kCommitted);

  for (const std::string category : {"ports", ""}) {
    SCOPED_TRACE("category '" + category + "'");
    FingerprintQuery q;
    q.category = category;
    q.page.limit = 7;
    std::vector<std::tuple<std::string, std::string, std::string>> walked;
    for (int pages = 0; pages < 40; ++pages) {
      auto page = storage().QueryFingerprints(tenant_.id, q);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      for (const auto& r : page->items) walked.emplace_back(r.host_id, r.category, r.row_key);
      if (page->next_cursor.empty()) break;
      q.page.cursor = page->next_cursor;
    }
    EXPECT_EQ(walked.size(), category.empty() ? 95u : 80u);
    EXPECT_TRUE(std::is_sorted(walked.begin(), walked.end()));
    EXPECT_EQ(std::set(walked.begin(), walked.end()).size(), walked.size());
  }
  FingerprintQuery q;
  q.category = "ports";
  q.page.cursor = "garbage!";
  EXPECT_EQ(storage().QueryFingerprints(tenant_.id, q).status().code(), Code::kInvalidArgument);
  HostQuery hosts;
  hosts.page.limit = 1;
  q.page.cursor = storage().ListHosts(tenant_.id, hosts)->next_cursor;
  EXPECT_EQ(storage().QueryFingerprints(tenant_.id, q).status().code(), Code::kInvalidArgument);
}

TEST_P(Inventory, OtherTenantSeesNoneOfTheRows) {
  ASSERT_EQ(Apply(Full("k1", 1, {{"ports", {Port(22, "tcp", true)}}})), IngestOutcome::kCommitted);
  Tenant other = MakeTenant("other");
  FingerprintQuery q;
  q.category = "ports";
  auto fleet = storage().QueryFingerprints(other.id, q);
  ASSERT_TRUE(fleet.ok());
  EXPECT_TRUE(fleet->items.empty());
  q.host_id = host_.id;
  EXPECT_EQ(storage().QueryFingerprints(other.id, q).status().code(), Code::kNotFound);
  EXPECT_EQ(storage().CountFingerprints(other.id, host_.id).status().code(), Code::kNotFound);
  auto mine = storage().QueryFingerprints(tenant_.id, q);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->items.size(), 1u);
  EXPECT_EQ(mine->items[0].hostname, "web-1");
  EXPECT_EQ(mine->items[0].row_key, wire::RowKey(Port(22, "tcp", true)));
  EXPECT_EQ(mine->items[0].updated_at, 100);
}

RAMPART_INSTANTIATE_DB_TEST(Inventory);

}  // namespace
}  // namespace rampart::server
