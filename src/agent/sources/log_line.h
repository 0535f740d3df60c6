#pragma once
// Splits one log line into its header (time, host, program, pid) and the daemon's message. Pure;
// the views point into the line. Knows syslog (RFC 3164, RFC 5424, rsyslog ISO 8601), MySQL/MariaDB
// error logs (old and new), PostgreSQL stderr logs, vsftpd's own log (ctime) and ProFTPD's
// SystemLog.

#include <cstdint>
#include <string_view>

#include "agent/sources/auth_log.h"

namespace rampart::agent {

struct LogLine {
  std::int64_t sec = 0;
  std::int32_t nsec = 0;
  std::string_view host;  // "" when the format has none
  std::string_view
      program;            // base name ("sshd"), "mysqld" for MySQL logs, "postgres" for PostgreSQL
  std::int64_t pid = -1;  // -1 when absent
  std::string_view
      message;  // the daemon's text (MySQL: after "[Level]" and "[MY-n] [Server]" tags)
};

struct LineClock {
  std::int64_t reference_time = 0;  // for RFC 3164's missing year
  std::int32_t local_utc_offset = 0;
};

// Parses `line` in `format` (kAuto: detect). False when the line has no recognisable header; *out
// is then unspecified.
bool ParseLogLine(std::string_view line, LogFormat format, const LineClock& clock, LogLine* out);

// "sshd[123]" -> program "sshd", pid 123; "/usr/sbin/sshd" -> "sshd"; "sshd" -> pid -1.
void SplitProgramPid(std::string_view token, std::string_view* program, std::int64_t* pid);

}  // namespace rampart::agent
