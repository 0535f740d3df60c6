#pragma once
// The optional scope of a login whitelist entry (settings login.whitelist / login.whitelist_users,
// and POST /api/v1/events/{id}/whitelist): locations and a time window. One definition for the
// server, which validates the settings, and the agent, which applies them:
//   "countries": ["DE", "FR"]        ISO 3166-1 alpha-2 codes from the GeoIP lookup; the entry
//                                    covers only logins located in one of them (a login that
//                                    cannot be located is not covered)
//   "days": ["mon", ..., "sun"]      days of the week (in the zone)
//   "hours": "08:00-18:30"           from-to, to exclusive; "22:00-06:00" wraps midnight
//   "zone": "UTC" | "+01:00" | "-05:30" | "local" | "Europe/Paris"   the zone of days/hours;
//                                    "local" is the host's own time zone; a tz database name
//                                    follows its DST changes (common/tz.h); default UTC
// Every key is optional; an entry without them covers any place and time.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "common/tz.h"

namespace rampart {

struct WhitelistWindow {
  std::vector<std::string> countries;  // upper case; empty: anywhere
  std::uint8_t days = 0x7f;            // bit 0 Monday ... bit 6 Sunday
  int from_minute = 0;                 // minutes of the day; from == to: the whole day
  int to_minute = 0;
  enum class Zone { kUtc, kOffset, kLocal, kNamed } zone = Zone::kUtc;
  int offset_minutes = 0;                 // kOffset
  std::shared_ptr<const TimeZone> named;  // kNamed (the cached zone: equal names, equal pointers)

  bool restricts_time() const { return days != 0x7f || from_minute != to_minute; }
  bool restricts_place() const { return !countries.empty(); }
  bool restricts() const { return restricts_time() || restricts_place(); }
  // Whether a login at `unix_seconds` (UTC) falls in the days and hours.
  bool CoversTime(std::int64_t unix_seconds) const;
  // Whether a login located in `country` ("" = unknown) is covered.
  bool CoversCountry(std::string_view country) const;
  // The scope keys as JSON (only those that restrict), for writing an entry back.
  void AddTo(Json* entry) const;
  friend bool operator==(const WhitelistWindow&, const WhitelistWindow&) = default;
};

// True for "countries", "days", "hours", "zone".
bool IsWhitelistWindowKey(std::string_view key);

// Reads the scope keys of one entry (other keys are not looked at). Errors name `path.key`, what
// was expected and what was given, e.g. "settings.login.whitelist[0].hours: expected HH:MM-HH:MM
// (00:00 to 24:00), got \"25:00-26:00\"".
// A zone name is looked up in this machine's tz database: the server rejects a name it does not
// have; an agent whose database lacks it gets the same error and skips the entry (logged).
Result<WhitelistWindow> ParseWhitelistWindow(const Json& entry, const std::string& path);

}  // namespace rampart
