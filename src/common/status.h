#pragma once
// Status and Result<T>: the error model of every Rampart API. No exceptions cross our own
// interfaces; library exceptions are caught at the wrapper and turned into a Status with context.

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace rampart {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // bad input: a parse error, a bad flag value (CLI exit 2, HTTP 400)
  kNotFound,            // a file, row or object that is not there (HTTP 404)
  kAlreadyExists,       // (HTTP 409)
  kPermissionDenied,    // the OS or the caller's role refuses (HTTP 403)
  kUnauthenticated,     // no or bad credentials (HTTP 401)
  kResourceExhausted,   // a size or count limit was hit (HTTP 413/429)
  kFailedPrecondition,  // the system is not in a state where this can run
  kUnavailable,         // transient: retry may succeed (HTTP 503)
  kDeadlineExceeded,    // a timeout
  kDataLoss,            // stored data is corrupt or truncated
  kInternal,            // a bug or an unexpected library failure (HTTP 500)
};

// Stable lower-case name of a code ("invalid_argument"), used in JSON errors and logs.
std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "context: message", keeping the code.
  Status WithContext(std::string_view context) const;
  // "invalid_argument: message" (or "ok").
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
inline Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
inline Status PermissionDenied(std::string msg) {
  return {Code::kPermissionDenied, std::move(msg)};
}
inline Status ResourceExhausted(std::string msg) {
  return {Code::kResourceExhausted, std::move(msg)};
}
inline Status FailedPrecondition(std::string msg) {
  return {Code::kFailedPrecondition, std::move(msg)};
}
inline Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
inline Status DataLoss(std::string msg) { return {Code::kDataLoss, std::move(msg)}; }
inline Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

// Maps an errno value to a Status: ENOENT -> kNotFound, EACCES/EPERM -> kPermissionDenied, ...
// The message is "what: strerror(err)".
Status ErrnoStatus(int err, std::string_view what);

// Result<T>: a value or a non-OK Status, shaped like std::expected<T, Status>.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    assert(!std::get<1>(v_).ok() && "Result constructed from an OK Status");
  }

  bool has_value() const { return v_.index() == 0; }
  bool ok() const { return has_value(); }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // REQUIRES: !has_value()
  const Status& error() const { return std::get<1>(v_); }
  // OK when a value is held.
  Status status() const { return has_value() ? Status::Ok() : std::get<1>(v_); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Status> v_;
};

}  // namespace rampart

#define RAMPART_CONCAT_INNER(a, b) a##b
#define RAMPART_CONCAT(a, b) RAMPART_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` (a Status) is not OK.
#define RAMPART_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::rampart::Status rampart_status_ = (expr);        \
    if (!rampart_status_.ok()) return rampart_status_; \
  } while (0)

// `lhs = value of expr` (a Result<T>), or returns its Status from the enclosing function.
#define RAMPART_ASSIGN_OR_RETURN(lhs, expr) \
  RAMPART_ASSIGN_OR_RETURN_IMPL(RAMPART_CONCAT(rampart_result_, __LINE__), lhs, expr)
#define RAMPART_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.has_value()) return tmp.error();           \
  lhs = std::move(tmp).value()
