#pragma once
// /etc/shadow parsing (shadow(5)). The parser never keeps the password hash: it classifies the
// field (set / empty / locked / none) and names the hash scheme, so no hash can leak into a row or
// a log.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/host_view.h"

namespace rampart::agent {

enum class PasswordStatus {
  kSet,     // a usable crypt hash
  kEmpty,   // empty field: login without a password (where PAM allows nullok)
  kLocked,  // "!" in front of a real hash (passwd -l / usermod -L): the old hash is kept but
            // unusable
  kNone,    // "*", "!", "!!", "!*", "x" or anything that is not a hash: no password can ever match
};

// "set", "empty", "locked", "none".
std::string_view PasswordStatusName(PasswordStatus s);

// Classifies a password field of shadow or passwd. A leading run of '!' over a crypt hash is
// `locked`;
// '!' over nothing or over a non-hash ("!*", "!!") is `none`.
PasswordStatus ClassifyPassword(std::string_view field);

// True for a syntactically plausible crypt(3) hash: "$id$...", "$id$rounds=..$salt$hash", 13-char
// DES or 20-char BSDi "_" hashes.
bool LooksLikeCryptHash(std::string_view field);

// The crypt scheme of a hash (a leading '!' run is skipped): "yescrypt", "gost-yescrypt", "scrypt",
// "sha512", "sha256", "md5", "bcrypt", "sha1", "sunmd5", "bsdi", "des", "unknown" for another
// "$id$";
// "" when the field holds no hash.
std::string HashType(std::string_view field);

struct ShadowEntry {
  std::string name;
  PasswordStatus status = PasswordStatus::kNone;
  std::string hash_type;  // HashType() of the field; the hash itself is not kept
  std::optional<std::int64_t>
      last_change;  // days since 1970-01-01; 0 = change forced at next login
  std::optional<std::int64_t> min_days;
  std::optional<std::int64_t> max_days;
  std::optional<std::int64_t> warn_days;
  std::optional<std::int64_t> inactive_days;
  std::optional<std::int64_t> expire;  // account expiry, days since the epoch
  std::size_t line = 0;                // 1-based
};

// Parses one shadow line (9 ':'-separated fields; 8 is accepted, as some tools drop the reserved
// one). False for blank lines, comments, NIS "+"/"-" lines and lines with another field count or an
// empty name. Numeric fields that are empty or not numbers are nullopt.
bool ParseShadowLine(std::string_view line, ShadowEntry* out);
std::vector<ShadowEntry> ParseShadow(std::string_view text, std::size_t max_entries = 1'000'000);

// Streams /etc/shadow. nullopt when it cannot be read (absent, or not root on a live host).
std::optional<std::vector<ShadowEntry>> ReadShadow(const HostView& host,
                                                   std::size_t max_entries = 1'000'000);

}  // namespace rampart::agent
