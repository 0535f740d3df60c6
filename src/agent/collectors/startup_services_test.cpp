#include "agent/collectors/startup_services.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "agent/collectors/registry.h"
#include "agent/collectors/systemd_scan.h"

namespace rampart::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

HostView Root(const char* name) {
  auto h = HostView::Open(std::string(RAMPART_SOURCE_DIR "/tests/testdata/") + name);
  EXPECT_TRUE(h.ok());
  return std::move(h).value();
}

// The row named `name` of type `type`; an empty object (failing the field checks) when absent.
Json Find(const Json& rows, std::string_view name, std::string_view type) {
  for (const Json& r : rows.as_array()) {
    if (r.GetString("name") == name && r.GetString("type") == type) return r;
  }
  ADD_FAILURE() << "no row " << name << " (" << type << ")";
  return Json::MakeObject();
}

bool Has(const Json& rows, std::string_view name) {
  for (const Json& r : rows.as_array()) {
    if (r.GetString("name") == name) return true;
  }
  return false;
}

std::vector<std::string> Strings(const Json& row, std::string_view key) {
  std::vector<std::string> out;
  if (const Json* v = row.Find(key); v != nullptr && v->is_array()) {
    for (const Json& e : v->as_array()) out.push_back(e.as_string());
  }
  return out;
}

bool Enabled(const Json& row) {
  const Json* v = row.Find("enabled");
  return v != nullptr && v->is_bool() && v->as_bool();
}

class DebianServices : public ::testing::Test {
 protected:
  HostView host_ = Root("root-debian");
  Json rows_ = CollectStartupServices(host_, std::nullopt);
};

TEST_F(DebianServices, EveryRowMatchesTheSchema) {
  ASSERT_GT(rows_.size(), 10u);
  for (const Json& r : rows_.as_array()) EXPECT_TRUE(ValidateRow(r, StartupServicesSchema()).ok());
}

TEST_F(DebianServices, VendorUnitEnabledByWantsLink) {
  const Json ssh = Find(rows_, "ssh.service", "systemd");
  EXPECT_TRUE(Enabled(ssh));
  EXPECT_EQ(ssh.GetString("state"), "unknown");  // not a live host
  EXPECT_EQ(ssh.GetString("exec"), "/usr/sbin/sshd -D $SSHD_OPTS");
  EXPECT_EQ(ssh.GetString("user"), "root");
  EXPECT_EQ(ssh.GetString("path"), "/lib/systemd/system/ssh.service");
  EXPECT_EQ(ssh.GetString("description"), "OpenBSD Secure Shell server");
  EXPECT_THAT(Strings(ssh, "wanted_by"), ElementsAre("multi-user.target"));
  EXPECT_EQ(ssh.GetString("restart"), "on-failure");
  EXPECT_EQ(ssh.GetString("type_of_service"), "notify");
  EXPECT_EQ(ssh.GetString("source"), "vendor");
  EXPECT_THAT(Strings(ssh, "aliases"), ElementsAre("sshd.service"));
  EXPECT_FALSE(Has(rows_, "sshd.service"));  // an alias is not a second service
}

TEST_F(DebianServices, DropInReplacesExecStartAndUser) {
  const Json nginx = Find(rows_, "nginx.service", "systemd");
  EXPECT_EQ(nginx.GetString("exec"), "/usr/sbin/nginx -c /etc/nginx/custom.conf -g \"daemon on;\"");
  EXPECT_EQ(nginx.GetString("user"), "www-data");
  EXPECT_EQ(nginx.GetString("type_of_service"), "forking");
  EXPECT_THAT(Strings(nginx, "drop_ins"),
              ElementsAre("/etc/systemd/system/nginx.service.d/override.conf"));
}

TEST_F(DebianServices, MaskedUnitIsDisabledWithStateMasked) {
  const Json rsync = Find(rows_, "rsync.service", "systemd");
  EXPECT_FALSE(Enabled(rsync));
  EXPECT_TRUE(rsync.Find("masked")->as_bool());
  EXPECT_EQ(rsync.GetString("state"), "masked");
  EXPECT_EQ(rsync.GetString("path"), "/etc/systemd/system/rsync.service");
  EXPECT_EQ(rsync.GetString("exec"), "");
  EXPECT_EQ(rsync.GetString("source"), "admin");
}

