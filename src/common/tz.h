#pragma once
// IANA time zones read from the system tz database (TZif files, RFC 8536, under
// /usr/share/zoneinfo), for schedules set in local time ("every day at 02:30 Europe/Paris").
//
// Why our own reader: GCC 12's libstdc++ has no std::chrono::locate_zone, and the C library's
// answer (setenv("TZ") + tzset + localtime_r/mktime) goes through process-global state, so it would
// need one lock around every conversion in every thread and would change the zone of anything else
// that formats local time meanwhile. A TimeZone here is an immutable value: thread-safe to share,
// and LoadZone caches each zone it read (behind a mutex) for the life of the process, so a tzdata
// update is seen after a restart.
//
// Transitions come from the file's 64-bit data block (version 2+; version 1 files use the 32-bit
// block); instants after the last transition follow the POSIX TZ rule in the file's footer
// ("CET-1CEST,M3.5.0,M10.5.0/3"), which is all a "slim" TZif file has for current years.
// Leap-second zones ("right/...") are refused.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rampart {

// A POSIX TZ rule (the footer of a TZif file): a standard offset and an optional daylight-saving
// offset with the dates it starts and ends. Offsets are seconds east of UTC.
struct PosixTzRule {
  struct Date {
    enum class Kind { kJulianNoLeap, kZeroBased, kMonthWeekDay } kind = Kind::kMonthWeekDay;
    int day = 0;               // Jn: 1..365; n: 0..365; Mm.w.d: d (0 = Sunday)
    int month = 0;             // Mm.w.d
    int week = 0;              // Mm.w.d: 1..5 (5: the last)
    std::int32_t time = 7200;  // seconds after local midnight (may be negative or > 24h)
  };
  std::int32_t std_offset = 0;
  bool has_dst = false;
  std::int32_t dst_offset = 0;
  Date start, end;
};

// Parses a POSIX TZ string ("EST5EDT,M3.2.0,M11.1.0", "<+0330>-3:30", "UTC0"). Errors:
// kInvalidArgument naming what was expected.
Result<PosixTzRule> ParsePosixTz(std::string_view text);

class TimeZone {
 public:
  // UTC (no transitions).
  TimeZone() = default;

  const std::string& name() const { return name_; }

  // Seconds east of UTC in effect at the instant `unix`.
  std::int32_t UtcOffsetAt(std::int64_t unix) const;

  // The instant at which the local wall-clock time `local` (seconds since 1970-01-01 00:00 of
  // this zone's civil calendar) happens. A time that does not exist (skipped by a forward
  // transition, 02:30 on a spring-forward night) maps to the end of the gap, the first valid
  // instant after it (03:00 local); a time that happens twice (the repeated hour of a fall-back
  // night) maps to its first occurrence.
  std::int64_t LocalToUtc(std::int64_t local) const;

  // For ParseTzif.
  struct Transition {
    std::int64_t at;
    std::int32_t offset;  // in effect from `at`
  };

 private:
  friend Result<TimeZone> ParseTzif(std::string_view data, std::string name);
  std::int32_t RuleOffsetAt(std::int64_t unix) const;

  std::string name_ = "UTC";
  std::int32_t initial_offset_ = 0;  // before the first transition
  std::vector<Transition> transitions_;
  std::optional<PosixTzRule> rule_;  // after the last transition
};

// Parses TZif data (versions 1 to 4). Errors: kInvalidArgument with what is wrong (bad magic, cut
// data, counts out of range, unsorted transitions, a type index out of range, leap seconds, a
// footer that is not a POSIX TZ rule).
Result<TimeZone> ParseTzif(std::string_view data, std::string name);

// True for a name the tz database could hold: components of [A-Za-z0-9_+-] (not starting with
// '.' or '-'), separated by single '/', at most 128 bytes ("Europe/Paris", "Etc/GMT+5").
bool IsValidZoneName(std::string_view name);

// Loads `name` from `zoneinfo_dir` (cached per directory and name; "UTC" is built in when the
// database has no file for it). Errors: kInvalidArgument for a malformed name or file, kNotFound
// when the tz database has no such zone.
Result<TimeZone> LoadZone(std::string_view name,
                          std::string_view zoneinfo_dir = "/usr/share/zoneinfo");

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d);
void CivilFromDays(std::int64_t days, std::int64_t* y, unsigned* m, unsigned* d);

}  // namespace rampart
