// The MySQL/MariaDB driver: the only file that includes MariaDB Connector/C's <mysql.h>.
//
// Every statement with values goes through a server-side prepared statement (mysql_stmt_*) with
// bound parameters; the text protocol carries only fixed SQL (BEGIN/COMMIT/ROLLBACK) and
// parameterless migration scripts. Prepared statements are cached per connection by SQL text.
//
// Threads: mysql_library_init runs once (std::call_once) before the first connection, because it
// is not thread-safe and mysql_init would otherwise call it implicitly from racing threads. Every
// thread that touches a connection gets mysql_thread_init on first use and mysql_thread_end at its
// exit (a thread_local guard); they are no-ops in Connector/C 3.x, and keep a build against
// libmysqlclient, where they allocate per-thread state, correct.

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/storage/sql_db.h"
#include "server/storage/sql_driver.h"

namespace rampart::server {
namespace {

constexpr unsigned kConnectTimeoutS = 10;
// Longer than InnoDB's default lock wait (50 s), so a statement waiting on a row lock reports
// ER_LOCK_WAIT_TIMEOUT rather than a client-side read timeout.
constexpr unsigned kReadWriteTimeoutS = 120;
// An idle pooled connection is pinged before reuse when it sat this long: the server may have
// closed it (wait_timeout, a restart), and a failed first statement would cost the caller a retry.
constexpr std::chrono::seconds kPingAfterIdle{10};
constexpr std::chrono::seconds kPoolWaitLimit{30};
constexpr std::size_t kStatementCacheLimit = 128;

Status LibraryInit() {
  static std::once_flag once;
  static int rc = 0;
  std::call_once(once, [] { rc = mysql_library_init(0, nullptr, nullptr); });
  if (rc != 0) return Internal("mysql: mysql_library_init failed");
  return Status::Ok();
}

struct ThreadInit {
  ThreadInit() { mysql_thread_init(); }
  ~ThreadInit() { mysql_thread_end(); }
  ThreadInit(const ThreadInit&) = delete;
  ThreadInit& operator=(const ThreadInit&) = delete;
};

Status EnsureThreadInit() {
  RAMPART_RETURN_IF_ERROR(LibraryInit());
  thread_local ThreadInit init;
  return Status::Ok();
}

// Errors after which the connection is gone or in an unknown protocol state: it must not go back
// to the pool.
bool IsConnectionError(unsigned err) {
  return err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST || err == CR_SERVER_LOST_EXTENDED ||
         err == ER_CONNECTION_KILLED || err == ER_SERVER_SHUTDOWN || err == 4031 ||  // 4031: idle
         (err >= 2000 && err < 3000);  // any other client-side (CR_*) error
}

Status MysqlError(unsigned err, const char* message, std::string_view sql) {
  Code code = Code::kInternal;
  if (err == ER_DUP_ENTRY || err == ER_DUP_ENTRY_WITH_KEY_NAME) {
    code = Code::kAlreadyExists;
  } else if (err == ER_LOCK_DEADLOCK || err == ER_LOCK_WAIT_TIMEOUT ||
             err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST ||
             err == CR_SERVER_LOST_EXTENDED || err == ER_CONNECTION_KILLED ||
             err == ER_SERVER_SHUTDOWN || err == 4031) {
    code = Code::kUnavailable;
  }
  std::string msg = "mysql: ";
  msg += message;
  msg += " (error " + std::to_string(err) + ")";
  if (!sql.empty()) msg += " in: " + SqlSnippet(sql);
  return Status(code, std::move(msg));
}

// Reads a prepared statement's result set (after mysql_stmt_execute) into rows. Text columns are
// fetched into buffers sized from the stored result's max_length; a value that still does not fit
// is fetched again whole with mysql_stmt_fetch_column.
class ResultReader {
 public:
  explicit ResultReader(MYSQL_STMT* stmt) : stmt_(stmt) {}
  ResultReader(const ResultReader&) = delete;
  ResultReader& operator=(const ResultReader&) = delete;
  ~ResultReader() {
    if (meta_ != nullptr) mysql_free_result(meta_);
    mysql_stmt_free_result(stmt_);
  }

