import { describe, expect, it } from "vitest";
import { ApiClient } from "./api";
import {
  baselineTrend,
  countsToBars,
  dayRange,
  eventsTrend,
  isEmptyTrend,
  lastDays,
  localDay,
  malwareTrend,
  optional,
  stackTotals,
  trendSummary,
  vulnerabilityTrend,
  type BaselineTrend,
  type EventsPerDay,
  type MalwareSummary,
  type VulnerabilitiesPerDay,
} from "./dashboardData";

function client(status: number, body?: unknown) {
  return new ApiClient(async () => new Response(body === undefined ? "" : JSON.stringify(body), { status }));
}

describe("optional (capabilities that answer 404 when not on the server)", () => {
  it("gives null on 404", async () => {
    const api = client(404, { error: { code: "not_found", message: "no such route: /api/v1/baseline/trend" } });
    expect(await optional(api.get<BaselineTrend>("/api/v1/baseline/trend?days=30"))).toBeNull();
  });
  it("gives the data when the route answers", async () => {
    const trend: BaselineTrend = { days: [{ date: "2026-12-06", pass_rate: 0.8, hosts: 3 }] };
    expect(await optional(client(200, trend).get<BaselineTrend>("/api/v1/baseline/trend"))).toEqual(trend);
  });
  it("still throws other errors (a 500 or 403 is not 'not available')", async () => {
    await expect(optional(client(500, { error: { code: "internal", message: "db down" } }).get("/x"))).rejects.toThrow("db down");
    await expect(optional(client(403).get("/x"))).rejects.toThrow(/role/);
  });
});

