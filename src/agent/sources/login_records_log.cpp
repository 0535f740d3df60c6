#include "agent/sources/login_records_log.h"

#include <pwd.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "agent/sources/log_stream.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

// Records checked by CheckBinaryLog.
constexpr std::size_t kCheckedRecords = 16;

std::string_view BaseName(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string ServiceOf(std::string_view tty) {
  // sshd records its logins on "ssh:notty" (no tty allocated) and, for btmp, always so.
  if (tty.starts_with("ssh")) return "sshd";
  return "login";
}

std::string UserOfUid(std::uint32_t uid) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(4096);
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr &&
      found->pw_name != nullptr) {
    return found->pw_name;
  }
  return std::to_string(uid);
}

}  // namespace

const char* BinaryLogName(BinaryLog kind) {
  switch (kind) {
    case BinaryLog::kWtmp:
      return "wtmp";
    case BinaryLog::kBtmp:
      return "btmp";
    case BinaryLog::kLastlog:
      return "lastlog";
    case BinaryLog::kNone:
      break;
  }
  return "";
}

BinaryLog BinaryLogByName(std::string_view format) {
  if (format == "wtmp") return BinaryLog::kWtmp;
  if (format == "btmp") return BinaryLog::kBtmp;
  if (format == "lastlog") return BinaryLog::kLastlog;
  return BinaryLog::kNone;
}

BinaryLog DetectBinaryLog(std::string_view path) {
  const std::string_view base = BaseName(path);
  if (base.starts_with("wtmp")) return BinaryLog::kWtmp;
  if (base.starts_with("btmp")) return BinaryLog::kBtmp;
  if (base.starts_with("lastlog")) return BinaryLog::kLastlog;
  return BinaryLog::kNone;
}

std::size_t BinaryLogRecordSize(BinaryLog kind) {
  if (kind == BinaryLog::kLastlog) return kLastlogRecordSize;
  if (kind == BinaryLog::kNone) return 0;
  return kUtmpRecordSize;
}

std::optional<LoginEvent> UtmpRecordEvent(const LoginRecord& r, BinaryLog kind,
                                          const FileName& file, std::uint64_t index) {
  if (r.user.empty()) return std::nullopt;
  LoginEvent e;
  if (kind == BinaryLog::kBtmp) {
    // login(1) and sshd write failures as LOGIN_PROCESS, some tools as USER_PROCESS.
    if (r.type != UtmpType::kLoginProcess && r.type != UtmpType::kUserProcess) return std::nullopt;
    e.outcome = LoginOutcome::kFailure;
  } else if (kind == BinaryLog::kWtmp) {
    if (r.type != UtmpType::kUserProcess) return std::nullopt;
    e.outcome = LoginOutcome::kSuccess;
  } else {
    return std::nullopt;
  }
  e.file = file;
  e.line = index;
  e.time = r.time;
  e.time_nsec = r.usec >= 0 && r.usec < 1000000 ? r.usec * 1000 : 0;
  e.service = ServiceOf(r.line);
  e.kind = BinaryLogName(kind);
  e.user = r.user;
  // The kernel-side address sshd/login stored is preferred to the host text (which may be a
  // reverse-DNS name); ":0"-style X displays and an empty host are local logins.
  if (!r.ip.empty()) {
    e.source = r.ip;
  } else if (!r.host.empty() && r.host.front() != ':') {
    e.source = r.host;
  }
  return e;
}

Status CheckBinaryLog(std::string_view path, BinaryLog kind, std::string_view head,
                      std::uint64_t size) {
  const std::string name(path);
  const std::size_t rec = BinaryLogRecordSize(kind);
  if (rec == 0) return InvalidArgument(name + ": not a binary login record file");
  const std::string what = BinaryLogName(kind);
  if (size % rec != 0) {
    return InvalidArgument(name + ": not a " + what + " file: its size (" + std::to_string(size) +
                           " bytes) is not a whole number of " + std::to_string(rec) +
                           "-byte records");
  }
  for (std::size_t i = 0; i < kCheckedRecords && (i + 1) * rec <= head.size(); ++i) {
    const std::string_view r = head.substr(i * rec, rec);
    const std::string where = name + ": record " + std::to_string(i + 1) + ": ";
    if (kind == BinaryLog::kLastlog) {
      std::int32_t t = 0;
      std::memcpy(&t, r.data(), sizeof t);
      if (t < 0) return InvalidArgument(where + "negative time: not a lastlog file");
      continue;
    }
    std::int16_t type = 0;
    std::int32_t usec = 0;
    std::memcpy(&type, r.data(), sizeof type);
    std::memcpy(&usec, r.data() + 344, sizeof usec);
    if (type < 0 || type > 9) {
      return InvalidArgument(where + "type " + std::to_string(type) +
                             " is not a utmp record type (expected 0-9): not a " + what + " file");
    }
    if (usec < 0 || usec >= 1000000) {
      return InvalidArgument(where + "microseconds " + std::to_string(usec) +
                             " out of range: not a " + what + " file");
    }
  }
  return Status::Ok();
}