  // Errors: the client's; last_errno() tells which.
  Result<std::vector<SqlRow>> ReadAll() {
    if (mysql_stmt_store_result(stmt_) != 0) return Error();
    meta_ = mysql_stmt_result_metadata(stmt_);
    if (meta_ == nullptr) return std::vector<SqlRow>{};  // the statement returns no rows
    const unsigned n = mysql_num_fields(meta_);
    const MYSQL_FIELD* fields = mysql_fetch_fields(meta_);
    std::vector<Column> cols(n);
    std::vector<MYSQL_BIND> binds(n);
    for (unsigned i = 0; i < n; ++i) Bind(fields[i], &cols[i], &binds[i]);
    if (n > 0 && mysql_stmt_bind_result(stmt_, binds.data()) != 0) return Error();

    std::vector<SqlRow> rows;
    rows.reserve(static_cast<std::size_t>(mysql_stmt_num_rows(stmt_)));
    for (;;) {
      const int rc = mysql_stmt_fetch(stmt_);
      if (rc == MYSQL_NO_DATA) break;
      if (rc == 1) return Error();
      SqlRow& row = rows.emplace_back();
      row.columns.reserve(n);
      for (unsigned i = 0; i < n; ++i) {
        RAMPART_ASSIGN_OR_RETURN(SqlValue value, Value(cols[i], i));
        row.columns.push_back(std::move(value));
      }
    }
    return rows;
  }

  unsigned last_errno() const { return errno_; }

 private:
  enum class Kind { kInt, kUint, kDouble, kText };
  struct Column {
    Kind kind = Kind::kText;
    std::string text;
    std::int64_t i = 0;
    std::uint64_t u = 0;
    double d = 0;
    unsigned long length = 0;
    my_bool is_null = 0;
    my_bool error = 0;
  };

  static void Bind(const MYSQL_FIELD& field, Column* col, MYSQL_BIND* b) {
    std::memset(b, 0, sizeof *b);
    b->is_null = &col->is_null;
    b->length = &col->length;
    b->error = &col->error;
    switch (field.type) {
      case MYSQL_TYPE_TINY:
      case MYSQL_TYPE_SHORT:
      case MYSQL_TYPE_INT24:
      case MYSQL_TYPE_LONG:
      case MYSQL_TYPE_YEAR:
        col->kind = Kind::kInt;
        break;
      case MYSQL_TYPE_LONGLONG:
        col->kind = (field.flags & UNSIGNED_FLAG) != 0 ? Kind::kUint : Kind::kInt;
        break;
      case MYSQL_TYPE_FLOAT:
      case MYSQL_TYPE_DOUBLE:
        col->kind = Kind::kDouble;
        break;
      default:  // text, blobs, JSON, decimals, dates: as text
        col->kind = Kind::kText;
        break;
    }
    switch (col->kind) {
      case Kind::kInt:
        b->buffer_type = MYSQL_TYPE_LONGLONG;
        b->buffer = &col->i;
        break;
      case Kind::kUint:
        b->buffer_type = MYSQL_TYPE_LONGLONG;
        b->is_unsigned = 1;
        b->buffer = &col->u;
        break;
      case Kind::kDouble:
        b->buffer_type = MYSQL_TYPE_DOUBLE;
        b->buffer = &col->d;
        break;
      case Kind::kText:
        col->text.resize(std::max<std::size_t>(field.max_length, 64));
        b->buffer_type = MYSQL_TYPE_STRING;
        b->buffer = col->text.data();
        b->buffer_length = static_cast<unsigned long>(col->text.size());
        break;
    }
  }

  Result<SqlValue> Value(const Column& col, unsigned index) {
    if (col.is_null != 0) return SqlValue(nullptr);
    switch (col.kind) {
      case Kind::kInt:
        return SqlValue(col.i);
      case Kind::kUint:
        if (col.u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          return SqlValue(std::to_string(col.u));
        }
        return SqlValue(static_cast<std::int64_t>(col.u));
      case Kind::kDouble:
        return SqlValue(col.d);
      case Kind::kText:
        break;
    }
    if (col.length <= col.text.size()) return SqlValue(std::string(col.text.data(), col.length));
    std::string whole(col.length, '\0');
    MYSQL_BIND b;
    std::memset(&b, 0, sizeof b);
    unsigned long got = 0;
    b.buffer_type = MYSQL_TYPE_STRING;
    b.buffer = whole.data();
    b.buffer_length = col.length;
    b.length = &got;
    if (mysql_stmt_fetch_column(stmt_, &b, index, 0) != 0) return Error();
    whole.resize(std::min<std::size_t>(got, whole.size()));
    return SqlValue(std::move(whole));
  }

