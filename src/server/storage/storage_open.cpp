// OpenStorage: picks the driver from the URL, runs the migrations, hands out a SqlStorage.

#include <chrono>

#include "common/files.h"
#include "common/strings.h"
#include "server/storage/migrations.h"
#include "server/storage/sql_storage.h"
#include "server/storage/storage.h"

namespace rampart::server {
namespace {

// Connections per process. SQLite has one writer at a time anyway; the pool serves concurrent
// readers (WAL). MySQL gets more, since its writers on different rows run in parallel.
constexpr int kSqlitePoolSize = 8;
constexpr int kMysqlPoolSize = 16;

// "mysql://user:secret@host/db" -> "mysql://user:***@host/db", for error messages and logs.
std::string MaskPassword(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const std::size_t authority = scheme + 3;
  const std::size_t at = url.find('@', authority);
  const std::size_t slash = url.find('/', authority);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) {
    return std::string(url);
  }
  const std::size_t colon = url.find(':', authority);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

std::int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<SqlDb>> OpenDriver(std::string_view url, std::string_view data_dir) {
  if (url.empty()) {
    if (data_dir.empty()) return InvalidArgument("no --db URL and no data directory given");
    RAMPART_RETURN_IF_ERROR(MakeDirs(std::string(data_dir), 0700));
    return OpenSqliteDb(std::string(data_dir) + "/rampart.db", kSqlitePoolSize);
  }
  std::string_view rest = url;
  if (ConsumePrefix(&rest, "sqlite://")) {
    if (rest != ":memory:" && !StartsWith(rest, "/")) {
      return InvalidArgument("expected sqlite:///absolute/path.db or sqlite://:memory:");
    }
    return OpenSqliteDb(std::string(rest), kSqlitePoolSize);
  }
  if (StartsWith(url, "mysql://")) {
    RAMPART_ASSIGN_OR_RETURN(MysqlParams params, ParseMysqlUrl(url));
    return OpenMysqlDb(params, kMysqlPoolSize);
  }
  return InvalidArgument("unknown database scheme; expected sqlite:// or mysql://");
}

}  // namespace

Result<std::unique_ptr<Storage>> OpenStorage(std::string_view url, std::string_view data_dir) {
  const std::string shown =
      url.empty() ? "sqlite://" + std::string(data_dir) + "/rampart.db" : MaskPassword(url);
  auto db = OpenDriver(url, data_dir);
  if (!db.ok()) return db.error().WithContext("database " + shown);
  auto version = RunMigrations(**db, Now());
  if (!version.ok()) return version.error().WithContext("database " + shown);
  return std::unique_ptr<Storage>(std::make_unique<SqlStorage>(std::move(*db), *version));
}

}  // namespace rampart::server
