#include "common/wire.h"

#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <cstdlib>

#include "common/hash.h"
#include "common/strings.h"

namespace rampart::wire {
namespace {

constexpr std::string_view kEnrollPrefix = "rpe1";
constexpr std::string_view kApiPrefix = "rpt1";

// Ids and secrets are [A-Za-z0-9_-]; anything else in a token is a typo or an attack.
bool IsTokenChars(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void RandomBytes(unsigned char* out, int n) {
  if (RAND_bytes(out, n) != 1) {
    // OpenSSL's CSPRNG failing means the process cannot make secrets at all; continuing would
    // hand out predictable tokens.
    std::fputs("rampart: RAND_bytes failed\n", stderr);
    std::abort();
  }
}

}  // namespace

std::string FormatEnrollToken(const EnrollToken& token) {
  std::string fp = token.cert_sha256.empty() ? "-" : token.cert_sha256;
  return std::string(kEnrollPrefix) + "." + token.id + "." + token.secret + "." + fp;
}

Result<EnrollToken> ParseEnrollToken(std::string_view text) {
  auto bad = [] {
    return InvalidArgument("enrolment token: expected rpe1.<id>.<secret>.<fingerprint>");
  };
  auto parts = Split(TrimView(text), '.');
  if (parts.size() != 4 || parts[0] != kEnrollPrefix || !IsTokenChars(parts[1]) ||
      !IsTokenChars(parts[2])) {
    return bad();
  }
  EnrollToken token{std::string(parts[1]), std::string(parts[2]), ""};
  if (parts[3] != "-") {
    if (parts[3].size() != 64) return bad();
    for (char c : parts[3]) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return bad();
    }
    token.cert_sha256 = std::string(parts[3]);
  }
  return token;
}

std::string FormatApiToken(const ApiToken& token) {
  return std::string(kApiPrefix) + "." + token.id + "." + token.secret;
}

Result<ApiToken> ParseApiToken(std::string_view text) {
  auto parts = Split(text, '.');
  if (parts.size() != 3 || parts[0] != kApiPrefix || !IsTokenChars(parts[1]) ||
      !IsTokenChars(parts[2])) {
    return InvalidArgument("API token: expected rpt1.<id>.<secret>");
  }
  return ApiToken{std::string(parts[1]), std::string(parts[2])};
}

std::string FormatAgentAuthorization(std::string_view host_id, std::string_view secret) {
  return std::string(kAgentAuthScheme) + " " + std::string(host_id) + ":" + std::string(secret);
}

Result<std::pair<std::string, std::string>> ParseAgentAuthorization(std::string_view header) {
  std::string_view rest = header;
  if (!ConsumePrefix(&rest, kAgentAuthScheme) || !ConsumePrefix(&rest, " ")) {
    return InvalidArgument("agent authorization: expected 'Agent <host id>:<secret>'");
  }
  auto colon = rest.find(':');
  if (colon == std::string_view::npos || !IsTokenChars(rest.substr(0, colon)) ||
      !IsTokenChars(rest.substr(colon + 1))) {
    return InvalidArgument("agent authorization: expected 'Agent <host id>:<secret>'");
  }
  return std::pair<std::string, std::string>(std::string(rest.substr(0, colon)),
                                             std::string(rest.substr(colon + 1)));
}

std::string RandomId(std::string_view prefix) {
  std::array<unsigned char, 16> bytes{};
  RandomBytes(bytes.data(), static_cast<int>(bytes.size()));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(prefix);
  out += '_';
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string RandomSecret() {
  std::array<unsigned char, 32> bytes{};
  RandomBytes(bytes.data(), static_cast<int>(bytes.size()));
  static constexpr char kB64Url[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kB64Url[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kB64Url[(acc << (6 - bits)) & 63];
  return out;
}

bool IsFingerprintCategory(std::string_view name) {
  for (std::string_view c : kFingerprintCategories) {
    if (c == name) return true;
  }
  return false;
}

std::string RowKey(const Json& row) { return Sha256Hex(row.Dump()); }

Result<std::string> MessageType(const Json& message) {
  const Json* type = message.is_object() ? message.Find("type") : nullptr;
  if (type == nullptr || !type->is_string()) {
    return InvalidArgument("channel message: expected a JSON object with a string \"type\"");
  }
  return type->as_string();
}

}  // namespace rampart::wire
