// AuthLogParser: header parsing (log_line.h), per-service message parsing (sshd_messages.h,
// service_messages.h) and the per-connection state that decides what counts. Counting rules are in
// docs/logscan.md ("Parsing"); in short:
//   - every failed password / keyboard-interactive try, FTP/DB failure counts (attempts = repeats);
//   - a failed public-key/hostbased/gssapi offer is held until the connection ends, and dropped if
//   it
//     succeeds;
//   - PAM notices of daemons that log their own failure line (sshd, su, sudo, vsftpd, proftpd) are
//   held
//     and dropped when that line follows on the same process; "N more authentication failures" of
//     those daemons is dropped (it summarises lines already counted);
//   - invalid/illegal/not-allowed user and refused root login count once per connection and user;
//   - a preauth disconnect of an authenticating user counts once, and only when nothing else on the
//     connection counted and it never succeeded (dropbear: its "N fails" minus the guesses
//     counted).
#include "agent/sources/auth_log.h"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <functional>
#include <unordered_map>

#include "agent/sources/log_line.h"
#include "agent/sources/service_messages.h"
#include "agent/sources/sshd_messages.h"

namespace rampart::agent {
namespace {

using T = AuthMessageType;

constexpr std::size_t kMaxConnections = 16384;
constexpr std::size_t kMaxHeldPerConnection = 64;
constexpr std::int64_t kIdleSeconds = 3600;

enum class Service {
  kOther,
  kSshd,
  kDropbear,
  kSu,
  kSudo,
  kVsftpd,
  kProftpd,
  kPureFtpd,
  kMysql,
  kPostgres
};

struct ServiceInfo {
  Service id;
  std::string_view name;
};

ServiceInfo ServiceOf(std::string_view program) {
  if (program == "sshd" || program == "sshd-session" || program == "sshd-auth") {
    return {Service::kSshd, "sshd"};
  }
  if (program == "dropbear") return {Service::kDropbear, "dropbear"};
  if (program == "su") return {Service::kSu, "su"};
  if (program == "sudo") return {Service::kSudo, "sudo"};
  if (program == "vsftpd") return {Service::kVsftpd, "vsftpd"};
  if (program == "proftpd") return {Service::kProftpd, "proftpd"};
  if (program == "pure-ftpd") return {Service::kPureFtpd, "pure-ftpd"};
  if (program == "mysqld" || program == "mariadbd" || program == "mysql" || program == "mariadb") {
    return {Service::kMysql, "mysql"};
  }
  if (program == "postgres" || program == "postgresql" || program == "postmaster") {
    return {Service::kPostgres, "postgresql"};
  }
  return {Service::kOther, program};
}

// Daemons whose own failure line repeats what their PAM module logged for the same attempt.
bool DedupsPam(Service s) {
  return s == Service::kSshd || s == Service::kSu || s == Service::kSudo || s == Service::kVsftpd ||
         s == Service::kProftpd;
}

bool IsPamText(std::string_view msg) {
  return msg.substr(0, 4) == "pam_" || msg.substr(0, 4) == "PAM ";
}

AuthMessage Classify(Service s, std::string_view msg) {
  switch (s) {
    case Service::kSshd:
      return ParseSshdMessage(msg);
    case Service::kDropbear:
      return ParseDropbearMessage(msg);
    case Service::kMysql:
      return ParseMysqlMessage(msg);
    case Service::kPostgres:
      return ParsePostgresMessage(msg);
    default:
      break;
  }
  if (IsPamText(msg)) return ParsePamMessage(msg);
  switch (s) {
    case Service::kSu:
      return ParseSuMessage(msg);
    case Service::kSudo:
      return ParseSudoMessage(msg);
    case Service::kVsftpd:
      return ParseVsftpdMessage(msg);
    case Service::kProftpd:
      return ParseProftpdMessage(msg);
    case Service::kPureFtpd:
      return ParsePureFtpdMessage(msg);
    default:
      return AuthMessage{};
  }
}

struct Connection {
  std::vector<LoginEvent> deferred;  // failed key offers, until the connection ends
  // PAM notices awaiting the daemon's own failure line (at most 2). A vector: a std::deque
  // allocates on construction, and most connections never hold one.
  std::vector<LoginEvent> pam;
  std::vector<std::string> announced;  // "kind\nuser" already counted
  std::string source;                  // from "Connection from" / "connection received"
  int port = 0;
  std::uint64_t guesses = 0;  // failed tries counted on this connection
  bool counted = false;
  bool succeeded = false;
  std::int64_t last_sec = 0;
  std::uint64_t last_seq = 0;  // the parser's line counter when last touched
};

}  // namespace

Result<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "auto") return LogFormat::kAuto;
  if (name == "syslog") return LogFormat::kSyslog;
  if (name == "rfc5424") return LogFormat::kRfc5424;
  if (name == "iso8601") return LogFormat::kIso8601;
  if (name == "mysql") return LogFormat::kMysql;
  if (name == "postgres") return LogFormat::kPostgres;
  return InvalidArgument("unknown log format '" + std::string(name) +
                         "' (expected auto, syslog, rfc5424, iso8601, mysql or postgres)");
}

