#pragma once
// Versioned schema migrations, run by OpenStorage before a Storage is handed out. The list is
// append-only: a released migration is never edited, a change is a new version. Each migration has
// one script per dialect (MySQL needs VARCHAR for indexed columns, LONGTEXT for JSON, InnoDB and a
// binary collation so both backends sort and compare text the same way).
//
// Applied versions are recorded in schema_migrations(version, description, applied_at).

#include <cstdint>
#include <span>
#include <string_view>

#include "common/status.h"
#include "server/storage/sql_db.h"

namespace rampart::server {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sqlite_sql;
  std::string_view mysql_sql;
};

// The migrations this binary knows, in version order (1, 2, ...).
std::span<const Migration> Migrations();
// Version of the last entry of Migrations().
int LatestSchemaVersion();

// Brings the database to the latest version and returns it. Idempotent: applied versions are
// skipped. Safe when several server processes start at once on one database: MySQL holds
// GET_LOCK('rampart_migrate', 30) for the whole run; SQLite applies each migration inside BEGIN
// IMMEDIATE and re-checks that it is still missing. Errors: FailedPrecondition "database schema N
// is newer than this rampart (M)" when the database was migrated by a newer binary (nothing is
// changed); Unavailable when the MySQL lock is not granted within 30 s; driver errors with the
// failing migration's version in the message.
// `migrations` defaults to Migrations(); tests pass a longer or shorter list to play a newer or
// older binary.
Result<int> RunMigrations(SqlDb& db, std::int64_t unix_now,
                          std::span<const Migration> migrations = Migrations());

// The highest version recorded in schema_migrations (0 for a fresh database).
Result<int> AppliedSchemaVersion(SqlConnection& conn);

}  // namespace rampart::server
