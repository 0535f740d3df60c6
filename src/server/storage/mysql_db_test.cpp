// MySQL specifics: URL parsing (plain tests, no server) and driver behaviour that only a real
// MariaDB shows (Mysql/..., label mysql): server-side killed connections, deadlocks, server types.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/storage/sql_db.h"
#include "server/storage/test_db.h"

namespace rampart::server {
namespace {

// Gives a lease back to its pool now.
void GiveBack(Result<SqlDb::Lease>& lease) { SqlDb::Lease gone(std::move(*lease)); }

// ---- ParseMysqlUrl ----

TEST(MysqlUrl, ParsesEveryPart) {
  auto p = ParseMysqlUrl("mysql://rampart:pw@db.example.com:3307/rampart_prod");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->user, "rampart");
  EXPECT_EQ(p->password, "pw");
  EXPECT_EQ(p->host, "db.example.com");
  EXPECT_EQ(p->port, 3307);
  EXPECT_EQ(p->database, "rampart_prod");
  EXPECT_EQ(p->socket, "");
}

TEST(MysqlUrl, DefaultsThePortAndAllowsNoPasswordOrDatabase) {
  auto p = ParseMysqlUrl("mysql://user@10.0.0.5/");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->port, 3306);
  EXPECT_EQ(p->host, "10.0.0.5");
  EXPECT_EQ(p->password, "");
  EXPECT_EQ(p->database, "");
  auto bare = ParseMysqlUrl("mysql://dbhost");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->user, "");
  EXPECT_EQ(bare->host, "dbhost");
}

TEST(MysqlUrl, PercentDecodesUserAndPassword) {
  auto p = ParseMysqlUrl("mysql://us%40er:p%3Aa%2Fs%3Fs%25:x@h/db");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->user, "us@er");
  EXPECT_EQ(p->password, "p:a/s?s%:x") << "only the first ':' separates user and password";
}

TEST(MysqlUrl, ReadsTheSocketParameter) {
  auto p = ParseMysqlUrl("mysql://u:p@/rampart?socket=%2Frun%2Fmysqld%2Fmysqld.sock");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->socket, "/run/mysqld/mysqld.sock");
  EXPECT_EQ(p->database, "rampart");
  auto plain = ParseMysqlUrl("mysql://u:p@localhost/db?socket=/tmp/m.sock");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->socket, "/tmp/m.sock");
}

TEST(MysqlUrl, AcceptsBracketedIpv6Hosts) {
  auto p = ParseMysqlUrl("mysql://u:p@[::1]:3310/db");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->host, "::1");
  EXPECT_EQ(p->port, 3310);
}

TEST(MysqlUrl, RejectsMalformedUrlsWithoutEverPrintingThePassword) {
  const std::vector<std::string> bad = {
      "postgres://u:s3cr3tpw@h/db",          // scheme
      "mysql://u:s3cr3tpw@h:0/db",           // port range
      "mysql://u:s3cr3tpw@h:65536/db",       //
      "mysql://u:s3cr3tpw@h:33o6/db",        //
      "mysql://u:s3cr3tpw@h:/db",            // empty port
      "mysql://u:s3cr3tpw@h/db?sockett=/x",  // unknown parameter
      "mysql://u:s3cr3tpw@h/db?socket=rel",  // relative socket
      "mysql://u:s3%ZZcr3tpw@h/db",          // bad escape
      "mysql://u:s3cr3tpw%00@h/db",          // NUL
      "mysql://u:s3cr@3tpw@h/db",            // unencoded '@'
      "mysql://u:s3cr/3tpw@h/db",            // unencoded '/'
      "mysql://u:s3cr3tpw@h/db#frag",        //
      "mysql://:s3cr3tpw@h/db",              // empty user
      "mysql://u:s3cr3tpw@h/a/b",            // two path segments
      "mysql://u:s3cr3tpw@ho st/db",         // bad host
      "mysql://u:s3cr3tpw@[::1/db",          // unclosed bracket
      "mysql://u:s3cr3tpw@h:3306:1/db",      //
  };
  for (const std::string& url : bad) {
    auto p = ParseMysqlUrl(url);
    ASSERT_FALSE(p.ok()) << url;
    EXPECT_EQ(p.error().code(), Code::kInvalidArgument) << url;
    const std::string& msg = p.error().message();
    EXPECT_NE(msg.find("expected mysql://"), std::string::npos) << msg;
    for (const char* secret : {"s3cr", "cr3t", "3tpw", "ZZ"}) {
      EXPECT_EQ(msg.find(secret), std::string::npos) << url << " -> " << msg;
    }
  }
}

TEST(TestDb, MysqlWithoutTheCtestEnvironmentSaysHowToRunIt) {
  const char* saved = std::getenv("RAMPART_TEST_MYSQL_URL");
  const std::optional<std::string> restore =
      saved != nullptr ? std::optional<std::string>(saved) : std::nullopt;
  ::unsetenv("RAMPART_TEST_MYSQL_URL");
  auto url = MakeTestDatabase(TestBackend::kMysql);
  if (restore) ::setenv("RAMPART_TEST_MYSQL_URL", restore->c_str(), 1);
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.error().code(), Code::kFailedPrecondition);
  EXPECT_NE(url.error().message().find("ctest -L mysql"), std::string::npos);
}

// ---- against the private MariaDB ----

class MysqlDbTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    auto db = OpenTestSqlDb(GetParam(), 4);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  std::unique_ptr<SqlDb> db_;
};

