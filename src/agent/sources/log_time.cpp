#include "agent/sources/log_time.h"

#include <cstring>
#include <ctime>

namespace rampart::agent {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits at s[*pos].
bool Digits(std::string_view s, std::size_t* pos, std::size_t n, unsigned* out) {
  if (*pos + n > s.size()) return false;
  unsigned v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[*pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

// One or two digits (hours written as " 2" or "02" or "2").
bool OneOrTwoDigits(std::string_view s, std::size_t* pos, unsigned* out) {
  if (*pos >= s.size() || !IsDigit(s[*pos])) return false;
  unsigned v = static_cast<unsigned>(s[*pos] - '0');
  ++*pos;
  if (*pos < s.size() && IsDigit(s[*pos])) {
    v = v * 10 + static_cast<unsigned>(s[*pos] - '0');
    ++*pos;
  }
  *out = v;
  return true;
}

bool Expect(std::string_view s, std::size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

// "HH:MM:SS" where HH may be one digit; validates ranges (60 allowed for leap seconds).
bool ParseClock(std::string_view s, std::size_t* pos, unsigned* h, unsigned* m, unsigned* sec) {
  return OneOrTwoDigits(s, pos, h) && Expect(s, pos, ':') && Digits(s, pos, 2, m) &&
         Expect(s, pos, ':') && Digits(s, pos, 2, sec) && *h < 24 && *m < 60 && *sec <= 60;
}

bool ValidDate(unsigned month, unsigned day) {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

std::int64_t ToEpoch(std::int64_t year, unsigned month, unsigned day, unsigned h, unsigned m,
                     unsigned sec, std::int64_t offset) {
  return DaysFromCivil(year, month, day) * 86400 + std::int64_t{h} * 3600 + std::int64_t{m} * 60 +
         std::int64_t{sec} - offset;
}

// Optional fraction after '.' or ','; returns nanoseconds.
std::int32_t ParseFraction(std::string_view s, std::size_t* pos) {
  if (*pos + 1 >= s.size() || (s[*pos] != '.' && s[*pos] != ',') || !IsDigit(s[*pos + 1])) return 0;
  ++*pos;
  std::int32_t ns = 0;
  int digits = 0;
  while (*pos < s.size() && IsDigit(s[*pos])) {
    if (digits < 9) {
      ns = ns * 10 + (s[*pos] - '0');
      ++digits;
    }
    ++*pos;
  }
  for (; digits < 9; ++digits) ns *= 10;
  return ns;
}

// Optional numeric zone: "Z", "+01:00", "+0100", "+01". Sets *offset (seconds east) when present.
bool ParseNumericZone(std::string_view s, std::size_t* pos, std::int64_t* offset) {
  if (*pos >= s.size()) return false;
  if (s[*pos] == 'Z') {
    ++*pos;
    *offset = 0;
    return true;
  }
  if (s[*pos] != '+' && s[*pos] != '-') return false;
  std::size_t p = *pos + 1;
  unsigned hh = 0;
  unsigned mm = 0;
  if (!Digits(s, &p, 2, &hh)) return false;
  if (p < s.size() && s[p] == ':') {
    ++p;
    if (!Digits(s, &p, 2, &mm)) return false;
  } else {
    std::size_t q = p;
    if (Digits(s, &q, 2, &mm)) p = q;
  }
  if (hh > 23 || mm > 59) return false;
  const std::int64_t off = std::int64_t{hh} * 3600 + std::int64_t{mm} * 60;
  *offset = s[*pos] == '-' ? -off : off;
  *pos = p;
  return true;
}

// A token ends at the end of input or at a space.
bool AtTokenEnd(std::string_view s, std::size_t pos) { return pos == s.size() || s[pos] == ' '; }

}  // namespace

std::int64_t DaysFromCivil(std::int64_t year, unsigned month, unsigned day) {
  // Howard Hinnant's days_from_civil.
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned mp = month > 2 ? month - 3 : month + 9;
  const unsigned doy = (153 * mp + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::int32_t LocalUtcOffset(std::int64_t unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (localtime_r(&t, &tm) == nullptr) return 0;
  return static_cast<std::int32_t>(tm.tm_gmtoff);
}

unsigned MonthFromName(std::string_view name) {
  if (name.size() != 3) return 0;
  // Dispatch on the first letter; compare the rest only for the candidates.
  const auto is = [name](const char* m) { return name[1] == m[1] && name[2] == m[2]; };
  switch (name[0]) {
    case 'J':
      return is("Jan") ? 1 : is("Jun") ? 6 : is("Jul") ? 7 : 0;
    case 'F':
      return is("Feb") ? 2 : 0;
    case 'M':
      return is("Mar") ? 3 : is("May") ? 5 : 0;
    case 'A':
      return is("Apr") ? 4 : is("Aug") ? 8 : 0;
    case 'S':
      return is("Sep") ? 9 : 0;
    case 'O':
      return is("Oct") ? 10 : 0;
    case 'N':
      return is("Nov") ? 11 : 0;
    case 'D':
      return is("Dec") ? 12 : 0;
    default:
      return 0;
  }
}

namespace {
std::optional<ParsedTime> ParseRfc3164TimeUncached(std::string_view s, std::int64_t reference_time,
                                                   std::int32_t local_utc_offset);
}  // namespace

std::optional<ParsedTime> ParseRfc3164Time(std::string_view s, std::int64_t reference_time,
                                           std::int32_t local_utc_offset) {
  if (s.size() < 15) return std::nullopt;
  // Consecutive lines mostly share their timestamp text: reuse the last result when this line
  // starts with the same bytes. The parse depends only on those bytes and on the byte after them (a
  // space or the end ends the token; anything else could extend it), so the result is the same.
  struct LastParse {
    char text[32] = {};
    std::size_t length = 0;  // 0: empty
    std::int64_t reference_time = 0;
    std::int32_t local_utc_offset = 0;
    ParsedTime result;
  };
  thread_local LastParse last;
  if (last.length != 0 && last.reference_time == reference_time &&
      last.local_utc_offset == local_utc_offset && s.size() >= last.length &&
      (s.size() == last.length || s[last.length] == ' ') &&
      std::memcmp(s.data(), last.text, last.length) == 0) {
    return last.result;
  }
  auto parsed = ParseRfc3164TimeUncached(s, reference_time, local_utc_offset);
  if (parsed && parsed->length <= sizeof last.text &&
      (parsed->length == s.size() || s[parsed->length] == ' ')) {
    std::memcpy(last.text, s.data(), parsed->length);
    last.length = parsed->length;
    last.reference_time = reference_time;
    last.local_utc_offset = local_utc_offset;
    last.result = *parsed;
  }
  return parsed;
}

namespace {

std::optional<ParsedTime> ParseRfc3164TimeUncached(std::string_view s, std::int64_t reference_time,
                                                   std::int32_t local_utc_offset) {
  const unsigned month = MonthFromName(s.substr(0, 3));
  if (month == 0 || s[3] != ' ') return std::nullopt;
  std::size_t pos = 4;
  if (s[pos] == ' ') ++pos;  // "Nov  9"
  unsigned day = 0;
  if (!OneOrTwoDigits(s, &pos, &day) || !Expect(s, &pos, ' ')) return std::nullopt;
  unsigned h = 0;
  unsigned m = 0;
  unsigned sec = 0;
  if (!ParseClock(s, &pos, &h, &m, &sec) || !ValidDate(month, day)) return std::nullopt;
  ParsedTime out;
  out.nsec = ParseFraction(s, &pos);  // some rsyslog templates add ".123"
  if (!AtTokenEnd(s, pos)) return std::nullopt;
  // The reference's civil year and month, in the writer's local time; cached, since a file's lines
  // share one reference.
  struct RefCache {
    std::int64_t ref_local = 0;
    std::int64_t year = 0;
    unsigned month = 0;
    bool valid = false;
  };
  thread_local RefCache cache;
  const std::int64_t ref_local = reference_time + local_utc_offset;
  if (!cache.valid || cache.ref_local != ref_local) {
    std::int64_t days = ref_local / 86400;
    if (ref_local % 86400 < 0) --days;
    // civil_from_days (Hinnant), year and month only.
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    cache.month = mp < 10 ? mp + 3 : mp - 9;
    cache.year = static_cast<std::int64_t>(yoe) + era * 400 + (cache.month <= 2 ? 1 : 0);
    cache.ref_local = ref_local;
    cache.valid = true;
  }
  const unsigned ref_month = cache.month;
  std::int64_t year = cache.year;
  if (month > ref_month) --year;
  out.sec = ToEpoch(year, month, day, h, m, sec, local_utc_offset);
  out.length = pos;
  return out;
}

}  // namespace

std::optional<ParsedTime> ParseIsoTime(std::string_view s, std::int32_t local_utc_offset) {
  std::size_t pos = 0;
  unsigned year = 0;
  unsigned month = 0;
  unsigned day = 0;
  if (!Digits(s, &pos, 4, &year) || !Expect(s, &pos, '-') || !Digits(s, &pos, 2, &month) ||
      !Expect(s, &pos, '-') || !Digits(s, &pos, 2, &day) || !ValidDate(month, day)) {
    return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;
  if (s[pos] == 'T') {
    ++pos;
  } else if (s[pos] == ' ') {
    ++pos;
    if (pos < s.size() && s[pos] == ' ') ++pos;  // MariaDB pads the hour: "2026-11-29  2:51:27"
  } else {
    return std::nullopt;
  }
  unsigned h = 0;
  unsigned m = 0;
  unsigned sec = 0;
  if (!ParseClock(s, &pos, &h, &m, &sec)) return std::nullopt;
  ParsedTime out;
  out.nsec = ParseFraction(s, &pos);
  std::int64_t offset = local_utc_offset;
  ParseNumericZone(s, &pos, &offset);
  if (!AtTokenEnd(s, pos)) return std::nullopt;
  out.sec = ToEpoch(year, month, day, h, m, sec, offset);
  out.length = pos;
  return out;
}

std::optional<ParsedTime> ParsePostgresTime(std::string_view s, std::int32_t local_utc_offset) {
  auto t = ParseIsoTime(s, local_utc_offset);
  if (!t) return std::nullopt;
  std::size_t pos = t->length;
  if (pos + 1 >= s.size() || s[pos] != ' ') return t;
  std::size_t end = pos + 1;
  while (end < s.size() && s[end] >= 'A' && s[end] <= 'Z') ++end;
  const std::string_view word = s.substr(pos + 1, end - pos - 1);
  if (word.empty() || word.size() > 5 || !AtTokenEnd(s, end)) return t;
  const bool utc = word == "UTC" || word == "GMT" || word == "UCT" || word == "Z";
  // A zone word only exists when the time had no numeric zone; re-anchor a UTC word to offset 0.
  if (utc) t->sec += local_utc_offset;
  t->length = end;
  return t;
}

std::optional<ParsedTime> ParseMysqlOldTime(std::string_view s, std::int32_t local_utc_offset) {
  std::size_t pos = 0;
  unsigned yy = 0;
  unsigned month = 0;
  unsigned day = 0;
  if (!Digits(s, &pos, 2, &yy) || !Digits(s, &pos, 2, &month) || !Digits(s, &pos, 2, &day) ||
      !Expect(s, &pos, ' ') || !ValidDate(month, day)) {
    return std::nullopt;
  }
  if (pos < s.size() && s[pos] == ' ') ++pos;
  unsigned h = 0;
  unsigned m = 0;
  unsigned sec = 0;
  if (!ParseClock(s, &pos, &h, &m, &sec) || !AtTokenEnd(s, pos)) return std::nullopt;
  ParsedTime out;
  out.sec = ToEpoch(2000 + std::int64_t{yy}, month, day, h, m, sec, local_utc_offset);
  out.length = pos;
  return out;
}

std::optional<ParsedTime> ParseCtimeTime(std::string_view s, std::int32_t local_utc_offset) {
  // "Sun Nov 29 02:51:27 2026"
  if (s.size() < 24 || s[3] != ' ' || s[7] != ' ') return std::nullopt;
  static constexpr std::string_view kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  bool weekday = false;
  for (auto d : kDays) weekday = weekday || s.substr(0, 3) == d;
  const unsigned month = MonthFromName(s.substr(4, 3));
  if (!weekday || month == 0) return std::nullopt;
  std::size_t pos = 8;
  if (s[pos] == ' ') ++pos;
  unsigned day = 0;
  unsigned h = 0;
  unsigned m = 0;
  unsigned sec = 0;
  unsigned year = 0;
  if (!OneOrTwoDigits(s, &pos, &day) || !Expect(s, &pos, ' ') ||
      !ParseClock(s, &pos, &h, &m, &sec) || !Expect(s, &pos, ' ') || !Digits(s, &pos, 4, &year) ||
      !ValidDate(month, day) || !AtTokenEnd(s, pos)) {
    return std::nullopt;
  }
  ParsedTime out;
  out.sec = ToEpoch(year, month, day, h, m, sec, local_utc_offset);
  out.length = pos;
  return out;
}

}  // namespace rampart::agent
