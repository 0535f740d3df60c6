#include "server/service/enrollment.h"

#include <openssl/crypto.h>

#include <chrono>

#include "common/hash.h"
#include "common/wire.h"
#include "server/service/password_hash.h"

namespace rampart::server {
namespace {

// One message for every enrolment failure, so a caller cannot tell a wrong secret from an
// expired, revoked or unknown token.
constexpr std::string_view kBadToken = "enrolment token is invalid, expired or revoked";
constexpr std::string_view kBadAgent = "agent credentials are invalid";

// Bounds on what an unauthenticated caller may make us store.
constexpr std::size_t kMaxMachineId = 256;
constexpr std::size_t kMaxHostname = 255;
constexpr std::size_t kMaxAgentVersion = 64;
constexpr std::size_t kMaxToken = 1024;

std::int64_t UnixSeconds(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count();
}

Status StringField(const Json& body, std::string_view name, bool required, std::size_t max_len,
                   std::string& out) {
  const Json* value = body.Find(name);
  if (value == nullptr || value->is_null()) {
    if (required)
      return InvalidArgument("enrolment request: missing \"" + std::string(name) + "\"");
    return Status::Ok();
  }
  if (!value->is_string()) {
    return InvalidArgument("enrolment request: \"" + std::string(name) + "\" must be a string");
  }
  if (required && value->as_string().empty()) {
    return InvalidArgument("enrolment request: \"" + std::string(name) + "\" must not be empty");
  }
  if (value->as_string().size() > max_len) {
    return InvalidArgument("enrolment request: \"" + std::string(name) + "\" is longer than " +
                           std::to_string(max_len) + " bytes");
  }
  out = value->as_string();
  return Status::Ok();
}

bool EqualConstantTime(std::string_view a, std::string_view b) {
  // Both sides are hex SHA-256 digests of fixed length; the length check leaks nothing secret.
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Result<EnrollRequest> ParseEnrollRequest(const Json& body) {
  if (!body.is_object()) return InvalidArgument("enrolment request: expected a JSON object");
  EnrollRequest req;
  RAMPART_RETURN_IF_ERROR(StringField(body, "token", true, kMaxToken, req.token));
  RAMPART_RETURN_IF_ERROR(StringField(body, "machine_id", true, kMaxMachineId, req.machine_id));
  RAMPART_RETURN_IF_ERROR(StringField(body, "hostname", false, kMaxHostname, req.hostname));
  RAMPART_RETURN_IF_ERROR(
      StringField(body, "agent_version", false, kMaxAgentVersion, req.agent_version));
  return req;
}

Result<EnrollResult> EnrollAgent(Storage& storage, const Clock& clock, const EnrollRequest& req) {
  const Status bad{Code::kUnauthenticated, std::string(kBadToken)};
  auto token = wire::ParseEnrollToken(req.token);
  if (!token) return bad;
  auto record = storage.GetEnrollToken(token->id);
  if (!record) {
    if (record.error().code() == Code::kNotFound) return bad;
    return record.error();  // storage trouble: the caller should retry, not give up
  }
  const std::int64_t now = UnixSeconds(clock);
  // Evaluate all three conditions before deciding, so the time taken does not reveal which failed
  // (the argon2 verification dominates and always runs for a known token id).
  const bool secret_ok = VerifySecret(token->secret, record->secret_hash);
  const bool active = record->revoked_at == 0 && now < record->expires_at;
  if (!secret_ok || !active) return bad;

  const std::string secret = wire::RandomSecret();
  Host host;
  host.id = wire::RandomId("h");
  host.tenant_id = record->tenant_id;
  host.machine_id = req.machine_id;
  host.hostname = req.hostname;
  host.agent_version = req.agent_version;
  host.installed_at = now;
  host.last_seen = now;
  host.status = HostStatus::kOnline;
  host.agent_secret_hash = Sha256Hex(secret);
  RAMPART_ASSIGN_OR_RETURN(Host stored, storage.EnrollHost(record->id, std::move(host), now));
  return EnrollResult{stored.id, stored.tenant_id, secret};
}

Json EnrollResultJson(const EnrollResult& result) {
  Json out = Json::MakeObject();
  out.Set("host_id", result.host_id);
  out.Set("agent_id", result.host_id);
  out.Set("secret", result.secret);
  out.Set("tenant_id", result.tenant_id);
  return out;
}

Result<Host> AuthenticateAgent(Storage& storage, std::string_view authorization_header) {
  const Status bad{Code::kUnauthenticated, std::string(kBadAgent)};
  auto creds = wire::ParseAgentAuthorization(authorization_header);
  if (!creds) return bad;
  auto host = storage.GetHostById(creds->first);
  if (!host) {
    if (host.error().code() == Code::kNotFound) return bad;
    return host.error();
  }
  const bool match = EqualConstantTime(Sha256Hex(creds->second), host->agent_secret_hash);
  if (!match || host->status == HostStatus::kUninstalled) return bad;
  return std::move(host).value();
}

Result<std::pair<EnrollTokenRecord, std::string>> CreateEnrollToken(Storage& storage,
                                                                    const Clock& clock,
                                                                    std::string_view tenant_id,
                                                                    std::int64_t ttl_seconds,
                                                                    std::string_view cert_sha256) {
  if (ttl_seconds <= 0) return InvalidArgument("enrolment token: the TTL must be positive");
  auto tenant = storage.GetTenant(tenant_id);
  if (!tenant) {
    if (tenant.error().code() == Code::kNotFound) {
      return NotFound("tenant " + std::string(tenant_id) + " not found");
    }
    return tenant.error();
  }
  const std::int64_t now = UnixSeconds(clock);
  const std::string secret = wire::RandomSecret();
  EnrollTokenRecord record;
  record.id = wire::RandomId("et");
  record.tenant_id = std::string(tenant_id);
  RAMPART_ASSIGN_OR_RETURN(record.secret_hash, HashSecret(secret));
  record.created_at = now;
  record.expires_at = now + ttl_seconds;
  RAMPART_ASSIGN_OR_RETURN(EnrollTokenRecord stored, storage.CreateEnrollToken(record));
  std::string text = wire::FormatEnrollToken({stored.id, secret, std::string(cert_sha256)});
  return std::pair<EnrollTokenRecord, std::string>(std::move(stored), std::move(text));
}

}  // namespace rampart::server
