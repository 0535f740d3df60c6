#include "server/vuln_model.h"

#include <algorithm>

namespace rampart::server {

std::string_view FindingStatusName(FindingStatus s) {
  switch (s) {
    case FindingStatus::kPending:
      return "pending";
    case FindingStatus::kIgnored:
      return "ignored";
    case FindingStatus::kFixed:
      return "fixed";
  }
  return "pending";
}

Result<FindingStatus> ParseFindingStatus(std::string_view text) {
  if (text == "pending") return FindingStatus::kPending;
  if (text == "ignored") return FindingStatus::kIgnored;
  if (text == "fixed") return FindingStatus::kFixed;
  return InvalidArgument("status: expected pending, ignored or fixed, got '" + std::string(text) +
                         "'");
}

bool IgnoreRuleMatches(const IgnoreRule& rule, const HostFinding& finding) {
  if (rule.vuln_id.empty() && rule.package.empty() && rule.host_ids.empty()) return false;
  if (!rule.vuln_id.empty() && finding.vuln_id != rule.vuln_id &&
      std::find(finding.ids.begin(), finding.ids.end(), rule.vuln_id) == finding.ids.end()) {
    return false;
  }
  if (!rule.package.empty() && finding.package != rule.package) return false;
  if (!rule.host_ids.empty() && std::find(rule.host_ids.begin(), rule.host_ids.end(),
                                          finding.host_id) == rule.host_ids.end()) {
    return false;
  }
  return true;
}

}  // namespace rampart::server
