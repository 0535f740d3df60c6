#include "agent/collectors/login_records.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>

namespace rampart::agent {
namespace {

// Builds a struct utmp record byte by byte (layout documented in login_records.h).
std::string Utmp(std::int16_t type, std::int32_t pid, std::string_view line, std::string_view user,
                 std::string_view host, std::int32_t sec, std::string_view ip = {}) {
  std::string r(kUtmpRecordSize, '\0');
  std::memcpy(r.data(), &type, 2);
  std::memcpy(r.data() + 4, &pid, 4);
  std::memcpy(r.data() + 8, line.data(), std::min<std::size_t>(line.size(), 32));
  std::memcpy(r.data() + 44, user.data(), std::min<std::size_t>(user.size(), 32));
  std::memcpy(r.data() + 76, host.data(), std::min<std::size_t>(host.size(), 256));
  std::memcpy(r.data() + 340, &sec, 4);
  if (!ip.empty()) {
    const std::string ip_s(ip);
    if (ip.find(':') != std::string_view::npos) {
      ::inet_pton(AF_INET6, ip_s.c_str(), r.data() + 348);
    } else {
      ::inet_pton(AF_INET, ip_s.c_str(), r.data() + 348);
    }
  }
  return r;
}

std::string Lastlog(std::int32_t sec, std::string_view line, std::string_view host) {
  std::string r(kLastlogRecordSize, '\0');
  std::memcpy(r.data(), &sec, 4);
  std::memcpy(r.data() + 4, line.data(), line.size());
  std::memcpy(r.data() + 36, host.data(), host.size());
  return r;
}

TEST(Utmp, ParsesEveryFieldOfUserProcessRecords) {
  const auto recs =
      ParseUtmp(Utmp(7, 2201, "pts/0", "alice", "198.51.100.7", 1764310000, "198.51.100.7") +
                Utmp(7, 2388, "pts/1", "bob", "2001:db8::5", 1764320000, "2001:db8::5") +
                Utmp(2, 0, "~", "reboot", "6.1.0", 1764300000));
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].type, UtmpType::kUserProcess);
  EXPECT_EQ(recs[0].pid, 2201);
  EXPECT_EQ(recs[0].line, "pts/0");
  EXPECT_EQ(recs[0].user, "alice");
  EXPECT_EQ(recs[0].host, "198.51.100.7");
  EXPECT_EQ(recs[0].ip, "198.51.100.7");
  EXPECT_EQ(recs[0].time, 1764310000);
  EXPECT_EQ(recs[1].ip, "2001:db8::5");
  EXPECT_EQ(recs[2].type, UtmpType::kBootTime);
  EXPECT_EQ(recs[2].user, "reboot");
  EXPECT_EQ(recs[2].ip, "");
}

TEST(Utmp, IgnoresATruncatedTrailingRecord) {
  const std::string one = Utmp(7, 1, "tty1", "root", "", 100);
  EXPECT_EQ(ParseUtmp(one + one.substr(0, 383)).size(), 1u);
  EXPECT_TRUE(ParseUtmp(one.substr(0, 1)).empty());
  EXPECT_TRUE(ParseUtmp("").empty());
}

TEST(Utmp, SkipsRecordsWithAnUnknownType) {
  EXPECT_TRUE(ParseUtmp(Utmp(42, 1, "x", "y", "z", 1) + Utmp(-3, 1, "x", "y", "z", 1)).empty());
}

TEST(Utmp, FullWidthFieldsWithoutNulStayInBounds) {
  std::string r = Utmp(7, 1, std::string(32, 'L'), std::string(32, 'U'), std::string(256, 'H'), 5);
  const auto recs = ParseUtmp(r);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].line, std::string(32, 'L'));
  EXPECT_EQ(recs[0].user, std::string(32, 'U'));
  EXPECT_EQ(recs[0].host, std::string(256, 'H'));
}

TEST(Utmp, SurvivesGarbage) {
  std::string garbage(kUtmpRecordSize * 50 + 17, '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i)
    garbage[i] = static_cast<char>((i * 131 + 7) % 256);
  const auto recs = ParseUtmp(garbage);
  EXPECT_LE(recs.size(), 50u);
  for (const auto& r : recs) EXPECT_LE(r.user.size(), 32u);
}

TEST(Lastlog, IndexesByUidAndSkipsNeverLoggedIn) {
  const auto entries =
      ParseLastlog(Lastlog(1764335000, "pts/3", "192.0.2.10") + Lastlog(0, "", "") +
                   Lastlog(1764000000, "tty1", "") + Lastlog(7, "x", "y").substr(0, 100));
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].uid, 0u);
  EXPECT_EQ(entries[0].time, 1764335000);
  EXPECT_EQ(entries[0].line, "pts/3");
  EXPECT_EQ(entries[0].host, "192.0.2.10");
  EXPECT_EQ(entries[1].uid, 2u);
  EXPECT_EQ(entries[1].host, "");
}

TEST(LoginRecords, LastLoginReadsTheFixtureWtmp) {
  auto host = HostView::Open(RAMPART_SOURCE_DIR "/tests/testdata/root-debian");
  ASSERT_TRUE(host);
  const auto last = LastLogin(*host);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->user, "toor");
  EXPECT_EQ(last->ip, "203.0.113.66");
  EXPECT_EQ(last->time, 1764340000);
  // Only the last record fits in the tail window: still the same answer.
  const auto tail = LastLogin(*host, kUtmpRecordSize + 100);
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail->user, "toor");
}

TEST(LoginRecords, NoWtmpMeansNoLastLogin) {
  auto host = HostView::Open(RAMPART_SOURCE_DIR "/tests/testdata/root-debian/etc");
  ASSERT_TRUE(host);
  EXPECT_FALSE(LastLogin(*host));
}

}  // namespace
}  // namespace rampart::agent
