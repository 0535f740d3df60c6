#include "common/time_zone.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace rampart {

// The POSIX TZ string of a TZif v2+ footer, e.g. "CET-1CEST,M3.5.0,M10.5.0/3".
struct TimeZone::Rule {
  struct Date {
    enum class Kind { kJulian1, kZeroBased, kMonthWeekDay } kind = Kind::kMonthWeekDay;
    int n = 0;  // kJulian1: 1..365 (Feb 29 never counted); kZeroBased: 0..365
    int month = 0, week = 0, weekday = 0;  // kMonthWeekDay: 1..12, 1..5 (5 = last), 0 (Sun)..6
  };
  std::int32_t std_offset = 0;  // seconds east of UTC
  bool has_dst = false;
  std::int32_t dst_offset = 0;
  Date start, end;
  std::int32_t start_time = 7200, end_time = 7200;  // local time of the change, seconds

  std::int32_t OffsetAt(std::int64_t t) const;
};

namespace {

constexpr std::size_t kHeaderBytes = 44;
constexpr std::size_t kMaxNameBytes = 128;

std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::int64_t YearOfDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

bool IsLeap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int MonthDays(std::int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Days since the epoch of the rule's date in year y.
std::int64_t DayOf(const TimeZone::Rule::Date& d, std::int64_t y);

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

class TzParser {
 public:
  explicit TzParser(std::string_view s) : s_(s) {}
  bool Name() {
    if (Eat('<')) {
      const std::size_t close = s_.find('>', i_);
      if (close == std::string_view::npos || close - i_ < 1) return false;
      i_ = close + 1;
      return true;
    }
    const std::size_t start = i_;
    while (i_ < s_.size() &&
           ((s_[i_] >= 'A' && s_[i_] <= 'Z') || (s_[i_] >= 'a' && s_[i_] <= 'z'))) {
      ++i_;
    }
    return i_ - start >= 3;
  }
  // [+-]hh[:mm[:ss]] -> seconds; hours up to max_hours.
  bool Time(int max_hours, std::int32_t* out) {
    int sign = 1;
    if (Eat('-')) {
      sign = -1;
    } else {
      (void)Eat('+');
    }
    int h = 0;
    if (!Number(0, max_hours, &h)) return false;
    int m = 0;
    int sec = 0;
    if (Eat(':')) {
      if (!Number(0, 59, &m)) return false;
      if (Eat(':') && !Number(0, 59, &sec)) return false;
    }
    *out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  bool Date(TimeZone::Rule::Date* d) {
    using Kind = TimeZone::Rule::Date::Kind;
    if (Eat('J')) {
      d->kind = Kind::kJulian1;
      return Number(1, 365, &d->n);
    }
    if (Eat('M')) {
      d->kind = Kind::kMonthWeekDay;
      return Number(1, 12, &d->month) && Eat('.') && Number(1, 5, &d->week) && Eat('.') &&
             Number(0, 6, &d->weekday);
    }
    d->kind = Kind::kZeroBased;
    return Number(0, 365, &d->n);
  }
  bool Eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool AtEnd() const { return i_ == s_.size(); }

 private:
  bool Number(int lo, int hi, int* out) {
    const std::size_t start = i_;
    long v = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9' && i_ - start < 4) {
      v = v * 10 + (s_[i_] - '0');
      ++i_;
    }
    if (i_ == start || v < lo || v > hi) return false;
    *out = static_cast<int>(v);
    return true;
  }
  std::string_view s_;
  std::size_t i_ = 0;
};

std::int64_t DayOf(const TimeZone::Rule::Date& d, std::int64_t y) {
  using Kind = TimeZone::Rule::Date::Kind;
  const std::int64_t jan1 = DaysFromCivil(y, 1, 1);
  switch (d.kind) {
    case Kind::kJulian1:
      return jan1 + d.n - 1 + (IsLeap(y) && d.n >= 60 ? 1 : 0);
    case Kind::kZeroBased:
      return jan1 + d.n;
    case Kind::kMonthWeekDay:
      break;
  }
  const std::int64_t first = DaysFromCivil(y, static_cast<unsigned>(d.month), 1);
  const int first_weekday = static_cast<int>(((first % 7) + 7 + 4) % 7);  // 1970-01-01: Thursday
  int day = 1 + (d.weekday - first_weekday + 7) % 7 + (d.week - 1) * 7;
  while (day > MonthDays(y, d.month)) day -= 7;
  return first + day - 1;
}

Result<std::shared_ptr<const TimeZone::Rule>> ParseRule(std::string_view tz,
                                                        const std::string& name);

std::uint32_t Be32(std::string_view b, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 24 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

std::int64_t Be64(std::string_view b, std::size_t at) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(Be32(b, at)) << 32 | Be32(b, at + 4));
}

}  // namespace

