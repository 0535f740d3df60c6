// Access control, enumerated over every route of the router: no or bad credentials -> 401, a
// role below the route's -> 403, another tenant's object -> 404 (and left untouched).
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>

#include "common/strings.h"
#include "server/api/api_test_support.h"

namespace rampart::server::api {
namespace {

using testing::ApiFixture;
using testing::ErrorCode;

bool NeedsRole(const RouteInfo& route) { return ParseRole(route.min_role).ok(); }

// The pattern with every {param} replaced: {category} by a valid category, others by `id`.
std::string Fill(const std::string& pattern, const std::string& id) {
  std::string out;
  for (std::string_view part : Split(pattern, '/')) {
    if (!out.empty() || !part.empty()) out += "/";
    if (part == "{category}") {
      out += "ports";
    } else if (StartsWith(part, "{")) {
      out += id;
    } else {
      out += part;
    }
  }
  return out;
}

std::string BodyFor(const RouteInfo& route) { return route.request_schema.empty() ? "" : "{}"; }

class ApiAccess : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    // One object of every kind a route names by {id}, in tenant B.
    Host host = MustHost(tenant_b_, "b-host");
    b_host_ = host.id;
    User user = MustUser(tenant_b_, "bob", Role::kOperator);
    auto token = CreateApiToken(*storage_, clock_, tenant_b_, user.id, Role::kViewer, "", 0);
    ASSERT_TRUE(token.ok());
    auto parsed = wire::ParseApiToken(token->second);
    ASSERT_TRUE(parsed.ok());
    EnrollTokenRecord enroll;
    enroll.tenant_id = tenant_b_;
    enroll.secret_hash = "x";
    enroll.created_at = Now();
    auto enroll_token = storage_->CreateEnrollToken(enroll);
    ASSERT_TRUE(enroll_token.ok());
    // A security event of tenant B's host.
    SecurityEventsBatch batch;
    batch.idempotency_key = "k1";
    ReportedEvent event;
    event.incident_id = std::string(32, 'b');
    event.type = "brute_force";
    event.source = "203.0.113.7";
    event.user = "root";
    event.first_seen = event.last_seen = Now();
    batch.events.push_back(event);
    ASSERT_TRUE(storage_->ApplySecurityEvents(host.id, batch, Now()).ok());
    EventQuery all;
    auto events = storage_->ListSecurityEvents(tenant_b_, all);
    ASSERT_TRUE(events.ok() && events->items.size() == 1);
    // Vulnerability objects of tenant B: a finding on its host, an ignore rule, an emergency.
    HostFinding finding;
    finding.vuln_id = "DSA-B-1";
    finding.package = "openssl";
    finding.severity = "high";
    ASSERT_TRUE(
        storage_
            ->ReplaceHostFindings(
                tenant_b_, host.id, {finding}, [](const std::string&) { return true; }, Now())
            .ok());
    IgnoreRule rule;
    rule.tenant_id = tenant_b_;
    rule.package = "zlib";
    auto stored_rule = storage_->CreateIgnoreRule(rule);
    ASSERT_TRUE(stored_rule.ok());
    ASSERT_TRUE(storage_->SetEmergency(EmergencyFlag{tenant_b_, "DSA-B-2", "", Now()}).ok());
    // Baseline objects of tenant B: a custom policy, an ignore and a run.
    BaselinePolicyRecord policy;
    policy.tenant_id = tenant_b_;
    policy.id = "b-policy";
    policy.name = "B policy";
    policy.yaml = "id: b-policy\nname: B\nchecks: []\n";
    policy.created_by = "bob";
    ASSERT_TRUE(storage_->PutBaselinePolicy(policy).ok());
    BaselineIgnore ignore;
    ignore.tenant_id = tenant_b_;
    ignore.policy_id = "b-policy";
    ignore.check_id = "c-1";
    auto stored_ignore = storage_->CreateBaselineIgnore(ignore);
    ASSERT_TRUE(stored_ignore.ok());
    BaselineRun run;
    run.tenant_id = tenant_b_;
    run.policy_id = "b-policy";
    run.created_by = "bob";
    auto stored_run = storage_->CreateBaselineRun(run);
    ASSERT_TRUE(stored_run.ok());
    baseline_ignore_ = stored_ignore->id;
    // A malware finding and a trusted-file entry of tenant B.
    MalwareEventsBatch malware;
    malware.idempotency_key = "m1";
    ReportedMalware file;
    file.path = "/tmp/eicar.com";
    file.sha256 = std::string(64, 'e');
    file.first_seen = file.last_seen = Now();
    malware.events.push_back(file);
    ASSERT_TRUE(storage_->ApplyMalwareEvents(host.id, malware, Now()).ok());
    auto malware_events = storage_->ListMalwareEvents(tenant_b_, MalwareQuery{});
    ASSERT_TRUE(malware_events.ok() && malware_events->items.size() == 1);
    TrustedFile trusted;
    trusted.tenant_id = tenant_b_;
    trusted.kind = "directory";
    trusted.value = "/opt/b";
    trusted.created_by = "test";
    auto trusted_b = storage_->CreateTrustedFile(trusted);
    ASSERT_TRUE(trusted_b.ok());
    b_objects_ = {{"/api/v1/malware/events/", malware_events->items[0].id},
                  {"/api/v1/malware/trusted/", trusted_b->entry.id},
                  {"/api/v1/events/", events->items[0].id},
                  {"/api/v1/vulnerabilities/", "DSA-B-1"},
                  {"/api/v1/vulnerability-ignore-rules/", stored_rule->id},
                  {"/api/v1/vulnerability-emergencies/", "DSA-B-2"},
                  {"/api/v1/hosts/", host.id},
                  {"/api/v1/users/", user.id},
                  {"/api/v1/tokens/", parsed->id},
                  {"/api/v1/enroll-tokens/", enroll_token->id},
                  {"/api/v1/baseline/policies/", "b-policy"},
                  {"/api/v1/baseline/ignores/", stored_ignore->id},
                  {"/api/v1/baseline/runs/", stored_run->id}};
  }

