#pragma once
// Pure parsers for the per-process files of procfs (/proc/<pid>/stat, status, cmdline, cgroup) and
// the system-wide /proc/stat btime and /proc/uptime. No I/O here (see proc_reader.h).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rampart::agent {

// PF_KTHREAD in the stat "flags" field (include/linux/sched.h): the task is a kernel thread.
inline constexpr std::uint64_t kPfKthread = 0x00200000;

// The fields of /proc/<pid>/stat that Rampart uses (proc(5) numbering in comments).
struct PidStat {
  std::int64_t pid = 0;          // (1)
  std::string comm;              // (2) without the parentheses; may hold spaces and ')'
  char state = '?';              // (3)
  std::int64_t ppid = 0;         // (4)
  std::uint64_t flags = 0;       // (9)
  std::uint64_t utime = 0;       // (14) clock ticks
  std::uint64_t stime = 0;       // (15) clock ticks
  std::int64_t num_threads = 0;  // (20)
  std::uint64_t starttime = 0;   // (22) clock ticks after boot
  std::int64_t rss_pages = 0;    // (24)
};

// Parses /proc/<pid>/stat. comm is taken between the first '(' and the LAST ')', since comm itself
// may contain ')' and spaces ("(sd-pam)", "a) R 1 (b"). Returns nullopt when the line is truncated
// before field 24 or a used field is not a number.
std::optional<PidStat> ParseProcPidStat(std::string_view text);

// The fields of /proc/<pid>/status that Rampart uses. Absent lines leave nullopt / empty.
struct PidStatus {
  std::string name;                       // "Name:" (escaped by the kernel: "\n" for a newline)
  std::optional<std::uint32_t> real_uid;  // first value of "Uid:"
  std::optional<std::uint32_t> effective_uid;
  std::optional<std::int64_t> ppid;        // "PPid:"
  std::optional<std::int64_t> threads;     // "Threads:"
  std::optional<std::uint64_t> vm_rss_kb;  // "VmRSS:" (absent for kernel threads and zombies)
};
PidStatus ParseProcPidStatus(std::string_view text);

// /proc/<pid>/cmdline: NUL-separated arguments joined with single spaces; trailing NULs dropped.
// The result holds at most max_bytes bytes.
std::string ParseCmdline(std::string_view raw, std::size_t max_bytes = 4096);

// "btime N" from /proc/stat; nullopt when absent.
std::optional<std::int64_t> ParseBootTime(std::string_view proc_stat);
// First number of /proc/uptime (seconds since boot); nullopt when malformed.
std::optional<double> ParseUptime(std::string_view text);

// Splits a /proc/<pid>/exe link target into the path and the kernel's " (deleted)" marker.
struct ExeLink {
  std::string path;
  bool deleted = false;
};
ExeLink ParseExeLink(std::string_view target);

// The 64-hex-digit container id in /proc/<pid>/cgroup ("/docker/<id>", "docker-<id>.scope",
// "cri-containerd-<id>.scope", "crio-<id>.scope", "libpod-<id>.scope"); "" when the process is not
// in one.
std::string ContainerIdFromCgroup(std::string_view text);

// A one-word name of a process state letter ('R' -> "running"); "unknown" for other letters.
std::string_view StateName(char state);

// Average CPU use over the process lifetime, in percent of one CPU:
//   (utime + stime) / hz / (uptime - starttime / hz) * 100, rounded to 2 decimals; 0 when the
//   lifetime is
// not positive (clock skew between the reads, bad fixtures).
double LifetimeCpuPercent(std::uint64_t utime, std::uint64_t stime, std::uint64_t starttime,
                          double uptime_seconds, long hz);

}  // namespace rampart::agent
