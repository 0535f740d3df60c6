// Driver-independent parts of the SQL layer: row accessors, returning leases to their pool, and
// the retrying transaction runner.

#include "server/storage/sql_db.h"

#include <cassert>
#include <charconv>
#include <chrono>
#include <random>
#include <thread>

#include "common/strings.h"

namespace rampart::server {

namespace {

const SqlValue kNull = nullptr;

const SqlValue& At(const std::vector<SqlValue>& columns, std::size_t i) {
  assert(i < columns.size() && "SqlRow column index out of range");
  return i < columns.size() ? columns[i] : kNull;
}

// Attempts of one InTransaction unit: the first plus up to 5 retries.
constexpr int kMaxRetries = 5;

// Randomized so that writers which collided (a deadlock, SQLite busy) do not collide again in
// lockstep; grows with the attempt so a longer outage (a reconnect) gets more time.
void Backoff(int attempt) {
  thread_local std::minstd_rand rng(std::random_device{}());
  const int ceiling_ms = 5 << attempt;  // 10, 20, 40, 80, 160 ms
  std::uniform_int_distribution<int> dist(1, ceiling_ms);
  std::this_thread::sleep_for(std::chrono::milliseconds(dist(rng)));
}

}  // namespace

bool SqlRow::IsNull(std::size_t i) const {
  return std::holds_alternative<std::nullptr_t>(At(columns, i));
}

std::string SqlRow::Text(std::size_t i) const {
  const SqlValue& v = At(columns, i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);  // shortest round-trip form
    return ec == std::errc() ? std::string(buf, end) : std::string();
  }
  return "";
}

std::int64_t SqlRow::Int(std::size_t i) const {
  const SqlValue& v = At(columns, i);
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v)) {
    return ParseInt<std::int64_t>(TrimView(*s)).value_or(0);
  }
  return 0;
}

// Leases must not outlive the SqlDb they came from (the pool owns the connection count).
SqlDb::Lease::~Lease() {
  if (conn_ != nullptr && db_ != nullptr) db_->Release(std::move(conn_));
}

Status SqlDb::InTransaction(const std::function<Status(SqlConnection&)>& work) {
  Status last;
  for (int attempt = 0; attempt <= kMaxRetries; ++attempt) {
    if (attempt > 0) Backoff(attempt);
    auto lease = Acquire();
    if (!lease.ok()) {
      last = lease.error();
      if (last.code() == Code::kUnavailable) continue;
      return last;
    }
    SqlConnection& conn = **lease;
    last = conn.Begin();
    if (last.ok()) {
      last = work(conn);
      if (last.ok()) {
        last = conn.Commit();
        if (last.ok()) return last;
      }
      // Nothing of a failed unit may stay: a failed COMMIT (SQLite busy) leaves the transaction
      // open. A rollback error adds nothing useful to the first error, and on a lost connection
      // the server has already rolled back.
      (void)conn.Rollback();
    }
    if (last.code() != Code::kUnavailable) return last;
  }
  return last.WithContext("transaction failed after " + std::to_string(kMaxRetries + 1) +
                          " attempts");
}

}  // namespace rampart::server
