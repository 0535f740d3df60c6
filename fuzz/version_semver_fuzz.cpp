// Fuzzes CompareSemverVersions: the input is split on the first two '\n' into three versions. It
// must never crash; errors must name the offending input; on valid versions the order must be a
// total preorder: reflexive, antisymmetric and transitive.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/vuln/version_semver.h"

namespace {

int Sign(int v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using rampart::agent::vuln::CompareSemverVersions;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::string_view v[3];
  for (int i = 0; i < 2; ++i) {
    const std::size_t nl = rest.find('\n');
    v[i] = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  v[2] = rest;
  bool valid[3];
  for (int i = 0; i < 3; ++i) {
    const auto self = CompareSemverVersions(v[i], v[i]);
    valid[i] = self.ok();
    if (self.ok() && *self != 0) __builtin_trap();  // reflexive
    if (!self.ok() && self.error().message().find(std::string(v[i])) == std::string::npos) {
      __builtin_trap();  // the error names the input
    }
  }
  int c[3][3] = {};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      const auto r = CompareSemverVersions(v[i], v[j]);
      if (r.ok() != (valid[i] && valid[j])) __builtin_trap();
      if (r.ok()) c[i][j] = Sign(*r);
    }
  }
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      if (!valid[i] || !valid[j]) continue;
      if (c[i][j] != -c[j][i]) __builtin_trap();  // antisymmetric
      for (int k = 0; k < 3; ++k) {
        if (!valid[k]) continue;
        if (c[i][j] <= 0 && c[j][k] <= 0 && c[i][k] > 0) __builtin_trap();  // transitive
        if (c[i][j] == 0 && c[j][k] == 0 && c[i][k] != 0) __builtin_trap();
      }
    }
  }
  return 0;
}
