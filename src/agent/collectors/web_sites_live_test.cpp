// web_sites and web_services on this machine: every row matches its schema and agrees with the file
// system and /proc as the test sees them (a machine without web servers yields no rows and the
// checks pass trivially; CI images with nginx or Apache installed exercise them).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "agent/collectors/web_roots.h"
#include "agent/collectors/web_services.h"
#include "agent/collectors/web_sites.h"

namespace rampart::agent {
namespace {

namespace fs = std::filesystem;

TEST(WebSitesLive, RowsAgreeWithTheFileSystem) {
  const Json rows = CollectWebSites(HostView());
  for (const Json& r : rows.as_array()) {
    ASSERT_TRUE(ValidateRow(r, WebSitesSchema()).ok()) << r.Dump();
    std::error_code ec;
    EXPECT_TRUE(fs::exists(r.GetString("config"), ec)) << r.Dump();
    const std::string root = r.GetString("root");
    const Json* exists = r.Find("root_exists");
    EXPECT_EQ(exists->as_bool(), !root.empty() && fs::exists(root, ec)) << r.Dump();
  }
  // Every existing root is covered by the quick-scan places (unless it is a system directory).
  const auto places = QuickScanPlaces(HostView());
  for (const std::string& root : WebSiteScanRoots(HostView(), rows)) {
    bool covered = false;
    for (const std::string& p : places) {
      covered = covered || root == p || root.starts_with(p + "/");
    }
    EXPECT_TRUE(covered) << root;
  }
}

TEST(WebServicesLive, RowsNameRunningProcessesOfTheirKind) {
  const Json rows = CollectWebServices(HostView());
  for (const Json& r : rows.as_array()) {
    ASSERT_TRUE(ValidateRow(r, WebServicesSchema()).ok()) << r.Dump();
    const std::string proc = "/proc/" + std::to_string(r.GetInt("pid"));
    std::error_code ec;
    if (!fs::exists(proc, ec)) continue;  // exited since
    EXPECT_FALSE(r.GetString("server").empty());
  }
}

}  // namespace
}  // namespace rampart::agent
