#include "server/service/password_hash.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <array>
#include <mutex>
#include <optional>
#include <string>

#include "common/strings.h"

namespace rampart::server {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::uint32_t kHashBytes = 32;
// Limits on the cost read back from a stored hash: a corrupt or hostile row must not make one
// verification allocate gigabytes or spin for minutes.
constexpr std::uint32_t kMaxVerifyMemoryKib = 1U << 20;  // 1 GiB
constexpr std::uint32_t kMaxVerifyIterations = 64;
constexpr std::uint32_t kMaxVerifyParallelism = 64;

std::mutex& ParamsMutex() {
  static std::mutex mu;
  return mu;
}
Argon2Params& ParamsStorage() {
  static Argon2Params params;
  return params;
}

// Reads "m=..,t=..,p=.." from "$argon2id$v=19$m=19456,t=2,p=1$salt$hash" and checks it is within
// the limits above. The rest of the format is libargon2's to judge.
bool CostWithinLimits(std::string_view encoded) {
  auto parts = Split(encoded, '$');
  // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
  if (parts.size() != 6 || !parts[0].empty() || parts[1] != "argon2id") return false;
  auto fields = Split(parts[3], ',');
  if (fields.size() != 3) return false;
  auto value = [](std::string_view field, std::string_view name) -> std::optional<std::uint32_t> {
    if (!ConsumePrefix(&field, name)) return std::nullopt;
    return ParseInt<std::uint32_t>(field);
  };
  auto m = value(fields[0], "m=");
  auto t = value(fields[1], "t=");
  auto p = value(fields[2], "p=");
  return m && t && p && *m <= kMaxVerifyMemoryKib && *t <= kMaxVerifyIterations &&
         *p <= kMaxVerifyParallelism;
}

}  // namespace

void SetArgon2Params(const Argon2Params& params) {
  std::lock_guard<std::mutex> lock(ParamsMutex());
  ParamsStorage() = params;
}

Argon2Params GetArgon2Params() {
  std::lock_guard<std::mutex> lock(ParamsMutex());
  return ParamsStorage();
}

Result<std::string> HashSecret(std::string_view secret) {
  const Argon2Params params = GetArgon2Params();
  std::array<unsigned char, kSaltBytes> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    return Internal("argon2id: RAND_bytes failed to make a salt");
  }
  const std::size_t encoded_len =
      argon2_encodedlen(params.iterations, params.memory_kib, params.parallelism,
                        static_cast<std::uint32_t>(salt.size()), kHashBytes, Argon2_id);
  std::string encoded(encoded_len, '\0');
  const int rc = argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism,
                                       secret.data(), secret.size(), salt.data(), salt.size(),
                                       kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return Internal(std::string("argon2id: ") + argon2_error_message(rc));
  }
  // encoded_len counts the terminating NUL; the encoding may also be shorter than the bound.
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool VerifySecret(std::string_view secret, std::string_view encoded) {
  if (!CostWithinLimits(encoded)) return false;
  const std::string terminated(encoded);  // libargon2 wants a C string
  return argon2id_verify(terminated.c_str(), secret.data(), secret.size()) == ARGON2_OK;
}

}  // namespace rampart::server
