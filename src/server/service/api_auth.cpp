#include "server/service/api_auth.h"

#include "common/hash.h"
#include "common/strings.h"
#include "common/wire.h"
#include "server/service/password_hash.h"
#include "server/service/web_session.h"

namespace rampart::server {
namespace {

Status Unauthenticated() { return {Code::kUnauthenticated, std::string(kUnauthenticatedMessage)}; }

std::int64_t UnixSeconds(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count();
}

// A token text can never be longer than this; longer input is refused before hashing it.
constexpr std::size_t kMaxTokenText = 512;

}  // namespace

ApiAuthenticator::ApiAuthenticator(Storage* storage, const Clock* clock)
    : ApiAuthenticator(storage, clock, Options{}) {}

ApiAuthenticator::ApiAuthenticator(Storage* storage, const Clock* clock, Options options)
    : storage_(storage), clock_(clock), options_(options) {}

Result<Principal> ApiAuthenticator::Authenticate(const net::HttpRequest& request) {
  auto header = request.headers.Get("authorization");
  if (!header && sessions_ != nullptr) {
    if (auto session = sessions_->Authenticate(request)) return std::move(*session);
  }
  if (!header) return Unauthenticated();
  std::string_view value = TrimView(*header);
  // The scheme name is case-insensitive (RFC 9110 section 11.1).
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() || ToLower(value.substr(0, kScheme.size())) != kScheme) {
    return Unauthenticated();
  }
  value.remove_prefix(kScheme.size());
  return AuthenticateToken(TrimView(value));
}

Result<Principal> ApiAuthenticator::AuthenticateToken(std::string_view token_text) {
  if (token_text.size() > kMaxTokenText) return Unauthenticated();
  auto parsed = wire::ParseApiToken(token_text);
  if (!parsed.ok()) return Unauthenticated();

  auto record = storage_->GetApiToken(parsed->id);
  if (!record.ok()) {
    if (record.error().code() == Code::kNotFound) return Unauthenticated();
    return record.error().WithContext("API token lookup");
  }
  const std::int64_t now = UnixSeconds(*clock_);
  if (record->revoked_at != 0 || (record->expires_at != 0 && now >= record->expires_at)) {
    return Unauthenticated();
  }

  const std::string key = Sha256Hex(token_text);
  if (!CacheHit(key, record->secret_hash)) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++verifications_;
    }
    // argon2 runs outside the lock so slow verifications do not serialise every request.
    if (!VerifySecret(parsed->secret, record->secret_hash)) return Unauthenticated();
    CacheInsert(key, record->secret_hash);
  }
  Principal principal;
  principal.tenant_id = record->tenant_id;
  principal.user_id = record->user_id;
  principal.token_id = record->id;
  principal.role = record->role;
  return principal;
}

bool ApiAuthenticator::CacheHit(const std::string& key, const std::string& secret_hash) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  const auto age = clock_->Monotonic() - it->second->verified_at;
  if (age >= options_.cache_ttl || age < std::chrono::steady_clock::duration::zero() ||
      it->second->secret_hash != secret_hash) {
    lru_.erase(it->second);
    index_.erase(it);
    return false;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return true;
}

void ApiAuthenticator::CacheInsert(const std::string& key, const std::string& secret_hash) {
  if (options_.cache_capacity == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = clock_->Monotonic();
  if (auto it = index_.find(key); it != index_.end()) {
    it->second->secret_hash = secret_hash;
    it->second->verified_at = now;
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  while (lru_.size() >= options_.cache_capacity) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  lru_.push_front(CacheEntry{key, secret_hash, now});
  index_.emplace(key, lru_.begin());
}

std::uint64_t ApiAuthenticator::verifications() const {
  std::lock_guard<std::mutex> lock(mu_);
  return verifications_;
}

std::size_t ApiAuthenticator::cache_size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

Result<std::pair<ApiTokenRecord, std::string>> CreateApiToken(Storage& storage, const Clock& clock,
                                                              std::string_view tenant_id,
                                                              std::string_view user_id, Role role,
                                                              std::string_view description,
                                                              std::int64_t ttl_seconds) {
  constexpr std::int64_t kMaxTtl = 100LL * 365 * 86400;  // keeps now + ttl far from overflow
  if (ttl_seconds < 0 || ttl_seconds > kMaxTtl) {
    return InvalidArgument("ttl_seconds: expected 0 (never expires) to " + std::to_string(kMaxTtl));
  }
  if (!user_id.empty()) {
    auto user = storage.GetUser(tenant_id, user_id);
    if (!user.ok()) {
      if (user.error().code() == Code::kNotFound) {
        return InvalidArgument("user_id '" + std::string(user_id) + "': no such user");
      }
      return user.error();
    }
    if (!RoleAtLeast(user->role, role)) {
      return InvalidArgument("role '" + std::string(RoleName(role)) +
                             "' exceeds the role of user '" + user->name + "' (" +
                             std::string(RoleName(user->role)) + ")");
    }
  }
  const std::string secret = wire::RandomSecret();
  RAMPART_ASSIGN_OR_RETURN(std::string secret_hash, HashSecret(secret));
  const std::int64_t now = UnixSeconds(clock);
  ApiTokenRecord record;
  record.id = wire::RandomId("tk");
  record.tenant_id = std::string(tenant_id);
  record.user_id = std::string(user_id);
  record.role = role;
  record.secret_hash = std::move(secret_hash);
  record.description = std::string(description);
  record.created_at = now;
  record.expires_at = ttl_seconds == 0 ? 0 : now + ttl_seconds;
  RAMPART_ASSIGN_OR_RETURN(ApiTokenRecord stored, storage.CreateApiToken(std::move(record)));
  std::string text = wire::FormatApiToken({stored.id, secret});
  return std::pair<ApiTokenRecord, std::string>(std::move(stored), std::move(text));
}

}  // namespace rampart::server