TEST_F(DebianServices, TemplatesAppearOnlyAsEnabledInstances) {
  EXPECT_FALSE(Has(rows_, "getty@.service"));
  EXPECT_FALSE(Has(rows_, "autovt@.service"));
  EXPECT_FALSE(Has(rows_, "postgresql@.service"));
  const Json getty = Find(rows_, "getty@tty1.service", "systemd");
  EXPECT_TRUE(Enabled(getty));
  EXPECT_EQ(getty.GetString("path"), "/lib/systemd/system/getty@.service");
  EXPECT_EQ(getty.GetString("description"), "Getty on tty1");  // %I expanded
  EXPECT_EQ(getty.GetString("exec"), "/sbin/agetty -o '-p -- \\\\u' --noclear - $TERM");
  EXPECT_THAT(Strings(getty, "wanted_by"), ElementsAre("getty.target"));
  EXPECT_EQ(getty.GetString("restart"), "always");
  EXPECT_EQ(getty.GetString("type_of_service"), "idle");
}

TEST_F(DebianServices, AdminUnitWithContinuationsCommentsAndQuotes) {
  const Json b = Find(rows_, "backdoor.service", "systemd");
  EXPECT_TRUE(Enabled(b));
  EXPECT_EQ(b.GetString("exec"),
            "/opt/relay/bin/relay --listen 0.0.0.0:4444  --exec \"/bin/sh -c 'id; uname -a'\"");
  EXPECT_EQ(b.GetString("user"), "nobody");
  EXPECT_EQ(b.GetString("description"), "Metrics  relay   # not a comment: part of the value");
  EXPECT_EQ(b.GetString("source"), "admin");
  EXPECT_EQ(b.GetString("path"), "/etc/systemd/system/backdoor.service");
}

TEST_F(DebianServices, UnitsWithoutLinksAreDisabled) {
  const Json w = Find(rows_, "disabled-worker.service", "systemd");
  EXPECT_FALSE(Enabled(w));
  EXPECT_THAT(Strings(w, "wanted_by"), IsEmpty());
  EXPECT_EQ(w.GetString("user"), "disabled-worker");  // DynamicUser= without User=
  const Json backup = Find(rows_, "backup.service", "systemd");
  EXPECT_FALSE(Enabled(backup));
  EXPECT_EQ(backup.GetString("exec"), "/usr/local/bin/backup.sh --full /srv");  // '@' argv0 dropped
  EXPECT_EQ(backup.GetString("user"), "bob");
  EXPECT_EQ(backup.GetString("type_of_service"), "oneshot");
}

TEST_F(DebianServices, VendorWantsLinksAndAdminAliasesEnable) {
  const Json journald = Find(rows_, "systemd-journald.service", "systemd");
  EXPECT_TRUE(Enabled(journald));
  EXPECT_THAT(Strings(journald, "wanted_by"), ElementsAre("sysinit.target"));
  // No .wants link, but its [Install] Alias= exists in /etc/systemd/system.
  const Json timesyncd = Find(rows_, "systemd-timesyncd.service", "systemd");
  EXPECT_TRUE(Enabled(timesyncd));
  EXPECT_THAT(Strings(timesyncd, "wanted_by"), IsEmpty());
  EXPECT_EQ(timesyncd.GetString("exec"), "/lib/systemd/systemd-timesyncd");  // "!!" stripped
  EXPECT_EQ(timesyncd.GetString("user"), "systemd-timesync");
}

TEST_F(DebianServices, TimersAreNotServices) {
  for (const Json& r : rows_.as_array()) {
    EXPECT_FALSE(r.GetString("name").ends_with(".timer")) << r.GetString("name");
  }
}

TEST_F(DebianServices, SysvScriptsEnabledByStartLinksOnly) {
  const Json cron = Find(rows_, "cron", "sysv");
  EXPECT_TRUE(Enabled(cron));
  EXPECT_THAT(Strings(cron, "wanted_by"), ElementsAre("runlevel2", "runlevel3"));
  EXPECT_EQ(cron.GetString("exec"), "/etc/init.d/cron");
  EXPECT_EQ(cron.GetString("path"), "/etc/init.d/cron");
  EXPECT_EQ(cron.GetString("user"), "root");
  EXPECT_EQ(cron.GetString("description"), "Regular background program processing daemon");
  const Json agent = Find(rows_, "legacy-agent", "sysv");
  EXPECT_TRUE(Enabled(agent));  // a K link in rc0.d does not matter
  EXPECT_THAT(Strings(agent, "wanted_by"), ElementsAre("runlevel2"));
  EXPECT_FALSE(Enabled(Find(rows_, "old-daemon", "sysv")));  // only a K01 link
  EXPECT_FALSE(Has(rows_, "README"));
}

TEST_F(DebianServices, ExecutableRcLocalIsEnabled) {
  const Json rc = Find(rows_, "rc.local", "rc.local");
  EXPECT_TRUE(Enabled(rc));
  EXPECT_EQ(rc.GetString("exec"), "/etc/rc.local");
  EXPECT_EQ(rc.GetString("state"), "unknown");
}

