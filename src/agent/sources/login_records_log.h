#pragma once
// Binary login records as login events: btmp (failed logins), wtmp (successful logins: USER_PROCESS
// records) and lastlog (each user's last login). The record parsers are in
// agent/collectors/login_records.h; this file turns records into LoginEvents and reads whole files
// for `rampart logscan`. The login monitor tails btmp/wtmp with FileTailer in record mode.
//
// Events: `line` is the record index (1-based), `time` the record's ut_tv, `kind` "btmp", "wtmp" or
// "lastlog", `source` the ut_addr_v6 address when set, else ut_host as logged (local logins, and
// X displays ":0", have none), `service` "sshd" for sshd's "ssh:notty" pseudo-tty, "login"
// otherwise. Dedup with text logs: a failed sshd guess is in auth.log/journal AND in btmp; callers
// let binary events reach the detectors only when no text log or journal source is read (see
// docs/logscan.md).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "agent/collectors/login_records.h"
#include "agent/sources/login_event.h"
#include "common/status.h"

namespace rampart::agent {

enum class BinaryLog { kNone, kWtmp, kBtmp, kLastlog };

const char* BinaryLogName(BinaryLog kind);  // "wtmp", "btmp", "lastlog" ("" for kNone)
// "wtmp", "btmp", "lastlog"; kNone for anything else.
BinaryLog BinaryLogByName(std::string_view format);
// By the file's base name: wtmp*, btmp*, lastlog* (so rotated "btmp.1" too); kNone otherwise.
BinaryLog DetectBinaryLog(std::string_view path);
std::size_t BinaryLogRecordSize(BinaryLog kind);  // 384 (utmp) or 292 (lastlog)

// One utmp record of a btmp/wtmp file as an event; nullopt when the record is no login (wtmp:
// boot, runlevel, logout (DEAD_PROCESS), an empty user). `index` is 1-based.
std::optional<LoginEvent> UtmpRecordEvent(const LoginRecord& record, BinaryLog kind,
                                          const FileName& file, std::uint64_t index);

// Sanity check of the first bytes of a file claimed to be `kind` (`size`: the whole file's size):
// the size is a whole number of records and the first records have valid types and
// microseconds. The error names the file, the record and what was expected.
Status CheckBinaryLog(std::string_view path, BinaryLog kind, std::string_view head,
                      std::uint64_t size);

// Reads a whole btmp/wtmp/lastlog file ("-" = standard input), calling fn for each event in file
// order; a gzip/xz/zstd/bzip2 archive (by its first bytes, LogStream) is decompressed first.
// lastlog entries become success events of kind "lastlog" (user: the account name of the uid on
// this machine, else the uid as text; `line` = uid + 1). Errors: cannot open/read, a corrupt or
// truncated archive, CheckBinaryLog fails (for an archive or stdin the whole-records check comes
// at the end, after the whole records before the cut were delivered).
Status ScanBinaryLogFile(const std::string& path, BinaryLog kind,
                         const std::function<void(LoginEvent&&)>& fn);

}  // namespace rampart::agent