struct AuthLogParser::State {
  AuthLogOptions options;
  FileName file;                // options.file, shared by the events
  FileName journal{"journal"};  // for journal entries when options.file is empty
  LineClock clock;
  std::unordered_map<std::uint64_t, Connection> conns;
  std::uint64_t lines = 0;
  std::int64_t latest_sec = 0;
  std::string last_host;  // Handle()'s cache of the host name's hash
  std::size_t last_host_hash = std::hash<std::string_view>{}(std::string_view{});

  std::vector<LoginEvent>* out = nullptr;

  void Emit(LoginEvent&& e) { out->push_back(std::move(e)); }

  void Close(std::uint64_t key) {
    auto it = conns.find(key);
    if (it == conns.end()) return;
    Connection& c = it->second;
    for (auto& e : c.pam) Emit(std::move(e));
    if (!c.succeeded) {
      for (auto& e : c.deferred) Emit(std::move(e));
    }
    conns.erase(it);
  }

  // Closes connections idle for an hour of log time and 64k lines (both: log time can jump back in
  // concatenated or clock-corrected logs), or the oldest half when there are too many.
  void Sweep() {
    std::vector<std::uint64_t> idle;
    for (const auto& [key, c] : conns) {
      if (c.last_sec + kIdleSeconds < latest_sec && c.last_seq + 65536 < lines) {
        idle.push_back(key);
      }
    }
    if (conns.size() - idle.size() > kMaxConnections / 2) {
      std::vector<std::pair<std::uint64_t, std::uint64_t>> by_age;
      for (const auto& [key, c] : conns) by_age.emplace_back(c.last_seq, key);
      std::sort(by_age.begin(), by_age.end());
      for (std::size_t i = 0; i < by_age.size() / 2; ++i) idle.push_back(by_age[i].second);
    }
    for (auto key : idle) Close(key);
  }

  // Strings are constructed from the views (cheaper than assigning into default ones).
  LoginEvent Make(const LogLine& l, std::uint64_t line_no, std::string_view service,
                  const AuthMessage& m) const {
    return LoginEvent{
        .file = options.file.empty() && line_no == 0 ? journal : file,
        .line = line_no,
        .time = l.sec,
        .time_nsec = l.nsec,
        .service = std::string(service),
        .outcome = m.type == T::kSuccess ? LoginOutcome::kSuccess : LoginOutcome::kFailure,
        .kind = std::string(m.kind),
        .user = std::string(m.user),
        .source = std::string(m.source),
        .port = m.port,
        .host = std::string(l.host),
        .attempts = m.attempts,
        .invalid_user = m.invalid_user,
    };
  }

