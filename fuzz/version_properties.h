#pragma once
// The property check every version-comparator fuzz target runs: the input is split on the first two
// '\n' into three versions; the comparator must never crash, accept or reject each version on its
// own (not per pair), name the input in its errors, and on valid versions be reflexive,
// antisymmetric in sign, with transitive equality and, unless the ecosystem's order is known to
// have cycles, a transitive order.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rampart::fuzz {

enum class Order { kTotalPreorder, kCyclicAllowed };

template <typename Compare>
void CheckVersionProperties(const std::uint8_t* data, std::size_t size, Compare compare,
                            Order order = Order::kTotalPreorder) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::string_view v[3];
  for (int i = 0; i < 2; ++i) {
    const std::size_t nl = rest.find('\n');
    v[i] = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  v[2] = rest;
  const auto sign = [](int x) { return (x > 0) - (x < 0); };
  bool valid[3];
  for (int i = 0; i < 3; ++i) {
    const Result<int> self = compare(v[i], v[i]);
    valid[i] = self.ok();
    if (self.ok() && *self != 0) __builtin_trap();  // reflexive
    // The error names the input. Messages may escape bytes outside printable ASCII and shorten long
    // inputs, so only short printable-ASCII inputs are checked.
    bool printable = v[i].size() <= 64;
    for (const char ch : v[i]) printable = printable && ch >= 0x20 && ch < 0x7f;
    if (!self.ok() && printable &&
        self.error().message().find(std::string(v[i])) == std::string::npos) {
      __builtin_trap();
    }
  }
  int c[3][3] = {};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      const Result<int> r = compare(v[i], v[j]);
      if (r.ok() != (valid[i] && valid[j])) __builtin_trap();  // validity is per version
      if (r.ok()) c[i][j] = sign(*r);
    }
  }
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      if (!valid[i] || !valid[j]) continue;
      if (c[i][j] != -c[j][i]) __builtin_trap();  // antisymmetric
      for (int k = 0; k < 3; ++k) {
        if (!valid[k]) continue;
        if (c[i][j] == 0 && c[j][k] == 0 && c[i][k] != 0)
          __builtin_trap();  // equality is transitive
        if (order == Order::kTotalPreorder && c[i][j] <= 0 && c[j][k] <= 0 && c[i][k] > 0) {
          __builtin_trap();  // transitive
        }
      }
    }
  }
}

}  // namespace rampart::fuzz
