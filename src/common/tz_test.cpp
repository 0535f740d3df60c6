// Time zones from TZif: offsets checked against the C library for many zones and instants (1970 to
// 2060, so the POSIX footer rule is exercised past the file's last transition), local -> UTC across
// DST gaps and overlaps, POSIX TZ rules, slim files (footer only) and malformed data.
#include "common/tz.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <string>

namespace rampart {
namespace {

std::int64_t Utc(std::int64_t y, unsigned m, unsigned d, int hh, int mm) {
  return DaysFromCivil(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

TEST(Civil, RoundTrip) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  for (std::int64_t days = -800000; days < 800000; days += 997) {
    std::int64_t y = 0;
    unsigned m = 0, d = 0;
    CivilFromDays(days, &y, &m, &d);
    ASSERT_EQ(DaysFromCivil(y, m, d), days);
  }
}

TEST(TimeZone, ParisAcrossBothDstChanges) {
  auto tz = LoadZone("Europe/Paris");
  ASSERT_TRUE(tz.ok()) << tz.status().ToString();
  EXPECT_EQ(tz->name(), "Europe/Paris");
  EXPECT_EQ(tz->UtcOffsetAt(Utc(2026, 1, 15, 12, 0)), 3600);
  EXPECT_EQ(tz->UtcOffsetAt(Utc(2026, 7, 1, 12, 0)), 7200);
  // 2026-03-29: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
  EXPECT_EQ(tz->UtcOffsetAt(Utc(2026, 3, 29, 0, 59)), 3600);
  EXPECT_EQ(tz->UtcOffsetAt(Utc(2026, 3, 29, 1, 0)), 7200);
  // 02:30 does not exist that night: the first valid instant after it, 03:00 CEST.
  EXPECT_EQ(tz->LocalToUtc(Utc(2026, 3, 29, 2, 30)), Utc(2026, 3, 29, 1, 0));
  EXPECT_EQ(tz->LocalToUtc(Utc(2026, 3, 29, 2, 0)), Utc(2026, 3, 29, 1, 0));
  EXPECT_EQ(tz->LocalToUtc(Utc(2026, 3, 29, 1, 59)), Utc(2026, 3, 29, 0, 59));
  EXPECT_EQ(tz->LocalToUtc(Utc(2026, 3, 29, 3, 30)), Utc(2026, 3, 29, 1, 30));
  // 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00 UTC; 02:30 happens twice: the first one.
  EXPECT_EQ(tz->LocalToUtc(Utc(2026, 10, 25, 2, 30)), Utc(2026, 10, 25, 0, 30));
  EXPECT_EQ(tz->LocalToUtc(Utc(2026, 10, 25, 3, 30)), Utc(2026, 10, 25, 2, 30));
  // Past the file's transitions (2037): the footer rule.
  EXPECT_EQ(tz->UtcOffsetAt(Utc(2050, 7, 1, 12, 0)), 7200);
  EXPECT_EQ(tz->UtcOffsetAt(Utc(2050, 12, 1, 12, 0)), 3600);
  EXPECT_EQ(tz->LocalToUtc(Utc(2050, 3, 27, 2, 30)), Utc(2050, 3, 27, 1, 0));
}

// Every offset agrees with glibc's localtime_r (test-only use of the global TZ).
TEST(TimeZone, AgreesWithTheCLibrary) {
  const char* zones[] = {"Europe/Paris",      "America/New_York",  "Australia/Sydney",
                         "Asia/Kolkata",      "America/St_Johns",  "Pacific/Chatham",
                         "Asia/Tehran",       "Africa/Casablanca", "Europe/Dublin",
                         "America/Sao_Paulo", "Asia/Shanghai",     "Pacific/Apia",
                         "America/Santiago",  "Etc/GMT+5",         "UTC"};
  const char* old_tz = getenv("TZ");
  const std::string saved = old_tz ? old_tz : "";
  int compared = 0;
  for (const char* name : zones) {
    auto tz = LoadZone(name);
    ASSERT_TRUE(tz.ok()) << name << ": " << tz.status().ToString();
    setenv("TZ", (std::string(":") + name).c_str(), 1);
    tzset();
    for (std::int64_t t = Utc(1970, 1, 1, 0, 0); t < Utc(2060, 1, 1, 0, 0); t += 86400 * 3 + 3607) {
      const time_t tt = static_cast<time_t>(t);
      struct tm tm {};
      ASSERT_NE(localtime_r(&tt, &tm), nullptr);
      ASSERT_EQ(tz->UtcOffsetAt(t), tm.tm_gmtoff) << name << " at " << t;
      // Local -> UTC round trip (times that exist and happen once are most of them).
      const std::int64_t local = t + tm.tm_gmtoff;
      const std::int64_t back = tz->LocalToUtc(local);
      ASSERT_EQ(back + tz->UtcOffsetAt(back), local) << name << " at " << t;
      ASSERT_LE(back, t) << name << " at " << t;  // the first occurrence of a repeated time
      ++compared;
    }
  }
  if (old_tz) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
  EXPECT_GT(compared, 100000);
}

TEST(TimeZone, SouthernHemisphereRuleWrapsTheYear) {
  auto rule = ParsePosixTz("AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  EXPECT_EQ(rule->std_offset, 36000);
  EXPECT_EQ(rule->dst_offset, 39600);
  auto tz = LoadZone("Australia/Sydney");
  ASSERT_TRUE(tz.ok());
  EXPECT_EQ(tz->UtcOffsetAt(Utc(2055, 1, 10, 0, 0)), 39600);
  EXPECT_EQ(tz->UtcOffsetAt(Utc(2055, 7, 10, 0, 0)), 36000);
}

TEST(PosixTz, Forms) {
  auto r = ParsePosixTz("<+0330>-3:30");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->std_offset, 3 * 3600 + 1800);
  EXPECT_FALSE(r->has_dst);
  r = ParsePosixTz("EST5EDT");  // no rule: the US one
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->std_offset, -5 * 3600);
  EXPECT_EQ(r->dst_offset, -4 * 3600);
  EXPECT_EQ(r->start.month, 3);
  r = ParsePosixTz("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1");  // negative transition times (v3)
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->start.time, -7200);
  r = ParsePosixTz("XXX-2YYY,J60/2,300/25");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->start.kind, PosixTzRule::Date::Kind::kJulianNoLeap);
  EXPECT_EQ(r->end.kind, PosixTzRule::Date::Kind::kZeroBased);
  EXPECT_EQ(r->end.time, 25 * 3600);
  for (const char* bad :
       {"", "AB1", "CET", "CET-1CEST,M13.1.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0",
        "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,J0,J5", "CET-1CEST,M3.5.0",
        "CET-1CEST,M3.5.0,M10.5.0/168", "CET-25", "<+03", "CET-1CEST,M3.5.0,M10.5.0x"}) {
    EXPECT_FALSE(ParsePosixTz(bad).ok()) << bad;
  }
}

