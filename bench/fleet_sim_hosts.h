#pragma once
// Creates the simulated fleet's hosts directly in the server's database. Enrolling 20,000 agents
// through the API would cost 20,000 argon2id verifications of the enrolment token; the bench
// measures the steady state, so it writes the hosts with Storage::EnrollHost (the call enrolment
// makes) under an enrolment token whose secret hash verifies nothing.
//
// Host i of tenant T is "fleet-sim-<i>" with machine id "fleet-sim-<T>-<i>" and the agent secret
// SHA-256("rampart fleet-sim <T> <i>"): deterministic, so a second run on the same tenant finds
// its hosts and creates only the missing ones. Bench databases only: these secrets are guessable.

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "fleet_sim_agents.h"
#include "server/storage/storage.h"

namespace rampart::fleet {

struct ProvisionStats {
  std::int64_t existing = 0;
  std::int64_t created = 0;
  double seconds = 0;
};

// Returns the identities of hosts 0..count-1 of `tenant_id`, creating missing ones with
// `threads` parallel writers. Errors: the tenant does not exist; a storage error (with the host).
Result<std::vector<AgentIdentity>> ProvisionHosts(server::Storage& storage,
                                                  const std::string& tenant_id, int count,
                                                  int threads, const std::string& agent_version,
                                                  ProvisionStats* stats);

}  // namespace rampart::fleet
