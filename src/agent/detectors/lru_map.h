#pragma once
// LruMap: a string-keyed map holding at most `capacity` entries; inserting into a full map evicts
// the least recently used entry. Detectors use it to bound per-key state (a flood of distinct
// sources cannot exhaust memory). Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace rampart::agent {

template <typename V>
class LruMap {
 public:
  explicit LruMap(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Returns the entry for key, creating a default one (and evicting the least recently used entry
  // when full); marks it most recently used. The reference is valid until the next Get/Erase.
  V& Get(std::string_view key) {
    if (auto it = index_.find(key); it != index_.end()) {
      order_.splice(order_.begin(), order_, it->second);
      return it->second->second;
    }
    if (index_.size() >= capacity_) {
      index_.erase(std::string_view(order_.back().first));
      order_.pop_back();
      ++evictions_;
    }
    order_.emplace_front(std::string(key), V{});
    index_.emplace(std::string_view(order_.front().first), order_.begin());
    return order_.front().second;
  }
  // nullptr when absent; does not change recency.
  V* Find(std::string_view key) {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &it->second->second;
  }
  void Erase(std::string_view key) {
    auto it = index_.find(key);
    if (it == index_.end()) return;
    auto node = it->second;
    index_.erase(it);
    order_.erase(node);
  }
  std::size_t size() const { return index_.size(); }
  std::uint64_t evictions() const { return evictions_; }

 private:
  using List = std::list<std::pair<std::string, V>>;
  std::size_t capacity_;
  List order_;  // most recently used first
  std::unordered_map<std::string_view, typename List::iterator> index_;
  std::uint64_t evictions_ = 0;
};

}  // namespace rampart::agent
