#include "agent/collectors/accounts.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agent/collectors/registry.h"

namespace rampart::agent {
namespace {

namespace fs = std::filesystem;

// 2025-11-29T00:00:00Z: day 20421 since the epoch.
constexpr std::int64_t kNow = 1764374400;

Json CollectFrom(const std::string& root) {
  auto host = HostView::Open(root);
  EXPECT_TRUE(host) << root;
  FakeClock clock{std::chrono::system_clock::time_point{std::chrono::seconds{kNow}}};
  CollectContext ctx{*host, clock, {}};
  auto rows = MakeAccountsCollector()->Collect(ctx);
  EXPECT_TRUE(rows) << rows.status().ToString();
  return rows ? *rows : Json();
}

const Json& Row(const Json& rows, std::string_view name) {
  for (const auto& r : rows.as_array()) {
    if (r.GetString("name") == name) return r;
  }
  static const Json kNull;
  ADD_FAILURE() << "no row " << name;
  return kNull;
}

std::vector<std::string> Groups(const Json& row) {
  std::vector<std::string> out;
  for (const auto& g : row.Find("groups")->as_array()) out.push_back(g.as_string());
  return out;
}

TEST(AccountsHelpers, RecognisesNoLoginShells) {
  for (auto s : {"/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false", "/bin/sync",
                 "/sbin/shutdown", "/sbin/halt", "/dev/null"}) {
    EXPECT_TRUE(IsNoLoginShell(s)) << s;
  }
  for (auto s : {"/bin/bash", "/bin/sh", "/usr/bin/zsh", "/bin/ash", "", "/usr/bin/falsehood"}) {
    EXPECT_FALSE(IsNoLoginShell(s)) << s;
  }
}

TEST(AccountsHelpers, CountsOnlyKeyLinesOfAuthorizedKeys) {
  EXPECT_TRUE(IsAuthorizedKeyLine("ssh-ed25519 AAAAC3Nza alice@laptop"));
  EXPECT_TRUE(IsAuthorizedKeyLine("  ssh-rsa AAAAB3"));
  EXPECT_TRUE(IsAuthorizedKeyLine("ecdsa-sha2-nistp256 AAAAE2"));
  EXPECT_TRUE(IsAuthorizedKeyLine("sk-ssh-ed25519@openssh.com AAAAGn"));
  EXPECT_TRUE(IsAuthorizedKeyLine("from=\"10.0.0.0/8,192.168.1.0/24\" ssh-ed25519 AAAA backup"));
  EXPECT_TRUE(
      IsAuthorizedKeyLine("command=\"echo \\\"a b\\\"; sleep 1\",no-pty\tssh-rsa AAAAB3 root@x"));
  EXPECT_TRUE(IsAuthorizedKeyLine("restrict ssh-ed25519 AAAA"));
  EXPECT_FALSE(IsAuthorizedKeyLine(""));
  EXPECT_FALSE(IsAuthorizedKeyLine("   "));
  EXPECT_FALSE(IsAuthorizedKeyLine("# ssh-ed25519 AAAA commented out"));
  EXPECT_FALSE(IsAuthorizedKeyLine("ssh-ed25519"));  // no key blob
  EXPECT_FALSE(IsAuthorizedKeyLine("this line is not a key"));
  EXPECT_FALSE(IsAuthorizedKeyLine("from=\"unterminated ssh-ed25519 AAAA"));
  EXPECT_EQ(CountAuthorizedKeys("# keys\n\nssh-rsa AAA a\r\n  # x\nssh-ed25519 BBB b\ngarbage\n"),
            2u);
}

TEST(AccountsHelpers, ReadsAuthorizedKeysFileFromSshdConfig) {
  EXPECT_EQ(AuthorizedKeysPatterns(""),
            (std::vector<std::string>{".ssh/authorized_keys", ".ssh/authorized_keys2"}));
  EXPECT_EQ(AuthorizedKeysPatterns("# AuthorizedKeysFile x\nauthorizedkeysfile  .ssh/k /etc/k/%u\n"
                                   "AuthorizedKeysFile ignored\n"),
            (std::vector<std::string>{".ssh/k", "/etc/k/%u"}));
  EXPECT_EQ(AuthorizedKeysPatterns("AuthorizedKeysFile=/k/%u\n"),
            (std::vector<std::string>{"/k/%u"}));
  EXPECT_TRUE(AuthorizedKeysPatterns("AuthorizedKeysFile none\n").empty());
  // Settings inside a Match block do not apply to everyone.
  EXPECT_EQ(AuthorizedKeysPatterns("Match User x\n  AuthorizedKeysFile /x\n").size(), 2u);
}

TEST(AccountsHelpers, ExpandsAuthorizedKeysTokens) {
  EXPECT_EQ(ExpandAuthorizedKeysPath(".ssh/authorized_keys", "alice", 1000, "/home/alice"),
            "/home/alice/.ssh/authorized_keys");
  EXPECT_EQ(ExpandAuthorizedKeysPath("/etc/ssh/keys/%u.pub", "ops", 1000, "/home/ops"),
            "/etc/ssh/keys/ops.pub");
  EXPECT_EQ(ExpandAuthorizedKeysPath("%h/k_%U_%%", "a", 7, "/h/"), "/h//k_7_%");
  EXPECT_EQ(ExpandAuthorizedKeysPath("k", "root", 0, "/"), "/k");
}

TEST(AccountsHelpers, DerivesLoginType) {
  EXPECT_EQ(LoginType(true, 3, PasswordStatus::kSet), "nologin");
  EXPECT_EQ(LoginType(false, 2, PasswordStatus::kSet), "key+password");
  EXPECT_EQ(LoginType(false, 1, PasswordStatus::kLocked), "key");
  EXPECT_EQ(LoginType(false, 0, PasswordStatus::kSet), "password");
  EXPECT_EQ(LoginType(false, 0, PasswordStatus::kEmpty), "none");
  EXPECT_EQ(LoginType(false, 0, PasswordStatus::kNone), "none");
}

const std::string kDebian = RAMPART_SOURCE_DIR "/tests/testdata/root-debian";
const std::string kRpm = RAMPART_SOURCE_DIR "/tests/testdata/root-rpm";
const std::string kAlpine = RAMPART_SOURCE_DIR "/tests/testdata/root-alpine";

TEST(Accounts, EveryFixtureRowMatchesTheSchema) {
  auto collector = MakeAccountsCollector();
  EXPECT_EQ(collector->name(), "accounts");
  EXPECT_EQ(collector->shape(), Shape::kRows);
  for (const auto& root : {kDebian, kRpm, kAlpine}) {
    const Json rows = CollectFrom(root);
    ASSERT_TRUE(rows.is_array());
    EXPECT_GE(rows.size(), 5u);
    for (const auto& r : rows.as_array()) {
      EXPECT_TRUE(ValidateRow(r, collector->schema()).ok()) << root << ": " << r.Dump();
    }
  }
}

TEST(Accounts, ListsEveryPasswdEntryInOrderOnDebian) {
  const Json rows = CollectFrom(kDebian);
  std::vector<std::string> names;
  for (const auto& r : rows.as_array()) names.push_back(r.GetString("name"));
  EXPECT_EQ(names, (std::vector<std::string>{"root", "daemon", "bin", "www-data", "nobody", "sshd",
                                             "redis", "alice", "bob", "toor", "deploy"}));
}

TEST(Accounts, SudoerWithYescryptPasswordAndKeysOnDebian) {
  const Json rows = CollectFrom(kDebian);
  const Json& alice = Row(rows, "alice");
  EXPECT_EQ(alice.GetInt("uid"), 1000);
  EXPECT_EQ(alice.GetInt("gid"), 1000);
  EXPECT_EQ(Groups(alice), (std::vector<std::string>{"alice", "adm", "sudo"}));
  EXPECT_EQ(alice.GetString("home"), "/home/alice");
  EXPECT_EQ(alice.GetString("shell"), "/bin/bash");
  EXPECT_EQ(alice.GetString("gecos"), "Alice Admin,,,");
  EXPECT_FALSE(alice.Find("is_root")->as_bool());
  EXPECT_TRUE(alice.Find("is_sudo")->as_bool());  // member of group sudo (and %sudo in sudoers)
  EXPECT_EQ(alice.GetString("password_status"), "set");
  EXPECT_EQ(alice.GetString("password_hash_type"), "yescrypt");
  EXPECT_EQ(alice.GetString("password_last_change"), "2025-11-08T00:00:00Z");  // day 20400
  EXPECT_EQ(alice.GetInt("password_max_days"), 90);
  EXPECT_EQ(alice.GetInt("password_min_days"), 1);
  EXPECT_EQ(alice.GetInt("password_warn_days"), 14);
  EXPECT_EQ(alice.GetInt("password_inactive_days"), 30);
  EXPECT_FALSE(alice.Find("password_expired")->as_bool());  // 21 of 90 days used
  // 3 keys in authorized_keys (one with from=/command= options), 1 in authorized_keys2; comments,
  // a blank line and a non-key line are not counted.
  EXPECT_EQ(alice.GetInt("ssh_keys"), 4);
  EXPECT_EQ(alice.GetString("login_type"), "key+password");
  // The latest USER_PROCESS in wtmp (no lastlog record for uid 1000).
  EXPECT_EQ(alice.GetString("last_login_time"), "2025-11-28T11:40:00Z");
  EXPECT_EQ(alice.GetString("last_login_ip"), "192.0.2.44");
}

TEST(Accounts, RootAndTheSecondUid0AccountOnDebian) {
  const Json rows = CollectFrom(kDebian);
  const Json& root = Row(rows, "root");
  EXPECT_TRUE(root.Find("is_root")->as_bool());
  EXPECT_TRUE(root.Find("is_sudo")->as_bool());
  EXPECT_FALSE(root.Find("uid0_duplicate")->as_bool());
  EXPECT_EQ(root.GetInt("ssh_keys"), 1);
  EXPECT_EQ(root.GetString("login_type"), "key+password");
  // lastlog (uid 0, 13:03) is newer than root's console login in wtmp.
  EXPECT_EQ(root.GetString("last_login_time"), "2025-11-28T13:03:20Z");
  EXPECT_EQ(root.GetString("last_login_ip"), "192.0.2.10");

  const Json& toor = Row(rows, "toor");
  EXPECT_TRUE(toor.Find("is_root")->as_bool());
  EXPECT_TRUE(toor.Find("uid0_duplicate")->as_bool());
  EXPECT_FALSE(toor.Find("is_sudo")->as_bool());
  EXPECT_EQ(Groups(toor), (std::vector<std::string>{"root"}));
  EXPECT_EQ(toor.GetString("password_status"), "empty");
  EXPECT_TRUE(toor.Find("password_hash_type")->is_null());
  // lastchg 0 means "change at next login": no date, and the password counts as expired.
  EXPECT_TRUE(toor.Find("password_last_change")->is_null());
  EXPECT_TRUE(toor.Find("password_expired")->as_bool());
  EXPECT_EQ(toor.GetInt("ssh_keys"), 1);  // shares /root with root
  EXPECT_EQ(toor.GetString("login_type"), "key");
  // wtmp's toor login (14:26) is newer than the uid-0 lastlog record.
  EXPECT_EQ(toor.GetString("last_login_time"), "2025-11-28T14:26:40Z");
  EXPECT_EQ(toor.GetString("last_login_ip"), "203.0.113.66");
}

TEST(Accounts, LockedAndAliasGrantedAccountsOnDebian) {
  const Json rows = CollectFrom(kDebian);
  const Json& bob = Row(rows, "bob");
  EXPECT_EQ(bob.GetString("password_status"), "locked");
  EXPECT_EQ(bob.GetString("password_hash_type"), "sha512");
  EXPECT_FALSE(bob.Find("is_sudo")->as_bool());  // sudoers.d/bob.conf and 90-deploy~ are ignored
  EXPECT_EQ(bob.GetString("login_type"), "key");
  EXPECT_EQ(bob.GetString("account_expires"), "2026-02-16T00:00:00Z");  // day 20500
  EXPECT_FALSE(bob.Find("account_expired")->as_bool());
  EXPECT_EQ(bob.GetString("last_login_ip"), "2001:db8::5");

  const Json& deploy = Row(rows, "deploy");
  EXPECT_TRUE(deploy.Find("is_sudo")->as_bool());  // User_Alias DEPLOYERS in sudoers.d/90-deploy
  EXPECT_TRUE(deploy.Find("sudo_nopasswd")->as_bool());
  EXPECT_EQ(deploy.GetString("password_status"), "none");  // "!*"
  EXPECT_EQ(deploy.GetInt("ssh_keys"), 2);
  EXPECT_EQ(deploy.GetString("login_type"), "key");
  EXPECT_TRUE(deploy.Find("last_login_time")->is_null());
  EXPECT_TRUE(deploy.Find("last_login_ip")->is_null());
}

TEST(Accounts, SystemAccountsAreNoLoginWithoutPasswordsOnDebian) {
  const Json rows = CollectFrom(kDebian);
  for (auto name : {"daemon", "bin", "www-data", "nobody", "sshd", "redis"}) {
    const Json& r = Row(rows, name);
    EXPECT_EQ(r.GetString("password_status"), "none") << name;
    EXPECT_EQ(r.GetString("login_type"), "nologin") << name;
    EXPECT_FALSE(r.Find("is_sudo")->as_bool()) << name;
  }
  EXPECT_EQ(Groups(Row(rows, "sshd")), (std::vector<std::string>{"nogroup"}));
  EXPECT_TRUE(Row(rows, "sshd").Find("password_max_days")->is_null());
}

TEST(Accounts, NeverOutputsPasswordHashes) {
  for (const auto& root : {kDebian, kRpm, kAlpine}) {
    const std::string dump = CollectFrom(root).Dump();
    EXPECT_EQ(dump.find("$y$"), std::string::npos) << root;
    EXPECT_EQ(dump.find("$6$"), std::string::npos) << root;
    EXPECT_EQ(dump.find("$5$"), std::string::npos) << root;
    EXPECT_EQ(dump.find("Rk0Tz9mH4q1Yb8vE2nW5s"), std::string::npos) << root;
  }
}

TEST(Accounts, WheelUidRuleAndSshdConfigKeyFilesOnRpm) {
  const Json rows = CollectFrom(kRpm);
  const Json& ops = Row(rows, "ops");
  EXPECT_EQ(Groups(ops), (std::vector<std::string>{"ops", "wheel"}));
  EXPECT_TRUE(ops.Find("is_sudo")->as_bool());
  EXPECT_TRUE(ops.Find("sudo_nopasswd")->as_bool());  // "#1000 ... NOPASSWD: ALL"
  EXPECT_EQ(ops.GetString("password_status"), "set");
  EXPECT_EQ(ops.GetString("password_hash_type"), "sha256");
  EXPECT_EQ(ops.GetInt("password_max_days"), 60);
  EXPECT_TRUE(ops.Find("password_expired")->as_bool());  // day 20350 + 60 = 20410 < 20421
  // ~/.ssh/authorized_keys plus /etc/ssh/keys/%u.pub from AuthorizedKeysFile.
  EXPECT_EQ(ops.GetInt("ssh_keys"), 2);
  EXPECT_EQ(ops.GetString("login_type"), "key+password");
  EXPECT_EQ(ops.GetString("last_login_time"), "2025-11-28T04:43:20Z");
  EXPECT_EQ(ops.GetString("last_login_ip"), "10.20.30.40");

  const Json& root = Row(rows, "root");
  EXPECT_EQ(root.GetString("login_type"), "password");
  EXPECT_EQ(root.GetString("last_login_time"), "2025-11-28T03:36:40Z");  // lastlog, tty1
  EXPECT_TRUE(root.Find("last_login_ip")->is_null());                    // a local login
  for (auto name : {"mysql", "sshd"})
    EXPECT_EQ(Row(rows, name).GetString("password_status"), "none");
}

TEST(Accounts, AlpineRootAndIncludedAliasRule) {
  const Json rows = CollectFrom(kAlpine);
  const Json& root = Row(rows, "root");
  EXPECT_EQ(Groups(root), (std::vector<std::string>{"root", "bin", "daemon", "wheel"}));
  EXPECT_TRUE(root.Find("is_sudo")->as_bool());
  EXPECT_EQ(root.GetString("shell"), "/bin/ash");
  EXPECT_EQ(root.GetString("password_hash_type"), "sha512");
  EXPECT_EQ(root.GetString("login_type"), "key+password");
  EXPECT_EQ(root.GetString("last_login_ip"), "172.16.0.9");  // wtmp only: no lastlog on Alpine
  const Json& nginx = Row(rows, "nginx");
  EXPECT_TRUE(nginx.Find("is_sudo")->as_bool());  // "@include sudoers.local"
  EXPECT_EQ(nginx.GetString("login_type"), "nologin");
  EXPECT_EQ(nginx.GetString("password_status"), "none");
}

class AccountsTempRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("rampart_accounts_" + std::to_string(::getpid()));
    fs::create_directories(root_ / "etc");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel, std::ios::binary) << text;
  }
  fs::path root_;
};