describe("days", () => {
  it("ranges over calendar days, month and year ends and DST included", () => {
    expect(dayRange("2026-12-30", "2027-01-02")).toEqual(["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]);
    expect(dayRange("2026-03-28", "2026-03-30")).toEqual(["2026-03-28", "2026-03-29", "2026-03-30"]);
    expect(dayRange("2026-01-02", "2026-01-01")).toEqual([]);
    expect(dayRange("junk", "2026-01-01")).toEqual([]);
  });
  it("ends the last N days with the local today", () => {
    const now = new Date(2026, 11, 7, 23, 59); // local time
    expect(localDay(now)).toBe("2026-12-07");
    const days = lastDays(30, now);
    expect(days).toHaveLength(30);
    expect(days[0]).toBe("2026-11-08");
    expect(days[29]).toBe("2026-12-07");
  });
});

const events: EventsPerDay = {
  tz_offset: 540,
  days: [
    { date: "2026-12-05", total: 0, by_level: { low: 0, medium: 0, high: 0, critical: 0 } },
    { date: "2026-12-06", total: 5, by_level: { low: 1, medium: 0, high: 3, critical: 1 } },
    { date: "2026-12-07", total: 2, by_level: { low: 0, medium: 2, high: 0, critical: 0 } },
  ],
};

describe("eventsTrend", () => {
  it("stacks levels per day, most severe first, oldest day first", () => {
    const t = eventsTrend(events);
    expect(t.labels).toEqual(["2026-12-05", "2026-12-06", "2026-12-07"]);
    expect(t.series.map((s) => s.name)).toEqual(["critical", "high", "medium", "low"]);
    expect(t.series[0]!.values).toEqual([0, 1, 0]);
    expect(t.series[1]!.values).toEqual([0, 3, 0]);
    expect(stackTotals(t)).toEqual({ totals: [0, 5, 2], max: 5 });
    expect(isEmptyTrend(t)).toBe(false);
    expect(trendSummary(t, "events")).toBe("From 2026-12-05 to 2026-12-07: 7 events in all, at most 5 on 2026-12-06, 2 on the last day.");
  });
  it("speaks of one event in the singular", () => {
    const one = eventsTrend({ tz_offset: 0, days: [events.days[0]!, events.days[2]!].map((d, i) => (i === 1 ? { ...d, by_level: { low: 1, medium: 0, high: 0, critical: 0 } } : d)) });
    expect(trendSummary(one, "events")).toBe("From 2026-12-05 to 2026-12-07: 1 event in all, at most 1 on 2026-12-07, 1 on the last day.");
  });
  it("is empty when every day is zero", () => {
    expect(isEmptyTrend(eventsTrend({ tz_offset: 0, days: [events.days[0]!] }))).toBe(true);
  });
});

describe("vulnerabilityTrend", () => {
  const data: VulnerabilitiesPerDay = {
    days: [
      { date: "2026-12-05", total: 3, by_severity: { critical: 1, high: 2, medium: 0, low: 0, unknown: 0 }, source: "snapshot", taken_at: null },
      { date: "2026-12-07", total: 1, by_severity: { critical: 0, high: 1, medium: 0, low: 0, unknown: 0 }, source: "live", taken_at: null },
    ],
  };
  it("leaves days without a snapshot as gaps, not zeros", () => {
    const t = vulnerabilityTrend(data, ["2026-12-04", "2026-12-05", "2026-12-06", "2026-12-07"]);
    expect(t.series[0]!.name).toBe("critical");
    expect(t.series[0]!.values).toEqual([null, 1, null, 0]);
    expect(t.series[1]!.values).toEqual([null, 2, null, 1]);
    expect(stackTotals(t).totals).toEqual([0, 3, 0, 1]);
    expect(trendSummary(t, "findings")).toMatch(/4 findings in all, at most 3 on 2026-12-05/);
  });
  it("says there is no data when no day has a snapshot", () => {
    const t = vulnerabilityTrend({ days: [] }, ["2026-12-06", "2026-12-07"]);
    expect(isEmptyTrend(t)).toBe(true);
    expect(trendSummary(t, "findings")).toBe("No data from 2026-12-06 to 2026-12-07.");
  });
});

describe("baselineTrend", () => {
  it("turns pass rates into percents with gaps, clamped to 0..100", () => {
    const data: BaselineTrend = {
      days: [
        { date: "2026-12-05", pass_rate: 0.8234, hosts: 4 },
        { date: "2026-12-07", pass_rate: 1.2, hosts: 4 },
      ],
    };
    const t = baselineTrend(data, ["2026-12-05", "2026-12-06", "2026-12-07"]);
    expect(t.series).toHaveLength(1);
    expect(t.series[0]!.values).toEqual([82.3, null, 100]);
    expect(trendSummary(t, "%")).toBe("From 2026-12-05 to 2026-12-07: 100% on 2026-12-07 (the latest day with results), highest 100% on 2026-12-07.");
    const older = baselineTrend(data, ["2026-12-05", "2026-12-06"]);
    expect(trendSummary(older, "%")).toMatch(/: 82.3% on 2026-12-05 \(the latest day with results\)/);
  });
});

describe("malwareTrend", () => {
  it("counts detections per day over the chart's days (missing days are zero)", () => {
    const data: MalwareSummary = {
      open: 2,
      by_severity: { high: 2 },
      by_status: { pending: 2 },
      per_day: [
        { date: "2026-12-06", count: 2 },
        { date: "2026-10-01", count: 9 },
      ],
    };
    const t = malwareTrend(data, ["2026-12-06", "2026-12-07"]);
    expect(t.series[0]!.values).toEqual([2, 0]);
  });
});

describe("bars", () => {
  it("orders bars largest first unless an order is given", () => {
    expect(countsToBars({ brute_force: 2, abnormal_login: 5, cracked: 2 })).toEqual([
      { label: "abnormal login", value: 5, tone: undefined },
      { label: "brute force", value: 2, tone: undefined },
      { label: "cracked", value: 2, tone: undefined },
    ]);
    expect(countsToBars({ low: 1, high: 2 }, ["critical", "high", "low"])).toEqual([
      { label: "critical", value: 0, tone: "critical" },
      { label: "high", value: 2, tone: "high" },
      { label: "low", value: 1, tone: "low" },
    ]);
  });
});
