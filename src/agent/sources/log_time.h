#pragma once
// Pure timestamp parsers for the log formats auth logs come in. Each parses a timestamp at the
// START of `s` and reports how many bytes it used, so callers can continue with the rest of the
// line. None allocates or throws; malformed input yields nullopt. Times are converted to UTC
// seconds since the epoch.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace rampart::agent {

struct ParsedTime {
  std::int64_t sec = 0;    // seconds since the Unix epoch, UTC
  std::int32_t nsec = 0;   // fraction of the second, nanoseconds
  std::size_t length = 0;  // bytes of `s` the timestamp used
};

// Days from 1970-01-01 to the civil date (proleptic Gregorian). Any year; month 1-12, day 1-31.
std::int64_t DaysFromCivil(std::int64_t year, unsigned month, unsigned day);

// RFC 3164 "Nov 29 02:51:27" / "Nov  9 02:51:27" (local time, no year). The year is the year of
// `reference_time` (seconds since the epoch, seen in local time) unless the line's month lies after
// the reference month, then it is the previous year (a December line read in January).
// local_utc_offset: seconds east of UTC of the clock that wrote the line.
std::optional<ParsedTime> ParseRfc3164Time(std::string_view s, std::int64_t reference_time,
                                           std::int32_t local_utc_offset);

// ISO 8601 / RFC 3339 and the space-separated variants daemons write:
//   "2026-11-29T02:51:27Z", "2026-11-29T02:51:27.123456+01:00", "...+0100", "...+01",
//   "2026-11-29 02:51:27" (MySQL 5.6), "2026-11-29  2:51:27" (MariaDB), "2026-11-29 02:51:27,123"
//   (ProFTPD).
// Fractions of 1-9 digits ('.' or ','). Without a zone, local_utc_offset applies.
std::optional<ParsedTime> ParseIsoTime(std::string_view s, std::int32_t local_utc_offset);

// PostgreSQL's %m / %t: an ISO time (space separator) followed by a zone word: "2026-11-29
// 02:51:27.123 UTC". UTC/GMT/UCT/Z are offset 0; other zone abbreviations (ambiguous: "IST") use
// local_utc_offset. The zone word is optional.
std::optional<ParsedTime> ParsePostgresTime(std::string_view s, std::int32_t local_utc_offset);

// MySQL < 5.7 / MariaDB < 10.1: "161129  2:51:27" or "161129 02:51:27" (YYMMDD, 20YY, local time).
std::optional<ParsedTime> ParseMysqlOldTime(std::string_view s, std::int32_t local_utc_offset);

// ctime(3) as vsftpd's own log writes it: "Sun Nov 29 02:51:27 2026" (local time).
std::optional<ParsedTime> ParseCtimeTime(std::string_view s, std::int32_t local_utc_offset);

// The offset of this machine's local time from UTC at `unix_seconds`, seconds east (TZ,
// /etc/localtime).
std::int32_t LocalUtcOffset(std::int64_t unix_seconds);

// "Jan".."Dec" -> 1..12, else 0.
unsigned MonthFromName(std::string_view name);

}  // namespace rampart::agent
