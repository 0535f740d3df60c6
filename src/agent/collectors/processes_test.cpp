// Specification of the processes collector on the fixture roots.
#include "agent/collectors/processes.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "agent/collectors/registry.h"
#include "common/files.h"
#include "common/hash.h"

namespace rampart::agent {
namespace {

constexpr char kNginxSha[] = "89ea685bd7d51e17221d2fa8e2da4e1f1db1b1c0b197c79553b87781b8f36e5c";
constexpr char kPythonSha[] = "eceb1aee324142091c45d0ca8dcbc546f79c3122c944efc094399cd5672b654d";

std::string RootDir(const char* name) {
  return std::string(RAMPART_SOURCE_DIR "/tests/testdata/") + name;
}

Json CollectFrom(const char* root, ProcessesCollector* collector, std::string cache_dir = {}) {
  auto host = HostView::Open(RootDir(root));
  EXPECT_TRUE(host.ok());
  FakeClock clock(std::chrono::system_clock::from_time_t(1764400000));
  CollectContext ctx{*host, clock, {}};
  ctx.options.cache_dir = std::move(cache_dir);
  auto rows = collector->Collect(ctx);
  EXPECT_TRUE(rows.ok());
  for (const Json& row : rows->as_array()) {
    EXPECT_TRUE(ValidateRow(row, collector->schema()).ok()) << row.Dump();
  }
  return std::move(*rows);
}

Json CollectFrom(const char* root) {
  ProcessesCollector collector;
  return CollectFrom(root, &collector);
}

const Json& Row(const Json& rows, std::int64_t pid) {
  for (const Json& r : rows.as_array()) {
    if (r.GetInt("pid") == pid) return r;
  }
  ADD_FAILURE() << "no row for pid " << pid;
  static const Json kNone = Json::MakeObject();
  return kNone;
}

std::string FileSha(const std::string& path) {
  auto data = ReadLocalFile(path);
  EXPECT_TRUE(data.ok()) << path;
  return data.ok() ? Sha256Hex(*data) : std::string();
}

TEST(Processes, ListsEveryPidOfTheDebianFixtureInOrder) {
  const Json rows = CollectFrom("root-debian");
  std::vector<std::int64_t> pids;
  for (const Json& r : rows.as_array()) pids.push_back(r.GetInt("pid"));
  EXPECT_EQ(pids, (std::vector<std::int64_t>{1, 2, 12, 612, 700, 701, 820, 900, 1850, 2301, 3001}));
}

TEST(Processes, ReportsNginxWorkerWithHashPackageAndUser) {
  const Json rows = CollectFrom("root-debian");
  const Json& w = Row(rows, 701);
  EXPECT_EQ(w.GetInt("ppid"), 700);
  EXPECT_EQ(w.GetString("name"), "nginx");
  EXPECT_EQ(w.GetString("exe"), "/usr/sbin/nginx");
  EXPECT_EQ(w.GetString("cmdline"), "nginx: worker process");
  EXPECT_EQ(w.GetString("user"), "www-data");
  EXPECT_EQ(w.GetInt("uid"), 33);
  EXPECT_EQ(w.GetString("start_time"), "2025-11-28T03:20:15Z");  // btime + 1510 / 100
  EXPECT_EQ(w.GetString("state"), "S");
  EXPECT_EQ(w.GetString("state_name"), "sleeping");
  EXPECT_EQ(w.GetInt("rss_bytes"), 10240 * 1024);
  EXPECT_EQ(w.GetString("sha256"), kNginxSha);
  EXPECT_FALSE(w.Find("exe_deleted")->as_bool());
  EXPECT_EQ(w.GetString("package"), "nginx-core");
  EXPECT_EQ(w.GetInt("threads"), 1);
  EXPECT_EQ(Row(rows, 700).GetString("sha256"), kNginxSha);
  EXPECT_EQ(Row(rows, 700).GetString("user"), "root");
}

TEST(Processes, ComputesLifetimeCpuPercentAndStartTime) {
  const Json rows = CollectFrom("root-debian");
  const Json& py = Row(rows, 2301);
  // (3000 + 840) ticks = 38.4 s of CPU over 86400.5 - 80000 s of life.
  EXPECT_DOUBLE_EQ(py.Find("cpu_percent")->as_double(), 0.6);
  EXPECT_EQ(py.GetString("start_time"), "2025-11-29T01:33:20Z");
  EXPECT_EQ(py.GetString("cmdline"), "python3 -m http.server --bind ::ffff:127.0.0.1 8080");
  EXPECT_EQ(py.GetString("user"), "alice");
  EXPECT_EQ(py.GetString("sha256"), kPythonSha);
  EXPECT_EQ(py.GetString("package"), "python3.11-minimal");
  EXPECT_DOUBLE_EQ(Row(rows, 820).Find("cpu_percent")->as_double(), 1.0);
}

TEST(Processes, FlagsDeletedExecutableAndKeepsItsPackage) {
  const Json rows = CollectFrom("root-debian");
  const Json& redis = Row(rows, 820);
  EXPECT_EQ(redis.GetString("exe"), "/usr/bin/redis-server");
  EXPECT_TRUE(redis.Find("exe_deleted")->as_bool());
  // The image holds no copy of the deleted file (on a live host /proc/<pid>/exe still opens it).
  EXPECT_TRUE(redis.Find("sha256")->is_null());
  EXPECT_EQ(redis.GetString("package"), "redis-tools");
  EXPECT_EQ(redis.GetString("user"), "redis");
  EXPECT_EQ(redis.GetInt("threads"), 5);
}

TEST(Processes, IncludesKernelThreadsWithoutExecutable) {
  const Json rows = CollectFrom("root-debian");
  for (std::int64_t pid : {2, 12}) {
    const Json& k = Row(rows, pid);
    EXPECT_EQ(k.GetString("exe"), "") << pid;
    EXPECT_EQ(k.GetString("cmdline"), "") << pid;
    EXPECT_TRUE(k.Find("sha256")->is_null()) << pid;
    EXPECT_TRUE(k.Find("kernel_thread")->as_bool()) << pid;
    EXPECT_EQ(k.GetInt("rss_bytes"), 0) << pid;
    EXPECT_EQ(k.GetString("user"), "root") << pid;
  }
  EXPECT_EQ(Row(rows, 12).GetString("name"), "kworker/0:1-events");
  EXPECT_EQ(Row(rows, 12).GetString("state"), "I");
  EXPECT_EQ(Row(rows, 12).GetInt("ppid"), 2);
  EXPECT_FALSE(Row(rows, 1).Find("kernel_thread")->as_bool());
}

TEST(Processes, ResolvesUsrMergeAliasesForDpkgOwnership) {
  // systemd.list names /lib/systemd/systemd; the kernel reports the resolved
  // /usr/lib/systemd/systemd.
  const Json rows = CollectFrom("root-debian");
  EXPECT_EQ(Row(rows, 1).GetString("package"), "systemd");
  EXPECT_EQ(Row(rows, 1).GetString("cmdline"), "/sbin/init splash");
  EXPECT_EQ(Row(rows, 1850).GetString("package"), "systemd");
  EXPECT_EQ(Row(rows, 612).GetString("package"), "openssh-server");
  EXPECT_EQ(Row(rows, 612).GetString("sha256"), FileSha(RootDir("root-debian") + "/usr/sbin/sshd"));
  EXPECT_EQ(Row(rows, 900).GetString("package"), "ntpsec");
}

TEST(Processes, ParsesCommWithParenthesesFromStat) {
  const Json rows = CollectFrom("root-debian");
  EXPECT_EQ(Row(rows, 1850).GetString("name"), "(sd-pam)");
  EXPECT_EQ(Row(rows, 1850).GetString("user"), "alice");
}

TEST(Processes, ReportsContainerAndUnreadableExecutable) {
  const Json rows = CollectFrom("root-debian");
  const Json& pause = Row(rows, 3001);
  EXPECT_EQ(pause.GetString("container_id"),
            "f3b4c0d1e2a35968778899aabbccddeeff00112233445566778899aabbccddee");
  EXPECT_EQ(pause.GetString("exe"), "/pause");
  EXPECT_TRUE(pause.Find("sha256")->is_null());  // the file lives in the container's root
  EXPECT_EQ(pause.GetString("package"), "");
  EXPECT_EQ(pause.GetString("user"), "65535");  // no passwd entry: the uid
  EXPECT_EQ(Row(rows, 700).GetString("container_id"), "");
}

TEST(Processes, LeavesPackageEmptyOnRpmHosts) {
  const Json rows = CollectFrom("root-rpm");
  EXPECT_EQ(rows.size(), 5u);
  const Json& mysqld = Row(rows, 1320);
  EXPECT_EQ(mysqld.GetString("user"), "mysql");
  EXPECT_EQ(mysqld.GetString("exe"), "/usr/libexec/mysqld");
  EXPECT_EQ(mysqld.GetString("sha256"), FileSha(RootDir("root-rpm") + "/usr/libexec/mysqld"));
  EXPECT_EQ(mysqld.GetString("package"), "");
  EXPECT_EQ(mysqld.GetInt("threads"), 38);
  EXPECT_EQ(mysqld.GetInt("rss_bytes"), 389120 * 1024);
  EXPECT_DOUBLE_EQ(mysqld.Find("cpu_percent")->as_double(), 0.6);
  EXPECT_EQ(mysqld.GetString("cmdline"), "/usr/libexec/mysqld --basedir=/usr");
}

TEST(Processes, FindsApkOwnersOnAlpine) {
  const Json rows = CollectFrom("root-alpine");
  EXPECT_EQ(rows.size(), 6u);
  EXPECT_EQ(Row(rows, 1).GetString("package"), "busybox");
  EXPECT_EQ(Row(rows, 210).GetString("package"), "busybox");
  EXPECT_EQ(Row(rows, 210).GetString("name"), "crond");
  // The fixture's apk database lists no nginx package: an unowned executable has package "".
  EXPECT_EQ(Row(rows, 301).GetString("package"), "");
  EXPECT_EQ(Row(rows, 301).GetString("user"), "nginx");
  EXPECT_EQ(Row(rows, 301).GetString("sha256"),
            FileSha(RootDir("root-alpine") + "/usr/sbin/nginx"));
}

TEST(Processes, HashesEachExecutableOnceAndPersistsTheCache) {
  const std::string cache = ::testing::TempDir() + "/procs_hash_cache";
  std::system(("rm -rf " + cache).c_str());
  ProcessesCollector first;
  CollectFrom("root-debian", &first, cache);
  // systemd (pids 1, 1850), sshd, nginx (700, 701), ntpd, python3.11: five distinct files.
  EXPECT_EQ(first.last_files_hashed(), 5u);
  CollectFrom("root-debian", &first, cache);
  EXPECT_EQ(first.last_files_hashed(), 0u);  // in-memory cache

  auto text = ReadLocalFile(cache + "/exe_sha256.json");
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find(kNginxSha), std::string::npos);

