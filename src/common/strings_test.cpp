#include "common/strings.h"

#include <gtest/gtest.h>

namespace rampart {
namespace {

TEST(Strings, SplitKeepsEmptyFields) {
  auto f = Split("a::b", ':');
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[1], "");
}

TEST(Strings, SplitWhitespaceDropsRuns) {
  auto f = SplitWhitespace("  a \t b\n");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[1], "b");
}

TEST(Strings, SplitLinesDropsCarriageReturns) {
  auto l = SplitLines("a\r\nb\n");
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0], "a");
}

TEST(Strings, ParseIntRejectsGarbage) {
  EXPECT_EQ(ParseInt<int>("42"), 42);
  EXPECT_FALSE(ParseInt<int>("42x"));
  EXPECT_FALSE(ParseInt<unsigned>("-1"));
  EXPECT_FALSE(ParseInt<int>(""));
  EXPECT_EQ(ParseInt<unsigned>("ff", 16), 255u);
}

TEST(Strings, KeyValueLinesHandleQuotesCommentsAndExport) {
  auto kv = ParseKeyValueLines(
      "# c\nNAME=\"Debian GNU/Linux\"\nexport PATH=/usr/bin # trailing\nbad line\n1X=y\nQ='a b'\n");
  EXPECT_EQ(FindValue(kv, "NAME"), "Debian GNU/Linux");
  EXPECT_EQ(FindValue(kv, "PATH"), "/usr/bin");
  EXPECT_EQ(FindValue(kv, "Q"), "a b");
  EXPECT_FALSE(FindValue(kv, "1X"));
  EXPECT_EQ(kv[1].line, 3u);
}

TEST(Strings, PrintableReplacesControlBytes) { EXPECT_EQ(Printable("a\x1b[31mb"), "a?[31mb"); }

}  // namespace
}  // namespace rampart

namespace rampart {
namespace {

TEST(ParseDurationSeconds, TakesOneUnitAndRefusesTheRest) {
  EXPECT_EQ(ParseDurationSeconds("30s"), 30);
  EXPECT_EQ(ParseDurationSeconds("15m"), 900);
  EXPECT_EQ(ParseDurationSeconds("24h"), 86400);
  EXPECT_EQ(ParseDurationSeconds("7d"), 7 * 86400);
  EXPECT_EQ(ParseDurationSeconds("3650d"), 3650 * 86400);
  for (const char* bad : {"", "s", "10", "0s", "-5m", "5w", "1.5h", "3651d", "h1", " 5m"}) {
    EXPECT_FALSE(ParseDurationSeconds(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace rampart
