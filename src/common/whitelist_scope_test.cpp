#include "common/whitelist_scope.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

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
  EXPECT_NE(Error(R"({"zone": "Europe/Paris"})").find("e.zone: expected UTC, local or an offset"),
            std::string::npos);
  EXPECT_NE(Error(R"({"zone": "+15:00"})").find("e.zone"), std::string::npos);
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
