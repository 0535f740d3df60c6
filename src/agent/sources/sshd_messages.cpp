#include "agent/sources/sshd_messages.h"

#include <cstring>

#include "common/strings.h"

namespace rampart::agent {
namespace {

using T = AuthMessageType;

int ParsePort(std::string_view s) {
  if (s.empty() || s.size() > 5) return -1;
  int p = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return -1;
    p = p * 10 + (c - '0');
  }
  return p <= 65535 ? p : -1;
}

bool IsIpv4(std::string_view s) {
  int parts = 0;
  unsigned value = 0;
  int digits = 0;
  for (char c : s) {
    if (c == '.') {
      if (digits == 0 || ++parts > 3) return false;
      digits = 0;
      value = 0;
    } else if (c >= '0' && c <= '9') {
      value = value * 10 + static_cast<unsigned>(c - '0');
      if (++digits > 3 || value > 255) return false;
    } else {
      return false;
    }
  }
  return parts == 3 && digits > 0;
}

// Last position of " WORD " in s, as s.rfind(" WORD "): the address tail is searched on nearly
// every line, so the candidates (WORD's first letter) are found from the end with memrchr, which
// scans many bytes per step, and only they are compared.
template <std::size_t N>
std::size_t RFindWord(std::string_view s, const char (&word)[N]) {
  constexpr std::size_t n = N - 1;  // " WORD "
  if (s.size() < n) return std::string_view::npos;
  const char* base = s.data();
  // A match at i has WORD's first letter at i + 1, in [1, s.size() - n + 1].
  std::size_t end = s.size() - n + 2;  // search [1, end) for the letter
  while (end > 1) {
    const void* hit = memrchr(base + 1, word[1], end - 1);
    if (hit == nullptr) return std::string_view::npos;
    const auto j = static_cast<std::size_t>(static_cast<const char*>(hit) - base);
    if (base[j - 1] == ' ' && std::memcmp(base + j, word + 1, n - 1) == 0) return j - 1;
    end = j;
  }
  return std::string_view::npos;
}

// Strips "invalid user " / "illegal user " in front of a user name.
bool StripInvalid(std::string_view* user) {
  return ConsumePrefix(user, "invalid user ") || ConsumePrefix(user, "illegal user ");
}

// Method word of "Accepted/Failed METHOD for" -> event kind and whether a failure of it is
// deferred.
std::string_view MethodKind(std::string_view method, bool* deferred) {
  *deferred = false;
  if (method == "password") return "password";
  if (StartsWith(method, "keyboard-interactive")) return "keyboard-interactive";
  *deferred = true;
  if (method == "publickey") return "publickey";
  if (method == "hostbased") return "hostbased";
  if (StartsWith(method, "gssapi")) return "gssapi";
  *deferred = false;
  return method;
}

// "Accepted|Failed METHOD for [invalid user ]USER from A port P ssh2[: KEYINFO]".
AuthMessage ParseAcceptedFailed(std::string_view msg, bool accepted) {
  AuthMessage m;
  std::string_view head;
  if (!ParseFromTail(msg, &head, &m.source, &m.port)) return m;
  head.remove_prefix(accepted ? 9 : 7);  // "Accepted " / "Failed "
  const std::size_t for_pos = head.find(" for ");
  if (for_pos == std::string_view::npos) return m;
  const std::string_view method = head.substr(0, for_pos);
  if (method.empty() || method.find(' ') != std::string_view::npos || method == "none") return m;
  // Hostbased key info quotes the client's user and host: with a second " from " the tail is
  // ambiguous.
  if (method == "hostbased" && msg.find(" from ") != msg.rfind(" from ")) return m;
  m.user = head.substr(for_pos + 5);
  m.invalid_user = StripInvalid(&m.user);
  bool deferred = false;
  m.kind = MethodKind(method, &deferred);
  m.type = accepted ? T::kSuccess : (deferred ? T::kDeferred : T::kFailure);
  return m;
}

// "USER A port P" at the end of a preauth disconnect (the address is the last token before " port
// ").
bool ParseUserAddrPort(std::string_view s, AuthMessage* m) {
  const std::size_t port_pos = RFindWord(s, " port ");
  if (port_pos == std::string_view::npos) return false;
  m->port = ParsePort(s.substr(port_pos + 6));
  if (m->port < 0) return false;
  s = s.substr(0, port_pos);
  const std::size_t sp = s.rfind(' ');
  if (sp == std::string_view::npos) return false;
  m->source = s.substr(sp + 1);
  m->user = s.substr(0, sp);
  return IsAddressOrHost(m->source);
}

// "Connection closed by|reset by|Disconnected from ...": preauth for an authenticating/invalid
// user.
AuthMessage ParseDisconnect(std::string_view rest) {
  AuthMessage m;
  m.type = T::kClose;
  m.closes = true;
  bool invalid = false;
  if (ConsumePrefix(&rest, "authenticating user ") ||
      (invalid = ConsumePrefix(&rest, "invalid user "))) {
    AuthMessage p;
    if (!ParseUserAddrPort(rest, &p)) return m;
    p.type = T::kPreauth;
    p.kind = "preauth";
    p.invalid_user = invalid;
    p.closes = true;
    return p;
  }
  return m;
}

// An IPv6 literal, maybe "::ffff:1.2.3.4" or "fe80::1%eth0" (s holds a ':').
bool IsIpv6Text(std::string_view s) {
  const std::size_t pct = s.find('%');
  std::string_view addr = s.substr(0, pct);
  if (pct != std::string_view::npos && pct + 1 == s.size()) return false;
  if (addr.size() < 2 || addr.size() > 45) return false;
  int colons = 0;
  for (char c : addr) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (c == ':') ++colons;
    if (!hex && c != ':' && c != '.') return false;
  }
  if (colons < 2) return false;
  if (pct != std::string_view::npos) {
    for (char c : s.substr(pct + 1)) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
        return false;
      }
    }
  }
  const std::size_t dot = addr.find('.');
  if (dot != std::string_view::npos) return IsIpv4(addr.substr(addr.rfind(':') + 1));
  return true;
}

}  // namespace