Status ScanBinaryLogFile(const std::string& path, BinaryLog kind,
                         const std::function<void(LoginEvent&&)>& fn) {
  const std::size_t rec = BinaryLogRecordSize(kind);
  if (rec == 0) return InvalidArgument(path + ": not a binary login record file");
  auto opened = LogStream::Open(path);
  if (!opened) return opened.error();
  LogStream& stream = **opened;
  const std::string name = path == "-" ? "standard input" : path;
  // A plain file's size is known up front, so a file that is no whole number of records is
  // refused before any event; an archive's (or a pipe's) size only at its end.
  std::optional<std::uint64_t> known_size;
  struct stat st {};
  if (stream.compression() == Compression::kNone && path != "-" && stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) {
      return InvalidArgument(path + ": expected a regular " + std::string(BinaryLogName(kind)) +
                             " file");
    }
    known_size = static_cast<std::uint64_t>(st.st_size);
  }
  const FileName file(path);
  // Whole records per read; 2730 utmp records = ~1 MB.
  std::string buf(rec * 2730, '\0');
  std::uint64_t total = 0;
  std::uint64_t index = 0;
  bool checked = false;
  while (true) {
    std::size_t got = 0;
    while (got < buf.size()) {
      auto n = stream.Read(buf.data() + got, buf.size() - got);
      if (!n) {
        return Status(n.error().code(),
                      n.error().message() + " (after record " + std::to_string(index) + ")");
      }
      if (*n == 0) break;
      got += *n;
    }
    total += got;
    if (!checked) {
      checked = true;
      // Short first block: the whole stream, so its size is known now.
      const std::uint64_t size = known_size ? *known_size : got < buf.size() ? got : buf.size();
      if (got == 0 && !known_size) break;
      RAMPART_RETURN_IF_ERROR(CheckBinaryLog(name, kind, std::string_view(buf.data(), got), size));
    }
    if (got == 0) break;
    const std::string_view data(buf.data(), got);
    for (std::size_t off = 0; off + rec <= got; off += rec) {
      ++index;
      const std::string_view r = data.substr(off, rec);
      if (kind == BinaryLog::kLastlog) {
        std::int32_t t = 0;
        std::memcpy(&t, r.data(), sizeof t);
        if (t == 0) continue;  // never logged in (lastlog is sparse, indexed by uid)
        auto entries = ParseLastlog(r);
        if (entries.empty()) continue;
        LoginEvent e;
        e.file = file;
        e.line = index;
        e.time = entries[0].time;
        e.service = ServiceOf(entries[0].line);
        e.outcome = LoginOutcome::kSuccess;
        e.kind = "lastlog";
        e.user = UserOfUid(static_cast<std::uint32_t>(index - 1));
        if (!entries[0].host.empty() && entries[0].host.front() != ':') {
          e.source = entries[0].host;
        }
        fn(std::move(e));
        continue;
      }
      if (auto record = ParseUtmpRecord(r)) {
        if (auto e = UtmpRecordEvent(*record, kind, file, index)) fn(std::move(*e));
      }
    }
    if (got < buf.size()) break;
  }
  if (total % rec != 0) {
    // The records before the cut were delivered; the error says what was wrong with the rest.
    return InvalidArgument(name + ": not a " + std::string(BinaryLogName(kind)) + " file: its " +
                           (stream.compression() == Compression::kNone ? "" : "decompressed ") +
                           "size (" + std::to_string(total) + " bytes) is not a whole number of " +
                           std::to_string(rec) + "-byte records");
  }
  return Status::Ok();
}

}  // namespace rampart::agent
