#pragma once
// A login event: one authentication attempt as a log line or journal entry told it. Produced by the
// auth-log parsers (src/agent/sources/auth_log.h), consumed by the detectors
// (src/agent/detectors/). Plain value.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace rampart::agent {

enum class LoginOutcome { kFailure, kSuccess };

// A log file name shared by every event of the file: a parser emits an event per failed guess, and
// copying a path longer than the small-string buffer into each one cost an allocation per event.
// Reads like a const std::string.
class FileName {
 public:
  FileName() = default;
  FileName(std::string name)  // NOLINT(google-explicit-constructor): a name is a plain string
      : name_(std::make_shared<const std::string>(std::move(name))) {}
  FileName(const char* name)
      : FileName(std::string(name)) {}  // NOLINT(google-explicit-constructor)

  const std::string& str() const { return name_ ? *name_ : Empty(); }
  operator const std::string&() const { return str(); }  // NOLINT(google-explicit-constructor)
  bool operator==(std::string_view other) const { return str() == other; }

 private:
  static const std::string& Empty() {
    static const std::string* const empty = new std::string();
    return *empty;
  }
  std::shared_ptr<const std::string> name_;
};

struct LoginEvent {
  FileName file;           // the log file ("-" for stdin, "journal" for journald)
  std::uint64_t line = 0;  // 1-based line number in `file` (0 for journal entries)
  std::int64_t time = 0;   // seconds since the Unix epoch (UTC)
  std::int32_t time_nsec = 0;
  std::string
      service;  // "sshd", "dropbear", "su", "sudo", "vsftpd", "proftpd", "pure-ftpd", "mysql",
                // "postgresql", or the PAM service name for pam_unix failures ("login", "cron"...)
  LoginOutcome outcome = LoginOutcome::kFailure;
  // "password", "publickey", "keyboard-interactive", "invalid_user", "pam", "root_refused",
  // "preauth", "max_auth_attempts", "hostbased", "gssapi", ...
  std::string kind;
  std::string user;    // as logged ("" when the line names none)
  std::string source;  // the remote address or host name as logged ("" for local logins)
  int port = 0;        // the remote port, 0 when not logged
  std::string host;    // the syslog host field of the line ("" when absent)
  std::uint32_t attempts =
      1;  // guesses this event stands for ("message repeated N times", PAM "N more")
  bool invalid_user = false;  // the daemon said the account does not exist ("for invalid user X")
};

const char* OutcomeName(LoginOutcome o);  // "success" or "failure"

}  // namespace rampart::agent
