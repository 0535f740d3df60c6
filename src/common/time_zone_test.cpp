// TimeZone: offsets across DST changes from the system tz database, checked against glibc's
// localtime_r (TZ set in this single-threaded test), the POSIX footer rule alone (slim TZif files,
// times after 2037), and errors for bad names and bad files.
#include "common/time_zone.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

namespace rampart {
namespace {

using ::testing::HasSubstr;

bool HaveZoneinfo() {
  return std::ifstream("/usr/share/zoneinfo/Europe/Paris").good() &&
         std::ifstream("/usr/share/zoneinfo/America/New_York").good();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A TZif v2 file without transitions: only the footer rule decides (as in "slim" files).
std::string FooterOnlyTzif(const std::string& footer, std::int32_t std_offset) {
  auto be32 = [](std::uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  auto header = [&] {
    std::string h = "TZif2" + std::string(15, '\0');
    h += be32(0) + be32(0) + be32(0) + be32(0) + be32(1) + be32(4);  // one type, "XXX\0"
    return h;
  };
  const std::string type = be32(static_cast<std::uint32_t>(std_offset)) + std::string("\0\0", 2);
  const std::string block = type + std::string("XXX\0", 4);
  return header() + block + header() + block + "\n" + footer + "\n";
}

TEST(TimeZone, EuropeParisAcrossBothDstChangesOf2026) {
  if (!HaveZoneinfo()) GTEST_SKIP() << "no tzdata";
  auto paris = TimeZone::Load("Europe/Paris");
  ASSERT_TRUE(paris.ok()) << paris.error().ToString();
  const TimeZone& z = **paris;
  // 2026-03-29 02:00 CET -> 03:00 CEST at 01:00 UTC; 2026-10-25 03:00 CEST -> 02:00 CET.
  EXPECT_EQ(z.UtcOffset(1774746000 - 1), 3600);
  EXPECT_EQ(z.UtcOffset(1774746000), 7200);
  EXPECT_EQ(z.UtcOffset(1792890000 - 1), 7200);
  EXPECT_EQ(z.UtcOffset(1792890000), 3600);
}

TEST(TimeZone, AmericaNewYorkAcrossBothDstChangesOf2026) {
  if (!HaveZoneinfo()) GTEST_SKIP() << "no tzdata";
  auto ny = TimeZone::Load("America/New_York");
  ASSERT_TRUE(ny.ok()) << ny.error().ToString();
  // 2026-03-08 02:00 EST -> EDT at 07:00 UTC; 2026-11-01 02:00 EDT -> EST at 06:00 UTC.
  EXPECT_EQ((*ny)->UtcOffset(1772953200 - 1), -5 * 3600);
  EXPECT_EQ((*ny)->UtcOffset(1772953200), -4 * 3600);
  EXPECT_EQ((*ny)->UtcOffset(1793512800 - 1), -4 * 3600);
  EXPECT_EQ((*ny)->UtcOffset(1793512800), -5 * 3600);
}

TEST(TimeZone, AgreesWithGlibcFrom1970To2100) {
  if (!HaveZoneinfo()) GTEST_SKIP() << "no tzdata";
  const char* old = std::getenv("TZ");
  const std::string saved = old != nullptr ? old : "";
  for (const char* name : {"Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
                           "America/Sao_Paulo", "Australia/Lord_Howe", "Asia/Tehran", "UTC",
                           "Etc/GMT+5", "Pacific/Chatham", "Africa/Casablanca"}) {
    auto z = TimeZone::Load(name);
    if (!z.ok() && z.error().code() == Code::kNotFound) continue;
    ASSERT_TRUE(z.ok()) << z.error().ToString();
    setenv("TZ", name, 1);
    tzset();
    // Every ~5.3 days over 130 years, so every DST change's week is sampled, and beyond 2037
    // (where the footer rule takes over).
    for (std::int64_t t = 0; t < 4102444800; t += 457321) {
      const auto tt = static_cast<std::time_t>(t);
      std::tm tm{};
      ASSERT_NE(localtime_r(&tt, &tm), nullptr);
      ASSERT_EQ((*z)->UtcOffset(t), tm.tm_gmtoff) << name << " at " << t;
    }
  }
  if (old != nullptr) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST(TimeZone, FooterRuleAloneNorthAndSouth) {
  auto cet = TimeZone::Parse(FooterOnlyTzif("CET-1CEST,M3.5.0,M10.5.0/3", 3600), "slim/Paris");
  ASSERT_TRUE(cet.ok()) << cet.error().ToString();
  EXPECT_EQ(cet->UtcOffset(1774746000 - 1), 3600);
  EXPECT_EQ(cet->UtcOffset(1774746000), 7200);
  EXPECT_EQ(cet->UtcOffset(1792890000 - 1), 7200);
  EXPECT_EQ(cet->UtcOffset(1792890000), 3600);
  // Sydney: DST from the first Sunday of October 02:00 to the first Sunday of April 03:00 (local).
  auto syd = TimeZone::Parse(FooterOnlyTzif("AEST-10AEDT,M10.1.0,M4.1.0/3", 36000), "slim/Sydney");
  ASSERT_TRUE(syd.ok()) << syd.error().ToString();
  EXPECT_EQ(syd->UtcOffset(1767225600), 39600);  // 2026-01-01: summer
  EXPECT_EQ(syd->UtcOffset(1782864000), 36000);  // 2026-07-01: winter
  // "<+0330>-3:30": a quoted name and minutes; no DST.
  auto teh = TimeZone::Parse(FooterOnlyTzif("<+0330>-3:30", 12600), "slim/Tehran");
  ASSERT_TRUE(teh.ok()) << teh.error().ToString();
  EXPECT_EQ(teh->UtcOffset(1782864000), 12600);
  // DST without a rule: the US rule.
  auto us = TimeZone::Parse(FooterOnlyTzif("EST5EDT", -18000), "slim/US");
  ASSERT_TRUE(us.ok()) << us.error().ToString();
  EXPECT_EQ(us->UtcOffset(1772953200), -4 * 3600);
}

TEST(TimeZone, BadNamesAndUnknownZones) {
  EXPECT_TRUE(IsTimeZoneName("Europe/Paris"));
  EXPECT_TRUE(IsTimeZoneName("Etc/GMT+5"));
  EXPECT_TRUE(IsTimeZoneName("America/Argentina/Buenos_Aires"));
  for (const char* bad : {"", "/etc/passwd", "../etc/passwd", "Europe/../../etc/passwd",
                          "Europe//Paris", "Europe/Paris/", "Europe/Par is", "-x", ".hidden"}) {
    EXPECT_FALSE(IsTimeZoneName(bad)) << bad;
  }
  auto traversal = TimeZone::Load("../../etc/passwd");
  ASSERT_FALSE(traversal.ok());
  EXPECT_EQ(traversal.error().code(), Code::kInvalidArgument);
  EXPECT_THAT(traversal.error().message(), HasSubstr("expected a tz database name"));
  if (!HaveZoneinfo()) return;
  auto mars = TimeZone::Load("Mars/Olympus_Mons");
  ASSERT_FALSE(mars.ok());
  EXPECT_EQ(mars.error().code(), Code::kNotFound);
  EXPECT_THAT(mars.error().message(), HasSubstr("\"Mars/Olympus_Mons\" is not in the tz database"));
  auto a = TimeZone::Load("Europe/Paris");
  auto b = TimeZone::Load("Europe/Paris");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->get(), b->get());  // cached
}

TEST(TimeZone, BadFilesSayWhatIsWrong) {
  auto junk = TimeZone::Parse("not a zone file at all, long enough for a header......", "x");
  ASSERT_FALSE(junk.ok());
  EXPECT_THAT(junk.error().message(),
              HasSubstr("x: not a TZif time zone file: expected the magic"));
  auto footer = TimeZone::Parse(FooterOnlyTzif("CET-1CEST,M13.5.0,M10.5.0", 3600), "y");
  ASSERT_FALSE(footer.ok());
  EXPECT_THAT(footer.error().message(), HasSubstr("is not a POSIX TZ string"));
  if (!HaveZoneinfo()) return;
  const std::string paris = ReadFile("/usr/share/zoneinfo/Europe/Paris");
  auto cut = TimeZone::Parse(paris.substr(0, paris.size() / 2), "Europe/Paris");
  ASSERT_FALSE(cut.ok());
  EXPECT_THAT(cut.error().message(), HasSubstr("Europe/Paris: not a TZif time zone file: "));
}

}  // namespace
}  // namespace rampart
