#include "agent/sources/log_time.h"

#include <gtest/gtest.h>

namespace rampart::agent {
namespace {

constexpr std::int64_t kRef = 1795920687;  // 2026-11-29T02:51:27Z
constexpr std::int64_t k2026_11_29_025127 = 1795920687;

TEST(DaysFromCivil, KnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2024, 2, 29) + 1, DaysFromCivil(2024, 3, 1));
}

TEST(Rfc3164Time, ParsesTwoDigitAndPaddedDays) {
  auto t = ParseRfc3164Time("Nov 29 02:51:27 host sshd[1]: x", kRef, 0);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->sec, k2026_11_29_025127);
  EXPECT_EQ(t->length, 15u);
  auto p = ParseRfc3164Time("Nov  9 02:51:27 host", kRef, 0);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->sec, k2026_11_29_025127 - 20 * 86400);
  EXPECT_EQ(p->length, 15u);
}

TEST(Rfc3164Time, AppliesLocalOffset) {
  // 03:51:27 at UTC+1 is 02:51:27Z.
  auto t = ParseRfc3164Time("Nov 29 03:51:27", kRef, 3600);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->sec, k2026_11_29_025127);
}

TEST(Rfc3164Time, MonthAfterReferenceBelongsToPreviousYear) {
  const std::int64_t jan_2_2027 = DaysFromCivil(2027, 1, 2) * 86400;
  auto dec = ParseRfc3164Time("Dec 31 23:59:59", jan_2_2027, 0);
  ASSERT_TRUE(dec);
  EXPECT_EQ(dec->sec, DaysFromCivil(2026, 12, 31) * 86400 + 86399);
  auto jan = ParseRfc3164Time("Jan  1 00:00:01", jan_2_2027, 0);
  ASSERT_TRUE(jan);
  EXPECT_EQ(jan->sec, DaysFromCivil(2027, 1, 1) * 86400 + 1);
  // Same month as the reference: same year.
  auto nov = ParseRfc3164Time("Nov 30 00:00:00", kRef, 0);
  ASSERT_TRUE(nov);
  EXPECT_EQ(nov->sec, DaysFromCivil(2026, 11, 30) * 86400);
}

TEST(Rfc3164Time, ReferenceYearIsSeenInLocalTime) {
  // 2026-12-31T23:30Z is already 2027-01-01 at UTC+1: a "Dec" line then is from 2026.
  const std::int64_t ref = DaysFromCivil(2026, 12, 31) * 86400 + 23 * 3600 + 1800;
  auto t = ParseRfc3164Time("Dec 31 23:00:00", ref, 3600);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->sec, DaysFromCivil(2026, 12, 31) * 86400 + 22 * 3600);
}

TEST(Rfc3164Time, AcceptsFraction) {
  auto t = ParseRfc3164Time("Nov 29 02:51:27.250 host", kRef, 0);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->nsec, 250000000);
  EXPECT_EQ(t->length, 19u);
}

TEST(Rfc3164Time, RejectsMalformed) {
  EXPECT_FALSE(ParseRfc3164Time("Foo 29 02:51:27 x", kRef, 0));
  EXPECT_FALSE(ParseRfc3164Time("Nov 32 02:51:27 x", kRef, 0));
  EXPECT_FALSE(ParseRfc3164Time("Nov 29 24:51:27 x", kRef, 0));
  EXPECT_FALSE(ParseRfc3164Time("Nov 29 02:61:27 x", kRef, 0));
  EXPECT_FALSE(ParseRfc3164Time("Nov 29 02:51", kRef, 0));
  EXPECT_FALSE(ParseRfc3164Time("Nov 29 02:51:27x", kRef, 0));
  EXPECT_FALSE(ParseRfc3164Time("", kRef, 0));
}

TEST(IsoTime, ParsesZonesAndFractions) {
  struct Case {
    const char* text;
    std::int64_t sec;
    std::int32_t nsec;
  } cases[] = {
      {"2026-11-29T02:51:27Z", k2026_11_29_025127, 0},
      {"2026-11-29T02:51:27.123456Z", k2026_11_29_025127, 123456000},
      {"2026-11-29T03:51:27.123+01:00", k2026_11_29_025127, 123000000},
      {"2026-11-29T03:51:27+0100", k2026_11_29_025127, 0},
      {"2026-11-29T03:51:27+01", k2026_11_29_025127, 0},
      {"2026-11-28T21:21:27-05:30", k2026_11_29_025127, 0},
      {"2026-11-29T02:51:27.123456789123Z", k2026_11_29_025127, 123456789},
      {"2026-11-29 02:51:27", k2026_11_29_025127, 0},
      {"2026-11-29  2:51:27", k2026_11_29_025127, 0},
      {"2026-11-29 2:51:27", k2026_11_29_025127, 0},
      {"2026-11-29 02:51:27,456", k2026_11_29_025127, 456000000},
  };
  for (const auto& c : cases) {
    auto t = ParseIsoTime(c.text, 0);
    ASSERT_TRUE(t) << c.text;
    EXPECT_EQ(t->sec, c.sec) << c.text;
    EXPECT_EQ(t->nsec, c.nsec) << c.text;
    EXPECT_EQ(t->length, std::string_view(c.text).size()) << c.text;
  }
}

