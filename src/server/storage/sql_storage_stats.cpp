// SqlStorage: aggregates for the console's dashboard (GET /api/v1/stats/...) and the daily
// snapshots of open vulnerability findings (table stats_vuln_daily, migration 9).

#include <algorithm>

#include "server/storage/sql_storage.h"

namespace rampart::server {

using sql_storage_internal::Text;

namespace {

constexpr std::int64_t kDay = 86400;
// Far enough for every real zone (UTC-12 .. UTC+14).
constexpr std::int64_t kMaxOffset = 15 * 3600;

int SeverityIndex(std::string_view severity) {
  for (std::size_t i = 0; i < kStatsSeverities.size(); ++i) {
    if (kStatsSeverities[i] == severity) return static_cast<int>(i);
  }
  return static_cast<int>(kStatsSeverities.size()) - 1;  // anything else counts as unknown
}

bool IsDay(std::string_view day) {
  if (day.size() != 10 || day[4] != '-' || day[7] != '-') return false;
  for (std::size_t i = 0; i < day.size(); ++i) {
    if (i == 4 || i == 7) continue;
    if (day[i] < '0' || day[i] > '9') return false;
  }
  return true;
}

}  // namespace

Result<StatsOverview> SqlStorage::GetStatsOverview(std::string_view tenant_id) {
  StatsOverview out;
  const SqlValue tenant[] = {Text(tenant_id)};
  RAMPART_ASSIGN_OR_RETURN(auto events, Query("SELECT type, level, COUNT(*) FROM security_events "
                                              "WHERE tenant_id = ? AND status = 'pending' "
                                              "GROUP BY type, level ORDER BY type, level",
                                              tenant));
  for (const SqlRow& row : events) {
    const std::string type = row.Text(0);
    const std::int64_t level = row.Int(1);
    const std::int64_t n = row.Int(2);
    if (level < 0 || level >= static_cast<std::int64_t>(out.events_by_level.size())) {
      return DataLoss("security_events: level " + std::to_string(level) + " out of range");
    }
    out.events_by_level[static_cast<std::size_t>(level)] += n;
    if (out.events_by_type.empty() || out.events_by_type.back().first != type) {
      out.events_by_type.emplace_back(type, 0);
    }
    out.events_by_type.back().second += n;
  }
  RAMPART_ASSIGN_OR_RETURN(auto findings,
                           Query("SELECT severity, COUNT(*) FROM vuln_findings "
                                 "WHERE tenant_id = ? AND status = 'pending' GROUP BY severity",
                                 tenant));
  for (const SqlRow& row : findings) {
    out.findings_by_severity[static_cast<std::size_t>(SeverityIndex(row.Text(0)))] += row.Int(1);
  }
  return out;
}

Result<std::vector<EventDayCount>> SqlStorage::CountEventsByDay(std::string_view tenant_id,
                                                                std::int64_t from,
                                                                std::int64_t utc_offset_seconds) {
  if (utc_offset_seconds < -kMaxOffset || utc_offset_seconds > kMaxOffset) {
    return InvalidArgument("utc offset: expected -54000 to 54000 seconds, got " +
                           std::to_string(utc_offset_seconds));
  }
  // Shifted by one extra day so that every value is positive (integer % agrees on both
  // databases then); the extra day is taken off below.
  const std::int64_t shift = utc_offset_seconds + kDay;
  const SqlValue params[] = {shift, shift, Text(tenant_id), std::max<std::int64_t>(from, 0)};
  RAMPART_ASSIGN_OR_RETURN(auto rows,
                           Query("SELECT d, level, COUNT(*) FROM (SELECT (first_seen + ?) - "
                                 "((first_seen + ?) % 86400) AS d, level FROM security_events "
                                 "WHERE tenant_id = ? AND first_seen >= ?) x GROUP BY d, level "
                                 "ORDER BY d, level",
                                 params));
  std::vector<EventDayCount> out;
  out.reserve(rows.size());
  for (const SqlRow& row : rows) {
    EventDayCount c;
    c.day = row.Int(0) / kDay - 1;
    c.level = static_cast<int>(row.Int(1));
    c.count = row.Int(2);
    out.push_back(c);
  }
  return out;
}

Result<bool> SqlStorage::AddVulnSnapshot(std::string_view tenant_id,
                                         const VulnDaySnapshot& snapshot) {
  if (!IsDay(snapshot.day)) {
    return InvalidArgument("snapshot day: expected YYYY-MM-DD, got '" + snapshot.day + "'");
  }
  bool added = false;
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    added = false;
    RAMPART_RETURN_IF_ERROR(RequireTenant(conn, tenant_id, /*lock=*/false));
    const auto& s = snapshot.by_severity;
    const SqlValue params[] = {Text(tenant_id),  snapshot.day, s[0], s[1], s[2], s[3], s[4],
                               snapshot.taken_at};
    RAMPART_ASSIGN_OR_RETURN(
        std::int64_t n,
        conn.Execute(std::string(mysql() ? "INSERT IGNORE" : "INSERT OR IGNORE") +
                         " INTO stats_vuln_daily (tenant_id, day, critical, high, medium, low, "
                         "unknown, taken_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     params));
    added = n > 0;
    return Status::Ok();
  });
  RAMPART_RETURN_IF_ERROR(status);
  return added;
}

Result<std::vector<VulnDaySnapshot>> SqlStorage::ListVulnSnapshots(std::string_view tenant_id,
                                                                   std::string_view from_day,
                                                                   std::string_view to_day) {
  const SqlValue params[] = {Text(tenant_id), Text(from_day), Text(to_day)};
  RAMPART_ASSIGN_OR_RETURN(
      auto rows, Query("SELECT day, critical, high, medium, low, unknown, taken_at "
                       "FROM stats_vuln_daily WHERE tenant_id = ? AND day >= ? AND day <= ? "
                       "ORDER BY day",
                       params));
  std::vector<VulnDaySnapshot> out;
  out.reserve(rows.size());
  for (const SqlRow& row : rows) {
    VulnDaySnapshot s;
    s.day = row.Text(0);
    for (std::size_t i = 0; i < s.by_severity.size(); ++i) s.by_severity[i] = row.Int(i + 1);
    s.taken_at = row.Int(6);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace rampart::server
