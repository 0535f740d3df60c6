// The SQLite driver: the only file that includes <sqlite3.h>.
//
// Each pooled connection is its own sqlite3 handle opened with SQLITE_OPEN_NOMUTEX: the pool hands
// a handle to one thread at a time, so SQLite's per-connection mutex would only cost. Files run in
// WAL mode (readers never block the writer) with synchronous=FULL: the server acknowledges a commit
// to an agent, which then deletes its spooled copy, so a commit must survive power loss.

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <string>
#include <unordered_map>
#include <utility>

#include "common/strings.h"
#include "common/wire.h"
#include "server/storage/sql_db.h"
#include "server/storage/sql_driver.h"

namespace rampart::server {
namespace {

constexpr int kBusyTimeoutMs = 5000;
// Storage uses a fixed set of statements; the cap only guards against callers that build SQL text
// with varying content (which would otherwise grow the cache without bound).
constexpr std::size_t kStatementCacheLimit = 256;
constexpr std::chrono::seconds kPoolWaitLimit{30};

Status SqliteError(int rc, std::string_view detail, std::string_view sql) {
  Code code = Code::kInternal;
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    code = Code::kAlreadyExists;
  } else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
    code = Code::kUnavailable;
  }
  std::string msg = "sqlite: ";
  msg += detail;
  if (!sql.empty()) {
    msg += " in: ";
    msg += SqlSnippet(sql);
  }
  return Status(code, std::move(msg));
}

// Resets a statement after use so it holds no read snapshot or lock while cached, and drops its
// bindings (bound with SQLITE_STATIC: they point into the caller's parameters).
class StatementUse {
 public:
  explicit StatementUse(sqlite3_stmt* stmt) : stmt_(stmt) {}
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  ~StatementUse() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  sqlite3_stmt* stmt_;
};

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Result<std::int64_t> Execute(std::string_view sql, std::span<const SqlValue> params) override {
    RAMPART_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    StatementUse use(stmt);
    RAMPART_RETURN_IF_ERROR(Bind(stmt, params, sql));
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Error(rc, sql);
    }
    return static_cast<std::int64_t>(sqlite3_changes64(db_));
  }

  Result<std::vector<SqlRow>> Query(std::string_view sql,
                                    std::span<const SqlValue> params) override {
    RAMPART_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    StatementUse use(stmt);
    RAMPART_RETURN_IF_ERROR(Bind(stmt, params, sql));
    std::vector<SqlRow> rows;
    const int ncols = sqlite3_column_count(stmt);
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Error(rc, sql);
      SqlRow& row = rows.emplace_back();
      row.columns.reserve(static_cast<std::size_t>(ncols));
      for (int i = 0; i < ncols; ++i) row.columns.push_back(Column(stmt, i));
    }
    return rows;
  }

  Status ExecuteScript(std::string_view sql) override {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return Status::Ok();
    std::string detail = err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return SqliteError(sqlite3_extended_errcode(db_), detail, sql);
  }

  Status Begin() override { return Execute("BEGIN IMMEDIATE", {}).status(); }
  Status Commit() override { return Execute("COMMIT", {}).status(); }
  Status Rollback() override {
    if (sqlite3_get_autocommit(db_) != 0) return Status::Ok();  // no transaction open
    return Execute("ROLLBACK", {}).status();
  }

  // Before the connection goes back to the pool: a transaction its user left open must not leak
  // into the next lease. False when the connection cannot be made clean (then it is closed).
  bool ResetForPool() { return Rollback().ok(); }

  Status Configure(bool file_backed) {
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    RAMPART_RETURN_IF_ERROR(ExecuteScript("PRAGMA foreign_keys = ON"));
    if (!file_backed) return Status::Ok();
    RAMPART_ASSIGN_OR_RETURN(auto mode, Query("PRAGMA journal_mode = WAL", {}));
    if (mode.empty() || ToLower(mode[0].Text(0)) != "wal") {
      return Internal("sqlite: cannot switch to WAL mode (journal_mode is '" +
                      (mode.empty() ? std::string() : mode[0].Text(0)) + "')");
    }
    return ExecuteScript("PRAGMA synchronous = FULL");
  }

 private:
  Status Error(int rc, std::string_view sql) const {
    return SqliteError(rc, sqlite3_errmsg(db_), sql);
  }

  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) return Error(rc, sql);
    if (stmt == nullptr) return Internal("sqlite: empty statement in: " + SqlSnippet(sql));
    const auto used = static_cast<std::size_t>(tail - sql.data());
    if (!TrimView(sql.substr(used)).empty()) {
      sqlite3_finalize(stmt);
      return Internal("sqlite: more than one statement (use ExecuteScript) in: " + SqlSnippet(sql));
    }
    if (cache_.size() >= kStatementCacheLimit) {
      for (auto& [text, old] : cache_) sqlite3_finalize(old);
      cache_.clear();
    }
    cache_.emplace(std::move(key), stmt);
    return stmt;
  }

  static Status Bind(sqlite3_stmt* stmt, std::span<const SqlValue> params, std::string_view sql) {
    const int expected = sqlite3_bind_parameter_count(stmt);
    if (static_cast<std::size_t>(expected) != params.size()) {
      return Internal("sqlite: statement takes " + std::to_string(expected) + " parameters, got " +
                      std::to_string(params.size()) + " in: " + SqlSnippet(sql));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int pos = static_cast<int>(i) + 1;
      const SqlValue& v = params[i];
      int rc = SQLITE_OK;
      if (const auto* n = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, pos, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, pos, *d);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text64(stmt, pos, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
      } else {
        rc = sqlite3_bind_null(stmt, pos);
      }
      if (rc != SQLITE_OK) {
        return SqliteError(
            rc, "binding parameter " + std::to_string(pos) + ": " + sqlite3_errstr(rc), sql);
      }
    }
    return Status::Ok();
  }

  static SqlValue Column(sqlite3_stmt* stmt, int i) {
    switch (sqlite3_column_type(stmt, i)) {
      case SQLITE_INTEGER:
        return static_cast<std::int64_t>(sqlite3_column_int64(stmt, i));
      case SQLITE_FLOAT:
        return sqlite3_column_double(stmt, i);
      case SQLITE_TEXT: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        const auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt, i));
        return std::string(text != nullptr ? text : "", text != nullptr ? n : 0);
      }
      case SQLITE_BLOB: {
        const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt, i));
        const auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt, i));
        return std::string(blob != nullptr ? blob : "", blob != nullptr ? n : 0);
      }
      default:
        return nullptr;
    }
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

