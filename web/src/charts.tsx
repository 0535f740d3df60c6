// Trend charts: one stacked SVG column per day. The SVG is decorative for assistive technology
// (aria-hidden); the figure carries a text summary (aria-describedby) and a visually hidden table
// with every number, so screen readers and copy-paste get the data. See web/README.md ("Charts").
import { niceMax, shortDate, stackTotals, trendSummary, type Trend } from "./dashboardData";

const W = 360;
const H = 170;
const LEFT = 28; // y-axis labels
const BOTTOM = 18; // x-axis labels
const TOP = 8;

export function TrendChart(props: { title: string; trend: Trend; unit: string; max?: number; id: string }) {
  const { trend } = props;
  const { totals, max } = stackTotals(trend);
  const yMax = props.max ?? niceMax(max);
  const n = Math.max(1, trend.labels.length);
  const slot = (W - LEFT) / n;
  const barWidth = Math.max(2, Math.min(24, slot * 0.7));
  const plotH = H - TOP - BOTTOM;
  const y = (v: number) => TOP + plotH - (Math.min(v, yMax) / yMax) * plotH;
  // About 5 x labels whatever the number of days.
  const every = Math.max(1, Math.ceil(n / 5));
  const summary = trendSummary(trend, props.unit);
  const multi = trend.series.length > 1;
  return (
    <figure class="chart trend" aria-describedby={`${props.id}-summary`}>
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-hidden="true" focusable="false" class="trend-svg">
        {[0, 0.5, 1]
          // Whole numbers only on a count axis (no "0.5 events").
          .filter((f) => props.unit === "%" || Number.isInteger(yMax * f))
          .map((f) => (
          <g key={f}>
            <line x1={LEFT} x2={W} y1={y(yMax * f)} y2={y(yMax * f)} class="grid" />
            <text x={LEFT - 4} y={y(yMax * f) + 4} class="axis" text-anchor="end">
              {Math.round(yMax * f * 10) / 10}
            </text>
          </g>
        ))}
        {trend.labels.map((label, i) => {
          const x = LEFT + i * slot + (slot - barWidth) / 2;
          let base = 0;
          const gap = trend.series.every((s) => s.values[i] === null);
          return (
            <g key={label}>
              {gap ? (
                <line x1={x} x2={x + barWidth} y1={y(0) - 1} y2={y(0) - 1} class="gap" />
              ) : (
                trend.series.map((s) => {
                  const v = s.values[i] ?? 0;
                  if (v <= 0) return null;
                  const top = y(base + v);
                  const bottom = y(base);
                  base += v;
                  return <rect key={s.name} x={x} y={top} width={barWidth} height={Math.max(1, bottom - top)} class={`bar bar-${s.tone}`} />;
                })
              )}
              {i % every === 0 && (
                <text x={x + barWidth / 2} y={H - 6} class="axis" text-anchor="middle">
                  {shortDate(label)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      {multi && (
        <ul class="legend" aria-hidden="true">
          {trend.series.map((s) => (
            <li key={s.name}>
              <span class={`swatch bar-${s.tone}`} /> {s.name}
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
