#include "agent/transport/inventory_scheduler.h"

#include <gtest/gtest.h>

#include <atomic>

#include "agent/transport/test_util.h"

namespace rampart::agent {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::WaitFor;

struct Fixture {
  Fixture() : dir(testing::MakeTempDir()), clock(std::chrono::system_clock::from_time_t(0)) {
    spool = std::move(*Spool::Open(dir + "/spool"));
    sync = std::move(*InventorySync::Open(dir, spool.get(), &clock));
  }
  // Every collection differs, so each one queues a batch.
  SnapshotSource Source() {
    return [this] {
      Json row = Json::MakeObject();
      row.Set("n", ++collections);
      return Snapshot{CategoryRows{"ports", true, {row}}};
    };
  }
  std::string dir;
  FakeClock clock;
  std::unique_ptr<Spool> spool;
  std::unique_ptr<InventorySync> sync;
  std::atomic<int> collections{0};
};

TEST(InventoryScheduler, CollectsWhenRequestedAndOnlyThenWithoutAnInterval) {
  Fixture f;
  InventoryScheduler scheduler(f.sync.get(), f.Source());
  scheduler.Start(seconds(0), std::nullopt);
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(f.collections.load(), 0);
  EXPECT_TRUE(scheduler.Idle());
  scheduler.Request(false);
  EXPECT_FALSE(scheduler.Idle());
  ASSERT_TRUE(WaitFor([&] { return scheduler.completed() == 1; }));
  EXPECT_TRUE(scheduler.Idle());
  EXPECT_EQ(f.spool->size(), 1u);
  EXPECT_TRUE(scheduler.last_error().ok());
}

TEST(InventoryScheduler, CollectsEveryIntervalFromTheFirstDueTime) {
  Fixture f;
  InventoryScheduler scheduler(f.sync.get(), f.Source());
  scheduler.Start(seconds(1), std::chrono::steady_clock::now());
  ASSERT_TRUE(WaitFor([&] { return scheduler.completed() >= 1; }, milliseconds(1000)));
  ASSERT_TRUE(WaitFor([&] { return scheduler.completed() >= 2; }, milliseconds(3000)));
  scheduler.Stop();
  EXPECT_GE(f.spool->size(), 2u);
}

TEST(InventoryScheduler, ARequestedFullSnapshotIsFull) {
  Fixture f;
  InventoryScheduler scheduler(f.sync.get(), f.Source());
  scheduler.Start(seconds(0), std::nullopt);
  scheduler.Request(false);
  ASSERT_TRUE(WaitFor([&] { return scheduler.completed() == 1; }));
  scheduler.Request(true);
  ASSERT_TRUE(WaitFor([&] { return scheduler.completed() == 2; }));
  EXPECT_EQ(f.sync->state().last_full_version, 2);
}

TEST(InventoryScheduler, StopWaitsForTheRunningCollection) {
  Fixture f;
  std::atomic<bool> finished{false};
  InventoryScheduler scheduler(f.sync.get(), [&] {
    std::this_thread::sleep_for(milliseconds(200));
    finished = true;
    return Snapshot{};
  });
  scheduler.Start(seconds(0), std::nullopt);
  scheduler.Request(false);
  ASSERT_TRUE(WaitFor([&] { return !scheduler.Idle() && f.collections.load() == 0; }));
  std::this_thread::sleep_for(milliseconds(20));
  scheduler.Stop();
  EXPECT_TRUE(finished.load());
}

TEST(InventoryScheduler, ReportsACollectionThatCouldNotBeQueued) {
  const std::string dir = testing::MakeTempDir();
  FakeClock clock(std::chrono::system_clock::from_time_t(0));
  auto spool =
      std::move(*Spool::Open(dir + "/spool", SpoolOptions{16, 10}));  // 16 bytes: nothing fits
  auto sync = std::move(*InventorySync::Open(dir, spool.get(), &clock));
  InventoryScheduler scheduler(sync.get(), [] { return Snapshot{}; });
  scheduler.Start(seconds(0), std::nullopt);
  scheduler.Request(false);
  ASSERT_TRUE(WaitFor([&] { return scheduler.completed() == 1; }));
  EXPECT_EQ(scheduler.last_error().code(), Code::kResourceExhausted);
}

}  // namespace
}  // namespace rampart::agent