bool IsAddressOrHost(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  // One pass for the usual cases, an IPv4 literal (checked on the way) or a host name; a ':'
  // anywhere makes it an IPv6 literal.
  bool all_digits_dots = true;
  bool ipv4 = true;
  int parts = 0;
  unsigned value = 0;
  int digits = 0;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      value = value * 10 + static_cast<unsigned>(c - '0');
      if (++digits > 3 || value > 255) ipv4 = false;
      continue;
    }
    if (c == '.') {
      if (digits == 0 || ++parts > 3) ipv4 = false;
      digits = 0;
      value = 0;
      continue;
    }
    all_digits_dots = false;
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alpha && c != '-' && c != '_') {
      return s.find(':') != std::string_view::npos && IsIpv6Text(s);
    }
  }
  return all_digits_dots ? ipv4 && parts == 3 && digits > 0 : true;
}

bool ParseFromTail(std::string_view msg, std::string_view* head, std::string_view* addr,
                   int* port) {
  const std::size_t pos = RFindWord(msg, " from ");
  if (pos == std::string_view::npos) return false;
  std::string_view tail = msg.substr(pos + 6);
  const std::size_t sp = tail.find(' ');
  const std::string_view a = tail.substr(0, sp);
  if (!IsAddressOrHost(a)) return false;
  int p = 0;
  tail = sp == std::string_view::npos ? std::string_view{} : tail.substr(sp);
  if (ConsumePrefix(&tail, " port ")) {
    std::size_t end = 0;
    while (end < tail.size() && tail[end] >= '0' && tail[end] <= '9') ++end;
    p = ParsePort(tail.substr(0, end));
    if (p < 0) return false;
    tail.remove_prefix(end);
  }
  if (ConsumePrefix(&tail, " ssh2") || ConsumePrefix(&tail, " ssh1")) {
    // Key info may follow "ssh2: ".
    if (!tail.empty() && !StartsWith(tail, ": ")) return false;
  } else if (!tail.empty()) {
    return false;
  }
  *head = msg.substr(0, pos);
  *addr = a;
  *port = p;
  return true;
}

