#pragma once
// API authentication: bearer tokens "rpt1.<id>.<secret>" (wire::FormatApiToken) whose secret is
// stored only as an argon2id hash. No HTTP logic beyond reading the Authorization header.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/clock.h"
#include "common/status.h"
#include "net/http.h"
#include "server/model.h"
#include "server/storage/storage.h"

namespace rampart::server {

// Who is calling: the token's tenant, user (empty for a service token), id and role.
struct Principal {
  std::string tenant_id;
  std::string user_id;
  std::string token_id;
  Role role = Role::kViewer;
  // Set when a console session cookie (service/web_session.h) authenticated the request.
  std::string session_id;
  std::string csrf_token;
  std::int64_t session_expires_at = 0;
};

class SessionManager;

// Authenticates "Authorization: Bearer rpt1.<id>.<secret>". Thread-safe.
//
// The token row is loaded on every call, so revocation and expiry take effect on the next
// request. The argon2id verification (deliberately ~10-50 ms) is cached: a successful one is
// remembered in a bounded LRU keyed by SHA-256 of the whole token text (the secret itself is never
// kept), for `cache_ttl`, so argon2 runs about once per token per TTL, not per request. A cache
// entry is only honoured while the row still carries the same secret hash.
class ApiAuthenticator {
 public:
  struct Options {
    std::size_t cache_capacity = 10000;
    std::chrono::seconds cache_ttl{600};
  };

  // `storage` and `clock` must outlive the authenticator.
  ApiAuthenticator(Storage* storage, const Clock* clock);
  ApiAuthenticator(Storage* storage, const Clock* clock, Options options);

  // Errors: kUnauthenticated with one generic message for every credential problem (no header,
  // another scheme, malformed token, unknown id, wrong secret, revoked, expired), so a caller
  // learns nothing about which. A storage failure other than NotFound keeps its own code
  // (e.g. kUnavailable): a database outage is not the client's fault.
  Result<Principal> Authenticate(const net::HttpRequest& request);
  // Requests without an Authorization header are then tried as console sessions (nullptr: never).
  // `sessions` must outlive the authenticator.
  void SetSessions(SessionManager* sessions) { sessions_ = sessions; }

  // The same for a bare token text (no "Bearer " prefix).
  Result<Principal> AuthenticateToken(std::string_view token_text);

  // Number of argon2id verifications run so far (cache misses that reached argon2).
  std::uint64_t verifications() const;
  std::size_t cache_size() const;

 private:
  struct CacheEntry {
    std::string key;  // SHA-256 hex of the token text
    std::string secret_hash;
    std::chrono::steady_clock::time_point verified_at;
  };

  // True when `key` was verified against `secret_hash` within the TTL. Refreshes LRU order.
  bool CacheHit(const std::string& key, const std::string& secret_hash);
  void CacheInsert(const std::string& key, const std::string& secret_hash);

  Storage* storage_;
  const Clock* clock_;
  Options options_;
  SessionManager* sessions_ = nullptr;

  mutable std::mutex mu_;
  std::list<CacheEntry> lru_;  // front: most recently used. REQUIRES: mu_ held
  std::unordered_map<std::string, std::list<CacheEntry>::iterator> index_;  // REQUIRES: mu_
  std::uint64_t verifications_ = 0;                                         // REQUIRES: mu_
};

// The message of every authentication failure.
inline constexpr std::string_view kUnauthenticatedMessage = "missing, invalid or expired API token";

// Creates an API token for `tenant_id` and returns the stored record and the token text (shown
// once; only the secret's argon2id hash is stored). `user_id` empty makes a service token;
// otherwise the user must exist in the tenant and `role` may not exceed the user's role.
// ttl_seconds 0: never expires. Errors: InvalidArgument (unknown user, role above the user's,
// negative ttl), or the storage's error.
Result<std::pair<ApiTokenRecord, std::string>> CreateApiToken(Storage& storage, const Clock& clock,
                                                              std::string_view tenant_id,
                                                              std::string_view user_id, Role role,
                                                              std::string_view description,
                                                              std::int64_t ttl_seconds);

}  // namespace rampart::server
