// Needs root: restores ownership of another user and checks files owned by it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agent/scan/vault.h"
#include "common/files.h"
#include "common/hash.h"

namespace rampart::agent::scan {
namespace {

class VaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    char tmpl[] = "/tmp/rampart-vault-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    auto v = Vault::Open(dir_ + "/vault");
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    vault_.emplace(std::move(*v));
    std::filesystem::create_directories(dir_ + "/www");
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::string MakeFile(const std::string& name, const std::string& bytes) {
    const std::string p = dir_ + "/www/" + name;
    std::ofstream(p, std::ios::binary) << bytes;
    EXPECT_EQ(::chown(p.c_str(), 33, 34), 0);
    EXPECT_EQ(::chmod(p.c_str(), 04751), 0);
    const timespec times[2] = {{1'600'000'000, 123}, {1'500'000'000, 456789}};
    EXPECT_EQ(::utimensat(AT_FDCWD, p.c_str(), times, 0), 0);
    return p;
  }
  std::string dir_;
  std::optional<Vault> vault_;
};

TEST_F(VaultTest, RoundTripRestoresBytesOwnerModeAndTimes) {
  std::string bytes = "<?php @eval($_POST['x']);?>";
  bytes += std::string("\0\x01\xff binary tail", 15);
  const std::string path = MakeFile("shell.php", bytes);
  auto item =
      vault_->Quarantine(path, {"php_webshell_china_chopper"}, "critical", "webshell", false);
  ASSERT_TRUE(item.ok()) << item.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(item->sha256, Sha256Hex(bytes));
  // The vault holds ciphertext only, readable by root alone.
  auto blob = ReadLocalFile(dir_ + "/vault/" + item->id + ".bin");
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(blob->find("eval"), std::string::npos);
  struct stat vs {};
  ASSERT_EQ(::stat((dir_ + "/vault").c_str(), &vs), 0);
  EXPECT_EQ(vs.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((dir_ + "/vault/vault.key").c_str(), &vs), 0);
  EXPECT_EQ(vs.st_mode & 0777, 0600u);

  auto list = vault_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].original_path, path);
  EXPECT_EQ((*list)[0].rules, std::vector<std::string>{"php_webshell_china_chopper"});

  ASSERT_TRUE(vault_->Restore(item->id, false).ok());
  auto back = ReadLocalFile(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, bytes);
  struct stat st {};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 33u);
  EXPECT_EQ(st.st_gid, 34u);
  EXPECT_EQ(st.st_mode & 07777, 04751u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1'500'000'000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 456789);
  EXPECT_TRUE(vault_->List()->empty());
  EXPECT_EQ(vault_->Restore(item->id, false).code(), Code::kNotFound);
}

TEST_F(VaultTest, RestoreRefusesAnExistingTargetUnlessForced) {
  const std::string path = MakeFile("a.php", "evil");
  auto item = vault_->Quarantine(path, {"r"}, "high", "", false);
  ASSERT_TRUE(item.ok());
  std::ofstream(path) << "new content";
  EXPECT_EQ(vault_->Restore(item->id, false).code(), Code::kAlreadyExists);
  EXPECT_EQ(*ReadLocalFile(path), "new content");
  ASSERT_TRUE(vault_->Restore(item->id, true).ok());
  EXPECT_EQ(*ReadLocalFile(path), "evil");
}

TEST_F(VaultTest, RestoreNeverFollowsAPlantedSymlink) {
  const std::string path = MakeFile("b.php", "evil");
  auto item = vault_->Quarantine(path, {"r"}, "high", "", false);
  ASSERT_TRUE(item.ok());
  const std::string victim = dir_ + "/victim";
  std::ofstream(victim) << "precious";
  // A symlink at the file name: refused, and with --force the link itself is replaced.
  ASSERT_EQ(::symlink(victim.c_str(), path.c_str()), 0);
  Status s = vault_->Restore(item->id, false);
  EXPECT_EQ(s.code(), Code::kAlreadyExists) << s.ToString();
  EXPECT_EQ(*ReadLocalFile(victim), "precious");

  // A symlink in a directory component: refused even with --force.
  ASSERT_EQ(::unlink(path.c_str()), 0);
  std::filesystem::rename(dir_ + "/www", dir_ + "/www-real");
  std::filesystem::create_directories(dir_ + "/elsewhere");
  ASSERT_EQ(::symlink((dir_ + "/elsewhere").c_str(), (dir_ + "/www").c_str()), 0);
  s = vault_->Restore(item->id, true);
  EXPECT_EQ(s.code(), Code::kPermissionDenied) << s.ToString();
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/elsewhere/b.php"));

  // With the real directory back, --force restores over a planted symlink without following it.
  ASSERT_EQ(::unlink((dir_ + "/www").c_str()), 0);
  std::filesystem::rename(dir_ + "/www-real", dir_ + "/www");
  ASSERT_EQ(::symlink(victim.c_str(), path.c_str()), 0);
  ASSERT_TRUE(vault_->Restore(item->id, true).ok());
  EXPECT_EQ(*ReadLocalFile(victim), "precious");
  struct stat st {};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(VaultTest, QuarantineRefusesSymlinksAndDeleteRemoves) {
  const std::string target = MakeFile("c.php", "x");
  ASSERT_EQ(::symlink(target.c_str(), (dir_ + "/www/link.php").c_str()), 0);
  EXPECT_FALSE(vault_->Quarantine(dir_ + "/www/link.php", {}, "", "", false).ok());
  EXPECT_TRUE(std::filesystem::exists(target));
  auto item = vault_->Quarantine(target, {}, "", "", false);
  ASSERT_TRUE(item.ok());
  ASSERT_TRUE(vault_->Delete(item->id).ok());
  EXPECT_EQ(vault_->Delete(item->id).code(), Code::kNotFound);
  EXPECT_EQ(vault_->Delete("../etc").code(), Code::kInvalidArgument);
}

TEST_F(VaultTest, TamperedBlobIsNotRestored) {
  const std::string path = MakeFile("d.php", "payload bytes");
  auto item = vault_->Quarantine(path, {}, "", "", false);
  ASSERT_TRUE(item.ok());
  const std::string bin = dir_ + "/vault/" + item->id + ".bin";
  std::string blob = *ReadLocalFile(bin);
  blob[blob.size() - 20] ^= 1;
  ASSERT_TRUE(WriteFileAtomic(bin, blob).ok());
  EXPECT_EQ(vault_->Restore(item->id, false).code(), Code::kDataLoss);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(VaultTest, KillsProcessesThatRunTheFile) {
  const std::string path = dir_ + "/www/sleeper";
  std::filesystem::copy_file("/bin/sleep", path);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execl(path.c_str(), "sleeper", "30", nullptr);
    ::_exit(127);
  }
  for (int i = 0; i < 100 && ProcessesUsingFile(0, 0).empty(); ++i) {
    struct stat st {};
    ::stat(path.c_str(), &st);
    if (!ProcessesUsingFile(st.st_dev, st.st_ino).empty()) break;
    ::usleep(10'000);
  }
  auto item = vault_->Quarantine(path, {"miner"}, "high", "", true);
  ASSERT_TRUE(item.ok()) << item.status().ToString();
  EXPECT_EQ(item->killed_pids, std::vector<int>{pid});
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status));
}

}  // namespace
}  // namespace rampart::agent::scan
