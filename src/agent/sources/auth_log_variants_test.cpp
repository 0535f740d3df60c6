// Every message variant the parser knows, in every header format (RFC 3164 with and without PRI,
// RFC 5424, ISO 8601) and as a journal entry: the same event, at the same time, each time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/sources/auth_log.h"
#include "agent/sources/auth_log_test_util.h"

namespace rampart::agent {
namespace {

using testing::DescribeAll;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::ParseText;

constexpr std::int64_t kT = 1795920687;  // 2026-11-29T02:51:27Z

// ---- Every message variant in every header format --------------------------------------------

struct Variant {
  const char* program;
  const char* message;
  const char* expected;  // Describe() without the line number
};

const Variant kVariants[] = {
    {"sshd", "Failed password for root from 1.2.3.4 port 22 ssh2",
     "sshd failure password user=root source=1.2.3.4 port=22"},
    {"sshd", "Failed password for invalid user bob from 2001:db8::1 port 22 ssh2",
     "sshd failure password user=bob source=2001:db8::1 port=22 invalid"},
    {"sshd-session", "Failed password for root from ::ffff:1.2.3.4 port 22 ssh2",
     "sshd failure password user=root source=::ffff:1.2.3.4 port=22"},
    {"sshd", "Failed password for root from host.example.com",
     "sshd failure password user=root source=host.example.com port=0"},
    {"sshd", "Failed keyboard-interactive/pam for root from 1.2.3.4 port 22 ssh2",
     "sshd failure keyboard-interactive user=root source=1.2.3.4 port=22"},
    {"sshd", "Failed publickey for root from 1.2.3.4 port 22 ssh2: RSA SHA256:x",
     "sshd failure publickey user=root source=1.2.3.4 port=22"},
    {"sshd", "Invalid user bob from 1.2.3.4 port 22",
     "sshd failure invalid_user user=bob source=1.2.3.4 port=22 invalid"},
    {"sshd", "Illegal user bob from 1.2.3.4",
     "sshd failure invalid_user user=bob source=1.2.3.4 port=0 invalid"},
    {"sshd", "input_userauth_request: invalid user bob [preauth]",
     "sshd failure invalid_user user=bob source= port=0 invalid"},
    {"sshd", "error: PAM: Authentication failure for root from 1.2.3.4",
     "sshd failure pam user=root source=1.2.3.4 port=0"},
    {"sshd",
     "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
     "rhost=1.2.3.4  user=root",
     "sshd failure pam user=root source=1.2.3.4 port=0"},
    {"sshd", "ROOT LOGIN REFUSED FROM 1.2.3.4",
     "sshd failure root_refused user=root source=1.2.3.4 port=0"},
    {"sshd", "User root from 1.2.3.4 not allowed because not listed in AllowUsers",
     "sshd failure root_refused user=root source=1.2.3.4 port=0"},
    {"sshd",
     "User bob from 1.2.3.4 not allowed because none of user's groups are listed in "
     "AllowGroups",
     "sshd failure not_allowed user=bob source=1.2.3.4 port=0"},
    {"sshd",
     "error: maximum authentication attempts exceeded for root from 1.2.3.4 port 22 ssh2 "
     "[preauth]",
     "sshd failure max_auth_attempts user=root source=1.2.3.4 port=22"},
    {"sshd",
     "Disconnecting authenticating user root 1.2.3.4 port 22: Too many authentication failures "
     "[preauth]",
     "sshd failure preauth user=root source=1.2.3.4 port=22"},
    {"sshd", "Connection closed by authenticating user root 1.2.3.4 port 22 [preauth]",
     "sshd failure preauth user=root source=1.2.3.4 port=22"},
    {"sshd", "Disconnected from authenticating user root 1.2.3.4 port 22 [preauth]",
     "sshd failure preauth user=root source=1.2.3.4 port=22"},
    {"sshd", "Accepted password for root from 1.2.3.4 port 22 ssh2",
     "sshd success password user=root source=1.2.3.4 port=22"},
    {"sshd", "Accepted publickey for root from 1.2.3.4 port 22 ssh2: ED25519 SHA256:x",
     "sshd success publickey user=root source=1.2.3.4 port=22"},
    {"sshd", "Accepted keyboard-interactive/pam for root from 1.2.3.4 port 22 ssh2",
     "sshd success keyboard-interactive user=root source=1.2.3.4 port=22"},
    {"sshd", "Accepted gssapi-with-mic for root from 1.2.3.4 port 22 ssh2",
     "sshd success gssapi user=root source=1.2.3.4 port=22"},
    {"sshd", "Accepted hostbased for root from 1.2.3.4 port 22 ssh2: ECDSA SHA256:x",
     "sshd success hostbased user=root source=1.2.3.4 port=22"},
    {"sshd", "message repeated 4 times: [ Failed password for root from 1.2.3.4 port 22 ssh2]",
     "sshd failure password user=root source=1.2.3.4 port=22 x4"},
    {"dropbear", "Bad password attempt for 'root' from 1.2.3.4:22",
     "dropbear failure password user=root source=1.2.3.4 port=22"},
    {"dropbear", "Login attempt for nonexistent user from 1.2.3.4:22",
     "dropbear failure invalid_user user= source=1.2.3.4 port=22 invalid"},
    {"dropbear", "Password auth succeeded for 'root' from 1.2.3.4:22",
     "dropbear success password user=root source=1.2.3.4 port=22"},
    {"dropbear", "Pubkey auth succeeded for 'root' with key md5 0b:2c from 1.2.3.4:22",
     "dropbear success publickey user=root source=1.2.3.4 port=22"},
    {"dropbear",
     "Exit before auth from <1.2.3.4:22>: (user 'root', 5 fails): Max auth tries reached - "
     "user 'root'",
     "dropbear failure preauth user=root source=1.2.3.4 port=22 x5"},
    {"login",
     "pam_unix(login:auth): authentication failure; logname=LOGIN uid=0 euid=0 tty=/dev/tty1 "
     "ruser= rhost=  user=carol",
     "login failure pam user=carol source= port=0"},
    {"cron",
     "pam_unix(cron:auth): authentication failure; logname= uid=0 euid=0 tty= ruser= rhost=  "
     "user=x",
     "cron failure pam user=x source= port=0"},
    {"login",
     "pam_unix(login:auth): 2 more authentication failures; logname=LOGIN uid=0 euid=0 "
     "tty=/dev/tty1 ruser= rhost=  user=carol",
     "login failure pam user=carol source= port=0 x2"},
    {"su", "FAILED SU (to root) bob on pts/0", "su failure password user=root source= port=0"},
    {"su",
     "pam_unix(su:auth): authentication failure; logname=bob uid=1000 euid=0 tty=pts/0 "
     "ruser=bob rhost=  user=root",
     "su failure pam user=root source= port=0"},
    {"su", "Successful su for root by bob", "su success password user=root source= port=0"},
    {"sudo",
     "bob : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/bob ; USER=root ; "
     "COMMAND=/usr/bin/id",
     "sudo failure password user=bob source= port=0 x3"},
    {"sudo",
     "pam_unix(sudo:auth): authentication failure; logname=bob uid=1000 euid=0 tty=/dev/pts/0 "
     "ruser=bob rhost=  user=bob",
     "sudo failure pam user=bob source= port=0"},
    {"vsftpd", "[ftp] FAIL LOGIN: Client \"1.2.3.4\"",
     "vsftpd failure password user=ftp source=1.2.3.4 port=0"},
    {"vsftpd", "[bob] FAIL LOGIN: Client \"::ffff:1.2.3.4\"",
     "vsftpd failure password user=bob source=::ffff:1.2.3.4 port=0"},
    {"vsftpd", "[bob] OK LOGIN: Client \"1.2.3.4\"",
     "vsftpd success password user=bob source=1.2.3.4 port=0"},
    {"proftpd", "srv (c[1.2.3.4]) - USER bob (Login failed): Incorrect password",
     "proftpd failure password user=bob source=1.2.3.4 port=0"},
    {"proftpd", "srv (c[1.2.3.4]) - USER bob: no such user found from c [1.2.3.4] to 10.0.0.1:21",
     "proftpd failure invalid_user user=bob source=1.2.3.4 port=0 invalid"},
    {"proftpd", "srv (c[1.2.3.4]) - USER bob: Login successful.",
     "proftpd success password user=bob source=1.2.3.4 port=0"},
    {"pure-ftpd", "(?@1.2.3.4) [WARNING] Authentication failed for user [bob]",
     "pure-ftpd failure password user=bob source=1.2.3.4 port=0"},
    {"pure-ftpd", "(bob@1.2.3.4) [INFO] bob is now logged in",
     "pure-ftpd success password user=bob source=1.2.3.4 port=0"},
    {"mysqld", "Access denied for user 'root'@'1.2.3.4' (using password: YES)",
     "mysql failure password user=root source=1.2.3.4 port=0"},
    {"mariadbd",
     "2026-11-29  2:51:27 5 [Warning] Access denied for user 'root'@'1.2.3.4' "
     "(using password: YES)",
     "mysql failure password user=root source=1.2.3.4 port=0"},
    {"postgres", "[3-1] FATAL:  password authentication failed for user \"bob\"",
     "postgresql failure password user=bob source= port=0"},
    {"postgres", "FATAL:  no pg_hba.conf entry for host \"1.2.3.4\", user \"bob\", database \"d\"",
     "postgresql failure not_allowed user=bob source=1.2.3.4 port=0"},
};

enum class Header { kRfc3164, kRfc3164Pri, kRfc5424, kIso8601, kJournal };

std::vector<std::string> ParseIn(Header h, const Variant& v) {
  const std::string prog = v.program;
  const std::string msg = v.message;
  std::string line;
  switch (h) {
    case Header::kRfc3164:
      line = "Nov 29 02:51:27 host " + prog + "[77]: " + msg;
      break;
    case Header::kRfc3164Pri:
      line = "<38>Nov 29 02:51:27 host " + prog + "[77]: " + msg;
      break;
    case Header::kRfc5424:
      line = "<38>1 2026-11-29T02:51:27.000Z host " + prog + " 77 - - " + msg;
      break;
    case Header::kIso8601:
      line = "2026-11-29T03:51:27.000000+01:00 host " + prog + "[77]: " + msg;
      break;
    case Header::kJournal: {
      AuthLogParser parser(AuthLogOptions{});
      std::vector<LoginEvent> events;
      parser.ParseJournalEntry(prog, msg, 77, "host", kT * 1000000 + 5, &events);
      parser.Flush(&events);
      for (const auto& e : events) {
        EXPECT_EQ(e.time, kT);
        EXPECT_EQ(e.time_nsec, 5000);
        EXPECT_EQ(e.file, "journal");
        EXPECT_EQ(e.host, "host");
      }
      return DescribeAll(events);
    }
  }
  const auto events = ParseText(line);
  for (const auto& e : events) {
    EXPECT_EQ(e.time, kT) << line;
    EXPECT_EQ(e.host, "host") << line;
  }
  return DescribeAll(events);
}

TEST(AuthLogVariants, EveryVariantInEveryHeaderFormat) {
  for (const auto& v : kVariants) {
    for (Header h : {Header::kRfc3164, Header::kRfc3164Pri, Header::kRfc5424, Header::kIso8601}) {
      EXPECT_THAT(ParseIn(h, v), ElementsAre(std::string("1 ") + v.expected))
          << "format " << static_cast<int>(h) << ": " << v.message;
    }
    EXPECT_THAT(ParseIn(Header::kJournal, v), ElementsAre(std::string("0 ") + v.expected))
        << "journal: " << v.message;
  }
}

TEST(AuthLogVariants, NonFailuresYieldNothingInAnyFormat) {
  const Variant kQuiet[] = {
      {"sshd",
       "reverse mapping checking getaddrinfo for x.example [1.2.3.4] failed - POSSIBLE "
       "BREAK-IN ATTEMPT!",
       ""},
      {"sshd",
       "Address 1.2.3.4 maps to x.example, but this does not map back to the address - "
       "POSSIBLE BREAK-IN ATTEMPT!",
       ""},
      {"sshd", "Connection from 1.2.3.4 port 5 on 10.0.0.1 port 22", ""},
      {"sshd", "Received disconnect from 1.2.3.4 port 5:11: Bye Bye [preauth]", ""},
      {"sshd", "Did not receive identification string from 1.2.3.4", ""},
      {"sshd", "banner exchange: Connection from 1.2.3.4 port 5: invalid format", ""},
      {"sshd",
       "PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= "
       "rhost=1.2.3.4  user=root",
       ""},
      {"sshd", "Failed none for invalid user x from 1.2.3.4 port 5 ssh2", ""},
      {"kernel", "Failed password for root from 1.2.3.4 port 22 ssh2", ""},
      {"systemd", "Started ssh.service - OpenBSD Secure Shell server.", ""},
  };
  for (const auto& v : kQuiet) {
    for (Header h : {Header::kRfc3164, Header::kRfc5424, Header::kIso8601, Header::kJournal}) {
      EXPECT_THAT(ParseIn(h, v), IsEmpty()) << v.message;
    }
  }
}

}  // namespace
}  // namespace rampart::agent
