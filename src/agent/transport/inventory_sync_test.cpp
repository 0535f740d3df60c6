#include "agent/transport/inventory_sync.h"

#include <gtest/gtest.h>

#include <random>

#include "agent/transport/test_util.h"
#include "common/wire.h"

namespace rampart::agent {
namespace {

using testing::MakeTempDir;

using RowSets = std::map<std::string, std::map<std::string, Json>>;  // category -> key -> row

Json Row(std::string_view name, int port) {
  Json row = Json::MakeObject();
  row.Set("name", name);
  row.Set("port", port);
  return row;
}

Snapshot Snap(std::vector<std::pair<std::string, std::vector<Json>>> categories) {
  Snapshot s;
  for (auto& [name, rows] : categories) s.push_back(CategoryRows{name, true, std::move(rows)});
  return s;
}

// Applies a spooled inventory payload to the server-side row sets, as the server does.
void ApplyPayload(const Json& payload, RowSets* rows) {
  if (payload.GetString("mode") == "full") {
    rows->clear();
    for (const auto& [category, entry] : payload.Find("categories")->as_object()) {
      auto& set = (*rows)[category];
      for (const auto& row : entry.Find("rows")->as_array()) set[wire::RowKey(row)] = row;
    }
    return;
  }
  for (const auto& [category, change] : payload.Find("changes")->as_object()) {
    auto& set = (*rows)[category];
    for (const auto& key : change.Find("removed")->as_array()) {
      ASSERT_EQ(set.erase(key.as_string()), 1u) << "removed a key that was not there";
    }
    for (const auto& row : change.Find("added")->as_array()) {
      ASSERT_TRUE(set.emplace(wire::RowKey(row), row).second) << "added a row that was there";
    }
  }
}

RowSets ExpectedRows(const Snapshot& snapshot) {
  RowSets rows;
  for (const auto& c : snapshot) {
    auto& set = rows[c.category];
    for (const auto& row : c.rows) set[wire::RowKey(row)] = row;
  }
  return rows;
}

// An empty category and an absent one hold the same rows.
RowSets WithoutEmpty(RowSets rows) {
  std::erase_if(rows, [](const auto& entry) { return entry.second.empty(); });
  return rows;
}

struct Fixture {
  Fixture() : dir(MakeTempDir()), clock(std::chrono::system_clock::from_time_t(1800000000)) {
    spool = std::move(*Spool::Open(dir + "/spool"));
    sync = std::move(*InventorySync::Open(dir, spool.get(), &clock));
  }
  // The payload of the newest spooled batch.
  Json Last() {
    auto entries = spool->List();
    EXPECT_FALSE(entries.empty());
    auto batch = spool->Get(entries.back().key);
    return *Json::Parse((*batch)->payload);
  }
  std::string dir;
  FakeClock clock;
  std::unique_ptr<Spool> spool;
  std::unique_ptr<InventorySync> sync;
};

TEST(InventorySync, SendsAFullSnapshotFirstThenDeltasAgainstTheLastEnqueued) {
  Fixture f;
  auto first = f.sync->Enqueue(Snap({{"ports", {Row("ssh", 22), Row("http", 80)}}}));
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_TRUE(first->enqueued && first->full);
  EXPECT_EQ(first->version, 1);
  Json full = f.Last();
  EXPECT_EQ(full.GetString("mode"), "full");
  EXPECT_EQ(full.GetInt("version"), 1);
  EXPECT_EQ(full.Find("categories")->Find("ports")->Find("rows")->size(), 2u);
  EXPECT_EQ(full.GetString("collected_at"), "2027-01-15T08:00:00Z");

  auto second = f.sync->Enqueue(Snap({{"ports", {Row("ssh", 22), Row("redis", 6379)}}}));
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->full);
  EXPECT_EQ(second->version, 2);
  Json delta = f.Last();
  EXPECT_EQ(delta.GetString("mode"), "delta");
  EXPECT_EQ(delta.GetInt("base"), 1);
  const Json* ports = delta.Find("changes")->Find("ports");
  ASSERT_NE(ports, nullptr);
  EXPECT_EQ(ports->Find("added")->as_array(), Json::Array{Row("redis", 6379)});
  EXPECT_EQ(ports->Find("removed")->as_array(), Json::Array{Json(wire::RowKey(Row("http", 80)))});
  // The idempotency key names the version, so acks map to versions without reading payloads.
  EXPECT_EQ(InventoryKeyVersion(second->key), 2);
  EXPECT_EQ(f.spool->size(), 2u);
}

TEST(InventorySync, ApplyingEachDeltaToTheOldRowsGivesTheNewRows) {
  Fixture f;
  std::mt19937 rng(1234);
  RowSets server;
  const std::vector<std::string> categories = {"ports", "processes", "software"};
  for (int round = 0; round < 60; ++round) {
    Snapshot snapshot;
    for (const auto& category : categories) {
      CategoryRows c{category, true, {}};
      const int n = std::uniform_int_distribution<int>(0, 25)(rng);
      for (int i = 0; i < n; ++i) {
        // A small value space, so rows repeat across rounds and within one (duplicates).
        c.rows.push_back(Row(category, std::uniform_int_distribution<int>(0, 30)(rng)));
      }
      snapshot.push_back(std::move(c));
    }
    auto result = f.sync->Enqueue(snapshot);
    ASSERT_TRUE(result.ok()) << result.error().ToString();
    if (result->enqueued) {
      Json payload = f.Last();
      ApplyPayload(payload, &server);
      ASSERT_TRUE(f.spool->Remove(result->key).ok());
    }
    ASSERT_EQ(WithoutEmpty(server), WithoutEmpty(ExpectedRows(snapshot))) << "round " << round;
  }
}

TEST(InventorySync, AnUnchangedCollectionQueuesNothing) {
  Fixture f;
  const Snapshot s = Snap({{"ports", {Row("ssh", 22)}}});
  ASSERT_TRUE(f.sync->Enqueue(s).ok());
  auto again = f.sync->Enqueue(s);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->enqueued);
  EXPECT_EQ(f.spool->size(), 1u);
  EXPECT_EQ(f.sync->state().version, 1);
}