Result<std::unique_ptr<SqliteConnection>> OpenConnection(const std::string& filename, bool memory) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (memory) flags |= SQLITE_OPEN_URI;
  const int rc = sqlite3_open_v2(filename.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    const int err = db != nullptr ? sqlite3_system_errno(db) : 0;
    std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    if (err != 0) return ErrnoStatus(err, "sqlite: cannot open " + filename);
    return Internal("sqlite: cannot open " + filename + ": " + detail);
  }
  auto conn = std::make_unique<SqliteConnection>(db);
  RAMPART_RETURN_IF_ERROR(conn->Configure(!memory).WithContext("sqlite: " + filename));
  return conn;
}

class SqliteDb final : public SqlDb {
 public:
  SqliteDb(std::string filename, bool memory, int pool_size)
      : filename_(std::move(filename)),
        memory_(memory),
        pool_(
            pool_size,
            [this]() -> Result<std::unique_ptr<SqlConnection>> {
              RAMPART_ASSIGN_OR_RETURN(auto conn, OpenConnection(filename_, memory_));
              return std::unique_ptr<SqlConnection>(std::move(conn));
            },
            kPoolWaitLimit) {}

  SqlDialect dialect() const override { return SqlDialect::kSqlite; }

  Result<Lease> Acquire() override {
    RAMPART_ASSIGN_OR_RETURN(auto conn, pool_.Take());
    return Lease(this, std::move(conn));
  }

  // An in-memory database lives while one connection to it is open: this one is held for the
  // SqlDb's lifetime (declared before pool_, so it closes after every pooled connection).
  Status OpenAnchor() {
    if (!memory_) return Status::Ok();
    RAMPART_ASSIGN_OR_RETURN(anchor_, OpenConnection(filename_, memory_));
    return Status::Ok();
  }

 protected:
  void Release(std::unique_ptr<SqlConnection> conn) override {
    const bool clean = static_cast<SqliteConnection*>(conn.get())->ResetForPool();
    pool_.Give(std::move(conn), clean);
  }

 private:
  const std::string filename_;
  const bool memory_;
  std::unique_ptr<SqliteConnection> anchor_;
  ConnectionPool pool_;
};

// A process-unique name in SQLite's "memdb" VFS. Unlike the older shared-cache ":memory:" mode,
// memdb databases use ordinary file locking, so the busy timeout applies between pooled
// connections instead of immediate SQLITE_LOCKED errors.
std::string MemoryDatabaseName() {
  static std::atomic<std::uint64_t> counter{0};
  return "file:/rampart-mem-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" +
         wire::RandomId("") + "?vfs=memdb";
}

}  // namespace

Result<std::unique_ptr<SqlDb>> OpenSqliteDb(const std::string& path, int pool_size) {
  if (path.empty()) return InvalidArgument("sqlite: expected a database file path or :memory:");
  if (sqlite3_threadsafe() == 0) {
    return FailedPrecondition("sqlite: the SQLite library was built without thread support");
  }
  const bool memory = path == ":memory:";
  auto db = std::make_unique<SqliteDb>(memory ? MemoryDatabaseName() : path, memory, pool_size);
  RAMPART_RETURN_IF_ERROR(db->OpenAnchor());
  // Opening one connection now reports a bad path or a database that cannot switch to WAL here,
  // not at the first query.
  { RAMPART_ASSIGN_OR_RETURN(auto first, db->Acquire()); }
  return std::unique_ptr<SqlDb>(std::move(db));
}

}  // namespace rampart::server
