#pragma once
// The JSON shape of a host, shared by the REST API, the console and the hub (one function, so the
// shapes cannot drift): id, hostname, ips, os_name, os_version, machine_type, agent_version,
// installed_at, last_seen (ISO 8601 UTC, null when never), status, plan,
// risk {vulnerabilities, baseline_failures, events, malware}. Never includes the agent secret hash.

#include "common/json.h"
#include "server/model.h"

namespace rampart::server::api {

Json HostJson(const Host& host);

}  // namespace rampart::server::api
