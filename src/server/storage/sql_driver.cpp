#include "server/storage/sql_driver.h"

#include <cctype>
#include <string>
#include <utility>

#include "common/strings.h"

namespace rampart::server {

std::string SqlSnippet(std::string_view sql) {
  constexpr std::size_t kMax = 80;
  std::string out;
  bool space = false;
  for (char c : sql) {
    const bool ws = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (ws) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    if (out.size() >= kMax) {
      out += "...";
      break;
    }
    out += c;
  }
  return out;
}

std::vector<std::string_view> SplitSqlScript(std::string_view script) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  bool significant = false;  // the current piece has something besides whitespace and comments
  auto finish = [&](std::size_t end) {
    if (significant) out.push_back(TrimView(script.substr(start, end - start)));
    start = end + 1;
    significant = false;
  };
  const std::size_t n = script.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char c = script[i];
    if (c == '\'' || c == '"' || c == '`') {
      significant = true;
      for (++i; i < n && script[i] != c; ++i) {
        if (script[i] == '\\' && c != '`') ++i;  // the escaped character cannot close
      }
    } else if (c == '#' ||
               (c == '-' && i + 1 < n && script[i + 1] == '-' &&
                (i + 2 == n || std::isspace(static_cast<unsigned char>(script[i + 2])) != 0))) {
      while (i < n && script[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && script[i + 1] == '*') {
      const std::size_t close = script.find("*/", i + 2);
      i = close == std::string_view::npos ? n : close + 1;
    } else if (c == ';') {
      finish(i);
    } else if (std::isspace(static_cast<unsigned char>(c)) == 0) {
      significant = true;
    }
  }
  if (start < n) finish(n);
  return out;
}

ConnectionPool::ConnectionPool(int size, Opener open, std::chrono::milliseconds wait_limit)
    : size_(size < 1 ? 1 : size), open_(std::move(open)), wait_limit_(wait_limit) {}

Result<std::unique_ptr<SqlConnection>> ConnectionPool::Take() {
  {
    std::unique_lock lock(mu_);
    const bool free = freed_.wait_for(lock, wait_limit_,
                                      [this] { return !idle_.empty() || open_count_ < size_; });
    if (!free) {
      return Status(Code::kDeadlineExceeded, "no free database connection after " +
                                                 std::to_string(wait_limit_.count() / 1000) +
                                                 " s (pool of " + std::to_string(size_) +
                                                 " all leased)");
    }
    if (!idle_.empty()) {
      std::unique_ptr<SqlConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    ++open_count_;  // reserve the slot; the (slow) open runs unlocked
  }
  auto opened = open_();
  if (!opened.ok()) {
    std::lock_guard lock(mu_);
    --open_count_;
    freed_.notify_one();
  }
  return opened;
}

void ConnectionPool::Give(std::unique_ptr<SqlConnection> conn, bool reusable) {
  if (!reusable) conn.reset();  // close outside the lock: it may talk to the server
  std::lock_guard lock(mu_);
  if (conn != nullptr) {
    idle_.push_back(std::move(conn));
  } else {
    --open_count_;
  }
  freed_.notify_one();
}

int ConnectionPool::open_count() const {
  std::lock_guard lock(mu_);
  return open_count_;
}

}  // namespace rampart::server