  Status Error() {
    errno_ = mysql_stmt_errno(stmt_);
    return MysqlError(errno_, mysql_stmt_error(stmt_), "");
  }

  MYSQL_STMT* stmt_;
  MYSQL_RES* meta_ = nullptr;
  unsigned errno_ = 0;
};

class MysqlConnection final : public SqlConnection {
 public:
  explicit MysqlConnection(MYSQL* mysql) : mysql_(mysql) {}
  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;
  ~MysqlConnection() override {
    (void)EnsureThreadInit();
    for (auto& [sql, stmt] : cache_) mysql_stmt_close(stmt);
    mysql_close(mysql_);
  }

  Result<std::int64_t> Execute(std::string_view sql, std::span<const SqlValue> params) override {
    RAMPART_ASSIGN_OR_RETURN(MYSQL_STMT * stmt, PrepareAndExecute(sql, params));
    // A statement that returns rows: drain them, so the connection is ready for the next one.
    if (MYSQL_RES* meta = mysql_stmt_result_metadata(stmt); meta != nullptr) {
      mysql_free_result(meta);
      const bool failed = mysql_stmt_store_result(stmt) != 0;
      Status error = failed ? StmtError(stmt, sql) : Status::Ok();
      mysql_stmt_free_result(stmt);
      RAMPART_RETURN_IF_ERROR(error);
    }
    const my_ulonglong changed = mysql_stmt_affected_rows(stmt);
    return changed == static_cast<my_ulonglong>(-1) ? 0 : static_cast<std::int64_t>(changed);
  }

  Result<std::vector<SqlRow>> Query(std::string_view sql,
                                    std::span<const SqlValue> params) override {
    RAMPART_ASSIGN_OR_RETURN(MYSQL_STMT * stmt, PrepareAndExecute(sql, params));
    ResultReader reader(stmt);
    auto rows = reader.ReadAll();
    if (!rows.ok()) {
      return Fail(Status(rows.error().code(), rows.error().message() + " in: " + SqlSnippet(sql)),
                  reader.last_errno());
    }
    return rows;
  }

  Status ExecuteScript(std::string_view sql) override {
    int index = 0;
    for (std::string_view statement : SplitSqlScript(sql)) {
      ++index;
      RAMPART_RETURN_IF_ERROR(RunText(statement).WithContext("statement " + std::to_string(index)));
    }
    return Status::Ok();
  }

  Status Begin() override {
    RAMPART_RETURN_IF_ERROR(RunText("START TRANSACTION"));
    in_transaction_ = true;
    return Status::Ok();
  }
  Status Commit() override {
    RAMPART_RETURN_IF_ERROR(RunText("COMMIT"));
    in_transaction_ = false;
    return Status::Ok();
  }
  Status Rollback() override {
    in_transaction_ = false;
    return RunText("ROLLBACK");
  }

  bool broken() const { return broken_; }
  // Before the connection goes back to the pool: no transaction may leak into the next lease.
  bool ResetForPool() {
    if (!broken_ && in_transaction_) (void)Rollback();
    idle_since_ = std::chrono::steady_clock::now();
    return !broken_;
  }
  // False when the connection sat idle long enough to be doubtful and does not answer a ping.
  bool Alive() {
    if (std::chrono::steady_clock::now() - idle_since_ < kPingAfterIdle) return true;
    if (!EnsureThreadInit().ok()) return false;
    return mysql_ping(mysql_) == 0;
  }

 private:
  // Maps an error and remembers whether it broke the connection.
  Status Fail(Status status, unsigned err) {
    if (IsConnectionError(err)) broken_ = true;
    return status;
  }
  Status StmtError(MYSQL_STMT* stmt, std::string_view sql) {
    const unsigned err = mysql_stmt_errno(stmt);
    return Fail(MysqlError(err, mysql_stmt_error(stmt), sql), err);
  }
  Status ConnError(std::string_view sql) {
    const unsigned err = mysql_errno(mysql_);
    return Fail(MysqlError(err, mysql_error(mysql_), sql), err);
  }