TEST(InventorySync, ResyncOfADeltaDropsPendingDeltasAndMakesTheNextBatchFull) {
  Fixture f;
  ASSERT_TRUE(f.sync->Enqueue(Snap({{"ports", {Row("a", 1)}}})).ok());
  f.sync->OnCommitted(1);
  ASSERT_TRUE(f.spool->Remove(f.spool->List().front().key).ok());
  ASSERT_TRUE(f.sync->Enqueue(Snap({{"ports", {Row("b", 2)}}})).ok());  // v2 delta
  ASSERT_TRUE(f.sync->Enqueue(Snap({{"ports", {Row("c", 3)}}})).ok());  // v3 delta
  EXPECT_TRUE(f.sync->OnChainBroken(2));
  EXPECT_EQ(f.spool->size(), 0u);  // v3 built on v2: useless now
  auto next = f.sync->Enqueue(Snap({{"ports", {Row("c", 3)}}}));
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->full);
  EXPECT_EQ(next->version, 4);
  EXPECT_EQ(f.Last().GetString("mode"), "full");
  // A late resync for v3 (sent before the full snapshot) changes nothing.
  EXPECT_FALSE(f.sync->OnChainBroken(3));
  EXPECT_EQ(f.spool->size(), 1u);
  EXPECT_FALSE(f.sync->state().force_full);
}

TEST(InventorySync, ARefusedFullSnapshotWaitsForTheNextCollection) {
  Fixture f;
  ASSERT_TRUE(f.sync->Enqueue(Snap({{"ports", {Row("a", 1)}}})).ok());
  EXPECT_FALSE(f.sync->OnChainBroken(1));   // do not collect again right away...
  EXPECT_TRUE(f.sync->state().force_full);  // ...but the next one is full
}

TEST(InventorySync, StateSurvivesARestart) {
  Fixture f;
  ASSERT_TRUE(f.sync->Enqueue(Snap({{"ports", {Row("a", 1)}}})).ok());
  f.sync->OnCommitted(1);
  auto reopened = InventorySync::Open(f.dir, f.spool.get(), &f.clock);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->state().version, 1);
  EXPECT_EQ((*reopened)->state().acked_version, 1);
  EXPECT_EQ((*reopened)->state().collected_at, 1800000000);
  auto next = (*reopened)->Enqueue(Snap({{"ports", {Row("a", 1), Row("b", 2)}}}));
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->full);
  EXPECT_EQ(next->rows_added, 1u);
  EXPECT_EQ(f.Last().GetInt("base"), 1);
}

TEST(InventorySync, AForcedFullSurvivesARestart) {
  Fixture f;
  ASSERT_TRUE(f.sync->Enqueue(Snap({{"ports", {Row("a", 1)}}})).ok());
  f.sync->ForceFull();
  auto reopened = InventorySync::Open(f.dir, f.spool.get(), &f.clock);
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE((*reopened)->Enqueue(Snap({{"ports", {Row("a", 1)}}}))->full);
}

TEST(InventorySync, AnUnreadableStateFileStartsOverWithAFullSnapshot) {
  Fixture f;
  testing::WriteAll(f.dir + "/inventory_state.json", "{broken");
  auto reopened = InventorySync::Open(f.dir, f.spool.get(), &f.clock);
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE((*reopened)->Enqueue(Snap({{"ports", {Row("a", 1)}}}))->full);
}

