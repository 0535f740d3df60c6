#include "server/service/api_auth.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "common/wire.h"
#include "server/service/password_hash.h"

namespace rampart::server {
namespace {

constexpr std::int64_t kStart = 1767225600;  // 2026-01-01T00:00:00Z

class ApiAuth : public ::testing::Test {
 protected:
  ApiAuth() : clock_(std::chrono::system_clock::time_point(std::chrono::seconds(kStart))) {}

  void SetUp() override {
    saved_ = GetArgon2Params();
    SetArgon2Params({8, 1, 1});
    auto storage = OpenStorage("sqlite://:memory:", "");
    ASSERT_TRUE(storage.ok()) << storage.error().ToString();
    storage_ = std::move(*storage);
    auto tenant = storage_->CreateTenant("acme", kStart);
    ASSERT_TRUE(tenant.ok());
    tenant_ = tenant->id;
    User viewer;
    viewer.tenant_id = tenant_;
    viewer.name = "victor";
    viewer.role = Role::kViewer;
    auto created = storage_->CreateUser(viewer);
    ASSERT_TRUE(created.ok());
    viewer_id_ = created->id;
  }
  void TearDown() override { SetArgon2Params(saved_); }

  std::pair<ApiTokenRecord, std::string> Token(Role role, std::int64_t ttl = 0,
                                               const std::string& user = "") {
    auto created = CreateApiToken(*storage_, clock_, tenant_, user, role, "test", ttl);
    EXPECT_TRUE(created.ok()) << created.error().ToString();
    return created.ok() ? *created : std::pair<ApiTokenRecord, std::string>{};
  }

  static net::HttpRequest WithAuthorization(const std::string& value) {
    net::HttpRequest request;
    request.method = "GET";
    request.path = "/api/v1/me";
    request.headers.Add("Authorization", value);
    return request;
  }

  FakeClock clock_;
  Argon2Params saved_;
  std::unique_ptr<Storage> storage_;
  std::string tenant_;
  std::string viewer_id_;
};

TEST_F(ApiAuth, AcceptsAValidBearerTokenAndNamesItsPrincipal) {
  auto [record, text] = Token(Role::kOperator, 0, "");
  ApiAuthenticator auth(storage_.get(), &clock_);
  auto principal = auth.Authenticate(WithAuthorization("Bearer " + text));
  ASSERT_TRUE(principal.ok()) << principal.error().ToString();
  EXPECT_EQ(principal->tenant_id, tenant_);
  EXPECT_EQ(principal->token_id, record.id);
  EXPECT_EQ(principal->user_id, "");
  EXPECT_EQ(principal->role, Role::kOperator);
  // The scheme is case-insensitive and surrounding blanks are tolerated.
  EXPECT_TRUE(auth.Authenticate(WithAuthorization("bearer  " + text + " ")).ok());
}

TEST_F(ApiAuth, EveryFailureIsTheSameUnauthenticatedError) {
  auto [record, text] = Token(Role::kAdmin);
  ApiAuthenticator auth(storage_.get(), &clock_);
  std::vector<net::HttpRequest> bad = {
      net::HttpRequest{},
      WithAuthorization(""),
      WithAuthorization("Bearer"),
      WithAuthorization("Basic " + text),
      WithAuthorization("Bearer " + text + "x"),
      WithAuthorization("Bearer rpt1." + record.id),
      WithAuthorization("Bearer rpt1.tk_unknown.secret"),
      WithAuthorization("Bearer rpt2." + record.id + ".secret"),
      WithAuthorization("Bearer " + std::string(4096, 'a')),
  };
  for (const net::HttpRequest& request : bad) {
    auto result = auth.Authenticate(request);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code(), Code::kUnauthenticated);
    EXPECT_EQ(result.error().message(), kUnauthenticatedMessage);
  }
}

TEST_F(ApiAuth, RunsArgon2OncePerTokenWithinTheCacheTtl) {
  auto [record, text] = Token(Role::kViewer);
  ApiAuthenticator auth(storage_.get(), &clock_);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(auth.AuthenticateToken(text).ok());
  EXPECT_EQ(auth.verifications(), 1U);
  EXPECT_EQ(auth.cache_size(), 1U);
  clock_.Advance(std::chrono::minutes(9));
  ASSERT_TRUE(auth.AuthenticateToken(text).ok());
  EXPECT_EQ(auth.verifications(), 1U);
  clock_.Advance(std::chrono::minutes(1));  // 10 minutes after the verification
  ASSERT_TRUE(auth.AuthenticateToken(text).ok());
  EXPECT_EQ(auth.verifications(), 2U);
}

TEST_F(ApiAuth, WrongSecretsAreNeverCached) {
  auto [record, text] = Token(Role::kViewer);
  ApiAuthenticator auth(storage_.get(), &clock_);
  const std::string wrong = "rpt1." + record.id + ".wrongsecret";
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(auth.AuthenticateToken(wrong).ok());
  EXPECT_EQ(auth.verifications(), 3U);
  EXPECT_EQ(auth.cache_size(), 0U);
  EXPECT_TRUE(auth.AuthenticateToken(text).ok());
}

TEST_F(ApiAuth, RevocationActsOnTheNextRequestDespiteTheCache) {
  auto [record, text] = Token(Role::kAdmin);
  ApiAuthenticator auth(storage_.get(), &clock_);
  ASSERT_TRUE(auth.AuthenticateToken(text).ok());
  ASSERT_TRUE(storage_->RevokeApiToken(tenant_, record.id, kStart + 1).ok());
  auto result = auth.AuthenticateToken(text);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), Code::kUnauthenticated);
}