  // A new collector (the next agent run) trusts the file: it re-reads nothing, proven by a planted
  // value.
  const std::string planted(64, 'a');
  std::string edited = *text;
  edited.replace(edited.find(kNginxSha), 64, planted);
  ASSERT_TRUE(WriteFileAtomic(cache + "/exe_sha256.json", edited).ok());
  ProcessesCollector second;
  const Json rows = CollectFrom("root-debian", &second, cache);
  EXPECT_EQ(second.last_files_hashed(), 0u);
  EXPECT_EQ(Row(rows, 700).GetString("sha256"), planted);
}

TEST(Processes, IgnoresACorruptHashCache) {
  const std::string cache = ::testing::TempDir() + "/procs_bad_cache";
  std::system(("mkdir -p " + cache).c_str());
  ASSERT_TRUE(
      WriteFileAtomic(cache + "/exe_sha256.json", "{\"entries\": [{\"sha256\": 5}, 3, \"x\"").ok());
  ProcessesCollector collector;
  const Json rows = CollectFrom("root-debian", &collector, cache);
  EXPECT_EQ(collector.last_files_hashed(), 5u);
  EXPECT_EQ(Row(rows, 700).GetString("sha256"), kNginxSha);
}

TEST(Processes, DegradesOnHostileProcFiles) {
  const std::string root = ::testing::TempDir() + "/procs_hostile_root";
  ASSERT_EQ(
      std::system(("rm -rf " + root + " && mkdir -p " + root + "/proc/77 " + root + "/proc/78 " +
                   root + "/proc/79 " + root + "/dev && mkfifo " + root + "/dev/fifo && ln -s " +
                   "/dev/fifo " + root + "/proc/78/exe && ln -s /nowhere " + root + "/proc/79/exe")
                      .c_str()),
      0);
  ASSERT_TRUE(WriteFileAtomic(root + "/proc/stat", "btime 1764300000\n").ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/proc/uptime", "garbage\n").ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/proc/77/stat", "77 (trunc) S 1 77 77 0").ok());
  ASSERT_TRUE(
      WriteFileAtomic(root + "/proc/78/stat",
                      "78 (a) b) Z 1 (c) S 1 78 78 0 -1 4194560 0 0 0 0 9 9 0 0 20 0 1 0 100 0 5")
          .ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/proc/78/cmdline", std::string("x\0\xff\xfe\0", 5)).ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/proc/79/stat",
                              "79 (b) R 1 79 79 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 100 0 5")
                  .ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/proc/79/status", std::string(20000, '\xff')).ok());
  auto host = HostView::Open(root);
  ASSERT_TRUE(host.ok());
  FakeClock clock(std::chrono::system_clock::from_time_t(0));
  CollectContext ctx{*host, clock, {}};
  ProcessesCollector collector;
  auto rows = collector.Collect(ctx);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);  // 77 is truncated before field 24 and skipped
  const Json& odd = Row(*rows, 78);
  EXPECT_EQ(odd.GetString("name"), "a) b) Z 1 (c");
  EXPECT_EQ(odd.GetString("state"), "S");
  EXPECT_EQ(odd.GetString("exe"), "/dev/fifo");
  EXPECT_TRUE(odd.Find("sha256")->is_null());  // never opens a FIFO
  EXPECT_EQ(odd.GetString("user"), "");        // no status file: uid unknown
  EXPECT_TRUE(odd.Find("uid")->is_null());
  EXPECT_DOUBLE_EQ(odd.Find("cpu_percent")->as_double(), 0.0);  // unreadable uptime
  EXPECT_EQ(odd.GetString("start_time"), "2025-11-28T03:20:01Z");
  EXPECT_TRUE(Row(*rows, 79).Find("sha256")->is_null());
  for (const Json& r : rows->as_array()) EXPECT_TRUE(ValidateRow(r, collector.schema()).ok());
}

}  // namespace
}  // namespace rampart::agent
