// /api/v1/baseline: policies (shipped + uploaded, validation errors with line and check id),
// settings, run now (commands queued with the policy text), results per check / per host, ignores
// changing pass rates, trend and summary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/api/api_test_support.h"

namespace rampart::server::api {
namespace {

using testing::ApiFixture;
using testing::ErrorCode;
using testing::ErrorMessage;
using ::testing::HasSubstr;
using testing::ParseBody;

constexpr std::string_view kShipped = R"(id: shipped-demo
name: Shipped demo
checks:
  - id: demo-1
    title: root login disabled
    remediation: {advice: set PermitRootLogin no}
    level: high
    check: {sshd: {key: PermitRootLogin, value: "no"}}
)";

constexpr std::string_view kCustom = R"(id: custom-ssh
name: Custom SSH
checks:
  - id: ssh-1
    title: no empty passwords
    remediation: {advice: set PermitEmptyPasswords no}
    level: high
    references: [CIS 5.2.9]
    check: {sshd: {key: PermitEmptyPasswords, value: "no"}}
  - id: ssh-2
    title: max auth tries
    remediation: {advice: set MaxAuthTries 4}
    level: medium
    check: {sshd: {key: MaxAuthTries, op: le, value: 4}}
)";

class BaselineApi : public ApiFixture {
 protected:
  BaselineApi() { shipped_policies_ = {{"shipped-demo.yaml", std::string(kShipped)}}; }

  net::HttpResponse Upload(const std::string& yaml, const std::string& token) {
    net::HttpRequest r = Request("POST", "/api/v1/baseline/policies", token);
    r.body = yaml;
    r.headers.Add("Content-Type", "application/yaml");
    return router_->Handle(r);
  }

  void Report(const std::string& host, const std::string& policy,
              std::vector<std::pair<std::string, std::string>> statuses,
              const std::string& run_id = "") {
    BaselineResultsBatch batch;
    batch.idempotency_key = wire::RandomId("k");
    batch.policy_id = policy;
    batch.run_id = run_id;
    for (const auto& [id, status] : statuses) {
      BaselineCheckResult r;
      r.check_id = id;
      r.title = "title " + id;
      r.level = "high";
      r.status = status;
      r.evidence = "evidence of " + id;
      r.remediation = "fix " + id;
      batch.results.push_back(r);
    }
    auto stored = storage_->ApplyBaselineResults(host, batch, Now());
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  }

  static Json Parse(std::string_view text) {
    auto j = Json::Parse(text);
    EXPECT_TRUE(j.ok());
    return j.ok() ? *j : Json();
  }

  std::int64_t GetHostRisk(const std::string& host_id) {
    auto h = storage_->GetHost(tenant_a_, host_id);
    EXPECT_TRUE(h.ok());
    return h.ok() ? h->risk.baseline_failures : -1;
  }

  static const Json* Item(const Json& list, std::string_view key, std::string_view value) {
    for (const Json& item : list.Find("items")->as_array()) {
      if (item.GetString(key) == value) return &item;
    }
    return nullptr;
  }
};

TEST_F(BaselineApi, ListsShippedAndUploadedPolicies) {
  Json list = GetOk("/api/v1/baseline/policies", viewer_);
  ASSERT_EQ(list.Find("items")->size(), 1U);
  const Json* shipped = Item(list, "id", "shipped-demo");
  ASSERT_NE(shipped, nullptr);
  EXPECT_EQ(shipped->GetString("source"), "shipped");
  EXPECT_EQ(shipped->GetInt("checks"), 1);
  EXPECT_EQ(*shipped->Find("scope"), Json("all"));
  EXPECT_TRUE(shipped->Find("schedule")->is_null());
  EXPECT_TRUE(shipped->Find("pass_rate")->is_null());

  // Only admins upload.
  EXPECT_EQ(Upload(std::string(kCustom), operator_).status, 403);
  net::HttpResponse up = Upload(std::string(kCustom), admin_);
  ASSERT_EQ(up.status, 201) << up.body;
  EXPECT_EQ(ParseBody(up).GetString("id"), "custom-ssh");
  EXPECT_EQ(ParseBody(up).GetInt("checks"), 2);
  // JSON {"yaml"} works too and replaces it.
  Json body = Json::MakeObject();
  body.Set("yaml", std::string(kCustom));
  EXPECT_EQ(Do("POST", "/api/v1/baseline/policies", admin_, body.Dump()).status, 201);
  list = GetOk("/api/v1/baseline/policies", viewer_);
  EXPECT_EQ(list.Find("items")->size(), 2U);
  // Tenant B does not see it.
  EXPECT_EQ(GetOk("/api/v1/baseline/policies", admin_b_).Find("items")->size(), 1U);
  EXPECT_EQ(Do("GET", "/api/v1/baseline/policies/custom-ssh", admin_b_).status, 404);
  Json one = GetOk("/api/v1/baseline/policies/custom-ssh", viewer_);
  EXPECT_EQ(one.GetString("yaml"), kCustom);
}

