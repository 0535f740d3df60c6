#pragma once
// What the SQLite and MySQL drivers share (internal to storage/, not for callers of SqlDb).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "server/storage/sql_db.h"

namespace rampart::server {

// The first 80 characters of a statement, whitespace runs collapsed, for error messages.
std::string SqlSnippet(std::string_view sql);

// Splits a script into statements on ';' outside quotes ('..', "..", `..`, with backslash escapes)
// and comments (-- , #, /* */), MySQL-style. Pieces holding only whitespace and comments are
// dropped; each statement is trimmed and has no ';'. Does not understand procedure bodies
// (BEGIN ... END with inner ';'); migrations contain none.
std::vector<std::string_view> SplitSqlScript(std::string_view script);

// ConnectionPool: the bounded pool behind both drivers' Acquire(). Connections are opened lazily
// up to `size`; Take() blocks while all of them are leased. Thread-safe; a connection taken from
// the pool is used by one thread at a time.
class ConnectionPool {
 public:
  using Opener = std::function<Result<std::unique_ptr<SqlConnection>>()>;

  // `open` makes a new connection; it is called without the pool's lock held.
  ConnectionPool(int size, Opener open, std::chrono::milliseconds wait_limit);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // An idle connection, a newly opened one when fewer than `size` are open, or else waits for one
  // to be given back. Errors: the opener's error; DeadlineExceeded after `wait_limit` (a thread
  // that holds leases while acquiring more can exhaust the pool for good; an error beats a hang).
  Result<std::unique_ptr<SqlConnection>> Take();
  // Returns a connection; `reusable` false closes it, so the next Take() opens a fresh one.
  void Give(std::unique_ptr<SqlConnection> conn, bool reusable);
  // Connections opened and not closed (idle + leased).
  int open_count() const;
  int size() const { return size_; }

 private:
  const int size_;
  const Opener open_;
  const std::chrono::milliseconds wait_limit_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<SqlConnection>> idle_;  // guarded by mu_
  int open_count_ = 0;                                // guarded by mu_; includes ones being opened
};

}  // namespace rampart::server
