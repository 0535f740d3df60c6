#pragma once
// LruMap: a string-keyed map holding at most `capacity` entries; inserting into a full map evicts
// the least recently used entry. Detectors use it to bound per-key state (a flood of distinct
// sources cannot exhaust memory). Not thread-safe.
//
// Flat layout, because a brute-force storm creates a new key for nearly every event: entries live
// in one vector (recency is an intrusive list of indices, freed slots are reused) and the index is
// an open-addressing table of entry numbers with linear probing and backward-shift deletion (no
// tombstones to degrade lookups after many evictions). A new key costs no allocation of the map's
// own once the vectors have grown.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rampart::agent {

template <typename V>
class LruMap {
 public:
  explicit LruMap(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Returns the entry for key, creating a default one (and evicting the least recently used entry
  // when full); marks it most recently used. The reference is valid until the next Get/Erase.
  V& Get(std::string_view key) { return Get(key, Hash(key)); }
  // The same with the key's hash already computed (h must be Hash(key)).
  V& Get(std::string_view key, std::size_t h) {
    if (const std::uint32_t e = Lookup(key, h); e != kNone) {
      MoveToFront(e);
      return entries_[e].value;
    }
    if (size_ >= capacity_) {
      const std::uint32_t victim = tail_;
      Remove(victim);
      ++evictions_;
    }
    std::uint32_t e;
    if (free_ != kNone) {
      e = free_;
      free_ = entries_[e].next;
      entries_[e].key.assign(key);
    } else {
      e = static_cast<std::uint32_t>(entries_.size());
      entries_.push_back(Entry{std::string(key), V{}, 0, kNone, kNone});
    }
    Entry& n = entries_[e];
    n.hash = h;
    ++size_;
    if ((size_ + 1) * 2 > table_.size()) Grow();
    InsertIndex(e, h);
    LinkFront(e);
    return n.value;
  }
  // nullptr when absent; does not change recency.
  V* Find(std::string_view key) {
    const std::uint32_t e = Lookup(key, Hash(key));
    return e == kNone ? nullptr : &entries_[e].value;
  }
  void Erase(std::string_view key) { Erase(key, Hash(key)); }
  void Erase(std::string_view key, std::size_t h) {
    const std::uint32_t e = Lookup(key, h);
    if (e != kNone) Remove(e);
  }
  std::size_t size() const { return size_; }
  std::uint64_t evictions() const { return evictions_; }
  static std::size_t Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }
  // Calls fn(key, value) for every entry, least recently used first (so Get()ting them in this
  // order into another map rebuilds the same recency: detector state persistence).
  template <typename F>
  void ForEachOldestFirst(F&& fn) const {
    for (std::uint32_t e = tail_; e != kNone; e = entries_[e].prev) {
      fn(std::string_view(entries_[e].key), entries_[e].value);
    }
  }

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  struct Entry {
    std::string key;
    V value;
    std::size_t hash;
    std::uint32_t prev;  // towards the most recently used; next: towards the least (or free list)
    std::uint32_t next;
  };

  std::uint32_t Lookup(std::string_view key, std::size_t h) const {
    if (size_ == 0) return kNone;
    const std::size_t mask = table_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const std::uint32_t e = table_[i];
      if (e == kNone) return kNone;
      if (entries_[e].hash == h && entries_[e].key == key) return e;
    }
  }
  void InsertIndex(std::uint32_t e, std::size_t h) {
    const std::size_t mask = table_.size() - 1;
    std::size_t i = h & mask;
    while (table_[i] != kNone) i = (i + 1) & mask;
    table_[i] = e;
  }
  void Grow() {
    std::vector<std::uint32_t> old = std::move(table_);
    table_.assign(old.empty() ? 16 : old.size() * 2, kNone);
    for (const std::uint32_t e : old) {
      if (e != kNone) InsertIndex(e, entries_[e].hash);
    }
  }
  // Drops entry e from the index (backward-shift deletion), the recency list, and frees its slot.
  void Remove(std::uint32_t e) {
    const std::size_t mask = table_.size() - 1;
    std::size_t i = entries_[e].hash & mask;
    while (table_[i] != e) i = (i + 1) & mask;
    for (std::size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
      const std::uint32_t f = table_[j];
      if (f == kNone) break;
      const std::size_t home = entries_[f].hash & mask;
      // f may fill the hole at i unless its home lies cyclically in (i, j].
      if (((j - home) & mask) >= ((j - i) & mask)) {
        table_[i] = f;
        i = j;
      }
    }
    table_[i] = kNone;
    Unlink(e);
    Entry& n = entries_[e];
    n.value = V{};  // release the state now; the key's buffer is kept for reuse
    n.next = free_;
    free_ = e;
    --size_;
  }
  void Unlink(std::uint32_t e) {
    Entry& n = entries_[e];
    (n.prev == kNone ? head_ : entries_[n.prev].next) = n.next;
    (n.next == kNone ? tail_ : entries_[n.next].prev) = n.prev;
  }
  void LinkFront(std::uint32_t e) {
    Entry& n = entries_[e];
    n.prev = kNone;
    n.next = head_;
    (head_ == kNone ? tail_ : entries_[head_].prev) = e;
    head_ = e;
  }
  void MoveToFront(std::uint32_t e) {
    if (head_ == e) return;
    Unlink(e);
    LinkFront(e);
  }

  std::size_t capacity_;
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> table_;  // entry numbers; power-of-two size, at most half full
  std::size_t size_ = 0;
  std::uint32_t head_ = kNone;  // most recently used
  std::uint32_t tail_ = kNone;  // least recently used
  std::uint32_t free_ = kNone;  // freed entries, chained through next
  std::uint64_t evictions_ = 0;
};

}  // namespace rampart::agent
