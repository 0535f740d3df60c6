#include "agent/transport/spool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "agent/transport/test_util.h"

namespace rampart::agent {
namespace {

using testing::DirNames;
using testing::MakeTempDir;
using testing::ReadAll;
using testing::WriteAll;

std::vector<std::string> Keys(Spool& spool) {
  std::vector<std::string> keys;
  std::uint64_t after = 0;
  for (;;) {
    auto batch = spool.Peek(after);
    EXPECT_TRUE(batch.ok());
    if (!batch.ok() || !*batch) break;
    keys.push_back((*batch)->key);
    after = (*batch)->seq;
  }
  return keys;
}

TEST(Spool, PeeksBatchesInEnqueueOrderWithTheirPayloads) {
  auto spool = Spool::Open(MakeTempDir() + "/spool");
  ASSERT_TRUE(spool.ok()) << spool.error().ToString();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        (*spool)
            ->Enqueue("inventory", "k" + std::to_string(i), "{\"i\":" + std::to_string(i) + "}")
            .ok());
  }
  EXPECT_EQ(Keys(**spool), (std::vector<std::string>{"k0", "k1", "k2", "k3", "k4"}));
  auto first = (*spool)->Peek();
  ASSERT_TRUE(first.ok() && *first);
  EXPECT_EQ((*first)->kind, "inventory");
  EXPECT_EQ((*first)->payload, "{\"i\":0}");
  EXPECT_EQ((*spool)->size(), 5u);
}

TEST(Spool, KeepsBatchesAcrossRestartUntilAcknowledged) {
  const std::string dir = MakeTempDir() + "/spool";
  {
    auto spool = Spool::Open(dir);
    ASSERT_TRUE(spool.ok());
    for (const char* key : {"a", "b", "c"}) ASSERT_TRUE((*spool)->Enqueue("t", key, key).ok());
    ASSERT_TRUE((*spool)->Remove("a").ok());
  }
  auto spool = Spool::Open(dir);
  ASSERT_TRUE(spool.ok());
  EXPECT_EQ(Keys(**spool), (std::vector<std::string>{"b", "c"}));
  auto got = (*spool)->Get("c");
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ((*got)->payload, "c");
  // New batches go after the recovered ones.
  auto seq = (*spool)->Enqueue("t", "d", "d");
  ASSERT_TRUE(seq.ok());
  EXPECT_GT(*seq, (*got)->seq);
  EXPECT_EQ(Keys(**spool), (std::vector<std::string>{"b", "c", "d"}));
}

TEST(Spool, RefusesBatchesBeyondTheFileLimitAndStoresNothing) {
  const std::string dir = MakeTempDir() + "/spool";
  auto spool = Spool::Open(dir, SpoolOptions{1 << 20, 3});
  ASSERT_TRUE(spool.ok());
  for (const char* key : {"a", "b", "c"}) ASSERT_TRUE((*spool)->Enqueue("t", key, "x").ok());
  auto refused = (*spool)->Enqueue("t", "d", "x");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kResourceExhausted);
  EXPECT_NE(refused.error().message().find("spool full"), std::string::npos);
  EXPECT_EQ(DirNames(dir).size(), 3u);
  // Acknowledging one makes room again.
  ASSERT_TRUE((*spool)->Remove("a").ok());
  EXPECT_TRUE((*spool)->Enqueue("t", "d", "x").ok());
}

TEST(Spool, RefusesBatchesBeyondTheByteLimit) {
  auto spool = Spool::Open(MakeTempDir() + "/spool", SpoolOptions{1000, 100});
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->Enqueue("t", "a", std::string(600, 'x')).ok());
  auto refused = (*spool)->Enqueue("t", "b", std::string(600, 'x'));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kResourceExhausted);
  EXPECT_TRUE((*spool)->Enqueue("t", "c", std::string(100, 'x')).ok());
  EXPECT_LE((*spool)->bytes(), 1000u);
}

