// Helpers for the web_sites and web_services collector tests: a fixture root under
// tests/testdata, and a row's array of strings.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/host_view.h"
#include "common/json.h"

namespace rampart::agent::web_test {

inline HostView FixtureRoot(const std::string& name) {
  auto h = HostView::Open(std::string(RAMPART_SOURCE_DIR "/tests/testdata/") + name);
  EXPECT_TRUE(h.ok()) << name;
  return std::move(h).value();
}

inline std::vector<std::string> Strings(const Json& row, std::string_view key) {
  std::vector<std::string> out;
  if (const Json* v = row.Find(key); v != nullptr && v->is_array()) {
    for (const Json& e : v->as_array()) out.push_back(e.as_string());
  }
  return out;
}

}  // namespace rampart::agent::web_test