TEST_F(AccountsTempRoot, FallsBackToThePasswdFieldWithoutShadow) {
  Write("etc/passwd",
        "legacy:$1$abc$defghijk:1000:1000::/home/legacy:/bin/bash\n"
        "shadowed:x:1001:1001::/home/s:/bin/bash\n"
        "open::1002:1002::/home/o:\n");
  const Json rows = CollectFrom(root_.string());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(Row(rows, "legacy").GetString("password_status"), "set");
  EXPECT_EQ(Row(rows, "legacy").GetString("password_hash_type"), "md5");
  EXPECT_EQ(Row(rows, "legacy").GetString("password_status_source"), "passwd");
  // "x" with no readable shadow: nothing is known, "none" is reported and the source says why.
  EXPECT_EQ(Row(rows, "shadowed").GetString("password_status"), "none");
  EXPECT_EQ(Row(rows, "shadowed").GetString("password_status_source"), "unavailable");
  EXPECT_EQ(Row(rows, "open").GetString("password_status"), "empty");
  // An empty shell field means /bin/sh (passwd(5)), not nologin; no key and no usable password.
  EXPECT_EQ(Row(rows, "open").GetString("shell"), "");
  EXPECT_EQ(Row(rows, "open").GetString("login_type"), "none");
  // The primary group is named by its gid when /etc/group lacks it.
  EXPECT_EQ(Groups(Row(rows, "legacy")), (std::vector<std::string>{"1000"}));
}