TEST(Spool, RemovesLeftoverTemporaryFilesOnOpen) {
  const std::string dir = MakeTempDir() + "/spool";
  {
    auto spool = Spool::Open(dir);
    ASSERT_TRUE(spool.ok());
    ASSERT_TRUE((*spool)->Enqueue("t", "a", "payload").ok());
  }
  // What a crash in the middle of Enqueue leaves: a half-written temporary file.
  WriteAll(dir + "/00000000000000000002.tmp", "RSPOOL1 t b 100 0000");
  auto spool = Spool::Open(dir);
  ASSERT_TRUE(spool.ok());
  EXPECT_EQ(Keys(**spool), (std::vector<std::string>{"a"}));
  EXPECT_EQ(DirNames(dir), (std::vector<std::string>{"00000000000000000001.batch"}));
}

TEST(Spool, SetsCorruptFilesAsideOnOpenAndKeepsTheRest) {
  const std::string dir = MakeTempDir() + "/spool";
  {
    auto spool = Spool::Open(dir);
    ASSERT_TRUE(spool.ok());
    for (const char* key : {"a", "b", "c", "d"}) {
      ASSERT_TRUE((*spool)->Enqueue("t", key, std::string("payload-") + key).ok());
    }
  }
  // b: a flipped payload byte; c: truncated; d: garbage header.
  std::string b = ReadAll(dir + "/00000000000000000002.batch");
  b.back() = 'X';
  WriteAll(dir + "/00000000000000000002.batch", b);
  std::string c = ReadAll(dir + "/00000000000000000003.batch");
  WriteAll(dir + "/00000000000000000003.batch", c.substr(0, c.size() - 3));
  WriteAll(dir + "/00000000000000000004.batch", "not a batch\n");
  auto spool = Spool::Open(dir);
  ASSERT_TRUE(spool.ok());
  EXPECT_EQ(Keys(**spool), (std::vector<std::string>{"a"}));
  EXPECT_EQ(DirNames(dir + "/bad").size(), 3u);
  EXPECT_EQ(DirNames(dir), (std::vector<std::string>{"00000000000000000001.batch", "bad"}));
}

TEST(Spool, SkipsABatchCorruptedAfterOpenAndSetsItAside) {
  const std::string dir = MakeTempDir() + "/spool";
  auto spool = Spool::Open(dir);
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->Enqueue("t", "a", "aaaa").ok());
  ASSERT_TRUE((*spool)->Enqueue("t", "b", "bbbb").ok());
  WriteAll(dir + "/00000000000000000001.batch", "RSPOOL1 t a 4 00000000\naaaa");
  auto first = (*spool)->Peek();
  ASSERT_TRUE(first.ok() && *first);
  EXPECT_EQ((*first)->key, "b");
  EXPECT_EQ((*spool)->size(), 1u);
  EXPECT_EQ(DirNames(dir + "/bad").size(), 1u);
}

TEST(Spool, RemoveAfterAcknowledgementDeletesTheFile) {
  const std::string dir = MakeTempDir() + "/spool";
  auto spool = Spool::Open(dir);
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->Enqueue("t", "a", "x").ok());
  ASSERT_TRUE((*spool)->Remove("a").ok());
  EXPECT_TRUE(DirNames(dir).empty());
  EXPECT_EQ((*spool)->bytes(), 0u);
  EXPECT_EQ((*spool)->Remove("a").code(), Code::kNotFound);
  auto missing = (*spool)->Get("a");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);
}

TEST(Spool, RefusesDuplicateKeysAndInvalidNames) {
  auto spool = Spool::Open(MakeTempDir() + "/spool");
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->Enqueue("t", "a", "x").ok());
  EXPECT_EQ((*spool)->Enqueue("t", "a", "y").error().code(), Code::kAlreadyExists);
  EXPECT_EQ((*spool)->Enqueue("t", "has space", "y").error().code(), Code::kInvalidArgument);
  EXPECT_EQ((*spool)->Enqueue("", "k", "y").error().code(), Code::kInvalidArgument);
  EXPECT_EQ((*spool)->Enqueue("t", "k\n", "y").error().code(), Code::kInvalidArgument);
}

