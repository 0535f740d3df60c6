#include "net/ws_outbox.h"

#include <gtest/gtest.h>

#include <thread>

namespace rampart::net {
namespace {

TEST(WsOutbox, QueuesMessagesInSendOrderAndWakesOncePerBatch) {
  WsOutbox outbox("10.0.0.1");
  int wakes = 0;
  outbox.Bind([&] { ++wakes; });
  EXPECT_EQ(outbox.remote_addr(), "10.0.0.1");
  EXPECT_TRUE(outbox.Send("a"));
  EXPECT_TRUE(outbox.Send("b"));
  EXPECT_EQ(wakes, 1);  // the second Send finds a wake already pending
  EXPECT_EQ(outbox.TakeNext().message, "a");
  EXPECT_TRUE(outbox.Send("c"));
  EXPECT_EQ(wakes, 2);
  EXPECT_EQ(outbox.TakeNext().message, "b");
  EXPECT_EQ(outbox.TakeNext().message, "c");
  const WsOutbox::Next none = outbox.TakeNext();
  EXPECT_FALSE(none.message.has_value());
  EXPECT_FALSE(none.close);
}

TEST(WsOutbox, CloseRefusesNewMessagesButFlushesQueuedOnesFirst) {
  WsOutbox outbox("::1");
  int wakes = 0;
  outbox.Bind([&] { ++wakes; });
  EXPECT_TRUE(outbox.Send("last words"));
  outbox.Close();
  EXPECT_FALSE(outbox.Send("too late"));
  WsOutbox::Next next = outbox.TakeNext();
  EXPECT_EQ(next.message, "last words");
  EXPECT_FALSE(next.close);
  next = outbox.TakeNext();
  EXPECT_FALSE(next.message.has_value());
  EXPECT_TRUE(next.close);
  EXPECT_FALSE(outbox.hard_close());
}

TEST(WsOutbox, StopDropsQueuedMessagesAndCloses) {
  WsOutbox outbox("x");
  EXPECT_TRUE(outbox.Send("queued"));
  outbox.RequestClose();
  EXPECT_FALSE(outbox.Send("more"));
  const WsOutbox::Next next = outbox.TakeNext();
  EXPECT_FALSE(next.message.has_value());
  EXPECT_TRUE(next.close);
}

TEST(WsOutbox, APeerThatDoesNotReadIsDroppedWhenTheQueueOverflows) {
  WsOutbox outbox("x", /*max_queued_bytes=*/10);
  int wakes = 0;
  outbox.Bind([&] { ++wakes; });
  EXPECT_TRUE(outbox.Send("12345"));
  EXPECT_TRUE(outbox.Send("67890"));
  EXPECT_FALSE(outbox.hard_close());
  EXPECT_FALSE(outbox.Send("!"));
  EXPECT_TRUE(outbox.hard_close());
  EXPECT_FALSE(outbox.Send("?"));
  EXPECT_FALSE(outbox.TakeNext().message.has_value());  // nothing more gets written
}

TEST(WsOutbox, AfterFinishEverySendFailsAndWakeIsReleased) {
  WsOutbox outbox("x");
  auto token = std::make_shared<int>(1);
  outbox.Bind([token] {});
  EXPECT_EQ(token.use_count(), 2);
  outbox.MarkFinished();
  EXPECT_EQ(token.use_count(), 1);
  EXPECT_FALSE(outbox.Send("x"));
  outbox.Close();  // harmless
}

TEST(WsOutbox, SendIsSafeFromManyThreads) {
  WsOutbox outbox("x");
  std::atomic<int> wakes{0};
  outbox.Bind([&] { ++wakes; });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) outbox.Send(std::to_string(t) + ":" + std::to_string(i));
    });
  }
  std::vector<int> last(4, -1);
  int taken = 0;
  while (taken < 2000) {
    const WsOutbox::Next next = outbox.TakeNext();
    if (!next.message) continue;
    ++taken;
    const auto colon = next.message->find(':');
    const int t = std::stoi(next.message->substr(0, colon));
    const int i = std::stoi(next.message->substr(colon + 1));
    EXPECT_EQ(i, last[static_cast<std::size_t>(t)] + 1);  // each sender's order is kept
    last[static_cast<std::size_t>(t)] = i;
  }
  for (auto& th : threads) th.join();
  EXPECT_GE(wakes, 1);
}

}  // namespace
}  // namespace rampart::net
