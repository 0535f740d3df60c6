// Storage: baseline management (custom policies, settings, runs, results replaced per host x
// policy and idempotent per batch key, history, ignores and the host counter). Runs on SQLite and
// on MariaDB (test_db.h).

#include "server/storage/storage_test_fixture.h"

namespace rampart::server {
namespace {

class Baseline : public StorageTest {
 protected:
  static BaselineCheckResult Result(const std::string& id, const std::string& status) {
    BaselineCheckResult r;
    r.check_id = id;
    r.title = "Title of " + id;
    r.level = "high";
    r.status = status;
    r.evidence = "/etc/ssh/sshd_config:3: PermitRootLogin yes";
    r.remediation = "Set PermitRootLogin no";
    r.remediation_command =
        "sed -i 's/^PermitRootLogin.*/PermitRootLogin no/' /etc/ssh/sshd_config";
    r.references = {"CIS 5.2.10"};
    return r;
  }

  BaselineIngest MustApply(const std::string& host, const std::string& key,
                           std::vector<BaselineCheckResult> results,
                           const std::string& policy = "linux-cis-debian",
                           const std::string& run = "", std::int64_t now = 86400 * 20000) {
    BaselineResultsBatch batch;
    batch.idempotency_key = key;
    batch.policy_id = policy;
    batch.policy_name = "Linux CIS";
    batch.run_id = run;
    batch.results = std::move(results);
    auto stored = storage().ApplyBaselineResults(host, batch, now);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    return stored.ok() ? *stored : BaselineIngest{};
  }

  std::vector<BaselineResultRow> Results(const std::string& tenant, BaselineResultQuery q = {}) {
    auto rows = storage().ListBaselineResults(tenant, q);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<BaselineResultRow>{};
  }

  std::int64_t Risk(const std::string& tenant, const std::string& host) {
    auto h = storage().GetHost(tenant, host);
    EXPECT_TRUE(h.ok());
    return h.ok() ? h->risk.baseline_failures : -1;
  }
};

TEST_P(Baseline, CustomPoliciesAreTenantScopedAndReplacedOnUpload) {
  Tenant a = MakeTenant("a");
  Tenant b = MakeTenant("b");
  BaselinePolicyRecord p;
  p.tenant_id = a.id;
  p.id = "custom-ssh";
  p.name = "Custom SSH";
  p.yaml = "id: custom-ssh\n";
  p.checks = 2;
  p.created_by = "alice";
  p.updated_at = 100;
  ASSERT_TRUE(storage().PutBaselinePolicy(p).ok());
  p.name = "Custom SSH v2";
  p.checks = 3;
  p.created_by = "bob";
  p.updated_at = 200;
  auto again = storage().PutBaselinePolicy(p);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->created_at, 100);
  EXPECT_EQ(again->created_by, "alice");
  auto got = storage().GetBaselinePolicy(a.id, "custom-ssh");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "Custom SSH v2");
  EXPECT_EQ(got->checks, 3);
  EXPECT_EQ(got->updated_at, 200);
  EXPECT_EQ(storage().GetBaselinePolicy(b.id, "custom-ssh").status().code(), Code::kNotFound);
  EXPECT_EQ(storage().ListBaselinePolicies(b.id)->size(), 0U);
  EXPECT_EQ(storage().ListBaselinePolicies(a.id)->size(), 1U);
  EXPECT_EQ(storage().DeleteBaselinePolicy(b.id, "custom-ssh").code(), Code::kNotFound);
  EXPECT_TRUE(storage().DeleteBaselinePolicy(a.id, "custom-ssh").ok());
  EXPECT_EQ(storage().ListBaselinePolicies(a.id)->size(), 0U);
}

