import { describe, expect, it } from "vitest";
import { categoryData, columnWidth, dayLabel, gapDays, labelAxisWidth, labelEvery, toneClass, trendData } from "./chartSeries";
import { baselineTrend, eventsTrend, vulnerabilityTrend, type EventsPerDay, type Trend } from "./dashboardData";

const DAYS = ["2026-12-05", "2026-12-06", "2026-12-07"];

describe("trendData (Chartist series from a trend)", () => {
  it("keeps one series per level, most severe first (the bottom of a column), with its tone's class", () => {
    const data: EventsPerDay = {
      tz_offset: 0,
      days: DAYS.map((date, i) => ({ date, total: i * 4, by_level: { critical: i, high: i, medium: i, low: i } })),
    };
    const d = trendData(eventsTrend(data));
    expect(d.labels).toEqual(DAYS);
    expect(d.series.map((s) => [s.name, s.className])).toEqual([
      ["critical", "bar-critical"],
      ["high", "bar-high"],
      ["medium", "bar-medium"],
      ["low", "bar-low"],
    ]);
    expect(d.series[0]!.data).toEqual([0, 1, 2]);
  });

  it("leaves days without data null (no bar drawn) and zero days zero", () => {
    const vulns = vulnerabilityTrend(
      { days: [{ date: "2026-12-07", total: 2, by_severity: { critical: 0, high: 2, medium: 0, low: 0, unknown: 0 }, source: "live", taken_at: null }] },
      DAYS,
    );
    const d = trendData(vulns);
    expect(d.series.find((s) => s.name === "high")!.data).toEqual([null, null, 2]);
    expect(d.series.find((s) => s.name === "critical")!.data).toEqual([null, null, 0]);
  });

  it("turns missing and non-finite values into gaps, never NaN bars", () => {
    const t: Trend = { labels: DAYS, series: [{ name: "x", tone: "low", values: [Number.NaN, 3] }] };
    expect(trendData(t).series[0]!.data).toEqual([null, 3, null]);
  });

  it("keeps the pass rate's gaps", () => {
    const d = trendData(baselineTrend({ days: [{ date: "2026-12-06", pass_rate: 0.755, hosts: 2 }] }, DAYS));
    expect(d.series[0]).toEqual({ name: "pass rate %", className: "bar-pass", data: [null, 75.5, null] });
  });
});

describe("gapDays", () => {
  it("lists the days where every series is null", () => {
    const t: Trend = {
      labels: DAYS,
      series: [
        { name: "a", tone: "high", values: [null, 0, null] },
        { name: "b", tone: "low", values: [null, null, 1] },
      ],
    };
    expect(gapDays(t)).toEqual([0]);
  });
  it("has no gaps in a trend with no series or all zeros", () => {
    expect(gapDays({ labels: DAYS, series: [] })).toEqual([]);
    expect(gapDays({ labels: DAYS, series: [{ name: "a", tone: "low", values: [0, 0, 0] }] })).toEqual([]);
  });
});

describe("axis labels and sizes", () => {
  it("labels about five days whatever the range", () => {
    expect([1, 5, 7, 30, 90].map(labelEvery)).toEqual([1, 1, 2, 6, 18]);
    const labels = Array.from({ length: 30 }, (_, i) => dayLabel(`2026-11-${String(i + 1).padStart(2, "0")}`, i, 30, "en-US"));
    expect(labels.filter((l) => l !== "")).toEqual(["Nov 1", "Nov 7", "Nov 13", "Nov 19", "Nov 25"]);
  });
  it("sizes columns at 70 % of a day's slot, between 2 and 24 px", () => {
    expect(columnWidth(300, 30)).toBe(7);
    expect(columnWidth(300, 3)).toBe(24);
    expect(columnWidth(100, 90)).toBe(2);
    expect(columnWidth(0, 30)).toBe(2);
    expect(columnWidth(300, 0)).toBe(2);
  });
  it("widens the category axis for long labels, within bounds", () => {
    expect(labelAxisWidth([])).toBe(48);
    expect(labelAxisWidth(["low"])).toBe(48);
    expect(labelAxisWidth(["password crack"])).toBe(124);
    expect(labelAxisWidth(["x".repeat(60)])).toBe(160);
  });
});

describe("categoryData (horizontal bars)", () => {
  it("gives each category its own series so that each bar keeps its tone, one bar per row", () => {
    const d = categoryData([
      { label: "critical", value: 2, tone: "critical" },
      { label: "brute force", value: 5 },
      { label: "bad", value: Number.NaN },
    ]);
    expect(d.labels).toEqual(["critical", "brute force", "bad"]);
    expect(d.series).toEqual([
      { name: "critical", className: "bar-critical", data: [2, null, null] },
      { name: "brute force", className: "bar-default", data: [null, 5, null] },
      { name: "bad", className: "bar-default", data: [null, null, 0] },
    ]);
  });
  it("never puts an unsafe tone into a class name", () => {
    expect(toneClass("high")).toBe("bar-high");
    expect(toneClass('x" onload="y')).toBe("bar-default");
    expect(toneClass(undefined)).toBe("bar-default");
  });
});
