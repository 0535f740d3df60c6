// Specification of the /proc/<pid>/maps parser.
#include "agent/collectors/proc_maps.h"

#include <gtest/gtest.h>

#include <string>

#include "common/files.h"

namespace rampart::agent {
namespace {

constexpr std::string_view kNginxMaps =
    "55d0c8a00000-55d0c8a2e000 r--p 00000000 fd:01 1312    /usr/sbin/nginx\n"
    "55d0c8a2e000-55d0c8b4f000 r-xp 0002e000 fd:01 1312    /usr/sbin/nginx\n"
    "55d0ca1e3000-55d0ca3a2000 rw-p 00000000 00:00 0       [heap]\n"
    "7f1c29e00000-7f1c29e28000 r--p 00000000 fd:01 1835023 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
    "7f1c29e28000-7f1c29f9d000 r-xp 00028000 fd:01 1835023 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
    "7f1c2a000000-7f1c2a200000 r--p 00000000 fd:01 4242    /usr/lib/locale/locale-archive\n"
    "7f1c2a300000-7f1c2a400000 rw-p 00000000 00:00 0 \n"
    "7f1c2a500000-7f1c2a560000 r-xp 00000000 fd:01 2001    "
    "/usr/lib/x86_64-linux-gnu/libssl.so.3 (deleted)\n"
    "7ffd5a1f0000-7ffd5a211000 rw-p 00000000 00:00 0       [stack]\n"
    "7ffd5a3fa000-7ffd5a3fc000 r-xp 00000000 00:00 0       [vdso]\n"
    "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]\n";

TEST(ProcMaps, ListsEachMappedFileOnceInOrderOfFirstAppearance) {
  const auto files = ParseProcMaps(kNginxMaps);
  ASSERT_EQ(files.size(), 4U);
  EXPECT_EQ(files[0].path, "/usr/sbin/nginx");
  EXPECT_EQ(files[1].path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_EQ(files[2].path, "/usr/lib/locale/locale-archive");
  EXPECT_EQ(files[3].path, "/usr/lib/x86_64-linux-gnu/libssl.so.3");
}

TEST(ProcMaps, ExecutableWhenAnyMappingOfTheFileIsExecutable) {
  const auto files = ParseProcMaps(kNginxMaps);
  ASSERT_EQ(files.size(), 4U);
  EXPECT_TRUE(files[0].executable);  // r--p then r-xp
  EXPECT_TRUE(files[1].executable);
  EXPECT_FALSE(files[2].executable);  // data only
}

TEST(ProcMaps, StripsTheDeletedMarkerAndRemembersIt) {
  const auto files = ParseProcMaps(kNginxMaps);
  ASSERT_EQ(files.size(), 4U);
  EXPECT_TRUE(files[3].deleted);
  EXPECT_FALSE(files[1].deleted);
}

TEST(ProcMaps, DeletedWhenOneOfSeveralMappingsIsOfTheReplacedFile) {
  // The old copy (deleted) and, after a dlopen, the new file at the same path.
  const auto files = ParseProcMaps(
      "7f0000000000-7f0000001000 r-xp 00000000 fd:01 10 /usr/lib/libz.so.1.2.13\n"
      "7f0000002000-7f0000003000 r-xp 00000000 fd:01 11 /usr/lib/libz.so.1.2.13 (deleted)\n");
  ASSERT_EQ(files.size(), 1U);
  EXPECT_TRUE(files[0].deleted);
}

TEST(ProcMaps, SkipsAnonymousAndKernelAreas) {
  EXPECT_FALSE(ParseProcMapsLine("55d0ca1e3000-55d0ca3a2000 rw-p 00000000 00:00 0   [heap]"));
  EXPECT_FALSE(ParseProcMapsLine("7f1c2a300000-7f1c2a400000 rw-p 00000000 00:00 0"));
  EXPECT_FALSE(ParseProcMapsLine("7f1c2a300000-7f1c2a400000 rw-p 00000000 00:00 0   "));
  EXPECT_FALSE(ParseProcMapsLine("7f1c2a300000-7f1c2a400000 rw-p 00000000 00:00 0 [anon:x]"));
}

TEST(ProcMaps, KeepsSpacesInsideAPath) {
  const auto e =
      ParseProcMapsLine("7f0000000000-7f0000001000 r-xp 00000000 fd:01 10   /opt/My App/lib a.so");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->path, "/opt/My App/lib a.so");
  EXPECT_TRUE(e->executable);
  EXPECT_FALSE(e->deleted);
}

TEST(ProcMaps, ReadsMemfdAndSharedMemoryAsPaths) {
  // Callers filter these out by directory; the parser reports what the kernel printed.
  const auto e =
      ParseProcMapsLine("7f0000000000-7f0000001000 rw-s 00000000 00:01 7 /memfd:x (deleted)");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->path, "/memfd:x");
  EXPECT_TRUE(e->deleted);
}

TEST(ProcMaps, RejectsMalformedLines) {
  EXPECT_FALSE(ParseProcMapsLine(""));
  EXPECT_FALSE(ParseProcMapsLine("/usr/lib/libc.so.6"));
  EXPECT_FALSE(ParseProcMapsLine("zz-7f r-xp 00000000 fd:01 1 /usr/lib/libc.so.6"));
  EXPECT_FALSE(ParseProcMapsLine("7f0-7f1 rwxq 00000000 fd:01 1 /usr/lib/libc.so.6"));
  EXPECT_FALSE(ParseProcMapsLine("7f0-7f1 r-xp 0000000g fd:01 1 /usr/lib/libc.so.6"));
  EXPECT_FALSE(ParseProcMapsLine("7f0-7f1 r-xp 00000000 fd01 1 /usr/lib/libc.so.6"));
  EXPECT_FALSE(ParseProcMapsLine("7f0-7f1 r-xp 00000000 fd:01 1a /usr/lib/libc.so.6"));
  EXPECT_FALSE(ParseProcMapsLine("7f0-7f1 r-xp 00000000 fd:01"));
  // A file named " (deleted)" alone is still a path, not an empty one.
  const auto e = ParseProcMapsLine("7f0-7f1 r-xp 00000000 fd:01 1 /");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->path, "/");
}