  Status RunText(std::string_view sql) {
    RAMPART_RETURN_IF_ERROR(EnsureThreadInit());
    if (broken_) return Unavailable("mysql: connection lost earlier in: " + SqlSnippet(sql));
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return ConnError(sql);
    if (MYSQL_RES* res = mysql_store_result(mysql_); res != nullptr) {
      mysql_free_result(res);
    } else if (mysql_field_count(mysql_) != 0) {
      return ConnError(sql);
    }
    return Status::Ok();
  }

  Result<MYSQL_STMT*> Prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    MYSQL_STMT* stmt = mysql_stmt_init(mysql_);
    if (stmt == nullptr) return ConnError(sql);
    if (mysql_stmt_prepare(stmt, sql.data(), sql.size()) != 0) {
      Status error = StmtError(stmt, sql);
      mysql_stmt_close(stmt);
      return error;
    }
    const my_bool update_max_length = 1;  // lets Query size its buffers from the stored result
    mysql_stmt_attr_set(stmt, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max_length);
    if (cache_.size() >= kStatementCacheLimit) {
      for (auto& [text, old] : cache_) mysql_stmt_close(old);
      cache_.clear();
    }
    cache_.emplace(std::move(key), stmt);
    return stmt;
  }

  Result<MYSQL_STMT*> PrepareAndExecute(std::string_view sql, std::span<const SqlValue> params) {
    RAMPART_RETURN_IF_ERROR(EnsureThreadInit());
    if (broken_) return Unavailable("mysql: connection lost earlier in: " + SqlSnippet(sql));
    for (int attempt = 0;; ++attempt) {
      RAMPART_ASSIGN_OR_RETURN(MYSQL_STMT * stmt, Prepare(sql));
      const unsigned long expected = mysql_stmt_param_count(stmt);
      if (expected != params.size()) {
        return Internal("mysql: statement takes " + std::to_string(expected) + " parameters, got " +
                        std::to_string(params.size()) + " in: " + SqlSnippet(sql));
      }
      std::vector<MYSQL_BIND> binds(params.size());
      std::vector<unsigned long> lengths(params.size());
      for (std::size_t i = 0; i < params.size(); ++i) BindParam(params[i], &binds[i], &lengths[i]);
      if (!binds.empty() && mysql_stmt_bind_param(stmt, binds.data()) != 0) {
        return StmtError(stmt, sql);
      }
      if (mysql_stmt_execute(stmt) == 0) return stmt;
      // A cached statement whose tables changed shape (a migration on another node) may have to
      // be prepared again; the server retries that itself, but can give up.
      if (mysql_stmt_errno(stmt) == ER_NEED_REPREPARE && attempt == 0) {
        cache_.erase(std::string(sql));
        mysql_stmt_close(stmt);
        continue;
      }
      return StmtError(stmt, sql);
    }
  }

  static void BindParam(const SqlValue& v, MYSQL_BIND* b, unsigned long* length) {
    std::memset(b, 0, sizeof *b);
    // The client library only reads bound input buffers; its API takes void*.
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      b->buffer_type = MYSQL_TYPE_LONGLONG;
      b->buffer = const_cast<std::int64_t*>(n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      b->buffer_type = MYSQL_TYPE_DOUBLE;
      b->buffer = const_cast<double*>(d);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      b->buffer_type = MYSQL_TYPE_STRING;
      b->buffer = const_cast<char*>(s->data());
      b->buffer_length = static_cast<unsigned long>(s->size());
      *length = static_cast<unsigned long>(s->size());
      b->length = length;
    } else {
      b->buffer_type = MYSQL_TYPE_NULL;
    }
  }

