// Resume across rotations that happened while the agent was stopped: the saved file renamed and
// compressed (gzip through zlib here; xz and zstd through their tools when installed), renamed
// twice with delaycompress, logrotate's dateext names, and corrupt archives. Every line after the
// saved offset is read exactly once, before the new file's lines.
#include "agent/monitor/rotated_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "agent/monitor/file_tailer.h"
#include "agent/transport/test_util.h"

namespace rampart::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

void Append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::app) << text;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `from` as a real gzip file `to` (zlib's gzip writer) and deletes `from`, as logrotate's
// compress does.
void Gzip(const std::string& from, const std::string& to) {
  const std::string data = ReadAll(from);
  gzFile gz = gzopen(to.c_str(), "wb9");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, data.data(), static_cast<unsigned>(data.size())),
            static_cast<int>(data.size()));
  ASSERT_EQ(gzclose(gz), Z_OK);
  ASSERT_EQ(std::remove(from.c_str()), 0);
}

bool HaveTool(const char* tool) {
  const std::string cmd = std::string("command -v ") + tool + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

// Compresses with the tool ("xz" or "zstd"), which replaces FILE by FILE.xz / FILE.zst.
void CompressWith(const char* tool, const std::string& file) {
  const std::string cmd =
      std::string(tool) + " -q --rm " + file + " 2>/dev/null || " + tool + " -q " + file;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::remove(file.c_str());
}

class RotatedLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    path_ = dir_ + "/auth.log";
  }
  static std::vector<std::string> Drain(FileTailer& t) {
    std::vector<std::string> lines;
    for (int i = 0; i < 100; ++i) {
      auto more = t.Poll([&](std::string_view l) { lines.emplace_back(l); });
      EXPECT_TRUE(more.ok()) << more.error().ToString();
      if (!more.ok() || !*more) break;
    }
    return lines;
  }
  // The agent reads "a1".."aN" and stops (returns its cursor).
  FileCursor ReadAndStop(int lines) {
    for (int i = 1; i <= lines; ++i) Append(path_, "a" + std::to_string(i) + "\n");
    FileTailer t(path_, std::nullopt, /*from_start=*/true);
    Drain(t);
    return t.cursor();
  }
  std::string dir_;
  std::string path_;
};

