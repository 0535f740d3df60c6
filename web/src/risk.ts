// A host's open risks: the counters of its risk block and their sum, the score the server ranks
// the dashboard's riskiest hosts by (vulnerabilities + baseline failures + events + malware).
import type { Host } from "./api";

export function riskScore(risk: Host["risk"]): number {
  return risk.vulnerabilities + risk.baseline_failures + risk.events + risk.malware;
}

// "3 / 0 / 1 / 2" for the hosts table (vulnerabilities / baseline / events / malware).
export function riskCounts(risk: Host["risk"]): string {
  return `${risk.vulnerabilities} / ${risk.baseline_failures} / ${risk.events} / ${risk.malware}`;
}
