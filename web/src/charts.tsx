// The dashboard's charts, drawn by Chartist (SVG; see web/README.md, "Charts", for why this library).
// Chartist draws the picture; the accessible parts stay ours: the drawing is aria-hidden, the figure
// is described by a one-sentence summary (aria-describedby) and a visually hidden table holds every
// number, so screen readers and copy-paste get the data. Colours come from CSS classes per
// level/severity (styles.css), so the light/dark theme applies.
import { BarChart as ChartistBar, LineChart as ChartistLine, Svg } from "chartist";
import { useEffect, useRef } from "preact/hooks";
import { categoryData, columnWidth, dayLabel, gapDays, labelAxisWidth, toneClass, trendData } from "./chartSeries";
import { stackTotals, trendSummary, type Trend } from "./dashboardData";

/**
 * Chartist writes a few `style` attributes (the SVG's size, its label boxes). The server's CSP
 * (style-src 'self') refuses style attributes, so they are applied through the CSSOM instead,
 * which the CSP allows; every other attribute goes through unchanged.
 */
type AttrFn = (this: Svg, attributes: Record<string, unknown>, ns?: string) => Svg;
const chartistAttr = Svg.prototype.attr as unknown as AttrFn;
(Svg.prototype as unknown as { attr: AttrFn }).attr = function (attributes, ns) {
  if (typeof attributes !== "object" || attributes === null || !("style" in attributes)) return chartistAttr.call(this, attributes, ns);
  const { style, ...rest } = attributes;
  if (typeof style === "string") (this.getNode() as SVGElement).style.cssText = style;
  return chartistAttr.call(this, rest, ns);
};

interface Detachable {
  detach(): void;
}

/** A container Chartist draws into; the chart is rebuilt when `key` changes and detached on unmount. */
function ChartHost(props: { dataKey: string; build: (el: HTMLElement) => Detachable; class?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = props.build(el);
    return () => chart.detach();
    // Rebuilt on new data only: `build` is a fresh closure on every render.
  }, [props.dataKey]);
  return <div ref={ref} class={`ct-host ${props.class ?? ""}`} aria-hidden="true" />;
}

const TREND_HEIGHT = 180;

/**
 * Dashed marks on the baseline for days without any data, so a gap is not read as zero. `centered`:
 * columns sit in the middle of their day's slot; line points sit on its edge (stretched axis).
 */
function drawGaps(svg: Svg, rect: { x1: number; x2: number; y1: number }, days: number, gaps: number[], centered: boolean) {
  if (gaps.length === 0) return;
  const width = rect.x2 - rect.x1;
  const step = centered ? width / days : width / Math.max(1, days - 1);
  const half = columnWidth(width, days) / 2;
  const group = svg.elem("g", {}, "ct-gaps");
  for (const i of gaps) {
    const x = rect.x1 + step * i + (centered ? step / 2 : 0);
    group.elem("line", { x1: x - half, x2: x + half, y1: rect.y1 - 1, y2: rect.y1 - 1 }, "ct-gap");
  }
}

/** Days as stacked columns (counts) or, for a percentage, a line with gaps; plus legend, summary and data table. */
export function TrendChart(props: { title: string; trend: Trend; unit: string; max?: number; id: string }) {
  const { trend } = props;
  const { totals } = stackTotals(trend);
  const summary = trendSummary(trend, props.unit);
  const multi = trend.series.length > 1;
  const percent = props.unit === "%";
  const days = trend.labels.length;
  const build = (el: HTMLElement): Detachable => {
    const data = trendData(trend);
    const gaps = gapDays(trend);
    const axisX = { showGrid: false, offset: 22, labelInterpolationFnc: (v: unknown, i: number) => dayLabel(String(v), i, days) };
    const axisY = {
      offset: 34,
      onlyInteger: true,
      labelInterpolationFnc: (v: unknown) => (percent ? `${String(v)}%` : String(v)),
    };
    const padding = { top: 10, right: 8, bottom: 0, left: 0 };
    if (percent) {
      const chart = new ChartistLine(el, data, {
        height: `${TREND_HEIGHT}px`,
        low: 0,
        high: props.max ?? 100,
        fullWidth: true,
        lineSmooth: false,
        showArea: true,
        showPoint: true,
        chartPadding: { ...padding, right: 14 },
        axisX,
        axisY,
      });
      chart.on("created", (e) => drawGaps(e.svg, e.chartRect, days, gaps, false));
      return chart;
    }
    const chart = new ChartistBar(el, data, {
      height: `${TREND_HEIGHT}px`,
      stackBars: true,
      low: 0,
      high: props.max,
      chartPadding: padding,
      axisX,
      axisY,
    });
    chart.on("draw", (e) => {
      if (e.type === "bar") e.element.attr({ "stroke-width": columnWidth(e.chartRect.width(), days) });
    });
    chart.on("created", (e) => drawGaps(e.svg, e.chartRect, days, gaps, true));
    return chart;
  };
  return (
    <figure class="chart trend" aria-describedby={`${props.id}-summary`}>
      <figcaption>{props.title}</figcaption>
      <ChartHost dataKey={JSON.stringify([trend, props.unit, props.max])} build={build} class="trend-chart" />
      {multi && (
        <ul class="legend" aria-hidden="true">
          {trend.series.map((s) => (
            <li key={s.name}>
              <span class={`swatch ${toneClass(s.tone)}`} /> {s.name}
            </li>
          ))}
        </ul>
      )}
      <p id={`${props.id}-summary`} class="chart-summary muted">
        {summary}
      </p>
      <table class="sr-only">
        <caption>{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {trend.series.map((s) => (
              <th scope="col" key={s.name}>
                {s.name}
              </th>
            ))}
            {multi && <th scope="col">total</th>}
          </tr>
        </thead>
        <tbody>
          {trend.labels.map((label, i) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              {trend.series.map((s) => (
                <td key={s.name}>{s.values[i] === null ? "no data" : s.values[i]}</td>
              ))}
              {multi && <td>{totals[i]}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

const ROW = 28;

/** Category counts as horizontal bars with their value at the end, and the same data as a table. */
export function BarChart(props: { title: string; data: { label: string; value: number; tone?: string }[] }) {
  const rows = props.data;
  const build = (el: HTMLElement): Detachable => {
    // Chartist lays horizontal bars out bottom-up: hand it the rows reversed so the first is on top.
    const drawn = [...rows].reverse();
    const data = categoryData(drawn);
    const chart = new ChartistBar(el, data, {
      height: `${rows.length * ROW + 8}px`,
      horizontalBars: true,
      stackBars: true,
      low: 0,
      referenceValue: 1,
      chartPadding: { top: 4, right: 44, bottom: 0, left: 0 },
      axisX: { showLabel: false, showGrid: false, offset: 0, onlyInteger: true },
      axisY: { offset: labelAxisWidth(data.labels), showGrid: false },
    });
    chart.on("draw", (e) => {
      if (e.type !== "bar") return;
      e.element.attr({ "stroke-width": Math.round(ROW * 0.62) });
      const value = drawn[e.seriesIndex]?.value ?? 0;
      e.group.elem("text", { x: e.x2 + 6, y: e.y1 + 4 }, "ct-value").text(String(value));
    });
    return chart;
  };
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <ChartHost dataKey={JSON.stringify(rows)} build={build} class="category-chart" />
      <table class="sr-only">
        <caption>{props.title}</caption>
        <tbody>
          {rows.map((d) => (
            <tr key={d.label}>
              <th scope="row">{d.label}</th>
              <td>{d.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