TEST_F(AccountsTempRoot, ShadowEntryMissingForXMeansNoPassword) {
  Write("etc/passwd", "a:x:1000:1000::/home/a:/bin/bash\nb:x:1001:1001::/home/b:/bin/zsh\n");
  Write("etc/shadow", "b:$6$s$h:19000:0:30:7:::\n");
  const Json rows = CollectFrom(root_.string());
  EXPECT_EQ(Row(rows, "a").GetString("password_status"), "none");
  EXPECT_EQ(Row(rows, "a").GetString("password_status_source"), "shadow");
  EXPECT_EQ(Row(rows, "b").GetString("password_status"), "set");
  EXPECT_TRUE(Row(rows, "b").Find("password_expired")->as_bool());  // 19000 + 30 < 20421
  EXPECT_EQ(Row(rows, "b").GetString("login_type"), "password");
  EXPECT_EQ(Row(rows, "a").GetString("login_type"), "none");
}

TEST_F(AccountsTempRoot, SurvivesGarbageEverywhere) {
  std::string garbage(70'000, '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 131) % 256);
  Write("etc/passwd", garbage + "\nok:x:1:1::/home/ok:/bin/bash\n" + garbage);
  Write("etc/group", garbage);
  Write("etc/shadow", garbage);
  Write("etc/sudoers", garbage);
  Write("etc/ssh/sshd_config", garbage);
  Write("var/log/wtmp", garbage);
  Write("var/log/lastlog", garbage);
  Write("home/ok/.ssh/authorized_keys", garbage);
  const Json rows = CollectFrom(root_.string());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.as_array()[0].GetString("name"), "ok");
}

TEST_F(AccountsTempRoot, FailsOnlyWithoutPasswd) {
  auto host = HostView::Open(root_.string());
  ASSERT_TRUE(host);
  FakeClock clock{std::chrono::system_clock::time_point{}};
  CollectContext ctx{*host, clock, {}};
  EXPECT_FALSE(MakeAccountsCollector()->Collect(ctx));
}

}  // namespace
}  // namespace rampart::agent
