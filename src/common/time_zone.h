#pragma once
// Named time zones (IANA: "Europe/Paris", "America/New_York") read from the system's tz database
// (TZif files under /usr/share/zoneinfo, Debian's tzdata package; $TZDIR overrides the directory).
// Our own TZif reader (RFC 8536, versions 1-4) with the POSIX TZ footer rule for times after the
// last transition, so UTC offsets are correct across DST changes without touching the process's
// TZ environment (localtime_r + setenv would race between threads). GCC 12's libstdc++ has no
// std::chrono::locate_zone.
//
// Thread-safe: a TimeZone is immutable; TimeZone::Load caches zones by name under a mutex.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rampart {

class TimeZone {
 public:
  // The zone `name` from the tz database; cached (the same object for the same name).
  // Errors: kInvalidArgument for a malformed name (allowed: letters, digits, '_', '-', '+', '/'
  // between components, no "." or ".." component, at most 128 bytes; e.g. "Europe/Paris",
  // "Etc/GMT+5", "UTC") or a file that is not TZif; kNotFound for a name the database does not
  // have. Messages say which zone and what was expected.
  static Result<std::shared_ptr<const TimeZone>> Load(std::string_view name);
  // Parses TZif bytes (`name` for messages). Errors: kInvalidArgument naming what is wrong.
  static Result<TimeZone> Parse(std::string_view tzif, std::string name);

  const std::string& name() const { return name_; }
  // Seconds to add to UTC to get the zone's local time at `unix_seconds`.
  std::int32_t UtcOffset(std::int64_t unix_seconds) const;

  struct Rule;  // the POSIX TZ footer rule (time_zone.cpp)

 private:
  std::string name_;
  std::vector<std::int64_t> transitions_;  // ascending
  std::vector<std::uint8_t> type_of_;      // per transition: index into offsets_
  std::vector<std::int32_t> offsets_;      // per local time type
  std::shared_ptr<const Rule> rule_;       // after the last transition (may be null)
};

// Whether `name` has the shape of a tz database name (see TimeZone::Load); says nothing about
// whether the database has it.
bool IsTimeZoneName(std::string_view name);

}  // namespace rampart
