#include "common/whitelist_scope.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>

namespace rampart {
namespace {

WhitelistWindow Parse(std::string_view json) {
  auto doc = Json::Parse(json);
  EXPECT_TRUE(doc.ok());
  auto w = ParseWhitelistWindow(*doc, "e");
  EXPECT_TRUE(w.ok()) << w.error().ToString();
  return w.ok() ? *w : WhitelistWindow{};
}

std::string Error(std::string_view json) {
  auto doc = Json::Parse(json);
  EXPECT_TRUE(doc.ok());
  auto w = ParseWhitelistWindow(*doc, "e");
  EXPECT_FALSE(w.ok());
  return w.ok() ? std::string() : w.error().message();
}

bool HaveZoneinfo() { return std::ifstream("/usr/share/zoneinfo/Europe/Paris").good(); }

// 2026-12-07 is a Monday.
constexpr std::int64_t kMonday = 1796601600;  // 2026-12-07T00:00:00Z
std::int64_t At(int day, int hour, int minute = 0) {
  return kMonday + day * 86400 + hour * 3600 + minute * 60;
}

TEST(WhitelistWindow, NoKeysCoversEverything) {
  const auto w = Parse(R"({"source": "10.0.0.1", "hosts": "all"})");
  EXPECT_FALSE(w.restricts());
  EXPECT_TRUE(w.CoversTime(At(6, 3)));
  EXPECT_TRUE(w.CoversCountry(""));
}

TEST(WhitelistWindow, WeekdayOfficeHoursInUtc) {
  const auto w = Parse(R"({"days": ["mon","tue","wed","thu","fri"], "hours": "08:00-18:30"})");
  EXPECT_TRUE(w.CoversTime(At(0, 8)));
  EXPECT_TRUE(w.CoversTime(At(4, 18, 29)));
  EXPECT_FALSE(w.CoversTime(At(4, 18, 30)));  // to is exclusive
  EXPECT_FALSE(w.CoversTime(At(0, 7, 59)));
  EXPECT_FALSE(w.CoversTime(At(5, 10)));  // Saturday
}

TEST(WhitelistWindow, AWindowAcrossMidnightBelongsToTheDayItStarts) {
  const auto w = Parse(R"({"days": ["fri"], "hours": "22:00-06:00"})");
  EXPECT_TRUE(w.CoversTime(At(4, 23)));   // Friday 23:00
  EXPECT_TRUE(w.CoversTime(At(5, 5)));    // Saturday 05:00, Friday's night
  EXPECT_FALSE(w.CoversTime(At(4, 5)));   // Friday 05:00 is Thursday's night
  EXPECT_FALSE(w.CoversTime(At(5, 23)));  // Saturday 23:00
}

TEST(WhitelistWindow, ZoneOffsetsShiftTheDayAndHour) {
  const auto w = Parse(R"({"days": ["mon"], "hours": "00:00-02:00", "zone": "+02:00"})");
  EXPECT_TRUE(w.CoversTime(At(0, 0) - 3600));  // Sunday 23:00 UTC = Monday 01:00 +02:00
  EXPECT_FALSE(w.CoversTime(At(0, 1)));        // Monday 03:00 +02:00
  const auto west = Parse(R"({"hours": "09:00-17:00", "zone": "-05:30"})");
  EXPECT_TRUE(west.CoversTime(At(0, 14, 30)));  // 09:00 local
  EXPECT_FALSE(west.CoversTime(At(0, 14, 29)));
}

TEST(WhitelistWindow, LocalZoneUsesTheHostsTimeZone) {
  const char* old = std::getenv("TZ");
  const std::string saved = old ? old : "";
  setenv("TZ", "Asia/Kolkata", 1);  // +05:30, no DST
  tzset();
  const auto w = Parse(R"({"hours": "09:00-10:00", "zone": "local"})");
  EXPECT_TRUE(w.CoversTime(At(0, 3, 30)));
  EXPECT_FALSE(w.CoversTime(At(0, 9)));
  if (old) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST(WhitelistWindow, Countries) {
  const auto w = Parse(R"({"countries": ["DE", "FR", "DE"]})");
  EXPECT_EQ(w.countries.size(), 2u);
  EXPECT_TRUE(w.CoversCountry("FR"));
  EXPECT_FALSE(w.CoversCountry("US"));
  EXPECT_FALSE(w.CoversCountry(""));  // not located: not covered
}

TEST(WhitelistWindow, RoundTripsThroughJson) {
  const auto w = Parse(
      R"({"countries": ["DE"], "days": ["sat","sun"], "hours": "22:00-06:00", "zone": "-05:30"})");
  Json out = Json::MakeObject();
  w.AddTo(&out);
  auto back = ParseWhitelistWindow(out, "x");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, w);
  EXPECT_EQ(out.GetString("hours"), "22:00-06:00");
  EXPECT_EQ(out.GetString("zone"), "-05:30");
}

TEST(WhitelistWindow, ErrorsNameTheKeyAndTheValue) {
  EXPECT_EQ(Error(R"({"countries": ["de"]})"),
            "e.countries: expected two upper-case letters (\"DE\"), got \"de\"");
  EXPECT_NE(Error(R"({"countries": []})").find("e.countries: expected a non-empty array"),
            std::string::npos);
  EXPECT_NE(Error(R"({"days": ["monday"]})").find("e.days: expected mon, tue"), std::string::npos);
  EXPECT_NE(Error(R"({"hours": "25:00-26:00"})").find("e.hours: expected HH:MM-HH:MM"),
            std::string::npos);
  EXPECT_NE(Error(R"({"hours": "08:00-08:00"})").find("e.hours"), std::string::npos);
  EXPECT_NE(Error(R"({"hours": "8-18"})").find("e.hours"), std::string::npos);
  EXPECT_NE(Error(R"({"zone": "not a zone!"})")
                .find("e.zone: expected UTC, local, an offset -14:00..+14:00 (\"+01:00\") or a tz "
                      "database name (\"Europe/Paris\"), got \"not a zone!\""),
            std::string::npos);
  EXPECT_NE(Error(R"({"zone": "../../etc/passwd"})").find("e.zone: expected UTC"),
            std::string::npos);
  if (HaveZoneinfo()) {
    EXPECT_NE(Error(R"({"zone": "Mars/Olympus_Mons"})")
                  .find("e.zone: unknown time zone \"Mars/Olympus_Mons\": expected UTC"),
              std::string::npos);
  }
  EXPECT_NE(Error(R"({"zone": "+15:00"})").find("e.zone"), std::string::npos);
}

// Working hours 09:00-17:00 in Paris: in UTC 08:00-16:00 in winter, 07:00-15:00 in summer.
TEST(WhitelistWindow, NamedZoneFollowsParisAcrossTheSpringChange) {
  if (!HaveZoneinfo()) GTEST_SKIP() << "no tzdata";
  const auto w = Parse(
      R"({"days": ["mon","tue","wed","thu","fri"], "hours": "09:00-17:00", "zone": "Europe/Paris"})");
  constexpr std::int64_t kFri = 1774569600;  // 2026-03-27, CET (+01:00)
  constexpr std::int64_t kMon = 1774828800;  // 2026-03-30, CEST (+02:00), after Sunday's change
  EXPECT_FALSE(w.CoversTime(kFri + 7 * 3600 + 59 * 60));  // 08:59 local
  EXPECT_TRUE(w.CoversTime(kFri + 8 * 3600));             // 09:00 local
  EXPECT_TRUE(w.CoversTime(kFri + 15 * 3600 + 59 * 60));  // 16:59 local
  EXPECT_FALSE(w.CoversTime(kFri + 16 * 3600));           // 17:00 local
  EXPECT_FALSE(w.CoversTime(kMon + 6 * 3600 + 59 * 60));  // 08:59 local
  EXPECT_TRUE(w.CoversTime(kMon + 7 * 3600));             // 09:00 local
  EXPECT_TRUE(w.CoversTime(kMon + 14 * 3600 + 59 * 60));  // 16:59 local
  EXPECT_FALSE(w.CoversTime(kMon + 15 * 3600));           // 17:00 local
  // A fixed +01:00 would be an hour off after the change.
  const auto fixed = Parse(
      R"({"days": ["mon","tue","wed","thu","fri"], "hours": "09:00-17:00", "zone": "+01:00"})");
  EXPECT_FALSE(fixed.CoversTime(kMon + 7 * 3600));
}

TEST(WhitelistWindow, NamedZoneFollowsNewYorkAcrossTheAutumnChange) {
  if (!HaveZoneinfo()) GTEST_SKIP() << "no tzdata";
  const auto w =
      Parse(R"({"days": ["mon","fri"], "hours": "09:00-17:00", "zone": "America/New_York"})");
  constexpr std::int64_t kFri = 1793318400;  // 2026-10-30, EDT (-04:00)
  constexpr std::int64_t kMon = 1793577600;  // 2026-11-02, EST (-05:00), after Sunday's change
  EXPECT_FALSE(w.CoversTime(kFri + 12 * 3600 + 59 * 60));
  EXPECT_TRUE(w.CoversTime(kFri + 13 * 3600));
  EXPECT_FALSE(w.CoversTime(kMon + 13 * 3600 + 59 * 60));
  EXPECT_TRUE(w.CoversTime(kMon + 14 * 3600));
  EXPECT_TRUE(w.CoversTime(kMon + 21 * 3600 + 59 * 60));  // 16:59 EST
  EXPECT_FALSE(w.CoversTime(kMon + 22 * 3600));           // 17:00 EST
  // The day is the zone's: Friday 23:30 in New York is Saturday in UTC.
  const auto fri_night =
      Parse(R"({"days": ["fri"], "hours": "23:00-24:00", "zone": "America/New_York"})");
  EXPECT_TRUE(
      fri_night.CoversTime(kFri + 86400 + 3 * 3600 + 30 * 60));  // Sat 03:30Z = Fri 23:30 EDT
}

TEST(WhitelistWindow, NamedZoneRoundTripsThroughJson) {
  if (!HaveZoneinfo()) GTEST_SKIP() << "no tzdata";
  const auto w = Parse(R"({"hours": "08:00-18:00", "zone": "Europe/Paris"})");
  Json out = Json::MakeObject();
  w.AddTo(&out);
  EXPECT_EQ(out.GetString("zone"), "Europe/Paris");
  auto back = ParseWhitelistWindow(out, "x");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, w);
}

TEST(WhitelistWindow, HoursToMidnight) {
  const auto w = Parse(R"({"hours": "18:00-24:00"})");
  EXPECT_TRUE(w.CoversTime(At(0, 23, 59)));
  EXPECT_FALSE(w.CoversTime(At(1, 0)));
  EXPECT_FALSE(w.CoversTime(At(0, 17)));
  EXPECT_FALSE(Parse(R"({"hours": "00:00-24:00"})").restricts());
}

}  // namespace
}  // namespace rampart
