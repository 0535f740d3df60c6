// Specification of the /proc/<pid> parsers.
#include "agent/collectors/proc_pid.h"

#include <gtest/gtest.h>

#include <string>

namespace rampart::agent {
namespace {

using namespace std::string_literals;

constexpr char kNginxStat[] =
    "700 (nginx) S 1 700 700 0 -1 4194560 1500 0 12 0 10 5 0 0 20 0 1 0 1500 18874368 1536 "
    "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

TEST(ProcPidStat, ParsesTheFieldsRampartUses) {
  const auto st = ParseProcPidStat(kNginxStat);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->pid, 700);
  EXPECT_EQ(st->comm, "nginx");
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->ppid, 1);
  EXPECT_EQ(st->flags, 4194560u);
  EXPECT_EQ(st->utime, 10u);
  EXPECT_EQ(st->stime, 5u);
  EXPECT_EQ(st->num_threads, 1);
  EXPECT_EQ(st->starttime, 1500u);
  EXPECT_EQ(st->rss_pages, 1536);
}

TEST(ProcPidStat, TakesCommUpToTheLastParenthesis) {
  // A process may name itself anything (prctl PR_SET_NAME): spaces, ')' and fake fields included.
  const auto st = ParseProcPidStat(
      "4242 (evil) R 1 (x y) T 99 1 1 0 -1 4194560 0 0 0 0 7 8 0 0 20 0 3 0 555 0 9 0 0 0 0 0 0 0 "
      "0 0 0");
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->comm, "evil) R 1 (x y");
  EXPECT_EQ(st->state, 'T');
  EXPECT_EQ(st->ppid, 99);
  EXPECT_EQ(st->utime, 7u);
  EXPECT_EQ(st->starttime, 555u);

  const auto sd_pam = ParseProcPidStat(
      "1850 ((sd-pam)) S 1 1850 1850 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 500000 0 1024 0");
  ASSERT_TRUE(sd_pam.has_value());
  EXPECT_EQ(sd_pam->comm, "(sd-pam)");
}

TEST(ProcPidStat, RejectsTruncatedAndMalformedLines) {
  EXPECT_FALSE(ParseProcPidStat("").has_value());
  EXPECT_FALSE(ParseProcPidStat("700 (nginx").has_value());
  EXPECT_FALSE(ParseProcPidStat("700 nginx) S 1").has_value());
  EXPECT_FALSE(
      ParseProcPidStat("700 (nginx) S 1 700 700 0 -1 4194560 1500 0 12 0 10 5").has_value());
  EXPECT_FALSE(
      ParseProcPidStat("x (nginx) S 1 700 700 0 -1 1 1 0 1 0 1 1 0 0 20 0 1 0 1 1 1").has_value());
  EXPECT_FALSE(
      ParseProcPidStat("7 (a) SS 1 700 700 0 -1 1 1 0 1 0 1 1 0 0 20 0 1 0 1 1 1").has_value());
  EXPECT_FALSE(
      ParseProcPidStat("7 (a) S 1 700 700 0 -1 1 1 0 1 0 1 -1 0 0 20 0 1 0 1 1 1").has_value());
  EXPECT_FALSE(ParseProcPidStat(")(").has_value());
  // Exactly 24 fields is enough.
  EXPECT_TRUE(
      ParseProcPidStat("7 (a) S 1 700 700 0 -1 1 1 0 1 0 1 1 0 0 20 0 1 0 1 1 1").has_value());
}

TEST(ProcPidStatus, ReadsNameUidsPpidThreadsAndRss) {
  const auto s = ParseProcPidStatus(
      "Name:\tnginx\nUmask:\t0022\nState:\tS (sleeping)\nPPid:\t700\nUid:\t33\t34\t33\t33\n"
      "Gid:\t33\t33\t33\t33\nVmRSS:\t   10240 kB\nThreads:\t4\n");
  EXPECT_EQ(s.name, "nginx");
  EXPECT_EQ(s.real_uid, 33u);
  EXPECT_EQ(s.effective_uid, 34u);
  EXPECT_EQ(s.ppid, 700);
  EXPECT_EQ(s.threads, 4);
  EXPECT_EQ(s.vm_rss_kb, 10240u);
}

