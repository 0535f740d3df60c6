#pragma once
// Test support for the API tests (header-only; tests only): an in-memory SQLite storage, a
// FakeClock, low argon2 costs, two tenants with one token per role, and request helpers.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "common/clock.h"
#include "common/json.h"
#include "common/wire.h"
#include "net/http.h"
#include "server/api/router.h"
#include "server/service/api_auth.h"
#include "server/service/baseline_service.h"
#include "server/service/password_hash.h"
#include "server/service/vuln_service.h"
#include "server/service/web_session.h"
#include "server/storage/storage.h"

namespace rampart::server::api::testing {

// 2026-01-01T00:00:00Z
inline constexpr std::int64_t kStart = 1767225600;

inline Json ParseBody(const net::HttpResponse& response) {
  auto parsed = Json::Parse(response.body);
  return parsed.ok() ? std::move(*parsed) : Json();
}

// The "code" of an error response, or "" when the body is not an error.
inline std::string ErrorCode(const net::HttpResponse& response) {
  Json body = ParseBody(response);
  const Json* error = body.Find("error");
  return error == nullptr ? "" : error->GetString("code");
}
inline std::string ErrorMessage(const net::HttpResponse& response) {
  Json body = ParseBody(response);
  const Json* error = body.Find("error");
  return error == nullptr ? "" : error->GetString("message");
}

class ApiFixture : public ::testing::Test {
 protected:
  ApiFixture() : clock_(std::chrono::system_clock::time_point(std::chrono::seconds(kStart))) {}

  void SetUp() override {
    saved_params_ = GetArgon2Params();
    // argon2's minimum memory; hashing stays real, only cheap.
    SetArgon2Params({8, 1, 1});
    auto storage = OpenStorage("sqlite://:memory:", "");
    ASSERT_TRUE(storage.ok()) << storage.error().ToString();
    storage_ = std::move(*storage);
    auth_ = std::make_unique<ApiAuthenticator>(storage_.get(), &clock_);
    sessions_ = std::make_unique<SessionManager>(storage_.get(), &clock_, SessionOptions{});
    auth_->SetSessions(sessions_.get());
    ApiContext context;
    context.storage = storage_.get();
    context.clock = &clock_;
    context.auth = auth_.get();
    context.sessions = sessions_.get();
    context.cert_sha256 = std::string(64, 'a');
    context.public_url = "https://rampart.example:8443";
    vuln_ = std::make_unique<VulnService>(*storage_, clock_);
    context.vuln = vuln_.get();
    // Shipped baseline policies: none unless a test sets shipped_policies_ (file, YAML) before
    // SetUp, so every fixture stays cheap.
    baseline_ = std::make_unique<BaselineService>(*storage_, clock_, shipped_policies_);
    context.baseline = baseline_.get();
    router_ = std::make_unique<ApiRouter>(std::move(context));

    tenant_a_ = MustTenant("acme");
    tenant_b_ = MustTenant("globex");
    admin_user_ = MustUser(tenant_a_, "alice", Role::kAdmin);
    viewer_user_ = MustUser(tenant_a_, "victor", Role::kViewer);
    admin_ = MustToken(tenant_a_, admin_user_.id, Role::kAdmin);
    operator_ = MustToken(tenant_a_, "", Role::kOperator);
    viewer_ = MustToken(tenant_a_, viewer_user_.id, Role::kViewer);
    admin_b_ = MustToken(tenant_b_, "", Role::kAdmin);
  }

  void TearDown() override { SetArgon2Params(saved_params_); }

  std::string MustTenant(const std::string& name) {
    auto tenant = storage_->CreateTenant(name, Now());
    EXPECT_TRUE(tenant.ok()) << tenant.error().ToString();
    return tenant.ok() ? tenant->id : "";
  }

  User MustUser(const std::string& tenant, const std::string& name, Role role) {
    User user;
    user.tenant_id = tenant;
    user.name = name;
    user.role = role;
    user.created_at = Now();
    auto created = storage_->CreateUser(user);
    EXPECT_TRUE(created.ok()) << created.error().ToString();
    return created.ok() ? *created : user;
  }