TEST_P(MysqlDbTest, KilledConnectionIsUnavailableAndThePoolReconnects) {
  auto victim = db_->Acquire();
  auto killer = db_->Acquire();
  ASSERT_TRUE(victim.ok() && killer.ok());
  auto id = (*victim)->Query("SELECT CONNECTION_ID()");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  // KILL takes no placeholder; the id is a number the server just gave us.
  ASSERT_TRUE((*killer)->ExecuteScript("KILL CONNECTION " + (*id)[0].Text(0)).ok());

  auto after = (*victim)->Query("SELECT 1");
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code(), Code::kUnavailable) << after.error().ToString();
  EXPECT_EQ((*victim)->Query("SELECT 1").error().code(), Code::kUnavailable);
  GiveBack(victim);  // broken: dropped, not pooled
  GiveBack(killer);

  // Every connection the pool hands out now works.
  for (int i = 0; i < 4; ++i) {
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease.ok());
    auto rows = (*lease)->Query("SELECT 1");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  }
}

TEST_P(MysqlDbTest, TransactionOnAKilledPooledConnectionIsRetriedOnAFreshOne) {
  ASSERT_TRUE(db_->InTransaction([](SqlConnection& c) {
                   return c.Execute("CREATE TABLE k (id BIGINT PRIMARY KEY)").status();
                 })
                  .ok());
  {
    auto victim = db_->Acquire();
    auto killer = db_->Acquire();
    ASSERT_TRUE(victim.ok() && killer.ok());
    const std::string id = (*(*victim)->Query("SELECT CONNECTION_ID()"))[0].Text(0);
    ASSERT_TRUE((*killer)->ExecuteScript("KILL CONNECTION " + id).ok());
    GiveBack(killer);
  }  // the victim goes back to the pool last, so it is the next one handed out
  const Status s = db_->InTransaction(
      [](SqlConnection& c) { return c.Execute("INSERT INTO k (id) VALUES (1)").status(); });
  EXPECT_TRUE(s.ok()) << s.ToString();
  auto lease = db_->Acquire();
  EXPECT_EQ((*(*lease)->Query("SELECT COUNT(*) FROM k"))[0].Int(0), 1);
}

TEST_P(MysqlDbTest, DeadlockIsUnavailable) {
  ASSERT_TRUE(db_->InTransaction([](SqlConnection& c) {
                   return c.ExecuteScript(
                       "CREATE TABLE d (id BIGINT PRIMARY KEY, v BIGINT) ENGINE=InnoDB;"
                       "INSERT INTO d VALUES (1, 0), (2, 0)");
                 })
                  .ok());
  auto a = db_->Acquire();
  auto b = db_->Acquire();
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->Begin().ok());
  ASSERT_TRUE((*b)->Begin().ok());
  ASSERT_TRUE((*a)->Execute("UPDATE d SET v = 1 WHERE id = 1").ok());
  ASSERT_TRUE((*b)->Execute("UPDATE d SET v = 1 WHERE id = 2").ok());
  Status from_a;
  std::thread t([&] { from_a = (*a)->Execute("UPDATE d SET v = 2 WHERE id = 2").status(); });
  const Status from_b = (*b)->Execute("UPDATE d SET v = 2 WHERE id = 1").status();
  if (!from_b.ok()) (void)(*b)->Rollback();  // lets a proceed when b was the victim
  t.join();
  if (!from_a.ok()) (void)(*a)->Rollback();
  ASSERT_NE(from_a.ok(), from_b.ok()) << from_a.ToString() << " / " << from_b.ToString();
  const Status& victim = from_a.ok() ? from_b : from_a;
  EXPECT_EQ(victim.code(), Code::kUnavailable) << victim.ToString();
  EXPECT_NE(victim.message().find("1213"), std::string::npos) << victim.message();
  (void)(*a)->Rollback();
  (void)(*b)->Rollback();
}

TEST_P(MysqlDbTest, ReadsServerTypesAsNumbersOrText) {
  auto lease = db_->Acquire();
  ASSERT_TRUE(lease.ok());
  auto rows = (*lease)->Query(
      "SELECT CAST(18446744073709551615 AS UNSIGNED), CAST(? AS DATETIME), "
      "CAST(1.50 AS DECIMAL(5,2)), 42, 2.5e0, NULL, JSON_OBJECT('a', 1), REPEAT('z', 70000)",
      std::vector<SqlValue>{std::string("2024-01-02 03:04:05")});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  const SqlRow& r = (*rows)[0];
  EXPECT_EQ(r.columns[0], SqlValue(std::string("18446744073709551615")));
  EXPECT_EQ(r.Text(1), "2024-01-02 03:04:05");
  EXPECT_EQ(r.Text(2), "1.50");
  EXPECT_EQ(r.columns[3], SqlValue(std::int64_t{42}));
  EXPECT_EQ(r.columns[4], SqlValue(2.5));
  EXPECT_TRUE(r.IsNull(5));
  EXPECT_EQ(r.Text(6), "{\"a\": 1}");
  EXPECT_EQ(r.Text(7), std::string(70000, 'z'));
}

TEST_P(MysqlDbTest, WrongPasswordIsPermissionDeniedWithoutThePassword) {
  const char* url = std::getenv("RAMPART_TEST_MYSQL_URL");
  ASSERT_NE(url, nullptr);
  auto params = ParseMysqlUrl(url);
  ASSERT_TRUE(params.ok());
  params->password = "definitely-wrong-pw";
  auto db = OpenMysqlDb(*params, 1);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code(), Code::kPermissionDenied) << db.error().ToString();
  EXPECT_EQ(db.error().message().find("definitely-wrong-pw"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Mysql, MysqlDbTest, ::testing::Values(TestBackend::kMysql),
                         TestBackendParamName);

}  // namespace
}  // namespace rampart::server
