#pragma once
// Pure parsers of single auth messages (the text after "sshd[123]: "). They classify a message and
// take its fields by position from the daemon's fixed text, reading attacker-controlled parts (user
// names, banners) last: an address is taken from the fixed suffix at the END of the message (" from
// A port P ssh2") and validated as an IP literal or host name, and the user is everything between
// the fixed prefix and that suffix. The views in AuthMessage point into the message. No allocation,
// no regex.
//
// Whether a message counts is decided by AuthLogParser (auth_log.cpp) with the connection's
// context; `type` tells it how.

#include <cstdint>
#include <string_view>

namespace rampart::agent {

enum class AuthMessageType {
  kNone,      // not a login event and no connection context (also: reverse-DNS warnings, banners)
  kFailure,   // one guess (password, keyboard-interactive, dropbear bad password, FTP/DB failures)
  kDeferred,  // fails only if the connection never succeeds (publickey, hostbased, gssapi offers)
  kPam,       // a PAM failure notice; duplicates the daemon's own failure line where it has one
  kPamMore,   // PAM "N more authentication failures" (attempts = N)
  kAnnounce,  // invalid/illegal user, not allowed, root refused: counted once per connection and
              // user
  kPreauth,  // an authenticating user's disconnect before success (max attempts, too many failures)
  kSuccess,  // accepted login
  kConnect,  // "Connection from A port P ...": remembers the source for lines without one
  kClose,    // the connection ended (no event by itself)
  kSummary,  // sudo "N incorrect password attempts", su "FAILED SU": the process's own failure line
};

struct AuthMessage {
  AuthMessageType type = AuthMessageType::kNone;
  std::string_view kind;  // LoginEvent::kind
  std::string_view user;
  std::string_view source;  // "" when the message has none
  int port = 0;
  std::uint32_t attempts = 1;
  bool invalid_user = false;    // the daemon said the account does not exist
  bool closes = false;          // the message also ends the connection (preauth disconnects)
  bool exact_attempts = false;  // kPreauth: `attempts` is the daemon's own count of failed tries
  std::string_view service;     // PAM lines: the service in "pam_unix(SERVICE:auth)"; else ""
};

// True for an IPv4 literal, an IPv6 literal (incl. "::ffff:1.2.3.4" and "%zone"), or a host name
// (letters, digits, '-', '.', '_'; at most 253 bytes).
bool IsAddressOrHost(std::string_view s);

// "message repeated N times: [ MSG]" (rsyslog's repeat reduction) -> MSG and *times = N; otherwise
// returns `msg` unchanged with *times = 1.
std::string_view UnwrapRepeated(std::string_view msg, std::uint32_t* times);

// a * b, saturating at 1,000,000,000 (repeat counts multiply).
std::uint32_t MultiplyAttempts(std::uint32_t a, std::uint32_t b);

// OpenSSH 3-9 (sshd, sshd-session) messages, including "message repeated N times: [ ... ]".
AuthMessage ParseSshdMessage(std::string_view msg);
// Dropbear messages.
AuthMessage ParseDropbearMessage(std::string_view msg);
// "pam_unix(SERVICE:auth): authentication failure; ... rhost=A  user=U", "... N more authentication
// failures; ...", "PAM N more authentication failures; ..." (service = "" then). Any program.
AuthMessage ParsePamMessage(std::string_view msg);

// Parses the fixed tail " from A[ port P][ ssh1|ssh2][: KEYINFO]" at the end of `msg`: finds the
// LAST " from ", validates A. On success *head is the text before it. False when the tail is
// malformed (then nothing is taken from the message, the outputs are untouched: an earlier " from "
// is attacker text).
bool ParseFromTail(std::string_view msg, std::string_view* head, std::string_view* addr, int* port);

}  // namespace rampart::agent
