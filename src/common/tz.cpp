#include "common/tz.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>

namespace rampart {
namespace {

constexpr std::int32_t kMaxOffset = 26 * 3600;  // RFC 8536 allows -25:59:59 .. +25:59:59
constexpr std::size_t kMaxTzifBytes = 1 << 20;
constexpr std::uint32_t kMaxTransitions = 1 << 16;

bool IsLeap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// floor(a / b) for b > 0.
std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// ---- POSIX TZ strings --------------------------------------------------------------------------

class TzParser {
 public:
  explicit TzParser(std::string_view s) : s_(s) {}

  Result<PosixTzRule> Parse() {
    PosixTzRule r;
    RAMPART_RETURN_IF_ERROR(Name("standard time name"));
    RAMPART_ASSIGN_OR_RETURN(std::int32_t std_west, Offset("standard offset"));
    r.std_offset = -std_west;
    if (AtEnd()) return r;
    RAMPART_RETURN_IF_ERROR(Name("daylight time name"));
    r.has_dst = true;
    r.dst_offset = r.std_offset + 3600;
    if (!AtEnd() && Peek() != ',') {
      RAMPART_ASSIGN_OR_RETURN(std::int32_t dst_west, Offset("daylight offset"));
      r.dst_offset = -dst_west;
    }
    if (AtEnd()) {  // no rule: the US rule POSIX implies
      r.start = {PosixTzRule::Date::Kind::kMonthWeekDay, 0, 3, 2, 7200};
      r.end = {PosixTzRule::Date::Kind::kMonthWeekDay, 0, 11, 1, 7200};
      return r;
    }
    if (Peek() != ',') return Bad("',' before the daylight start rule");
    ++i_;
    RAMPART_ASSIGN_OR_RETURN(r.start, DateRule());
    if (AtEnd() || Peek() != ',') return Bad("',' before the daylight end rule");
    ++i_;
    RAMPART_ASSIGN_OR_RETURN(r.end, DateRule());
    if (!AtEnd()) return Bad("the end of the rule");
    return r;
  }

 private:
  bool AtEnd() const { return i_ >= s_.size(); }
  char Peek() const { return s_[i_]; }
  Status Bad(const std::string& what) const {
    return InvalidArgument("TZ rule '" + std::string(s_.substr(0, 64)) + "': expected " + what +
                           " at offset " + std::to_string(i_));
  }
  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }
  static bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

  Status Name(const char* what) {
    const std::size_t start = i_;
    if (!AtEnd() && Peek() == '<') {
      ++i_;
      while (!AtEnd() && Peek() != '>') {
        const char c = Peek();
        if (!IsAlpha(c) && !IsDigit(c) && c != '+' && c != '-') return Bad(what);
        ++i_;
      }
      if (AtEnd() || i_ - start - 1 < 3) return Bad(what);
      ++i_;
      return Status::Ok();
    }
    while (!AtEnd() && IsAlpha(Peek())) ++i_;
    if (i_ - start < 3) return Bad(what);
    return Status::Ok();
  }

  Result<int> Number(int max, const char* what) {
    if (AtEnd() || !IsDigit(Peek())) return Bad(what);
    int n = 0;
    while (!AtEnd() && IsDigit(Peek())) {
      n = n * 10 + (Peek() - '0');
      if (n > max) return Bad(what);
      ++i_;
    }
    return n;
  }

  // [+-]hh[:mm[:ss]] with hours up to `max_hours`; returns seconds (sign as written).
  Result<std::int32_t> Clock(int max_hours, const char* what) {
    int sign = 1;
    if (!AtEnd() && (Peek() == '+' || Peek() == '-')) {
      if (Peek() == '-') sign = -1;
      ++i_;
    }
    RAMPART_ASSIGN_OR_RETURN(int h, Number(max_hours, what));
    int m = 0, sec = 0;
    if (!AtEnd() && Peek() == ':') {
      ++i_;
      RAMPART_ASSIGN_OR_RETURN(m, Number(59, what));
      if (!AtEnd() && Peek() == ':') {
        ++i_;
        RAMPART_ASSIGN_OR_RETURN(sec, Number(59, what));
      }
    }
    return sign * (h * 3600 + m * 60 + sec);
  }

