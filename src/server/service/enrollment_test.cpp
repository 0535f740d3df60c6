#include "server/service/enrollment.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "common/hash.h"
#include "common/strings.h"
#include "common/wire.h"
#include "server/service/password_hash.h"

namespace rampart::server {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr std::string_view kFingerprint =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

class EnrollmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = GetArgon2Params();
    // Hashing is deliberately slow; the tests check behaviour, not cost.
    SetArgon2Params({.memory_kib = 64, .iterations = 1, .parallelism = 1});
    auto opened = OpenStorage("sqlite://:memory:", "");
    ASSERT_TRUE(opened.ok()) << opened.error().ToString();
    storage_ = std::move(*opened);
    auto a = storage_->CreateTenant("acme", Now());
    auto b = storage_->CreateTenant("globex", Now());
    ASSERT_TRUE(a.ok() && b.ok());
    tenant_a_ = a->id;
    tenant_b_ = b->id;
  }
  void TearDown() override { SetArgon2Params(saved_); }

  std::int64_t Now() const {
    return std::chrono::duration_cast<seconds>(clock_.Now().time_since_epoch()).count();
  }

  // A fresh token for `tenant` valid for a day; returns its text.
  std::string Token(const std::string& tenant) {
    auto created = CreateEnrollToken(*storage_, clock_, tenant, 86400, kFingerprint);
    EXPECT_TRUE(created.ok()) << created.error().ToString();
    return created.ok() ? created->second : std::string();
  }

  static EnrollRequest Request(std::string token, std::string machine = "machine-1") {
    return EnrollRequest{std::move(token), std::move(machine), "web-1", "0.1.0"};
  }

  FakeClock clock_{std::chrono::system_clock::time_point(seconds(1'800'000'000))};
  std::unique_ptr<Storage> storage_;
  std::string tenant_a_;
  std::string tenant_b_;
  Argon2Params saved_;
};

TEST_F(EnrollmentTest, ValidTokenEnrolsTheHostIntoTheTokensTenantOnline) {
  auto result = EnrollAgent(*storage_, clock_, Request(Token(tenant_a_)));
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(result->tenant_id, tenant_a_);
  EXPECT_TRUE(StartsWith(result->host_id, "h_"));
  auto host = storage_->GetHost(tenant_a_, result->host_id);
  ASSERT_TRUE(host.ok()) << host.error().ToString();
  EXPECT_EQ(host->machine_id, "machine-1");
  EXPECT_EQ(host->hostname, "web-1");
  EXPECT_EQ(host->agent_version, "0.1.0");
  EXPECT_EQ(host->status, HostStatus::kOnline);
  EXPECT_EQ(host->installed_at, Now());
  // The token of tenant A never makes a host visible in tenant B.
  EXPECT_EQ(storage_->GetHost(tenant_b_, result->host_id).error().code(), Code::kNotFound);
}

TEST_F(EnrollmentTest, StoresTheAgentSecretOnlyAsItsSha256) {
  auto result = EnrollAgent(*storage_, clock_, Request(Token(tenant_a_)));
  ASSERT_TRUE(result.ok());
  auto host = storage_->GetHostById(result->host_id);
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->agent_secret_hash, Sha256Hex(result->secret));
  EXPECT_NE(host->agent_secret_hash, result->secret);
  EXPECT_GE(result->secret.size(), 43U);  // 256 bits, base64url
}

TEST_F(EnrollmentTest, ExpiredRevokedWrongSecretAndUnknownTokensAllGetTheSameUnauthenticated) {
  const std::string expired = Token(tenant_a_);
  const std::string revoked = Token(tenant_a_);
  auto parsed = wire::ParseEnrollToken(revoked);
  ASSERT_TRUE(parsed.ok());
  ASSERT_TRUE(storage_->RevokeEnrollToken(tenant_a_, parsed->id, Now()).ok());
  auto good = wire::ParseEnrollToken(Token(tenant_a_));
  ASSERT_TRUE(good.ok());
  const std::string wrong_secret =
      wire::FormatEnrollToken({good->id, wire::RandomSecret(), std::string(kFingerprint)});
  const std::string unknown =
      wire::FormatEnrollToken({wire::RandomId("et"), wire::RandomSecret(), ""});

  clock_.Advance(hours(1));
  std::string message;
  for (const std::string& token : {revoked, wrong_secret, unknown, std::string("rpe1.garbage")}) {
    auto result = EnrollAgent(*storage_, clock_, Request(token));
    ASSERT_FALSE(result.ok()) << token;
    EXPECT_EQ(result.error().code(), Code::kUnauthenticated) << token;
    if (message.empty()) message = result.error().message();
    EXPECT_EQ(result.error().message(), message) << token;
  }
  clock_.Advance(hours(24));
  auto late = EnrollAgent(*storage_, clock_, Request(expired));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code(), Code::kUnauthenticated);
  EXPECT_EQ(late.error().message(), message);
}

