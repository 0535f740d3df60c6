#pragma once
// `rampart admin feed import PATH...` and `rampart admin feed list`: advisory feeds into the
// platform's database (server/service/vuln_service.h ImportFeed), shared by every tenant.

#include <cstdio>

#include "cli/admin_cmd.h"
#include "common/status.h"
#include "server/storage/storage.h"

namespace rampart::cli {

// Imports each path in turn, each in its own transaction; a path that cannot be read is reported
// and the others are still imported (the Status then names the paths that failed). Per-record
// problems are printed on `err` as "warning: SOURCE: ID: REASON (record skipped)" (the first 20 per
// feed, then a count). Prints one summary line per feed on `out` (or a JSON array with --json).
Status FeedImportCommand(server::Storage& storage, const AdminArgs& args, std::FILE* out,
                         std::FILE* err);
// The imported feeds with their counts.
Status FeedListCommand(server::Storage& storage, const AdminArgs& args, std::FILE* out);

}  // namespace rampart::cli
