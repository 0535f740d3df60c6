#include "server/service/web_session.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "common/hash.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/wire.h"
#include "server/service/password_hash.h"

namespace rampart::server {
namespace {

std::int64_t UnixSeconds(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count();
}

bool EqualConstantTime(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// A cookie secret is wire::RandomSecret(): 43 base64url characters. Anything else is not ours.
bool LooksLikeSecret(std::string_view s) {
  if (s.size() < 32 || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

// last_seen is written at most this often, so reading pages does not write on every request.
constexpr std::int64_t kTouchEverySeconds = 60;

Status SessionEnded() { return {Code::kUnauthenticated, std::string(kSessionEndedMessage)}; }

}  // namespace

std::optional<std::string_view> FindCookie(std::string_view header, std::string_view name) {
  for (std::string_view part : Split(header, ';')) {
    part = TrimView(part);
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    if (TrimView(part.substr(0, eq)) != name) continue;
    std::string_view value = TrimView(part.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return std::nullopt;
}

// ---- LoginThrottle ----

LoginThrottle::LoginThrottle(int max_failures, std::int64_t window_seconds, std::size_t max_entries)
    : max_failures_(max_failures), window_(window_seconds), max_entries_(max_entries) {}

std::int64_t LoginThrottle::RetryAfter(const std::string& key, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return 0;
  const std::int64_t end = it->second.window_start + window_;
  if (now >= end) {
    entries_.erase(it);
    return 0;
  }
  return it->second.failures >= max_failures_ ? end - now : 0;
}

void LoginThrottle::Failure(const std::string& key, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= max_entries_) Evict(now);
    it = entries_.emplace(key, Entry{now, 0}).first;
  } else if (now >= it->second.window_start + window_) {
    it->second = Entry{now, 0};
  }
  ++it->second.failures;
}

void LoginThrottle::Clear(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(key);
}

void LoginThrottle::Evict(std::int64_t now) {
  std::erase_if(entries_, [&](const auto& kv) { return now >= kv.second.window_start + window_; });
  // Still full (a flood of distinct keys within one window): forget the oldest half rather than
  // grow without bound. Throttling degrades; memory does not.
  if (entries_.size() >= max_entries_) {
    std::vector<std::int64_t> starts;
    starts.reserve(entries_.size());
    for (const auto& kv : entries_) starts.push_back(kv.second.window_start);
    std::nth_element(starts.begin(), starts.begin() + static_cast<long>(starts.size() / 2),
                     starts.end());
    const std::int64_t median = starts[starts.size() / 2];
    std::erase_if(entries_, [&](const auto& kv) { return kv.second.window_start <= median; });
  }
}

// ---- SessionManager ----

SessionManager::SessionManager(Storage* storage, const Clock* clock, SessionOptions options)
    : storage_(storage),
      clock_(clock),
      options_(options),
      per_user_(options.max_failures_per_user, options.throttle_window_seconds,
                options.max_throttle_entries),
      per_addr_(options.max_failures_per_addr, options.throttle_window_seconds,
                options.max_throttle_entries) {
  auto hash = HashSecret(wire::RandomSecret());
  if (hash.ok()) dummy_hash_ = std::move(*hash);
}

std::string SessionManager::SessionId(std::string_view cookie_secret) {
  return Sha256Hex(std::string("rampart-session\n") + std::string(cookie_secret));
}

std::string SessionManager::CsrfToken(std::string_view cookie_secret) {
  // Different prefix, different digest: the CSRF token reveals nothing of the session id.
  return Sha256Hex(std::string("rampart-csrf\n") + std::string(cookie_secret));
}

std::string SessionManager::SetCookieHeader(std::string_view cookie_secret) const {
  return std::string(kSessionCookie) + "=" + std::string(cookie_secret) +
         "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(options_.absolute_seconds);
}

std::string SessionManager::ClearCookieHeader() {
  return std::string(kSessionCookie) + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0";
}

Result<SignInResult> SessionManager::SignIn(std::string_view tenant, std::string_view user_name,
                                            std::string_view password, std::string_view remote_addr,
                                            std::int64_t* retry_after) {
  const std::int64_t now = UnixSeconds(*clock_);
  const std::string addr_key(remote_addr);
  if (const std::int64_t wait = per_addr_.RetryAfter(addr_key, now); wait > 0) {
    if (retry_after != nullptr) *retry_after = wait;
    return Status(Code::kResourceExhausted,
                  "too many failed sign-ins; retry in " + std::to_string(wait) + " s");
  }

  // The tenant by id or (case-sensitive) name.
  std::optional<Tenant> found;
  auto by_id = storage_->GetTenant(tenant);
  if (by_id.ok()) {
    found = std::move(*by_id);
  } else if (by_id.error().code() != Code::kNotFound) {
    return by_id.error().WithContext("sign-in: tenant lookup");
  } else {
    RAMPART_ASSIGN_OR_RETURN(std::vector<Tenant> tenants, storage_->ListTenants());
    for (Tenant& t : tenants) {
      if (t.name == tenant) found = std::move(t);
    }
  }
  // Keyed by the tenant's id, so naming it by name and by id does not double the attempts.
  const std::string user_key =
      (found ? found->id : ToLower(tenant)) + "\n" + std::string(user_name);
  if (const std::int64_t wait = per_user_.RetryAfter(user_key, now); wait > 0) {
    if (retry_after != nullptr) *retry_after = wait;
    return Status(Code::kResourceExhausted,
                  "too many failed sign-ins; retry in " + std::to_string(wait) + " s");
  }
  std::optional<User> user;
  if (found) {
    auto u = storage_->GetUserByName(found->id, user_name);
    if (u.ok()) {
      user = std::move(*u);
    } else if (u.error().code() != Code::kNotFound) {
      return u.error().WithContext("sign-in: user lookup");
    }
  }
  const bool has_hash = user && !user->password_hash.empty();
  // argon2 runs whether or not the user exists, so the answer time does not tell.
  const bool match = VerifySecret(password, has_hash ? user->password_hash : dummy_hash_);
  if (!has_hash || !match) {
    per_user_.Failure(user_key, now);
    per_addr_.Failure(addr_key, now);
    log::Info("console sign-in failed for user '{}' of tenant '{}' from {}", Printable(user_name),
              Printable(tenant), Printable(remote_addr));
    return Status(Code::kUnauthenticated, std::string(kSignInFailedMessage));
  }
  per_user_.Clear(user_key);

  // Expired sessions go away here rather than in a periodic job: sign-ins are rare and cheap.
  if (auto pruned = storage_->PruneWebSessions(now, now - options_.idle_seconds); !pruned.ok()) {
    log::Warn("console sessions: prune: {}", pruned.error().ToString());
  }

  SignInResult result;
  result.cookie_secret = wire::RandomSecret();
  result.csrf_token = CsrfToken(result.cookie_secret);
  result.session.id = SessionId(result.cookie_secret);
  result.session.tenant_id = found->id;
  result.session.user_id = user->id;
  result.session.created_at = now;
  result.session.last_seen = now;
  result.session.expires_at = now + options_.absolute_seconds;
  result.session.remote_addr = std::string(remote_addr);
  RAMPART_RETURN_IF_ERROR(storage_->CreateWebSession(result.session));
  result.user = std::move(*user);
  result.tenant_name = found->name;
  log::Info("console sign-in: user '{}' of tenant {} from {}", result.user.name, found->id,
            Printable(remote_addr));
  return result;
}

std::optional<Result<Principal>> SessionManager::Authenticate(const net::HttpRequest& request) {
  auto header = request.headers.Get("cookie");
  if (!header) return std::nullopt;
  auto secret = FindCookie(*header, kSessionCookie);
  if (!secret) return std::nullopt;
  if (!LooksLikeSecret(*secret)) return Result<Principal>(SessionEnded());

  const std::string id = SessionId(*secret);
  auto session = storage_->GetWebSession(id);
  if (!session.ok()) {
    if (session.error().code() == Code::kNotFound) return Result<Principal>(SessionEnded());
    return Result<Principal>(session.error().WithContext("session lookup"));
  }
  const std::int64_t now = UnixSeconds(*clock_);
  if (now >= session->expires_at || now - session->last_seen >= options_.idle_seconds) {
    (void)storage_->DeleteWebSession(id);
    return Result<Principal>(SessionEnded());
  }
  // The role is the user's current one: a demotion or deletion takes effect on the next request.
  auto user = storage_->GetUser(session->tenant_id, session->user_id);
  if (!user.ok()) {
    if (user.error().code() == Code::kNotFound) return Result<Principal>(SessionEnded());
    return Result<Principal>(user.error().WithContext("session user lookup"));
  }

  const std::string csrf = CsrfToken(*secret);
  if (request.method != "GET" && request.method != "HEAD") {
    auto sent = request.headers.Get(kCsrfHeader);
    if (!sent || !EqualConstantTime(*sent, csrf)) {
      return Result<Principal>(
          Status(Code::kPermissionDenied,
                 "missing or wrong X-CSRF-Token header (a state-changing call made with the "
                 "session cookie must carry the token that sign-in returned)"));
    }
  }
  if (now - session->last_seen >= kTouchEverySeconds) {
    if (Status touched = storage_->TouchWebSession(id, now); !touched.ok()) {
      log::Warn("console sessions: touch: {}", touched.ToString());
    }
  }
  Principal p;
  p.tenant_id = session->tenant_id;
  p.user_id = session->user_id;
  p.role = user->role;
  p.session_id = id;
  p.csrf_token = csrf;
  p.session_expires_at = session->expires_at;
  return Result<Principal>(std::move(p));
}

Status SessionManager::SignOut(std::string_view session_id) {
  return storage_->DeleteWebSession(session_id);
}

}  // namespace rampart::server
