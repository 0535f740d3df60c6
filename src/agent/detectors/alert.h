#pragma once
// Alert: one detected incident (not one log line). Detectors keep one Alert per incident key and
// update it as the attack goes on (count, last_seen, user set), so a storm of millions of failed
// logins stays a handful of alerts: the platform stores incidents, not attack volume.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/detectors/rules.h"
#include "common/json.h"

namespace rampart::agent {

// Distinct names kept in Alert::users / Alert::sources; more set the *_truncated flag.
constexpr std::size_t kMaxAlertNames = 32;

struct Alert {
  std::string type;  // "brute_force", "cracked", "invalid_user_scan", "abnormal_login"
  std::string rule;  // the rule that raised it (the highest-level one crossed)
  AlertLevel level = AlertLevel::kMedium;
  std::string service;  // of the latest event
  std::string source;   // the attacking source (account scope and abnormal: the latest source)
  std::string user;     // the latest (or only) user
  std::vector<std::string> users;  // distinct users, first kMaxAlertNames
  bool users_truncated = false;
  std::vector<std::string> sources;  // account scope: distinct sources, first kMaxAlertNames
  bool sources_truncated = false;
  std::uint64_t count = 0;      // failed attempts (cracked, abnormal_login: successful logins)
  std::int64_t first_seen = 0;  // seconds since the epoch
  std::int64_t last_seen = 0;
  std::uint64_t failures = 0;  // cracked: failures counted from the source before the success
  std::string reason;          // abnormal_login: new_network, unusual_hour, new_user
  std::string network;         // abnormal_login: the source network ("203.0.113.0/24")
  std::string country;         // abnormal_login: ISO country of the source ("" when unknown)

  void AddUser(std::string_view name);
  void AddSource(std::string_view name);
};

// The alert contract of `rampart logscan --json`: type, source, user, count, first_seen, last_seen
// (ISO 8601), level, rule, service, users; and where they apply sources, failures, reason, network.
Json AlertToJson(const Alert& alert);

}  // namespace rampart::agent
