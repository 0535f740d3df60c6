#pragma once
// Network services left without authentication, judged from their configuration files: Redis
// without requirepass (or an ACL password) on a non-loopback bind, PostgreSQL `trust` for
// non-local addresses in pg_hba.conf, MongoDB without security.authorization on a non-loopback
// bindIp, Elasticsearch with xpack.security.enabled: false on a non-loopback network.host.
// Pure parsers over file text; the evaluator reads the files through HostView.

#include <string>
#include <string_view>
#include <vector>

namespace rampart::agent::baseline {

struct ServiceFinding {
  bool exposed = false;  // reachable from other hosts without authentication
  std::string evidence;  // what was found, with "file:line" where it applies
};

// redis.conf: `bind` (last wins; absent = every interface), `protected-mode` (default yes: without
// bind and password Redis refuses non-loopback clients), `requirepass`, `user ... >password`.
ServiceFinding AnalyzeRedisConfig(std::string_view text, std::string_view file);
// pg_hba.conf: every host/hostssl/hostnossl/hostgssenc line with method trust whose address is not
// loopback (127.0.0.0/8, ::1, localhost) is a finding.
ServiceFinding AnalyzePgHba(std::string_view text, std::string_view file);
// mongod.conf (YAML form and the legacy key=value form).
ServiceFinding AnalyzeMongodConfig(std::string_view text, std::string_view file);
// elasticsearch.yml (flat dotted keys or nested maps).
ServiceFinding AnalyzeElasticsearchConfig(std::string_view text, std::string_view file);

// True for 127.0.0.0/8, ::1, localhost and their -/[] spellings.
bool IsLoopbackAddress(std::string_view addr);

}  // namespace rampart::agent::baseline