  Result<std::int32_t> Offset(const char* what) { return Clock(24, what); }

  Result<PosixTzRule::Date> DateRule() {
    PosixTzRule::Date d;
    if (!AtEnd() && Peek() == 'J') {
      ++i_;
      d.kind = PosixTzRule::Date::Kind::kJulianNoLeap;
      RAMPART_ASSIGN_OR_RETURN(d.day, Number(365, "a day 1 to 365"));
      if (d.day < 1) return Bad("a day 1 to 365");
    } else if (!AtEnd() && Peek() == 'M') {
      ++i_;
      d.kind = PosixTzRule::Date::Kind::kMonthWeekDay;
      RAMPART_ASSIGN_OR_RETURN(d.month, Number(12, "a month 1 to 12"));
      if (d.month < 1) return Bad("a month 1 to 12");
      if (AtEnd() || Peek() != '.') return Bad("'.' after the month");
      ++i_;
      RAMPART_ASSIGN_OR_RETURN(d.week, Number(5, "a week 1 to 5"));
      if (d.week < 1) return Bad("a week 1 to 5");
      if (AtEnd() || Peek() != '.') return Bad("'.' after the week");
      ++i_;
      RAMPART_ASSIGN_OR_RETURN(d.day, Number(6, "a weekday 0 to 6"));
    } else {
      d.kind = PosixTzRule::Date::Kind::kZeroBased;
      RAMPART_ASSIGN_OR_RETURN(d.day, Number(365, "a day 0 to 365"));
    }
    if (!AtEnd() && Peek() == '/') {
      ++i_;
      RAMPART_ASSIGN_OR_RETURN(d.time, Clock(167, "a time -167 to 167 hours"));
    }
    return d;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

// Local (wall-clock, in the offset in effect before the transition) seconds since the epoch at
// which `d` happens in `year`.
std::int64_t RuleLocalTime(const PosixTzRule::Date& d, std::int64_t year) {
  std::int64_t day = 0;  // days since the epoch
  const std::int64_t jan1 = DaysFromCivil(year, 1, 1);
  switch (d.kind) {
    case PosixTzRule::Date::Kind::kJulianNoLeap:
      day = jan1 + d.day - 1 + (IsLeap(year) && d.day >= 60 ? 1 : 0);
      break;
    case PosixTzRule::Date::Kind::kZeroBased:
      day = jan1 + d.day;
      break;
    case PosixTzRule::Date::Kind::kMonthWeekDay: {
      const auto month = static_cast<unsigned>(d.month);
      const std::int64_t first = DaysFromCivil(year, month, 1);
      // 1970-01-01 was a Thursday (4).
      const std::int64_t wd_first = ((first % 7) + 7 + 4) % 7;
      std::int64_t dom = 1 + ((d.day - wd_first) % 7 + 7) % 7 + std::int64_t{d.week - 1} * 7;
      while (dom > DaysInMonth(year, month)) dom -= 7;
      day = first + dom - 1;
      break;
    }
  }
  return day * 86400 + d.time;
}

// ---- TZif --------------------------------------------------------------------------------------

class Reader {
 public:
  explicit Reader(std::string_view d) : d_(d) {}
  bool Has(std::size_t n) const { return d_.size() - i_ >= n; }
  std::uint32_t U32() {
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v = (v << 8) | static_cast<unsigned char>(d_[i_++]);
    return v;
  }
  std::int64_t I64() {
    std::uint64_t v = 0;
    for (int k = 0; k < 8; ++k) v = (v << 8) | static_cast<unsigned char>(d_[i_++]);
    return static_cast<std::int64_t>(v);
  }
  std::int64_t I32() { return static_cast<std::int32_t>(U32()); }
  unsigned char U8() { return static_cast<unsigned char>(d_[i_++]); }
  void Skip(std::size_t n) { i_ += n; }
  std::size_t pos() const { return i_; }
  std::string_view Rest() const { return d_.substr(i_); }

 private:
  std::string_view d_;
  std::size_t i_ = 0;
};

struct Header {
  char version = 0;
  std::uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
};

Result<Header> ReadHeader(Reader* r, const std::string& name) {
  if (!r->Has(44)) return InvalidArgument(name + ": not a TZif file (too short)");
  const std::string_view rest = r->Rest();
  if (rest.substr(0, 4) != "TZif") return InvalidArgument(name + ": not a TZif file (bad magic)");
  Header h;
  h.version = rest[4];
  if (h.version != 0 && (h.version < '2' || h.version > '4')) {
    return InvalidArgument(name + ": unsupported TZif version");
  }
  r->Skip(20);
  h.isutcnt = r->U32();
  h.isstdcnt = r->U32();
  h.leapcnt = r->U32();
  h.timecnt = r->U32();
  h.typecnt = r->U32();
  h.charcnt = r->U32();
  if (h.typecnt == 0 || h.typecnt > 256 || h.charcnt == 0 || h.charcnt > 4096 ||
      h.timecnt > kMaxTransitions || h.leapcnt > 4096 ||
      (h.isutcnt != 0 && h.isutcnt != h.typecnt) || (h.isstdcnt != 0 && h.isstdcnt != h.typecnt)) {
    return InvalidArgument(name + ": TZif counts out of range");
  }
  return h;
}

std::size_t BlockSize(const Header& h, std::size_t time_size) {
  return std::size_t{h.timecnt} * time_size + h.timecnt + std::size_t{h.typecnt} * 6 + h.charcnt +
         std::size_t{h.leapcnt} * (time_size + 4) + h.isstdcnt + h.isutcnt;
}

}  // namespace

std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = FloorDiv(y, 400);
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = m > 2 ? m - 3 : m + 9;
  const std::int64_t doy = (153 * mp + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(std::int64_t z, std::int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const std::int64_t era = FloorDiv(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

Result<PosixTzRule> ParsePosixTz(std::string_view text) { return TzParser(text).Parse(); }

std::int32_t TimeZone::RuleOffsetAt(std::int64_t unix) const {
  const PosixTzRule& r = *rule_;
  if (!r.has_dst) return r.std_offset;
  std::int64_t year = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(FloorDiv(unix + r.std_offset, 86400), &year, &m, &d);
  // The start is written in standard time, the end in daylight time.
  const std::int64_t start = RuleLocalTime(r.start, year) - r.std_offset;
  const std::int64_t end = RuleLocalTime(r.end, year) - r.dst_offset;
  const bool dst = start < end ? (unix >= start && unix < end) : (unix < end || unix >= start);
  return dst ? r.dst_offset : r.std_offset;
}

std::int32_t TimeZone::UtcOffsetAt(std::int64_t unix) const {
  if (transitions_.empty()) return rule_ ? RuleOffsetAt(unix) : initial_offset_;
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), unix,
                             [](std::int64_t t, const Transition& x) { return t < x.at; });
  if (it == transitions_.begin()) return initial_offset_;
  if (it == transitions_.end() && rule_) return RuleOffsetAt(unix);
  return std::prev(it)->offset;
}

std::int64_t TimeZone::LocalToUtc(std::int64_t local) const {
  // The offsets around that day; transitions are more than a day apart in every real zone.
  const std::int32_t before = UtcOffsetAt(local - 86400 - kMaxOffset);
  const std::int32_t after = UtcOffsetAt(local + 86400 + kMaxOffset);
  std::optional<std::int64_t> best;
  for (std::int32_t off : {before, after}) {
    const std::int64_t u = local - off;
    if (UtcOffsetAt(u) == off && (!best || u < *best)) best = u;
  }
  if (best) return *best;
  // A gap: local - before is already past the transition, local - after is still before it. The
  // answer is the transition itself, the first instant after the gap.
  std::int64_t lo = local - after, hi = local - before;
  if (lo > hi) std::swap(lo, hi);
  while (lo < hi) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (UtcOffsetAt(mid) == before) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

Result<TimeZone> ParseTzif(std::string_view data, std::string name) {
  if (data.size() > kMaxTzifBytes) return InvalidArgument(name + ": TZif file too large");
  Reader r(data);
  RAMPART_ASSIGN_OR_RETURN(Header h, ReadHeader(&r, name));
  std::size_t time_size = 4;
  if (h.version != 0) {
    // Skip the 32-bit block; the 64-bit one follows with its own header.
    if (!r.Has(BlockSize(h, 4))) return InvalidArgument(name + ": TZif data cut short");
    r.Skip(BlockSize(h, 4));
    RAMPART_ASSIGN_OR_RETURN(h, ReadHeader(&r, name));
    time_size = 8;
  }
  if (h.leapcnt != 0) {
    return InvalidArgument(name + ": zones with leap seconds (right/...) are not supported");
  }
  if (!r.Has(BlockSize(h, time_size))) return InvalidArgument(name + ": TZif data cut short");
  std::vector<std::int64_t> times(h.timecnt);
  for (auto& t : times) t = time_size == 8 ? r.I64() : r.I32();
  std::vector<unsigned char> idx(h.timecnt);
  for (auto& i : idx) i = r.U8();
  std::vector<std::int32_t> offsets(h.typecnt);
  for (auto& off : offsets) {
    const std::int64_t o = r.I32();
    r.Skip(2);  // isdst, abbreviation index
    if (o <= -kMaxOffset || o >= kMaxOffset) {
      return InvalidArgument(name + ": UTC offset out of range");
    }
    off = static_cast<std::int32_t>(o);
  }
  r.Skip(h.charcnt + h.isstdcnt + h.isutcnt);
  TimeZone tz;
  tz.name_ = std::move(name);
  tz.initial_offset_ = offsets[0];
  tz.transitions_.reserve(h.timecnt);
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (i > 0 && times[i] <= times[i - 1]) {
      return InvalidArgument(tz.name_ + ": TZif transitions out of order");
    }
    if (idx[i] >= h.typecnt) return InvalidArgument(tz.name_ + ": TZif type index out of range");
    tz.transitions_.push_back({times[i], offsets[idx[i]]});
  }
  if (time_size == 8) {
    // Footer: "\n" TZ-string "\n" (the string may be empty).
    const std::string_view rest = r.Rest();
    if (rest.size() < 2 || rest[0] != '\n') return InvalidArgument(tz.name_ + ": no TZif footer");
    const auto nl = rest.find('\n', 1);
    if (nl == std::string_view::npos) return InvalidArgument(tz.name_ + ": TZif footer cut short");
    const std::string_view rule = rest.substr(1, nl - 1);
    if (!rule.empty()) {
      auto parsed = ParsePosixTz(rule);
      if (!parsed.ok()) return InvalidArgument(tz.name_ + ": " + parsed.status().message());
      tz.rule_ = *parsed;
    }
  }
  return tz;
}

bool IsValidZoneName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    const auto slash = name.find('/', start);
    const std::string_view part = name.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part.empty() || part[0] == '.' || part[0] == '-') return false;
    for (char c : part) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '+' || c == '-';
      if (!ok) return false;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

Result<TimeZone> LoadZone(std::string_view name, std::string_view zoneinfo_dir) {
  if (!IsValidZoneName(name)) {
    return InvalidArgument("time zone '" + std::string(name.substr(0, 64)) +
                           "': expected an IANA name such as Europe/Paris");
  }
  static std::mutex mu;
  static auto* cache = new std::map<std::string, TimeZone, std::less<>>();
  std::string key = std::string(zoneinfo_dir) + "/" + std::string(name);
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache->find(key); it != cache->end()) return it->second;
  }
  std::ifstream in(key, std::ios::binary);
  if (!in) {
    if (name == "UTC") return TimeZone();
    return NotFound("time zone '" + std::string(name) + "' is not in the tz database (" +
                    std::string(zoneinfo_dir) + ")");
  }
  std::string data(kMaxTzifBytes + 1, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<std::size_t>(in.gcount()));
  if (data.empty()) {  // a directory ("Europe") or an empty file
    return NotFound("time zone '" + std::string(name) + "' is not in the tz database (" +
                    std::string(zoneinfo_dir) + ")");
  }
  RAMPART_ASSIGN_OR_RETURN(TimeZone tz, ParseTzif(data, std::string(name)));
  std::lock_guard<std::mutex> lock(mu);
  if (cache->size() < 1024) cache->emplace(std::move(key), tz);
  return tz;
}

}  // namespace rampart
