#pragma once
// argon2id hashes (libargon2) for user passwords, API token secrets and enrolment token secrets.
// Encoded as the standard "$argon2id$v=19$m=...,t=...,p=...$salt$hash" string, so the cost can be
// raised later and old hashes still verify. Thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rampart::server {

struct Argon2Params {
  std::uint32_t memory_kib = 19456;  // OWASP's argon2id minimum: 19 MiB, t=2, p=1
  std::uint32_t iterations = 2;
  std::uint32_t parallelism = 1;
};

// Process-wide parameters for new hashes. Tests lower them (hashing is deliberately slow).
void SetArgon2Params(const Argon2Params& params);
Argon2Params GetArgon2Params();

// Hash with a fresh 16-byte random salt. Errors: Internal on a libargon2 failure.
Result<std::string> HashSecret(std::string_view secret);
// True when `secret` matches `encoded`; false for a mismatch or an unreadable encoding.
bool VerifySecret(std::string_view secret, std::string_view encoded);

}  // namespace rampart::server