TEST(ProcMaps, SkipsGarbageAndParsesALastLineWithoutNewline) {
  const auto files = ParseProcMaps("garbage\n\n7f0-7f1 r-xp 00000000 fd:01 1 /usr/bin/x");
  ASSERT_EQ(files.size(), 1U);
  EXPECT_EQ(files[0].path, "/usr/bin/x");
}

TEST(ProcMaps, KeepsAtMostMaxFilesButStillMergesFlagsOfKeptOnes) {
  std::string text;
  for (int i = 0; i < 10; ++i) {
    text += "7f0-7f1 r--p 00000000 fd:01 1 /usr/lib/lib" + std::to_string(i) + ".so\n";
  }
  text += "7f0-7f1 r-xp 00000000 fd:01 1 /usr/lib/lib0.so\n";
  const auto files = ParseProcMaps(text, 3);
  ASSERT_EQ(files.size(), 3U);
  EXPECT_EQ(files[2].path, "/usr/lib/lib2.so");
  EXPECT_TRUE(files[0].executable);
}

TEST(ProcMaps, ParsesTheFixtureNginxMaps) {
  auto text =
      ReadLocalFile(std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/root-debian/proc/700/maps");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  const auto files = ParseProcMaps(*text);
  bool libssl = false;
  for (const auto& f : files) libssl = libssl || f.path == "/usr/lib/x86_64-linux-gnu/libssl.so.3";
  EXPECT_TRUE(libssl);
}

}  // namespace
}  // namespace rampart::agent
