// The agent's baseline module: a run_baseline command's policy text evaluated on a fixture root
// (the shipped app-hygiene policy with its pass/fail fixtures from tests/testdata/baseline), one
// baseline_results batch per policy in the `rampart baseline --json` result shape; malformed
// requests refused; runs on the module's own thread, a full queue refused.
#include "agent/baseline/baseline_agent.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "agent/baseline/fixture_root.h"
#include "agent/baseline/policy.h"

namespace rampart::agent::baseline {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Spooled {
  std::string kind, key;
  Json payload;
};

class BaselineAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    yaml_ = ReadFile(RAMPART_SOURCE_DIR "/policies/app-hygiene.yaml");
    ASSERT_FALSE(yaml_.empty());
    auto policy = ParsePolicy(yaml_, "app-hygiene.yaml");
    ASSERT_TRUE(policy.ok()) << policy.status().message();
    const std::string tests = RAMPART_SOURCE_DIR "/tests/testdata/baseline/app-hygiene.tests.yaml";
    ASSERT_TRUE(ParsePolicyTests(ReadFile(tests), tests, &*policy).ok());
    policy_ = std::move(*policy);
  }

  // A root with the base files plus the pass (or fail) fixture of `check_id`.
  std::string Root(const std::string& check_id, bool pass) {
    std::vector<FixtureFile> base(1);
    base[0].path = "/etc/os-release";
    base[0].content = "ID=debian\nVERSION_ID=\"12\"\n";
    const Check* check = nullptr;
    for (const Check& c : policy_.checks) {
      if (c.id == check_id) check = &c;
    }
    EXPECT_NE(check, nullptr);
    const auto& fixtures = pass ? check->pass_fixtures : check->fail_fixtures;
    EXPECT_FALSE(fixtures.empty());
    const std::string dir =
        ::testing::TempDir() + "/baseline_agent_" + check_id + (pass ? "_pass" : "_fail");
    bool needs_root = false;
    EXPECT_TRUE(BuildFixtureRoot(dir, base, fixtures[0], &needs_root).ok());
    return dir;
  }

  BaselineAgent::Enqueue Collect() {
    return [this](std::string_view kind, std::string_view key, std::string_view payload) {
      std::lock_guard lock(mu_);
      auto parsed = Json::Parse(payload);
      EXPECT_TRUE(parsed.ok());
      spooled_.push_back({std::string(kind), std::string(key), parsed.ok() ? *parsed : Json()});
      return Status::Ok();
    };
  }

  Json Request(const std::string& run_id, const std::string& yaml,
               const std::string& source = "shipped") {
    Json p = Json::MakeObject();
    p.Set("id", "app-hygiene");
    p.Set("source", source);
    p.Set("yaml", yaml);
    Json policies = Json::MakeArray();
    policies.Push(std::move(p));
    Json args = Json::MakeObject();
    args.Set("run_id", run_id);
    args.Set("policies", std::move(policies));
    return args;
  }

  static std::string StatusOf(const Json& payload, const std::string& check_id) {
    for (const Json& r : payload.Find("results")->as_array()) {
      if (r.GetString("id") == check_id) return r.GetString("status");
    }
    return "";
  }

  std::string yaml_;
  Policy policy_;
  std::mutex mu_;
  std::vector<Spooled> spooled_;
};

TEST_F(BaselineAgentTest, RunRequestSpoolsOneResultsBatchPerPolicy) {
  for (bool pass : {true, false}) {
    spooled_.clear();
    BaselineAgentOptions options;
    options.root = Root("app-webroot-no-vcs", pass);
    BaselineAgent agent(options, Collect());
    auto n = agent.RunRequest(Request("brun_t1", yaml_));
    ASSERT_TRUE(n.ok()) << n.status().message();
    EXPECT_EQ(*n, 1);
    ASSERT_EQ(spooled_.size(), 1U);
    const Spooled& s = spooled_[0];
    EXPECT_EQ(s.kind, "baseline_results");
    EXPECT_EQ(s.key, "baseline-brun_t1-app-hygiene");
    EXPECT_EQ(s.payload.GetString("run_id"), "brun_t1");
    EXPECT_EQ(s.payload.Find("policy")->GetString("id"), "app-hygiene");
    EXPECT_TRUE(s.payload.Find("policy")->Find("score")->is_int());
    EXPECT_EQ(s.payload.Find("results")->size(), policy_.checks.size());
    EXPECT_EQ(StatusOf(s.payload, "app-webroot-no-vcs"), pass ? "pass" : "fail");
    // The `rampart baseline --json` result shape.
    const Json& r = s.payload.Find("results")->as_array()[0];
    for (const char* key :
         {"policy", "id", "title", "level", "status", "evidence", "remediation", "references"}) {
      EXPECT_NE(r.Find(key), nullptr) << key;
    }
    EXPECT_TRUE(r.Find("remediation")->Find("advice")->is_string());
  }
}

TEST_F(BaselineAgentTest, MalformedRequestsAndPoliciesSpoolNothing) {
  BaselineAgentOptions options;
  options.root = Root("app-webroot-no-vcs", true);
  BaselineAgent agent(options, Collect());
  EXPECT_EQ(agent.RunRequest(Json("x")).status().code(), Code::kInvalidArgument);
  Json empty = Json::MakeObject();
  empty.Set("policies", Json::MakeArray());
  EXPECT_EQ(agent.RunRequest(empty).status().code(), Code::kInvalidArgument);
  // A policy that does not load here is skipped (and logged).
  auto n = agent.RunRequest(Request("brun_t2", "id: x\nchecks: [{id: 1}]\n"));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  EXPECT_TRUE(spooled_.empty());
}

TEST_F(BaselineAgentTest, CommandsRunOnTheModuleThreadAndAFullQueueIsRefused) {
  BaselineAgentOptions options;
  options.root = Root("app-webroot-no-vcs", false);
  options.max_queued = 1;
  std::vector<std::tuple<std::string, bool, std::string>> done;  // guarded by mu_
  options.command_done = [&](std::string_view id, bool ok, std::string_view message,
                             const Json& result) {
    std::lock_guard lock(mu_);
    done.emplace_back(std::string(id), ok, std::string(message));
    if (ok) {
      EXPECT_EQ(result.GetString("run_id"), "brun_a");
    }
  };
  BaselineAgent agent(options, Collect());
  EXPECT_FALSE(agent.OnCommand("cmd_1", "block", Json::MakeObject()));
  // Not started: the first request waits in the queue, the second is refused (still handled).
  EXPECT_TRUE(agent.OnCommand("cmd_2", "run_baseline", Request("brun_a", yaml_)));
  EXPECT_TRUE(agent.OnCommand("cmd_3", "run_baseline", Request("brun_b", yaml_)));
  agent.Start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (agent.completed() < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  agent.Stop();
  std::lock_guard lock(mu_);
  ASSERT_EQ(spooled_.size(), 1U);
  EXPECT_EQ(spooled_[0].payload.GetString("run_id"), "brun_a");
  EXPECT_EQ(StatusOf(spooled_[0].payload, "app-webroot-no-vcs"), "fail");
  // Each command is answered: the refused one at once, the run when it finished.
  ASSERT_EQ(done.size(), 2U);
  EXPECT_EQ(std::get<0>(done[0]), "cmd_3");
  EXPECT_FALSE(std::get<1>(done[0]));
  EXPECT_NE(std::get<2>(done[0]).find("already waiting"), std::string::npos);
  EXPECT_EQ(std::get<0>(done[1]), "cmd_2");
  EXPECT_TRUE(std::get<1>(done[1]));
}

}  // namespace
}  // namespace rampart::agent::baseline