TEST(InventorySync, OnSpoolOverflowDropsPendingInventoryAndQueuesAFullSnapshot) {
  const std::string dir = MakeTempDir();
  FakeClock clock(std::chrono::system_clock::from_time_t(1800000000));
  auto spool = std::move(*Spool::Open(dir + "/spool", SpoolOptions{1 << 20, 3}));
  auto sync = std::move(*InventorySync::Open(dir, spool.get(), &clock));
  ASSERT_TRUE(spool->Enqueue("event", "e1", "{}").ok());
  ASSERT_TRUE(sync->Enqueue(Snap({{"ports", {Row("a", 1)}}})).ok());
  ASSERT_TRUE(sync->Enqueue(Snap({{"ports", {Row("b", 2)}}})).ok());
  // The spool is full (3 files): the next delta does not fit.
  auto next = sync->Enqueue(Snap({{"ports", {Row("c", 3)}}}));
  ASSERT_TRUE(next.ok()) << next.error().ToString();
  EXPECT_TRUE(next->full);
  auto entries = spool->List();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].key, "e1");  // other kinds are kept
  EXPECT_EQ(entries[1].key, next->key);
}

TEST(InventorySync, WhenEvenAFullSnapshotDoesNotFitItIsRetriedNextTime) {
  const std::string dir = MakeTempDir();
  FakeClock clock(std::chrono::system_clock::from_time_t(1800000000));
  auto spool = std::move(*Spool::Open(dir + "/spool", SpoolOptions{1 << 20, 1}));
  auto sync = std::move(*InventorySync::Open(dir, spool.get(), &clock));
  ASSERT_TRUE(spool->Enqueue("event", "e1", "{}").ok());
  auto refused = sync->Enqueue(Snap({{"ports", {Row("a", 1)}}}));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kResourceExhausted);
  EXPECT_TRUE(sync->state().force_full);
  ASSERT_TRUE(spool->Remove("e1").ok());
  EXPECT_TRUE(sync->Enqueue(Snap({{"ports", {Row("a", 1)}}}))->full);
}

TEST(InventorySync, AFailedCategoryIsUnchangedInADeltaAndEmptyInAFullSnapshot) {
  Fixture f;
  ASSERT_TRUE(f.sync->Enqueue(Snap({{"ports", {Row("a", 1)}}, {"software", {Row("x", 1)}}})).ok());
  Snapshot failed = Snap({{"ports", {Row("a", 1), Row("b", 2)}}});
  failed.push_back(CategoryRows{"software", false, {}});
  auto delta = f.sync->Enqueue(failed);
  ASSERT_TRUE(delta.ok());
  EXPECT_EQ(f.Last().Find("changes")->Find("software"), nullptr);
  EXPECT_EQ(f.sync->state().keys.at("software").size(), 1u);
  auto full = f.sync->Enqueue(failed, /*force_full=*/true);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(f.Last().Find("categories")->Find("software")->Find("rows")->size(), 0u);
}

TEST(InventorySync, IdenticalRowsInACategoryCountOnce) {
  Fixture f;
  auto full = f.sync->Enqueue(Snap({{"ports", {Row("a", 1), Row("a", 1)}}}));
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->rows_added, 1u);
  EXPECT_EQ(f.Last().Find("categories")->Find("ports")->Find("rows")->size(), 1u);
}

TEST(InventorySync, KeysNameTheirVersion) {
  EXPECT_EQ(InventoryKeyVersion(InventoryKey(42)), 42);
  EXPECT_NE(InventoryKey(1), InventoryKey(1));
  EXPECT_FALSE(InventoryKeyVersion("other_v1_abc"));
  EXPECT_FALSE(InventoryKeyVersion("inv_vx_abc"));
  EXPECT_TRUE(IsValidSpoolName(InventoryKey(7)));
}

TEST(CollectorSource, CollectsEveryRegisteredCategoryOfAFixtureRoot) {
  auto host = HostView::Open(RAMPART_SOURCE_DIR "/tests/testdata/root-debian");
  ASSERT_TRUE(host.ok());
  FakeClock clock(std::chrono::system_clock::from_time_t(1800000000));
  CollectOptions options;
  options.sample_interval = std::chrono::milliseconds(0);
  const Snapshot snapshot = MakeCollectorSource(*host, clock, options)();
  ASSERT_GE(snapshot.size(), 10u);
  for (const auto& c : snapshot) {
    EXPECT_TRUE(wire::IsFingerprintCategory(c.category)) << c.category;
    for (const auto& row : c.rows) EXPECT_TRUE(row.is_object()) << c.category;
  }
  EXPECT_EQ(snapshot[0].category, "host");
  EXPECT_EQ(snapshot[0].rows.size(), 1u);
}

}  // namespace
}  // namespace rampart::agent
