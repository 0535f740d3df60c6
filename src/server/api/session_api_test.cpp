// Console sessions over the API: sign-in, cookie, CSRF, expiry, throttling, sign-out.
#include <gtest/gtest.h>

#include "common/strings.h"
#include "server/api/api_test_support.h"

namespace rampart::server::api {
namespace {

using testing::ApiFixture;
using testing::ErrorCode;
using testing::ErrorMessage;
using testing::ParseBody;

constexpr const char* kPassword = "correct horse battery";

class SessionApi : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    User user;
    user.tenant_id = tenant_a_;
    user.name = "olga";
    user.role = Role::kOperator;
    user.created_at = Now();
    auto hash = HashSecret(kPassword);
    ASSERT_TRUE(hash.ok());
    user.password_hash = *hash;
    auto created = storage_->CreateUser(user);
    ASSERT_TRUE(created.ok());
    olga_ = *created;
  }

  net::HttpResponse SignIn(const std::string& tenant, const std::string& user,
                           const std::string& password, const std::string& addr = "192.0.2.1") {
    Json body = Json::MakeObject();
    body.Set("tenant", tenant);
    body.Set("username", user);
    body.Set("password", password);
    net::HttpRequest request = Request("POST", "/api/v1/session", "", body.Dump());
    request.remote_addr = addr;
    return router_->Handle(request);
  }

  // The cookie value from a successful sign-in ("" when none was set).
  static std::string CookieOf(const net::HttpResponse& response) {
    auto header = response.headers.Get("set-cookie");
    if (!header) return "";
    auto value = FindCookie(*header, kSessionCookie);
    return value ? std::string(*value) : "";
  }

  net::HttpResponse WithCookie(const std::string& method, const std::string& target,
                               const std::string& cookie, const std::string& csrf = "",
                               const std::string& body = "") {
    net::HttpRequest request = Request(method, target, "", body);
    request.headers.Add("Cookie", "theme=dark; " + std::string(kSessionCookie) + "=" + cookie);
    if (!csrf.empty()) request.headers.Add("X-CSRF-Token", csrf);
    return router_->Handle(request);
  }

  User olga_;
};

TEST_F(SessionApi, SignInSetsAHardenedCookieAndReturnsTheCsrfToken) {
  net::HttpResponse response = SignIn("acme", "olga", kPassword);
  ASSERT_EQ(response.status, 201) << response.body;
  const std::string set_cookie = response.headers.Get("set-cookie").value_or("");
  EXPECT_TRUE(StartsWith(set_cookie, "__Host-rampart_session=")) << set_cookie;
  for (std::string_view attr : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict"}) {
    EXPECT_NE(set_cookie.find(attr), std::string::npos) << attr;
  }
  Json body = ParseBody(response);
  EXPECT_EQ(body.GetString("user_name"), "olga");
  EXPECT_EQ(body.GetString("role"), "operator");
  EXPECT_EQ(body.GetString("tenant_id"), tenant_a_);
  EXPECT_EQ(body.GetString("csrf_token").size(), 64u);
  // Only the hash of the cookie secret is stored.
  const std::string cookie = CookieOf(response);
  EXPECT_EQ(storage_->GetWebSession(cookie).status().code(), Code::kNotFound);
  EXPECT_TRUE(storage_->GetWebSession(SessionManager::SessionId(cookie)).ok());
  // The tenant may also be named by id.
  EXPECT_EQ(SignIn(tenant_a_, "olga", kPassword).status, 201);
}

TEST_F(SessionApi, EveryWrongCredentialGetsTheSameAnswer) {
  for (const auto& [tenant, user, password] :
       {std::tuple{"acme", "olga", "wrong password!"}, std::tuple{"acme", "nobody", kPassword},
        std::tuple{"nowhere", "olga", kPassword}, std::tuple{"globex", "olga", kPassword},
        std::tuple{"acme", "alice", kPassword}}) {  // alice has no password
    net::HttpResponse response = SignIn(tenant, user, password, "198.51.100.1");
    EXPECT_EQ(response.status, 401) << tenant << "/" << user;
    EXPECT_EQ(ErrorMessage(response), kSignInFailedMessage);
    EXPECT_FALSE(response.headers.Get("set-cookie").has_value());
  }
}

