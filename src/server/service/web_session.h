#pragma once
// Console sign-in: user name + password (argon2id) -> a server-side session named by an HttpOnly
// cookie, with a CSRF token the console sends as X-CSRF-Token on state-changing calls. Sessions
// live in the database (only the SHA-256 of the cookie secret is stored), so any server node
// accepts them. Sign-in attempts are throttled per user and per client address. No HTTP types
// beyond reading request headers.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "common/status.h"
#include "net/http.h"
#include "server/model.h"
#include "server/service/api_auth.h"
#include "server/storage/storage.h"

namespace rampart::server {

// The "__Host-" prefix makes browsers insist on Secure, Path=/ and no Domain attribute.
inline constexpr std::string_view kSessionCookie = "__Host-rampart_session";
inline constexpr std::string_view kCsrfHeader = "x-csrf-token";

struct SessionOptions {
  std::int64_t idle_seconds = 30 * 60;             // signed out after this long without a request
  std::int64_t absolute_seconds = 12 * 60 * 60;    // and at the latest this long after sign-in
  int max_failures_per_user = 5;                   // failed sign-ins per (tenant, user) per window
  int max_failures_per_addr = 20;                  // failed sign-ins per client address per window
  std::int64_t throttle_window_seconds = 15 * 60;  // fixed window; a success clears the user's
  std::size_t max_throttle_entries = 100000;       // memory bound of the throttle table
};

// Counts failures per key in a fixed window; thread-safe. Per node: N nodes allow N times the
// attempts, still far below what guessing an argon2id-hashed password needs.
class LoginThrottle {
 public:
  LoginThrottle(int max_failures, std::int64_t window_seconds, std::size_t max_entries);
  // 0 when `key` may try now; else the seconds until it may.
  std::int64_t RetryAfter(const std::string& key, std::int64_t now);
  void Failure(const std::string& key, std::int64_t now);
  void Clear(const std::string& key);

 private:
  struct Entry {
    std::int64_t window_start = 0;
    int failures = 0;
  };
  void Evict(std::int64_t now);  // REQUIRES: mu_ held

  int max_failures_;
  std::int64_t window_;
  std::size_t max_entries_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // REQUIRES: mu_
};

struct SignInResult {
  WebSession session;
  std::string cookie_secret;  // goes into the cookie only; never stored
  std::string csrf_token;
  User user;
  std::string tenant_name;
};

class SessionManager {
 public:
  // `storage` and `clock` must outlive the manager. Thread-safe.
  SessionManager(Storage* storage, const Clock* clock, SessionOptions options);

  const SessionOptions& options() const { return options_; }

  // `tenant` is a tenant id or name. Errors: kUnauthenticated with kSignInFailedMessage for any
  // wrong tenant, user, password or a user without a password (argon2 runs in every case, so
  // timing tells nothing either); kResourceExhausted "too many failed sign-ins; retry in N s"
  // when throttled, with `*retry_after` set; storage errors otherwise.
  Result<SignInResult> SignIn(std::string_view tenant, std::string_view user_name,
                              std::string_view password, std::string_view remote_addr,
                              std::int64_t* retry_after);

  // nullopt when the request carries no session cookie (the caller tries other credentials).
  // Otherwise the session's principal (the user's current role), or kUnauthenticated when the
  // session is unknown, idle too long, past its absolute limit or its user is gone, or
  // kPermissionDenied when a method other than GET/HEAD lacks the matching X-CSRF-Token.
  std::optional<Result<Principal>> Authenticate(const net::HttpRequest& request);

  Status SignOut(std::string_view session_id);

  // Set-Cookie values: a new session, and one that makes the browser forget it.
  std::string SetCookieHeader(std::string_view cookie_secret) const;
  static std::string ClearCookieHeader();

  // The CSRF token belonging to a cookie secret (a keyed derivation of it).
  static std::string CsrfToken(std::string_view cookie_secret);
  static std::string SessionId(std::string_view cookie_secret);  // what is stored

 private:
  Storage* storage_;
  const Clock* clock_;
  SessionOptions options_;
  LoginThrottle per_user_;
  LoginThrottle per_addr_;
  std::string dummy_hash_;  // verified against when the user does not exist
};

inline constexpr std::string_view kSignInFailedMessage = "wrong tenant, user name or password";
inline constexpr std::string_view kSessionEndedMessage =
    "your session has ended (signed out or expired); sign in again";

// The value of cookie `name` in a Cookie header, or nullopt.
std::optional<std::string_view> FindCookie(std::string_view header, std::string_view name);

}  // namespace rampart::server
