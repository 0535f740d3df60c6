#include "server/storage/test_db.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <utility>
#include <vector>

#include "common/strings.h"
#include "common/wire.h"

namespace rampart::server {
namespace {

constexpr const char* kMysqlUrlVariable = "RAMPART_TEST_MYSQL_URL";

// What this process created, removed by the gtest environment below after the last test.
struct Created {
  std::mutex mu;
  std::vector<std::string> sqlite_dirs;
  std::vector<std::pair<MysqlParams, std::string>> mysql_databases;  // server, database name
};

Created& Registry() {
  static auto* created = new Created;  // never destroyed: used during gtest's teardown
  return *created;
}

class DropTestDatabases : public ::testing::Environment {
 public:
  void TearDown() override {
    Created& c = Registry();
    std::lock_guard lock(c.mu);
    for (const auto& dir : c.sqlite_dirs) {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
    c.sqlite_dirs.clear();
    for (const auto& [params, name] : c.mysql_databases) {
      auto db = OpenMysqlDb(params, 1);
      if (!db.ok()) continue;  // the server is gone; its data dir is a test fixture anyway
      auto lease = (*db)->Acquire();
      if (lease.ok()) (void)(*lease)->Execute("DROP DATABASE IF EXISTS `" + name + "`");
    }
    c.mysql_databases.clear();
  }
};

[[maybe_unused]] ::testing::Environment* const kDropEnvironment =
    ::testing::AddGlobalTestEnvironment(new DropTestDatabases);

Result<std::string> MakeSqliteDatabase() {
  std::string pattern = ::testing::TempDir();
  if (!pattern.empty() && pattern.back() != '/') pattern += '/';
  pattern += "rampart-test-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return ErrnoStatus(errno, "mkdtemp " + pattern);
  {
    Created& c = Registry();
    std::lock_guard lock(c.mu);
    c.sqlite_dirs.push_back(pattern);
  }
  return "sqlite://" + pattern + "/x.db";
}

// `url` with its database path replaced by `database`, keeping any ?query.
std::string WithDatabase(std::string_view url, std::string_view database) {
  const std::size_t query = std::min(url.find('?'), url.size());
  std::string_view base = url.substr(0, query);
  const std::size_t authority = base.find("://");
  const std::size_t slash = base.find('/', authority == std::string_view::npos ? 0 : authority + 3);
  if (slash != std::string_view::npos) base = base.substr(0, slash);
  std::string out(base);
  out += '/';
  out += database;
  out += url.substr(query);
  return out;
}

Result<std::string> MakeMysqlDatabase() {
  const char* url = std::getenv(kMysqlUrlVariable);
  if (url == nullptr || *url == '\0') {
    return FailedPrecondition(
        std::string(kMysqlUrlVariable) +
        " is not set: the MySQL tests need the private MariaDB that ctest starts; run them with "
        "`ctest -L mysql` (or `ctest -R Mysql`) from the build directory");
  }
  RAMPART_ASSIGN_OR_RETURN(MysqlParams server, ParseMysqlUrl(url));
  server.database.clear();
  RAMPART_ASSIGN_OR_RETURN(auto db, OpenMysqlDb(server, 1));
  RAMPART_ASSIGN_OR_RETURN(auto lease, db->Acquire());
  // The name is ours (hex), so building the identifier into the statement is safe.
  const std::string name = wire::RandomId("rt");
  RAMPART_RETURN_IF_ERROR(lease->Execute("CREATE DATABASE `" + name + "`").status());
  {
    Created& c = Registry();
    std::lock_guard lock(c.mu);
    c.mysql_databases.emplace_back(server, name);
  }
  return WithDatabase(url, name);
}

}  // namespace

std::string TestBackendName(TestBackend backend) {
  return backend == TestBackend::kSqlite ? "Sqlite" : "Mysql";
}

std::string TestBackendParamName(const ::testing::TestParamInfo<TestBackend>& info) {
  return TestBackendName(info.param);
}

void PrintTo(TestBackend backend, std::ostream* os) { *os << TestBackendName(backend); }

Result<std::string> MakeTestDatabase(TestBackend backend) {
  return backend == TestBackend::kSqlite ? MakeSqliteDatabase() : MakeMysqlDatabase();
}

std::string SqlitePathOfUrl(const std::string& url) {
  std::string_view path = url;
  return ConsumePrefix(&path, "sqlite://") ? std::string(path) : url;
}

Result<std::unique_ptr<SqlDb>> OpenTestSqlDb(TestBackend backend, int pool_size) {
  RAMPART_ASSIGN_OR_RETURN(std::string url, MakeTestDatabase(backend));
  if (backend == TestBackend::kSqlite) return OpenSqliteDb(SqlitePathOfUrl(url), pool_size);
  RAMPART_ASSIGN_OR_RETURN(MysqlParams params, ParseMysqlUrl(url));
  return OpenMysqlDb(params, pool_size);
}

}  // namespace rampart::server