TEST_F(RotatedLogTest, GzipCompressedWhileStoppedIsReadFromTheSavedOffset) {
  const FileCursor saved = ReadAndStop(3);
  Append(path_, "a4\na5\n");  // written after the agent stopped
  ASSERT_EQ(std::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
  Gzip(path_ + ".1", path_ + ".1.gz");
  Append(path_, "b1\n");
  FileTailer t(path_, saved);
  EXPECT_THAT(Drain(t), ElementsAre("a4", "a5", "b1"));
  EXPECT_EQ(t.stats().backlog_lines, 2u);
  // The cursor is the new file's now: a second restart reads nothing again.
  const FileCursor after = t.cursor();
  EXPECT_EQ(after.offset, 3u);
  FileTailer again(path_, after);
  EXPECT_THAT(Drain(again), IsEmpty());
}

TEST_F(RotatedLogTest, TwoRotationsWithDelaycompressReadTheMiddleFileWhole) {
  const FileCursor saved = ReadAndStop(2);
  Append(path_, "a3\n");
  // First rotation: auth.log -> auth.log.1; second: auth.log.1 -> auth.log.2.gz, auth.log ->
  // auth.log.1.
  ASSERT_EQ(std::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
  Append(path_, "b1\nb2\n");
  Gzip(path_ + ".1", path_ + ".2.gz");
  ASSERT_EQ(std::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
  Append(path_, "c1\n");
  FileTailer t(path_, saved);
  EXPECT_THAT(Drain(t), ElementsAre("a3", "b1", "b2", "c1"));
}

TEST_F(RotatedLogTest, DateextNames) {
  const FileCursor saved = ReadAndStop(1);
  Append(path_, "a2\n");
  ASSERT_EQ(std::rename(path_.c_str(), (path_ + "-20261206").c_str()), 0);
  Gzip(path_ + "-20261206", path_ + "-20261206.gz");
  Append(path_ + "-20261130.gz", "an older, unrelated archive\n");  // not the saved file
  Append(path_, "b1\n");
  FileTailer t(path_, saved);
  EXPECT_THAT(Drain(t), ElementsAre("a2", "b1"));
}

TEST_F(RotatedLogTest, XzAndZstdCompressedFiles) {
  for (const char* tool : {"xz", "zstd"}) {
    if (!HaveTool(tool)) continue;
    SCOPED_TRACE(tool);
    SetUp();
    const FileCursor saved = ReadAndStop(2);
    Append(path_, "a3\n");
    ASSERT_EQ(std::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
    CompressWith(tool, path_ + ".1");
    Append(path_, "b1\n");
    FileTailer t(path_, saved);
    EXPECT_THAT(Drain(t), ElementsAre("a3", "b1"));
  }
  if (!HaveTool("xz") && !HaveTool("zstd")) GTEST_SKIP() << "neither xz nor zstd installed";
}

TEST_F(RotatedLogTest, AnUnrelatedCompressedFileIsNotTakenForTheSavedOne) {
  const FileCursor saved = ReadAndStop(2);
  ASSERT_EQ(std::rename(path_.c_str(), (dir_ + "/elsewhere").c_str()),
            0);  // the saved file is gone
  Append(path_ + ".1", "x1\nx2\nx3\n");
  Gzip(path_ + ".1", path_ + ".1.gz");
  Append(path_, "b1\n");
  FileTailer t(path_, saved);
  EXPECT_THAT(Drain(t), ElementsAre("b1"));
}

TEST_F(RotatedLogTest, ACompressedFileShorterThanTheOffsetIsNotIt) {
  const FileCursor saved = ReadAndStop(3);  // offset 9
  // Same first bytes (same fingerprint: the whole 9-byte file), but only 6 bytes: another file.
  std::remove(path_.c_str());
  Append(path_ + ".1", "a1\na2\n");
  Gzip(path_ + ".1", path_ + ".1.gz");
  Append(path_, "b1\n");
  FileTailer t(path_, saved);
  EXPECT_THAT(Drain(t), ElementsAre("b1"));
}

TEST_F(RotatedLogTest, ACorruptArchiveDeliversWhatItCanAndMovesOn) {
  std::string big;
  for (int i = 0; i < 20000; ++i) big += "line " + std::to_string(i) + "\n";
  Append(path_, big.substr(0, 12));  // "line 0\nline " -> the cursor after "line 0"
  FileCursor saved;
  {
    FileTailer t(path_, std::nullopt, true);
    Drain(t);
    saved = t.cursor();
  }
  Append(path_, big.substr(12));
  ASSERT_EQ(std::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
  Gzip(path_ + ".1", path_ + ".1.gz");
  // Cut the archive in half: a truncated download or a full disk during compression.
  const std::string gz = ReadAll(path_ + ".1.gz");
  std::ofstream(path_ + ".1.gz", std::ios::binary | std::ios::trunc) << gz.substr(0, gz.size() / 2);
  Append(path_, "b1\n");
  FileTailer t(path_, saved);
  const auto lines = Drain(t);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "line 1");
  EXPECT_EQ(lines.back(), "b1");
  EXPECT_LT(lines.size(), 20000u);
}

TEST_F(RotatedLogTest, StoppedAgainBeforeReadingTheBacklogKeepsTheOldCursor) {
  const FileCursor saved = ReadAndStop(1);
  Append(path_, "a2\n");
  ASSERT_EQ(std::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
  Gzip(path_ + ".1", path_ + ".1.gz");
  Append(path_, "b1\n");
  {
    FileTailer t(path_, saved);
    t.Prime();
    EXPECT_EQ(t.cursor(), saved);  // nothing read yet
  }
  FileTailer t(path_, saved);
  EXPECT_THAT(Drain(t), ElementsAre("a2", "b1"));
}

TEST_F(RotatedLogTest, RecordModeReadsWholeRecordsAfterTheOffset) {
  std::string records;
  for (char c = 'a'; c <= 'e'; ++c) records += std::string(8, c);
  const std::string path = dir_ + "/btmp";
  Append(path, records.substr(0, 16));
  FileCursor saved;
  {
    FileTailer t(path, std::nullopt, true, 8);
    Drain(t);
    saved = t.cursor();
    EXPECT_EQ(saved.offset, 16u);
  }
  Append(path, records.substr(16));
  ASSERT_EQ(std::rename(path.c_str(), (path + ".1").c_str()), 0);
  Gzip(path + ".1", path + ".1.gz");
  Append(path, std::string(8, 'z'));
  FileTailer t(path, saved, false, 8);
  EXPECT_THAT(Drain(t), ElementsAre("cccccccc", "dddddddd", "eeeeeeee", "zzzzzzzz"));
}

TEST_F(RotatedLogTest, SiblingsAreListedNewestFirstBeyondNine) {
  for (const char* name :
       {"auth.log.1", "auth.log.1.gz", "auth.log.2.gz", "auth.log.10.gz", "auth.log.11",
        "auth.log.9.xz", "auth.log-20261201.gz", "auth.log-20261130", "auth.log-2026-12-02.zst",
        "auth.log.old", "auth.log-backup", "auth.log.gz", "auth.log.1.gz.tmp", "other.log.1",
        "auth.logx.1"}) {
    Append(dir_ + "/" + name, "x\n");
  }
  std::vector<std::string> names;
  for (const auto& p : ListRotatedSiblings(path_)) names.push_back(p.substr(dir_.size() + 1));
  EXPECT_THAT(names, ElementsAre("auth.log.1", "auth.log.1.gz", "auth.log.2.gz", "auth.log.9.xz",
                                 "auth.log.10.gz", "auth.log.11", "auth.log-20261201.gz",
                                 "auth.log-20261130", "auth.log-2026-12-02.zst"));
}

TEST_F(RotatedLogTest, TheSavedFileIsFoundPastRotationNine) {
  // Stopped for two weeks of daily rotations (rotate 30): the saved file is now auth.log.14.gz and
  // 13 newer rotated files came after it; all of them are read, oldest first, then the new file.
  const FileCursor saved = ReadAndStop(2);
  Append(path_, "a3\n");
  ASSERT_EQ(std::rename(path_.c_str(), (path_ + ".14").c_str()), 0);
  Gzip(path_ + ".14", path_ + ".14.gz");
  std::vector<std::string> expected = {"a3"};
  for (int n = 13; n >= 1; --n) {
    const std::string line = "r" + std::to_string(n);
    Append(path_ + "." + std::to_string(n), line + "\n");
    if (n > 1) Gzip(path_ + "." + std::to_string(n), path_ + "." + std::to_string(n) + ".gz");
    expected.push_back(line);
  }
  Append(path_, "b1\n");
  expected.push_back("b1");
  FileTailer t(path_, saved);
  EXPECT_EQ(Drain(t), expected);
}

TEST_F(RotatedLogTest, AGzipRotatedFileWithoutAGzName) {
  const FileCursor saved = ReadAndStop(1);
  Append(path_, "a2\n");
  ASSERT_EQ(std::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
  Gzip(path_ + ".1", path_ + ".2");  // compressed in place of the name: a new inode, gzip bytes
  Append(path_, "b1\n");
  FileTailer t(path_, saved);
  EXPECT_THAT(Drain(t), ElementsAre("a2", "b1"));
}

TEST_F(RotatedLogTest, TheSearchIsCappedAtTheNewestCandidates) {
  const FileCursor saved = ReadAndStop(1);
  Append(path_, "a2\n");
  const int older = static_cast<int>(kMaxRotatedCandidates) + 1;
  ASSERT_EQ(std::rename(path_.c_str(), (path_ + "." + std::to_string(older)).c_str()), 0);
  for (int n = 1; n < older; ++n) Append(path_ + "." + std::to_string(n), "r\n");
  Append(path_, "b1\n");
  // The saved file is the 65th newest: not searched; the new file is read from its start.
  FileTailer t(path_, saved);
  EXPECT_THAT(Drain(t), ElementsAre("b1"));
  // One fewer newer file and it is found (the 64th), with the 63 newer ones read whole.
  FileCursor again = saved;
  std::remove((path_ + ".1").c_str());
  for (int n = 2; n <= older; ++n) {
    ASSERT_EQ(std::rename((path_ + "." + std::to_string(n)).c_str(),
                          (path_ + "." + std::to_string(n - 1)).c_str()),
              0);
  }
  EXPECT_EQ(FindRotatedBacklog(path_, again).size(), kMaxRotatedCandidates);
}

TEST(LogStream, GzipWithSeveralMembers) {
  const std::string dir = testing::MakeTempDir();
  const std::string path = dir + "/x.gz";
  for (const char* part : {"one\n", "two\n"}) {
    gzFile gz = gzopen((path + ".part").c_str(), "wb");
    gzwrite(gz, part, 4);
    gzclose(gz);
    Append(path, ReadAll(path + ".part"));
    std::remove((path + ".part").c_str());
  }
  std::vector<std::string> lines;
  auto n = ReadRotatedPart({path, 0}, 0, [&](std::string_view l) { lines.emplace_back(l); });
  ASSERT_TRUE(n.ok()) << n.error().ToString();
  EXPECT_THAT(lines, ElementsAre("one", "two"));
}

TEST(LogStream, NotGzipIsAnError) {
  const std::string dir = testing::MakeTempDir();
  const std::string path = dir + "/x.gz";
  Append(path, "plain text, not gzip\n");
  auto n = ReadRotatedPart({path, 0}, 0, [](std::string_view) {});
  ASSERT_FALSE(n.ok());
  EXPECT_THAT(n.error().message(), ::testing::HasSubstr(path));
}

}  // namespace
}  // namespace rampart::agent
