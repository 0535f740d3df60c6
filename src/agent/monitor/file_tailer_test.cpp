// FileTailer: appends, partial lines, every rotation kind, truncation, resume from a cursor.
#include "agent/monitor/file_tailer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "agent/transport/test_util.h"

namespace rampart::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

void Append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << text;
}

class FileTailerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    path_ = dir_ + "/auth.log";
  }
  // Polls until nothing more is pending; returns the lines delivered.
  static std::vector<std::string> Drain(FileTailer& t) {
    std::vector<std::string> lines;
    for (int i = 0; i < 100; ++i) {
      auto more = t.Poll([&](std::string_view l) { lines.emplace_back(l); });
      EXPECT_TRUE(more.ok()) << more.error().ToString();
      if (!more.ok() || !*more) break;
    }
    return lines;
  }
  std::string dir_;
  std::string path_;
};

TEST_F(FileTailerTest, StartsAtTheEndOfAnExistingFileAndFollowsAppends) {
  Append(path_, "old 1\nold 2\n");
  FileTailer t(path_, std::nullopt);
  EXPECT_THAT(Drain(t), IsEmpty());
  Append(path_, "new 1\nnew 2\n");
  EXPECT_THAT(Drain(t), ElementsAre("new 1", "new 2"));
  EXPECT_EQ(t.cursor().offset, 24u);
}

TEST_F(FileTailerTest, FromStartReadsExistingLines) {
  Append(path_, "old 1\nold 2\n");
  FileTailer t(path_, std::nullopt, /*from_start=*/true);
  EXPECT_THAT(Drain(t), ElementsAre("old 1", "old 2"));
}

TEST_F(FileTailerTest, AFileThatAppearsLaterIsReadFromItsStart) {
  FileTailer t(path_, std::nullopt);
  EXPECT_THAT(Drain(t), IsEmpty());
  EXPECT_FALSE(t.is_open());
  Append(path_, "a\nb\n");
  EXPECT_THAT(Drain(t), ElementsAre("a", "b"));
}

TEST_F(FileTailerTest, APartialLineWaitsForItsNewline) {
  FileTailer t(path_, std::nullopt);
  Drain(t);
  Append(path_, "first\nsec");
  EXPECT_THAT(Drain(t), ElementsAre("first"));
  EXPECT_EQ(t.cursor().offset, 6u);  // the cursor never points into a line
  Append(path_, "ond\n");
  EXPECT_THAT(Drain(t), ElementsAre("second"));
}

