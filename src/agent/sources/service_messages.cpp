#include "agent/sources/service_messages.h"

#include "common/strings.h"

namespace rampart::agent {
namespace {

using T = AuthMessageType;

// A TCP port, or 0 when `s` is not one.
int PortOrZero(std::string_view s) {
  auto p = ParseInt<int>(s);
  return p && *p > 0 && *p <= 65535 ? *p : 0;
}

// Strips IPv6 brackets "[::1]" and a "(port)" suffix; returns the port or 0.
std::string_view HostOf(std::string_view tok, int* port) {
  *port = 0;
  const std::size_t paren = tok.find('(');
  if (paren != std::string_view::npos && tok.back() == ')') {
    *port = PortOrZero(tok.substr(paren + 1, tok.size() - paren - 2));
    tok = tok.substr(0, paren);
  }
  if (tok.size() > 2 && tok.front() == '[' && tok.back() == ']')
    tok = tok.substr(1, tok.size() - 2);
  return tok;
}

bool IsIpLiteral(std::string_view s) {
  if (!IsAddressOrHost(s)) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == ':' || (c >= 'a' && c <= 'f') ||
          (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return s.find('.') != std::string_view::npos || s.find(':') != std::string_view::npos;
}

}  // namespace

AuthMessage ParseSuMessage(std::string_view msg) {
  AuthMessage m;
  m.kind = "password";
  const bool failed = ConsumePrefix(&msg, "FAILED SU ") || ConsumePrefix(&msg, "FAILED su for ");
  if (ConsumePrefix(&msg, "(to ")) {  // util-linux: "(to root) bob on pts/0"
    const std::size_t close = msg.find(") ");
    if (close == std::string_view::npos) return AuthMessage{};
    m.user = msg.substr(0, close);
  } else if (failed || ConsumePrefix(&msg, "Successful su for ")) {  // shadow: "root by bob"
    const std::size_t by = msg.find(" by ");
    if (by == std::string_view::npos) return AuthMessage{};
    m.user = msg.substr(0, by);
  } else {
    return AuthMessage{};
  }
  m.type = failed ? T::kSummary : T::kSuccess;
  return m;
}

AuthMessage ParseSudoMessage(std::string_view msg) {
  AuthMessage m;
  while (!msg.empty() && msg.front() == ' ') msg.remove_prefix(1);
  const std::size_t colon = msg.find(" : ");
  if (colon == std::string_view::npos) return m;
  std::string_view rest = msg.substr(colon + 3);
  const std::size_t sp = rest.find(' ');
  auto n = ParseInt<std::uint32_t>(rest.substr(0, sp));
  if (!n || *n == 0 || sp == std::string_view::npos) return m;
  rest.remove_prefix(sp);
  if (!StartsWith(rest, " incorrect password attempt")) return m;
  m.type = T::kSummary;
  m.kind = "password";
  m.user = msg.substr(0, colon);
  m.attempts = *n;
  return m;
}

AuthMessage ParseVsftpdMessage(std::string_view msg) {
  AuthMessage m;
  if (!ConsumePrefix(&msg, "[")) return m;
  static constexpr std::string_view kFail = "] FAIL LOGIN: Client \"";
  static constexpr std::string_view kOk = "] OK LOGIN: Client \"";
  std::size_t pos = std::string_view::npos;
  std::string_view tail;
  if (EndsWith(msg, "\"") && (pos = msg.rfind(kFail)) != std::string_view::npos) {
    m.type = T::kFailure;
    tail = msg.substr(pos + kFail.size());
  } else if ((pos = msg.find(kOk)) != std::string_view::npos) {
    // Anonymous logins append the (client-chosen) anon password; the user is then
    // "ftp"/"anonymous".
    const std::string_view user = msg.substr(0, pos);
    if (user != "ftp" && user != "anonymous") pos = msg.rfind(kOk);
    m.type = T::kSuccess;
    tail = msg.substr(pos + kOk.size());
  } else {
    return m;
  }
  m.user = msg.substr(0, pos);
  m.kind = "password";
  const std::size_t quote = tail.find('"');
  m.source = tail.substr(0, quote);
  if (quote == std::string_view::npos || !IsAddressOrHost(m.source)) return AuthMessage{};
  if (m.type == T::kFailure && quote + 1 != tail.size()) return AuthMessage{};
  return m;
}

AuthMessage ParseProftpdMessage(std::string_view msg) {
  AuthMessage m;
  // "SERVER (CLIENT[IP]) - " (syslog) or "SERVER (CLIENT[IP]): " (SystemLog).
  std::size_t end = msg.find("]) - ");
  std::size_t skip = 5;
  const std::size_t alt = msg.find("]): ");
  if (alt != std::string_view::npos && alt < end) {
    end = alt;
    skip = 4;
  }
  if (end == std::string_view::npos) return m;
  const std::size_t open = msg.rfind('[', end);
  if (open == std::string_view::npos) return m;
  m.source = msg.substr(open + 1, end - open - 1);
  if (!IsAddressOrHost(m.source)) return AuthMessage{};
  std::string_view rest = msg.substr(end + skip);
  if (!ConsumePrefix(&rest, "USER ")) return AuthMessage{};
  ConsumeSuffix(&rest, ".");
  m.kind = "password";
  std::size_t pos = 0;
  if ((pos = rest.rfind(" (Login failed): ")) != std::string_view::npos) {
    m.type = T::kFailure;
  } else if ((pos = rest.rfind(": no such user found from ")) != std::string_view::npos) {
    m.type = T::kFailure;
    m.kind = "invalid_user";
    m.invalid_user = true;
  } else if (EndsWith(rest, ": Login successful")) {
    pos = rest.size() - 18;
    m.type = T::kSuccess;
  } else {
    return AuthMessage{};
  }
  m.user = rest.substr(0, pos);
  return m;
}

AuthMessage ParsePureFtpdMessage(std::string_view msg) {
  AuthMessage m;
  if (!ConsumePrefix(&msg, "(")) return m;
  const std::size_t close = msg.find(") [");
  if (close == std::string_view::npos) return m;
  const std::string_view who = msg.substr(0, close);
  const std::size_t at = who.rfind('@');
  if (at == std::string_view::npos) return m;
  m.source = who.substr(at + 1);
  if (!IsAddressOrHost(m.source)) return AuthMessage{};
  std::string_view rest = msg.substr(close + 2);
  m.kind = "password";
  if (ConsumePrefix(&rest, "[WARNING] Authentication failed for user [") &&
      ConsumeSuffix(&rest, "]")) {
    m.type = T::kFailure;
    m.user = rest;
    return m;
  }
  if (ConsumePrefix(&rest, "[INFO] ") && ConsumeSuffix(&rest, " is now logged in")) {
    m.type = T::kSuccess;
    m.user = rest;
    return m;
  }
  return AuthMessage{};
}

AuthMessage ParseMysqlMessage(std::string_view msg) {
  AuthMessage m;
  static constexpr std::string_view kPrefix = "Access denied for user '";
  const std::size_t start = msg.find(kPrefix);
  if (start == std::string_view::npos) return m;
  std::string_view rest = msg.substr(start + kPrefix.size());
  if (!ConsumeSuffix(&rest, "' (using password: YES)") &&
      !ConsumeSuffix(&rest, "' (using password: NO)")) {
    return m;
  }
  const std::size_t at = rest.rfind("'@'");
  if (at == std::string_view::npos) return m;
  m.source = rest.substr(at + 3);
  if (!IsAddressOrHost(m.source)) return AuthMessage{};
  m.user = rest.substr(0, at);
  m.type = T::kFailure;
  m.kind = "password";
  return m;
}

AuthMessage ParsePostgresMessage(std::string_view msg) {
  AuthMessage m;
  if (StartsWith(msg, "[") && msg.find("] ") != std::string_view::npos) {
    msg.remove_prefix(msg.find("] ") + 2);  // syslog sequence "[3-1] "
  }
  std::size_t sev = msg.find("FATAL:  ");
  std::size_t sev_len = 8;
  if (sev == std::string_view::npos) {
    sev = msg.find("LOG:  ");
    sev_len = 6;
    if (sev == std::string_view::npos) return m;
  }
  // Source from the prefix, read up to the first field that may hold the (client-chosen) user name.
  std::string_view prefix = msg.substr(0, sev);
  while (!prefix.empty()) {
    const std::size_t cut = prefix.find_first_of(" ,;");
    std::string_view tok = prefix.substr(0, cut);
    prefix = cut == std::string_view::npos ? std::string_view{} : prefix.substr(cut + 1);
    if (tok.find('@') != std::string_view::npos || StartsWith(tok, "user=") ||
        StartsWith(tok, "db=") || StartsWith(tok, "app=")) {
      break;
    }
    if (!ConsumePrefix(&tok, "host=") && !ConsumePrefix(&tok, "client="))
      ConsumePrefix(&tok, "remote=");
    int port = 0;
    const std::string_view host = HostOf(tok, &port);
    if (IsIpLiteral(host)) {
      m.source = host;
      m.port = port;
      break;
    }
  }
  std::string_view text = msg.substr(sev + sev_len);
  if (sev_len == 6) {
    if (ConsumePrefix(&text, "connection received: host=")) {
      const std::size_t sp = text.find(' ');
      const std::string_view host = text.substr(0, sp);
      m.source = host == "[local]" ? std::string_view{} : HostOf(host, &m.port);
      if (!m.source.empty() && !IsAddressOrHost(m.source)) return AuthMessage{};
      if (sp != std::string_view::npos && StartsWith(text.substr(sp), " port=")) {
        m.port = PortOrZero(text.substr(sp + 6));
      }
      m.type = T::kConnect;
      return m;
    }
    if (ConsumePrefix(&text, "connection authorized: user=")) {
      m.user = text.substr(0, text.find(' '));
      m.type = T::kSuccess;
      m.kind = "login";
      return m;
    }
    return AuthMessage{};
  }
  if (ConsumePrefix(&text, "password authentication failed for user \"") &&
      ConsumeSuffix(&text, "\"")) {
    m.type = T::kFailure;
    m.kind = "password";
    m.user = text;
    return m;
  }
  if (ConsumePrefix(&text, "role \"") && ConsumeSuffix(&text, "\" does not exist")) {
    m.type = T::kFailure;
    m.kind = "invalid_user";
    m.invalid_user = true;
    m.user = text;
    return m;
  }
  if (ConsumePrefix(&text, "no pg_hba.conf entry for host \"")) {
    const std::size_t q = text.find("\", user \"");
    if (q == std::string_view::npos) return AuthMessage{};
    m.source = text.substr(0, q);
    if (!IsAddressOrHost(m.source)) return AuthMessage{};
    std::string_view user = text.substr(q + 9);
    const std::size_t db = user.rfind("\", database \"");
    m.user = user.substr(0, db);
    m.type = T::kFailure;
    m.kind = "not_allowed";
    return m;
  }
  return AuthMessage{};
}

}  // namespace rampart::agent