TEST(Spool, RemoveKindDropsOnlyThatKind) {
  auto spool = Spool::Open(MakeTempDir() + "/spool");
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->Enqueue("inventory", "i1", "x").ok());
  ASSERT_TRUE((*spool)->Enqueue("event", "e1", "x").ok());
  ASSERT_TRUE((*spool)->Enqueue("inventory", "i2", "x").ok());
  EXPECT_EQ((*spool)->RemoveKind("inventory"), 2u);
  EXPECT_EQ(Keys(**spool), (std::vector<std::string>{"e1"}));
}

TEST(Spool, CountsBatchesUpToASequenceNumber) {
  auto spool = Spool::Open(MakeTempDir() + "/spool");
  ASSERT_TRUE(spool.ok());
  std::vector<std::uint64_t> seqs;
  for (const char* key : {"a", "b", "c"}) seqs.push_back(*(*spool)->Enqueue("t", key, "x"));
  EXPECT_EQ((*spool)->CountUpTo(0), 0u);
  EXPECT_EQ((*spool)->CountUpTo(seqs[1]), 2u);
  ASSERT_TRUE((*spool)->Remove("a").ok());
  EXPECT_EQ((*spool)->CountUpTo(seqs[1]), 1u);
  auto entry = (*spool)->Find("c");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->seq, seqs[2]);
}

TEST(Spool, ConcurrentProducersAndAConsumerDeliverEveryBatchExactlyOnce) {
  const std::string dir = MakeTempDir() + "/spool";
  auto opened = Spool::Open(dir);
  ASSERT_TRUE(opened.ok());
  Spool& spool = **opened;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20;  // each Enqueue costs two fsyncs
  std::atomic<int> producers_done{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
        EXPECT_TRUE(spool.Enqueue("t", key, key).ok());
      }
      ++producers_done;
    });
  }
  std::multiset<std::string> delivered;
  std::map<int, int> last_index;  // per producer, batches come out in its order
  while (producers_done.load() < kThreads || spool.size() > 0) {
    auto batch = spool.Peek();
    ASSERT_TRUE(batch.ok());
    if (!*batch) {
      std::this_thread::yield();
      continue;
    }
    EXPECT_EQ((*batch)->payload, (*batch)->key);
    const int producer = (*batch)->key[1] - '0';
    const int index = std::stoi((*batch)->key.substr(3));
    if (last_index.count(producer) != 0) {
      EXPECT_GT(index, last_index[producer]);
    }
    last_index[producer] = index;
    delivered.insert((*batch)->key);
    ASSERT_TRUE(spool.Remove((*batch)->key).ok());
  }
  for (auto& p : producers) p.join();
  EXPECT_EQ(delivered.size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_EQ(std::set<std::string>(delivered.begin(), delivered.end()).size(), delivered.size());
  EXPECT_TRUE(DirNames(dir).empty());
}

TEST(SpoolFile, RoundTripsAndRejectsDamage) {
  const std::string file = EncodeSpoolFile("inventory", "key-1", "{\"a\":1}");
  auto batch = DecodeSpoolFile(file);
  ASSERT_TRUE(batch.ok()) << batch.error().ToString();
  EXPECT_EQ(batch->kind, "inventory");
  EXPECT_EQ(batch->key, "key-1");
  EXPECT_EQ(batch->payload, "{\"a\":1}");
  EXPECT_EQ(DecodeSpoolFile("").error().code(), Code::kDataLoss);
  EXPECT_EQ(DecodeSpoolFile(file + "x").error().code(), Code::kDataLoss);
  EXPECT_EQ(DecodeSpoolFile("RSPOOL1 a b c d\n").error().code(), Code::kDataLoss);
  EXPECT_NE(DecodeSpoolFile(file.substr(0, file.size() - 1)).error().message().find("header says"),
            std::string::npos);
}

}  // namespace
}  // namespace rampart::agent
