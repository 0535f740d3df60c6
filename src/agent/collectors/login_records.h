#pragma once
// Binary login records: utmp/wtmp/btmp (struct utmp, 384 bytes on Linux with glibc on 64-bit and
// 32-bit x86/ARM alike) and lastlog (struct lastlog, 292 bytes, indexed by uid). Pure parsers that
// never read past the input: a truncated trailing record is ignored.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/host_view.h"

namespace rampart::agent {

inline constexpr std::size_t kUtmpRecordSize = 384;
inline constexpr std::size_t kLastlogRecordSize = 292;

enum class UtmpType : std::int16_t {
  kEmpty = 0,
  kRunLevel = 1,
  kBootTime = 2,
  kNewTime = 3,
  kOldTime = 4,
  kInitProcess = 5,
  kLoginProcess = 6,
  kUserProcess = 7,
  kDeadProcess = 8,
  kAccounting = 9,
};

struct LoginRecord {
  UtmpType type = UtmpType::kEmpty;
  std::int32_t pid = 0;
  std::string line;  // tty ("pts/0") or "ssh:notty"
  std::string user;
  std::string host;       // remote host as logged (name or address); empty for local logins
  std::string ip;         // ut_addr_v6 as text ("" when zero)
  std::int64_t time = 0;  // seconds since the epoch
  std::int32_t usec = 0;  // ut_tv.tv_usec (0..999999)
};

std::vector<LoginRecord> ParseUtmp(std::string_view data);
// One record (data.size() must be kUtmpRecordSize); nullopt when its type is not 0..9.
std::optional<LoginRecord> ParseUtmpRecord(std::string_view record);

struct LastlogEntry {
  std::uint32_t uid = 0;
  std::int64_t time = 0;
  std::string line;
  std::string host;
};
// Entries with a non-zero time only.
std::vector<LastlogEntry> ParseLastlog(std::string_view data);

// The most recent successful login (USER_PROCESS) in /var/log/wtmp, if any. Reads at most the last
// max_bytes of the file (wtmp grows without bound).
std::optional<LoginRecord> LastLogin(const HostView& host, std::size_t max_bytes = 8u << 20);

}  // namespace rampart::agent