TEST_P(Baseline, SettingsUpsertKeepsLastRun) {
  Tenant t = MakeTenant("t");
  BaselineRun run;
  run.tenant_id = t.id;
  run.policy_id = "weak-passwords";
  run.hosts_targeted = 2;
  run.created_by = "scheduler";
  run.started_at = 5000;
  auto created = storage().CreateBaselineRun(run);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->id.rfind("brun", 0), 0U);
  // The run created the settings row (nothing saved yet): in UTC.
  ASSERT_EQ(storage().ListBaselineSettings(t.id)->size(), 1U);
  EXPECT_EQ((*storage().ListBaselineSettings(t.id))[0].time_zone, "UTC");

  BaselinePolicySettings s;
  s.tenant_id = t.id;
  s.policy_id = "weak-passwords";
  s.enabled = false;
  s.host_ids = {"h1", "h2"};
  s.interval_days = 3;
  s.at_minute = 90;
  s.time_zone = "Europe/Paris";
  ASSERT_TRUE(storage().PutBaselineSettings(s).ok());
  auto all = storage().ListBaselineSettings(t.id);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1U);
  const BaselinePolicySettings& got = (*all)[0];
  EXPECT_FALSE(got.enabled);
  EXPECT_EQ(got.host_ids, (std::vector<std::string>{"h1", "h2"}));
  EXPECT_EQ(got.interval_days, 3);
  EXPECT_EQ(got.at_minute, 90);
  EXPECT_EQ(got.time_zone, "Europe/Paris");
  EXPECT_EQ(got.last_run_at, 5000);
  EXPECT_EQ(got.last_run_id, created->id);
  // Every tenant's rows for the scheduler.
  EXPECT_EQ(storage().ListBaselineSettings("")->size(), 1U);
  // Saving again replaces the zone.
  s.time_zone = "America/Argentina/Buenos_Aires";
  ASSERT_TRUE(storage().PutBaselineSettings(s).ok());
  EXPECT_EQ((*storage().ListBaselineSettings(t.id))[0].time_zone, "America/Argentina/Buenos_Aires");
  s.time_zone = "../etc/passwd";
  EXPECT_EQ(storage().PutBaselineSettings(s).code(), Code::kInvalidArgument);
  s.time_zone = "UTC";
  s.at_minute = 1440;
  EXPECT_EQ(storage().PutBaselineSettings(s).code(), Code::kInvalidArgument);
  EXPECT_TRUE(storage().GetBaselineRun(t.id, created->id).ok());
  EXPECT_EQ(storage().GetBaselineRun("other", created->id).status().code(), Code::kNotFound);
}

TEST_P(Baseline, ResultsReplaceHostPolicyRowsAndAreIdempotent) {
  Tenant t = MakeTenant("t");
  Host h = Enroll(t.id, "m1", "web-1");
  BaselineRun run;
  run.tenant_id = t.id;
  run.policy_id = "linux-cis-debian";
  run.hosts_targeted = 1;
  run.created_by = "alice";
  auto created = storage().CreateBaselineRun(run);
  ASSERT_TRUE(created.ok());

  BaselineIngest first = MustApply(
      h.id, "k1", {Result("a", "pass"), Result("b", "fail"), Result("c", "not_applicable")},
      "linux-cis-debian", created->id);
  EXPECT_FALSE(first.duplicate);
  EXPECT_EQ(first.stored, 3);
  EXPECT_EQ(Results(t.id).size(), 3U);
  EXPECT_EQ(Risk(t.id, h.id), 1);
  EXPECT_EQ(storage().GetBaselineRun(t.id, created->id)->results_received, 1);

  // The same key again changes nothing (the agent resends after a lost ack).
  EXPECT_TRUE(MustApply(h.id, "k1", {Result("a", "fail")}).duplicate);
  EXPECT_EQ(Results(t.id).size(), 3U);
  EXPECT_EQ(storage().GetBaselineRun(t.id, created->id)->results_received, 1);

  // A new batch for the policy replaces the host's rows of that policy only.
  MustApply(h.id, "k2", {Result("x", "pass")}, "weak-passwords");
  MustApply(h.id, "k3", {Result("a", "fail"), Result("b", "fail")});
  BaselineResultQuery q;
  q.policy_id = "linux-cis-debian";
  auto rows = Results(t.id, q);
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].result.check_id, "a");
  EXPECT_EQ(rows[0].result.status, "fail");
  EXPECT_EQ(rows[0].hostname, "web-1");
  EXPECT_EQ(rows[0].result.references, (std::vector<std::string>{"CIS 5.2.10"}));
  EXPECT_EQ(rows[0].result.remediation_command,
            "sed -i 's/^PermitRootLogin.*/PermitRootLogin no/' /etc/ssh/sshd_config");
  EXPECT_EQ(Risk(t.id, h.id), 2);
  q.status = "fail";
  q.check_id = "b";
  EXPECT_EQ(Results(t.id, q).size(), 1U);
  EXPECT_EQ(Results("other-tenant").size(), 0U);

  // A deleted host's results go with it.
  ASSERT_TRUE(storage().DeleteHost(t.id, h.id).ok());
  EXPECT_EQ(Results(t.id).size(), 0U);
  EXPECT_EQ(QueryInt(db(), "SELECT COUNT(*) FROM baseline_history"), 0);
}

