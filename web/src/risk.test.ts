import { describe, expect, it } from "vitest";
import { riskCounts, riskScore } from "./risk";

describe("host risk", () => {
  it("sums every open-risk counter, malware included", () => {
    expect(riskScore({ vulnerabilities: 3, baseline_failures: 2, events: 1, malware: 4 })).toBe(10);
    expect(riskScore({ vulnerabilities: 0, baseline_failures: 0, events: 0, malware: 0 })).toBe(0);
    expect(riskScore({ vulnerabilities: 0, baseline_failures: 0, events: 0, malware: 1 })).toBe(1);
  });
  it("lists the counters in the hosts table's column order", () => {
    expect(riskCounts({ vulnerabilities: 3, baseline_failures: 0, events: 1, malware: 2 })).toBe("3 / 0 / 1 / 2");
  });
});