TEST_F(DebianServices, ListsExactlyTheExpectedServices) {
  std::set<std::string> names;
  for (const Json& r : rows_.as_array())
    names.insert(r.GetString("type") + ":" + r.GetString("name"));
  EXPECT_EQ(names,
            (std::set<std::string>{
                "systemd:apt-daily.service", "systemd:backdoor.service", "systemd:backup.service",
                "systemd:cron.service", "systemd:disabled-worker.service", "systemd:fstrim.service",
                "systemd:getty@tty1.service", "systemd:nginx.service", "systemd:rsync.service",
                "systemd:ssh.service", "systemd:systemd-journald.service",
                "systemd:systemd-timesyncd.service", "systemd:systemd-tmpfiles-clean.service",
                "sysv:cron", "sysv:legacy-agent", "sysv:old-daemon", "rc.local:rc.local"}));
}

TEST_F(DebianServices, StatesComeFromSystemctlWhenGiven) {
  const std::map<std::string, std::string> states = {{"ssh.service", "active"},
                                                     {"nginx.service", "failed"},
                                                     {"rsync.service", "inactive"},
                                                     {"cron.service", "active"},
                                                     {"rc-local.service", "active"}};
  const Json rows = CollectStartupServices(host_, states);
  EXPECT_EQ(Find(rows, "ssh.service", "systemd").GetString("state"), "active");
  EXPECT_EQ(Find(rows, "nginx.service", "systemd").GetString("state"), "failed");
  EXPECT_EQ(Find(rows, "rsync.service", "systemd").GetString("state"), "masked");
  EXPECT_EQ(Find(rows, "backup.service", "systemd").GetString("state"), "inactive");
  EXPECT_EQ(Find(rows, "rc.local", "rc.local").GetString("state"), "active");
  EXPECT_EQ(Find(rows, "legacy-agent", "sysv").GetString("state"), "inactive");
}

TEST(RpmServices, UsrLibUnitsDropInsMaskAndRcDLayout) {
  const HostView host = Root("root-rpm");
  const Json rows = CollectStartupServices(host, std::nullopt);
  for (const Json& r : rows.as_array()) EXPECT_TRUE(ValidateRow(r, StartupServicesSchema()).ok());
  const Json httpd = Find(rows, "httpd.service", "systemd");
  EXPECT_TRUE(Enabled(httpd));
  EXPECT_EQ(httpd.GetString("path"), "/usr/lib/systemd/system/httpd.service");
  EXPECT_EQ(httpd.GetString("exec"), "/usr/sbin/httpd -f /etc/httpd/conf/custom.conf -DFOREGROUND");
  EXPECT_EQ(httpd.GetString("user"), "apache");
  EXPECT_EQ(httpd.GetString("restart"), "on-abnormal");
  // Drop-ins apply in file-name order.
  EXPECT_THAT(Strings(httpd, "drop_ins"),
              ElementsAre("/etc/systemd/system/httpd.service.d/10-limits.conf",
                          "/etc/systemd/system/httpd.service.d/override.conf"));
  EXPECT_TRUE(Enabled(Find(rows, "sshd.service", "systemd")));
  EXPECT_TRUE(Enabled(Find(rows, "getty@tty1.service", "systemd")));
  EXPECT_FALSE(
      Enabled(Find(rows, "firewalld.service", "systemd")));  // Alias= declared, not present
  const Json kdump = Find(rows, "kdump.service", "systemd");
  EXPECT_EQ(kdump.GetString("state"), "masked");
  EXPECT_FALSE(Enabled(kdump));
  const Json network = Find(rows, "network", "sysv");
  EXPECT_TRUE(Enabled(network));  // /etc/rc.d/rc3.d/S10network
  EXPECT_EQ(network.GetString("path"), "/etc/init.d/network");
  EXPECT_EQ(network.GetString("description"), "Bring up/down networking");
  EXPECT_FALSE(Has(rows, "functions"));  // a library, not executable
  // /etc/rc.local links to /etc/rc.d/rc.local: one row, disabled because not executable.
  int rc_local = 0;
  for (const Json& r : rows.as_array()) rc_local += r.GetString("type") == "rc.local" ? 1 : 0;
  EXPECT_EQ(rc_local, 1);
  EXPECT_FALSE(Enabled(Find(rows, "rc.local", "rc.local")));
}