TEST_P(Baseline, UnknownHostIsNotFound) {
  BaselineResultsBatch batch;
  batch.idempotency_key = "k";
  batch.policy_id = "p";
  EXPECT_EQ(storage().ApplyBaselineResults("nope", batch, 1).status().code(), Code::kNotFound);
}

TEST_P(Baseline, IgnoresAtItemHostAndItemHostLevel) {
  Tenant t = MakeTenant("t");
  Host h1 = Enroll(t.id, "m1", "web-1");
  Host h2 = Enroll(t.id, "m2", "web-2");
  MustApply(h1.id, "k1", {Result("a", "fail"), Result("b", "fail")});
  MustApply(h2.id, "k2", {Result("a", "fail"), Result("b", "pass")});
  EXPECT_EQ(Risk(t.id, h1.id), 2);
  EXPECT_EQ(Risk(t.id, h2.id), 1);

  auto ignored_count = [&] {
    int n = 0;
    for (const auto& r : Results(t.id)) n += r.ignored ? 1 : 0;
    return n;
  };
  // Item: check a on every host.
  BaselineIgnore item;
  item.tenant_id = t.id;
  item.policy_id = "linux-cis-debian";
  item.check_id = "a";
  item.created_by = "alice";
  auto created = storage().CreateBaselineIgnore(item);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(ignored_count(), 2);
  EXPECT_EQ(Risk(t.id, h1.id), 1);
  EXPECT_EQ(Risk(t.id, h2.id), 0);
  ASSERT_TRUE(storage().DeleteBaselineIgnore(t.id, created->id).ok());
  EXPECT_EQ(ignored_count(), 0);
  EXPECT_EQ(Risk(t.id, h1.id), 2);
  EXPECT_EQ(Risk(t.id, h2.id), 1);
  EXPECT_EQ(storage().DeleteBaselineIgnore(t.id, created->id).code(), Code::kNotFound);

  // Host: every check of the policy on web-1.
  BaselineIgnore host = item;
  host.check_id = "";
  host.host_id = h1.id;
  ASSERT_TRUE(storage().CreateBaselineIgnore(host).ok());
  EXPECT_EQ(ignored_count(), 2);
  EXPECT_EQ(Risk(t.id, h1.id), 0);
  // Item x host.
  BaselineIgnore one = item;
  one.host_id = h2.id;
  ASSERT_TRUE(storage().CreateBaselineIgnore(one).ok());
  EXPECT_EQ(ignored_count(), 3);
  EXPECT_EQ(Risk(t.id, h2.id), 0);
  EXPECT_EQ(storage().ListBaselineIgnores(t.id)->size(), 2U);

  // Nothing at all, or another tenant's host, is refused.
  BaselineIgnore bad = item;
  bad.check_id = "";
  EXPECT_EQ(storage().CreateBaselineIgnore(bad).status().code(), Code::kInvalidArgument);
  Tenant other = MakeTenant("other");
  bad.tenant_id = other.id;
  bad.host_id = h1.id;
  EXPECT_EQ(storage().CreateBaselineIgnore(bad).status().code(), Code::kNotFound);

  // Deleting the policy removes its ignores and results.
  ASSERT_TRUE(storage().DeleteBaselinePolicy(t.id, "linux-cis-debian").code() ==
              Code::kNotFound);  // not a custom policy: nothing deleted
  EXPECT_EQ(storage().ListBaselineIgnores(t.id)->size(), 2U);
}

