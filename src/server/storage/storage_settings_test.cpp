// Storage: tenant settings with optimistic concurrency, leases across nodes, and concurrent
// writers. Runs on SQLite and on MariaDB (test_db.h).

#include <atomic>
#include <thread>

#include "server/storage/storage_test_fixture.h"

namespace rampart::server {
namespace {

class Settings : public StorageTest {};

Json Object(const std::string& key, Json value) {
  Json o = Json::MakeObject();
  o.Set(key, std::move(value));
  return o;
}

TEST_P(Settings, UnwrittenSettingsAreAnEmptyObjectAtVersionZero) {
  Tenant t = MakeTenant("t");
  auto s = storage().GetSettings(t.id);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->version, 0);
  EXPECT_EQ(s->settings, Json::MakeObject());
  EXPECT_EQ(storage().GetSettings("tn_missing").status().code(), Code::kNotFound);
}

TEST_P(Settings, EveryPutIncreasesTheVersion) {
  Tenant t = MakeTenant("t");
  auto v1 = storage().PutSettings(t.id, Object("scan", "daily"), 0, 100);
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(v1->version, 1);
  auto v2 = storage().PutSettings(t.id, Object("scan", "weekly"), 1, 200);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(v2->version, 2);
  auto unconditional =
      storage().PutSettings(t.id, Object("scan", Json::Object{{"at", 3}}), -1, 300);
  ASSERT_TRUE(unconditional.ok());
  EXPECT_EQ(unconditional->version, 3);
  auto got = storage().GetSettings(t.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->version, 3);
  EXPECT_EQ(got->updated_at, 300);
  EXPECT_EQ(got->settings.Dump(), R"({"scan":{"at":3}})");
}

TEST_P(Settings, StaleExpectedVersionIsRefusedAndChangesNothing) {
  Tenant t = MakeTenant("t");
  ASSERT_TRUE(storage().PutSettings(t.id, Object("a", 1), 0, 100).ok());
  auto stale = storage().PutSettings(t.id, Object("a", 2), 0, 200);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), Code::kFailedPrecondition);
  auto got = storage().GetSettings(t.id);
  EXPECT_EQ(got->version, 1);
  EXPECT_EQ(got->settings, Object("a", 1));
  EXPECT_EQ(storage().PutSettings(t.id, Json(5), -1, 1).status().code(), Code::kInvalidArgument);
}

TEST_P(Settings, TenantsAreIsolatedAndChangesAreListedSinceATime) {
  Tenant a = MakeTenant("a");
  Tenant b = MakeTenant("b");
  ASSERT_TRUE(storage().PutSettings(a.id, Object("x", 1), -1, 100).ok());
  ASSERT_TRUE(storage().PutSettings(b.id, Object("y", 2), -1, 200).ok());
  ASSERT_TRUE(storage().PutSettings(b.id, Object("y", 3), -1, 300).ok());
  EXPECT_EQ(storage().GetSettings(a.id)->settings, Object("x", 1));
  EXPECT_EQ(storage().PutSettings("tn_missing", Object("x", 1), -1, 1).status().code(),
            Code::kNotFound);
  auto since = storage().SettingsChangedSince(200);
  ASSERT_TRUE(since.ok());
  EXPECT_EQ(*since, (std::vector<std::pair<std::string, std::int64_t>>{{b.id, 2}}));
  EXPECT_EQ(storage().SettingsChangedSince(0)->size(), 2u);
  EXPECT_TRUE(storage().SettingsChangedSince(301)->empty());
}

