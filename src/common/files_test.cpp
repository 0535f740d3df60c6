#include "common/files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

namespace rampart {
namespace {

TEST(Files, WriteFileAtomicReplacesContentWithMode) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("rampart_files_" + std::to_string(::getpid()));
  ASSERT_TRUE(MakeDirs((dir / "a/b").string()).ok());
  const std::string p = (dir / "a/b/state").string();
  ASSERT_TRUE(WriteFileAtomic(p, "one").ok());
  ASSERT_TRUE(WriteFileAtomic(p, "two", 0600).ok());
  auto got = ReadLocalFile(p);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, "two");
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::filesystem::remove_all(dir);
}

TEST(Files, MakeDirsRefusesAFile) {
  const auto f =
      std::filesystem::temp_directory_path() / ("rampart_file_" + std::to_string(::getpid()));
  ASSERT_TRUE(WriteFileAtomic(f.string(), "x").ok());
  EXPECT_EQ(MakeDirs(f.string()).code(), Code::kFailedPrecondition);
  std::filesystem::remove(f);
}

}  // namespace
}  // namespace rampart