TEST(AlpineServices, OpenrcScriptsEnabledByRunlevelLinks) {
  const HostView host = Root("root-alpine");
  const Json rows = CollectStartupServices(host, std::nullopt);
  ASSERT_EQ(rows.size(), 5u);
  for (const Json& r : rows.as_array()) {
    EXPECT_TRUE(ValidateRow(r, StartupServicesSchema()).ok());
    EXPECT_EQ(r.GetString("type"), "openrc");
  }
  const Json sshd = Find(rows, "sshd", "openrc");
  EXPECT_TRUE(Enabled(sshd));
  EXPECT_THAT(Strings(sshd, "wanted_by"), ElementsAre("default"));
  EXPECT_EQ(sshd.GetString("description"), "OpenBSD Secure Shell server");
  EXPECT_EQ(sshd.GetString("exec"), "/etc/init.d/sshd");
  const Json nginx = Find(rows, "nginx", "openrc");
  EXPECT_EQ(nginx.GetString("user"), "nginx");  // command_user="nginx:nginx"
  EXPECT_THAT(Strings(Find(rows, "networking", "openrc"), "wanted_by"), ElementsAre("boot"));
  EXPECT_FALSE(Enabled(Find(rows, "local", "openrc")));  // only in the shutdown runlevel
}

TEST(InitScriptInfo, ParsesLsbAndOpenrcHeads) {
  auto info =
      ParseInitScriptInfo("#!/bin/sh\n### BEGIN INIT INFO\n# Short-Description:  Foo daemon \n");
  EXPECT_FALSE(info.openrc);
  EXPECT_EQ(info.description, "Foo daemon");
  info = ParseInitScriptInfo(
      "#!/sbin/openrc-run\ndescription=\"Bar 'x'\"\ncommand_user=\"bar:bar\"\n");
  EXPECT_TRUE(info.openrc);
  EXPECT_EQ(info.description, "Bar 'x'");
  EXPECT_EQ(info.command_user, "bar");
  info = ParseInitScriptInfo(std::string("\0\xff\n#!/sbin/openrc-run\n", 21));
  EXPECT_FALSE(info.openrc);
}

TEST(StartupServicesCollector, IsRegisteredAndDegradesOnAnEmptyRoot) {
  auto c = MakeStartupServicesCollector();
  EXPECT_EQ(c->name(), "startup_services");
  EXPECT_EQ(c->shape(), Shape::kRows);
  const HostView host = Root("root-alpine");
  FakeClock clock(std::chrono::system_clock::time_point{});
  auto rows = c->Collect(CollectContext{host, clock, {}});
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 5u);
  auto empty = HostView::Open(RAMPART_SOURCE_DIR "/tests/testdata/root-alpine/proc");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(CollectStartupServices(*empty, std::nullopt).size(), 0u);
}

}  // namespace
}  // namespace rampart::agent

namespace rampart::agent {
namespace {

TEST(HostileServices, GarbageUnitsLoopsAndMaskedDropInsDoNotBreakCollection) {
  char tmpl[] = "/tmp/rampart-svc-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  namespace fs = std::filesystem;
  const auto write = [&](const std::string& path, const std::string& data) {
    fs::create_directories(fs::path(dir + path).parent_path());
    std::ofstream(dir + path, std::ios::binary) << data;
  };
  std::string binary(8192, '\0');
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>((i * 77) & 0xff);
  write("/lib/systemd/system/garbage.service", binary);
  write("/lib/systemd/system/good.service",
        "[Service]\nExecStart=/bin/good\n" + std::string("User=a\0b\n", 9) + "User=ok\n");
  write("/etc/systemd/system/good.service.d/zz.conf",
        "[Service]\nExecStart=\nExecStart=/bin/better\n");
  fs::create_symlink("/dev/null", dir + "/etc/systemd/system/good.service.d/aa.conf");
  fs::create_symlink("loop.service", dir + "/etc/systemd/system/loop.service");
  fs::create_directories(dir + "/etc/systemd/system/multi-user.target.wants");
  fs::create_symlink("/nonexistent/dangling.service",
                     dir + "/etc/systemd/system/multi-user.target.wants/dangling.service");
  write("/etc/init.d/binary", binary);
  fs::permissions(dir + "/etc/init.d/binary", fs::perms::owner_all);
  const Json rows = CollectStartupServices(*HostView::Open(dir), std::nullopt);
  std::set<std::string> seen;
  for (const Json& r : rows.as_array()) {
    EXPECT_TRUE(ValidateRow(r, StartupServicesSchema()).ok());
    seen.insert(r.GetString("name") + "=" + r.GetString("exec") + "/" + r.GetString("user"));
  }
  fs::remove_all(dir);
  EXPECT_EQ(seen, (std::set<std::string>{"garbage.service=/root", "good.service=/bin/better/ok",
                                         "loop.service=/root", "binary=/etc/init.d/binary/root"}));
}

}  // namespace
}  // namespace rampart::agent