  std::string MustToken(const std::string& tenant, const std::string& user_id, Role role,
                        std::int64_t ttl = 0) {
    auto created = CreateApiToken(*storage_, clock_, tenant, user_id, role, "test", ttl);
    EXPECT_TRUE(created.ok()) << created.error().ToString();
    return created.ok() ? created->second : "";
  }

  // Enrols a host in `tenant` with the given fields and returns it.
  Host MustHost(const std::string& tenant, const std::string& hostname,
                std::vector<std::string> ips = {}, const std::string& os_name = "debian",
                const std::string& plan = "basic") {
    std::string& token_id = enroll_tokens_[tenant];
    if (token_id.empty()) {
      EnrollTokenRecord token;
      token.tenant_id = tenant;
      token.secret_hash = "unused";
      token.created_at = Now();
      auto stored_token = storage_->CreateEnrollToken(token);
      EXPECT_TRUE(stored_token.ok()) << stored_token.error().ToString();
      if (stored_token.ok()) token_id = stored_token->id;
    }
    Host host;
    host.id = wire::RandomId("h");
    host.machine_id = wire::RandomId("m");
    host.hostname = hostname;
    host.ips = std::move(ips);
    host.os_name = os_name;
    host.os_version = "12";
    host.machine_type = "VM";
    host.agent_version = "0.1.0";
    host.plan = plan;
    host.agent_secret_hash = std::string(64, '0');
    auto enrolled = storage_->EnrollHost(token_id, host, Now());
    EXPECT_TRUE(enrolled.ok()) << enrolled.error().ToString();
    return enrolled.ok() ? *enrolled : host;
  }

  // A full inventory for `host_id`: `rows` per category.
  void MustInventory(const std::string& host_id,
                     std::vector<std::pair<std::string, std::vector<Json>>> rows) {
    InventoryBatch batch;
    batch.idempotency_key = wire::RandomId("k");
    batch.version = ++inventory_version_;
    batch.full = true;
    batch.collected_at = Now();
    batch.rows = std::move(rows);
    auto outcome = storage_->ApplyInventory(host_id, batch, Now());
    ASSERT_TRUE(outcome.ok()) << outcome.error().ToString();
    EXPECT_EQ(*outcome, IngestOutcome::kCommitted);
  }

  std::int64_t Now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch())
        .count();
  }

  static net::HttpRequest Request(const std::string& method, const std::string& target,
                                  const std::string& token = "", const std::string& body = "") {
    net::HttpRequest request;
    request.method = method;
    request.target = target;
    Status parsed = net::ParseTarget(target, request);
    EXPECT_TRUE(parsed.ok()) << parsed.ToString();
    if (!token.empty()) request.headers.Add("Authorization", "Bearer " + token);
    if (!body.empty()) {
      request.body = body;
      request.headers.Add("Content-Type", "application/json");
    }
    request.headers.Add("Host", "console.example:8443");
    request.remote_addr = "192.0.2.1";
    return request;
  }

  net::HttpResponse Do(const std::string& method, const std::string& target,
                       const std::string& token = "", const std::string& body = "") {
    return router_->Handle(Request(method, target, token, body));
  }
  // GET with a token, expecting 200; returns the parsed body.
  Json GetOk(const std::string& target, const std::string& token) {
    net::HttpResponse response = Do("GET", target, token);
    EXPECT_EQ(response.status, 200) << target << ": " << response.body;
    return ParseBody(response);
  }

  FakeClock clock_;
  Argon2Params saved_params_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<ApiAuthenticator> auth_;
  std::vector<std::pair<std::string, std::string>> shipped_policies_;
  std::unique_ptr<BaselineService> baseline_;
  std::unique_ptr<VulnService> vuln_;
  std::unique_ptr<SessionManager> sessions_;
  std::unique_ptr<ApiRouter> router_;
  std::string tenant_a_;
  std::string tenant_b_;
  User admin_user_;
  User viewer_user_;
  std::string admin_;     // tenant A, user alice, admin
  std::string operator_;  // tenant A, service token, operator
  std::string viewer_;    // tenant A, user victor, viewer
  std::string admin_b_;   // tenant B, service token, admin
  std::int64_t inventory_version_ = 0;
  std::map<std::string, std::string> enroll_tokens_;  // tenant -> enrolment token id (MustHost)
};

}  // namespace rampart::server::api::testing
