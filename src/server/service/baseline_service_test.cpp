// BaselineService: schedules (when a run is due), uploads validated by the agent's loader, runs
// queued per host in scope, and due schedules started once.
#include "server/service/baseline_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/wire.h"

namespace rampart::server {
namespace {

using ::testing::HasSubstr;

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kStart = 1767225600;  // 2026-01-01T00:00:00Z

constexpr std::string_view kPolicy = R"(id: svc-demo
name: Service demo
checks:
  - id: d-1
    title: passwd exists
    remediation: {advice: restore it}
    level: high
    check: {file: {path: /etc/passwd}}
)";

// 2026-03-29 in Europe/Paris: 02:00 CET becomes 03:00 CEST at 01:00 UTC; 2026-10-25: 03:00 CEST
// becomes 02:00 CET at 01:00 UTC.
constexpr std::int64_t kSpringForward = 1774746000;  // 2026-03-29T01:00:00Z
constexpr std::int64_t kFallBack = 1792890000;       // 2026-10-25T01:00:00Z

TEST(BaselineSchedule, LocalTimeFollowsDst) {
  BaselinePolicySettings s;
  s.interval_days = 1;
  s.at_minute = 6 * 60;  // 06:00 Paris
  s.time_zone = "Europe/Paris";
  // The day before the change 06:00 CET is 05:00 UTC; the day after 06:00 CEST is 04:00 UTC.
  s.last_run_at = kSpringForward - kDay + 4 * 3600;  // 2026-03-28T05:00Z = 06:00 CET
  EXPECT_FALSE(BaselineScheduleDue(s, kSpringForward + 3 * 3600 - 60));  // 05:59 CEST
  EXPECT_TRUE(BaselineScheduleDue(s, kSpringForward + 3 * 3600));        // 06:00 CEST
  EXPECT_EQ(BaselineNextRun(s, kSpringForward), kSpringForward + 3 * 3600);
  // The same schedule in UTC would have waited until 06:00 UTC.
  s.time_zone = "UTC";
  s.last_run_at = kSpringForward - kDay + 5 * 3600;  // 2026-03-28T06:00Z
  EXPECT_FALSE(BaselineScheduleDue(s, kSpringForward + 3 * 3600));
  EXPECT_EQ(BaselineNextRun(s, kSpringForward), kSpringForward + 5 * 3600);
}

TEST(BaselineSchedule, StartInTheSpringForwardGapRunsWhenTheGapEnds) {
  BaselinePolicySettings s;
  s.interval_days = 1;
  s.at_minute = 2 * 60 + 30;  // 02:30 Paris, which does not exist on 2026-03-29
  s.time_zone = "Europe/Paris";
  s.last_run_at = kSpringForward - kDay + 30 * 60;            // 2026-03-28T01:30Z = 02:30 CET
  EXPECT_FALSE(BaselineScheduleDue(s, kSpringForward - 60));  // 01:59 CET
  EXPECT_TRUE(BaselineScheduleDue(s, kSpringForward));        // 03:00 CEST, the gap's end
  EXPECT_EQ(BaselineNextRun(s, kSpringForward - 3600), kSpringForward);
  // The next day it is 02:30 CEST again (00:30 UTC).
  s.last_run_at = kSpringForward;
  EXPECT_FALSE(BaselineScheduleDue(s, kSpringForward + kDay - 1800 - 60));
  EXPECT_TRUE(BaselineScheduleDue(s, kSpringForward + kDay - 1800));
  EXPECT_EQ(BaselineNextRun(s, kSpringForward + 60), kSpringForward + kDay - 1800);
}

TEST(BaselineSchedule, StartInTheRepeatedFallBackHourRunsOnce) {
  BaselinePolicySettings s;
  s.interval_days = 1;
  s.at_minute = 2 * 60 + 30;  // 02:30 Paris, which happens twice on 2026-10-25
  s.time_zone = "Europe/Paris";
  s.last_run_at = kFallBack - kDay - 1800;  // 2026-10-24T00:30Z = 02:30 CEST
  EXPECT_EQ(BaselineNextRun(s, kFallBack - 2 * 3600), kFallBack - 1800);  // the first 02:30
  EXPECT_FALSE(BaselineScheduleDue(s, kFallBack - 1800 - 60));
  EXPECT_TRUE(BaselineScheduleDue(s, kFallBack - 1800));  // 02:30 CEST
  s.last_run_at = kFallBack - 1800 + 5;
  // The second 02:30 (CET, 01:30 UTC) and the rest of the day find the slot already run.
  for (std::int64_t t = kFallBack - 1800 + 60; t < kFallBack + kDay + 1800; t += 60) {
    ASSERT_FALSE(BaselineScheduleDue(s, t)) << t;
  }
  EXPECT_TRUE(BaselineScheduleDue(s, kFallBack + kDay + 1800));  // 10-26 02:30 CET = 01:30Z
  EXPECT_EQ(BaselineNextRun(s, kFallBack), kFallBack + kDay + 1800);
}

TEST(BaselineSchedule, AZoneTheDatabaseLostRunsInUtc) {
  BaselinePolicySettings s;
  s.interval_days = 1;
  s.at_minute = 3 * 60;
  s.time_zone = "Gone/Zone";
  s.updated_at = kStart + 2 * 3600;
  EXPECT_FALSE(BaselineScheduleDue(s, kStart + 3 * 3600 - 60));
  EXPECT_TRUE(BaselineScheduleDue(s, kStart + 3 * 3600));
}

TEST(BaselineSchedule, DueAfterTheIntervalAtTheSlotTime) {
  BaselinePolicySettings s;
  s.interval_days = 1;
  s.at_minute = 3 * 60;              // 03:00 UTC
  s.updated_at = kStart + 2 * 3600;  // saved at 02:00
  EXPECT_FALSE(BaselineScheduleDue(s, kStart + 2 * 3600 + 60));
  EXPECT_TRUE(BaselineScheduleDue(s, kStart + 3 * 3600));  // the first slot after saving
  s.last_run_at = kStart + 3 * 3600 + 5;
  EXPECT_FALSE(BaselineScheduleDue(s, kStart + 23 * 3600));
  EXPECT_FALSE(BaselineScheduleDue(s, kStart + kDay + 3 * 3600 - 1));
  EXPECT_TRUE(BaselineScheduleDue(s, kStart + kDay + 3 * 3600));
  s.interval_days = 7;
  EXPECT_FALSE(BaselineScheduleDue(s, kStart + 6 * kDay + 3 * 3600));
  EXPECT_TRUE(BaselineScheduleDue(s, kStart + 7 * kDay + 3 * 3600));
  s.enabled = false;
  EXPECT_FALSE(BaselineScheduleDue(s, kStart + 30 * kDay));
  s.enabled = true;
  s.interval_days = 0;
  EXPECT_FALSE(BaselineScheduleDue(s, kStart + 30 * kDay));
  EXPECT_TRUE(IsBaselineInterval(3));
  EXPECT_FALSE(IsBaselineInterval(2));
}

class BaselineServiceTest : public ::testing::Test {
 protected:
  BaselineServiceTest()
      : clock_(std::chrono::system_clock::time_point(std::chrono::seconds(kStart))) {}

