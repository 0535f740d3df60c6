#include "agent/collectors/shadow.h"

#include <gtest/gtest.h>

namespace rampart::agent {
namespace {

constexpr std::string_view kYescrypt =
    "$y$j9T$Rk0Tz9mH4q1Yb8vE2nW5s.$2Q9cX1pVxw3N7d0fK5yGmZL8aHjT4uBeRr6oSi.Yc5D";
constexpr std::string_view kSha512 =
    "$6$Hq2eLx9V$Yw1Tn5vK8zR3mQ0pC7sJ4dF6gH2aL9bN1xE5uI3oP8kW2yZ7tU0r";

TEST(Shadow, ClassifiesPasswordFields) {
  EXPECT_EQ(ClassifyPassword(kYescrypt), PasswordStatus::kSet);
  EXPECT_EQ(ClassifyPassword(kSha512), PasswordStatus::kSet);
  EXPECT_EQ(ClassifyPassword("$1$abc$def"), PasswordStatus::kSet);
  EXPECT_EQ(ClassifyPassword("abJnggxhB/yWI"), PasswordStatus::kSet);  // 13-char DES
  EXPECT_EQ(ClassifyPassword(""), PasswordStatus::kEmpty);
  EXPECT_EQ(ClassifyPassword("!" + std::string(kSha512)), PasswordStatus::kLocked);
  EXPECT_EQ(ClassifyPassword("!!" + std::string(kYescrypt)), PasswordStatus::kLocked);
  EXPECT_EQ(ClassifyPassword("!"), PasswordStatus::kNone);
  EXPECT_EQ(ClassifyPassword("!!"), PasswordStatus::kNone);
  EXPECT_EQ(ClassifyPassword("!*"), PasswordStatus::kNone);
  EXPECT_EQ(ClassifyPassword("*"), PasswordStatus::kNone);
  EXPECT_EQ(ClassifyPassword("*LK*"), PasswordStatus::kNone);
  EXPECT_EQ(ClassifyPassword("x"), PasswordStatus::kNone);
  EXPECT_EQ(ClassifyPassword("$6$"), PasswordStatus::kNone);       // no salt, no hash
  EXPECT_EQ(ClassifyPassword("$6$salt$"), PasswordStatus::kNone);  // empty hash part
  EXPECT_EQ(ClassifyPassword("$6$sa*lt$hash"), PasswordStatus::kNone);
  EXPECT_EQ(ClassifyPassword("abJnggxhB/yW"), PasswordStatus::kNone);  // 12 chars: not DES
}

TEST(Shadow, NamesStatusesAsTheContractSays) {
  EXPECT_EQ(PasswordStatusName(PasswordStatus::kSet), "set");
  EXPECT_EQ(PasswordStatusName(PasswordStatus::kEmpty), "empty");
  EXPECT_EQ(PasswordStatusName(PasswordStatus::kLocked), "locked");
  EXPECT_EQ(PasswordStatusName(PasswordStatus::kNone), "none");
}

TEST(Shadow, NamesHashSchemesAlsoBehindALock) {
  EXPECT_EQ(HashType(kYescrypt), "yescrypt");
  EXPECT_EQ(HashType(kSha512), "sha512");
  EXPECT_EQ(HashType("!" + std::string(kSha512)), "sha512");
  EXPECT_EQ(HashType("$5$rounds=5000$Zp7Qw2Er$Kx9Lm3Nb5Vc7"), "sha256");
  EXPECT_EQ(HashType("$1$abc$def"), "md5");
  EXPECT_EQ(HashType("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"), "bcrypt");
  EXPECT_EQ(HashType("$gy$j9T$salt$hash"), "gost-yescrypt");
  EXPECT_EQ(HashType("$7$CU..../....salt$hash"), "scrypt");
  EXPECT_EQ(HashType("$99$salt$hash"), "unknown");
  EXPECT_EQ(HashType("abJnggxhB/yWI"), "des");
  EXPECT_EQ(HashType("_J9..CCCCXBrJUJV154M"), "bsdi");
  EXPECT_EQ(HashType("*"), "");
  EXPECT_EQ(HashType(""), "");
}

TEST(Shadow, ParsesAgeingFieldsAndKeepsNoHash) {
  ShadowEntry e;
  ASSERT_TRUE(ParseShadowLine("alice:" + std::string(kYescrypt) + ":20400:1:90:14:30:20500:", &e));
  EXPECT_EQ(e.name, "alice");
  EXPECT_EQ(e.status, PasswordStatus::kSet);
  EXPECT_EQ(e.hash_type, "yescrypt");
  EXPECT_EQ(e.last_change, 20400);
  EXPECT_EQ(e.min_days, 1);
  EXPECT_EQ(e.max_days, 90);
  EXPECT_EQ(e.warn_days, 14);
  EXPECT_EQ(e.inactive_days, 30);
  EXPECT_EQ(e.expire, 20500);
}

TEST(Shadow, EmptyAndNonNumericAgeingFieldsAreUnknown) {
  ShadowEntry e;
  ASSERT_TRUE(ParseShadowLine("redis:!:19701::::::", &e));
  EXPECT_EQ(e.status, PasswordStatus::kNone);
  EXPECT_EQ(e.last_change, 19701);
  EXPECT_FALSE(e.min_days);
  EXPECT_FALSE(e.max_days);
  EXPECT_FALSE(e.expire);
  ASSERT_TRUE(ParseShadowLine("x:*:abc:-1:99999999999:7::", &e));  // 8 fields accepted
  EXPECT_FALSE(e.last_change);
  EXPECT_FALSE(e.min_days);
  EXPECT_FALSE(e.max_days);
  EXPECT_EQ(e.warn_days, 7);
}

TEST(Shadow, RejectsMalformedLines) {
  ShadowEntry e;
  EXPECT_FALSE(ParseShadowLine("", &e));
  EXPECT_FALSE(ParseShadowLine("# comment", &e));
  EXPECT_FALSE(ParseShadowLine("+nisuser::::::::", &e));
  EXPECT_FALSE(ParseShadowLine("root:x:1:2:3", &e));
  EXPECT_FALSE(ParseShadowLine(":x:1:2:3:4:5:6:", &e));
  EXPECT_FALSE(ParseShadowLine("a:b:c:d:e:f:g:h:i:j", &e));
}

TEST(Shadow, ParseShadowNumbersLinesAndHonoursTheCap) {
  const auto entries =
      ParseShadow("root:*:1:::::: \n\ngarbage\nbob::2::::::\ncarol:!!:3::::::\n", 2);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, "root");
  EXPECT_EQ(entries[0].line, 1u);
  EXPECT_EQ(entries[1].name, "bob");
  EXPECT_EQ(entries[1].line, 4u);
  EXPECT_EQ(entries[1].status, PasswordStatus::kEmpty);
}

TEST(Shadow, ReadsTheDebianFixture) {
  auto host = HostView::Open(RAMPART_SOURCE_DIR "/tests/testdata/root-debian");
  ASSERT_TRUE(host);
  auto entries = ReadShadow(*host);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 11u);
  EXPECT_EQ((*entries)[8].name, "bob");
  EXPECT_EQ((*entries)[8].status, PasswordStatus::kLocked);
  EXPECT_EQ((*entries)[8].hash_type, "sha512");
}

TEST(Shadow, ReadShadowIsNulloptWithoutAFile) {
  auto host = HostView::Open(RAMPART_SOURCE_DIR "/tests/testdata/root-debian/home");
  ASSERT_TRUE(host);
  EXPECT_FALSE(ReadShadow(*host));
}

}  // namespace
}  // namespace rampart::agent
