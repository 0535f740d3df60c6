#pragma once
// `rampart logscan [--json] [--rules FILE] [--format F] [--journal [PATH...]] FILE...`: parse auth
// logs (or the journal), print the login events and the alerts the detection rules raise.

#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

namespace rampart::cli {

struct LogscanArgs {
  std::vector<std::string> files;  // "-" = stdin; give rotated files oldest first
  bool json = false;
  std::string rules;            // YAML rules file; "" = the built-in rules (rules/login.yaml)
  std::string format = "auto";  // auto, syslog, rfc5424, iso8601, mysql, postgres
  bool journal = false;         // read journald: the local journal, or journal_paths
  std::vector<std::string> journal_paths;
  std::size_t max_events = 1000;  // tables only: events listed (the rest are counted)
  std::string learn;              // optional abnormal-login baseline: a log of usual logins
  std::string geoip_db;           // optional .mmdb: countries for abnormal-login (new_country)
};

// Files are read in the order given, then the journal; detection sees events in that order (event
// time drives its windows). With --json one document {"events":[...],"alerts":[...]} is written,
// events streamed as they are parsed (memory does not grow with the log); otherwise an events table
// (at most max_events rows, then a note of how many were left out) and an alerts table. Returns 1
// when alerts were raised, 0 when none, 2 on usage or input errors (no input, a bad --format, a
// rules file with problems — each printed as file:line:column: code: message — or a file that
// cannot be read, named on `err`).
int RunLogscan(const LogscanArgs& args, std::FILE* out, std::FILE* err);

}  // namespace rampart::cli
