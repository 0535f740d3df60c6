// `rampart admin ...`: CLI11 options for the bootstrap commands; the work is in admin_cmd.cpp.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/admin_cmd.h"
#include "cli/command.h"

namespace rampart::cli {
namespace {

class AdminCommand final : public Command {
 public:
  void Register(CLI::App& app) override {
    admin_ =
        app.add_subcommand("admin",
                           "Bootstrap the platform: tenants, users, API tokens, enrolment tokens, "
                           "advisory feeds");
    admin_->require_subcommand(1);
    admin_->add_option("--db", args_.db_url,
                       "Database URL, as for `rampart server` (default: rampart.db in the data "
                       "directory)");
    admin_->add_option("--data-dir", args_.data_dir, "The server's data directory")
        ->capture_default_str();
    admin_->add_flag("--json", args_.json, "Print one JSON object instead of the bare value");

    auto* tenant = Nested(admin_, "tenant", "Tenants (customers)");
    Add(tenant, "create", "Create a tenant; prints its id", AdminAction::kTenantCreate)
        ->add_option("NAME", args_.name, "Tenant name")
        ->required();
    Add(tenant, "list", "List tenants", AdminAction::kTenantList);

    auto* user = Nested(admin_, "user", "Users of a tenant");
    auto* user_create =
        Add(user, "create", "Create a user; prints its id", AdminAction::kUserCreate);
    TenantOption(user_create);
    user_create->add_option("--name", args_.name, "User name")->required();
    RoleOption(user_create);
    user_create->add_flag("--password-stdin", args_.password_stdin,
                          "Read the password (>= 12 characters) from the first line of stdin; "
                          "without it the user signs in with API tokens only");

    auto* token = Nested(admin_, "token", "API tokens");
    auto* token_create = Add(token, "create", "Create an API token; prints it (shown once)",
                             AdminAction::kTokenCreate);
    TenantOption(token_create);
    token_create->add_option("--user", args_.user,
                             "User the token acts for (default: a service token)");
    RoleOption(token_create);
    token_create->add_option("--ttl", args_.ttl, "Lifetime: 30s, 15m, 24h, 7d (default: never)");

    // `enroll-token --tenant T` creates; `enroll-token revoke --tenant T ID` revokes.
    enroll_ = admin_->add_subcommand(
        "enroll-token", "Create an enrolment token for agents (carries the certificate pin)");
    enroll_->require_subcommand(0, 1);
    enroll_->fallthrough();
    TenantOption(enroll_);
    enroll_->add_option("--ttl", args_.ttl, "Lifetime: 30s, 15m, 24h, 7d (default 24h)");
    enroll_->add_flag("--no-tls", args_.no_tls,
                      "The server runs with --no-tls: the token carries no fingerprint");
    auto* cert = enroll_->add_option("--cert", args_.cert_path,
                                     "The server's --cert (default: <data-dir>/tls/server.crt)");
    auto* key = enroll_->add_option("--key", args_.key_path, "The server's --key");
    cert->needs(key);
    key->needs(cert);
    revoke_ = Add(enroll_, "revoke", "Revoke an enrolment token", AdminAction::kEnrollTokenRevoke);
    TenantOption(revoke_);
    revoke_->add_option("TOKEN_ID", args_.token_id, "Token id (et_...) or the token text")
        ->required();

    auto* feed = Nested(admin_, "feed", "Vulnerability advisory feeds (shared by all tenants)");
    Add(feed, "import",
        "Import OSV feeds (record, {\"vulns\":[...]} batch, directory, all.zip) or Debian "
        "Security Tracker JSON; bad records are reported and skipped",
        AdminAction::kFeedImport)
        ->add_option("PATH", args_.paths, "Feed files or directories")
        ->required();
    Add(feed, "list", "List imported feeds with record counts", AdminAction::kFeedList);
  }

  bool Selected() const override { return admin_ != nullptr && admin_->parsed(); }

  int Run() override {
    AdminAction action = AdminAction::kEnrollTokenCreate;
    if (enroll_->parsed() && args_.tenant.empty()) {
      std::fprintf(stderr, "rampart admin enroll-token: --tenant is required\n");
      return 2;
    }
    if (revoke_->parsed()) {
      action = AdminAction::kEnrollTokenRevoke;
    } else if (!enroll_->parsed()) {
      bool found = false;
      for (const auto& [sub, a] : leaves_) {
        if (sub->parsed()) {
          action = a;
          found = true;
        }
      }
      if (!found) return 2;
    }
    if (args_.no_tls && !args_.cert_path.empty()) {
      std::fprintf(stderr, "rampart admin enroll-token: --no-tls and --cert exclude each other\n");
      return 2;
    }
    return RunAdmin(action, args_, stdin, stdout, stderr);
  }

 private:
  static CLI::App* Nested(CLI::App* parent, const std::string& name, const std::string& help) {
    auto* sub = parent->add_subcommand(name, help);
    sub->require_subcommand(1);
    sub->fallthrough();  // admin's --db/--data-dir/--json may come after the subcommands
    return sub;
  }

  CLI::App* Add(CLI::App* parent, const std::string& name, const std::string& help,
                AdminAction action) {
    auto* sub = parent->add_subcommand(name, help);
    sub->fallthrough();
    leaves_.emplace_back(sub, action);
    return sub;
  }

  void TenantOption(CLI::App* sub) {
    auto* opt = sub->add_option("--tenant", args_.tenant, "Tenant id (tn_...)");
    if (sub != enroll_ && sub != revoke_) opt->required();
  }

  void RoleOption(CLI::App* sub) {
    sub->add_option("--role", args_.role, "admin, operator or viewer")
        ->required()
        ->check(CLI::IsMember({"admin", "operator", "viewer"}));
  }

  CLI::App* admin_ = nullptr;
  CLI::App* enroll_ = nullptr;
  CLI::App* revoke_ = nullptr;
  std::vector<std::pair<CLI::App*, AdminAction>> leaves_;
  AdminArgs args_;
};

}  // namespace

std::unique_ptr<Command> MakeAdminCommand() { return std::make_unique<AdminCommand>(); }

}  // namespace rampart::cli