TEST_P(Settings, ConcurrentWritersWithTheSameExpectedVersionHaveOneWinner) {
  Tenant t = MakeTenant("t");
  std::atomic<int> won{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < 4; ++i) {
    writers.emplace_back([&, i] {
      auto r = storage().PutSettings(t.id, Object("w", i), 0, 100);
      if (r.ok()) {
        ++won;
      } else if (r.status().code() == Code::kFailedPrecondition) {
        ++refused;
      } else {
        ADD_FAILURE() << r.status().ToString();
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(refused.load(), 3);
  EXPECT_EQ(storage().GetSettings(t.id)->version, 1);
}

RAMPART_INSTANTIATE_DB_TEST(Settings);

// ---- Leases ----

class Leases : public StorageTest {};

TEST_P(Leases, HolderKeepsItOthersWaitForExpiry) {
  auto take = [&](const std::string& holder, std::int64_t now) {
    auto r = storage().TryAcquireLease("offline-sweep", holder, 30, now);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && *r;
  };
  EXPECT_TRUE(take("node-a", 1000));   // free: taken, until 1030
  EXPECT_FALSE(take("node-b", 1010));  // held by A
  EXPECT_TRUE(take("node-a", 1010));   // A renews its own: until 1040
  EXPECT_TRUE(take("node-a", 1010));   // the same renewal again (nothing changes) still holds
  EXPECT_FALSE(take("node-b", 1039));
  EXPECT_TRUE(take("node-b", 1040));  // expired: B takes it
  EXPECT_FALSE(take("node-a", 1041));
  EXPECT_TRUE(storage().TryAcquireLease("other-job", "node-a", 30, 1041).value_or(false));
  EXPECT_EQ(storage().TryAcquireLease("", "node-a", 30, 1).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(storage().TryAcquireLease("x", "node-a", 0, 1).status().code(), Code::kInvalidArgument);
}

TEST_P(Leases, NodesRacingForAFreeLeaseGetExactlyOneHolder) {
  // Separate Storage objects on one database, as separate server processes would have.
  std::vector<std::unique_ptr<Storage>> nodes;
  for (int i = 0; i < 4; ++i) {
    auto node = OpenStorage(url_, "");
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    nodes.push_back(std::move(*node));
  }
  std::atomic<int> holders{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto r = nodes[static_cast<std::size_t>(i)]->TryAcquireLease(
          "race", "node-" + std::to_string(i), 60, 5000);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (r.ok() && *r) ++holders;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(holders.load(), 1);
}

RAMPART_INSTANTIATE_DB_TEST(Leases);

// ---- Concurrency ----

class Concurrency : public StorageTest {};

TEST_P(Concurrency, HeartbeatAndInventoryWritersFinishWithoutErrors) {
  Tenant t = MakeTenant("t");
  std::vector<Host> hosts;
  for (int i = 0; i < 8; ++i) hosts.push_back(Enroll(t.id, "m" + std::to_string(i), "h"));
  constexpr int kRounds = 15;
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int w = 0; w < 2; ++w) {
    // Heartbeat writers: every host, in opposite orders, so lock order is exercised.
    threads.emplace_back([&, w] {
      for (int r = 0; r < kRounds; ++r) {
        std::vector<std::pair<std::string, std::int64_t>> beats;
        for (const auto& h : hosts) beats.emplace_back(h.id, 10000 + r);
        if (w == 1) std::reverse(beats.begin(), beats.end());
        Status s = storage().RecordHeartbeats(beats);
        if (!s.ok()) {
          ++errors;
          ADD_FAILURE() << s.ToString();
        }
      }
    });
    // Inventory writers: full snapshots then deltas for their half of the hosts.
    threads.emplace_back([&, w] {
      for (int r = 0; r < kRounds; ++r) {
        for (std::size_t i = static_cast<std::size_t>(w); i < hosts.size(); i += 2) {
          InventoryBatch b;
          b.idempotency_key = "k" + std::to_string(r);
          b.version = r + 1;
          b.base = r;
          b.full = r == 0;
          std::vector<Json> rows;
          for (int k = 0; k < 20; ++k) {
            rows.push_back(Json::Object{{"round", r}, {"n", k}});
          }
          b.rows = {{"processes", rows}};
          auto outcome = storage().ApplyInventory(hosts[i].id, b, 100 + r);
          if (!outcome.ok() || *outcome != IngestOutcome::kCommitted) {
            ++errors;
            ADD_FAILURE() << (outcome.ok() ? "not committed" : outcome.status().ToString());
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  for (const auto& h : hosts) {
    auto stored = storage().GetHost(t.id, h.id);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->inventory_version, kRounds);
    EXPECT_EQ(stored->last_seen, 10000 + kRounds - 1);
    auto counts = storage().CountFingerprints(t.id, h.id);
    ASSERT_TRUE(counts.ok());
    ASSERT_EQ(counts->size(), 1u);
    EXPECT_EQ((*counts)[0].second, 20 * kRounds);
  }
}

RAMPART_INSTANTIATE_DB_TEST(Concurrency);

}  // namespace
}  // namespace rampart::server
