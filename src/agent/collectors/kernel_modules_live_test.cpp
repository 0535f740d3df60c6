// The kernel_modules collector on this machine against /proc/modules read independently: every
// loaded module appears once with the kernel's size and reference count.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "agent/collectors/kernel_modules.h"

namespace rampart::agent {
namespace {

struct Expected {
  long long size = 0;
  long long refcount = -1;
};

TEST(KernelModulesLive, RowsMatchProcModules) {
  std::ifstream in("/proc/modules");
  if (!in) GTEST_SKIP() << "/proc/modules does not exist (kernel without loadable module support)";
  std::map<std::string, Expected> want;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string name, size, ref;
    if (!(f >> name >> size >> ref)) continue;
    want[name] = {std::stoll(size), ref == "-" ? -1 : std::stoll(ref)};
  }
  HostView live;
  KernelModulesCollector c;
  auto out = c.Collect(CollectContext{live, SystemClock::Instance(), {}});
  ASSERT_TRUE(out) << out.error().ToString();
  std::map<std::string, Expected> got;
  for (const auto& row : out->as_array()) {
    const Status s = ValidateRow(row, c.schema());
    EXPECT_TRUE(s.ok()) << s.message();
    EXPECT_TRUE(
        got.emplace(row.GetString("name"), Expected{row.GetInt("size"), row.GetInt("refcount")})
            .second)
        << "duplicate " << row.GetString("name");
  }
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [name, e] : want) {
    ASSERT_TRUE(got.count(name) == 1) << name;
    EXPECT_EQ(got[name].size, e.size) << name;
    // Reference counts move while modules are in use; a module unloaded or loaded in between is
    // rare.
    EXPECT_EQ(got[name].refcount, e.refcount) << name;
  }
}

}  // namespace
}  // namespace rampart::agent
