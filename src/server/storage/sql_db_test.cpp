// The SqlDb contract, run on both drivers (Sqlite/... and Mysql/...), plus the SQLite-only and
// driver-helper cases as plain tests.
#include "server/storage/sql_db.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/storage/sql_driver.h"
#include "server/storage/test_db.h"

namespace rampart::server {
namespace {

using std::chrono::milliseconds;

class SqlDbTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    auto db = OpenTestSqlDb(GetParam(), 4);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }

  // Runs one statement on a pooled connection.
  Result<std::int64_t> Exec(std::string_view sql, std::vector<SqlValue> params = {}) {
    RAMPART_ASSIGN_OR_RETURN(auto lease, db_->Acquire());
    return lease->Execute(sql, params);
  }
  Result<std::vector<SqlRow>> Rows(std::string_view sql, std::vector<SqlValue> params = {}) {
    RAMPART_ASSIGN_OR_RETURN(auto lease, db_->Acquire());
    return lease->Query(sql, params);
  }
  std::int64_t Count(std::string_view table) {
    auto rows = Rows("SELECT COUNT(*) FROM " + std::string(table));
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() && rows->size() == 1 ? (*rows)[0].Int(0) : -1;
  }
  void CreateCounter() {
    ASSERT_TRUE(Exec("CREATE TABLE counter (id BIGINT PRIMARY KEY, v BIGINT NOT NULL)").ok());
    ASSERT_TRUE(Exec("INSERT INTO counter (id, v) VALUES (1, 0)").ok());
  }

  std::unique_ptr<SqlDb> db_;
};

TEST_P(SqlDbTest, ReportsItsDialect) {
  EXPECT_EQ(db_->dialect(),
            GetParam() == TestBackend::kSqlite ? SqlDialect::kSqlite : SqlDialect::kMysql);
}

TEST_P(SqlDbTest, StoresAndReadsEveryValueTypeIncludingNullLargeTextAndUtf8) {
  ASSERT_TRUE(Exec("CREATE TABLE v (id BIGINT PRIMARY KEY, i BIGINT, d DOUBLE, s LONGTEXT, "
                   "n LONGTEXT)")
                  .ok());
  std::string big(1 << 20, 'x');
  for (std::size_t i = 0; i < big.size(); i += 997) big[i] = static_cast<char>('a' + i % 26);
  const std::string utf8 = "h\xC3\xA9llo \xE2\x9C\x93 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x94\x92";
  const std::int64_t lo = std::numeric_limits<std::int64_t>::min();
  const std::int64_t hi = std::numeric_limits<std::int64_t>::max();
  const std::string insert = "INSERT INTO v (id, i, d, s, n) VALUES (?, ?, ?, ?, ?)";
  ASSERT_EQ(*Exec(insert, {std::int64_t{1}, lo, 3.25, utf8, nullptr}), 1);
  ASSERT_EQ(*Exec(insert, {std::int64_t{2}, hi, -1.5e300, big, std::string()}), 1);
  ASSERT_EQ(*Exec(insert, {std::int64_t{3}, nullptr, nullptr, nullptr, nullptr}), 1);

  auto rows = Rows("SELECT id, i, d, s, n FROM v WHERE id >= ? ORDER BY id", {std::int64_t{1}});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 3u);
  const SqlRow& a = (*rows)[0];
  EXPECT_EQ(a.columns[1], SqlValue(lo));
  EXPECT_EQ(a.columns[2], SqlValue(3.25));
  EXPECT_EQ(a.columns[3], SqlValue(utf8));
  EXPECT_TRUE(a.IsNull(4));
  const SqlRow& b = (*rows)[1];
  EXPECT_EQ(b.Int(1), hi);
  EXPECT_EQ(b.columns[2], SqlValue(-1.5e300));
  EXPECT_EQ(b.Text(3).size(), big.size());
  EXPECT_TRUE(b.Text(3) == big);
  EXPECT_FALSE(b.IsNull(4)) << "an empty string is not NULL";
  EXPECT_EQ(b.Text(4), "");
  const SqlRow& c = (*rows)[2];
  for (std::size_t i = 1; i < 5; ++i) EXPECT_TRUE(c.IsNull(i)) << "column " << i;
}