  // The tenant-B object id for a route with {id}; empty when no kind matches (a test failure).
  std::string ObjectOfB(const std::string& pattern) {
    for (const auto& [prefix, id] : b_objects_) {
      if (StartsWith(pattern, prefix)) return id;
    }
    return "";
  }

  // True when the tenant-B object behind `pattern` still exists.
  bool StillThere(const std::string& pattern, const std::string& id) {
    if (StartsWith(pattern, "/api/v1/hosts/")) {
      // Nothing was queued for it either (block/unblock routes), and its findings, which PATCH
      // .../vulnerabilities/{vuln_id} would change, are untouched.
      auto commands = storage_->ListCommands(tenant_b_, id, PageRequest{});
      if (!commands.ok() || !commands->items.empty()) return false;
      HostFindingQuery q;
      q.host_id = id;
      auto page = storage_->ListHostFindings(tenant_b_, q);
      if (!page.ok() || page->items.size() != 1 ||
          page->items[0].status != FindingStatus::kPending) {
        return false;
      }
      return storage_->GetHost(tenant_b_, id).ok();
    }
    if (StartsWith(pattern, "/api/v1/vulnerabilities/")) {
      HostFindingQuery q;
      q.vuln_id = id;
      auto page = storage_->ListHostFindings(tenant_b_, q);
      return page.ok() && !page->items.empty() && page->items[0].status == FindingStatus::kPending;
    }
    if (StartsWith(pattern, "/api/v1/vulnerability-ignore-rules/")) {
      auto rules = storage_->ListIgnoreRules(tenant_b_);
      return rules.ok() && rules->size() == 1 && (*rules)[0].id == id;
    }
    if (StartsWith(pattern, "/api/v1/vulnerability-emergencies/")) {
      auto flags = storage_->ListEmergencies(tenant_b_);
      return flags.ok() && flags->size() == 1 && (*flags)[0].vuln_id == id;
    }
    if (StartsWith(pattern, "/api/v1/events/")) {
      auto event = storage_->GetSecurityEvent(tenant_b_, id);
      TenantSettings settings = *storage_->GetSettings(tenant_b_);
      return event.ok() && event->status == EventStatus::kPending && event->note.empty() &&
             settings.version == 0;
    }
    if (StartsWith(pattern, "/api/v1/baseline/policies/")) {
      // Still stored, still enabled, and nothing was run on it.
      auto settings = storage_->ListBaselineSettings(tenant_b_);
      return storage_->GetBaselinePolicy(tenant_b_, id).ok() && settings.ok() &&
             settings->size() == 1 && (*settings)[0].enabled &&
             storage_->ListCommands(tenant_b_, b_host_, PageRequest{})->items.empty();
    }
    if (StartsWith(pattern, "/api/v1/baseline/ignores/")) {
      auto ignores = storage_->ListBaselineIgnores(tenant_b_);
      return ignores.ok() && ignores->size() == 1 && (*ignores)[0].id == id;
    }
    if (StartsWith(pattern, "/api/v1/baseline/runs/")) {
      return storage_->GetBaselineRun(tenant_b_, id).ok();
    }
    if (StartsWith(pattern, "/api/v1/malware/events/")) {
      // Unchanged, and no command was queued for its host, no trusted entry added.
      auto event = storage_->GetMalwareEvent(tenant_b_, id);
      auto commands = event.ok() ? storage_->ListCommands(tenant_b_, event->host_id, PageRequest{})
                                 : Result<Page<AgentCommand>>(NotFound("gone"));
      auto trusted = storage_->ListTrustedFiles(tenant_b_);
      return event.ok() && event->status == MalwareStatus::kPending && commands.ok() &&
             commands->items.empty() && trusted.ok() && trusted->size() == 1;
    }
    if (StartsWith(pattern, "/api/v1/malware/trusted/")) {
      auto trusted = storage_->ListTrustedFiles(tenant_b_);
      return trusted.ok() && trusted->size() == 1 && (*trusted)[0].id == id;
    }
    if (StartsWith(pattern, "/api/v1/users/")) return storage_->GetUser(tenant_b_, id).ok();
    if (StartsWith(pattern, "/api/v1/tokens/")) {
      auto token = storage_->GetApiToken(id);
      return token.ok() && token->revoked_at == 0;
    }
    if (StartsWith(pattern, "/api/v1/enroll-tokens/")) {
      auto token = storage_->GetEnrollToken(id);
      return token.ok() && token->revoked_at == 0;
    }
    return false;
  }

