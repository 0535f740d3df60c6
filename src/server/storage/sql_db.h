#pragma once
// SqlDb: the small SQL driver interface that storage/sql_storage.cpp is written against. Two
// drivers: sqlite_db.cpp (the only file that includes <sqlite3.h>) and mysql_db.cpp (the only file
// that includes MariaDB Connector/C's <mysql.h>). Placeholders are `?` in both.
//
// Error mapping (both drivers): unique/primary-key violation -> kAlreadyExists; SQLITE_BUSY,
// lock wait timeout, deadlock, lost connection -> kUnavailable (the caller may retry); syntax and
// other errors -> kInternal. Messages carry the driver's text and the first 80 chars of the SQL.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace rampart::server {

enum class SqlDialect { kSqlite, kMysql };

using SqlValue = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

struct SqlRow {
  std::vector<SqlValue> columns;
  bool IsNull(std::size_t i) const;
  // Text of a column (numbers formatted); "" for NULL.
  std::string Text(std::size_t i) const;
  // Integer value (text is parsed; NULL -> 0).
  std::int64_t Int(std::size_t i) const;
};

// One database connection. Not thread-safe; used by one thread at a time via SqlDb::Acquire.
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  // Runs a statement; returns the number of rows it changed.
  virtual Result<std::int64_t> Execute(std::string_view sql,
                                       std::span<const SqlValue> params = {}) = 0;
  virtual Result<std::vector<SqlRow>> Query(std::string_view sql,
                                            std::span<const SqlValue> params = {}) = 0;
  // Several statements without parameters (migrations). SQLite: sqlite3_exec; MySQL: one by one.
  virtual Status ExecuteScript(std::string_view sql) = 0;
  // Write transaction (SQLite: BEGIN IMMEDIATE; MySQL: START TRANSACTION).
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
};

class SqlDb {
 public:
  // A pooled connection, returned to the pool when destroyed.
  class Lease {
   public:
    Lease(SqlDb* db, std::unique_ptr<SqlConnection> conn) : db_(db), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    SqlConnection& operator*() { return *conn_; }
    SqlConnection* operator->() { return conn_.get(); }

   private:
    SqlDb* db_;
    std::unique_ptr<SqlConnection> conn_;
  };

  virtual ~SqlDb() = default;
  virtual SqlDialect dialect() const = 0;
  // Waits for a free connection (opening a new one up to the pool size).
  virtual Result<Lease> Acquire() = 0;

  // Runs `work` inside a write transaction on a pooled connection: commits when it returns OK,
  // rolls back otherwise. Retries the whole unit up to 5 times (with a short backoff) when the
  // work or the commit fails with kUnavailable (busy, deadlock, lost connection).
  Status InTransaction(const std::function<Status(SqlConnection&)>& work);

 protected:
  friend class Lease;
  // Gives a connection back; a connection whose last error was fatal may be dropped instead.
  virtual void Release(std::unique_ptr<SqlConnection> conn) = 0;
};

// SQLite: path or ":memory:" (one shared in-memory database for the process: all pooled
// connections see the same data). WAL mode, foreign keys on, busy timeout 5 s.
Result<std::unique_ptr<SqlDb>> OpenSqliteDb(const std::string& path, int pool_size);

struct MysqlParams {
  std::string host = "localhost";
  std::uint16_t port = 3306;
  std::string user;
  std::string password;
  std::string database;
  std::string socket;  // when set, used instead of host/port
};
// Parses "mysql://user:pass@host:port/db[?socket=/path]" (user/password percent-decoded).
Result<MysqlParams> ParseMysqlUrl(std::string_view url);
// utf8mb4, autocommit on outside transactions, READ COMMITTED, reconnects lost connections.
Result<std::unique_ptr<SqlDb>> OpenMysqlDb(const MysqlParams& params, int pool_size);

}  // namespace rampart::server
