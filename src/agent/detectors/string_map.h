#pragma once
// StringMap: a string-keyed map for the detectors' per-incident indexes (alert by source, by
// account, ...), which are looked up on every login event and never shrink. Flat: entries live in
// one vector in insertion order, and the index is an open-addressing table of entry numbers
// (power-of-two size, at most half full, linear probing), so a lookup costs no division and at
// most a cache miss or two. Lookups take the key's hash so one event's key is hashed once for every
// map it is looked up in (Hash() is the hash LruMap uses). Entries are never erased. Not
// thread-safe.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rampart::agent {

template <typename V>
class StringMap {
 public:
  static std::size_t Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }

  // nullptr when absent. `hash` must be Hash(key). The pointer is valid until the next Insert.
  V* Find(std::string_view key, std::size_t hash) {
    if (entries_.empty()) return nullptr;
    const std::size_t mask = table_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const std::uint32_t e = table_[i];
      if (e == kNone) return nullptr;
      Entry& n = entries_[e];
      if (n.hash == hash && n.key == key) return &n.value;
    }
  }
  V* Find(std::string_view key) { return Find(key, Hash(key)); }
  const V* Find(std::string_view key) const {
    return const_cast<StringMap*>(this)->Find(key, Hash(key));
  }

  // Adds key (which must be absent) with value; returns the stored value, valid until the next
  // Insert.
  V& Insert(std::string_view key, std::size_t hash, V value) {
    if ((entries_.size() + 1) * 2 > table_.size()) Grow();
    const auto e = static_cast<std::uint32_t>(entries_.size());
    entries_.push_back(Entry{std::string(key), std::move(value), hash});
    Place(e, hash);
    return entries_.back().value;
  }
  V& Insert(std::string_view key, V value) { return Insert(key, Hash(key), std::move(value)); }

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  struct Entry {
    std::string key;
    V value;
    std::size_t hash;
  };

  void Place(std::uint32_t e, std::size_t hash) {
    const std::size_t mask = table_.size() - 1;
    std::size_t i = hash & mask;
    while (table_[i] != kNone) i = (i + 1) & mask;
    table_[i] = e;
  }
  void Grow() {
    table_.assign(table_.empty() ? 16 : table_.size() * 2, kNone);
    for (std::size_t e = 0; e < entries_.size(); ++e) {
      Place(static_cast<std::uint32_t>(e), entries_[e].hash);
    }
  }

  std::vector<Entry> entries_;
  std::vector<std::uint32_t> table_;  // entry numbers, kNone for empty slots
};

}  // namespace rampart::agent
