// The evaluator and its probes on fixture roots (and, for commands, this machine): each probe kind,
// the condition tree, and the safety rules (no symlink escapes from --root, no commands under
// --root or from writable paths, timeouts, bounded scans).
#include "agent/baseline/evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "agent/baseline/fixture_root.h"

namespace rampart::agent::baseline {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// One check whose condition is `condition` (a YAML flow map).
Check MakeCheck(const std::string& condition, const std::string& applies_to = "") {
  std::string yaml =
      "id: t\nname: T\nchecks:\n  - id: c\n    title: t\n    remediation: r\n"
      "    level: low\n    check: " +
      condition + "\n";
  if (!applies_to.empty()) yaml += "    applies_to: " + applies_to + "\n";
  auto p = ParsePolicy(yaml, "t.yaml");
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? p->checks.at(0) : Check{};
}

class EvaluatorTest : public ::testing::Test {
 protected:
  CheckResult Run(const std::map<std::string, std::string>& files, const std::string& condition,
                  const std::string& applies_to = "") {
    std::vector<FixtureFile> fs;
    for (const auto& [path, content] : files) {
      FixtureFile f;
      f.path = path;
      if (content.rfind("->", 0) == 0) {
        f.symlink = content.substr(2);
      } else {
        f.content = content;
      }
      fs.push_back(std::move(f));
    }
    bool needs_root = false;
    EXPECT_TRUE(BuildFixtureRoot(dir_, {}, fs, &needs_root).ok());
    auto host = HostView::Open(dir_);
    EXPECT_TRUE(host.ok());
    Evaluator ev(*host);
    return ev.Evaluate(MakeCheck(condition, applies_to));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_ = ::testing::TempDir() + "/baseline_eval_" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name();
};

TEST_F(EvaluatorTest, SymlinksNeverLeaveTheRoot) {
  // /etc/passwd exists on this machine; inside the root the absolute link resolves to the root's
  // own (absent) /etc/hostpasswd, so nothing of this machine is read.
  const auto r = Run({{"/etc/ssh/sshd_config", "->/etc/passwd"}},
                     "{file_content: {path: /etc/ssh/sshd_config, match: 'root:'}}");
  EXPECT_EQ(r.status, CheckStatus::kFail) << r.evidence;
  EXPECT_THAT(r.evidence, HasSubstr("absent"));
  const auto r2 = Run({{"/etc/x", "->../../../../../../etc/passwd"}},
                      "{file_content: {path: /etc/x, match: 'root:'}}");
  EXPECT_EQ(r2.status, CheckStatus::kFail) << r2.evidence;
}

TEST_F(EvaluatorTest, FileProbeChecksTypeModeAndOwner) {
  auto r = Run({{"/etc/passwd", "root:x:0:0::/root:/bin/bash\n"}, {"/etc/group", "root:x:0:\n"}},
               "{file: {path: /etc/passwd, mode: '0644', owner: root, type: file}}");
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.evidence;
  EXPECT_THAT(r.evidence, HasSubstr("/etc/passwd: file 0644"));
  r = Run({{"/etc/a", "x"}}, "{file: {path: /etc/a, type: dir}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
  r = Run({{"/etc/a", "x"}}, "{file: {path: /etc/b, exists: false}}");
  EXPECT_EQ(r.status, CheckStatus::kPass);
  r = Run({{"/etc/a", "x"}}, "{file: {path: '/etc/*', exists: false}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
}

TEST_F(EvaluatorTest, ConfigValueLastAssignmentWinsWithFileAndLine) {
  const auto r =
      Run({{"/etc/login.defs", "PASS_MAX_DAYS 30\n# PASS_MAX_DAYS 1\nPASS_MAX_DAYS 400 # late\n"}},
          "{config_value: {path: /etc/login.defs, key: PASS_MAX_DAYS, separator: ' ', op: le, "
          "value: 365}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_EQ(r.evidence, "/etc/login.defs:3: PASS_MAX_DAYS 400 (expected le 365)");
}

TEST_F(EvaluatorTest, SysctlFollowsSystemdOrderUnderRoot) {
  const std::map<std::string, std::string> files = {
      {"/usr/lib/sysctl.d/50-default.conf", "net.ipv4.ip_forward = 1\nkernel.sysrq = 16\n"},
      {"/etc/sysctl.d/60-site.conf", "net/ipv4/ip_forward=0\n"},
      {"/usr/lib/sysctl.d/60-site.conf", "net.ipv4.ip_forward = 1\n"},  // hidden by /etc
  };
  auto r = Run(files, "{sysctl: {key: net.ipv4.ip_forward, value: 0}}");
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.evidence;
  EXPECT_THAT(r.evidence, HasSubstr("/etc/sysctl.d/60-site.conf:1"));
  auto with_conf = files;
  with_conf["/etc/sysctl.conf"] = "net.ipv4.ip_forward=1\n";  // applied last
  r = Run(with_conf, "{sysctl: {key: net.ipv4.ip_forward, value: 0}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
  r = Run({}, "{sysctl: {key: kernel.randomize_va_space, value: 2, default: 2}}");
  EXPECT_EQ(r.status, CheckStatus::kPass);
  EXPECT_THAT(r.evidence, HasSubstr("kernel default"));
  r = Run({}, "{sysctl: {key: net.ipv4.tcp_syncookies, value: 1}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
}

TEST_F(EvaluatorTest, KernelModuleDisabledBuiltinOrMissing) {
  const std::string dep = "/lib/modules/6.1.0-t/modules.dep";
  auto r = Run({{dep, "kernel/fs/udf/udf.ko.xz: kernel/lib/crc-itu-t.ko.xz\n"},
                {"/etc/modprobe.d/x.conf", "install udf /usr/bin/true\n"}},
               "{kernel_module: {name: udf, state: disabled}}");
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.evidence;
  r = Run({{dep, "kernel/fs/udf/udf.ko.xz:\n"}, {"/etc/modprobe.d/x.conf", "blacklist udf\n"}},
          "{kernel_module: {name: udf, state: disabled}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_THAT(r.evidence, HasSubstr("only automatic loading"));
  r = Run({{dep, "kernel/fs/ext4/ext4.ko.xz:\n"}}, "{kernel_module: {name: udf, state: disabled}}");
  EXPECT_EQ(r.status, CheckStatus::kPass);
  r = Run({{"/lib/modules/6.1.0-t/modules.builtin", "kernel/fs/udf/udf.ko\n"},
           {"/etc/modprobe.d/x.conf", "install udf /bin/false\n"}},
          "{kernel_module: {name: udf, state: disabled}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
  r = Run({}, "{kernel_module: {name: udf, state: loaded}}");
  EXPECT_EQ(r.status, CheckStatus::kNotApplicable);  // only known on a live host
}

TEST_F(EvaluatorTest, PackageInstalledAndVersion) {
  const std::string status =
      "Package: openssh-server\nStatus: install ok installed\nArchitecture: amd64\n"
      "Version: 1:9.2p1-2+deb12u2\n\n";
  auto r = Run({{"/var/lib/dpkg/status", status}},
               "{package: {name: openssh-server, op: ge, version: '1:9.2p1-2'}}");
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.evidence;
  r = Run({{"/var/lib/dpkg/status", status}},
          "{package: {name: openssh-server, op: ge, version: '1:9.3p1-1'}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
  r = Run({{"/var/lib/dpkg/status", status}},
          "{package: {name: [telnetd, openssh-server], installed: false}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
}

TEST_F(EvaluatorTest, PackageFromAnRpmDatabase) {
  // The RHEL policy's fixture databases (tests/testdata/baseline/make-rpmdbs.sh).
  const std::string dir = RAMPART_SOURCE_DIR "/tests/testdata/baseline/rpmdb/";
  auto run = [&](const std::string& db, const std::string& condition) {
    FixtureFile f;
    f.path = "/var/lib/rpm/rpmdb.sqlite";
    f.copy = dir + db;
    bool needs_root = false;
    EXPECT_TRUE(BuildFixtureRoot(dir_, {}, {f}, &needs_root).ok());
    auto host = HostView::Open(dir_);
    Evaluator ev(*host);
    return ev.Evaluate(MakeCheck(condition));
  };
  auto r = run("rhel9-legacy.sqlite", "{package: {name: telnet-server, installed: false}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_THAT(r.evidence, HasSubstr("telnet-server 1:0.17-85.el9 installed"));
  r = run("rhel9-hardened.sqlite", "{package: {name: telnet-server, installed: false}}");
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.evidence;
  // Versions compare by RPM's rules, epoch included.
  r = run("rhel9-hardened.sqlite",
          "{package: {name: nftables, op: ge, version: '1:1.0.4-10.el9'}}");
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.evidence;
  r = run("rhel9-hardened.sqlite", "{package: {name: nftables, op: lt, version: '1.0.9-1.el9'}}");
  EXPECT_EQ(r.status, CheckStatus::kFail) << r.evidence;
}

TEST_F(EvaluatorTest, PackageAnswersNeedADatabase) {
  // No package database at all (a distroless image): "not installed" would be a guess.
  auto r = Run({{"/etc/os-release", "ID=rocky\n"}},
               "{package: {name: telnet-server, installed: false}}");
  EXPECT_EQ(r.status, CheckStatus::kNotApplicable) << r.evidence;
  EXPECT_THAT(r.evidence, HasSubstr("no package database"));
  // An RPM database librpm cannot read: an error, never a silent pass.
  r = Run({{"/var/lib/rpm/rpmdb.sqlite", "SQLite format 3 but cut short"}},
          "{package: {name: telnet-server, installed: false}}");
  EXPECT_EQ(r.status, CheckStatus::kError) << r.evidence;
  EXPECT_THAT(r.evidence, HasSubstr("could not be read"));
  // An empty dpkg status is a database that lists nothing.
  r = Run({{"/var/lib/dpkg/status", ""}}, "{package: {name: telnetd, installed: false}}");
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.evidence;
}

TEST_F(EvaluatorTest, SystemdUnitEnabledAndMasked) {
  const std::string unit =
      "[Service]\nExecStart=/usr/sbin/auditd\n[Install]\nWantedBy=multi-user.target\n";
  auto r = Run({{"/lib/systemd/system/auditd.service", unit},
                {"/etc/systemd/system/multi-user.target.wants/auditd.service",
                 "->/lib/systemd/system/auditd.service"}},
               "{systemd_unit: {name: auditd.service, enabled: true}}");
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.evidence;
  r = Run({{"/lib/systemd/system/auditd.service", unit},
           {"/etc/systemd/system/multi-user.target.wants/auditd.service",
            "->/lib/systemd/system/auditd.service"},
           {"/etc/systemd/system/auditd.service", "->/dev/null"}},
          "{systemd_unit: {name: auditd.service, enabled: true}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_THAT(r.evidence, HasSubstr("masked"));
}

TEST_F(EvaluatorTest, MountOptionsFromFstab) {
  const std::string fstab =
      "# comment\nUUID=1 / ext4 defaults 0 1\ntmpfs /tmp tmpfs rw,nosuid,nodev 0 0\n";
  auto r = Run({{"/etc/fstab", fstab}}, "{mount: {path: /tmp, options: [nodev, nosuid]}}");
  EXPECT_EQ(r.status, CheckStatus::kPass);
  r = Run({{"/etc/fstab", fstab}}, "{mount: {path: /tmp, options: [noexec]}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_THAT(r.evidence, HasSubstr("missing noexec"));
  r = Run({{"/etc/fstab", fstab}}, "{mount: {path: /home, options: [nodev]}}");
  EXPECT_EQ(r.status, CheckStatus::kNotApplicable);
  r = Run({{"/etc/fstab", fstab}}, "{mount: {path: /home, mounted: required}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
}

TEST_F(EvaluatorTest, AccountsAgeingAndShadowAccess) {
  const std::map<std::string, std::string> files = {
      {"/etc/passwd", "root:x:0:0::/root:/bin/bash\nbob:x:1000:1000::/home/bob:/bin/bash\n"},
      {"/etc/shadow", "root:*:19000:0:99999:7:::\nbob:$6$s$h:19000:0:99999:7:::\n"}};
  auto r = Run(files, "{accounts: {check: password_max_days, op: le, value: 365}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_EQ(r.evidence,
            "/etc/shadow:2: bob max days 99999 (expected le 365)");  // root has no password
  r = Run({{"/etc/passwd", "root:x:0:0::/root:/bin/bash\n"}},
          "{accounts: {check: no_empty_passwords}}");
  EXPECT_EQ(r.status, CheckStatus::kError);
  EXPECT_THAT(r.evidence, HasSubstr("/etc/shadow is absent"));
}

TEST_F(EvaluatorTest, SshdProbeFailsOnAnOverridingMatchBlock) {
  const auto r = Run({{"/etc/ssh/sshd_config",
                       "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\n"
                       "Match Address 10.0.0.0/8\n  PasswordAuthentication yes\n"}},
                     "{sshd: {key: PasswordAuthentication, value: 'no'}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_THAT(r.evidence, HasSubstr("/etc/ssh/sshd_config:4 (Match Address 10.0.0.0/8)"));
  const auto r2 =
      Run({{"/etc/ssh/sshd_config", "MACs -umac-64@openssh.com,umac-64-etm@openssh.com\n"}},
          "{sshd: {key: MACs, op: not_match, value: 'umac-64'}}");
  EXPECT_EQ(r2.status, CheckStatus::kPass) << r2.evidence;  // '-' removes from the default list
}

TEST_F(EvaluatorTest, PamFollowsIncludesAndReadsOptions) {
  const std::map<std::string, std::string> files = {
      {"/etc/pam.d/sshd", "@include common-auth\naccount include common-account\n"},
      {"/etc/pam.d/common-auth",
       "auth [success=1 default=ignore] pam_unix.so nullok\nauth requisite pam_deny.so\n"},
      {"/etc/pam.d/common-account", "account required pam_faillock.so\n"}};
  auto r = Run(
      files,
      "{pam: {service: sshd, type: auth, module: pam_unix.so, option: nullok, present: false}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_THAT(r.evidence, HasSubstr("/etc/pam.d/common-auth:1"));
  r = Run(files, "{pam: {service: sshd, type: account, module: pam_faillock.so}}");
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.evidence;
  r = Run(
      files,
      "{pam: {service: sshd, type: auth, module: pam_unix.so, control: '^\\[', option: nullok}}");
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.evidence;
}

TEST_F(EvaluatorTest, DirScanFindsAndIsBounded) {
  auto r = Run({{"/var/www/html/a/b/.git/HEAD", "ref\n"}},
               "{dir_scan: {path: /var/www, find: name, name: '^\\.git$'}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_THAT(r.evidence, HasSubstr("/var/www/html/a/b/.git"));
  std::map<std::string, std::string> many;
  for (int i = 0; i < 50; ++i) many["/srv/f" + std::to_string(i)] = "x";
  r = Run(many, "{dir_scan: {path: /srv, find: setuid, max_entries: 10}}");
  EXPECT_EQ(r.status, CheckStatus::kError);
  EXPECT_THAT(r.evidence, HasSubstr("scan stopped after 10 entries"));
}

TEST_F(EvaluatorTest, TreeSemantics) {
  const std::map<std::string, std::string> files = {{"/etc/a", "x"}};
  EXPECT_EQ(Run(files, "{all: [{file: {path: /etc/a}}, {file: {path: /etc/b}}]}").status,
            CheckStatus::kFail);
  EXPECT_EQ(Run(files, "{any: [{file: {path: /etc/b}}, {file: {path: /etc/a}}]}").status,
            CheckStatus::kPass);
  EXPECT_EQ(Run(files, "{none: [{file: {path: /etc/b}}]}").status, CheckStatus::kPass);
  EXPECT_EQ(Run(files, "{none: [{file: {path: /etc/a}}]}").status, CheckStatus::kFail);
  // not_applicable children do not decide
  EXPECT_EQ(Run(files, "{all: [{file: {path: /etc/a}}, {port: {port: 23}}]}").status,
            CheckStatus::kPass);
  EXPECT_EQ(Run(files, "{all: [{port: {port: 23}}]}").status, CheckStatus::kNotApplicable);
  // applies_to
  const auto r = Run(files, "{file: {path: /etc/a}}", "{os: {id: rhel}}");
  EXPECT_EQ(r.status, CheckStatus::kNotApplicable);
  EXPECT_THAT(r.evidence, HasSubstr("does not apply"));
}

TEST_F(EvaluatorTest, WeakPasswordEvidenceNeverHoldsThePassword) {
  const auto r =
      Run({{"/etc/shadow",
            "alice:$6$rampartsalt$rEiMZdgHdc9WYwjpXpTJgIPadqGTrnj9IaHIhSBH/eTJYnAAmtIIZnxVIForo/"
            "92QpkSsdKJrCXyKsc9CjEWE.:19700:0:99999:7:::\n"}},
          "{weak_passwords: {budget: 5s}}");
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_EQ(r.evidence, "alice (sha512): weak, in the builtin list");
  EXPECT_THAT(r.evidence, Not(HasSubstr("password")));
}

TEST_F(EvaluatorTest, CommandsAreNeverRunUnderARoot) {
  const auto r = Run({}, "{command: {argv: [/bin/echo, hi], match: hi}}");
  EXPECT_EQ(r.status, CheckStatus::kNotApplicable);
  EXPECT_THAT(r.evidence, HasSubstr("never run against a --root"));
}

TEST(CommandProbe, RunsRootOwnedProgramsWithTimeoutOnlyOnLiveHost) {
  HostView live;
  Evaluator ev(live);
  auto r =
      ev.Evaluate(MakeCheck("{command: {argv: [/bin/echo, baseline-ok], match: '^baseline-ok$'}}"));
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.evidence;
  r = ev.Evaluate(MakeCheck("{command: {argv: [/bin/sleep, '5'], timeout: 200ms, match: x}}"));
  EXPECT_EQ(r.status, CheckStatus::kError);
  EXPECT_THAT(r.evidence, HasSubstr("timed out"));
  r = ev.Evaluate(MakeCheck("{command: {argv: [/nonexistent/tool], match: x}}"));
  EXPECT_EQ(r.status, CheckStatus::kNotApplicable);
}

TEST(CommandProbe, RefusesProgramsInWritablePlaces) {
  const std::string dir = ::testing::TempDir() + "/baseline_unsafe_bin";
  std::filesystem::create_directories(dir);
  ::chmod(dir.c_str(), 01777);
  const std::string prog = dir + "/tool";
  std::filesystem::copy_file("/bin/echo", prog, std::filesystem::copy_options::overwrite_existing);
  ::chmod(prog.c_str(), 0755);
  HostView live;
  Evaluator ev(live);
  const auto r = ev.Evaluate(MakeCheck("{command: {argv: [" + prog + ", x], match: x}}"));
  EXPECT_EQ(r.status, CheckStatus::kError);
  EXPECT_THAT(r.evidence, HasSubstr("refused to run"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rampart::agent::baseline