  std::vector<std::pair<std::string, std::string>> b_objects_;
  std::string baseline_ignore_;
  std::string b_host_;
};

TEST_F(ApiAccess, EveryRoleRouteAnswers401WithoutAToken) {
  int checked = 0;
  for (const RouteInfo& route : router_->routes()) {
    if (!NeedsRole(route)) continue;
    net::HttpResponse response = Do(route.method, Fill(route.pattern, "x"), "", BodyFor(route));
    EXPECT_EQ(response.status, 401) << route.method << " " << route.pattern;
    EXPECT_EQ(ErrorCode(response), "unauthenticated") << route.pattern;
    EXPECT_TRUE(response.headers.Get("www-authenticate").has_value()) << route.pattern;
    ++checked;
  }
  EXPECT_GE(checked, 18);
}

TEST_F(ApiAccess, EveryRoleRouteAnswers401ForMalformedWrongRevokedOrExpiredTokens) {
  const std::string revoked = MustToken(tenant_a_, "", Role::kAdmin);
  auto revoked_id = wire::ParseApiToken(revoked);
  ASSERT_TRUE(revoked_id.ok());
  ASSERT_TRUE(storage_->RevokeApiToken(tenant_a_, revoked_id->id, Now()).ok());
  const std::string expired = MustToken(tenant_a_, "", Role::kAdmin, /*ttl=*/60);
  clock_.Advance(std::chrono::seconds(61));
  auto admin_id = wire::ParseApiToken(admin_);
  ASSERT_TRUE(admin_id.ok());
  const std::string wrong_secret =
      "rpt1." + admin_id->id + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  const std::string unknown_id = "rpt1.tk_00000000000000000000000000000000.secret";

  for (const RouteInfo& route : router_->routes()) {
    if (!NeedsRole(route)) continue;
    const std::string target = Fill(route.pattern, "x");
    for (const std::string& token : {std::string("garbage"), std::string("rpt1.only-two"),
                                     wrong_secret, unknown_id, revoked, expired}) {
      net::HttpResponse response = Do(route.method, target, token, BodyFor(route));
      EXPECT_EQ(response.status, 401) << route.method << " " << route.pattern << " " << token;
      EXPECT_EQ(testing::ErrorMessage(response), kUnauthenticatedMessage);
    }
    // Another scheme than Bearer.
    net::HttpRequest basic = Request(route.method, target);
    basic.headers.Add("Authorization", "Basic YWxpY2U6cHc=");
    EXPECT_EQ(router_->Handle(basic).status, 401) << route.pattern;
  }
}

