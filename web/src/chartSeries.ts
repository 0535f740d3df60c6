// Shapes the dashboard's trends and category counts into Chartist's data (labels + series) and the
// few layout numbers the chart wrappers in charts.tsx need. Pure and unit-tested in
// chartSeries.test.ts; charts.tsx only hands the results to Chartist.
import { shortDate, type Trend } from "./dashboardData";

/** One Chartist series: its name (for the legend), its CSS class (the tone's colour) and its values. */
export interface ChartSeries {
  name: string;
  className: string;
  data: (number | null)[];
}

export interface ChartData {
  labels: string[];
  series: ChartSeries[];
}

/** The CSS class that gives a series its level/severity colour in both themes (styles.css). */
export function toneClass(tone: string | undefined): string {
  return `bar-${tone && /^[a-z0-9-]+$/.test(tone) ? tone : "default"}`;
}

/**
 * A trend as Chartist series, one per level/severity, stacked in the order given (the first series
 * sits at the bottom of a column). A day without data stays null: Chartist draws no bar or point for
 * it, and gapDays() marks it so a gap is not read as zero.
 */
export function trendData(trend: Trend): ChartData {
  return {
    labels: trend.labels,
    series: trend.series.map((s) => ({
      name: s.name,
      className: toneClass(s.tone),
      data: trend.labels.map((_, i) => {
        const v = s.values[i];
        return v === undefined || v === null || !Number.isFinite(v) ? null : v;
      }),
    })),
  };
}

/** Indices of the days where every series is null (no data at all that day). */
export function gapDays(trend: Trend): number[] {
  const out: number[] = [];
  trend.labels.forEach((_, i) => {
    if (trend.series.length > 0 && trend.series.every((s) => s.values[i] === null || s.values[i] === undefined)) out.push(i);
  });
  return out;
}

/** Every how many days an x-axis label is written so that about five fit whatever the range. */
export function labelEvery(days: number): number {
  return Math.max(1, Math.ceil(days / 5));
}

/** The x-axis label of day `index`: a short date on every labelEvery()th day, empty otherwise. */
export function dayLabel(day: string, index: number, days: number, locale?: string): string {
  return index % labelEvery(days) === 0 ? shortDate(day, locale) : "";
}

/** Column width in px for `days` columns over a plot `width` px wide: 70 % of a slot, 2 to 24 px. */
export function columnWidth(width: number, days: number): number {
  if (!(width > 0) || !(days > 0)) return 2;
  return Math.round(Math.max(2, Math.min(24, (width / days) * 0.7)) * 10) / 10;
}

/**
 * Category counts as horizontal bars: one series per category so that each bar keeps its own tone,
 * each series holding its value at its own row and null elsewhere (drawn stacked, one bar a row).
 */
export function categoryData(rows: { label: string; value: number; tone?: string }[]): ChartData {
  return {
    labels: rows.map((r) => r.label),
    series: rows.map((r, i) => ({
      name: r.label,
      className: toneClass(r.tone),
      data: rows.map((_, j) => (j === i ? Math.max(0, Number.isFinite(r.value) ? r.value : 0) : null)),
    })),
  };
}

/** The y-axis width in px for category labels: about 8 px a character at 13 px, 48 to 160 px. */
export function labelAxisWidth(labels: string[]): number {
  const longest = Math.max(0, ...labels.map((l) => l.length));
  return Math.min(160, Math.max(48, longest * 8 + 12));
}
