#pragma once
// Auth-log parsing: turns syslog / journal lines of sshd, dropbear, PAM, su, sudo, FTP daemons,
// MySQL/MariaDB and PostgreSQL into LoginEvents. Stateful per connection (an sshd pid), because
// some lines only count in context: a public-key offer that fails and is followed by a success on
// the same connection is not a failure; a preauth disconnect counts only for a user who was
// authenticating and never succeeded. Injection-safe: fields are taken by position from the
// daemon's fixed message text, never by searching for "from" in attacker-controlled parts (user
// names, client banners). Not thread-safe; one parser per stream.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/sources/login_event.h"
#include "common/status.h"

namespace rampart::agent {

enum class LogFormat {
  kAuto,      // detect per line
  kSyslog,    // RFC 3164: "Nov 29 02:51:27 host sshd[123]: ..." (year inferred, rollover handled)
  kRfc5424,   // "<34>1 2026-11-29T02:51:27.123+01:00 host sshd 123 - - ..."
  kIso8601,   // rsyslog high-precision: "2026-11-29T02:51:27.123456+01:00 host sshd[123]: ..."
  kMysql,     // MySQL/MariaDB error log, old ("161129  2:51:27 [Warning] ...") and new formats
  kPostgres,  // "2026-11-29 02:51:27.123 UTC [123] user@db FATAL: ..."
};

// Parses "auto", "syslog", "rfc5424", "iso8601", "mysql", "postgres"; error names the valid values.
Result<LogFormat> ParseLogFormat(std::string_view name);

struct AuthLogOptions {
  LogFormat format = LogFormat::kAuto;
  // For RFC 3164 lines (no year, local time): the file's modification time (or now) is the
  // reference; a line whose month lies after the reference month belongs to the previous year.
  std::int64_t reference_time = 0;  // seconds since the epoch; 0 = now
  // Offset of the host's local time from UTC, seconds, for timestamps without a zone (RFC 3164, old
  // MySQL).
  std::int32_t local_utc_offset = 0;
  std::string file;  // copied into every event
};

class AuthLogParser {
 public:
  explicit AuthLogParser(AuthLogOptions options);
  // Parses one line (without its '\n'); appends the events it completes (zero or more) to *out.
  // Events may be emitted later than their line (deferred until the connection shows whether it
  // succeeded); each event keeps its own line number and time.
  void ParseLine(std::string_view line, std::uint64_t line_no, std::vector<LoginEvent>* out);
  // A journal entry: fields as sd-journal gives them (MESSAGE, SYSLOG_IDENTIFIER, _PID, _HOSTNAME)
  // and the entry's realtime timestamp in microseconds.
  void ParseJournalEntry(std::string_view identifier, std::string_view message, std::int64_t pid,
                         std::string_view hostname, std::int64_t realtime_usec,
                         std::vector<LoginEvent>* out);
  // Emits what is still pending (open connections at end of input).
  void Flush(std::vector<LoginEvent>* out);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// Reads a file ("-" = stdin) line by line through an AuthLogParser, calling fn for every event in
// order of emission. Rotated archives (gzip, xz, zstd, bzip2: by their first bytes, also on stdin)
// are decompressed (LogStream, log_stream.h). Errors: the file cannot be opened or read, a corrupt
// or truncated archive (names it, with the byte offset).
Status ScanAuthLogFile(const std::string& path, AuthLogOptions options,
                       const std::function<void(LoginEvent&&)>& fn);

// Reads the local journal (sd_journal_open) or, when `paths` is non-empty, journal files or
// directories (sd_journal_open_files / sd_journal_open_directory), entries of the auth-related
// identifiers.
Status ScanJournal(const std::vector<std::string>& paths,
                   const std::function<void(LoginEvent&&)>& fn);

}  // namespace rampart::agent
