// SqlStorage: one tenant's hosts at a glance (the console's dashboard).

#include <algorithm>

#include "server/storage/sql_storage.h"

namespace rampart::server {

using sql_storage_internal::HostFromRow;
using sql_storage_internal::kHostColumns;
using sql_storage_internal::Text;

// A host's risk score: the sum of its open-risk counters (the dashboard's "riskiest hosts").
constexpr std::string_view kRiskScore =
    "(risk_vulnerabilities + risk_baseline_failures + risk_events + risk_malware)";

Result<HostSummary> SqlStorage::SummarizeHosts(std::string_view tenant_id, int top_n) {
  HostSummary summary;
  summary.by_status = {
      {HostStatus::kOnline, 0}, {HostStatus::kOffline, 0}, {HostStatus::kUninstalled, 0}};
  const std::string score(kRiskScore);
  const SqlValue tenant[] = {Text(tenant_id)};
  RAMPART_ASSIGN_OR_RETURN(auto counts,
                           Query("SELECT status, COUNT(*), SUM(CASE WHEN " + score +
                                     " > 0 THEN 1 ELSE 0 END) FROM hosts WHERE tenant_id = ? "
                                     "GROUP BY status",
                                 tenant));
  for (const SqlRow& row : counts) {
    auto status = ParseHostStatus(row.Text(0));
    if (!status.ok()) return DataLoss("hosts: " + status.error().message());
    for (auto& [s, n] : summary.by_status) {
      if (s == *status) n = row.Int(1);
    }
    summary.at_risk += row.Int(2);
  }
  top_n = std::clamp(top_n, 0, 100);
  if (top_n == 0 || summary.at_risk == 0) return summary;
  const SqlValue top[] = {Text(tenant_id)};
  RAMPART_ASSIGN_OR_RETURN(
      auto rows,
      Query("SELECT " + std::string(kHostColumns) + " FROM hosts WHERE tenant_id = ? AND " + score +
                " > 0 ORDER BY " + score + " DESC, hostname, id LIMIT " + std::to_string(top_n),
            top));
  for (const SqlRow& row : rows) {
    RAMPART_ASSIGN_OR_RETURN(Host host, HostFromRow(row));
    summary.top_risky.push_back(std::move(host));
  }
  return summary;
}

}  // namespace rampart::server
