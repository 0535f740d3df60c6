#include "cli/admin_cmd.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "agent/collectors/collector.h"
#include "cli/admin_feed_cmd.h"
#include "cli/table.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/strings.h"
#include "common/wire.h"
#include "server/model.h"
#include "server/server_app.h"
#include "server/service/api_auth.h"
#include "server/service/enrollment.h"
#include "server/service/password_hash.h"

namespace rampart::cli {
namespace {

constexpr std::int64_t kDefaultEnrollTtl = 24 * 3600;
constexpr std::size_t kMinPassword = 12;
constexpr std::size_t kMaxPassword = 1024;

std::int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             SystemClock::Instance().Now().time_since_epoch())
      .count();
}

// The first line of `in`, without its line ending.
Result<std::string> ReadPasswordLine(std::FILE* in) {
  std::string line;
  int c = 0;
  while ((c = std::fgetc(in)) != EOF && c != '\n') {
    line += static_cast<char>(c);
    if (line.size() > kMaxPassword) {
      return InvalidArgument("password: longer than " + std::to_string(kMaxPassword) + " bytes");
    }
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() < kMinPassword) {
    return InvalidArgument("password: expected at least " + std::to_string(kMinPassword) +
                           " characters on the first line of stdin");
  }
  return line;
}

// Unknown tenants get the message the brief promises ("tenant tn_x not found").
Status CheckTenant(server::Storage& storage, const std::string& tenant_id) {
  if (tenant_id.empty()) return InvalidArgument("--tenant: expected a tenant id (tn_...)");
  auto tenant = storage.GetTenant(tenant_id);
  if (tenant.ok()) return Status::Ok();
  if (tenant.error().code() == Code::kNotFound) {
    return NotFound("tenant " + Printable(tenant_id) + " not found");
  }
  return tenant.error();
}

server::ServerConfig ConfigOf(const AdminArgs& args) {
  server::ServerConfig config;
  config.db_url = args.db_url;
  config.data_dir = args.data_dir;
  config.cert_path = args.cert_path;
  config.key_path = args.key_path;
  return config;
}

// Prints `value` alone, or `json` as one document.
void Print(std::FILE* out, bool as_json, const std::string& value, const Json& json) {
  const std::string text = as_json ? json.Dump(2) : value;
  std::fprintf(out, "%s\n", text.c_str());
}

Status TenantCreate(server::Storage& storage, const AdminArgs& args, std::FILE* out) {
  const std::string name = Trim(args.name);
  if (name.empty()) return InvalidArgument("tenant create: expected a non-empty NAME");
  RAMPART_ASSIGN_OR_RETURN(server::Tenant tenant, storage.CreateTenant(name, Now()));
  Json json = Json::MakeObject();
  json.Set("id", tenant.id);
  json.Set("name", tenant.name);
  json.Set("created_at", FormatIso8601(tenant.created_at));
  Print(out, args.json, tenant.id, json);
  return Status::Ok();
}

Status TenantList(server::Storage& storage, const AdminArgs& args, std::FILE* out) {
  RAMPART_ASSIGN_OR_RETURN(std::vector<server::Tenant> tenants, storage.ListTenants());
  Json items = Json::MakeArray();
  for (const server::Tenant& t : tenants) {
    Json item = Json::MakeObject();
    item.Set("id", t.id);
    item.Set("name", t.name);
    item.Set("created_at", FormatIso8601(t.created_at));
    items.Push(std::move(item));
  }
  if (args.json) {
    Json doc = Json::MakeObject();
    doc.Set("items", std::move(items));
    std::fprintf(out, "%s\n", doc.Dump(2).c_str());
    return Status::Ok();
  }
  static constexpr agent::Field kColumns[] = {
      {"id", agent::FieldType::kString, false, true},
      {"name", agent::FieldType::kString, false, true},
      {"created_at", agent::FieldType::kString, false, true}};
  std::fputs(RenderTable(items, kColumns, 64).c_str(), out);
  return Status::Ok();
}

Status UserCreate(server::Storage& storage, const AdminArgs& args, std::FILE* in, std::FILE* out) {
  RAMPART_RETURN_IF_ERROR(CheckTenant(storage, args.tenant));
  if (Trim(args.name).empty()) return InvalidArgument("--name: expected a user name");
  RAMPART_ASSIGN_OR_RETURN(server::Role role, server::ParseRole(args.role));
  server::User user;
  user.tenant_id = args.tenant;
  user.name = Trim(args.name);
  user.role = role;
  user.created_at = Now();
  if (args.password_stdin) {
    RAMPART_ASSIGN_OR_RETURN(std::string password, ReadPasswordLine(in));
    RAMPART_ASSIGN_OR_RETURN(user.password_hash, server::HashSecret(password));
  }
  RAMPART_ASSIGN_OR_RETURN(server::User stored, storage.CreateUser(std::move(user)));
  Json json = Json::MakeObject();
  json.Set("id", stored.id);
  json.Set("tenant_id", stored.tenant_id);
  json.Set("name", stored.name);
  json.Set("role", server::RoleName(stored.role));
  json.Set("password", !stored.password_hash.empty());
  Print(out, args.json, stored.id, json);
  return Status::Ok();
}

