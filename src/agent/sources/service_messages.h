#pragma once
// Pure parsers of single messages of su, sudo, the FTP daemons and the database servers; the
// counterpart of sshd_messages.h (same AuthMessage, same rules: fixed text by position, attacker
// text — user names — read last, addresses validated).

#include <string_view>

#include "agent/sources/sshd_messages.h"

namespace rampart::agent {

// util-linux su "FAILED SU (to root) bob on pts/0" / "(to root) bob on pts/0"; shadow su "FAILED su
// for root by bob" / "Successful su for root by bob". The user is the target account.
AuthMessage ParseSuMessage(std::string_view msg);
// "bob : 3 incorrect password attempts ; TTY=pts/0 ; ..." (kSummary, attempts = 3, user bob).
AuthMessage ParseSudoMessage(std::string_view msg);
// vsftpd "[bob] FAIL LOGIN: Client \"1.2.3.4\"", "[bob] OK LOGIN: Client \"1.2.3.4\"".
AuthMessage ParseVsftpdMessage(std::string_view msg);
// ProFTPD "srv (client[1.2.3.4]) - USER bob (Login failed): Incorrect password", "... USER bob: no
// such user found from ...", "... USER bob: Login successful.".
AuthMessage ParseProftpdMessage(std::string_view msg);
// Pure-FTPd "(?@1.2.3.4) [WARNING] Authentication failed for user [bob]", "(bob@1.2.3.4) [INFO] bob
// is now logged in".
AuthMessage ParsePureFtpdMessage(std::string_view msg);
// MySQL/MariaDB "Access denied for user 'bob'@'1.2.3.4' (using password: YES)".
AuthMessage ParseMysqlMessage(std::string_view msg);
// PostgreSQL (after "[pid] "): "PREFIX FATAL:  password authentication failed for user \"bob\"",
// "FATAL:  no pg_hba.conf entry for host \"1.2.3.4\", user \"bob\", ...", "FATAL:  role \"x\" does
// not exist", "LOG:  connection received: host=1.2.3.4 port=5432" (kConnect), "LOG:  connection
// authorized: user=bob ..." (kSuccess). The source comes from the prefix (%h / %r, read only up to
// the first user-controlled field) or else "" (the parser fills it from the pid's "connection
// received").
AuthMessage ParsePostgresMessage(std::string_view msg);

}  // namespace rampart::agent