std::uint32_t MultiplyAttempts(std::uint32_t a, std::uint32_t b) {
  const std::uint64_t p = std::uint64_t{a} * b;
  return p > 1000000000u ? 1000000000u : static_cast<std::uint32_t>(p);
}

std::string_view UnwrapRepeated(std::string_view msg, std::uint32_t* times) {
  *times = 1;
  std::string_view rest = msg;
  if (!ConsumePrefix(&rest, "message repeated ")) return msg;
  const std::size_t sp = rest.find(' ');
  auto n = ParseInt<std::uint32_t>(rest.substr(0, sp));
  if (!n || *n == 0 || *n > 1000000 || sp == std::string_view::npos) return msg;
  rest.remove_prefix(sp);
  if (!ConsumePrefix(&rest, " times: [") || !ConsumeSuffix(&rest, "]")) return msg;
  if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (StartsWith(rest, "message repeated ")) return msg;  // never nested
  *times = *n;
  return rest;
}

AuthMessage ParseSshdMessage(std::string_view msg) {
  AuthMessage m;
  std::uint32_t times = 1;
  msg = UnwrapRepeated(msg, &times);
  if (times > 1) {
    m = ParseSshdMessage(msg);
    m.attempts = MultiplyAttempts(m.attempts, times);
    return m;
  }
  if (!ConsumeSuffix(&msg, " [preauth]")) ConsumeSuffix(&msg, " [net]");
  if (!ConsumePrefix(&msg, "error: ")) ConsumePrefix(&msg, "fatal: ");

  if (StartsWith(msg, "Failed ")) return ParseAcceptedFailed(msg, false);
  if (StartsWith(msg, "Accepted ")) return ParseAcceptedFailed(msg, true);
  if (StartsWith(msg, "Invalid user ") || StartsWith(msg, "Illegal user ")) {
    std::string_view head;
    if (!ParseFromTail(msg, &head, &m.source, &m.port)) return m;
    m.user = head.substr(13);
    m.type = T::kAnnounce;
    m.kind = "invalid_user";
    m.invalid_user = true;
    return m;
  }
  if (ConsumePrefix(&msg, "input_userauth_request: ")) {
    if (!StripInvalid(&msg)) return m;
    m.user = msg;
    m.type = T::kAnnounce;
    m.kind = "invalid_user";
    m.invalid_user = true;
    return m;
  }
  if (StartsWith(msg, "PAM: Authentication failure for ")) {
    std::string_view head;
    if (!ParseFromTail(msg, &head, &m.source, &m.port)) return m;
    m.user = head.substr(32);
    m.invalid_user = StripInvalid(&m.user);
    m.type = T::kPam;
    m.kind = "pam";
    m.service = "sshd";
    return m;
  }
  if (ConsumePrefix(&msg, "ROOT LOGIN REFUSED FROM ")) {
    std::string_view addr = msg.substr(0, msg.find(' '));
    if (!IsAddressOrHost(addr)) return m;
    std::string_view rest = msg.substr(addr.size());
    if (ConsumePrefix(&rest, " port ")) m.port = ParsePort(rest);
    if (m.port < 0 || (!rest.empty() && m.port == 0)) return AuthMessage{};
    m.source = addr;
    m.user = "root";
    m.type = T::kAnnounce;
    m.kind = "root_refused";
    return m;
  }
  if (StartsWith(msg, "User ")) {
    const std::size_t because = msg.rfind(" not allowed because ");
    if (because == std::string_view::npos) return m;
    std::string_view head;
    if (!ParseFromTail(msg.substr(0, because), &head, &m.source, &m.port)) return m;
    m.user = head.substr(5);
    m.type = T::kAnnounce;
    m.kind = m.user == "root" ? "root_refused" : "not_allowed";
    return m;
  }
  if (StartsWith(msg, "maximum authentication attempts exceeded for ")) {
    std::string_view head;
    if (!ParseFromTail(msg, &head, &m.source, &m.port)) return m;
    m.user = head.substr(45);
    m.invalid_user = StripInvalid(&m.user);
    m.type = T::kPreauth;
    m.kind = "max_auth_attempts";
    return m;
  }
  if (ConsumePrefix(&msg, "Disconnecting: Too many authentication failures for ")) {  // OpenSSH 5-6
    m.user = msg;
    m.invalid_user = StripInvalid(&m.user);
    m.type = T::kPreauth;
    m.kind = "preauth";
    m.closes = true;
    return m;
  }
  if (ConsumePrefix(&msg, "Disconnecting ")) {
    if (!ConsumeSuffix(&msg, ": Too many authentication failures")) {
      m.type = T::kClose;
      m.closes = true;
      return m;
    }
    return ParseDisconnect(msg);
  }
  if (ConsumePrefix(&msg, "Connection closed by ") || ConsumePrefix(&msg, "Connection reset by ") ||
      ConsumePrefix(&msg, "Disconnected from ")) {
    return ParseDisconnect(msg);
  }
  if (StartsWith(msg, "Received disconnect from ") || StartsWith(msg, "Timeout before auth") ||
      StartsWith(msg, "pam_unix(sshd:session): session closed")) {
    m.type = T::kClose;
    m.closes = true;
    return m;
  }
  if (ConsumePrefix(&msg, "Connection from ")) {  // "Connection from A port P on B port Q"
    const std::size_t sp = msg.find(' ');
    m.source = msg.substr(0, sp);
    if (!IsAddressOrHost(m.source)) return AuthMessage{};
    std::string_view rest = sp == std::string_view::npos ? std::string_view{} : msg.substr(sp);
    if (ConsumePrefix(&rest, " port ")) m.port = ParsePort(rest.substr(0, rest.find(' ')));
    if (m.port < 0) m.port = 0;
    m.type = T::kConnect;
    return m;
  }
  if (StartsWith(msg, "pam_") || StartsWith(msg, "PAM ")) return ParsePamMessage(msg);
  return m;
}

