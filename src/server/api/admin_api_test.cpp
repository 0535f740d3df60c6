// /me, /users, /tokens, /enroll-tokens and /agent/enroll lifecycles.
#include <gtest/gtest.h>

#include <string>

#include "server/api/api_test_support.h"

namespace rampart::server::api {
namespace {

using testing::ApiFixture;
using testing::ErrorCode;
using testing::ErrorMessage;
using testing::ParseBody;

class AdminApi : public ApiFixture {};

TEST_F(AdminApi, MeNamesTenantUserRoleAndToken) {
  Json me = GetOk("/api/v1/me", viewer_);
  EXPECT_EQ(me.GetString("tenant_id"), tenant_a_);
  EXPECT_EQ(me.GetString("tenant_name"), "acme");
  EXPECT_EQ(me.GetString("user_id"), viewer_user_.id);
  EXPECT_EQ(me.GetString("user_name"), "victor");
  EXPECT_EQ(me.GetString("role"), "viewer");
  EXPECT_EQ(me.GetString("token_id"), wire::ParseApiToken(viewer_)->id);
  Json service = GetOk("/api/v1/me", operator_);
  EXPECT_TRUE(service.Find("user_id")->is_null());
  EXPECT_TRUE(service.Find("user_name")->is_null());
  EXPECT_EQ(service.GetString("role"), "operator");
}

TEST_F(AdminApi, UserLifecycleWithoutEverReturningPasswordHashes) {
  net::HttpResponse created =
      Do("POST", "/api/v1/users", admin_,
         R"({"name":"olga","role":"operator","password":"a long passphrase"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.body.find("argon2"), std::string::npos);
  EXPECT_EQ(created.body.find("passphrase"), std::string::npos);
  Json user = ParseBody(created);
  EXPECT_EQ(user.GetString("name"), "olga");
  EXPECT_EQ(user.GetString("role"), "operator");
  EXPECT_EQ(*user.Find("has_password"), Json(true));
  const std::string id = user.GetString("id");
  auto stored = storage_->GetUser(tenant_a_, id);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(VerifySecret("a long passphrase", stored->password_hash));

  EXPECT_EQ(GetOk("/api/v1/users/" + id, admin_), user);
  Json list = GetOk("/api/v1/users", admin_);
  EXPECT_EQ(list.Find("items")->size(), 3U);  // alice, victor, olga
  EXPECT_EQ(list.Dump().find("argon2"), std::string::npos);
  Json page = GetOk("/api/v1/users?limit=2", admin_);
  EXPECT_EQ(page.Find("items")->size(), 2U);
  EXPECT_FALSE(page.Find("next_cursor")->is_null());

  net::HttpResponse duplicate =
      Do("POST", "/api/v1/users", admin_,
         R"({"name":"olga","role":"viewer","password":"another passphrase"})");
  EXPECT_EQ(duplicate.status, 409);
  EXPECT_EQ(ErrorCode(duplicate), "already_exists");

  EXPECT_EQ(Do("DELETE", "/api/v1/users/" + id, admin_).status, 204);
  EXPECT_EQ(Do("GET", "/api/v1/users/" + id, admin_).status, 404);
}

TEST_F(AdminApi, UserCreationValidatesEveryField) {
  struct Case {
    std::string body;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"name":"bo","role":"viewer","password":"short"})",
            "field 'password': expected 12 to 1024 characters"},
           {R"({"name":"longusername","role":"viewer","password":"LongUserName"})",
            "field 'password': must differ from the user name"},
           {R"({"name":"bo","role":"root","password":"a long passphrase"})",
            "field 'role': role 'root': expected admin, operator or viewer"},
           {R"({"name":"b o","role":"viewer","password":"a long passphrase"})", "field 'name'"},
           {R"({"role":"viewer","password":"a long passphrase"})", "field 'name': required"},
           {R"({"name":7,"role":"viewer","password":"a long passphrase"})",
            "field 'name': expected a string"},
           {R"({"name":"bo","role":"viewer","password":"a long passphrase","admin":true})",
            "unknown field 'admin'"},
       }) {
    net::HttpResponse response = Do("POST", "/api/v1/users", admin_, c.body);
    EXPECT_EQ(response.status, 400) << c.body;
    EXPECT_EQ(ErrorMessage(response).rfind(c.message, 0), 0U)
        << c.body << " -> " << ErrorMessage(response);
  }
  EXPECT_EQ(GetOk("/api/v1/users", admin_).Find("items")->size(), 2U);
}

