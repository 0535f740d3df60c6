// startup_services on this machine: every .service unit file of /lib/systemd/system and
// /etc/systemd/system is reported, and `enabled` agrees with `systemctl is-enabled` (which works
// offline, from the unit files, even without systemd as PID 1).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "agent/collectors/startup_services.h"
#include "agent/collectors/systemctl_query.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

namespace fs = std::filesystem;

std::map<std::string, Json> ByName(const Json& rows) {
  std::map<std::string, Json> out;
  for (const Json& r : rows.as_array()) {
    if (r.GetString("type") == "systemd") out.emplace(r.GetString("name"), r);
  }
  return out;
}

TEST(StartupServicesLive, EveryServiceUnitFileIsReported) {
  const Json rows = CollectStartupServices(HostView(), std::nullopt);
  for (const Json& r : rows.as_array()) ASSERT_TRUE(ValidateRow(r, StartupServicesSchema()).ok());
  const auto units = ByName(rows);
  int checked = 0;
  for (const char* dir : {"/etc/systemd/system", "/lib/systemd/system"}) {
    std::error_code ec;
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      const std::string name = e.path().filename();
      if (!name.ends_with(".service") || name.find("@.") != std::string::npos) continue;
      if (e.is_symlink()) {
        const fs::path target = fs::read_symlink(e.path(), ec);
        if (target == "/dev/null") {
          ASSERT_TRUE(units.count(name)) << e.path();
          EXPECT_EQ(units.at(name).GetString("state"), "masked") << e.path();
          ++checked;
          continue;
        }
        if (target.filename() != name) continue;  // an alias, not a unit of its own
      } else if (!e.is_regular_file()) {
        continue;
      }
      EXPECT_TRUE(units.count(name)) << e.path() << " is missing";
      ++checked;
    }
  }
  if (checked == 0) GTEST_SKIP() << "no systemd unit files on this machine";
}

TEST(StartupServicesLive, EnabledAgreesWithSystemctlIsEnabled) {
  if (access("/usr/bin/systemctl", X_OK) != 0) GTEST_SKIP() << "systemctl is not installed";
  const auto units = ByName(CollectStartupServices(HostView(), std::nullopt));
  int compared = 0;
  for (const auto& [name, row] : units) {
    // systemctl exits non-zero for disabled and masked units, so read its output with popen rather
    // than RunCommandCapture. Unit names hold no quotes (ParseUnitName rejects them).
    const std::string cmd = "/usr/bin/systemctl is-enabled '" + name + "' 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    char buf[128] = {};
    const std::string state =
        fgets(buf, sizeof buf, p) != nullptr ? std::string(TrimView(buf)) : "";
    pclose(p);
    if (state != "enabled" && state != "disabled" && state != "masked")
      continue;  // static, alias...
    EXPECT_EQ(row.Find("enabled")->as_bool(), state == "enabled") << name << " is " << state;
    if (state == "masked") {
      EXPECT_EQ(row.GetString("state"), "masked") << name;
    }
    if (++compared >= 40) break;
  }
  if (compared == 0) GTEST_SKIP() << "no enabled/disabled/masked units to compare";
}

TEST(StartupServicesLive, StateIsUnknownWithoutARunningSystemd) {
  const HostView host;
  const auto states = QuerySystemdActiveStates(host);
  const Json rows = CollectStartupServices(host, states);
  if (SystemdRunning(host)) {
    ASSERT_TRUE(states.has_value()) << "systemctl list-units failed on a systemd host";
    for (const Json& r : rows.as_array()) EXPECT_NE(r.GetString("state"), "unknown");
  } else {
    EXPECT_FALSE(states.has_value());
    for (const Json& r : rows.as_array()) {
      EXPECT_TRUE(r.GetString("state") == "unknown" || r.GetString("state") == "masked")
          << r.GetString("name");
    }
  }
}

TEST(RunCommandCapture, CapturesStdoutAndReportsFailuresAndTimeouts) {
  auto out = RunCommandCapture({"/bin/echo", "a b", "c"}, std::chrono::seconds(5));
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  EXPECT_EQ(*out, "a b c\n");
  EXPECT_EQ(RunCommandCapture({"/bin/false"}, std::chrono::seconds(5)).error().code(),
            Code::kUnavailable);
  EXPECT_EQ(RunCommandCapture({"/nonexistent/binary"}, std::chrono::seconds(5)).error().code(),
            Code::kUnavailable);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(RunCommandCapture({"/bin/sleep", "10"}, std::chrono::milliseconds(200)).error().code(),
            Code::kDeadlineExceeded);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(RunCommandCapture({"/usr/bin/yes"}, std::chrono::seconds(5), 4096).error().code(),
            Code::kResourceExhausted);
  EXPECT_EQ(RunCommandCapture({}, std::chrono::seconds(1)).error().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace rampart::agent