AuthMessage ParsePamMessage(std::string_view msg) {
  AuthMessage m;
  if (ConsumePrefix(&msg, "pam_")) {
    const std::size_t open = msg.find('(');
    const std::size_t close = msg.find(":auth): ");
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return m;
    m.service = msg.substr(open + 1, close - open - 1);
    if (m.service.empty() || m.service.find(' ') != std::string_view::npos) return m;
    msg.remove_prefix(close + 8);
  } else if (!ConsumePrefix(&msg, "PAM ")) {
    return m;
  }
  if (ConsumePrefix(&msg, "authentication failure; ")) {
    m.type = T::kPam;
  } else {
    const std::size_t sp = msg.find(' ');
    auto n = ParseInt<std::uint32_t>(msg.substr(0, sp));
    if (!n || *n == 0 || sp == std::string_view::npos) return m;
    msg.remove_prefix(sp + 1);
    if (!ConsumePrefix(&msg, "more authentication failures; ") &&
        !ConsumePrefix(&msg, "more authentication failure; ")) {
      return m;
    }
    m.type = T::kPamMore;
    m.attempts = *n;
  }
  m.kind = "pam";
  // "logname=L uid=0 euid=0 tty=T ruser=R rhost=H  user=U": rhost is the first " rhost=" after
  // ruser (ruser is empty for network daemons), the user is everything after it.
  const std::size_t ruser = msg.find("ruser=");
  const std::size_t rhost = msg.find(" rhost=", ruser == std::string_view::npos ? 0 : ruser);
  if (rhost == std::string_view::npos) return m;
  std::string_view rest = msg.substr(rhost + 7);
  const std::size_t sp = rest.find(' ');
  const std::string_view host = rest.substr(0, sp);
  if (IsAddressOrHost(host)) m.source = host;
  rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (ConsumePrefix(&rest, "user=")) m.user = rest;
  return m;
}

