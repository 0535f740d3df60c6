#pragma once
// Pure parsers for the scheduled-task formats of cron (Vixie/cronie/busybox crontab(5)), anacron
// (anacrontab(5)) and at (the spool file names and job scripts atd writes). No I/O; see
// scheduled_tasks.h. Thread-compatible; every function bounds its work by the input size.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::agent {

// Lines longer than this are skipped (cron itself refuses lines past ~1000 bytes of command).
inline constexpr std::size_t kMaxCronLine = 16 * 1024;

struct CronEntry {
  std::string
      schedule;      // the five time fields joined by one space ("*/5 * * * *"), or "@reboot" etc.
  std::string user;  // the user field of a system crontab; "" for a user crontab (caller fills it)
  std::string command;  // up to the first unescaped '%', with "\%" unescaped; blanks trimmed
  std::string
      stdin_text;        // what follows the first unescaped '%', each further '%' turned into '\n'
  std::size_t line = 0;  // 1-based
};

// Checks one time field: '*', numbers, ranges "a-b", steps "/n", lists "a,b", and (for month and
// day of week) English three-letter names, case-insensitive ("jan", "Mon-Fri"). field: 0 minute
// (0-59), 1 hour (0-23), 2 day of month (1-31), 3 month (1-12), 4 day of week (0-7).
bool ValidCronField(std::string_view text, int field);

// The specials cron accepts: @reboot @yearly @annually @monthly @weekly @daily @midnight @hourly.
bool ValidCronSpecial(std::string_view word);

// Parses one crontab line. system_format: the line has a user field after the schedule
// (/etc/crontab, /etc/cron.d/*). Returns nullopt for blank lines, comments, environment assignments
// ("MAILTO=root", "SHELL = /bin/sh"), and lines cron would reject: bad time fields, too few fields,
// an empty command, NUL bytes, lines longer than kMaxCronLine.
std::optional<CronEntry> ParseCronLine(std::string_view line, bool system_format);

// True for a crontab environment assignment ("NAME=value", blanks allowed around '=').
bool IsCronEnvLine(std::string_view line);

// Parses a whole crontab; entries keep their 1-based line numbers. At most max_entries are
// returned.
std::vector<CronEntry> ParseCrontab(std::string_view text, bool system_format,
                                    std::size_t max_entries = 100'000);

// One /etc/anacrontab job: "period delay job-identifier command".
struct AnacronEntry {
  std::string period;  // days ("1", "7") or "@daily", "@weekly", "@monthly", "@yearly"
  std::string delay;   // minutes
  std::string job_id;
  std::string command;
  std::size_t line = 0;
};
// nullopt for comments, blank and environment lines ("START_HOURS_RANGE=3-22") and malformed lines.
std::optional<AnacronEntry> ParseAnacronLine(std::string_view line);
std::vector<AnacronEntry> ParseAnacrontab(std::string_view text, std::size_t max_entries = 10'000);

// An at(1) spool file name: queue letter, 5 hex digits of job number, 8 hex digits of the run time
// in minutes since the epoch ("a0000101a2b3c4" -> queue 'a', job 1, 0x01a2b3c4 * 60 s). atd renames
// a job that is running with a leading '='; such names parse with running = true.
struct AtJobName {
  char queue = 'a';
  std::uint32_t job = 0;
  std::int64_t run_time = 0;  // seconds since the epoch
  bool running = false;
};
std::optional<AtJobName> ParseAtJobName(std::string_view name);

// What an atd job script says: the uid/gid from "# atrun uid=N gid=M", the mail recipient, and the
// user's commands (the heredoc body after "${SHELL:-/bin/sh} << 'marcinDELIMITER...'" in at
// >= 3.1.14; for older formats the lines after the "cd ... || { ... }" block). Commands are joined
// with "; " and blank lines are dropped.
struct AtJob {
  std::optional<std::uint32_t> uid;
  std::optional<std::uint32_t> gid;
  std::string mail_user;
  std::string command;
};
AtJob ParseAtJob(std::string_view script);

}  // namespace rampart::agent
