// The processes collector on this machine reports a child it spawns exactly.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <string>

#include "agent/collectors/processes.h"
#include "agent/collectors/registry.h"
#include "common/hash.h"

extern char** environ;

namespace rampart::agent {
namespace {

class Child {
 public:
  explicit Child(char* const argv[]) {
    if (::posix_spawn(&pid_, argv[0], nullptr, nullptr, argv, environ) != 0) pid_ = -1;
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

TEST(ProcessesLive, ReportsASpawnedChildExactly) {
  if (::access("/bin/sleep", X_OK) != 0) GTEST_SKIP() << "/bin/sleep is missing";
  char path[] = "/bin/sleep";
  char arg[] = "31.4159";
  char* const argv[] = {path, arg, nullptr};
  Child child(argv);  // posix_spawn returns once the child has exec'd
  ASSERT_GT(child.pid(), 0);

  HostView host;
  CollectContext ctx{host, SystemClock::Instance(), {}};
  ProcessesCollector collector;
  auto rows = collector.Collect(ctx);
  ASSERT_TRUE(rows.ok());

  char sleep_real[PATH_MAX] = {};
  ASSERT_NE(::realpath("/bin/sleep", sleep_real), nullptr);
  const int fd = ::open(sleep_real, O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  auto sha = Sha256HexFd(fd);
  ::close(fd);
  ASSERT_TRUE(sha.ok());
  const passwd* pw = ::getpwuid(::geteuid());
  ASSERT_NE(pw, nullptr);

  const Json* row = nullptr;
  bool saw_self = false;
  for (const Json& r : rows->as_array()) {
    EXPECT_TRUE(ValidateRow(r, collector.schema()).ok()) << r.Dump();
    if (r.GetInt("pid") == child.pid()) row = &r;
    saw_self = saw_self || r.GetInt("pid") == ::getpid();
  }
  EXPECT_TRUE(saw_self);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->GetString("exe"), sleep_real);
  EXPECT_EQ(row->GetString("cmdline"), "/bin/sleep 31.4159");
  EXPECT_EQ(row->GetString("name"), "sleep");
  EXPECT_EQ(row->GetString("user"), pw->pw_name);
  EXPECT_EQ(row->GetInt("ppid"), ::getpid());
  EXPECT_EQ(row->GetString("sha256"), *sha);
  EXPECT_FALSE(row->Find("exe_deleted")->as_bool());
  EXPECT_FALSE(row->Find("kernel_thread")->as_bool());
  EXPECT_TRUE(row->Find("start_time")->is_string());
  EXPECT_GT(row->GetInt("rss_bytes"), 0);
  if (::access("/var/lib/dpkg/info/coreutils.list", R_OK) == 0) {
    EXPECT_EQ(row->GetString("package"), "coreutils");
  }
}

TEST(ProcessesLive, ReportsKernelThreadsWithoutExecutable) {
  if (::access("/proc/2/stat", R_OK) != 0)
    GTEST_SKIP() << "no kthreadd visible (container pid namespace)";
  HostView host;
  CollectContext ctx{host, SystemClock::Instance(), {}};
  ProcessesCollector collector;
  auto rows = collector.Collect(ctx);
  ASSERT_TRUE(rows.ok());
  for (const Json& r : rows->as_array()) {
    if (r.GetInt("pid") != 2) continue;
    EXPECT_TRUE(r.Find("kernel_thread")->as_bool());
    EXPECT_EQ(r.GetString("exe"), "");
    EXPECT_TRUE(r.Find("sha256")->is_null());
    return;
  }
  ADD_FAILURE() << "pid 2 missing";
}

}  // namespace
}  // namespace rampart::agent
