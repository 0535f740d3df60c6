// Every shipped policy loads without problems, and every check passes on its own `pass` fixture
// roots and fails on its `fail` fixture roots (the shape of ComplianceAsCode's per-rule tests).
// One test per check: Shipped/PolicyCheck.PassesAndFails/<check id>.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/baseline/evaluator.h"
#include "agent/baseline/fixture_root.h"
#include "agent/baseline/policy.h"

namespace rampart::agent::baseline {
namespace {

// The fixture tests kept beside a policy file; "" when there is none.
std::string ReadTests(const std::string& policy_file, std::string* path) {
  *path = RAMPART_SOURCE_DIR "/tests/testdata/baseline/" +
          std::filesystem::path(policy_file).stem().string() + ".tests.yaml";
  std::ifstream in(*path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> PolicyFiles() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(RAMPART_SOURCE_DIR "/policies")) {
    if (e.path().extension() == ".yaml") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

const std::vector<Policy>& Policies() {
  static const auto* policies = [] {
    auto* out = new std::vector<Policy>;
    for (const auto& f : PolicyFiles()) {
      auto p = LoadPolicyFile(f);
      if (!p.ok()) continue;
      std::string tests;
      const std::string text = ReadTests(f, &tests);
      if (!ParsePolicyTests(text, tests, &*p).ok()) continue;  // reported by LoadWithoutProblems
      out->push_back(std::move(*p));
    }
    return out;
  }();
  return *policies;
}

struct CheckRef {
  const Policy* policy;
  const Check* check;
};
void PrintTo(const CheckRef& r, std::ostream* os) { *os << r.policy->id << "/" << r.check->id; }

std::vector<CheckRef> AllChecks() {
  std::vector<CheckRef> out;
  for (const auto& p : Policies()) {
    for (const auto& c : p.checks) out.push_back({&p, &c});
  }
  return out;
}

// The base of every fixture root: an OS identity and minimal account files. Fixture files replace
// base files of the same path.
std::vector<FixtureFile> Base(const std::string& os_release) {
  std::vector<FixtureFile> b(3);
  b[0].path = "/etc/os-release";
  b[0].content = os_release;
  b[1].path = "/etc/passwd";
  b[1].content =
      "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
      "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n";
  b[2].path = "/etc/group";
  b[2].content = "root:x:0:\ndaemon:x:1:\nshadow:x:42:\nalice:x:1000:\n";
  return b;
}

const char* const kOsReleases[] = {
    "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
    "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"\n",
};

TEST(ShippedPolicies, LoadWithoutProblems) {
  const auto files = PolicyFiles();
  ASSERT_GE(files.size(), 4u);
  for (const auto& f : files) {
    std::vector<PolicyProblem> problems;
    auto p = LoadPolicyFile(f, &problems);
    ASSERT_TRUE(p.ok()) << p.status().message();
    std::string tests;
    const std::string text = ReadTests(f, &tests);
    ASSERT_FALSE(text.empty()) << tests << ": every shipped policy has a tests file";
    const Status s = ParsePolicyTests(text, tests, &*p);
    EXPECT_TRUE(s.ok()) << s.message();
  }
  EXPECT_EQ(Policies().size(), files.size());
}

TEST(ShippedPolicies, AtLeast150ChecksApplyToDebian12) {
  const std::string dir = ::testing::TempDir() + "/baseline_debian12_root";
  bool needs_root = false;
  ASSERT_TRUE(BuildFixtureRoot(dir, Base(kOsReleases[0]), {}, &needs_root).ok());
  auto host = HostView::Open(dir);
  ASSERT_TRUE(host.ok());
  Evaluator ev(*host);
  std::size_t n = 0;
  for (const auto& p : Policies()) {
    if (ev.PolicyApplies(p).status == CheckStatus::kPass) n += p.checks.size();
  }
  EXPECT_GE(n, 150u);
}

class PolicyCheck : public ::testing::TestWithParam<CheckRef> {};

TEST_P(PolicyCheck, PassesAndFails) {
  const Check& check = *GetParam().check;
  const Policy& policy = *GetParam().policy;
  if (!check.test_skip.empty()) GTEST_SKIP() << check.test_skip;
  ASSERT_FALSE(check.pass_fixtures.empty()) << check.id << ": no pass fixture";
  ASSERT_FALSE(check.fail_fixtures.empty()) << check.id << ": no fail fixture";
  // The base OS is the first one the policy applies to.
  std::string os_release;
  for (const char* os : kOsReleases) {
    const std::string dir = ::testing::TempDir() + "/baseline_os_probe_" + check.id;
    bool needs_root = false;
    ASSERT_TRUE(BuildFixtureRoot(dir, Base(os), {}, &needs_root).ok());
    auto host = HostView::Open(dir);
    ASSERT_TRUE(host.ok());
    Evaluator ev(*host);
    if (ev.PolicyApplies(policy).status == CheckStatus::kPass) {
      os_release = os;
      break;
    }
  }
  ASSERT_FALSE(os_release.empty()) << policy.id << " applies to none of the test OS bases";
  auto run = [&](const std::vector<FixtureFile>& files, CheckStatus want, int index) {
    const std::string dir = ::testing::TempDir() + "/baseline_fixture_" + check.id;
    bool needs_root = false;
    ASSERT_TRUE(BuildFixtureRoot(dir, Base(os_release), files, &needs_root).ok());
    if (needs_root) GTEST_SKIP() << "fixture sets file owners: run as root";
    auto host = HostView::Open(dir);
    ASSERT_TRUE(host.ok());
    EvaluatorOptions options;
    options.allow_commands = false;
    Evaluator ev(*host, options);
    const CheckResult r = ev.Evaluate(check);
    EXPECT_EQ(CheckStatusName(r.status), std::string(CheckStatusName(want)))
        << check.id << " on " << (want == CheckStatus::kPass ? "pass" : "fail") << " fixture #"
        << index << ": " << r.evidence;
    EXPECT_FALSE(r.evidence.empty()) << check.id;
    std::filesystem::remove_all(dir);
  };
  for (std::size_t i = 0; i < check.pass_fixtures.size(); ++i) {
    run(check.pass_fixtures[i], CheckStatus::kPass, static_cast<int>(i));
  }
  for (std::size_t i = 0; i < check.fail_fixtures.size(); ++i) {
    run(check.fail_fixtures[i], CheckStatus::kFail, static_cast<int>(i));
  }
}

std::string CheckName(const ::testing::TestParamInfo<CheckRef>& info) {
  std::string s = info.param.check->id;
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

INSTANTIATE_TEST_SUITE_P(Shipped, PolicyCheck, ::testing::ValuesIn(AllChecks()), CheckName);

}  // namespace
}  // namespace rampart::agent::baseline