TEST_P(Baseline, TrendSumsDaysAndSkipsIgnored) {
  Tenant t = MakeTenant("t");
  Host h1 = Enroll(t.id, "m1", "web-1");
  Host h2 = Enroll(t.id, "m2", "web-2");
  const std::int64_t day1 = 86400 * 20000;  // 2024-10-04
  const std::int64_t day2 = day1 + 86400;
  MustApply(h1.id, "k1", {Result("a", "pass"), Result("b", "fail")}, "p", "", day1);
  MustApply(h1.id, "k2", {Result("a", "pass"), Result("b", "pass")}, "p", "", day2);
  MustApply(h2.id, "k3", {Result("a", "fail"), Result("c", "error")}, "p", "", day2);
  auto trend = storage().BaselineTrend(t.id, "2000-01-01");
  ASSERT_TRUE(trend.ok()) << trend.status().ToString();
  ASSERT_EQ(trend->size(), 2U);
  EXPECT_EQ((*trend)[0].date, "2024-10-04");
  EXPECT_EQ((*trend)[0].passed, 1);
  EXPECT_EQ((*trend)[0].failed, 1);
  EXPECT_EQ((*trend)[0].hosts, 1);
  EXPECT_EQ((*trend)[1].date, "2024-10-05");
  EXPECT_EQ((*trend)[1].passed, 2);
  EXPECT_EQ((*trend)[1].failed, 1);
  EXPECT_EQ((*trend)[1].hosts, 2);
  EXPECT_EQ(storage().BaselineTrend(t.id, "2024-10-05")->size(), 1U);
  // A result covered by an ignore when the batch arrives does not count that day.
  BaselineIgnore ig;
  ig.tenant_id = t.id;
  ig.policy_id = "p";
  ig.check_id = "a";
  ASSERT_TRUE(storage().CreateBaselineIgnore(ig).ok());
  MustApply(h2.id, "k4", {Result("a", "fail"), Result("c", "pass")}, "p", "", day2);
  trend = storage().BaselineTrend(t.id, "2024-10-05");
  ASSERT_EQ(trend->size(), 1U);
  EXPECT_EQ((*trend)[0].passed, 3);
  EXPECT_EQ((*trend)[0].failed, 0);
}

TEST_P(Baseline, CountsPerCheckLeaveIgnoredResultsApart) {
  Tenant t = MakeTenant("t");
  Host h1 = Enroll(t.id, "m1", "web-1");
  Host h2 = Enroll(t.id, "m2", "web-2");
  MustApply(h1.id, "k1", {Result("a", "fail"), Result("b", "pass")});
  MustApply(h2.id, "k2", {Result("a", "fail"), Result("b", "not_applicable")});
  MustApply(h2.id, "k3", {Result("x", "error")}, "other-policy");
  BaselineIgnore ig;
  ig.tenant_id = t.id;
  ig.policy_id = "linux-cis-debian";
  ig.check_id = "a";
  ig.host_id = h2.id;
  ASSERT_TRUE(storage().CreateBaselineIgnore(ig).ok());
  auto counts = storage().CountBaselineResults(t.id, "");
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  ASSERT_EQ(counts->checks.size(), 3U);
  const BaselineCheckCount& a = counts->checks[0];
  EXPECT_EQ(a.policy_id, "linux-cis-debian");
  EXPECT_EQ(a.check.check_id, "a");
  EXPECT_EQ(a.check.title, "Title of a");
  EXPECT_EQ(a.check.references, (std::vector<std::string>{"CIS 5.2.10"}));
  EXPECT_EQ(a.failed, 1);
  EXPECT_EQ(a.ignored, 1);
  const BaselineCheckCount& b = counts->checks[1];
  EXPECT_EQ(b.passed, 1);
  EXPECT_EQ(b.not_applicable, 1);
  EXPECT_EQ(counts->checks[2].error, 1);
  EXPECT_EQ(counts->hosts, 2);
  ASSERT_EQ(counts->hosts_per_policy.size(), 2U);
  EXPECT_EQ(counts->hosts_per_policy[0],
            (std::pair<std::string, std::int64_t>{"linux-cis-debian", 2}));
  EXPECT_EQ(counts->hosts_per_policy[1], (std::pair<std::string, std::int64_t>{"other-policy", 1}));
  auto one = storage().CountBaselineResults(t.id, "other-policy");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->checks.size(), 1U);
  EXPECT_EQ(one->hosts, 1);
  EXPECT_EQ(storage().CountBaselineResults("nobody", "")->checks.size(), 0U);
}

RAMPART_INSTANTIATE_DB_TEST(Baseline);

}  // namespace
}  // namespace rampart::server