TEST_F(FileTailerTest, RenameRotationFinishesTheOldFileFirst) {
  Append(path_, "");
  FileTailer t(path_, std::nullopt);
  Drain(t);
  Append(path_, "before\n");
  EXPECT_THAT(Drain(t), ElementsAre("before"));
  // The writer appends once more to the renamed file before it reopens the path.
  ASSERT_EQ(std::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
  Append(path_ + ".1", "late line of the old file\npartial");
  Append(path_, "new file 1\n");
  EXPECT_THAT(Drain(t), ElementsAre("late line of the old file", "partial", "new file 1"));
  EXPECT_EQ(t.stats().rotations, 1u);
}

TEST_F(FileTailerTest, RotationWithCompressionOfTheOldFileLosesNothing) {
  Append(path_, "");
  FileTailer t(path_, std::nullopt);
  Drain(t);
  Append(path_, "one\n");
  Drain(t);
  Append(path_, "two\n");  // not read yet when the file is rotated and compressed
  ASSERT_EQ(std::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
  ASSERT_EQ(std::system(("gzip -f '" + path_ + ".1'").c_str()), 0);  // removes auth.log.1
  Append(path_, "three\n");
  EXPECT_THAT(Drain(t), ElementsAre("two", "three"));
}

TEST_F(FileTailerTest, CopyTruncateStartsOverAtZero) {
  Append(path_, "");
  FileTailer t(path_, std::nullopt);
  Drain(t);
  Append(path_, "line 1 of the old content\nline 2 of the old content\n");
  Drain(t);
  ASSERT_EQ(truncate(path_.c_str(), 0), 0);
  Append(path_, "x\n");  // shorter than before
  EXPECT_THAT(Drain(t), ElementsAre("x"));
  EXPECT_EQ(t.stats().truncations, 1u);
}

TEST_F(FileTailerTest, CopyTruncateThatGrewPastTheOldOffsetIsCaughtByTheFingerprint) {
  Append(path_, "");
  FileTailer t(path_, std::nullopt);
  Drain(t);
  Append(path_, "Dec  1 00:00:01 old\n");
  Drain(t);
  ASSERT_EQ(truncate(path_.c_str(), 0), 0);
  Append(path_, "Dec  2 00:00:01 new content, already longer than the old one\n");
  EXPECT_THAT(Drain(t),
              ElementsAre("Dec  2 00:00:01 new content, already longer than the old one"));
}

TEST_F(FileTailerTest, ResumesAfterTheLastLineOfTheSavedCursor) {
  Append(path_, "a\nb\n");
  FileCursor saved;
  {
    FileTailer t(path_, std::nullopt, true);
    EXPECT_THAT(Drain(t), ElementsAre("a", "b"));
    saved = t.cursor();
  }
  Append(path_, "c\n");  // written while the agent was stopped
  FileTailer t(path_, saved);
  EXPECT_THAT(Drain(t), ElementsAre("c"));
}

TEST_F(FileTailerTest, ResumeFinishesAFileRotatedWhileStopped) {
  Append(path_, "a\n");
  FileCursor saved;
  {
    FileTailer t(path_, std::nullopt, true);
    Drain(t);
    saved = t.cursor();
  }
  Append(path_, "b\n");
  ASSERT_EQ(std::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
  Append(path_, "c\n");
  FileTailer t(path_, saved);
  EXPECT_THAT(Drain(t), ElementsAre("b", "c"));
}

TEST_F(FileTailerTest, ResumeOfAReplacedFileReadsItFromTheStart) {
  Append(path_, "old content line\n");
  FileCursor saved;
  {
    FileTailer t(path_, std::nullopt, true);
    Drain(t);
    saved = t.cursor();
  }
  // Same inode, different first bytes (rewritten in place).
  ASSERT_EQ(truncate(path_.c_str(), 0), 0);
  Append(path_, "NEW content line\nmore\n");
  FileTailer t(path_, saved);
  EXPECT_THAT(Drain(t), ElementsAre("NEW content line", "more"));
}

TEST_F(FileTailerTest, ACursorOfAFileThatIsGoneReadsTheNewFileFromTheStart) {
  FileCursor saved;
  saved.path = path_;
  saved.dev = 1;
  saved.ino = 999999999;
  saved.offset = 100;
  Append(path_, "fresh\n");
  FileTailer t(path_, saved);
  EXPECT_THAT(Drain(t), ElementsAre("fresh"));
}

TEST_F(FileTailerTest, OverlongLinesAreCut) {
  Append(path_, "");
  FileTailer t(path_, std::nullopt);
  Drain(t);
  Append(path_, std::string(kMaxLineBytes + 100, 'x') + "\nnext\n");
  const auto lines = Drain(t);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].size(), kMaxLineBytes);
  EXPECT_EQ(lines[1], "next");
}

TEST_F(FileTailerTest, ADeletedFileIsReadToItsEndAndThePathRetried) {
  Append(path_, "");
  FileTailer t(path_, std::nullopt);
  Drain(t);
  Append(path_, "last words\n");
  ASSERT_EQ(unlink(path_.c_str()), 0);
  EXPECT_THAT(Drain(t), ElementsAre("last words"));
  Append(path_, "reborn\n");
  EXPECT_THAT(Drain(t), ElementsAre("reborn"));
}

}  // namespace
}  // namespace rampart::agent
