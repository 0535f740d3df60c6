// The accounts collector on this machine agrees with getent(1) (name, uid, gid, home, shell of
// every account), and its rows are well-formed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <set>
#include <tuple>

#include "agent/collectors/accounts.h"
#include "agent/collectors/passwd.h"
#include "agent/collectors/registry.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

using Account = std::tuple<std::string, std::int64_t, std::int64_t, std::string, std::string>;

std::string RunCommand(const char* cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd, "r"), ::pclose);
  std::string out;
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p.get())) > 0) out.append(buf, n);
  return out;
}

// Other tests running in parallel add and remove accounts (the login blocking test creates its
// sshd user), so a comparison counts only when getent printed the same before and after collecting.
TEST(AccountsLive, MatchesGetentPasswd) {
  for (int attempt = 1;; ++attempt) {
    const std::string getent = RunCommand("getent passwd 2>/dev/null");
    if (getent.empty()) GTEST_SKIP() << "getent passwd printed nothing on this machine";
    std::multiset<Account> expected;
    for (const auto& e : ParsePasswd(getent)) {
      expected.emplace(e.name, e.uid, e.gid, e.home, e.shell);
    }
    ASSERT_FALSE(expected.empty());

    HostView host;
    auto collector = MakeAccountsCollector();
    CollectContext ctx{host, SystemClock::Instance(), {}};
    auto rows = collector->Collect(ctx);
    ASSERT_TRUE(rows) << rows.status().ToString();
    std::multiset<Account> got;
    for (const auto& r : rows->as_array()) {
      ASSERT_TRUE(ValidateRow(r, collector->schema()).ok()) << r.Dump();
      got.emplace(r.GetString("name"), r.GetInt("uid"), r.GetInt("gid"), r.GetString("home"),
                  r.GetString("shell"));
      EXPECT_EQ(r.Find("is_root")->as_bool(), r.GetInt("uid") == 0);
      const std::string status = r.GetString("password_status");
      EXPECT_TRUE(status == "set" || status == "empty" || status == "locked" || status == "none")
          << status;
      EXPECT_GE(r.GetInt("ssh_keys"), 0);
    }
    const bool stable = RunCommand("getent passwd 2>/dev/null") == getent;
    if (!stable && attempt < 20) {
      ::usleep(200 * 1000);
      continue;
    }
    EXPECT_EQ(got, expected);
    return;
  }
}

TEST(AccountsLive, RootRowAgreesWithIdCommand) {
  HostView host;
  CollectContext ctx{host, SystemClock::Instance(), {}};
  auto rows = MakeAccountsCollector()->Collect(ctx);
  ASSERT_TRUE(rows);
  const std::string id_groups = Trim(RunCommand("id -Gn root 2>/dev/null"));
  if (id_groups.empty()) GTEST_SKIP() << "id(1) not available";
  for (const auto& r : rows->as_array()) {
    if (r.GetString("name") != "root") continue;
    std::set<std::string> got;
    for (const auto& g : r.Find("groups")->as_array()) got.insert(g.as_string());
    std::set<std::string> want;
    for (auto g : SplitWhitespace(id_groups)) want.emplace(g);
    EXPECT_EQ(got, want);
    // Running as root, /etc/shadow is readable, so the status comes from it.
    if (::geteuid() == 0 && host.Exists("/etc/shadow")) {
      EXPECT_EQ(r.GetString("password_status_source"), "shadow");
    }
    return;
  }
  ADD_FAILURE() << "no root row";
}

}  // namespace
}  // namespace rampart::agent
