#pragma once
// Aggregates for the console's dashboard (GET /api/v1/stats/...): counts of open events and
// open vulnerability findings, events per day, and the daily snapshots of open findings.

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rampart::server {

// Finding severities in the order the dashboard shows them (vuln_model.h's names).
inline constexpr std::array<std::string_view, 5> kStatsSeverities = {"critical", "high", "medium",
                                                                     "low", "unknown"};

// Open findings per severity, indexed like kStatsSeverities.
using SeverityCounts = std::array<std::int64_t, kStatsSeverities.size()>;

// Storage::GetStatsOverview: the tenant's open (pending) work.
struct StatsOverview {
  std::vector<std::pair<std::string, std::int64_t>> events_by_type;  // by type name, sorted
  std::array<std::int64_t, 4> events_by_level{};                     // EventLevel order
  SeverityCounts findings_by_severity{};
};

// Storage::CountEventsByDay: events of one level whose first_seen falls on one day.
struct EventDayCount {
  std::int64_t day = 0;  // days since 1970-01-01 in the caller's zone (see CountEventsByDay)
  int level = 0;         // EventLevel
  std::int64_t count = 0;
};

// One row of stats_vuln_daily: a tenant's open findings at the first snapshot of a UTC day.
struct VulnDaySnapshot {
  std::string day;  // "YYYY-MM-DD" (UTC)
  SeverityCounts by_severity{};
  std::int64_t taken_at = 0;
};

// Days since 1970-01-01 -> "YYYY-MM-DD" (proleptic Gregorian).
inline std::string DayText(std::int64_t days) {
  const std::chrono::year_month_day ymd{
      std::chrono::sys_days{std::chrono::days{static_cast<int>(days)}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

// Floor of unix_seconds / 86400 (the UTC day number).
inline std::int64_t UtcDay(std::int64_t unix_seconds) {
  return unix_seconds >= 0 ? unix_seconds / 86400 : -((-unix_seconds + 86399) / 86400);
}

}  // namespace rampart::server
