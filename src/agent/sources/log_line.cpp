#include "agent/sources/log_line.h"

#include "agent/sources/log_time.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view NextToken(std::string_view* rest) {
  const std::size_t sp = rest->find(' ');
  const std::string_view tok = rest->substr(0, sp);
  *rest = sp == std::string_view::npos ? std::string_view{} : rest->substr(sp + 1);
  return tok;
}

void SkipSpaces(std::string_view* s) {
  while (!s->empty() && s->front() == ' ') s->remove_prefix(1);
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// "HOST PROG[PID]: MSG", "PROG[PID]: MSG" (no host) or ProFTPD's "HOST proftpd[PID] MSG".
bool ParseSyslogTail(std::string_view rest, LogLine* out) {
  SkipSpaces(&rest);
  std::string_view first = NextToken(&rest);
  if (first.empty()) return false;
  std::string_view prog_tok;
  if (first.back() == ':' && rest.size() > 0) {  // no host field
    prog_tok = first;
  } else {
    out->host = first;
    prog_tok = NextToken(&rest);
  }
  if (prog_tok.empty()) return false;
  if (prog_tok.back() == ':') {
    prog_tok.remove_suffix(1);
  } else if (prog_tok.back() != ']') {
    return false;  // "last message repeated", kernel continuation lines, ...
  }
  SplitProgramPid(prog_tok, &out->program, &out->pid);
  if (out->program.empty()) return false;
  out->message = rest;
  return true;
}

// RFC 5424 after "<PRI>1 ": "TS HOST APP PROCID MSGID SD MSG".
bool ParseRfc5424(std::string_view rest, const LineClock& clock, LogLine* out) {
  std::string_view ts = NextToken(&rest);
  if (ts != "-") {
    auto t = ParseIsoTime(ts, clock.local_utc_offset);
    if (!t || t->length != ts.size()) return false;
    out->sec = t->sec;
    out->nsec = t->nsec;
  }
  std::string_view host = NextToken(&rest);
  std::string_view app = NextToken(&rest);
  std::string_view procid = NextToken(&rest);
  std::string_view msgid = NextToken(&rest);
  if (msgid.empty() || app.empty()) return false;
  out->host = host == "-" ? std::string_view{} : host;
  SplitProgramPid(app == "-" ? std::string_view{} : app, &out->program, &out->pid);
  if (auto pid = ParseInt<std::int64_t>(procid)) out->pid = *pid;
  // Structured data: "-" or one or more "[...]" elements (']' escaped as "\]").
  if (!rest.empty() && rest.front() == '-') {
    rest.remove_prefix(1);
  } else {
    while (!rest.empty() && rest.front() == '[') {
      std::size_t i = 1;
      while (i < rest.size() && rest[i] != ']')
        i += rest[i] == '\\' ? std::size_t{2} : std::size_t{1};
      if (i >= rest.size()) return false;
      rest.remove_prefix(i + 1);
    }
  }
  if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);  // BOM
  out->message = rest;
  return !out->program.empty();
}

// After the time of a MySQL line: "THREAD [Level] [MY-n] [Server] MSG" or "[Level] MSG".
bool ParseMysqlTail(std::string_view rest, LogLine* out) {
  SkipSpaces(&rest);
  if (!rest.empty() && IsDigit(rest.front())) NextToken(&rest);  // thread / connection id
  if (rest.empty() || rest.front() != '[') return false;
  // Drop up to three leading "[...]" tags: level, error code, subsystem.
  for (int i = 0; i < 3 && !rest.empty() && rest.front() == '['; ++i) {
    const std::size_t close = rest.find("] ");
    if (close == std::string_view::npos) return false;
    rest.remove_prefix(close + 2);
  }
  out->program = "mysqld";
  out->message = rest;
  return true;
}

// After the time of a PostgreSQL line: "[PID] MSG" (or "[PID-N] MSG").
bool ParsePostgresTail(std::string_view rest, LogLine* out) {
  if (rest.size() < 3 || rest.front() != ' ' || rest[1] != '[') return false;
  const std::size_t close = rest.find(']');
  if (close == std::string_view::npos) return false;
  std::string_view pid = rest.substr(2, close - 2);
  pid = pid.substr(0, pid.find('-'));
  auto p = ParseInt<std::int64_t>(pid);
  if (!p) return false;
  out->pid = *p;
  out->program = "postgres";
  rest.remove_prefix(close + 1);
  SkipSpaces(&rest);
  out->message = rest;
  return true;
}

