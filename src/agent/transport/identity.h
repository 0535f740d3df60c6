#pragma once
// The agent's identity: what enrolment gave it, kept in <data_dir>/identity.json with mode 0600
// (it holds the secret the agent authenticates with). The data dir itself is created 0700.
//
//   {"server_url": "https://rampart.example:8443", "host_id": "h_...", "tenant_id": "tn_...",
//    "secret": "...", "cert_sha256": "<hex or empty>", "enrolled_at": "2026-11-29T05:00:00Z"}
//
// Thread safety: free functions; concurrent writers of one data dir are not supported (one agent
// per data dir).

#include <string>

#include "common/status.h"

namespace rampart::agent {

struct Identity {
  std::string server_url;  // base URL given at enrolment (http or https, no trailing slash)
  std::string host_id;     // "h_..."; also the agent id
  std::string tenant_id;
  std::string secret;       // sent as "Authorization: Agent <host_id>:<secret>"
  std::string cert_sha256;  // pinned server certificate (SHA-256 of its DER, hex); empty: none
  std::string enrolled_at;  // ISO-8601 UTC
};

inline constexpr std::string_view kIdentityFile = "identity.json";

// Creates `data_dir` (and parents) with mode 0700 when missing.
Status EnsureDataDir(const std::string& data_dir);

// Reads <data_dir>/identity.json. Errors: kNotFound when there is none (not enrolled yet);
// kPermissionDenied when the file is readable or writable by group or others (the secret may
// have leaked; the message says to chmod 600 it or re-enrol); kDataLoss when it is not valid
// JSON or misses a field (named).
Result<Identity> LoadIdentity(const std::string& data_dir);

// Writes it atomically and durably with mode 0600 (a reader sees the old or the new identity).
Status SaveIdentity(const std::string& data_dir, const Identity& identity);

// Deletes <data_dir>/identity.json; OK when it does not exist.
Status DeleteIdentity(const std::string& data_dir);

// This machine's stable id, the key under which the server keeps the host id across
// re-enrolments: /etc/machine-id, else /var/lib/dbus/machine-id, else
// /sys/class/dmi/id/product_uuid, else a random id generated once and kept in
// <data_dir>/machine-id. `root` prefixes the system paths (tests use a fixture dir).
Result<std::string> MachineId(const std::string& data_dir, const std::string& root = "");

}  // namespace rampart::agent