TEST_F(SessionApi, BadBodiesAre400) {
  EXPECT_EQ(Do("POST", "/api/v1/session", "", "{}").status, 400);
  EXPECT_EQ(Do("POST", "/api/v1/session", "", "[1]").status, 400);
  EXPECT_EQ(
      Do("POST", "/api/v1/session", "", R"({"tenant":"a","username":"b","password":"c","x":1})")
          .status,
      400);
  EXPECT_EQ(
      Do("POST", "/api/v1/session", "", R"({"tenant":"a","username":7,"password":"c"})").status,
      400);
}

TEST_F(SessionApi, TheCookieAuthenticatesAndStateChangesNeedTheCsrfToken) {
  net::HttpResponse signed_in = SignIn("acme", "olga", kPassword);
  const std::string cookie = CookieOf(signed_in);
  const std::string csrf = ParseBody(signed_in).GetString("csrf_token");

  net::HttpResponse me = WithCookie("GET", "/api/v1/me", cookie);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(ParseBody(me).GetString("auth"), "session");
  EXPECT_EQ(ParseBody(me).GetString("csrf_token"), csrf);
  EXPECT_EQ(ParseBody(me).GetString("role"), "operator");

  // A write without the header, or with another token, is refused before it runs.
  Host host = MustHost(tenant_a_, "web-1");
  const std::string settings = R"({"settings":{}})";
  EXPECT_EQ(WithCookie("PUT", "/api/v1/settings", cookie, "", settings).status, 403);
  EXPECT_EQ(WithCookie("PUT", "/api/v1/settings", cookie, std::string(64, '0'), settings).status,
            403);
  // The role is the user's: an operator cannot delete hosts, with or without the token.
  EXPECT_EQ(WithCookie("DELETE", "/api/v1/hosts/" + host.id, cookie, csrf).status, 403);
  EXPECT_TRUE(storage_->GetHost(tenant_a_, host.id).ok());
  // Bearer tokens are unchanged and need no CSRF token.
  EXPECT_EQ(Do("DELETE", "/api/v1/hosts/" + host.id, admin_).status, 204);
}

TEST_F(SessionApi, RoleChangesAndUserDeletionTakeEffectAtOnce) {
  const std::string cookie = CookieOf(SignIn("acme", "olga", kPassword));
  ASSERT_EQ(WithCookie("GET", "/api/v1/me", cookie).status, 200);
  ASSERT_EQ(Do("DELETE", "/api/v1/users/" + olga_.id, admin_).status, 204);
  net::HttpResponse after = WithCookie("GET", "/api/v1/me", cookie);
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(ErrorCode(after), "unauthenticated");
}

TEST_F(SessionApi, IdleAndAbsoluteExpiry) {
  const SessionOptions options;  // the fixture's: 30 min idle, 12 h absolute
  std::string cookie = CookieOf(SignIn("acme", "olga", kPassword));
  clock_.Advance(std::chrono::seconds(options.idle_seconds - 120));
  EXPECT_EQ(WithCookie("GET", "/api/v1/me", cookie).status, 200);  // touches the session
  clock_.Advance(std::chrono::seconds(options.idle_seconds - 120));
  EXPECT_EQ(WithCookie("GET", "/api/v1/me", cookie).status, 200);
  clock_.Advance(std::chrono::seconds(options.idle_seconds + 1));
  EXPECT_EQ(WithCookie("GET", "/api/v1/me", cookie).status, 401);

  // Activity does not extend the absolute limit.
  cookie = CookieOf(SignIn("acme", "olga", kPassword));
  for (std::int64_t t = 0; t < options.absolute_seconds; t += 600) {
    clock_.Advance(std::chrono::seconds(600));
    const int status = WithCookie("GET", "/api/v1/me", cookie).status;
    EXPECT_EQ(status, t + 600 < options.absolute_seconds ? 200 : 401) << t;
  }
}

