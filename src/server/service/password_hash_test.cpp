#include "server/service/password_hash.h"

#include <gtest/gtest.h>

#include <string>

namespace rampart::server {
namespace {

// Restores the process-wide parameters after a test changes them.
class Argon2ParamsGuard {
 public:
  Argon2ParamsGuard() : saved_(GetArgon2Params()) {}
  ~Argon2ParamsGuard() { SetArgon2Params(saved_); }
  Argon2ParamsGuard(const Argon2ParamsGuard&) = delete;
  Argon2ParamsGuard& operator=(const Argon2ParamsGuard&) = delete;

 private:
  Argon2Params saved_;
};

TEST(PasswordHash, DefaultParametersAreOwaspMinimumAndEncodeInTheStandardForm) {
  Argon2Params defaults;
  EXPECT_EQ(defaults.memory_kib, 19456U);
  EXPECT_EQ(defaults.iterations, 2U);
  EXPECT_EQ(defaults.parallelism, 1U);

  auto encoded = HashSecret("correct horse battery staple");
  ASSERT_TRUE(encoded.ok()) << encoded.error().ToString();
  EXPECT_EQ(encoded->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0U) << *encoded;
  EXPECT_EQ(encoded->find('\0'), std::string::npos);
  EXPECT_TRUE(VerifySecret("correct horse battery staple", *encoded));
}

TEST(PasswordHash, VerifiesMatchAndRejectsMismatch) {
  Argon2ParamsGuard guard;
  SetArgon2Params({.memory_kib = 64, .iterations = 1, .parallelism = 1});
  auto encoded = HashSecret("s3cret-value");
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(encoded->rfind("$argon2id$v=19$m=64,t=1,p=1$", 0), 0U) << *encoded;
  EXPECT_TRUE(VerifySecret("s3cret-value", *encoded));
  EXPECT_FALSE(VerifySecret("s3cret-valuE", *encoded));
  EXPECT_FALSE(VerifySecret("", *encoded));
}

TEST(PasswordHash, SaltsDifferSoEqualSecretsHashDifferently) {
  Argon2ParamsGuard guard;
  SetArgon2Params({.memory_kib = 64, .iterations = 1, .parallelism = 1});
  auto a = HashSecret("same");
  auto b = HashSecret("same");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifySecret("same", *a));
  EXPECT_TRUE(VerifySecret("same", *b));
}

TEST(PasswordHash, OldHashesStillVerifyAfterTheCostChanges) {
  Argon2ParamsGuard guard;
  SetArgon2Params({.memory_kib = 64, .iterations = 1, .parallelism = 1});
  auto old_hash = HashSecret("pw");
  ASSERT_TRUE(old_hash.ok());
  SetArgon2Params({.memory_kib = 128, .iterations = 2, .parallelism = 2});
  EXPECT_EQ(GetArgon2Params().memory_kib, 128U);
  EXPECT_TRUE(VerifySecret("pw", *old_hash));
  auto new_hash = HashSecret("pw");
  ASSERT_TRUE(new_hash.ok());
  EXPECT_EQ(new_hash->rfind("$argon2id$v=19$m=128,t=2,p=2$", 0), 0U) << *new_hash;
}

TEST(PasswordHash, UnreadableEncodingsNeverVerify) {
  for (const char* garbage :
       {"", "plain", "$argon2id$", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
        "$argon2id$v=19$m=64,t=1,p=1$!!!$???", "$argon2id$v=19$m=x,t=1,p=1$c2FsdA$aGFzaA",
        // Absurd costs from a corrupt row are refused before libargon2 would allocate.
        "$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
        "$argon2id$v=19$m=64,t=100000,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"}) {
    EXPECT_FALSE(VerifySecret("anything", garbage)) << garbage;
  }
  std::string with_nul("$argon2id$v=19$m=64,t=1,p=1$\0abc", 33);
  EXPECT_FALSE(VerifySecret("anything", with_nul));
}

}  // namespace
}  // namespace rampart::server
