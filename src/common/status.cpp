#include "common/status.h"

#include <cerrno>
#include <cstring>

namespace rampart {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "ok";
    case Code::kInvalidArgument:
      return "invalid_argument";
    case Code::kNotFound:
      return "not_found";
    case Code::kAlreadyExists:
      return "already_exists";
    case Code::kPermissionDenied:
      return "permission_denied";
    case Code::kUnauthenticated:
      return "unauthenticated";
    case Code::kResourceExhausted:
      return "resource_exhausted";
    case Code::kFailedPrecondition:
      return "failed_precondition";
    case Code::kUnavailable:
      return "unavailable";
    case Code::kDeadlineExceeded:
      return "deadline_exceeded";
    case Code::kDataLoss:
      return "data_loss";
    case Code::kInternal:
      return "internal";
  }
  return "unknown";
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string msg(context);
  msg += ": ";
  msg += message_;
  return {code_, std::move(msg)};
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(CodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

Status ErrnoStatus(int err, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg +=
      std::strerror(err);  // NOLINT(concurrency-mt-unsafe): glibc's is thread-safe for known codes
  Code code = Code::kInternal;
  switch (err) {
    case ENOENT:
    case ENOTDIR:
    case ESRCH:
      code = Code::kNotFound;
      break;
    case EACCES:
    case EPERM:
      code = Code::kPermissionDenied;
      break;
    case EEXIST:
      code = Code::kAlreadyExists;
      break;
    case EFBIG:
    case ENOSPC:
    case EMFILE:
    case ENFILE:
    case ENOMEM:
      code = Code::kResourceExhausted;
      break;
    case EINVAL:
    case ELOOP:
    case ENAMETOOLONG:
    case EXDEV:
      code = Code::kInvalidArgument;
      break;
    case EAGAIN:
    case EINTR:
    case EBUSY:
      code = Code::kUnavailable;
      break;
    case ETIMEDOUT:
      code = Code::kDeadlineExceeded;
      break;
    case EIO:
      code = Code::kDataLoss;
      break;
    default:
      break;
  }
  return {code, std::move(msg)};
}

}  // namespace rampart
