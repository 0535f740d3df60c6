#pragma once
// Test support for the Storage suites (storage_*_test.cpp): a fresh Storage on the backend under
// test, plus shortcuts that create tenants, enrolment tokens and hosts, and raw SQL access for
// checks the Storage interface cannot express (rows left behind, schema_migrations).

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "common/wire.h"
#include "server/storage/sql_db.h"
#include "server/storage/storage.h"
#include "server/storage/test_db.h"

namespace rampart::server {

// A driver on the database that `url` (from MakeTestDatabase) names.
inline Result<std::unique_ptr<SqlDb>> OpenDbAt(const std::string& url, int pool_size = 2) {
  if (url.rfind("sqlite://", 0) == 0) return OpenSqliteDb(SqlitePathOfUrl(url), pool_size);
  RAMPART_ASSIGN_OR_RETURN(MysqlParams params, ParseMysqlUrl(url));
  return OpenMysqlDb(params, pool_size);
}

// The first column of the first row of `sql` as an integer (counting rows in tests).
inline std::int64_t QueryInt(SqlDb& db, const std::string& sql) {
  auto lease = db.Acquire();
  EXPECT_TRUE(lease.ok()) << lease.status().ToString();
  if (!lease.ok()) return -1;
  auto rows = (*lease)->Query(sql);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  if (!rows.ok() || rows->empty()) return -1;
  return (*rows)[0].Int(0);
}

class StorageTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    if (GetParam() == TestBackend::kMysql && std::getenv("RAMPART_TEST_MYSQL_URL") == nullptr) {
      GTEST_SKIP() << "RAMPART_TEST_MYSQL_URL unset: run the MySQL cases with `ctest -L mysql`";
    }
    auto url = MakeTestDatabase(GetParam());
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    url_ = *url;
    auto storage = OpenStorage(url_, "");
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    storage_ = std::move(*storage);
  }

  Storage& storage() { return *storage_; }

  // Raw SQL access to the same database (opened on first use).
  SqlDb& db() {
    if (raw_ == nullptr) {
      auto db = OpenDbAt(url_);
      EXPECT_TRUE(db.ok()) << db.status().ToString();
      raw_ = std::move(*db);
    }
    return *raw_;
  }

  Tenant MakeTenant(const std::string& name) {
    auto tenant = storage().CreateTenant(name, 1000);
    EXPECT_TRUE(tenant.ok()) << tenant.status().ToString();
    return tenant.ok() ? *tenant : Tenant{};
  }

  EnrollTokenRecord MakeEnrollToken(const std::string& tenant_id, std::int64_t expires_at = 0) {
    EnrollTokenRecord token;
    token.tenant_id = tenant_id;
    token.secret_hash = "argon2-hash";
    token.created_at = 1000;
    token.expires_at = expires_at;
    auto created = storage().CreateEnrollToken(token);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : EnrollTokenRecord{};
  }

  // Enrols a new machine into `tenant_id` (a fresh enrolment token each time).
  Host Enroll(const std::string& tenant_id, const std::string& machine_id,
              const std::string& hostname, std::int64_t now = 2000) {
    Host host;
    host.id = wire::RandomId("h");
    host.machine_id = machine_id;
    host.hostname = hostname;
    host.agent_version = "0.1.0";
    host.agent_secret_hash = "secret-hash";
    auto enrolled = storage().EnrollHost(MakeEnrollToken(tenant_id).id, host, now);
    EXPECT_TRUE(enrolled.ok()) << enrolled.status().ToString();
    return enrolled.ok() ? *enrolled : Host{};
  }

  std::string url_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<SqlDb> raw_;
};

}  // namespace rampart::server