std::int32_t TimeZone::Rule::OffsetAt(std::int64_t t) const {
  if (!has_dst) return std_offset;
  const std::int64_t year = YearOfDays(FloorDiv(t + std_offset, 86400));
  // The change to DST happens at start_time local standard time, back at end_time local DST.
  const std::int64_t start_at = DayOf(start, year) * 86400 + start_time - std_offset;
  const std::int64_t end_at = DayOf(end, year) * 86400 + end_time - dst_offset;
  const bool dst = start_at < end_at ? (t >= start_at && t < end_at)   // northern hemisphere
                                     : (t >= start_at || t < end_at);  // southern: wraps the year
  return dst ? dst_offset : std_offset;
}

namespace {

Result<std::shared_ptr<const TimeZone::Rule>> ParseRule(std::string_view tz,
                                                        const std::string& name) {
  auto bad = [&name, tz] {
    return InvalidArgument(
        name + ": TZif footer \"" + std::string(tz.substr(0, 64)) +
        "\" is not a POSIX TZ string (expected e.g. CET-1CEST,M3.5.0,M10.5.0/3)");
  };
  auto rule = std::make_shared<TimeZone::Rule>();
  TzParser p(tz);
  std::int32_t off = 0;
  if (!p.Name() || !p.Time(24, &off)) return bad();
  rule->std_offset = -off;
  if (p.AtEnd()) return std::shared_ptr<const TimeZone::Rule>(rule);
  if (!p.Name()) return bad();
  rule->has_dst = true;
  rule->dst_offset = rule->std_offset + 3600;
  if (!p.AtEnd() && !p.Eat(',')) {
    if (!p.Time(24, &off)) return bad();
    rule->dst_offset = -off;
    if (!p.AtEnd() && !p.Eat(',')) return bad();
  }
  if (p.AtEnd()) {
    // No rule given: POSIX leaves it to the implementation; the tz code uses the US rule.
    rule->start = {TimeZone::Rule::Date::Kind::kMonthWeekDay, 0, 3, 2, 0};
    rule->end = {TimeZone::Rule::Date::Kind::kMonthWeekDay, 0, 11, 1, 0};
    return std::shared_ptr<const TimeZone::Rule>(rule);
  }
  if (!p.Date(&rule->start)) return bad();
  if (p.Eat('/') && !p.Time(167, &rule->start_time)) return bad();
  if (!p.Eat(',') || !p.Date(&rule->end)) return bad();
  if (p.Eat('/') && !p.Time(167, &rule->end_time)) return bad();
  if (!p.AtEnd()) return bad();
  return std::shared_ptr<const TimeZone::Rule>(rule);
}

}  // namespace

bool IsTimeZoneName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes || name.front() == '/' || name.back() == '/') {
    return false;
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) slash = name.size();
    const std::string_view part = name.substr(start, slash - start);
    if (part.empty() || part.front() == '-' || part.front() == '.') return false;
    for (char c : part) {
      const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '+';
      if (!ok) return false;
    }
    start = slash + 1;
  }
  return true;
}