// A "slim" file: no transitions, only the footer rule.
std::string SlimTzif(const std::string& footer) {
  std::string header(44, '\0');
  auto put32 = [](std::string* s, std::size_t at, std::uint32_t v) {
    for (int k = 0; k < 4; ++k)
      (*s)[at + static_cast<std::size_t>(k)] = static_cast<char>(v >> (24 - 8 * k));
  };
  header.replace(0, 5, "TZif2");
  put32(&header, 36, 1);                                  // typecnt
  put32(&header, 40, 4);                                  // charcnt
  const std::string type("\x00\x00\x0e\x10\x00\x00", 6);  // +3600, std, abbreviation 0
  const std::string chars("CET\0", 4);
  std::string v1 = header + type + chars;
  return v1 + header + type + chars + "\n" + footer + "\n";
}

TEST(Tzif, SlimFileUsesTheFooter) {
  auto tz = ParseTzif(SlimTzif("CET-1CEST,M3.5.0,M10.5.0/3"), "slim/Paris");
  ASSERT_TRUE(tz.ok()) << tz.status().ToString();
  EXPECT_EQ(tz->UtcOffsetAt(Utc(2026, 3, 29, 0, 59)), 3600);
  EXPECT_EQ(tz->UtcOffsetAt(Utc(2026, 3, 29, 1, 0)), 7200);
  EXPECT_EQ(tz->UtcOffsetAt(Utc(2026, 10, 25, 0, 59)), 7200);
  EXPECT_EQ(tz->UtcOffsetAt(Utc(2026, 10, 25, 1, 0)), 3600);
  EXPECT_EQ(tz->LocalToUtc(Utc(2026, 3, 29, 2, 30)), Utc(2026, 3, 29, 1, 0));
  // An empty footer: the last type forever.
  auto fixed = ParseTzif(SlimTzif(""), "fixed");
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(fixed->UtcOffsetAt(Utc(2026, 7, 1, 0, 0)), 3600);
}

TEST(Tzif, MalformedDataIsRefusedWithAReason) {
  const std::string good = SlimTzif("CET-1CEST,M3.5.0,M10.5.0/3");
  EXPECT_FALSE(ParseTzif("", "x").ok());
  EXPECT_FALSE(ParseTzif("TZjf" + good.substr(4), "x").ok());
  for (std::size_t cut = 0; cut < good.size(); cut += 7) {
    EXPECT_FALSE(ParseTzif(good.substr(0, cut), "x").ok()) << cut;
  }
  auto bad_footer = ParseTzif(SlimTzif("CET-1CEST,M3"), "x");
  ASSERT_FALSE(bad_footer.ok());
  EXPECT_NE(bad_footer.status().message().find("TZ rule"), std::string::npos);
}

TEST(LoadZone, NamesAreCheckedAgainstTheDatabase) {
  EXPECT_TRUE(IsValidZoneName("Europe/Paris"));
  EXPECT_TRUE(IsValidZoneName("Etc/GMT+5"));
  EXPECT_TRUE(IsValidZoneName("America/Argentina/Buenos_Aires"));
  for (const char* bad : {"", "/etc/passwd", "../etc/passwd", "Europe//Paris", "Europe/", ".hidden",
                          "Europe/Paris ", "Europe\\Paris", "-x"}) {
    EXPECT_FALSE(IsValidZoneName(bad)) << bad;
    EXPECT_EQ(LoadZone(bad).status().code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_EQ(LoadZone("Nowhere/City").status().code(), Code::kNotFound);
  EXPECT_EQ(LoadZone("Europe").status().code(), Code::kNotFound);  // a directory
  auto utc = LoadZone("UTC", "/nonexistent");                      // built in
  ASSERT_TRUE(utc.ok());
  EXPECT_EQ(utc->UtcOffsetAt(0), 0);
  // Cached: the second load is the same zone.
  auto a = LoadZone("Asia/Kolkata");
  auto b = LoadZone("Asia/Kolkata");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(b->UtcOffsetAt(Utc(2026, 1, 1, 0, 0)), 19800);
}

}  // namespace
}  // namespace rampart