TEST_P(SqlDbTest, ExecuteReturnsMatchedRowsAndQueryWithoutMatchesIsEmpty) {
  CreateCounter();
  ASSERT_TRUE(Exec("INSERT INTO counter (id, v) VALUES (2, 0)").ok());
  // Both rows match even though one keeps its value (MySQL reports found rows, like SQLite).
  EXPECT_EQ(*Exec("UPDATE counter SET v = 0 WHERE id IN (1, 2)"), 2);
  EXPECT_EQ(*Exec("DELETE FROM counter WHERE id = ?", {std::int64_t{42}}), 0);
  auto none = Rows("SELECT v FROM counter WHERE id = ?", {std::int64_t{42}});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(SqlDbTest, UniqueViolationIsAlreadyExists) {
  ASSERT_TRUE(Exec("CREATE TABLE u (id BIGINT PRIMARY KEY, name VARCHAR(64) NOT NULL)").ok());
  ASSERT_TRUE(Exec("CREATE UNIQUE INDEX u_name ON u (name)").ok());
  ASSERT_TRUE(Exec("INSERT INTO u (id, name) VALUES (?, ?)", {std::int64_t{1}, "a"}).ok());
  auto pk = Exec("INSERT INTO u (id, name) VALUES (?, ?)", {std::int64_t{1}, "b"});
  ASSERT_FALSE(pk.ok());
  EXPECT_EQ(pk.error().code(), Code::kAlreadyExists) << pk.error().ToString();
  auto unique = Exec("INSERT INTO u (id, name) VALUES (?, ?)", {std::int64_t{2}, "a"});
  ASSERT_FALSE(unique.ok());
  EXPECT_EQ(unique.error().code(), Code::kAlreadyExists) << unique.error().ToString();
  EXPECT_EQ(Count("u"), 1);
}

TEST_P(SqlDbTest, BadSqlIsInternalAndNamesTheStatement) {
  auto r = Exec("SELEKT nothing FROM nowhere");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInternal);
  EXPECT_NE(r.error().message().find("SELEKT nothing"), std::string::npos) << r.error().message();
  auto wrong_arity = Exec("SELECT ?", {});
  ASSERT_FALSE(wrong_arity.ok());
  EXPECT_NE(wrong_arity.error().message().find("parameters"), std::string::npos);
}

TEST_P(SqlDbTest, ExecuteScriptRunsEveryStatement) {
  const std::string script = R"sql(
    -- a comment; with a semicolon
    CREATE TABLE s (id BIGINT PRIMARY KEY, note VARCHAR(64));
    /* block; comment */
    INSERT INTO s (id, note) VALUES (1, 'semi;colon');
    INSERT INTO s (id, note) VALUES (2, 'it''s');
  )sql";
  auto lease = db_->Acquire();
  ASSERT_TRUE(lease.ok());
  ASSERT_TRUE((*lease)->ExecuteScript(script).ok());
  auto rows = (*lease)->Query("SELECT note FROM s ORDER BY id");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].Text(0), "semi;colon");
  EXPECT_EQ((*rows)[1].Text(0), "it's");
  EXPECT_FALSE((*lease)->ExecuteScript("CREATE TABLE s (id BIGINT)").ok());
}

TEST_P(SqlDbTest, InTransactionCommitsWork) {
  CreateCounter();
  ASSERT_TRUE(db_->InTransaction([](SqlConnection& c) {
                   RAMPART_RETURN_IF_ERROR(
                       c.Execute("INSERT INTO counter (id, v) VALUES (2, 5)").status());
                   return c.Execute("UPDATE counter SET v = 7 WHERE id = 1").status();
                 })
                  .ok());
  auto rows = Rows("SELECT v FROM counter ORDER BY id");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].Int(0), 7);
  EXPECT_EQ((*rows)[1].Int(0), 5);
}

