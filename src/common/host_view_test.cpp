#include "common/host_view.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace rampart {
namespace {

namespace fs = std::filesystem;

class HostViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("rampart_hv_" + std::to_string(::getpid()));
    fs::create_directories(root_ / "etc/sub");
    std::ofstream(root_ / "etc/passwd")
        << "root:x:0:0:root:/root:/bin/bash\nuser:x:1000:1000::/home/u:/bin/sh";
    std::ofstream(root_ / "etc/sub/b.conf") << "b";
    std::ofstream(root_ / "etc/sub/a.conf") << "a";
    std::ofstream(root_ / "etc/sub/.hidden.conf") << "h";
    // An absolute symlink must resolve inside the root, not on this machine.
    fs::create_symlink("/etc/passwd", root_ / "etc/link");
    fs::create_symlink("/etc/shadow", root_ / "etc/escape");
    ::mkfifo((root_ / "etc/fifo").c_str(), 0600);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(HostViewTest, ReadsFilesUnderTheRoot) {
  auto hv = HostView::Open(root_.string());
  ASSERT_TRUE(hv);
  EXPECT_FALSE(hv->is_live());
  auto text = hv->ReadFile("/etc/passwd");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->substr(0, 4), "root");
  EXPECT_EQ(hv->RealPath("/etc/passwd"), root_.string() + "/etc/passwd");
}

TEST_F(HostViewTest, AbsoluteSymlinksResolveInsideTheRoot) {
  auto hv = HostView::Open(root_.string());
  ASSERT_TRUE(hv);
  auto via_link = hv->ReadFile("/etc/link");
  ASSERT_TRUE(via_link) << via_link.error().ToString();
  EXPECT_EQ(via_link->substr(0, 4), "root");
  // /etc/shadow does not exist in the fixture; the host's must not be read.
  auto escape = hv->ReadFile("/etc/escape");
  ASSERT_FALSE(escape);
  EXPECT_EQ(escape.error().code(), Code::kNotFound);
  auto dotdot = hv->ReadFile("/../../../../etc/hostname");
  EXPECT_FALSE(dotdot);
  auto target = hv->ReadLink("/etc/link");
  ASSERT_TRUE(target);
  EXPECT_EQ(*target, "/etc/passwd");
  auto lst = hv->Lstat("/etc/link");
  ASSERT_TRUE(lst);
  EXPECT_TRUE(lst->is_symlink());
}

TEST_F(HostViewTest, RefusesFifosAndEnforcesSizeLimit) {
  auto hv = HostView::Open(root_.string());
  ASSERT_TRUE(hv);
  auto fifo = hv->ReadFile("/etc/fifo");
  ASSERT_FALSE(fifo);
  EXPECT_EQ(fifo.error().code(), Code::kInvalidArgument);
  auto big = hv->ReadFile("/etc/passwd", 10);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code(), Code::kResourceExhausted);
}

TEST_F(HostViewTest, ForEachLineStreamsAndCutsLongLines) {
  auto hv = HostView::Open(root_.string());
  ASSERT_TRUE(hv);
  std::vector<std::string> lines;
  ASSERT_TRUE(hv->ForEachLine(
                    "/etc/passwd",
                    [&](std::string_view l) {
                      lines.emplace_back(l);
                      return true;
                    },
                    8)
                  .ok());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "root:x:0");
  EXPECT_EQ(lines[1], "user:x:1");
}

TEST_F(HostViewTest, ListDirAndGlob) {
  auto hv = HostView::Open(root_.string());
  ASSERT_TRUE(hv);
  auto names = hv->ListDir("/etc/sub");
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, (std::vector<std::string>{".hidden.conf", "a.conf", "b.conf"}));
  EXPECT_EQ(hv->Glob("/etc/sub/*.conf"),
            (std::vector<std::string>{"/etc/sub/a.conf", "/etc/sub/b.conf"}));
  EXPECT_EQ(hv->Glob("/e*/s?b/.h*"), (std::vector<std::string>{"/etc/sub/.hidden.conf"}));
  EXPECT_TRUE(hv->Glob("/nope/*").empty());
}

TEST(HostView, LiveRootReadsThisMachine) {
  HostView hv;
  EXPECT_TRUE(hv.is_live());
  auto st = hv.Stat("/proc/self/stat");
  ASSERT_TRUE(st);
  auto text = hv.ReadFile("/proc/self/stat");
  ASSERT_TRUE(text);
  EXPECT_FALSE(text->empty());
  EXPECT_EQ(HostView::Open("/nonexistent-root-dir").error().code(), Code::kNotFound);
}

}  // namespace
}  // namespace rampart
