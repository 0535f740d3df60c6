#include "agent/detectors/string_map.h"

#include <gtest/gtest.h>

#include <string>

namespace rampart::agent {
namespace {

TEST(StringMap, FindsWhatWasInserted) {
  StringMap<int> m;
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.Find("203.0.113.5"), nullptr);
  m.Insert("203.0.113.5", 1);
  m.Insert("", 2);  // the empty key is a key like any other
  EXPECT_EQ(m.size(), 2u);
  ASSERT_NE(m.Find("203.0.113.5"), nullptr);
  EXPECT_EQ(*m.Find("203.0.113.5"), 1);
  ASSERT_NE(m.Find(""), nullptr);
  EXPECT_EQ(*m.Find(""), 2);
  EXPECT_EQ(m.Find("203.0.113.50"), nullptr);
  EXPECT_EQ(m.Find("203.0.113."), nullptr);
  if (int* v = m.Find("203.0.113.5")) *v = 7;  // values are updated in place
  EXPECT_EQ(*m.Find("203.0.113.5", StringMap<int>::Hash("203.0.113.5")), 7);
}

TEST(StringMap, ManyKeysSurviveGrowth) {
  StringMap<std::size_t> m;
  constexpr std::size_t kKeys = 100000;
  for (std::size_t i = 0; i < kKeys; ++i) m.Insert("10." + std::to_string(i), i);
  EXPECT_EQ(m.size(), kKeys);
  for (std::size_t i = 0; i < kKeys; ++i) {
    const std::size_t* v = m.Find("10." + std::to_string(i));
    ASSERT_NE(v, nullptr) << i;
    EXPECT_EQ(*v, i);
  }
  EXPECT_EQ(m.Find("10." + std::to_string(kKeys)), nullptr);
}

TEST(StringMap, EqualHashesAreTellApartByKey) {
  // Callers pass the hash: keys given the same one (as colliding keys would have) stay distinct.
  StringMap<int> m;
  m.Insert("alice", 42, 1);
  m.Insert("bob", 42, 2);
  m.Insert("carol", 42 + 16, 3);  // same slot in the first table, another hash
  ASSERT_NE(m.Find("alice", 42), nullptr);
  EXPECT_EQ(*m.Find("alice", 42), 1);
  ASSERT_NE(m.Find("bob", 42), nullptr);
  EXPECT_EQ(*m.Find("bob", 42), 2);
  ASSERT_NE(m.Find("carol", 42 + 16), nullptr);
  EXPECT_EQ(*m.Find("carol", 42 + 16), 3);
  EXPECT_EQ(m.Find("dave", 42), nullptr);
  EXPECT_EQ(m.Find("carol", 42), nullptr);  // right key, other hash: not the entry
}

}  // namespace
}  // namespace rampart::agent
