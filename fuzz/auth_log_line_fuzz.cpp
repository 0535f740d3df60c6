// Fuzzes the auth-log parsers: every line of the input goes through AuthLogParser (auto-detected
// format, then each forced format), the journal-entry path and every per-message parser, checking
// the invariants the detectors rely on.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "agent/sources/auth_log.h"
#include "agent/sources/service_messages.h"
#include "agent/sources/sshd_messages.h"
#include "common/strings.h"

namespace {

using namespace rampart::agent;

void Check(const std::vector<LoginEvent>& events) {
  for (const auto& e : events) {
    if (e.attempts == 0 || e.port < 0 || e.port > 65535 || e.time_nsec < 0 ||
        e.time_nsec >= 1000000000 || (!e.source.empty() && !IsAddressOrHost(e.source))) {
      std::fprintf(stderr, "bad event: line %llu service %s kind %s source '%s' port %d x%u\n",
                   static_cast<unsigned long long>(e.line), e.service.c_str(), e.kind.c_str(),
                   e.source.c_str(), e.port, e.attempts);
      std::abort();
    }
  }
}

void CheckMessage(const AuthMessage& m, std::string_view msg) {
  const auto inside = [msg](std::string_view v) {
    return v.empty() || (v.data() >= msg.data() && v.data() + v.size() <= msg.data() + msg.size());
  };
  // Views point into the message (or are the constant "root" of "ROOT LOGIN REFUSED").
  if (!(inside(m.user) || m.user == "root") || !inside(m.source) ||
      (!m.source.empty() && !IsAddressOrHost(m.source)) || m.port < 0 || m.port > 65535) {
    std::fprintf(stderr, "bad message: user '%.*s' source '%.*s' port %d\n",
                 static_cast<int>(m.user.size()), m.user.data(), static_cast<int>(m.source.size()),
                 m.source.data(), m.port);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (LogFormat f : {LogFormat::kAuto, LogFormat::kSyslog, LogFormat::kRfc5424,
                      LogFormat::kIso8601, LogFormat::kMysql, LogFormat::kPostgres}) {
    AuthLogOptions o;
    o.format = f;
    o.reference_time = 1795920687;
    o.local_utc_offset = 3600;
    AuthLogParser parser(o);
    std::vector<LoginEvent> events;
    std::uint64_t n = 0;
    rampart::ForEachLineOf(text, [&](std::string_view line) {
      parser.ParseLine(line, ++n, &events);
      for (const char* id : {"sshd", "dropbear", "su", "sudo", "vsftpd", "proftpd", "pure-ftpd",
                             "mysqld", "postgres", "login"}) {
        parser.ParseJournalEntry(id, line, 42, "h", 1795920687000000, &events);
      }
    });
    parser.Flush(&events);
    Check(events);
  }
  rampart::ForEachLineOf(text, [](std::string_view line) {
    for (auto* fn : {ParseSshdMessage, ParseDropbearMessage, ParsePamMessage, ParseSuMessage,
                     ParseSudoMessage, ParseVsftpdMessage, ParseProftpdMessage,
                     ParsePureFtpdMessage, ParseMysqlMessage, ParsePostgresMessage}) {
      CheckMessage(fn(line), line);
    }
  });
  return 0;
}