AuthMessage ParseDropbearMessage(std::string_view msg) {
  AuthMessage m;
  // Address "A:P" at the end after "from " (the port follows the LAST ':').
  auto addr_port = [&m](std::string_view ap) {
    if (!ap.empty() && ap.front() == '<' && ap.back() == '>') ap = ap.substr(1, ap.size() - 2);
    const std::size_t colon = ap.rfind(':');
    if (colon == std::string_view::npos) return false;
    m.port = ParsePort(ap.substr(colon + 1));
    m.source = ap.substr(0, colon);
    return m.port >= 0 && IsAddressOrHost(m.source);
  };
  // "USER' ... from A:P": the address after the LAST " from ", the user up to the last `user_end`
  // before it ("'" right before " from ", or "' with " for public keys).
  auto quoted_user_from = [&](std::string_view rest, std::string_view user_end) {
    const std::size_t from = rest.rfind(" from ");
    if (from == std::string_view::npos || !addr_port(rest.substr(from + 6))) return false;
    const std::size_t end = rest.rfind(user_end, from);
    if (end == std::string_view::npos || (user_end == "'" && end + 1 != from)) return false;
    m.user = rest.substr(0, end);
    return true;
  };
  if (ConsumePrefix(&msg, "Bad password attempt for '")) {
    if (!quoted_user_from(msg, "'")) return AuthMessage{};
    m.type = T::kFailure;
    m.kind = "password";
    return m;
  }
  if (ConsumePrefix(&msg, "Login attempt for nonexistent user")) {
    const std::size_t from = msg.rfind(" from ");
    if (from == std::string_view::npos || !addr_port(msg.substr(from + 6))) return AuthMessage{};
    std::string_view user = msg.substr(0, from);
    if (ConsumePrefix(&user, " '") && ConsumeSuffix(&user, "'")) m.user = user;
    m.type = T::kAnnounce;
    m.kind = "invalid_user";
    m.invalid_user = true;
    return m;
  }
  if (ConsumePrefix(&msg, "Password auth succeeded for '")) {
    if (!quoted_user_from(msg, "'")) return AuthMessage{};
    m.type = T::kSuccess;
    m.kind = "password";
    return m;
  }
  if (ConsumePrefix(&msg, "Pubkey auth succeeded for '")) {
    if (!quoted_user_from(msg, "' with ")) return AuthMessage{};
    m.type = T::kSuccess;
    m.kind = "publickey";
    return m;
  }
  if (ConsumePrefix(&msg, "Child connection from ")) {
    if (!addr_port(msg)) return AuthMessage{};
    m.type = T::kConnect;
    return m;
  }
  if (ConsumePrefix(&msg, "Exit before auth")) {
    m.type = T::kClose;
    m.closes = true;
    if (ConsumePrefix(&msg,
                      " from ")) {  // "from <A:P>: ..." (2016+); older lines use the connection's
      const std::size_t end = msg.find(">: ");
      if (end == std::string_view::npos || !addr_port(msg.substr(0, end + 1))) return AuthMessage{};
      msg.remove_prefix(end + 3);
    } else {
      ConsumePrefix(&msg, " ");
      ConsumePrefix(&msg, ": ");
    }
    // "(user 'U', N fails): REASON"
    if (!ConsumePrefix(&msg, "(user '")) return m;
    const std::size_t q = msg.find("', ");
    if (q == std::string_view::npos) return m;
    std::string_view rest = msg.substr(q + 3);
    const std::size_t sp = rest.find(" fails)");
    auto n = ParseInt<std::uint32_t>(rest.substr(0, sp));
    if (sp == std::string_view::npos || !n || *n == 0) return m;
    m.user = msg.substr(0, q);
    m.type = T::kPreauth;
    m.kind = "preauth";
    m.attempts = *n;
    m.exact_attempts = true;
    return m;
  }
  if (StartsWith(msg, "Exit (")) {
    m.type = T::kClose;
    m.closes = true;
  }
  return m;
}

}  // namespace rampart::agent
