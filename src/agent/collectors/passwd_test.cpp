#include "agent/collectors/passwd.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace rampart::agent {
namespace {

namespace fs = std::filesystem;

TEST(Passwd, ParsesAllSevenFields) {
  PasswdEntry e;
  ASSERT_TRUE(ParsePasswdLine("alice:x:1000:1001:Alice Admin,,,:/home/alice:/bin/bash", &e));
  EXPECT_EQ(e.name, "alice");
  EXPECT_EQ(e.password, "x");
  EXPECT_EQ(e.uid, 1000u);
  EXPECT_EQ(e.gid, 1001u);
  EXPECT_EQ(e.gecos, "Alice Admin,,,");
  EXPECT_EQ(e.home, "/home/alice");
  EXPECT_EQ(e.shell, "/bin/bash");
  ASSERT_TRUE(ParsePasswdLine("nobody:*:4294967294:4294967294:::", &e));  // empty fields allowed
  EXPECT_EQ(e.uid, 4294967294u);
  EXPECT_EQ(e.shell, "");
}

TEST(Passwd, RejectsCommentsNisAndMalformedLines) {
  PasswdEntry e;
  for (auto line :
       {"", "# root:x:0:0::/root:/bin/sh", "+::::::", "-baduser::::::", "+@netgroup::::::",
        "root:x:0:0:/root:/bin/sh", "root:x:0:0::/root:/bin/sh:extra", ":x:0:0::/:/bin/sh",
        "root:x:-1:0::/:/bin/sh", "root:x:0x1:0::/:/bin/sh", "root:x:99999999999:0::/:/bin/sh",
        "root:x: 0:0::/:/bin/sh", "root:x::0::/:/bin/sh"}) {
    EXPECT_FALSE(ParsePasswdLine(line, &e)) << line;
  }
}

TEST(Passwd, ParsePasswdKeepsFileLineNumbersAndCrLf) {
  const auto entries = ParsePasswd(
      "# header\nroot:x:0:0:root:/root:/bin/bash\r\n\ngarbage\n"
      "toor:x:0:0::/root:/bin/sh");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].line, 2u);
  EXPECT_EQ(entries[0].shell, "/bin/bash");  // '\r' dropped
  EXPECT_EQ(entries[1].name, "toor");
  EXPECT_EQ(entries[1].line, 5u);
}

TEST(Group, ParsesMembersTrimmedWithoutEmpties) {
  GroupEntry g;
  ASSERT_TRUE(ParseGroupLine("sudo:x:27:alice, bob,,carol", &g));
  EXPECT_EQ(g.name, "sudo");
  EXPECT_EQ(g.gid, 27u);
  EXPECT_EQ(g.members, (std::vector<std::string>{"alice", "bob", "carol"}));
  ASSERT_TRUE(ParseGroupLine("nogroup:x:65534:", &g));
  EXPECT_TRUE(g.members.empty());
  EXPECT_FALSE(ParseGroupLine("bad:x:27", &g));
  EXPECT_FALSE(ParseGroupLine("bad:x:abc:", &g));
  EXPECT_FALSE(ParseGroupLine("+:::", &g));
  EXPECT_EQ(ParseGroup("a:x:1:\n#c\nb:x:2:a\nbroken\n").size(), 2u);
}

TEST(Passwd, UserNamesFirstEntryWinsAndUnknownIsDecimal) {
  const UserNames names(ParsePasswd("root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\n"));
  EXPECT_EQ(names.Name(0), "root");
  EXPECT_EQ(names.Name(4242), "4242");
}

TEST(Passwd, ReadsTheFixtureRoots) {
  auto debian = HostView::Open(RAMPART_SOURCE_DIR "/tests/testdata/root-debian");
  ASSERT_TRUE(debian);
  const auto users = ReadPasswd(*debian);
  ASSERT_GE(users.size(), 10u);
  EXPECT_EQ(users.front().name, "root");
  EXPECT_EQ(users[9].name, "toor");
  EXPECT_EQ(users[9].uid, 0u);
  const auto groups = ReadGroup(*debian);
  ASSERT_GE(groups.size(), 5u);
  EXPECT_EQ(groups[4].name, "sudo");
  EXPECT_EQ(groups[4].members, (std::vector<std::string>{"alice"}));
  EXPECT_EQ(ReadPasswd(*debian, 3).size(), 3u);
}

class PasswdHugeFile : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("rampart_passwd_" + std::to_string(::getpid()));
    fs::create_directories(root_ / "etc");
  }
  void TearDown() override { fs::remove_all(root_); }
  static long MaxRssKb() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
  }
  fs::path root_;
};

// A hostile 100 MB /etc/passwd (garbage lines, one 30 MB line, then real entries) streams through
// ReadPasswd without holding the file: peak RSS grows by far less than the file size.
TEST_F(PasswdHugeFile, Streams100MegabytesInBoundedMemory) {
  {
    std::ofstream out(root_ / "etc/passwd", std::ios::binary);
    std::string garbage_line(1000, 'g');
    garbage_line.back() = '\n';
    for (int i = 0; i < 75'000; ++i) out << garbage_line;  // 75 MB of non-passwd lines
    const std::string chunk(1 << 20, 'A');
    for (int i = 0; i < 30; ++i) out << chunk;  // one 30 MB line without a newline yet
    out << ":x:0:0::/:/bin/sh\n";
    out << "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n";
  }
  ASSERT_GE(fs::file_size(root_ / "etc/passwd"), 100u << 20);
  auto host = HostView::Open(root_.string());
  ASSERT_TRUE(host);
  const long before = MaxRssKb();
  const auto users = ReadPasswd(*host);
  const long grown_kb = MaxRssKb() - before;
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].name, "root");
  EXPECT_EQ(users[0].line, 75'002u);
  EXPECT_EQ(users[1].name, "alice");
  EXPECT_LT(grown_kb, 16 * 1024) << "ReadPasswd grew peak RSS by " << grown_kb << " KiB";
}

TEST_F(PasswdHugeFile, StopsAtMaxEntries) {
  {
    std::ofstream out(root_ / "etc/passwd", std::ios::binary);
    for (int i = 0; i < 200'000; ++i)
      out << "u" << i << ":x:" << i << ":" << i << "::/home/u:/bin/sh\n";
  }
  auto host = HostView::Open(root_.string());
  ASSERT_TRUE(host);
  const auto users = ReadPasswd(*host, 1000);
  ASSERT_EQ(users.size(), 1000u);
  EXPECT_EQ(users.back().name, "u999");
}

TEST(Passwd, SurvivesBinaryGarbage) {
  std::string garbage(1 << 16, '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 7919) % 251);
  EXPECT_TRUE(ParsePasswd(garbage).empty());
  EXPECT_TRUE(ParseGroup(garbage).empty());
}

}  // namespace
}  // namespace rampart::agent