Status TokenCreate(server::Storage& storage, const AdminArgs& args, std::FILE* out) {
  RAMPART_RETURN_IF_ERROR(CheckTenant(storage, args.tenant));
  RAMPART_ASSIGN_OR_RETURN(server::Role role, server::ParseRole(args.role));
  std::int64_t ttl = 0;
  if (!args.ttl.empty()) {
    RAMPART_ASSIGN_OR_RETURN(ttl, ParseDuration(args.ttl));
  }
  std::string user_id;
  if (!args.user.empty()) {
    auto user = storage.GetUserByName(args.tenant, args.user);
    if (!user) {
      if (user.error().code() == Code::kNotFound) {
        return NotFound("user '" + Printable(args.user) + "' not found in tenant " + args.tenant);
      }
      return user.error();
    }
    user_id = user->id;
  }
  const std::string description =
      args.user.empty() ? "created by rampart admin" : "created by rampart admin for " + args.user;
  RAMPART_ASSIGN_OR_RETURN(
      auto created, server::CreateApiToken(storage, SystemClock::Instance(), args.tenant, user_id,
                                           role, description, ttl));
  const auto& [record, text] = created;
  Json json = Json::MakeObject();
  json.Set("token", text);
  json.Set("id", record.id);
  json.Set("tenant_id", record.tenant_id);
  json.Set("user_id", record.user_id.empty() ? Json() : Json(record.user_id));
  json.Set("role", server::RoleName(record.role));
  json.Set("expires_at", record.expires_at == 0 ? Json() : Json(FormatIso8601(record.expires_at)));
  Print(out, args.json, text, json);
  return Status::Ok();
}

Status EnrollTokenCreate(server::Storage& storage, const AdminArgs& args, std::FILE* out) {
  RAMPART_RETURN_IF_ERROR(CheckTenant(storage, args.tenant));
  std::int64_t ttl = kDefaultEnrollTtl;
  if (!args.ttl.empty()) {
    RAMPART_ASSIGN_OR_RETURN(ttl, ParseDuration(args.ttl));
  }
  std::string fingerprint;
  if (!args.no_tls) {
    // The certificate the server serves, made now if the server never ran, so the agent can pin
    // it from its first connection.
    RAMPART_ASSIGN_OR_RETURN(net::TlsCertificate cert,
                             server::LoadServerCertificate(ConfigOf(args)));
    fingerprint = cert.sha256_hex;
  }
  RAMPART_ASSIGN_OR_RETURN(auto created, server::CreateEnrollToken(storage, SystemClock::Instance(),
                                                                   args.tenant, ttl, fingerprint));
  const auto& [record, text] = created;
  Json json = Json::MakeObject();
  json.Set("token", text);
  json.Set("id", record.id);
  json.Set("tenant_id", record.tenant_id);
  json.Set("expires_at", FormatIso8601(record.expires_at));
  json.Set("cert_sha256", fingerprint.empty() ? Json() : Json(fingerprint));
  Print(out, args.json, text, json);
  return Status::Ok();
}

Status EnrollTokenRevoke(server::Storage& storage, const AdminArgs& args, std::FILE* out) {
  RAMPART_RETURN_IF_ERROR(CheckTenant(storage, args.tenant));
  std::string id = args.token_id;
  // The whole token text works too: it is what the operator has at hand.
  if (StartsWith(id, "rpe1.")) {
    RAMPART_ASSIGN_OR_RETURN(wire::EnrollToken token, wire::ParseEnrollToken(id));
    id = token.id;
  }
  if (id.empty()) return InvalidArgument("enroll-token revoke: expected TOKEN_ID (et_...)");
  Status revoked = storage.RevokeEnrollToken(args.tenant, id, Now());
  if (revoked.code() == Code::kNotFound) {
    return NotFound("enrolment token " + Printable(id) + " not found in tenant " + args.tenant);
  }
  RAMPART_RETURN_IF_ERROR(revoked);
  Json json = Json::MakeObject();
  json.Set("id", id);
  json.Set("revoked", true);
  Print(out, args.json, id, json);
  return Status::Ok();
}

}  // namespace

Result<std::int64_t> ParseDuration(std::string_view text) {
  if (auto seconds = ParseDurationSeconds(text)) return *seconds;
  return InvalidArgument("duration '" + Printable(text) +
                         "': expected a number and a unit s, m, h or d (30s, 15m, 24h, 7d), at "
                         "most ten years");
}

int RunAdmin(AdminAction action, const AdminArgs& args, std::FILE* in, std::FILE* out,
             std::FILE* err) {
  auto storage = server::OpenServerStorage(ConfigOf(args));
  if (!storage) {
    std::fprintf(err, "rampart admin: %s\n", storage.error().message().c_str());
    return 2;
  }
  server::Storage& db = **storage;
  Status status;
  switch (action) {
    case AdminAction::kTenantCreate:
      status = TenantCreate(db, args, out);
      break;
    case AdminAction::kTenantList:
      status = TenantList(db, args, out);
      break;
    case AdminAction::kUserCreate:
      status = UserCreate(db, args, in, out);
      break;
    case AdminAction::kTokenCreate:
      status = TokenCreate(db, args, out);
      break;
    case AdminAction::kEnrollTokenCreate:
      status = EnrollTokenCreate(db, args, out);
      break;
    case AdminAction::kEnrollTokenRevoke:
      status = EnrollTokenRevoke(db, args, out);
      break;
    case AdminAction::kFeedImport:
      status = FeedImportCommand(db, args, out, err);
      break;
    case AdminAction::kFeedList:
      status = FeedListCommand(db, args, out);
      break;
  }
  if (!status.ok()) {
    std::fprintf(err, "rampart admin: %s\n", status.message().c_str());
    return 2;
  }
  return 0;
}

}  // namespace rampart::cli