TEST_F(BaselineApi, BadUploadListsEveryProblemAndStoresNothing) {
  const std::string bad = R"(id: custom-bad
name: Bad
checks:
  - id: b-1
    title: x
    level: extreme
    check: {sshd: {key: PermitRootLogin, value: "no"}}
  - id: b-2
    title: y
    level: high
    check: {no_such_probe: {}}
)";
  net::HttpResponse r = Upload(bad, admin_);
  ASSERT_EQ(r.status, 400) << r.body;
  const std::string message = ErrorMessage(r);
  EXPECT_THAT(message, HasSubstr("policy.yaml:6:"));
  EXPECT_THAT(message, HasSubstr("b-1"));
  EXPECT_THAT(message, HasSubstr("b-2"));
  EXPECT_EQ(GetOk("/api/v1/baseline/policies", viewer_).Find("items")->size(), 1U);
  // A shipped id cannot be taken, an empty body says what it expected.
  EXPECT_EQ(Upload(std::string(kShipped), admin_).status, 409);
  EXPECT_EQ(Upload("  ", admin_).status, 400);
}

TEST_F(BaselineApi, PatchSettingsAndDelete) {
  Host h = MustHost(tenant_a_, "web-1");
  Json patch =
      Parse(R"({"enabled":false,"scope":["HOST"],"schedule":{"every_days":3,"at":"02:30"}})");
  std::string text = patch.Dump();
  text.replace(text.find("HOST"), 4, h.id);
  EXPECT_EQ(Do("PATCH", "/api/v1/baseline/policies/shipped-demo", operator_, text).status, 403);
  net::HttpResponse r = Do("PATCH", "/api/v1/baseline/policies/shipped-demo", admin_, text);
  ASSERT_EQ(r.status, 200) << r.body;
  Json got = ParseBody(r);
  EXPECT_FALSE(got.Find("enabled")->as_bool());
  EXPECT_EQ(got.Find("scope")->as_array()[0], Json(h.id));
  EXPECT_EQ(got.Find("schedule")->GetInt("every_days"), 3);
  EXPECT_EQ(got.Find("schedule")->GetString("at"), "02:30");
  EXPECT_EQ(got.Find("schedule")->GetString("time_zone"), "UTC");
  EXPECT_TRUE(got.Find("schedule")->Find("next_run_at")->is_null());  // disabled
  // A schedule in a time zone is validated against the tz database and kept.
  r = Do("PATCH", "/api/v1/baseline/policies/shipped-demo", admin_,
         R"({"enabled":true,"schedule":{"every_days":1,"at":"02:30","time_zone":"Europe/Paris"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  // Saved at 2026-01-01T00:00Z (01:00 in Paris): next 02:30 CET is 01:30 UTC.
  EXPECT_EQ(ParseBody(r).Find("schedule")->GetString("next_run_at"), "2026-01-01T01:30:00Z")
      << r.body;
  got = GetOk("/api/v1/baseline/policies/shipped-demo", viewer_);
  EXPECT_EQ(got.Find("schedule")->GetString("time_zone"), "Europe/Paris");
  EXPECT_EQ(got.Find("schedule")->GetString("at"), "02:30");
  // Bad values name the field.
  for (const char* bad :
       {R"({"schedule":{"every_days":2,"at":"02:30"}})",
        R"({"schedule":{"every_days":1,"at":"25:00"}})", R"({"scope":["nope"]})", R"({"scope":[]})",
        R"({"enabled":"yes"})", R"({"color":"red"})",
        R"({"schedule":{"every_days":1,"at":"02:30","time_zone":"Mars/Olympus"}})",
        R"({"schedule":{"every_days":1,"at":"02:30","time_zone":"../../etc/passwd"}})",
        R"({"schedule":{"every_days":1,"at":"02:30","time_zone":5}})"}) {
    net::HttpResponse b = Do("PATCH", "/api/v1/baseline/policies/shipped-demo", admin_, bad);
    EXPECT_EQ(b.status, 400) << bad << " " << b.body;
    if (std::string(bad).find("time_zone") != std::string::npos) {
      EXPECT_THAT(ErrorMessage(b), HasSubstr("schedule.time_zone")) << bad;
    }
  }
  got = GetOk("/api/v1/baseline/policies/shipped-demo", viewer_);
  EXPECT_EQ(got.Find("schedule")->GetString("time_zone"), "Europe/Paris");  // unchanged
  ASSERT_EQ(
      Do("PATCH", "/api/v1/baseline/policies/shipped-demo", admin_, R"({"enabled":false})").status,
      200);
  // A disabled policy does not run.
  EXPECT_EQ(Do("POST", "/api/v1/baseline/policies/shipped-demo/run", operator_).status, 409);
  // Shipped policies are not deletable; custom ones are, with their results.
  EXPECT_EQ(Do("DELETE", "/api/v1/baseline/policies/shipped-demo", admin_).status, 409);
  ASSERT_EQ(Upload(std::string(kCustom), admin_).status, 201);
  Report(h.id, "custom-ssh", {{"ssh-1", "fail"}});
  EXPECT_EQ(Do("DELETE", "/api/v1/baseline/policies/custom-ssh", admin_).status, 204);
  EXPECT_EQ(Do("GET", "/api/v1/baseline/policies/custom-ssh", admin_).status, 404);
  EXPECT_EQ(GetOk("/api/v1/hosts/" + h.id + "/baseline", viewer_).Find("items")->size(), 0U);
}

TEST_F(BaselineApi, RunNowQueuesOneCommandPerHostWithThePolicyText) {
  Host h1 = MustHost(tenant_a_, "web-1");
  Host h2 = MustHost(tenant_a_, "web-2");
  MustHost(tenant_b_, "other");
  ASSERT_EQ(Upload(std::string(kCustom), admin_).status, 201);
  EXPECT_EQ(Do("POST", "/api/v1/baseline/policies/custom-ssh/run", viewer_).status, 403);
  net::HttpResponse r = Do("POST", "/api/v1/baseline/policies/custom-ssh/run", operator_);
  ASSERT_EQ(r.status, 202) << r.body;
  Json run = ParseBody(r);
  EXPECT_EQ(run.GetInt("hosts_targeted"), 2);
  EXPECT_EQ(run.Find("command_ids")->size(), 2U);
  auto commands = storage_->ListCommands(tenant_a_, h1.id, PageRequest{});
  ASSERT_TRUE(commands.ok());
  ASSERT_EQ(commands->items.size(), 1U);
  const AgentCommand& c = commands->items[0];
  EXPECT_EQ(c.name, "run_baseline");
  EXPECT_EQ(c.args.GetString("run_id"), run.GetString("run_id"));
  const Json& policy = c.args.Find("policies")->as_array()[0];
  EXPECT_EQ(policy.GetString("id"), "custom-ssh");
  EXPECT_EQ(policy.GetString("source"), "custom");
  EXPECT_EQ(policy.GetString("yaml"), kCustom);
  // Only some hosts; another tenant's host is refused.
  r = Do("POST", "/api/v1/baseline/policies/custom-ssh/run", operator_,
         "{\"host_ids\":[\"" + h2.id + "\"]}");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(ParseBody(r).GetInt("hosts_targeted"), 1);
  EXPECT_EQ(
      Do("POST", "/api/v1/baseline/policies/custom-ssh/run", operator_, "{\"host_ids\":[\"nope\"]}")
          .status,
      400);
  // The run and the policy's last run.
  Json got = GetOk("/api/v1/baseline/runs/" + run.GetString("run_id"), viewer_);
  EXPECT_EQ(got.GetInt("hosts_targeted"), 2);
  Report(h1.id, "custom-ssh", {{"ssh-1", "pass"}}, run.GetString("run_id"));
  got = GetOk("/api/v1/baseline/runs/" + run.GetString("run_id"), viewer_);
  EXPECT_EQ(got.GetInt("results_received"), 1);
  Json p = GetOk("/api/v1/baseline/policies/custom-ssh", viewer_);
  EXPECT_FALSE(p.Find("last_run")->is_null());
}

TEST_F(BaselineApi, ChecksHostsIgnoresAndRates) {
  Host h1 = MustHost(tenant_a_, "web-1");
  Host h2 = MustHost(tenant_a_, "web-2");
  ASSERT_EQ(Upload(std::string(kCustom), admin_).status, 201);
  Report(h1.id, "custom-ssh", {{"ssh-1", "fail"}, {"ssh-2", "pass"}});
  Report(h2.id, "custom-ssh", {{"ssh-1", "fail"}, {"ssh-2", "not_applicable"}});

  Json checks = GetOk("/api/v1/baseline/checks?policy=custom-ssh", viewer_);
  const Json* c1 = Item(checks, "check_id", "ssh-1");
  ASSERT_NE(c1, nullptr);
  EXPECT_EQ(c1->GetInt("failed"), 2);
  EXPECT_EQ(c1->GetInt("passed"), 0);
  EXPECT_FALSE(c1->Find("ignored")->as_bool());
  EXPECT_EQ(GetOk("/api/v1/baseline/checks?status=fail", viewer_).Find("items")->size(), 1U);
  EXPECT_EQ(Do("GET", "/api/v1/baseline/checks?status=bad", viewer_).status, 400);

  Json hosts = GetOk("/api/v1/baseline/policies/custom-ssh/checks/ssh-1/hosts", viewer_);
  ASSERT_EQ(hosts.Find("items")->size(), 2U);
  EXPECT_EQ(hosts.Find("items")->as_array()[0].GetString("evidence"), "evidence of ssh-1");
  EXPECT_EQ(hosts.GetString("remediation"), "fix ssh-1");

  Json summary = GetOk("/api/v1/baseline/summary", viewer_);
  EXPECT_DOUBLE_EQ(summary.Find("pass_rate")->as_double(), 1.0 / 3.0);
  EXPECT_EQ(summary.GetInt("failed_checks"), 2);
  EXPECT_EQ(summary.GetInt("hosts_checked"), 2);
  EXPECT_EQ(summary.GetInt("policies"), 2);
  EXPECT_EQ(GetHostRisk(h1.id), 1);

  // Ignore ssh-1 on every host: the rate goes to 1, the items stay visible, flagged.
  EXPECT_EQ(Do("POST", "/api/v1/baseline/ignores", viewer_,
               R"({"policy_id":"custom-ssh","check_id":"ssh-1"})")
                .status,
            403);
  net::HttpResponse r = Do("POST", "/api/v1/baseline/ignores", operator_,
                           R"({"policy_id":"custom-ssh","check_id":"ssh-1","reason":"accepted"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string ignore_id = ParseBody(r).GetString("id");
  EXPECT_EQ(ParseBody(r).GetString("scope"), "item");
  summary = GetOk("/api/v1/baseline/summary", viewer_);
  EXPECT_DOUBLE_EQ(summary.Find("pass_rate")->as_double(), 1.0);
  EXPECT_EQ(summary.GetInt("failed_checks"), 0);
  EXPECT_EQ(GetHostRisk(h1.id), 0);
  checks = GetOk("/api/v1/baseline/checks?policy=custom-ssh", viewer_);
  EXPECT_TRUE(Item(checks, "check_id", "ssh-1")->Find("ignored")->as_bool());
  Json host = GetOk("/api/v1/hosts/" + h1.id + "/baseline", viewer_);
  EXPECT_DOUBLE_EQ(host.Find("pass_rate")->as_double(), 1.0);
  const Json* item = Item(host, "check_id", "ssh-1");
  ASSERT_NE(item, nullptr);
  EXPECT_TRUE(item->Find("ignored")->as_bool());
  EXPECT_EQ(item->GetString("remediation"), "fix ssh-1");
  EXPECT_EQ(GetOk("/api/v1/baseline/ignores", viewer_).Find("items")->size(), 1U);

  EXPECT_EQ(Do("DELETE", "/api/v1/baseline/ignores/" + ignore_id, operator_).status, 204);
  EXPECT_EQ(GetHostRisk(h1.id), 1);
  // Bad ignores name what is wrong.
  for (const char* bad :
       {R"({"policy_id":"custom-ssh"})", R"({"policy_id":"nope","check_id":"a"})",
        R"({"policy_id":"custom-ssh","host_id":"nope"})", R"({"check_id":"a"})"}) {
    EXPECT_EQ(Do("POST", "/api/v1/baseline/ignores", operator_, bad).status, 400) << bad;
  }
}

TEST_F(BaselineApi, TrendFollowsTheContract) {
  Host h1 = MustHost(tenant_a_, "web-1");
  Report(h1.id, "shipped-demo", {{"demo-1", "fail"}});
  clock_.Advance(std::chrono::hours(24));
  Report(h1.id, "shipped-demo", {{"demo-1", "pass"}});
  Json trend = GetOk("/api/v1/baseline/trend?days=7", viewer_);
  const Json* days = trend.Find("days");
  ASSERT_NE(days, nullptr);
  ASSERT_EQ(days->size(), 2U);
  EXPECT_EQ(days->as_array()[0].GetString("date"), "2026-01-01");
  EXPECT_DOUBLE_EQ(days->as_array()[0].Find("pass_rate")->as_double(), 0.0);
  EXPECT_EQ(days->as_array()[1].GetString("date"), "2026-01-02");
  EXPECT_DOUBLE_EQ(days->as_array()[1].Find("pass_rate")->as_double(), 1.0);
  EXPECT_EQ(days->as_array()[1].GetInt("hosts"), 1);
  EXPECT_EQ(GetOk("/api/v1/baseline/trend?days=1", viewer_).Find("days")->size(), 1U);
  EXPECT_EQ(Do("GET", "/api/v1/baseline/trend?days=0", viewer_).status, 400);
  Json empty = GetOk("/api/v1/baseline/summary", admin_b_);
  EXPECT_TRUE(empty.Find("pass_rate")->is_null());
  EXPECT_EQ(empty.GetInt("hosts_checked"), 0);
}

}  // namespace
}  // namespace rampart::server::api
