// ReadRuntimeUsage on this machine: this test process maps libc, so the package that owns the libc
// file it maps — found independently with `dpkg -S` — must list this pid.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <optional>
#include <string>

#include "agent/collectors/proc_maps.h"
#include "agent/vuln/runtime_usage.h"
#include "common/files.h"
#include "common/host_view.h"

namespace rampart::agent::vuln {
namespace {

// The libc this process maps ("/usr/lib/x86_64-linux-gnu/libc.so.6"), from /proc/self/maps.
std::optional<std::string> OwnLibcPath() {
  auto text = ReadLocalFile("/proc/self/maps");
  if (!text.ok()) return std::nullopt;
  for (const MappedFile& f : ParseProcMaps(*text)) {
    const std::string name = f.path.substr(f.path.rfind('/') + 1);
    if (name.starts_with("libc.so") || (name.starts_with("libc-") && name.ends_with(".so"))) {
      return f.path;
    }
  }
  return std::nullopt;
}

// `dpkg -S PATH` -> "libc6:amd64: /lib/x86_64-linux-gnu/libc.so.6" -> "libc6"; nullopt when dpkg
// does not know the path (or is not installed).
std::optional<std::string> DpkgOwner(const std::string& path) {
  const std::string cmd = "dpkg -S '" + path + "' 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return std::nullopt;
  std::string out;
  std::array<char, 512> buf{};
  while (std::fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
  if (::pclose(p) != 0 || out.empty()) return std::nullopt;
  const std::string first = out.substr(0, out.find(": "));
  return first.substr(0, first.find_first_of(":,"));
}

TEST(RuntimeUsageLive, ThePackageOwningTheMappedLibcListsThisProcess) {
  if (::access("/var/lib/dpkg/info", F_OK) != 0) GTEST_SKIP() << "not a dpkg host";
  const auto libc = OwnLibcPath();
  ASSERT_TRUE(libc) << "no libc in /proc/self/maps";
  // dpkg lists may name the file in its /usr-merged or its original spelling.
  std::optional<std::string> owner = DpkgOwner(*libc);
  if (!owner && libc->starts_with("/usr/")) owner = DpkgOwner(libc->substr(4));
  ASSERT_TRUE(owner) << "dpkg -S does not know " << *libc;

  const RuntimeUsage usage = ReadRuntimeUsage(HostView());
  ASSERT_TRUE(usage.available);
  EXPECT_GE(usage.processes_scanned, 1U);
  auto it = usage.packages.find(*owner);
  ASSERT_NE(it, usage.packages.end()) << *owner << " (owner of " << *libc << ") is not in use";
  EXPECT_EQ(it->second.processes.count(::getpid()), 1U) << *owner << " does not list this pid";
  EXPECT_EQ(usage.names.count(::getpid()), 1U);
}

}  // namespace
}  // namespace rampart::agent::vuln
