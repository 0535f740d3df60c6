#include "agent/vuln/advisory.h"

namespace rampart::agent::vuln {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
    case Severity::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace rampart::agent::vuln
