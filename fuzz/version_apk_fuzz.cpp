// Fuzzes the apk version comparator (apk-tools ordering): never crashes, and on every input it
// accepts it is a total preorder: reflexive, antisymmetric in sign, transitive. The input is split
// on '\n' into three versions.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/vuln/version_apk.h"

namespace {

int Sign(int v) { return (v > 0) - (v < 0); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using rampart::agent::vuln::CompareApkVersions;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::array<std::string_view, 3> v{};
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::size_t nl = text.find('\n');
    v[i] = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  std::array<bool, 3> valid{};
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto self = CompareApkVersions(v[i], v[i]);
    valid[i] = self.ok();
    if (valid[i] && *self != 0) __builtin_trap();  // reflexive
  }
  // cmp[i][j] = sign(compare(v[i], v[j])) for valid pairs.
  std::array<std::array<int, 3>, 3> cmp{};
  for (std::size_t i = 0; i < v.size(); ++i) {
    for (std::size_t j = 0; j < v.size(); ++j) {
      const auto r = CompareApkVersions(v[i], v[j]);
      if (r.ok() != (valid[i] && valid[j])) __builtin_trap();  // validity is per version
      if (r.ok()) cmp[i][j] = Sign(*r);
    }
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    for (std::size_t j = 0; j < v.size(); ++j) {
      if (!valid[i] || !valid[j]) continue;
      if (cmp[i][j] != -cmp[j][i]) __builtin_trap();  // antisymmetric
      for (std::size_t k = 0; k < v.size(); ++k) {
        if (!valid[k]) continue;
        if (cmp[i][j] <= 0 && cmp[j][k] <= 0 && cmp[i][k] > 0) __builtin_trap();  // transitive
      }
    }
  }
  return 0;
}
