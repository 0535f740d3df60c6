// Weak passwords: every common hash scheme is checked through crypt_r; the password itself never
// appears in the report; the CPU budget stops the work.
#include "agent/baseline/weak_password.h"

#include <gtest/gtest.h>

namespace rampart::agent::baseline {
namespace {

// Hashes made with the system libcrypt for known words.
constexpr const char* kSha512Password =
    "$6$rampartsalt$rEiMZdgHdc9WYwjpXpTJgIPadqGTrnj9IaHIhSBH/eTJYnAAmtIIZnxVIForo/"
    "92QpkSsdKJrCXyKsc9CjEWE.";
constexpr const char* kYescrypt123456 =
    "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$NHKFeBrkafwHC2nQzJgxGD9dPavDpuWFa9fsWu57o/.";
constexpr const char* kMd5Admin = "$1$rampart$F9f7AZzSNE0.PqmLhB0/u1";
constexpr const char* kBcryptQwerty =
    "$2b$05$abcdefghijklmnopqrstuudwvzD/xFx2gF949A0ZnJRr6KiOp69gG";
constexpr const char* kSha256Alice = "$5$rampart$MMg0j5IFkn7dVcA2zae1COV.mwpKuw97oVBERGjEQoA";
constexpr const char* kSha512Strong =
    "$6$rampartsalt$gEWunbQnkTP53EnpX2Ro6RcX9qZ8vmJV344gIaQmXDvJs6B5H1Ng0NkSOD6/"
    "1riPFMB62g1KR9heEcWr/Mc6T.";

const PasswordList& Builtin() {
  static const PasswordList list = ParsePasswordList(BuiltinPasswordList(), "builtin");
  return list;
}

TEST(WeakPasswords, BuiltinListHasHundredsOfCommonPasswords) {
  EXPECT_GE(Builtin().words.size(), 300u);
  for (const char* w : {"123456", "password", "qwerty", "admin", "P@ssw0rd"}) {
    EXPECT_NE(std::find(Builtin().words.begin(), Builtin().words.end(), w), Builtin().words.end())
        << w;
  }
}

TEST(WeakPasswords, FindsEverySchemeAndNamesOnlyTheList) {
  const auto r = FindWeakPasswords({{"alice", kSha512Password},
                                    {"bob", kYescrypt123456},
                                    {"carol", kMd5Admin},
                                    {"dave", kBcryptQwerty},
                                    {"alice2", kSha256Alice},
                                    {"erin", kSha512Strong}},
                                   {Builtin()}, std::chrono::seconds(30));
  EXPECT_FALSE(r.budget_exhausted);
  EXPECT_EQ(r.accounts_checked, 6u);
  ASSERT_EQ(r.weak.size(), 4u);  // alice2 ("alice") and erin are not in the list
  EXPECT_EQ(r.weak[0].user, "alice");
  EXPECT_EQ(r.weak[0].list, "builtin");
  EXPECT_EQ(r.weak[0].hash_type, "sha512");
  EXPECT_EQ(r.weak[1].hash_type, "yescrypt");
  EXPECT_EQ(r.weak[2].hash_type, "md5");
  EXPECT_EQ(r.weak[3].hash_type, "bcrypt");
  EXPECT_EQ(r.accounts_finished, 6u);
}

TEST(WeakPasswords, UserNameAsPasswordAndCustomDictionary) {
  PasswordList custom = ParsePasswordList("Company2024!\r\n\nqwerty\n", "custom:/etc/words");
  EXPECT_EQ(custom.words.size(), 2u);
  const auto r = FindWeakPasswords({{"alice", kSha256Alice}, {"dave", kBcryptQwerty}}, {custom},
                                   std::chrono::seconds(30));
  ASSERT_EQ(r.weak.size(), 2u);
  EXPECT_EQ(r.weak[0].list, "username");
  EXPECT_EQ(r.weak[1].list, "custom:/etc/words");
}

TEST(WeakPasswords, SkipsLockedAndPasswordlessAccounts) {
  const std::string locked = std::string("!") + kSha512Password;
  const auto r = FindWeakPasswords({{"a", locked}, {"b", "*"}, {"c", "!!"}, {"d", ""}}, {Builtin()},
                                   std::chrono::seconds(5));
  EXPECT_EQ(r.accounts_checked, 0u);
  EXPECT_TRUE(r.weak.empty());
}

TEST(WeakPasswords, CoversEveryAccountBeforeRarerCandidates) {
  // Two strong SHA-512 accounts and one whose password is the list's last word: round-robin means
  // both strong accounts are tried with every word, and the weak one is still found.
  PasswordList list = ParsePasswordList("a\nb\nc\npassword\n", "custom:x");
  const auto r = FindWeakPasswords(
      {{"erin", kSha512Strong}, {"alice", kSha512Password}, {"frank", kSha512Strong}}, {list},
      std::chrono::seconds(30));
  ASSERT_EQ(r.weak.size(), 1u);
  EXPECT_EQ(r.weak[0].user, "alice");
  EXPECT_EQ(r.hashes_computed, 3u * 5u);  // name + 4 words, for each of the three accounts
  EXPECT_EQ(r.accounts_finished, 3u);
}

TEST(WeakPasswords, StopsWhenTheBudgetIsSpent) {
  // 40 yescrypt accounts with a strong password cannot be finished in 50 ms of CPU.
  std::vector<ShadowHash> many;
  for (int i = 0; i < 40; ++i)
    many.push_back({"u" + std::to_string(i), kYescrypt123456 + std::string()});
  for (auto& a : many)
    a.hash = "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  const auto r = FindWeakPasswords(many, {Builtin()}, std::chrono::milliseconds(50));
  EXPECT_TRUE(r.budget_exhausted);
  EXPECT_LT(r.accounts_finished, r.accounts_checked);
  EXPECT_LT(r.candidates_tried, 434u);  // fewer than name + the whole list
}

}  // namespace
}  // namespace rampart::agent::baseline