  void SetUp() override {
    auto storage = OpenStorage("sqlite://:memory:", "");
    ASSERT_TRUE(storage.ok());
    storage_ = std::move(*storage);
    service_ = std::make_unique<BaselineService>(
        *storage_, clock_,
        std::vector<std::pair<std::string, std::string>>{{"shipped.yaml", std::string(kPolicy)},
                                                         {"broken.yaml", "id: [1"}});
    service_->command_queued = [this](const std::string& host) { queued_.push_back(host); };
    auto tenant = storage_->CreateTenant("t", kStart);
    ASSERT_TRUE(tenant.ok());
    tenant_ = tenant->id;
    EnrollTokenRecord token;
    token.tenant_id = tenant_;
    token.secret_hash = "x";
    token.created_at = kStart;
    auto stored = storage_->CreateEnrollToken(token);
    ASSERT_TRUE(stored.ok());
    for (const char* name : {"web-1", "web-2"}) {
      Host h;
      h.id = wire::RandomId("h");
      h.machine_id = name;
      h.hostname = name;
      h.agent_secret_hash = "s";
      auto host = storage_->EnrollHost(stored->id, h, kStart);
      ASSERT_TRUE(host.ok());
      hosts_.push_back(host->id);
    }
  }

  FakeClock clock_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<BaselineService> service_;
  std::string tenant_;
  std::vector<std::string> hosts_;
  std::vector<std::string> queued_;
};

TEST_F(BaselineServiceTest, ShippedPoliciesThatDoNotLoadAreSkipped) {
  auto all = service_->ListPolicies(tenant_);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1U);
  EXPECT_EQ((*all)[0].id, "svc-demo");
  EXPECT_EQ((*all)[0].checks, 1);
  EXPECT_TRUE((*all)[0].settings.enabled);
}