TEST_F(SessionApi, SignOutEndsTheSessionAndClearsTheCookie) {
  net::HttpResponse signed_in = SignIn("acme", "olga", kPassword);
  const std::string cookie = CookieOf(signed_in);
  const std::string csrf = ParseBody(signed_in).GetString("csrf_token");
  EXPECT_EQ(WithCookie("DELETE", "/api/v1/session", cookie).status, 403);  // CSRF applies
  net::HttpResponse out = WithCookie("DELETE", "/api/v1/session", cookie, csrf);
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.headers.Get("set-cookie").value_or("").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(WithCookie("GET", "/api/v1/me", cookie).status, 401);
  // A bearer token has no session to end.
  EXPECT_EQ(Do("DELETE", "/api/v1/session", viewer_).status, 409);
}

TEST_F(SessionApi, SessionStateAnswers200WithOrWithoutASession) {
  net::HttpResponse none = Do("GET", "/api/v1/session");
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(ParseBody(none).Dump(), R"({"signed_in":false})");
  net::HttpResponse signed_in = SignIn("acme", "olga", kPassword);
  const std::string cookie = CookieOf(signed_in);
  net::HttpResponse live = WithCookie("GET", "/api/v1/session", cookie);
  EXPECT_EQ(live.status, 200);
  EXPECT_EQ(ParseBody(live).GetString("csrf_token"), ParseBody(signed_in).GetString("csrf_token"));
  EXPECT_EQ(ParseBody(WithCookie("GET", "/api/v1/session", std::string(43, 'Z'))).Dump(),
            R"({"signed_in":false})");
}

TEST_F(SessionApi, ForgedOrMalformedCookiesAre401) {
  for (const std::string& cookie :
       {std::string("x"), std::string(43, 'A'), std::string(500, 'a'), std::string("a;b")}) {
    EXPECT_EQ(WithCookie("GET", "/api/v1/me", cookie).status, 401) << cookie;
  }
}

TEST_F(SessionApi, FailedSignInsAreThrottledPerUserAndPerAddress) {
  const SessionOptions options;
  for (int i = 0; i < options.max_failures_per_user; ++i) {
    // Naming the tenant by name or by id counts against the same user.
    EXPECT_EQ(SignIn(i % 2 == 0 ? "acme" : tenant_a_, "olga", "wrong password!",
                     "198.51.100." + std::to_string(i))
                  .status,
              401);
  }
  // Even the right password waits now: the attacker cannot learn it by trying more.
  net::HttpResponse throttled = SignIn("acme", "olga", kPassword, "203.0.113.9");
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(ErrorCode(throttled), "too_many_requests");
  auto retry = ParseInt<int>(throttled.headers.Get("retry-after").value_or(""));
  ASSERT_TRUE(retry.has_value());
  EXPECT_GT(*retry, 0);
  EXPECT_LE(*retry, options.throttle_window_seconds);
  clock_.Advance(std::chrono::seconds(options.throttle_window_seconds));
  EXPECT_EQ(SignIn("acme", "olga", kPassword, "203.0.113.9").status, 201);

  // One address guessing many users.
  for (int i = 0; i < options.max_failures_per_addr; ++i) {
    EXPECT_EQ(SignIn("acme", "user" + std::to_string(i), "whatever-password", "192.0.2.99").status,
              401);
  }
  EXPECT_EQ(SignIn("acme", "olga", kPassword, "192.0.2.99").status, 429);
  EXPECT_EQ(SignIn("acme", "olga", kPassword, "192.0.2.100").status, 201);
}

TEST(LoginThrottle, StaysBoundedUnderAFloodOfKeys) {
  LoginThrottle throttle(3, 60, 100);
  for (int i = 0; i < 10000; ++i) throttle.Failure("k" + std::to_string(i), 1000 + i / 100);
  // The newest keys are still counted.
  throttle.Failure("k9999", 1100);
  throttle.Failure("k9999", 1100);
  EXPECT_GT(throttle.RetryAfter("k9999", 1100), 0);
}

TEST(FindCookie, ParsesCookieHeaders) {
  EXPECT_EQ(FindCookie("a=1; b=2", "b").value_or("?"), "2");
  EXPECT_EQ(FindCookie("a=1;b=\"q\"", "b").value_or("?"), "q");
  EXPECT_FALSE(FindCookie("ab=1", "b").has_value());
  EXPECT_FALSE(FindCookie("", "b").has_value());
  EXPECT_EQ(FindCookie("b=", "b").value_or("?"), "");
}

}  // namespace
}  // namespace rampart::server::api
