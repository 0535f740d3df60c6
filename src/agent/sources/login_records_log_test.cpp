#include "agent/sources/login_records_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "agent/sources/log_stream_test_util.h"
#include "agent/sources/utmp_test_records.h"

namespace rampart::agent {
namespace {

using testing::LastlogRecord;

std::string Utmp(std::int16_t type, std::string_view tty, std::string_view user,
                 std::string_view host, std::int32_t sec, std::int32_t usec = 0,
                 std::string_view ip = {}) {
  return testing::UtmpRecord(type, tty, user, host, sec, usec, ip);
}

std::string Lastlog(std::int32_t sec, std::string_view tty, std::string_view host) {
  return LastlogRecord(sec, tty, host);
}

class TempFile {
 public:
  TempFile(std::string_view name, const std::string& bytes) {
    char dir[] = "/tmp/rampart_lrl_XXXXXX";
    dir_ = mkdtemp(dir);
    path_ = dir_ + "/" + std::string(name);
    std::ofstream(path_, std::ios::binary) << bytes;
  }
  ~TempFile() {
    std::remove(path_.c_str());
    rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

std::vector<LoginEvent> Scan(const std::string& path, BinaryLog kind, Status* status = nullptr) {
  std::vector<LoginEvent> out;
  Status s = ScanBinaryLogFile(path, kind, [&](LoginEvent&& e) { out.push_back(std::move(e)); });
  if (status != nullptr) {
    *status = s;
  } else {
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  return out;
}

TEST(BinaryLog, DetectsKindByFileNameAndFormat) {
  EXPECT_EQ(DetectBinaryLog("/var/log/btmp"), BinaryLog::kBtmp);
  EXPECT_EQ(DetectBinaryLog("/var/log/btmp.1"), BinaryLog::kBtmp);
  EXPECT_EQ(DetectBinaryLog("wtmp"), BinaryLog::kWtmp);
  EXPECT_EQ(DetectBinaryLog("/var/log/wtmp-20261201"), BinaryLog::kWtmp);
  EXPECT_EQ(DetectBinaryLog("/var/log/lastlog"), BinaryLog::kLastlog);
  EXPECT_EQ(DetectBinaryLog("/var/log/auth.log"), BinaryLog::kNone);
  EXPECT_EQ(DetectBinaryLog("/var/wtmp/auth.log"), BinaryLog::kNone);  // the base name decides
  EXPECT_EQ(BinaryLogByName("btmp"), BinaryLog::kBtmp);
  EXPECT_EQ(BinaryLogByName("lastlog"), BinaryLog::kLastlog);
  EXPECT_EQ(BinaryLogByName("syslog"), BinaryLog::kNone);
  EXPECT_EQ(BinaryLogRecordSize(BinaryLog::kWtmp), 384u);
  EXPECT_EQ(BinaryLogRecordSize(BinaryLog::kLastlog), 292u);
}

TEST(BinaryLog, BtmpRecordsAreFailuresWithIpv4AndIpv6Sources) {
  TempFile f("btmp",
             Utmp(6, "ssh:notty", "root", "203.0.113.9", 1764310000, 250000, "203.0.113.9") +
                 Utmp(6, "ssh:notty", "admin", "2001:db8::7", 1764310001, 0, "2001:db8::7") +
                 Utmp(6, "tty1", "bob", "", 1764310002) +
                 Utmp(6, "ssh:notty", "", "198.51.100.1", 1764310003));  // no user
  const auto events = Scan(f.path(), BinaryLog::kBtmp);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].outcome, LoginOutcome::kFailure);
  EXPECT_EQ(events[0].kind, "btmp");
  EXPECT_EQ(events[0].service, "sshd");
  EXPECT_EQ(events[0].user, "root");
  EXPECT_EQ(events[0].source, "203.0.113.9");
  EXPECT_EQ(events[0].time, 1764310000);
  EXPECT_EQ(events[0].time_nsec, 250000000);
  EXPECT_EQ(events[0].line, 1u);
  EXPECT_EQ(events[0].file, f.path());
  EXPECT_EQ(events[1].source, "2001:db8::7");
  EXPECT_EQ(events[1].line, 2u);
  EXPECT_EQ(events[2].service, "login");  // a console failure: local, no source
  EXPECT_EQ(events[2].source, "");
  EXPECT_EQ(events[2].line, 3u);
}

TEST(BinaryLog, SourceFallsBackToTheHostTextAndIgnoresXDisplays) {
  TempFile f("btmp", Utmp(6, "ssh:notty", "eve", "scanner.example.net", 1764310000) +
                         Utmp(6, "tty7", "eve", ":0", 1764310001));
  const auto events = Scan(f.path(), BinaryLog::kBtmp);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].source, "scanner.example.net");
  EXPECT_EQ(events[1].source, "");
}

TEST(BinaryLog, AddressFieldWinsOverAForgedHostText) {
  // ut_host is text a resolver produced; the stored address is what connected.
  TempFile f("btmp", Utmp(6, "ssh:notty", "x", "from 10.0.0.1", 1764310000, 0, "192.0.2.50"));
  const auto events = Scan(f.path(), BinaryLog::kBtmp);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].source, "192.0.2.50");
}

