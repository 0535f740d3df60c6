// Auth-log parsing speed on a generated, realistic mixed auth log (sshd brute force with PAM
// notices, invalid users, preauth disconnects, publickey logins, cron/sudo/su noise, dropbear,
// FTP), in every header format:
//   BM_ParseSyslog/Iso/Rfc5424  AuthLogParser::ParseLine over lines in memory (parsing only)
//   BM_ScanFile                 ScanAuthLogFile over the same log written to a temp file (with I/O)
// Counter: items_per_second = lines/s. The file is kept for peers: RAMPART_AUTHLOG_BENCH_FILE=path
// writes it there (e.g. for `fail2ban-regex FILE sshd`, see docs/logscan.md).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "agent/sources/auth_log.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

enum class Style { kSyslog, kIso, kRfc5424 };

std::string Header(Style style, int sec, const char* prog, int pid) {
  char buf[160];
  const int m = (sec / 60) % 60;
  const int s = sec % 60;
  const int h = (sec / 3600) % 24;
  const int d = 1 + sec / 86400;  // time only moves forward
  switch (style) {
    case Style::kSyslog:
      std::snprintf(buf, sizeof buf, "Nov %2d %02d:%02d:%02d web1 %s[%d]: ", d, h, m, s, prog, pid);
      break;
    case Style::kIso:
      std::snprintf(buf, sizeof buf, "2026-11-%02dT%02d:%02d:%02d.123456+01:00 web1 %s[%d]: ", d, h,
                    m, s, prog, pid);
      break;
    case Style::kRfc5424:
      std::snprintf(buf, sizeof buf, "<38>1 2026-11-%02dT%02d:%02d:%02d.123Z web1 %s %d - - ", d, h,
                    m, s, prog, pid);
      break;
  }
  return buf;
}

// About `lines` lines; ~45% are login events, the rest noise a real auth.log carries.
std::string Generate(Style style, std::size_t lines) {
  std::minstd_rand rng(42);  // result_type is 32-bit: %u and unsigned fit
  const auto next = [&rng] { return static_cast<unsigned>(rng()); };
  std::string out;
  out.reserve(lines * 120);
  std::size_t n = 0;
  int pid = 10000;
  int sec = 0;
  const char* users[] = {"root", "admin", "test", "oracle", "ubuntu", "postgres", "git", "pi"};
  while (n < lines) {
    ++pid;
    sec += 1;
    char ip[32];
    std::snprintf(ip, sizeof ip, "%u.%u.%u.%u", 1 + next() % 223, next() % 256, next() % 256,
                  1 + next() % 254);
    const std::string port = std::to_string(1024 + next() % 60000);
    const char* user = users[next() % 8];
    const auto add = [&](const char* prog, const std::string& msg) {
      out += Header(style, sec, prog, pid);
      out += msg;
      out += '\n';
      ++n;
    };
    const unsigned kind = next() % 10;
    if (kind < 5) {  // password brute force with PAM notice
      add("sshd", std::string("Connection from ") + ip + " port " + port + " on 10.0.0.2 port 22");
      add("sshd", std::string("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
                              "tty=ssh ruser= rhost=") +
                      ip + "  user=" + user);
      for (int i = 0; i < 3; ++i) {
        add("sshd",
            std::string("Failed password for ") + user + " from " + ip + " port " + port + " ssh2");
      }
      add("sshd", std::string("Connection closed by authenticating user ") + user + " " + ip +
                      " port " + port + " [preauth]");
      add("sshd", std::string("PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh "
                              "ruser= rhost=") +
                      ip + "  user=" + user);
    } else if (kind < 7) {  // invalid user scan
      add("sshd", std::string("Invalid user ") + user + "x from " + ip + " port " + port);
      add("sshd", std::string("Failed password for invalid user ") + user + "x from " + ip +
                      " port " + port + " ssh2");
      add("sshd", std::string("Received disconnect from ") + ip + " port " + port +
                      ":11: Bye Bye [preauth]");
    } else if (kind < 8) {  // key login with session
      add("sshd", std::string("Accepted publickey for deploy from ") + ip + " port " + port +
                      " ssh2: ED25519 SHA256:pO6Yq5cD1ZyRk0C1hBv3m3dE7m3S9bQ5h9m2u6b8Vxw");
      add("sshd", "pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)");
      add("sshd", "pam_unix(sshd:session): session closed for user deploy");
    } else if (kind < 9) {  // cron and sudo noise
      add("CRON", "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)");
      add("CRON", "pam_unix(cron:session): session closed for user root");
      add("sudo", "    bob : TTY=pts/0 ; PWD=/home/bob ; USER=root ; COMMAND=/usr/bin/apt update");
    } else {  // scanners and other daemons
      add("sshd",
          std::string("Did not receive identification string from ") + ip + " port " + port);
      add("sshd", std::string("reverse mapping checking getaddrinfo for x.example [") + ip +
                      "] failed - POSSIBLE BREAK-IN ATTEMPT!");
      add("dropbear", std::string("Bad password attempt for 'root' from ") + ip + ":" + port);
      add("vsftpd", std::string("[ftp] FAIL LOGIN: Client \"") + ip + "\"");
    }
  }
  return out;
}

const std::string& Log(Style style) {
  static const std::string logs[] = {Generate(Style::kSyslog, 500000),
                                     Generate(Style::kIso, 500000),
                                     Generate(Style::kRfc5424, 500000)};
  return logs[static_cast<int>(style)];
}

void RunParse(benchmark::State& state, Style style) {
  const std::string& text = Log(style);
  const std::vector<std::string_view> lines = SplitLines(text);
  std::size_t events = 0;
  for (auto _ : state) {
    AuthLogOptions o;
    o.reference_time = 1795920687;
    AuthLogParser parser(o);
    std::vector<LoginEvent> out;
    std::uint64_t n = 0;
    for (auto line : lines) {
      parser.ParseLine(line, ++n, &out);
      events += out.size();
      out.clear();
    }
    parser.Flush(&out);
    events += out.size();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(lines.size()));
  state.counters["events_per_iter"] =
      static_cast<double>(events) / static_cast<double>(state.iterations());
}

void BM_ParseSyslog(benchmark::State& state) { RunParse(state, Style::kSyslog); }
void BM_ParseIso(benchmark::State& state) { RunParse(state, Style::kIso); }
void BM_ParseRfc5424(benchmark::State& state) { RunParse(state, Style::kRfc5424); }
BENCHMARK(BM_ParseSyslog)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseIso)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseRfc5424)->Unit(benchmark::kMillisecond);

void BM_ScanFile(benchmark::State& state) {
  const std::string& text = Log(Style::kSyslog);
  const char* keep = std::getenv("RAMPART_AUTHLOG_BENCH_FILE");
  const std::string path = keep != nullptr ? keep : "/tmp/rampart_auth_log_bench.log";
  std::ofstream(path, std::ios::binary) << text;
  const std::size_t lines = SplitLines(text).size();
  for (auto _ : state) {
    std::size_t events = 0;
    AuthLogOptions o;
    o.reference_time = 1795920687;
    const Status s = ScanAuthLogFile(path, o, [&events](LoginEvent&&) { ++events; });
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    benchmark::DoNotOptimize(events);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(lines));
  if (keep == nullptr) unlink(path.c_str());
}
BENCHMARK(BM_ScanFile)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rampart::agent