TEST_F(AdminApi, AdminCannotDeleteThemselvesButDeletingAUserRevokesTheirTokens) {
  net::HttpResponse self = Do("DELETE", "/api/v1/users/" + admin_user_.id, admin_);
  EXPECT_EQ(self.status, 409);
  EXPECT_EQ(ErrorCode(self), "failed_precondition");
  ASSERT_EQ(GetOk("/api/v1/me", viewer_).GetString("user_name"), "victor");
  EXPECT_EQ(Do("DELETE", "/api/v1/users/" + viewer_user_.id, admin_).status, 204);
  EXPECT_EQ(Do("GET", "/api/v1/me", viewer_).status, 401);
}

TEST_F(AdminApi, TokenLifecycleAndRevocationActsImmediately) {
  net::HttpResponse created = Do("POST", "/api/v1/tokens", admin_,
                                 R"({"role":"viewer","description":"ci","ttl_seconds":3600})");
  ASSERT_EQ(created.status, 201) << created.body;
  Json token = ParseBody(created);
  const std::string text = token.GetString("token");
  const std::string id = token.GetString("id");
  EXPECT_EQ(wire::ParseApiToken(text)->id, id);
  EXPECT_EQ(token.GetString("role"), "viewer");
  EXPECT_EQ(token.GetString("description"), "ci");
  EXPECT_EQ(token.GetString("expires_at"), "2026-01-01T01:00:00Z");
  EXPECT_EQ(token.GetString("state"), "active");
  EXPECT_TRUE(token.Find("user_id")->is_null());
  EXPECT_EQ(created.body.find("argon2"), std::string::npos);

  EXPECT_EQ(GetOk("/api/v1/me", text).GetString("token_id"), id);  // verified and cached now
  Json list = GetOk("/api/v1/tokens", admin_);
  EXPECT_EQ(list.Dump().find("argon2"), std::string::npos);
  EXPECT_EQ(list.Dump().find(wire::ParseApiToken(text)->secret), std::string::npos);
  bool listed = false;
  for (const Json& t : list.Find("items")->as_array()) listed = listed || t.GetString("id") == id;
  EXPECT_TRUE(listed);

  EXPECT_EQ(Do("DELETE", "/api/v1/tokens/" + id, admin_).status, 204);
  EXPECT_EQ(Do("GET", "/api/v1/me", text).status, 401);
  const Json after = GetOk("/api/v1/tokens", admin_);
  for (const Json& t : after.Find("items")->as_array()) {
    if (t.GetString("id") == id) {
      EXPECT_EQ(t.GetString("state"), "revoked");
    }
  }
}

TEST_F(AdminApi, TokensForAUserAreCappedByTheirRole) {
  net::HttpResponse too_high = Do("POST", "/api/v1/tokens", admin_,
                                  R"({"role":"admin","user_id":")" + viewer_user_.id + R"("})");
  EXPECT_EQ(too_high.status, 400);
  EXPECT_NE(ErrorMessage(too_high).find("exceeds the role of user 'victor'"), std::string::npos);
  net::HttpResponse ok = Do("POST", "/api/v1/tokens", admin_,
                            R"({"role":"viewer","user_id":")" + viewer_user_.id + R"("})");
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ParseBody(ok).GetString("user_id"), viewer_user_.id);
  EXPECT_TRUE(ParseBody(ok).Find("expires_at")->is_null());
  net::HttpResponse stranger =
      Do("POST", "/api/v1/tokens", admin_, R"({"role":"viewer","user_id":"u_nobody"})");
  EXPECT_EQ(stranger.status, 400);
  EXPECT_EQ(Do("POST", "/api/v1/tokens", admin_, R"({"role":"viewer","ttl_seconds":5})").status,
            400);
  EXPECT_EQ(Do("POST", "/api/v1/tokens", admin_, R"({})").status, 400);
}

TEST_F(AdminApi, ExpiredTokensStopWorkingAtTheirExpiry) {
  Json token =
      ParseBody(Do("POST", "/api/v1/tokens", admin_, R"({"role":"viewer","ttl_seconds":60})"));
  const std::string text = token.GetString("token");
  EXPECT_EQ(Do("GET", "/api/v1/me", text).status, 200);
  clock_.Advance(std::chrono::seconds(60));
  EXPECT_EQ(Do("GET", "/api/v1/me", text).status, 401);
}

