#include "agent/scan/result_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/files.h"

namespace rampart::agent::scan {
namespace {

const std::string kRules(64, '1');

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/rampart-cache-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string path;
};

CachedResult Result(std::uint8_t fill, std::vector<std::uint32_t> rules) {
  CachedResult r;
  r.sha256.fill(fill);
  r.rules = std::move(rules);
  return r;
}

TEST(ResultCache, SurvivesAProcessRestart) {
  TempDir dir;
  const FileIdentity a{1, 2, 3, 4, 5}, b{1, 9, 3, 4, 5};
  {
    ResultCache cache(dir.path, kRules);
    cache.Load();
    cache.Store(a, Result(7, {0, 3}));
    cache.Store(b, Result(8, {}));
    ASSERT_TRUE(cache.Save().ok());
  }
  ResultCache again(dir.path, kRules);
  again.Load();
  EXPECT_EQ(again.size(), 2u);
  auto hit = again.Lookup(a);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->sha256[0], 7);
  EXPECT_EQ(hit->rules, (std::vector<std::uint32_t>{0, 3}));
  // Any change of identity (here ctime) misses.
  EXPECT_FALSE(again.Lookup(FileIdentity{1, 2, 3, 4, 6}).has_value());
}

TEST(ResultCache, OtherRulesUseAnotherFile) {
  TempDir dir;
  ResultCache one(dir.path, kRules);
  one.Store({1, 1, 1, 1, 1}, Result(1, {}));
  ASSERT_TRUE(one.Save().ok());
  ResultCache two(dir.path, std::string(64, '2'));
  two.Load();
  EXPECT_EQ(two.size(), 0u);
  EXPECT_NE(one.path(), two.path());
}

TEST(ResultCache, CorruptFileIsRebuilt) {
  TempDir dir;
  ResultCache cache(dir.path, kRules);
  cache.Store({1, 1, 1, 1, 1}, Result(1, {2}));
  ASSERT_TRUE(cache.Save().ok());
  auto bytes = ReadLocalFile(cache.path());
  ASSERT_TRUE(bytes.ok());
  std::string broken = *bytes;
  broken[broken.size() / 2] ^= 0x55;
  ASSERT_TRUE(WriteFileAtomic(cache.path(), broken).ok());
  EXPECT_EQ(ParseResultCache(broken).status().code(), Code::kDataLoss);
  ResultCache again(dir.path, kRules);
  again.Load();
  EXPECT_EQ(again.size(), 0u);
  again.Store({2, 2, 2, 2, 2}, Result(2, {}));
  ASSERT_TRUE(again.Save().ok());
  auto fixed = ReadLocalFile(cache.path());
  ASSERT_TRUE(fixed.ok());
  EXPECT_TRUE(ParseResultCache(*fixed).ok());
}

TEST(ParseResultCache, RejectsTruncationAndGarbage) {
  EXPECT_FALSE(ParseResultCache("").ok());
  EXPECT_FALSE(ParseResultCache(std::string(200, 'x')).ok());
  TempDir dir;
  ResultCache cache(dir.path, kRules);
  for (std::int64_t i = 0; i < 10; ++i) {
    const auto u = static_cast<std::uint64_t>(i);
    cache.Store({u, u, u, i, 0}, Result(3, {1, 2, 3}));
  }
  ASSERT_TRUE(cache.Save().ok());
  auto bytes = ReadLocalFile(cache.path());
  ASSERT_TRUE(bytes.ok());
  ASSERT_TRUE(ParseResultCache(*bytes).ok());
  for (std::size_t cut = 1; cut < bytes->size(); cut += 7) {
    EXPECT_FALSE(ParseResultCache(std::string_view(*bytes).substr(0, cut)).ok()) << cut;
  }
}

}  // namespace
}  // namespace rampart::agent::scan