TEST(BinaryLog, WtmpKeepsUserProcessLoginsOnly) {
  TempFile f("wtmp", Utmp(2, "~", "reboot", "6.1.0-18-amd64", 1764300000) +
                         Utmp(1, "~", "runlevel", "6.1.0-18-amd64", 1764300001) +
                         Utmp(6, "tty1", "LOGIN", "", 1764300002) +
                         Utmp(7, "pts/0", "alice", "198.51.100.7", 1764310000, 0, "198.51.100.7") +
                         Utmp(8, "pts/0", "", "", 1764313600) +  // logout
                         Utmp(7, "tty1", "root", "", 1764320000));
  const auto events = Scan(f.path(), BinaryLog::kWtmp);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].outcome, LoginOutcome::kSuccess);
  EXPECT_EQ(events[0].kind, "wtmp");
  EXPECT_EQ(events[0].user, "alice");
  EXPECT_EQ(events[0].source, "198.51.100.7");
  EXPECT_EQ(events[0].line, 4u);  // the record index, counting the skipped ones
  EXPECT_EQ(events[1].user, "root");
  EXPECT_EQ(events[1].source, "");
  EXPECT_EQ(events[1].line, 6u);
}

TEST(BinaryLog, LastlogEntriesAreIndexedByUid) {
  std::string data = Lastlog(1764300000, "pts/3", "198.51.100.20");  // uid 0
  data += Lastlog(0, "", "");                                        // uid 1: never
  data += Lastlog(1764300500, "tty1", "");                           // uid 2
  TempFile f("lastlog", data);
  const auto events = Scan(f.path(), BinaryLog::kLastlog);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, "lastlog");
  EXPECT_EQ(events[0].user, "root");  // uid 0 is root everywhere
  EXPECT_EQ(events[0].source, "198.51.100.20");
  EXPECT_EQ(events[0].line, 1u);
  EXPECT_EQ(events[0].outcome, LoginOutcome::kSuccess);
  EXPECT_EQ(events[1].line, 3u);
  EXPECT_EQ(events[1].source, "");
}

TEST(BinaryLog, ManyRecordsAcrossReadBlocks) {
  std::string data;
  const int n = 7000;  // more than one 1 MB read block
  for (int i = 0; i < n; ++i) {
    data += Utmp(6, "ssh:notty", "u" + std::to_string(i), "", 1764310000 + i, 0, "192.0.2.1");
  }
  TempFile f("btmp", data);
  const auto events = Scan(f.path(), BinaryLog::kBtmp);
  ASSERT_EQ(events.size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(events[static_cast<std::size_t>(i)].line, static_cast<std::uint64_t>(i + 1));
    ASSERT_EQ(events[static_cast<std::size_t>(i)].user, "u" + std::to_string(i));
  }
}

TEST(BinaryLog, RejectsFilesThatAreNotUtmp) {
  {
    TempFile f("btmp", "Nov 29 02:51:27 host sshd[1]: Failed password for root from 1.2.3.4\n");
    Status s;
    Scan(f.path(), BinaryLog::kBtmp, &s);
    EXPECT_EQ(s.code(), Code::kInvalidArgument);
    EXPECT_NE(s.message().find(f.path()), std::string::npos);
    EXPECT_NE(s.message().find("384-byte records"), std::string::npos) << s.message();
  }
  {
    // The right size, but text where the type should be.
    TempFile f("wtmp", std::string(kUtmpRecordSize * 2, 'A'));
    Status s;
    Scan(f.path(), BinaryLog::kWtmp, &s);
    EXPECT_EQ(s.code(), Code::kInvalidArgument);
    EXPECT_NE(s.message().find("record 1: type"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("not a wtmp file"), std::string::npos) << s.message();
  }
  {
    std::string bad = Utmp(7, "pts/0", "a", "", 1764310000) + Utmp(7, "pts/1", "b", "", 1, 5000000);
    TempFile f("wtmp", bad);
    Status s;
    Scan(f.path(), BinaryLog::kWtmp, &s);
    EXPECT_NE(s.message().find("record 2: microseconds"), std::string::npos) << s.message();
  }
  {
    TempFile f("lastlog", std::string(100, '\0'));
    Status s;
    Scan(f.path(), BinaryLog::kLastlog, &s);
    EXPECT_NE(s.message().find("292-byte records"), std::string::npos) << s.message();
  }
  {
    Status s;
    Scan("/nonexistent/btmp", BinaryLog::kBtmp, &s);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("/nonexistent/btmp"), std::string::npos);
  }
}