TEST_F(BaselineServiceTest, UploadsAreValidatedAndNeverShadowAShippedPolicy) {
  auto bad =
      service_->Upload(tenant_, "id: c\nname: C\nchecks:\n  - id: x-1\n    level: nope\n", "a");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("policy.yaml:"));
  EXPECT_THAT(bad.status().message(), HasSubstr("x-1"));
  EXPECT_EQ(storage_->ListBaselinePolicies(tenant_)->size(), 0U);
  EXPECT_EQ(service_->Upload(tenant_, kPolicy, "a").status().code(), Code::kAlreadyExists);
  std::string custom(kPolicy);
  custom.replace(custom.find("svc-demo"), 8, "custom-1");
  auto ok = service_->Upload(tenant_, custom, "alice");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->source, "custom");
  EXPECT_EQ(ok->created_by, "alice");
  EXPECT_EQ(service_->ListPolicies(tenant_)->size(), 2U);
  EXPECT_EQ(service_->ListPolicies("other")->size(), 1U);
}

TEST_F(BaselineServiceTest, RunQueuesOneCommandPerHostInScope) {
  auto run = service_->Run(tenant_, "svc-demo", {}, "alice");
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->run.hosts_targeted, 2);
  EXPECT_EQ(run->command_ids.size(), 2U);
  EXPECT_EQ(queued_.size(), 2U);
  auto commands = storage_->ListCommands(tenant_, hosts_[0], PageRequest{});
  ASSERT_EQ(commands->items.size(), 1U);
  EXPECT_EQ(commands->items[0].name, "run_baseline");
  EXPECT_EQ(commands->items[0].args.Find("policies")->as_array()[0].GetString("source"), "shipped");
  // A stored scope limits the run; a host of the scope deleted since is skipped.
  BaselinePolicySettings s;
  s.tenant_id = tenant_;
  s.policy_id = "svc-demo";
  s.host_ids = {hosts_[1], "h_gone"};
  ASSERT_TRUE(storage_->PutBaselineSettings(s).ok());
  run = service_->Run(tenant_, "svc-demo", {}, "alice");
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->host_ids, std::vector<std::string>{hosts_[1]});
  // Named hosts must be the tenant's.
  EXPECT_EQ(service_->Run(tenant_, "svc-demo", {"h_gone"}, "a").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(service_->Run(tenant_, "nope", {}, "a").status().code(), Code::kNotFound);
  s.enabled = false;
  ASSERT_TRUE(storage_->PutBaselineSettings(s).ok());
  EXPECT_EQ(service_->Run(tenant_, "svc-demo", {}, "a").status().code(), Code::kFailedPrecondition);
}

TEST_F(BaselineServiceTest, DueSchedulesStartOnce) {
  BaselinePolicySettings s;
  s.tenant_id = tenant_;
  s.policy_id = "svc-demo";
  s.interval_days = 1;
  s.at_minute = 3 * 60;
  s.updated_at = kStart;
  ASSERT_TRUE(storage_->PutBaselineSettings(s).ok());
  clock_.Advance(std::chrono::hours(2));
  EXPECT_EQ(*service_->RunDueSchedules(), 0);
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(*service_->RunDueSchedules(), 1);
  EXPECT_EQ(*service_->RunDueSchedules(), 0);  // recorded as the last run
  EXPECT_EQ(storage_->ListCommands(tenant_, hosts_[0], PageRequest{})->items.size(), 1U);
  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(*service_->RunDueSchedules(), 1);
}

}  // namespace
}  // namespace rampart::server
