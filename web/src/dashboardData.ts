// The dashboard's data: API response types of /api/v1/stats/* and of the baseline and malware
// summaries, and the pure functions that shape them into chart series (unit-tested in
// dashboardData.test.ts). A capability that has not landed on the server answers 404: its chart
// shows an empty state instead of an error (optional()).

import { ApiError, type Host } from "./api";

export type Level = "low" | "medium" | "high" | "critical";
export const LEVELS: Level[] = ["critical", "high", "medium", "low"];
export type Severity = "critical" | "high" | "medium" | "low" | "unknown";
export const SEVERITIES: Severity[] = ["critical", "high", "medium", "low", "unknown"];

export interface StatsOverview {
  hosts: {
    total: number;
    by_status: { ONLINE: number; OFFLINE: number; UNINSTALLED: number };
    at_risk: number;
    top_risky: Host[];
  };
  events: { open: number; by_type: Record<string, number>; by_level: Record<Level, number> };
  vulnerabilities: { open: number; by_severity: Record<Severity, number> };
}

export interface EventsPerDay {
  tz_offset: number;
  days: { date: string; total: number; by_level: Record<Level, number> }[];
}

export interface VulnerabilitiesPerDay {
  days: { date: string; total: number; by_severity: Record<Severity, number>; source: "snapshot" | "live"; taken_at: string | null }[];
}

/** GET /api/v1/baseline/trend (baseline management). */
export interface BaselineTrend {
  days: { date: string; pass_rate: number; hosts: number }[];
}

/** GET /api/v1/malware/summary (malware detection). */
export interface MalwareSummary {
  open: number;
  by_severity: Partial<Record<"critical" | "high" | "medium" | "low", number>>;
  by_status: Record<string, number>;
  per_day: { date: string; count: number }[];
}

/** A chart: one column per label, each column stacked from `series` (null: no data that day). */
export interface Trend {
  labels: string[]; // "YYYY-MM-DD"
  series: { name: string; tone: string; values: (number | null)[] }[];
}