TEST_F(ApiAuth, ExpiryActsAtTheExpiryTimeDespiteTheCache) {
  auto [record, text] = Token(Role::kAdmin, /*ttl=*/120);
  EXPECT_EQ(record.expires_at, kStart + 120);
  ApiAuthenticator auth(storage_.get(), &clock_);
  ASSERT_TRUE(auth.AuthenticateToken(text).ok());
  clock_.Advance(std::chrono::seconds(119));
  EXPECT_TRUE(auth.AuthenticateToken(text).ok());
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_FALSE(auth.AuthenticateToken(text).ok());
}

TEST_F(ApiAuth, CacheIsBoundedAndEvictsTheLeastRecentlyUsed) {
  ApiAuthenticator auth(storage_.get(), &clock_,
                        {.cache_capacity = 2, .cache_ttl = std::chrono::seconds(600)});
  auto a = Token(Role::kViewer).second;
  auto b = Token(Role::kViewer).second;
  auto c = Token(Role::kViewer).second;
  ASSERT_TRUE(auth.AuthenticateToken(a).ok());
  ASSERT_TRUE(auth.AuthenticateToken(b).ok());
  ASSERT_TRUE(auth.AuthenticateToken(a).ok());  // a is now the most recent
  ASSERT_TRUE(auth.AuthenticateToken(c).ok());  // evicts b
  EXPECT_EQ(auth.cache_size(), 2U);
  EXPECT_EQ(auth.verifications(), 3U);
  ASSERT_TRUE(auth.AuthenticateToken(a).ok());
  EXPECT_EQ(auth.verifications(), 3U);
  ASSERT_TRUE(auth.AuthenticateToken(b).ok());
  EXPECT_EQ(auth.verifications(), 4U);
}

TEST_F(ApiAuth, IsSafeToCallFromManyThreads) {
  auto text = Token(Role::kViewer).second;
  ApiAuthenticator auth(storage_.get(), &clock_);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) ok += auth.AuthenticateToken(text).ok() ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 200);
  // Threads that miss at the same moment may each verify once; never once per request.
  EXPECT_LE(auth.verifications(), 4U);
}

TEST_F(ApiAuth, CreateApiTokenStoresOnlyAHashAndTheTextParses) {
  auto [record, text] = Token(Role::kOperator, 3600);
  auto parsed = wire::ParseApiToken(text);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->id, record.id);
  EXPECT_EQ(record.secret_hash.rfind("$argon2id$", 0), 0U);
  EXPECT_EQ(record.secret_hash.find(parsed->secret), std::string::npos);
  EXPECT_TRUE(VerifySecret(parsed->secret, record.secret_hash));
  auto stored = storage_->GetApiToken(record.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->tenant_id, tenant_);
  EXPECT_EQ(stored->role, Role::kOperator);
  EXPECT_EQ(stored->created_at, kStart);
  EXPECT_EQ(stored->expires_at, kStart + 3600);
}

TEST_F(ApiAuth, AUsersRoleCapsTheirTokensRole) {
  auto viewer_token = CreateApiToken(*storage_, clock_, tenant_, viewer_id_, Role::kViewer, "", 0);
  EXPECT_TRUE(viewer_token.ok());
  for (Role role : {Role::kOperator, Role::kAdmin}) {
    auto too_high = CreateApiToken(*storage_, clock_, tenant_, viewer_id_, role, "", 0);
    ASSERT_FALSE(too_high.ok());
    EXPECT_EQ(too_high.error().code(), Code::kInvalidArgument);
    EXPECT_NE(too_high.error().message().find("victor"), std::string::npos);
  }
  auto unknown = CreateApiToken(*storage_, clock_, tenant_, "u_nobody", Role::kViewer, "", 0);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), Code::kInvalidArgument);
  auto negative = CreateApiToken(*storage_, clock_, tenant_, "", Role::kViewer, "", -1);
  EXPECT_FALSE(negative.ok());
}

}  // namespace
}  // namespace rampart::server