  // Converts to the event Make builds: emplace_back constructs it in place from the conversion,
  // with no temporary event to move.
  struct MadeEvent {
    const State& state;
    const LogLine& l;
    std::uint64_t line_no;
    std::string_view service;
    const AuthMessage& m;
    operator LoginEvent() const {  // NOLINT(google-explicit-constructor)
      return state.Make(l, line_no, service, m);
    }
  };

  void EmitNew(const LogLine& l, std::uint64_t line_no, std::string_view service,
               const AuthMessage& m) {
    out->emplace_back(MadeEvent{*this, l, line_no, service, m});
  }

  void Handle(const LogLine& l, std::uint64_t line_no) {
    const ServiceInfo svc = ServiceOf(l.program);
    std::uint32_t times = 1;
    const std::string_view msg = UnwrapRepeated(l.message, &times);
    AuthMessage m = Classify(svc.id, msg);
    if (m.type == T::kNone) return;
    m.attempts = MultiplyAttempts(m.attempts, times);
    latest_sec = std::max(latest_sec, l.sec);
    std::string_view service = svc.name;
    if ((m.type == T::kPam || m.type == T::kPamMore) && !m.service.empty()) service = m.service;
    const bool stateful = svc.id != Service::kOther && l.pid >= 0;
    if (!stateful) {
      // No process to correlate: every failure and success stands alone.
      if (m.type == T::kFailure || m.type == T::kPam || m.type == T::kPamMore ||
          m.type == T::kAnnounce || m.type == T::kSummary || m.type == T::kSuccess ||
          m.type == T::kDeferred) {
        EmitNew(l, line_no, service, m);
      }
      return;
    }
    // Hosts rarely change within a file: hash the name once per change, not once per line.
    if (l.host != last_host) {
      last_host.assign(l.host);
      last_host_hash = std::hash<std::string_view>{}(l.host);
    }
    // The service by its id (stateful services are the known ones): no string hash per line.
    const std::uint64_t key = (last_host_hash * 1000003u) ^
                              (static_cast<std::uint64_t>(svc.id) * 0x9E3779B97F4A7C15u) ^
                              static_cast<std::uint64_t>(l.pid);
    if (m.type == T::kConnect) Close(key);
    if (m.type == T::kClose) return Close(key);
    const bool dedup = DedupsPam(svc.id);
    // Summaries of lines already counted ("PAM N more" of sshd) need no state; they often follow
    // the connection's last line.
    if (m.type == T::kPamMore && dedup) return;
    Connection& c = conns[key];
    c.last_sec = l.sec;
    c.last_seq = lines;
    if (m.source.empty() && !c.source.empty()) {
      m.source = c.source;
      if (m.port == 0) m.port = c.port;
    }
    switch (m.type) {
      case T::kConnect:
        c.source = m.source;
        c.port = m.port;
        break;
      case T::kFailure:
      case T::kSummary:
        c.pam.clear();
        c.guesses += m.attempts;
        c.counted = true;
        EmitNew(l, line_no, service, m);
        break;
      case T::kPam:
        if (!dedup) {
          c.counted = true;
          c.guesses += m.attempts;
          EmitNew(l, line_no, service, m);
        } else {
          if (c.pam.size() >= 2) {
            Emit(std::move(c.pam.front()));
            c.pam.erase(c.pam.begin());
          }
          c.pam.emplace_back(MadeEvent{*this, l, line_no, service, m});
        }
        break;
      case T::kPamMore:  // not a dedup service (returned above)
        c.counted = true;
        c.guesses += m.attempts;
        EmitNew(l, line_no, service, m);
        break;
      case T::kDeferred:
        if (!c.succeeded && c.deferred.size() < kMaxHeldPerConnection) {
          c.deferred.emplace_back(MadeEvent{*this, l, line_no, service, m});
        }
        break;
      case T::kAnnounce: {
        std::string tag(m.kind);
        tag.push_back('\n');
        tag.append(m.user);
        bool seen = false;
        for (const auto& a : c.announced) seen = seen || a == tag;
        if (!seen) {
          if (c.announced.size() < kMaxHeldPerConnection) c.announced.push_back(std::move(tag));
          c.counted = true;
          EmitNew(l, line_no, service, m);
        }
        break;
      }
      case T::kPreauth:
        if (!c.succeeded) {
          // The connection gave up: what it held were real failures, counted before this line.
          for (auto& e : c.pam) {
            c.guesses += e.attempts;
            c.counted = true;
            Emit(std::move(e));
          }
          c.pam.clear();
          for (auto& e : c.deferred) {
            c.guesses += e.attempts;
            c.counted = true;
            Emit(std::move(e));
          }
          c.deferred.clear();
          if (m.exact_attempts) {
            if (m.attempts > c.guesses) {
              m.attempts -= static_cast<std::uint32_t>(c.guesses);
              c.guesses += m.attempts;
              c.counted = true;
              EmitNew(l, line_no, service, m);
            }
          } else if (!c.counted) {
            m.attempts = 1;
            c.counted = true;
            c.guesses += 1;
            EmitNew(l, line_no, service, m);
          }
        }
        if (m.closes) Close(key);
        break;
      case T::kSuccess:
        for (auto& e : c.pam) Emit(std::move(e));
        c.pam.clear();
        c.deferred.clear();
        c.succeeded = true;
        EmitNew(l, line_no, service, m);
        break;
      case T::kNone:
      case T::kClose:
        break;
    }
    if (conns.size() > kMaxConnections || (++lines & 0xFFFF) == 0) Sweep();
  }
};

