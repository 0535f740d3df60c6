#pragma once
// Test support (links gtest; only for tests): fresh, empty databases on either backend, so one
// value-parameterised suite runs on SQLite and on MariaDB.
//
//   class StorageTest : public ::testing::TestWithParam<TestBackend> {};
//   TEST_P(StorageTest, ...) { auto url = MakeTestDatabase(GetParam()); ... }
//   RAMPART_INSTANTIATE_DB_TEST(StorageTest);
//
// rampart_add_db_test (cmake/RampartTargets.cmake) registers the `Sqlite/*` tests with label unit
// and the `Mysql/*` tests with label mysql; the latter get RAMPART_TEST_MYSQL_URL from ctest, which
// also starts the private MariaDB first (scripts/mariadb-test.sh). Run them with `ctest -L mysql`.
//
// Databases made here are dropped (MySQL) or deleted (SQLite temp dirs) when the test program
// ends normally.

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>

#include "common/status.h"
#include "server/storage/sql_db.h"

namespace rampart::server {

enum class TestBackend { kSqlite, kMysql };

// "Sqlite" / "Mysql": the instantiation names the ctest filters rely on.
std::string TestBackendName(TestBackend backend);
// gtest name generator: test names read `Sqlite/Suite.Test/Sqlite`.
std::string TestBackendParamName(const ::testing::TestParamInfo<TestBackend>& info);
void PrintTo(TestBackend backend, std::ostream* os);

// A storage URL naming a new, empty database:
//   kSqlite: "sqlite:///tmp/rampart-test-XXXXXX/x.db" (a fresh temp dir; the file does not exist);
//   kMysql:  "mysql://user:pw@host:port/rt_<random>" for a database just created on the server
//            named by $RAMPART_TEST_MYSQL_URL.
// Errors: FailedPrecondition when RAMPART_TEST_MYSQL_URL is unset (run via `ctest -L mysql`);
// the driver's error when the database cannot be created.
Result<std::string> MakeTestDatabase(TestBackend backend);

// A driver on a fresh database from MakeTestDatabase, for driver-level tests.
Result<std::unique_ptr<SqlDb>> OpenTestSqlDb(TestBackend backend, int pool_size = 4);

// The file path inside a "sqlite://PATH" URL, or the URL itself when it has no such prefix.
std::string SqlitePathOfUrl(const std::string& url);

}  // namespace rampart::server

// Instantiates a TestWithParam<TestBackend> suite on both backends with the names `Sqlite` and
// `Mysql` (rampart_add_db_test filters on them).
#define RAMPART_INSTANTIATE_DB_TEST(suite)                                             \
  INSTANTIATE_TEST_SUITE_P(Sqlite, suite,                                              \
                           ::testing::Values(::rampart::server::TestBackend::kSqlite), \
                           ::rampart::server::TestBackendParamName);                   \
  INSTANTIATE_TEST_SUITE_P(Mysql, suite,                                               \
                           ::testing::Values(::rampart::server::TestBackend::kMysql),  \
                           ::rampart::server::TestBackendParamName)