TEST(ProcPidStatus, MissingFieldsStayUnknown) {
  const auto s = ParseProcPidStatus("Name:\tkthreadd\nUid:\tnope\nThreads\t1\nVmRSS:\n");
  EXPECT_EQ(s.name, "kthreadd");
  EXPECT_FALSE(s.real_uid.has_value());
  EXPECT_FALSE(s.ppid.has_value());
  EXPECT_FALSE(s.threads.has_value());
  EXPECT_FALSE(s.vm_rss_kb.has_value());
}

TEST(ProcPidCmdline, JoinsArgumentsWithSpacesAndCaps) {
  EXPECT_EQ(ParseCmdline("python3\0-m\0http.server\0"s), "python3 -m http.server");
  EXPECT_EQ(ParseCmdline("nginx: worker process\0\0\0"s), "nginx: worker process");
  EXPECT_EQ(ParseCmdline("a\0\0b"s), "a  b");
  EXPECT_EQ(ParseCmdline(""), "");
  EXPECT_EQ(ParseCmdline(std::string(10000, 'x'), 4096).size(), 4096u);
}

TEST(ProcPidClock, ParsesBootTimeAndUptime) {
  EXPECT_EQ(ParseBootTime("cpu  1 2 3\nintr 5\nbtime 1764300000\nprocesses 9\n"), 1764300000);
  EXPECT_FALSE(ParseBootTime("cpu 1 2 3\n").has_value());
  EXPECT_EQ(ParseUptime("86400.50 170000.25\n"), 86400.5);
  EXPECT_FALSE(ParseUptime("").has_value());
  EXPECT_FALSE(ParseUptime("-5 1").has_value());
  EXPECT_FALSE(ParseUptime("nan 1").has_value());
}

TEST(ProcPidExe, StripsTheDeletedMarker) {
  const ExeLink live = ParseExeLink("/usr/sbin/nginx");
  EXPECT_EQ(live.path, "/usr/sbin/nginx");
  EXPECT_FALSE(live.deleted);
  const ExeLink gone = ParseExeLink("/usr/bin/redis-server (deleted)");
  EXPECT_EQ(gone.path, "/usr/bin/redis-server");
  EXPECT_TRUE(gone.deleted);
  EXPECT_FALSE(ParseExeLink(" (deleted)").deleted);
}

TEST(ProcPidCgroup, FindsContainerIdsOfCommonRuntimes) {
  const std::string id = "f3b4c0d1e2a35968778899aabbccddeeff00112233445566778899aabbccddee";
  EXPECT_EQ(ContainerIdFromCgroup("0::/system.slice/docker-" + id + ".scope\n"), id);
  EXPECT_EQ(ContainerIdFromCgroup("12:pids:/docker/" + id + "\n"), id);
  EXPECT_EQ(ContainerIdFromCgroup("0::/kubepods.slice/x.slice/cri-containerd-" + id + ".scope\n"),
            id);
  EXPECT_EQ(ContainerIdFromCgroup("0::/machine.slice/libpod-" + id + ".scope/container\n"), id);
  EXPECT_EQ(ContainerIdFromCgroup("0::/system.slice/nginx.service\n"), "");
  EXPECT_EQ(ContainerIdFromCgroup("0::/docker-" + id.substr(0, 40) + ".scope\n"), "");
}

TEST(ProcPidCpu, AveragesOverTheProcessLifetime) {
  // 38.4 s of CPU over 6400.5 s of life.
  EXPECT_DOUBLE_EQ(LifetimeCpuPercent(3000, 840, 8000000, 86400.5, 100), 0.6);
  EXPECT_DOUBLE_EQ(LifetimeCpuPercent(60000, 26000, 2000, 86400.5, 100), 1.0);
  // Started "after" the uptime sample (skew): not a division by zero or a negative value.
  EXPECT_DOUBLE_EQ(LifetimeCpuPercent(10, 10, 9000000, 86400.5, 100), 0.0);
  EXPECT_DOUBLE_EQ(LifetimeCpuPercent(10, 10, 0, 86400.5, 0), 0.0);
}

TEST(ProcPidState, NamesStateLetters) {
  EXPECT_EQ(StateName('R'), "running");
  EXPECT_EQ(StateName('I'), "idle");
  EXPECT_EQ(StateName('Z'), "zombie");
  EXPECT_EQ(StateName('?'), "unknown");
}

}  // namespace
}  // namespace rampart::agent