AuthLogParser::AuthLogParser(AuthLogOptions options) : state_(std::make_shared<State>()) {
  // Buckets for the connection cap up front: no rehashing while a storm fills the table.
  state_->conns.reserve(kMaxConnections + 1);
  if (options.reference_time == 0) options.reference_time = std::time(nullptr);
  state_->clock.reference_time = options.reference_time;
  state_->clock.local_utc_offset = options.local_utc_offset;
  state_->options = std::move(options);
  state_->file = state_->options.file;
}

void AuthLogParser::ParseLine(std::string_view line, std::uint64_t line_no,
                              std::vector<LoginEvent>* out) {
  LogLine l;
  if (!ParseLogLine(line, state_->options.format, state_->clock, &l)) return;
  state_->out = out;
  state_->Handle(l, line_no);
}

void AuthLogParser::ParseJournalEntry(std::string_view identifier, std::string_view message,
                                      std::int64_t pid, std::string_view hostname,
                                      std::int64_t realtime_usec, std::vector<LoginEvent>* out) {
  LogLine l;
  l.sec = realtime_usec / 1000000;
  l.nsec = static_cast<std::int32_t>((realtime_usec % 1000000) * 1000);
  if (l.nsec < 0) {
    l.sec -= 1;
    l.nsec += 1000000000;
  }
  l.host = hostname;
  l.program = identifier;
  l.pid = pid;
  l.message = message;
  state_->out = out;
  state_->Handle(l, 0);
}

void AuthLogParser::Flush(std::vector<LoginEvent>* out) {
  state_->out = out;
  std::vector<std::uint64_t> keys;
  keys.reserve(state_->conns.size());
  for (const auto& [key, c] : state_->conns) keys.push_back(key);
  const std::size_t first = out->size();
  for (auto key : keys) state_->Close(key);
  // Deterministic order for what was held: by line, then time.
  std::stable_sort(out->begin() + static_cast<std::ptrdiff_t>(first), out->end(),
                   [](const LoginEvent& a, const LoginEvent& b) {
                     return a.line != b.line ? a.line < b.line : a.time < b.time;
                   });
}

}  // namespace rampart::agent