/** Resolves to null when the route answers 404 (the capability is not on this server yet). */
export async function optional<T>(load: Promise<T>): Promise<T | null> {
  try {
    return await load;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** The browser's zone as minutes east of UTC, for ?tz_offset= (what the API's days are cut by). */
export function tzOffsetMinutes(now: Date = new Date()): number {
  return -now.getTimezoneOffset();
}

/** "YYYY-MM-DD" days from `first` to `last` inclusive (calendar arithmetic in UTC: no DST shifts). */
export function dayRange(first: string, last: string): string[] {
  const out: string[] = [];
  const start = Date.parse(`${first}T00:00:00Z`);
  const end = Date.parse(`${last}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end)) return out;
  for (let t = start; t <= end && out.length < 366; t += 86400000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** The local calendar date of `now` in the browser's zone, "YYYY-MM-DD". */
export function localDay(now: Date = new Date()): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, "0");
  const d = String(now.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

/** `days` local days ending today. */
export function lastDays(days: number, now: Date = new Date()): string[] {
  const today = localDay(now);
  const t = Date.parse(`${today}T00:00:00Z`) - (days - 1) * 86400000;
  return dayRange(new Date(t).toISOString().slice(0, 10), today);
}

const LEVEL_TONE: Record<Level, string> = { critical: "critical", high: "high", medium: "medium", low: "low" };
const SEVERITY_TONE: Record<Severity, string> = { critical: "critical", high: "high", medium: "medium", low: "low", unknown: "unknown" };

/** Events per day, stacked by level (most severe at the bottom). The API already fills zero days. */
export function eventsTrend(data: EventsPerDay): Trend {
  return {
    labels: data.days.map((d) => d.date),
    series: LEVELS.map((level) => ({ name: level, tone: LEVEL_TONE[level], values: data.days.map((d) => d.by_level[level] ?? 0) })),
  };
}

/**
 * Open findings by severity per day over `labels`. Days without a snapshot (before the first one,
 * or a day the server was down) are null: a gap, not a zero.
 */
export function vulnerabilityTrend(data: VulnerabilitiesPerDay, labels: string[]): Trend {
  const byDate = new Map(data.days.map((d) => [d.date, d]));
  return {
    labels,
    series: SEVERITIES.map((s) => ({
      name: s,
      tone: SEVERITY_TONE[s],
      values: labels.map((day) => {
        const d = byDate.get(day);
        return d ? (d.by_severity[s] ?? 0) : null;
      }),
    })),
  };
}

/** Baseline pass rate in percent per day; days without results are gaps. */
export function baselineTrend(data: BaselineTrend, labels: string[]): Trend {
  const byDate = new Map(data.days.map((d) => [d.date, d]));
  return {
    labels,
    series: [
      {
        name: "pass rate %",
        tone: "pass",
        values: labels.map((day) => {
          const d = byDate.get(day);
          if (!d || !Number.isFinite(d.pass_rate)) return null;
          return Math.round(Math.min(1, Math.max(0, d.pass_rate)) * 1000) / 10;
        }),
      },
    ],
  };
}

/** Malware detections per day; a day the summary does not list had none. */
export function malwareTrend(data: MalwareSummary, labels: string[]): Trend {
  const byDate = new Map(data.per_day.map((d) => [d.date, d.count]));
  return { labels, series: [{ name: "detections", tone: "critical", values: labels.map((day) => byDate.get(day) ?? 0) }] };
}

/** True when every value of every series is 0 or null (nothing to draw: show an empty state). */
export function isEmptyTrend(trend: Trend): boolean {
  return trend.series.every((s) => s.values.every((v) => !v));
}

/** Column totals (nulls count as 0) and their maximum (for the summary and the data table's totals). */
export function stackTotals(trend: Trend): { totals: number[]; max: number } {
  const totals = trend.labels.map((_, i) => trend.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  return { totals, max: Math.max(0, ...totals) };
}

/** "2026-12-07" -> "Dec 7" (a calendar date: no zone conversion). */
export function shortDate(day: string, locale?: string): string {
  const t = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(t)) return day;
  return new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" }).format(t);
}

/** A one-sentence summary for screen readers and the chart's caption. */
export function trendSummary(trend: Trend, unit: string): string {
  if (trend.labels.length === 0) return `No ${unit}.`;
  const { totals } = stackTotals(trend);
  const hasData = (i: number) => trend.series.some((s) => s.values[i] !== null);
  const known = totals.filter((_, i) => hasData(i));
  const first = trend.labels[0] ?? "";
  const last = trend.labels[trend.labels.length - 1] ?? "";
  if (known.length === 0) return `No data from ${first} to ${last}.`;
  const sum = known.reduce((a, b) => a + b, 0);
  const peak = Math.max(...known);
  const peakDay = trend.labels[totals.indexOf(peak)] ?? "";
  const latest = totals[totals.length - 1] ?? 0;
  if (unit === "%") {
    let i = totals.length - 1;
    while (i > 0 && !hasData(i)) i--;
    return `From ${first} to ${last}: ${totals[i] ?? 0}% on ${trend.labels[i] ?? ""} (the latest day with results), highest ${peak}% on ${peakDay}.`;
  }
  const units = sum === 1 && unit.endsWith("s") ? unit.slice(0, -1) : unit;
  return `From ${first} to ${last}: ${sum} ${units} in all, at most ${peak} on ${peakDay}, ${latest} on the last day.`;
}

/** Open events by type for a bar chart, largest first, "brute_force" -> "brute force". */
export function countsToBars(counts: Record<string, number>, order?: string[]): { label: string; value: number; tone?: string }[] {
  const keys = order ?? Object.keys(counts).sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0) || a.localeCompare(b));
  return keys.map((k) => ({ label: k.replace(/_/g, " "), value: counts[k] ?? 0, tone: order ? k : undefined }));
}