TEST_F(EnrollmentTest, ReEnrollingTheSameMachineKeepsItsHostIdAndReplacesTheSecret) {
  auto first = EnrollAgent(*storage_, clock_, Request(Token(tenant_a_)));
  ASSERT_TRUE(first.ok());
  clock_.Advance(hours(2));
  auto second = EnrollAgent(*storage_, clock_, Request(Token(tenant_a_)));
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(second->host_id, first->host_id);
  EXPECT_NE(second->secret, first->secret);
  auto host = storage_->GetHost(tenant_a_, first->host_id);
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->installed_at, Now() - 7200);  // the first enrolment's time stays
  // The old identity is dead, the new one works.
  EXPECT_FALSE(
      AuthenticateAgent(*storage_, wire::FormatAgentAuthorization(first->host_id, first->secret))
          .ok());
  EXPECT_TRUE(
      AuthenticateAgent(*storage_, wire::FormatAgentAuthorization(second->host_id, second->secret))
          .ok());
  // Another machine gets another id.
  auto other = EnrollAgent(*storage_, clock_, Request(Token(tenant_a_), "machine-2"));
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->host_id, first->host_id);
}

TEST_F(EnrollmentTest, SameMachineIdInAnotherTenantIsAnotherHost) {
  auto a = EnrollAgent(*storage_, clock_, Request(Token(tenant_a_)));
  auto b = EnrollAgent(*storage_, clock_, Request(Token(tenant_b_)));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->host_id, b->host_id);
  EXPECT_EQ(b->tenant_id, tenant_b_);
}

TEST_F(EnrollmentTest, AuthenticateAgentAcceptsOnlyTheExactSecretOfALiveHost) {
  auto enrolled = EnrollAgent(*storage_, clock_, Request(Token(tenant_a_)));
  ASSERT_TRUE(enrolled.ok());
  const std::string id = enrolled->host_id;
  auto ok = AuthenticateAgent(*storage_, wire::FormatAgentAuthorization(id, enrolled->secret));
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ(ok->id, id);
  EXPECT_EQ(ok->tenant_id, tenant_a_);

  std::string flipped = enrolled->secret;
  flipped[0] = flipped[0] == 'A' ? 'B' : 'A';
  for (const std::string& header :
       {wire::FormatAgentAuthorization(id, flipped),
        wire::FormatAgentAuthorization(wire::RandomId("h"), enrolled->secret),
        "Bearer " + enrolled->secret, std::string("Agent ") + id, std::string()}) {
    auto result = AuthenticateAgent(*storage_, header);
    ASSERT_FALSE(result.ok()) << header;
    EXPECT_EQ(result.error().code(), Code::kUnauthenticated) << header;
  }

  ASSERT_TRUE(storage_->SetHostStatus(id, HostStatus::kUninstalled, Now()).ok());
  auto uninstalled =
      AuthenticateAgent(*storage_, wire::FormatAgentAuthorization(id, enrolled->secret));
  ASSERT_FALSE(uninstalled.ok());
  EXPECT_EQ(uninstalled.error().code(), Code::kUnauthenticated);
}

TEST_F(EnrollmentTest, CreateEnrollTokenCarriesTheFingerprintAndStoresOnlyAHash) {
  auto created = CreateEnrollToken(*storage_, clock_, tenant_a_, 3600, kFingerprint);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  const auto& [record, text] = *created;
  auto parsed = wire::ParseEnrollToken(text);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->id, record.id);
  EXPECT_EQ(parsed->cert_sha256, kFingerprint);
  EXPECT_EQ(record.expires_at, Now() + 3600);
  auto stored = storage_->GetEnrollToken(record.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->tenant_id, tenant_a_);
  EXPECT_EQ(stored->secret_hash.find(parsed->secret), std::string::npos);
  EXPECT_TRUE(VerifySecret(parsed->secret, stored->secret_hash));

  auto plain = CreateEnrollToken(*storage_, clock_, tenant_a_, 3600, "");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(EndsWith(plain->second, ".-"));
}

TEST_F(EnrollmentTest, CreateEnrollTokenNamesAnUnknownTenantAndRefusesANonPositiveTtl) {
  auto unknown = CreateEnrollToken(*storage_, clock_, "tn_nope", 3600, "");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), Code::kNotFound);
  EXPECT_EQ(unknown.error().message(), "tenant tn_nope not found");
  auto zero = CreateEnrollToken(*storage_, clock_, tenant_a_, 0, "");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code(), Code::kInvalidArgument);
}

TEST(EnrollRequest, ParsesTheBodyAndNamesAMissingOrMistypedField) {
  auto ok = ParseEnrollRequest(*Json::Parse(
      R"({"token":"rpe1.a.b.-","machine_id":"m","hostname":"h","agent_version":"1"})"));
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ(ok->token, "rpe1.a.b.-");
  EXPECT_EQ(ok->machine_id, "m");
  EXPECT_EQ(ok->hostname, "h");
  EXPECT_EQ(ok->agent_version, "1");

  auto missing = ParseEnrollRequest(*Json::Parse(R"({"machine_id":"m"})"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("\"token\""), std::string::npos);
  auto mistyped = ParseEnrollRequest(*Json::Parse(R"({"token":"t","machine_id":7})"));
  ASSERT_FALSE(mistyped.ok());
  EXPECT_NE(mistyped.error().message().find("\"machine_id\" must be a string"), std::string::npos);
  auto empty = ParseEnrollRequest(*Json::Parse(R"({"token":"t","machine_id":""})"));
  EXPECT_FALSE(empty.ok());
  auto long_host = ParseEnrollRequest(*Json::Parse(R"({"token":"t","machine_id":"m","hostname":")" +
                                                   std::string(300, 'x') + "\"}"));
  EXPECT_FALSE(long_host.ok());
  EXPECT_FALSE(ParseEnrollRequest(*Json::Parse("[1]")).ok());
}

}  // namespace
}  // namespace rampart::server