bool ParseIsoFamily(std::string_view line, LogFormat format, const LineClock& clock, LogLine* out) {
  // A PostgreSQL time carries a zone word and a "[pid]" follows.
  if (format == LogFormat::kAuto || format == LogFormat::kPostgres) {
    auto t = ParsePostgresTime(line, clock.local_utc_offset);
    if (t) {
      LogLine pg;
      pg.sec = t->sec;
      pg.nsec = t->nsec;
      if (ParsePostgresTail(line.substr(t->length), &pg)) {
        *out = pg;
        return true;
      }
    }
    if (format == LogFormat::kPostgres) return false;
  }
  auto t = ParseIsoTime(line, clock.local_utc_offset);
  if (!t) return false;
  out->sec = t->sec;
  out->nsec = t->nsec;
  std::string_view rest = line.substr(t->length);
  SkipSpaces(&rest);
  // MySQL: a thread id then "[Level]", or "[Level]" directly.
  std::string_view probe = rest;
  std::string_view first = NextToken(&probe);
  const bool mysql = (!first.empty() && first.front() == '[') ||
                     (AllDigits(first) && !probe.empty() && probe.front() == '[');
  if (mysql && (format == LogFormat::kAuto || format == LogFormat::kMysql)) {
    return ParseMysqlTail(rest, out);
  }
  if (format == LogFormat::kMysql) return false;
  return ParseSyslogTail(rest, out);
}

}  // namespace

void SplitProgramPid(std::string_view token, std::string_view* program, std::int64_t* pid) {
  *pid = -1;
  const std::size_t open = token.find('[');
  if (open != std::string_view::npos && token.back() == ']') {
    const std::string_view digits = token.substr(open + 1, token.size() - open - 2);
    // Nearly every line has a plain decimal pid: read it here; anything else ("-1", 19+ digits,
    // junk) takes ParseInt's full checks.
    std::int64_t value = 0;
    std::size_t i = 0;
    if (digits.size() <= 18) {
      while (i < digits.size() && IsDigit(digits[i])) value = value * 10 + (digits[i++] - '0');
    }
    if (!digits.empty() && i == digits.size()) {
      *pid = value;
    } else if (auto p = ParseInt<std::int64_t>(digits)) {
      *pid = *p;
    }
    token = token.substr(0, open);
  }
  const std::size_t slash = token.rfind('/');
  if (slash != std::string_view::npos) token.remove_prefix(slash + 1);
  *program = token;
}

bool ParseLogLine(std::string_view line, LogFormat format, const LineClock& clock, LogLine* out) {
  *out = LogLine{};
  // Optional "<PRI>" (syslog over the network, or written raw).
  if (!line.empty() && line.front() == '<') {
    const std::size_t close = line.find('>');
    if (close != std::string_view::npos && close <= 4 && AllDigits(line.substr(1, close - 1))) {
      line.remove_prefix(close + 1);
      if (line.size() > 2 && line[0] == '1' && line[1] == ' ') {
        if (format != LogFormat::kAuto && format != LogFormat::kRfc5424) return false;
        return ParseRfc5424(line.substr(2), clock, out);
      }
    }
  }
  if (line.empty()) return false;
  if (format == LogFormat::kRfc5424) return false;
  if (line.size() > 4 && line[0] >= 'A' && line[0] <= 'Z') {
    if (format == LogFormat::kAuto || format == LogFormat::kSyslog) {
      if (auto t = ParseRfc3164Time(line, clock.reference_time, clock.local_utc_offset)) {
        out->sec = t->sec;
        out->nsec = t->nsec;
        return ParseSyslogTail(line.substr(t->length), out);
      }
    }
    if (format == LogFormat::kAuto) {
      // vsftpd's own log: "Sun Nov 29 02:51:27 2026 [pid 2] [bob] FAIL LOGIN: ...".
      if (auto t = ParseCtimeTime(line, clock.local_utc_offset)) {
        std::string_view rest = line.substr(t->length);
        if (rest.substr(0, 6) != " [pid ") return false;
        rest.remove_prefix(6);
        const std::size_t close = rest.find("] ");
        if (close == std::string_view::npos) return false;
        out->pid = ParseInt<std::int64_t>(rest.substr(0, close)).value_or(-1);
        out->sec = t->sec;
        out->program = "vsftpd";
        out->message = rest.substr(close + 2);
        return true;
      }
    }
    return false;
  }
  if (!IsDigit(line[0])) return false;
  if (line.size() > 7 && IsDigit(line[5]) && line[6] == ' ' &&
      (format == LogFormat::kAuto || format == LogFormat::kMysql)) {
    if (auto t = ParseMysqlOldTime(line, clock.local_utc_offset)) {
      out->sec = t->sec;
      return ParseMysqlTail(line.substr(t->length), out);
    }
  }
  if (format == LogFormat::kSyslog) return false;
  return ParseIsoFamily(line, format, clock, out);
}

}  // namespace rampart::agent