  MYSQL* mysql_;
  std::unordered_map<std::string, MYSQL_STMT*> cache_;
  bool broken_ = false;
  bool in_transaction_ = false;
  std::chrono::steady_clock::time_point idle_since_ = std::chrono::steady_clock::now();
};

Result<std::unique_ptr<MysqlConnection>> Connect(const MysqlParams& p) {
  RAMPART_RETURN_IF_ERROR(EnsureThreadInit());
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) return ResourceExhausted("mysql: mysql_init: out of memory");
  const unsigned connect_timeout = kConnectTimeoutS;
  const unsigned io_timeout = kReadWriteTimeoutS;
  const my_bool reconnect = 0;  // the pool reconnects; a silent reconnect would lose session state
  const unsigned protocol = p.socket.empty() ? MYSQL_PROTOCOL_TCP : MYSQL_PROTOCOL_SOCKET;
  mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_options(mysql, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
  mysql_options(mysql, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
  mysql_options(mysql, MYSQL_OPT_RECONNECT, &reconnect);
  mysql_options(mysql, MYSQL_OPT_PROTOCOL, &protocol);
  mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  mysql_options(mysql, MYSQL_INIT_COMMAND,
                "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
  // Timestamps computed by the server read the same on every node and on SQLite (UTC).
  mysql_options(mysql, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
  const std::string where = p.socket.empty() ? p.host + ":" + std::to_string(p.port) : p.socket;
  // CLIENT_FOUND_ROWS: UPDATE reports the rows it matched, as SQLite does, not only the ones whose
  // values changed, so "0 rows -> not found" means the same on both backends.
  if (mysql_real_connect(mysql, p.socket.empty() ? p.host.c_str() : "localhost",
                         p.user.empty() ? nullptr : p.user.c_str(), p.password.c_str(),
                         p.database.empty() ? nullptr : p.database.c_str(), p.port,
                         p.socket.empty() ? nullptr : p.socket.c_str(),
                         CLIENT_FOUND_ROWS) == nullptr) {
    const unsigned err = mysql_errno(mysql);
    std::string msg = "mysql: cannot connect to " + where + " as '" + p.user +
                      "': " + mysql_error(mysql) + " (error " + std::to_string(err) + ")";
    mysql_close(mysql);
    Code code = Code::kInternal;
    if (err == 1045 || err == 1044 || err == 1698) code = Code::kPermissionDenied;  // access denied
    if (err == 1049) code = Code::kNotFound;  // unknown database
    if (err == CR_CONNECTION_ERROR || err == CR_CONN_HOST_ERROR || err == CR_SERVER_LOST ||
        err == CR_SERVER_GONE_ERROR || err == ER_SERVER_SHUTDOWN || err == 1040) {  // 1040: full
      code = Code::kUnavailable;
    }
    return Status(code, std::move(msg));
  }
  return std::make_unique<MysqlConnection>(mysql);
}

class MysqlDb final : public SqlDb {
 public:
  MysqlDb(const MysqlParams& params, int pool_size)
      : params_(params),
        pool_(
            pool_size,
            [this]() -> Result<std::unique_ptr<SqlConnection>> {
              RAMPART_ASSIGN_OR_RETURN(auto conn, Connect(params_));
              return std::unique_ptr<SqlConnection>(std::move(conn));
            },
            kPoolWaitLimit) {}

  SqlDialect dialect() const override { return SqlDialect::kMysql; }

  Result<Lease> Acquire() override {
    RAMPART_RETURN_IF_ERROR(EnsureThreadInit());
    // Every idle connection may have died in the same server restart: try each at most once.
    for (int tries = 0; tries <= pool_.size(); ++tries) {
      RAMPART_ASSIGN_OR_RETURN(auto conn, pool_.Take());
      if (static_cast<MysqlConnection*>(conn.get())->Alive()) return Lease(this, std::move(conn));
      pool_.Give(std::move(conn), /*reusable=*/false);
    }
    return Unavailable("mysql: no pooled connection answers");
  }

 protected:
  void Release(std::unique_ptr<SqlConnection> conn) override {
    const bool reusable = static_cast<MysqlConnection*>(conn.get())->ResetForPool();
    pool_.Give(std::move(conn), reusable);
  }

 private:
  const MysqlParams params_;
  ConnectionPool pool_;
};

}  // namespace

Result<std::unique_ptr<SqlDb>> OpenMysqlDb(const MysqlParams& params, int pool_size) {
  auto db = std::make_unique<MysqlDb>(params, pool_size);
  {
    // Connecting once now reports a wrong password or an unreachable server at startup.
    RAMPART_ASSIGN_OR_RETURN(auto first, db->Acquire());
  }
  return std::unique_ptr<SqlDb>(std::move(db));
}

}  // namespace rampart::server