TEST(IsoTime, WithoutZoneUsesLocalOffset) {
  auto t = ParseIsoTime("2026-11-29T04:51:27 host", 7200);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->sec, k2026_11_29_025127);
  EXPECT_EQ(t->length, 19u);
  auto z = ParseIsoTime("2026-11-29T02:51:27Z host", 7200);  // an explicit zone wins
  ASSERT_TRUE(z);
  EXPECT_EQ(z->sec, k2026_11_29_025127);
}

TEST(IsoTime, RejectsMalformed) {
  EXPECT_FALSE(ParseIsoTime("2026-13-29T02:51:27Z", 0));
  EXPECT_FALSE(ParseIsoTime("2026-11-29X02:51:27Z", 0));
  EXPECT_FALSE(ParseIsoTime("2026-11-29T02:51:27+1", 0));
  EXPECT_FALSE(ParseIsoTime("2026-11-29T02:51:27Zjunk", 0));
  EXPECT_FALSE(ParseIsoTime("2026-11-29T02:51", 0));
  EXPECT_FALSE(ParseIsoTime("26-11-29T02:51:27", 0));
  EXPECT_FALSE(ParseIsoTime("2026-11-29T02:51:27+25:00", 0));
}

TEST(PostgresTime, ZoneWords) {
  auto utc = ParsePostgresTime("2026-11-29 02:51:27.123 UTC [5] x", 3600);
  ASSERT_TRUE(utc);
  EXPECT_EQ(utc->sec, k2026_11_29_025127);
  EXPECT_EQ(utc->nsec, 123000000);
  EXPECT_EQ(utc->length, 27u);
  auto gmt = ParsePostgresTime("2026-11-29 02:51:27 GMT", 3600);
  ASSERT_TRUE(gmt);
  EXPECT_EQ(gmt->sec, k2026_11_29_025127);
  // An abbreviation that is not UTC: the machine's offset.
  auto cet = ParsePostgresTime("2026-11-29 03:51:27 CET [5]", 3600);
  ASSERT_TRUE(cet);
  EXPECT_EQ(cet->sec, k2026_11_29_025127);
  EXPECT_EQ(cet->length, 23u);
  auto none = ParsePostgresTime("2026-11-29 02:51:27 [5]", 0);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->length, 19u);
}

TEST(MysqlOldTime, PaddedAndZeroFilledHours) {
  auto a = ParseMysqlOldTime("261129  2:51:27 [Warning]", 0);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->sec, k2026_11_29_025127);
  EXPECT_EQ(a->length, 15u);
  auto b = ParseMysqlOldTime("261129 02:51:27 [Note]", 0);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->sec, k2026_11_29_025127);
  EXPECT_FALSE(ParseMysqlOldTime("261329 02:51:27", 0));
  EXPECT_FALSE(ParseMysqlOldTime("2611 02:51:27", 0));
}

TEST(CtimeTime, VsftpdFormat) {
  auto t = ParseCtimeTime("Sun Nov 29 02:51:27 2026 [pid 1]", 0);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->sec, k2026_11_29_025127);
  EXPECT_EQ(t->length, 24u);
  auto padded = ParseCtimeTime("Mon Nov  9 02:51:27 2026", 0);
  ASSERT_TRUE(padded);
  EXPECT_EQ(padded->sec, k2026_11_29_025127 - 20 * 86400);
  EXPECT_FALSE(ParseCtimeTime("Xyz Nov 29 02:51:27 2026", 0));
}

TEST(MonthFromName, AllMonths) {
  EXPECT_EQ(MonthFromName("Jan"), 1u);
  EXPECT_EQ(MonthFromName("Dec"), 12u);
  EXPECT_EQ(MonthFromName("dec"), 0u);
}

}  // namespace
}  // namespace rampart::agent
