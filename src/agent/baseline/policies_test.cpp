// Every shipped policy loads without problems, and every check passes on its own `pass` fixture
// roots and fails on its `fail` fixture roots (the shape of ComplianceAsCode's per-rule tests).
// One test per policy: Fixtures/ShippedPolicy.EveryCheckPassesAndFailsOnItsFixtures/<policy id>.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
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

// One test per shipped policy (loading the YAML dominates a test's cost, so one process per check
// would spend minutes parsing); a failure names the check, the fixture and the evidence.
class ShippedPolicy : public ::testing::TestWithParam<std::size_t> {};

void RunFixture(const Policy& policy, const Check& check, const std::string& os_release,
                const std::vector<FixtureFile>& files, CheckStatus want, std::size_t index,
                std::size_t* skipped_for_root) {
  const std::string dir = ::testing::TempDir() + "/baseline_fixture_" + policy.id + "_" + check.id;
  bool needs_root = false;
  const Status built = BuildFixtureRoot(dir, Base(os_release), files, &needs_root);
  ASSERT_TRUE(built.ok()) << built.message();
  if (needs_root) {
    ++*skipped_for_root;
    return;
  }
  auto host = HostView::Open(dir);
  ASSERT_TRUE(host.ok());
  EvaluatorOptions options;
  options.allow_commands = false;
  Evaluator ev(*host, options);
  const CheckResult r = ev.Evaluate(check);
  EXPECT_EQ(CheckStatusName(r.status), std::string(CheckStatusName(want)))
      << check.id << " on its " << (want == CheckStatus::kPass ? "pass" : "fail") << " fixture #"
      << index << ": " << r.evidence;
  EXPECT_FALSE(r.evidence.empty()) << check.id;
  std::filesystem::remove_all(dir);
}

TEST_P(ShippedPolicy, EveryCheckPassesAndFailsOnItsFixtures) {
  ASSERT_LT(GetParam(), Policies().size());
  const Policy& policy = Policies()[GetParam()];
  // The base OS is the first one the policy applies to.
  std::string os_release;
  for (const char* os : kOsReleases) {
    const std::string dir = ::testing::TempDir() + "/baseline_os_probe_" + policy.id;
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
  std::size_t skipped = 0;
  std::size_t skipped_for_root = 0;
  std::size_t fixtures = 0;
  for (const Check& check : policy.checks) {
    if (!check.test_skip.empty()) {
      ++skipped;
      continue;
    }
    EXPECT_FALSE(check.pass_fixtures.empty()) << check.id << ": no pass fixture";
    EXPECT_FALSE(check.fail_fixtures.empty()) << check.id << ": no fail fixture";
    for (std::size_t i = 0; i < check.pass_fixtures.size(); ++i) {
      RunFixture(policy, check, os_release, check.pass_fixtures[i], CheckStatus::kPass, i,
                 &skipped_for_root);
    }
    for (std::size_t i = 0; i < check.fail_fixtures.size(); ++i) {
      RunFixture(policy, check, os_release, check.fail_fixtures[i], CheckStatus::kFail, i,
                 &skipped_for_root);
    }
    fixtures += check.pass_fixtures.size() + check.fail_fixtures.size();
  }
  std::printf(
      "%s: %zu checks, %zu fixture roots, %zu checks skipped (live host only), %zu roots "
      "skipped (need root for ownership)\n",
      policy.id.c_str(), policy.checks.size(), fixtures, skipped, skipped_for_root);
}

std::string PolicyName(const ::testing::TestParamInfo<std::size_t>& info) {
  std::string s = info.param < Policies().size() ? Policies()[info.param].id : "none";
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

std::vector<std::size_t> PolicyIndices() {
  std::vector<std::size_t> v;
  for (std::size_t i = 0; i < Policies().size(); ++i) v.push_back(i);
  return v;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ShippedPolicy, ::testing::ValuesIn(PolicyIndices()), PolicyName);

}  // namespace
}  // namespace rampart::agent::baseline
