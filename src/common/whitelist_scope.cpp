#include "common/whitelist_scope.h"

#include <ctime>
#include <map>
#include <mutex>

#include "common/strings.h"

namespace rampart {
namespace {

constexpr std::size_t kMaxCountries = 300;
constexpr const char* kDayNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::string Shown(const Json& value) {
  std::string text = value.Dump();
  if (text.size() > 64) text = text.substr(0, 61) + "...";
  return text;
}

// "HH:MM" with 00:00..24:00 -> minutes; -1 when malformed.
int Minutes(std::string_view t) {
  if (t.size() != 5 || t[2] != ':') return -1;
  for (std::size_t i : {0u, 1u, 3u, 4u}) {
    if (t[i] < '0' || t[i] > '9') return -1;
  }
  const int h = (t[0] - '0') * 10 + (t[1] - '0');
  const int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

std::string HhMm(int minutes) {  // 0..1440
  const int h = minutes / 60 % 100;
  const int m = minutes % 60;
  return {static_cast<char>('0' + h / 10), static_cast<char>('0' + h % 10), ':',
          static_cast<char>('0' + m / 10), static_cast<char>('0' + m % 10)};
}

// The zone `name`, one shared object per name for the life of the process (so windows with the
// same zone compare equal).
Result<std::shared_ptr<const TimeZone>> SharedZone(const std::string& name) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> zones;
  const std::lock_guard lock(mu);
  if (auto it = zones.find(name); it != zones.end()) return it->second;
  auto tz = LoadZone(name);
  if (!tz) return tz.error();
  auto shared = std::make_shared<const TimeZone>(std::move(tz).value());
  zones.emplace(name, shared);
  return shared;
}

}  // namespace

bool IsWhitelistWindowKey(std::string_view key) {
  return key == "countries" || key == "days" || key == "hours" || key == "zone";
}

bool WhitelistWindow::CoversCountry(std::string_view country) const {
  if (countries.empty()) return true;
  for (const auto& c : countries) {
    if (c == country) return true;
  }
  return false;
}

bool WhitelistWindow::CoversTime(std::int64_t t) const {
  if (!restricts_time()) return true;
  std::int64_t shifted = t;
  if (zone == Zone::kOffset) {
    shifted += static_cast<std::int64_t>(offset_minutes) * 60;
  } else if (zone == Zone::kLocal) {
    const auto tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (localtime_r(&tt, &tm) != nullptr) shifted += tm.tm_gmtoff;
  } else if (zone == Zone::kNamed && named != nullptr) {
    shifted += named->UtcOffsetAt(t);
  }
  std::int64_t days_since_epoch = shifted / 86400;
  std::int64_t secs = shifted % 86400;
  if (secs < 0) {
    secs += 86400;
    --days_since_epoch;
  }
  // 1970-01-01 was a Thursday (index 3 with Monday = 0).
  const auto weekday = static_cast<int>(((days_since_epoch % 7) + 7 + 3) % 7);
  const int minute = static_cast<int>(secs / 60);
  if (from_minute == to_minute) return (days >> weekday & 1) != 0;
  if (from_minute < to_minute) {
    return (days >> weekday & 1) != 0 && minute >= from_minute && minute < to_minute;
  }
  // Wraps midnight: the part after midnight belongs to the window that started the day before.
  if (minute >= from_minute) return (days >> weekday & 1) != 0;
  if (minute < to_minute) return (days >> ((weekday + 6) % 7) & 1) != 0;
  return false;
}

void WhitelistWindow::AddTo(Json* entry) const {
  if (!countries.empty()) entry->Set("countries", Json::StringArray(countries));
  if (days != 0x7f) {
    std::vector<std::string> names;
    for (int d = 0; d < 7; ++d) {
      if ((days >> d & 1) != 0) names.emplace_back(kDayNames[d]);
    }
    entry->Set("days", Json::StringArray(names));
  }
  if (from_minute != to_minute) entry->Set("hours", HhMm(from_minute) + "-" + HhMm(to_minute));
  if (restricts_time()) {
    if (zone == Zone::kLocal) {
      entry->Set("zone", "local");
    } else if (zone == Zone::kNamed && named != nullptr) {
      entry->Set("zone", named->name());
    } else if (zone == Zone::kOffset) {
      const int m = offset_minutes < 0 ? -offset_minutes : offset_minutes;
      entry->Set("zone", std::string(offset_minutes < 0 ? "-" : "+") + HhMm(m));
    } else {
      entry->Set("zone", "UTC");
    }
  }
}

Result<WhitelistWindow> ParseWhitelistWindow(const Json& entry, const std::string& path) {
  WhitelistWindow w;
  if (!entry.is_object()) return w;
  if (const Json* v = entry.Find("countries")) {
    const std::string field = path + ".countries";
    if (!v->is_array() || v->size() == 0 || v->size() > kMaxCountries) {
      return InvalidArgument(field +
                             ": expected a non-empty array (at most 300) of ISO 3166-1 "
                             "alpha-2 country codes, got " +
                             Shown(*v));
    }
    for (const Json& c : v->as_array()) {
      const bool ok = c.is_string() && c.as_string().size() == 2 && c.as_string()[0] >= 'A' &&
                      c.as_string()[0] <= 'Z' && c.as_string()[1] >= 'A' && c.as_string()[1] <= 'Z';
      if (!ok) {
        return InvalidArgument(field + ": expected two upper-case letters (\"DE\"), got " +
                               Shown(c));
      }
      bool seen = false;
      for (const auto& have : w.countries) seen = seen || have == c.as_string();
      if (!seen) w.countries.push_back(c.as_string());
    }
  }
  if (const Json* v = entry.Find("days")) {
    const std::string field = path + ".days";
    if (!v->is_array() || v->size() == 0) {
      return InvalidArgument(field +
                             ": expected a non-empty array of mon, tue, wed, thu, fri, "
                             "sat, sun, got " +
                             Shown(*v));
    }
    w.days = 0;
    for (const Json& d : v->as_array()) {
      int index = -1;
      for (int i = 0; i < 7; ++i) {
        if (d.is_string() && d.as_string() == kDayNames[i]) index = i;
      }
      if (index < 0) {
        return InvalidArgument(field + ": expected mon, tue, wed, thu, fri, sat or sun, got " +
                               Shown(d));
      }
      w.days = static_cast<std::uint8_t>(w.days | (1u << index));
    }
  }
  if (const Json* v = entry.Find("hours")) {
    const std::string field = path + ".hours";
    const std::string text = v->is_string() ? v->as_string() : std::string();
    const std::size_t dash = text.find('-');
    const int from =
        dash == std::string::npos ? -1 : Minutes(std::string_view(text).substr(0, dash));
    const int to =
        dash == std::string::npos ? -1 : Minutes(std::string_view(text).substr(dash + 1));
    if (from < 0 || to < 0 || from == to || from == 1440) {
      return InvalidArgument(field +
                             ": expected HH:MM-HH:MM (00:00 to 24:00, two different times; "
                             "22:00-06:00 wraps midnight), got " +
                             Shown(*v));
    }
    w.from_minute = from;
    w.to_minute = to == 1440 && from == 0 ? 0 : to % 1440;
    if (w.from_minute == w.to_minute) w.from_minute = w.to_minute = 0;  // the whole day
  }
  if (const Json* v = entry.Find("zone")) {
    const std::string field = path + ".zone";
    const std::string text = v->is_string() ? v->as_string() : std::string();
    if (text == "UTC" || text == "Z") {
      w.zone = WhitelistWindow::Zone::kUtc;
    } else if (text == "local") {
      w.zone = WhitelistWindow::Zone::kLocal;
    } else if (text.size() == 6 && (text[0] == '+' || text[0] == '-') &&
               Minutes(std::string_view(text).substr(1)) >= 0 &&
               Minutes(std::string_view(text).substr(1)) <= 14 * 60) {
      w.zone = WhitelistWindow::Zone::kOffset;
      const int m = Minutes(std::string_view(text).substr(1));
      w.offset_minutes = text[0] == '-' ? -m : m;
    } else if (IsValidZoneName(text)) {
      auto tz = SharedZone(text);
      if (!tz) {
        return InvalidArgument(field + ": unknown time zone " + Shown(*v) +
                               ": expected UTC, local, an offset -14:00..+14:00 (\"+01:00\") or a "
                               "tz database name (\"Europe/Paris\"); " +
                               tz.error().message());
      }
      w.zone = WhitelistWindow::Zone::kNamed;
      w.named = std::move(tz).value();
    } else {
      return InvalidArgument(field +
                             ": expected UTC, local, an offset -14:00..+14:00 (\"+01:00\") or a "
                             "tz database name (\"Europe/Paris\"), got " +
                             Shown(*v));
    }
  }
  return w;
}

}  // namespace rampart
