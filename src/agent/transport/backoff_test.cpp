#include "agent/transport/backoff.h"

#include <gtest/gtest.h>

#include <set>

namespace rampart::agent {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DoublesFromOneSecondUpToSixtyWithJitterInTheUpperHalf) {
  Backoff backoff(milliseconds(1000), milliseconds(60000), 42);
  std::int64_t ceiling = 1000;
  for (int i = 0; i < 12; ++i) {
    const auto d = backoff.Next().count();
    EXPECT_GE(d, ceiling / 2) << "attempt " << i;
    EXPECT_LE(d, ceiling) << "attempt " << i;
    ceiling = std::min<std::int64_t>(ceiling * 2, 60000);
  }
  EXPECT_EQ(backoff.failures(), 12);
}

TEST(Backoff, ResetStartsOverAfterASuccessfulConnection) {
  Backoff backoff(milliseconds(1000), milliseconds(60000), 7);
  for (int i = 0; i < 10; ++i) (void)backoff.Next();
  backoff.Reset();
  EXPECT_LE(backoff.Next().count(), 1000);
}

TEST(Backoff, JitterSpreadsAFleet) {
  // Agents that lost the same server at the same moment do not retry in lock-step.
  std::set<std::int64_t> waits;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    Backoff backoff(milliseconds(1000), milliseconds(60000), seed);
    for (int i = 0; i < 5; ++i) (void)backoff.Next();
    waits.insert(backoff.Next().count());
  }
  EXPECT_GT(waits.size(), 10u);
}

}  // namespace
}  // namespace rampart::agent