TEST_F(ApiAccess, EveryRoleRouteAnswers403BelowItsRole) {
  int checked = 0;
  for (const RouteInfo& route : router_->routes()) {
    if (!NeedsRole(route)) continue;
    const Role need = *ParseRole(route.min_role);
    const std::string target = Fill(route.pattern, "x");
    for (auto [role, token] : {std::pair{Role::kViewer, viewer_}, {Role::kOperator, operator_}}) {
      if (RoleAtLeast(role, need)) continue;
      net::HttpResponse response = Do(route.method, target, token, BodyFor(route));
      EXPECT_EQ(response.status, 403)
          << route.method << " " << route.pattern << " as " << RoleName(role);
      EXPECT_EQ(ErrorCode(response), "permission_denied");
      ++checked;
    }
  }
  EXPECT_GE(checked, 20);
}

TEST_F(ApiAccess, EveryRouteWithAnIdAnswers404ForAnotherTenantsObjectAndLeavesItAlone) {
  int checked = 0;
  for (const RouteInfo& route : router_->routes()) {
    if (!NeedsRole(route) || route.pattern.find("{id}") == std::string::npos) continue;
    const std::string id = ObjectOfB(route.pattern);
    ASSERT_FALSE(id.empty()) << "no tenant-B object kind for " << route.pattern
                             << ": add one to ApiAccess::SetUp";
    // The route's own role is enough; tenant A's admin may do anything in tenant A.
    net::HttpResponse response = Do(route.method, Fill(route.pattern, id), admin_, BodyFor(route));
    EXPECT_EQ(response.status, 404)
        << route.method << " " << route.pattern << ": " << response.body;
    EXPECT_EQ(ErrorCode(response), "not_found");
    EXPECT_TRUE(StillThere(route.pattern, id)) << route.method << " " << route.pattern;
    // The owner sees it (the 404 above is about tenancy, not a bad id).
    if (route.method == "GET") {
      EXPECT_EQ(Do("GET", Fill(route.pattern, id), admin_b_).status, 200) << route.pattern;
    }
    ++checked;
  }
  EXPECT_GE(checked, 6);
}

TEST_F(ApiAccess, PublicRoutesNeedNoToken) {
  for (const RouteInfo& route : router_->routes()) {
    if (route.min_role != "none") continue;
    net::HttpResponse response = Do(route.method, route.pattern, "", BodyFor(route));
    EXPECT_NE(response.status, 403) << route.pattern;
    // The enrolment route authenticates by the token in its body: "{}" is a 400, not a 401.
    EXPECT_TRUE(response.status == 200 || response.status == 400)
        << route.pattern << ": " << response.status << " " << response.body;
  }
}

TEST_F(ApiAccess, EachRouteAcceptsItsOwnRole) {
  // GET routes without parameters answer 200 to exactly the minimum role.
  std::map<Role, std::string> tokens = {
      {Role::kViewer, viewer_}, {Role::kOperator, operator_}, {Role::kAdmin, admin_}};
  for (const RouteInfo& route : router_->routes()) {
    if (!NeedsRole(route) || route.method != "GET" ||
        route.pattern.find('{') != std::string::npos) {
      continue;
    }
    net::HttpResponse response = Do("GET", route.pattern, tokens[*ParseRole(route.min_role)]);
    EXPECT_EQ(response.status, 200) << route.pattern << ": " << response.body;
  }
}

}  // namespace
}  // namespace rampart::server::api