Result<TimeZone> TimeZone::Parse(std::string_view b, std::string name) {
  TimeZone z;
  z.name_ = std::move(name);
  auto bad = [&z](const std::string& what) {
    return InvalidArgument(z.name_ + ": not a TZif time zone file: " + what);
  };
  if (b.size() < kHeaderBytes || b.substr(0, 4) != "TZif") {
    return bad("expected the magic \"TZif\" and a 44-byte header");
  }
  const char version = b[4];
  if (version != '\0' && (version < '2' || version > '4')) {
    return bad("unknown version byte " + std::to_string(static_cast<unsigned char>(version)));
  }
  // Reads one header + data block with `tsize`-byte times, starting at `at`.
  std::size_t at = 0;
  auto block = [&](std::size_t tsize, bool keep) -> Status {
    if (b.size() - at < kHeaderBytes || b.substr(at, 4) != "TZif") {
      return bad("expected a header at byte " + std::to_string(at));
    }
    const std::uint64_t isutcnt = Be32(b, at + 20), isstdcnt = Be32(b, at + 24),
                        leapcnt = Be32(b, at + 28), timecnt = Be32(b, at + 32),
                        typecnt = Be32(b, at + 36), charcnt = Be32(b, at + 40);
    if (typecnt == 0 || typecnt > 256 || (isutcnt != 0 && isutcnt != typecnt) ||
        (isstdcnt != 0 && isstdcnt != typecnt)) {
      return bad("inconsistent counts in the header at byte " + std::to_string(at));
    }
    const std::uint64_t data = timecnt * tsize + timecnt + typecnt * 6 + charcnt +
                               leapcnt * (tsize + 4) + isstdcnt + isutcnt;
    at += kHeaderBytes;
    if (data > b.size() - at) {
      return bad("the data block at byte " + std::to_string(at) + " needs " + std::to_string(data) +
                 " bytes, the file has " + std::to_string(b.size() - at));
    }
    if (keep) {
      z.transitions_.reserve(timecnt);
      for (std::uint64_t i = 0; i < timecnt; ++i) {
        const std::int64_t t =
            tsize == 8 ? Be64(b, at + i * 8) : static_cast<std::int32_t>(Be32(b, at + i * 4));
        if (!z.transitions_.empty() && t <= z.transitions_.back()) {
          return bad("transition times are not ascending (transition " + std::to_string(i) + ")");
        }
        z.transitions_.push_back(t);
      }
      const std::size_t idx = at + timecnt * tsize;
      for (std::uint64_t i = 0; i < timecnt; ++i) {
        const auto type = static_cast<std::uint8_t>(b[idx + i]);
        if (type >= typecnt)
          return bad("transition " + std::to_string(i) + " has no local time type");
        z.type_of_.push_back(type);
      }
      const std::size_t types = idx + timecnt;
      for (std::uint64_t i = 0; i < typecnt; ++i) {
        const auto off = static_cast<std::int32_t>(Be32(b, types + i * 6));
        if (off < -89999 || off > 93599) {
          return bad("local time type " + std::to_string(i) + " has UTC offset " +
                     std::to_string(off) + " (expected -89999..93599 seconds)");
        }
        z.offsets_.push_back(off);
      }
    }
    at += data;
    return Status::Ok();
  };
  if (version == '\0') {
    RAMPART_RETURN_IF_ERROR(block(4, true));
    return z;
  }
  RAMPART_RETURN_IF_ERROR(block(4, false));
  RAMPART_RETURN_IF_ERROR(block(8, true));
  // Footer: "\n" POSIX-TZ "\n" (may be empty: no rule after the last transition).
  if (at >= b.size() || b[at] != '\n')
    return bad("expected the footer's newline at byte " + std::to_string(at));
  const std::size_t end = b.find('\n', at + 1);
  if (end == std::string_view::npos)
    return bad("the footer at byte " + std::to_string(at) + " has no closing newline");
  const std::string_view tz = b.substr(at + 1, end - at - 1);
  if (!tz.empty()) {
    auto rule = ParseRule(tz, z.name_);
    if (!rule) return rule.error();
    z.rule_ = std::move(rule).value();
  }
  return z;
}

std::int32_t TimeZone::UtcOffset(std::int64_t t) const {
  if (transitions_.empty() || t < transitions_.front()) {
    if (transitions_.empty() && rule_) return rule_->OffsetAt(t);
    return offsets_.empty() ? 0 : offsets_.front();
  }
  if (t >= transitions_.back() && rule_) return rule_->OffsetAt(t);
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  const std::size_t i = static_cast<std::size_t>(it - transitions_.begin()) - 1;
  return offsets_[type_of_[i]];
}

Result<std::shared_ptr<const TimeZone>> TimeZone::Load(std::string_view name) {
  if (!IsTimeZoneName(name)) {
    return InvalidArgument("time zone \"" + std::string(name.substr(0, 64)) +
                           "\": expected a tz database name such as Europe/Paris");
  }
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> cache;
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  const char* env = std::getenv("TZDIR");
  const std::string dir = env != nullptr && *env != '\0' ? env : "/usr/share/zoneinfo";
  const std::string path = dir + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFound("time zone \"" + std::string(name) + "\" is not in the tz database (" + dir +
                    "; expected a name such as Europe/Paris, see tzselect)");
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  const std::string data = bytes.str();
  if (data.size() > (1u << 20))
    return InvalidArgument(path + ": not a TZif time zone file: too large");
  auto z = Parse(data, std::string(name));
  if (!z) return z.error();
  auto shared = std::make_shared<const TimeZone>(std::move(z).value());
  cache.emplace(std::string(name), shared);
  return shared;
}

}  // namespace rampart
