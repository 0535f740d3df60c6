#pragma once
// `rampart admin ...`: bootstrap the platform from the command line (tenants, users, API tokens,
// enrolment tokens), straight on the database the server uses. Each command prints the value it
// created alone on stdout (or one JSON object with --json), so scripts can capture it.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rampart::cli {

enum class AdminAction {
  kTenantCreate,
  kTenantList,
  kUserCreate,
  kTokenCreate,
  kEnrollTokenCreate,
  kEnrollTokenRevoke,
  kFeedImport,
  kFeedList,
};

struct AdminArgs {
  // Where the server keeps its data (as `rampart server`).
  std::string db_url;
  std::string data_dir = "/var/lib/rampart/server";
  bool json = false;

  std::string tenant;  // --tenant
  std::string name;    // tenant create NAME, user create --name
  std::string role;    // --role admin|operator|viewer
  std::string user;    // token create --user NAME
  bool password_stdin = false;
  std::string ttl;        // --ttl DURATION; empty: the action's default
  bool no_tls = false;    // enroll-token: a server without TLS ("-" fingerprint)
  std::string cert_path;  // enroll-token: the server's user-supplied certificate
  std::string key_path;
  std::string token_id;            // enroll-token revoke TOKEN_ID (an id or the whole token text)
  std::vector<std::string> paths;  // feed import FILE|DIR...
};

// "30s", "15m", "24h", "7d" -> seconds. InvalidArgument naming the text otherwise.
Result<std::int64_t> ParseDuration(std::string_view text);

// Runs one action. Returns 0, or 2 with a message on `err` (unknown tenant: "tenant tn_x not
// found"; bad role, duration or password; database errors). `in` supplies --password-stdin.
int RunAdmin(AdminAction action, const AdminArgs& args, std::FILE* in, std::FILE* out,
             std::FILE* err);

}  // namespace rampart::cli
