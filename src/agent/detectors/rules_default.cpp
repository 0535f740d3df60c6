// The embedded default detection rules: byte for byte the text of rules/login.yaml (a test checks).
#include "agent/detectors/rules.h"

namespace rampart::agent {

std::string_view DefaultRulesYaml() {
  static constexpr std::string_view kText =
      R"yaml(# Rampart login detection rules (the defaults built into the binary; this file is identical to them).
# Use your own with `rampart logscan --rules FILE`. A section left out of your file keeps its default.
# Durations: a positive integer and one unit: s, m, h, d ("30s", "5m", "1h", "7d").
# Levels: low, medium, high, critical, suspicious. See docs/logscan.md ("Detection").
version: 1

# Password cracking. scope: source = failures from one address; account = failures against one user
# from at least `sources` distinct addresses (a distributed attack). A source's rules escalate one
# alert (the highest level crossed wins); a success from a source past a threshold is "cracked"
# (level critical).
brute_force:
  - name: brute_force
    scope: source
    window: 1m
    failures: 5
    level: medium
  - name: brute_force_sustained
    scope: source
    window: 10m
    failures: 30
    level: high
  - name: distributed_brute_force
    scope: account
    window: 10m
    failures: 20
    sources: 5
    level: high

# Up to 5 rules of your own, same fields as above.
custom: []

# Many distinct non-existent user names tried from one source (a user-name scan).
invalid_user_scan:
  enabled: true
  window: 10m
  distinct_users: 5
  level: medium

# Learns each user's source networks (/24 IPv4, /64 IPv6) and login hours during the learning
# period (counted from the first event seen), then flags logins from a new network, at an unusual
# hour (further than hour_tolerance from any learned hour) or of a user never seen (suspicious).
abnormal_login:
  enabled: true
  learning_period: 7d
  hour_tolerance: 1

# Events from these sources (addresses, CIDRs, host names as logged) or users raise no alerts.
whitelist:
  sources: []
  users: []
)yaml";
  return kText;
}

}  // namespace rampart::agent