TEST_F(AdminApi, EnrollTokenLifecycleWithTheAgentCommand) {
  net::HttpResponse created = Do("POST", "/api/v1/enroll-tokens", admin_);  // no body: defaults
  ASSERT_EQ(created.status, 201) << created.body;
  Json token = ParseBody(created);
  const std::string text = token.GetString("token");
  auto parsed = wire::ParseEnrollToken(text);
  ASSERT_TRUE(parsed.ok()) << text;
  EXPECT_EQ(parsed->id, token.GetString("id"));
  EXPECT_EQ(parsed->cert_sha256, std::string(64, 'a'));
  EXPECT_EQ(token.GetString("expires_at"), "2026-01-02T00:00:00Z");
  EXPECT_EQ(token.GetString("command"),
            "rampart agent --server https://rampart.example:8443 --enroll-token " + text);

  Json week = ParseBody(Do("POST", "/api/v1/enroll-tokens", admin_, R"({"ttl_seconds":604800})"));
  EXPECT_EQ(week.GetString("expires_at"), "2026-01-08T00:00:00Z");
  EXPECT_EQ(Do("POST", "/api/v1/enroll-tokens", admin_, R"({"ttl_seconds":2592001})").status, 400);
  EXPECT_EQ(Do("POST", "/api/v1/enroll-tokens", admin_, R"({"ttl":60})").status, 400);

  Json list = GetOk("/api/v1/enroll-tokens", admin_);
  EXPECT_EQ(list.Find("items")->size(), 2U);
  EXPECT_EQ(list.Dump().find(parsed->secret), std::string::npos);
  EXPECT_EQ(list.Dump().find("argon2"), std::string::npos);
  EXPECT_EQ(Do("DELETE", "/api/v1/enroll-tokens/" + parsed->id, admin_).status, 204);
  const Json after = GetOk("/api/v1/enroll-tokens", admin_);
  for (const Json& t : after.Find("items")->as_array()) {
    if (t.GetString("id") == parsed->id) {
      EXPECT_EQ(t.GetString("state"), "revoked");
    }
  }
}

TEST_F(AdminApi, EnrollCommandUsesTheHostHeaderWhenNoPublicUrlIsConfigured) {
  ApiContext context;
  context.storage = storage_.get();
  context.clock = &clock_;
  context.auth = auth_.get();
  context.tls = false;
  ApiRouter router(context);
  net::HttpResponse created = router.Handle(Request("POST", "/api/v1/enroll-tokens", admin_));
  ASSERT_EQ(created.status, 201) << created.body;
  Json token = ParseBody(created);
  EXPECT_EQ(token.GetString("command"),
            "rampart agent --server http://console.example:8443 "
            "--enroll-token " +
                token.GetString("token"));
  net::HttpRequest hostile = Request("POST", "/api/v1/enroll-tokens", admin_);
  hostile.headers = net::Headers();
  hostile.headers.Add("Authorization", "Bearer " + admin_);
  hostile.headers.Add("Host", "x; rm -rf /");
  Json no_command = ParseBody(router.Handle(hostile));
  EXPECT_TRUE(no_command.Find("command")->is_null());
  EXPECT_FALSE(no_command.GetString("token").empty());
}

TEST_F(AdminApi, AgentEnrolsWithATokenInTheBodyAndBadTokensAre401) {
  Json token = ParseBody(Do("POST", "/api/v1/enroll-tokens", admin_));
  const std::string text = token.GetString("token");
  const std::string body = R"({"token":")" + text +
                           R"(","machine_id":"m-1","hostname":"edge-1","agent_version":"0.1.0"})";
  net::HttpResponse enrolled = Do("POST", "/api/v1/agent/enroll", "", body);
  ASSERT_EQ(enrolled.status, 200) << enrolled.body;
  Json result = ParseBody(enrolled);
  const std::string host_id = result.GetString("host_id");
  EXPECT_EQ(result.GetString("tenant_id"), tenant_a_);
  EXPECT_FALSE(result.GetString("secret").empty());
  EXPECT_EQ(GetOk("/api/v1/hosts/" + host_id, viewer_).GetString("hostname"), "edge-1");
  // The same machine again keeps its host id.
  EXPECT_EQ(ParseBody(Do("POST", "/api/v1/agent/enroll", "", body)).GetString("host_id"), host_id);

  auto parsed = wire::ParseEnrollToken(text);
  ASSERT_TRUE(parsed.ok());
  const std::string wrong = "rpe1." + parsed->id + ".wrong." + std::string(64, 'a');
  net::HttpResponse bad = Do(
      "POST", "/api/v1/agent/enroll", "",
      R"({"token":")" + wrong + R"(","machine_id":"m-2","hostname":"x","agent_version":"0.1.0"})");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(ErrorCode(bad), "unauthenticated");
  ASSERT_EQ(Do("DELETE", "/api/v1/enroll-tokens/" + parsed->id, admin_).status, 204);
  EXPECT_EQ(Do("POST", "/api/v1/agent/enroll", "", body).status, 401);
  EXPECT_EQ(Do("POST", "/api/v1/agent/enroll", "", R"({"token":1})").status, 400);
  EXPECT_EQ(Do("POST", "/api/v1/agent/enroll", "", "{").status, 400);
}

}  // namespace
}  // namespace rampart::server::api
