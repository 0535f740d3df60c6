#pragma once
// Test helpers for the auth-log parser tests: events as one compact line each, so expected results
// read as a table.

#include <string>
#include <string_view>
#include <vector>

#include "agent/sources/auth_log.h"
#include "common/strings.h"

namespace rampart::agent::testing {

// "LINE service outcome kind user=U source=S port=P xN[ invalid]" (attempts shown when != 1).
inline std::string Describe(const LoginEvent& e) {
  std::string s = std::to_string(e.line) + " " + e.service + " " + OutcomeName(e.outcome) + " " +
                  e.kind + " user=" + e.user + " source=" + e.source +
                  " port=" + std::to_string(e.port);
  if (e.attempts != 1) s += " x" + std::to_string(e.attempts);
  if (e.invalid_user) s += " invalid";
  return s;
}

inline std::vector<std::string> DescribeAll(const std::vector<LoginEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(Describe(e));
  return out;
}

// Parses `text` line by line (1-based numbers) and flushes.
inline std::vector<LoginEvent> ParseText(std::string_view text, AuthLogOptions options = {}) {
  if (options.reference_time == 0) options.reference_time = 1795920687;  // 2026-11-29T02:51:27Z
  AuthLogParser parser(options);
  std::vector<LoginEvent> events;
  std::uint64_t n = 0;
  ForEachLineOf(text, [&](std::string_view line) { parser.ParseLine(line, ++n, &events); });
  parser.Flush(&events);
  return events;
}

}  // namespace rampart::agent::testing