TEST(BinaryLog, EmptyFileHasNoEvents) {
  TempFile f("btmp", "");
  EXPECT_TRUE(Scan(f.path(), BinaryLog::kBtmp).empty());
}

TEST(BinaryLog, GzipRotatedBtmpAndWtmpAreDecompressed) {
  std::string btmp;
  for (int i = 0; i < 3000; ++i) {  // more than one read block once decompressed
    btmp += Utmp(6, "ssh:notty", "u" + std::to_string(i), "", 1764310000 + i, 0, "192.0.2.7");
  }
  TempFile f("btmp.1.gz", testing::GzipBytes(btmp));
  const auto events = Scan(f.path(), BinaryLog::kBtmp);
  ASSERT_EQ(events.size(), 3000u);
  EXPECT_EQ(events[0].user, "u0");
  EXPECT_EQ(events[2999].line, 3000u);
  EXPECT_EQ(events[2999].source, "192.0.2.7");
  EXPECT_EQ(events[0].file.str(), f.path());

  TempFile w("wtmp.1.gz",
             testing::GzipBytes(Utmp(7, "pts/0", "alice", "", 1764310000, 0, "198.51.100.4")));
  const auto logins = Scan(w.path(), BinaryLog::kWtmp);
  ASSERT_EQ(logins.size(), 1u);
  EXPECT_EQ(logins[0].outcome, LoginOutcome::kSuccess);
  EXPECT_EQ(logins[0].user, "alice");
}

TEST(BinaryLog, CompressedRecordErrorsComeWithTheFileAndWhatWasExpected) {
  const std::string recs =
      Utmp(6, "ssh:notty", "a", "", 1764310000) + Utmp(6, "ssh:notty", "b", "", 1764310001);
  {
    // Not a whole number of records once decompressed: the whole records are delivered, then the
    // error.
    std::string many;
    for (int i = 0; i < 3000; ++i) many += recs;  // beyond the first read block
    TempFile f("btmp.1.gz", testing::GzipBytes(many + "xyz"));
    Status s;
    const auto events = Scan(f.path(), BinaryLog::kBtmp, &s);
    EXPECT_EQ(events.size(), 6000u);
    EXPECT_EQ(s.code(), Code::kInvalidArgument);
    EXPECT_NE(s.message().find(f.path() + ": not a btmp file: its decompressed size (" +
                               std::to_string(many.size() + 3) + " bytes)"),
              std::string::npos)
        << s.message();
  }
  {
    // All of it in the first read block: its size is known before any event.
    TempFile f("btmp.1.gz", testing::GzipBytes(recs + "xyz"));
    Status s;
    EXPECT_TRUE(Scan(f.path(), BinaryLog::kBtmp, &s).empty());
    EXPECT_NE(s.message().find(f.path() + ": not a btmp file: its size (771 bytes)"),
              std::string::npos)
        << s.message();
  }
  {
    const std::string gz = testing::GzipBytes(recs);
    TempFile f("btmp.2.gz", gz.substr(0, gz.size() - 4));  // the trailer cut
    Status s;
    Scan(f.path(), BinaryLog::kBtmp, &s);
    EXPECT_EQ(s.code(), Code::kDataLoss);
    EXPECT_NE(s.message().find(f.path() + ": truncated gzip archive: it ends at byte " +
                               std::to_string(gz.size() - 4)),
              std::string::npos)
        << s.message();
  }
  {
    // A text log compressed under a btmp name: the record check still applies.
    TempFile f("btmp.1.gz", testing::GzipBytes(std::string(kUtmpRecordSize, 'A')));
    Status s;
    Scan(f.path(), BinaryLog::kBtmp, &s);
    EXPECT_NE(s.message().find("record 1: type"), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace rampart::agent