TEST_P(SqlDbTest, InTransactionRollsBackEverythingWhenWorkFails) {
  CreateCounter();
  const Status s = db_->InTransaction([](SqlConnection& c) {
    RAMPART_RETURN_IF_ERROR(c.Execute("INSERT INTO counter (id, v) VALUES (2, 5)").status());
    RAMPART_RETURN_IF_ERROR(c.Execute("UPDATE counter SET v = 9 WHERE id = 1").status());
    return InvalidArgument("caller changed its mind");
  });
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "caller changed its mind");
  EXPECT_EQ(Count("counter"), 1);
  EXPECT_EQ((*Rows("SELECT v FROM counter"))[0].Int(0), 0);
}

TEST_P(SqlDbTest, InTransactionRetriesUnavailableWorkThenSucceeds) {
  CreateCounter();
  int calls = 0;
  const Status s = db_->InTransaction([&](SqlConnection& c) {
    ++calls;
    RAMPART_RETURN_IF_ERROR(c.Execute("UPDATE counter SET v = v + 1 WHERE id = 1").status());
    if (calls < 3) return Unavailable("simulated deadlock");
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(calls, 3);
  // The two failed attempts were rolled back.
  EXPECT_EQ((*Rows("SELECT v FROM counter"))[0].Int(0), 1);
}

TEST_P(SqlDbTest, InTransactionGivesUpAfterFiveRetries) {
  int calls = 0;
  const Status s = db_->InTransaction([&](SqlConnection&) {
    ++calls;
    return Unavailable("always busy");
  });
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(calls, 6);
}

TEST_P(SqlDbTest, LeaseReturnedWithOpenTransactionIsRolledBack) {
  CreateCounter();
  {
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease.ok());
    ASSERT_TRUE((*lease)->Begin().ok());
    ASSERT_TRUE((*lease)->Execute("UPDATE counter SET v = 100 WHERE id = 1").ok());
  }  // returned to the pool without Commit
  EXPECT_EQ((*Rows("SELECT v FROM counter"))[0].Int(0), 0);
  EXPECT_TRUE(Exec("UPDATE counter SET v = 1 WHERE id = 1").ok()) << "no lock left behind";
}

TEST_P(SqlDbTest, ConcurrentIncrementsFromFourThreadsAreExact) {
  CreateCounter();
  // Read-modify-write, so a lost update would show. MySQL (READ COMMITTED) needs the row lock.
  const std::string read = GetParam() == TestBackend::kMysql
                               ? "SELECT v FROM counter WHERE id = 1 FOR UPDATE"
                               : "SELECT v FROM counter WHERE id = 1";
  constexpr int kThreads = 4;
  constexpr int kIncrements = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        const Status s = db_->InTransaction([&](SqlConnection& c) {
          RAMPART_ASSIGN_OR_RETURN(auto rows, c.Query(read));
          const std::int64_t next = rows.at(0).Int(0) + 1;
          return c.Execute("UPDATE counter SET v = ? WHERE id = 1", std::vector<SqlValue>{next})
              .status();
        });
        if (!s.ok()) {
          ADD_FAILURE() << s.ToString();
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ((*Rows("SELECT v FROM counter"))[0].Int(0), kThreads * kIncrements);
}

TEST_P(SqlDbTest, AcquireBlocksWhileThePoolIsExhaustedAndResumesOnRelease) {
  auto small = OpenTestSqlDb(GetParam(), 2);
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  SqlDb& db = **small;
  std::optional<SqlDb::Lease> first;
  first.emplace(*db.Acquire());
  auto second = db.Acquire();
  ASSERT_TRUE(second.ok());
  std::atomic<bool> acquired{false};
  std::thread waiter([&] {
    auto third = db.Acquire();
    EXPECT_TRUE(third.ok());
    acquired = true;
    if (third.ok()) {
      EXPECT_TRUE((*third)->Query("SELECT 1").ok());
    }
  });
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_FALSE(acquired.load()) << "a third lease from a pool of two";
  first.reset();  // gives one back
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!acquired && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_TRUE(acquired.load());
  waiter.join();
}

RAMPART_INSTANTIATE_DB_TEST(SqlDbTest);

// ---- SQLite specifics (plain tests, label unit) ----

TEST(SqliteDb, FileDatabaseUsesWalFullSyncAndForeignKeys) {
  auto db = OpenTestSqlDb(TestBackend::kSqlite, 2);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto lease = (*db)->Acquire();
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ((*(*lease)->Query("PRAGMA journal_mode"))[0].Text(0), "wal");
  EXPECT_EQ((*(*lease)->Query("PRAGMA synchronous"))[0].Int(0), 2);  // FULL
  EXPECT_EQ((*(*lease)->Query("PRAGMA foreign_keys"))[0].Int(0), 1);
  EXPECT_EQ((*(*lease)->Query("PRAGMA busy_timeout"))[0].Int(0), 5000);
}

TEST(SqliteDb, MemoryDatabaseIsSharedByThePoolAndPrivateToEachOpen) {
  auto a = OpenSqliteDb(":memory:", 3);
  auto b = OpenSqliteDb(":memory:", 3);
  ASSERT_TRUE(a.ok() && b.ok());
  {
    auto one = (*a)->Acquire();
    auto two = (*a)->Acquire();  // a second connection of the same pool
    ASSERT_TRUE(one.ok() && two.ok());
    ASSERT_TRUE((*one)->Execute("CREATE TABLE t (x BIGINT)").ok());
    ASSERT_TRUE((*one)->Execute("INSERT INTO t VALUES (1)").ok());
    auto rows = (*two)->Query("SELECT x FROM t");
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ(rows->size(), 1u);
  }
  auto other = (*b)->Acquire();
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE((*other)->Query("SELECT x FROM t").ok()) << "each :memory: open is its own database";
}

TEST(SqliteDb, MemoryDatabaseSerialisesConcurrentWriters) {
  auto db = OpenSqliteDb(":memory:", 4);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)
                  ->InTransaction([](SqlConnection& c) {
                    return c.ExecuteScript("CREATE TABLE n (v BIGINT); INSERT INTO n VALUES (0)");
                  })
                  .ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        EXPECT_TRUE((*db)
                        ->InTransaction([](SqlConnection& c) {
                          return c.Execute("UPDATE n SET v = v + 1").status();
                        })
                        .ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  auto lease = (*db)->Acquire();
  EXPECT_EQ((*(*lease)->Query("SELECT v FROM n"))[0].Int(0), 100);
}

TEST(SqliteDb, OpeningAFileInAMissingDirectoryFailsClearly) {
  auto db = OpenSqliteDb("/nonexistent-rampart-dir/x.db", 1);
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.error().message().find("/nonexistent-rampart-dir/x.db"), std::string::npos);
}

// ---- helpers shared by the drivers ----

TEST(SqlRow, AccessorsConvertBetweenTypes) {
  SqlRow row{{nullptr, std::int64_t{-7}, 2.5, std::string(" 42 "), std::string("x")}};
  EXPECT_TRUE(row.IsNull(0));
  EXPECT_EQ(row.Text(0), "");
  EXPECT_EQ(row.Int(0), 0);
  EXPECT_EQ(row.Text(1), "-7");
  EXPECT_EQ(row.Text(2), "2.5");
  EXPECT_EQ(row.Int(2), 2);
  EXPECT_EQ(row.Int(3), 42);
  EXPECT_EQ(row.Int(4), 0);
}

TEST(SplitSqlScript, SplitsOnTopLevelSemicolonsOnly) {
  const auto parts = SplitSqlScript(
      "CREATE TABLE a (x TEXT DEFAULT ';');\n-- c; d\n# e; f\n/* g; h */ ;"
      "INSERT INTO a VALUES (\"q\\\";\"), (`w;`);  SELECT 2--1\n; ;  ");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "CREATE TABLE a (x TEXT DEFAULT ';')");
  EXPECT_EQ(parts[1], "INSERT INTO a VALUES (\"q\\\";\"), (`w;`)");
  EXPECT_EQ(parts[2], "SELECT 2--1");
}

TEST(SqlSnippet, KeepsEightyCharactersWithCollapsedWhitespace) {
  EXPECT_EQ(SqlSnippet("  SELECT\n   1\tFROM  x "), "SELECT 1 FROM x");
  const std::string long_sql(200, 'a');
  EXPECT_EQ(SqlSnippet(long_sql), std::string(80, 'a') + "...");
}

}  // namespace
}  // namespace rampart::server
