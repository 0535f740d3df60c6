import type { ComponentChildren } from "preact";
import { api, can, type Host } from "../api";
import { BarChart, TrendChart } from "../charts";
import { Empty, ErrorBox, Link, Loading, StatusBadge, Table } from "../components";
import {
  baselineTrend,
  countsToBars,
  eventsTrend,
  isEmptyTrend,
  lastDays,
  LEVELS,
  malwareTrend,
  optional,
  SEVERITIES,
  tzOffsetMinutes,
  vulnerabilityTrend,
  type BaselineTrend,
  type EventsPerDay,
  type MalwareSummary,
  type StatsOverview,
  type Trend,
  type VulnerabilitiesPerDay,
} from "../dashboardData";
import { relativeTime } from "../format";
import { riskScore } from "../risk";
import { useAsync, type Async } from "../hooks";
import type { PageProps } from "./common";

const DAYS = 30;

/** One trend panel: loading, error, "not available" (404), empty, or the chart. */
function TrendPanel<T>(props: {
  id: string;
  title: string;
  unit: string;
  state: Async<T | null>;
  shape: (data: T) => Trend;
  max?: number;
  unavailable: ComponentChildren;
  empty: ComponentChildren;
  emptyTitle?: string;
}) {
  const { state } = props;
  let body: ComponentChildren;
  if (state.error) body = <ErrorBox error={state.error} onRetry={state.reload} />;
  else if (state.loading && state.data === null) body = <Loading label={`Loading ${props.title.toLowerCase()}…`} />;
  else if (state.data === null) body = <Empty title="Not available yet">{props.unavailable}</Empty>;
  else {
    const trend = props.shape(state.data);
    body = isEmptyTrend(trend) ? <Empty title={props.emptyTitle ?? `No ${props.unit} in the last ${DAYS} days`}>{props.empty}</Empty> : <TrendChart id={props.id} title={props.title} trend={trend} unit={props.unit} max={props.max} />;
  }
  return (
    <section class="panel" aria-labelledby={`${props.id}-h`} data-chart={props.id}>
      <h3 id={`${props.id}-h`}>{props.title}</h3>
      {body}
    </section>
  );
}

export function Dashboard({ me }: PageProps) {
  const overview = useAsync(() => api.get<StatsOverview>("/api/v1/stats/overview"), []);
  const events = useAsync(() => api.get<EventsPerDay>(`/api/v1/stats/events?days=${DAYS}&tz_offset=${tzOffsetMinutes()}`), []);
  const vulns = useAsync(() => api.get<VulnerabilitiesPerDay>(`/api/v1/stats/vulnerabilities?days=${DAYS}`), []);
  const baseline = useAsync(() => optional(api.get<BaselineTrend>(`/api/v1/baseline/trend?days=${DAYS}`)), []);
  const malware = useAsync(() => optional(api.get<MalwareSummary>("/api/v1/malware/summary")), []);
  const days = lastDays(DAYS);
  const o = overview.data;
  const c = o ? { ...o.hosts.by_status, total: o.hosts.total, at_risk: o.hosts.at_risk } : null;
  const admin = can(me.role, "admin");
  return (
    <section>
      <h1>Dashboard</h1>
      <ErrorBox error={overview.error} onRetry={overview.reload} />
      {!o && overview.loading && <Loading />}
      {o && c && (
        <>
          <div class="tiles">
            <Link href="/hosts" class="tile">
              <span class="tile-n">{c.total}</span> hosts
            </Link>
            <Link href="/hosts?status=ONLINE" class="tile tile-online">
              <span class="tile-n">{c.ONLINE}</span> online
            </Link>
            <Link href="/hosts?status=OFFLINE" class="tile tile-offline">
              <span class="tile-n">{c.OFFLINE}</span> offline
            </Link>
            <Link href="/hosts?status=UNINSTALLED" class="tile tile-uninstalled">
              <span class="tile-n">{c.UNINSTALLED}</span> uninstalled
            </Link>
            <div class="tile tile-risk">
              <span class="tile-n">{c.at_risk}</span> at risk
            </div>
            <Link href="/events?status=pending" class="tile">
              <span class="tile-n">{o.events.open}</span> open events
            </Link>
            <Link href="/vulnerabilities" class="tile">
              <span class="tile-n">{o.vulnerabilities.open}</span> open findings
            </Link>
          </div>
          {c.total === 0 &&
            (admin ? (
              <Empty title="No hosts yet">
                Enrol your first host from <Link href="/agents">Agents</Link>: it gives you the command to run on it.
              </Empty>
            ) : (
              <Empty title="No hosts yet">An admin enrols hosts from the Agents page; they appear here within seconds.</Empty>
            ))}
          <h2>Open intrusion events</h2>
          {o.events.open === 0 ? (
            <Empty title="No open intrusion events">New brute-force attacks, cracked passwords and abnormal logins show up here.</Empty>
          ) : (
            <div class="charts">
              <BarChart title="Open events by type" data={countsToBars(o.events.by_type)} />
              <BarChart title="Open events by level" data={countsToBars(o.events.by_level, LEVELS)} />
            </div>
          )}
        </>
      )}
      <h2>Trends, last {DAYS} days</h2>
      <div class="trends">
        <TrendPanel
          id="events-per-day"
          title="Intrusion events per day"
          unit="events"
          state={events}
          shape={eventsTrend}
          unavailable="This server does not report events per day."
          empty="Brute-force attacks, cracked passwords and abnormal logins reported by agents are counted here by the day they started."
        />
        <TrendPanel
          id="vulns-per-day"
          title="Open vulnerability findings by severity"
          unit="findings"
          state={vulns}
          shape={(d) => vulnerabilityTrend(d, days)}
          unavailable="This server does not keep vulnerability history."
          empty={
            <>
              The server records open findings once a day. Import a vulnerability feed and let agents report their packages; see <Link href="/vulnerabilities">Vulnerabilities</Link>.
            </>
          }
        />
        <TrendPanel
          id="baseline-pass-rate"
          title="Baseline pass rate"
          unit="%"
          max={100}
          state={baseline}
          shape={(d) => baselineTrend(d, days)}
          unavailable="Baseline checks are not available on this server yet."
          emptyTitle={`No baseline results in the last ${DAYS} days`}
          empty="No baseline results yet: assign a baseline policy to your hosts to see their pass rate here."
        />
        <TrendPanel
          id="malware-per-day"
          title="Malware detections per day"
          unit="detections"
          state={malware}
          shape={(d) => malwareTrend(d, days)}
          unavailable="Malware detection is not available on this server yet."
          empty="No malware found in the last 30 days."
        />
      </div>
      {o && o.vulnerabilities.open > 0 && (
        <BarChart title="Open findings by severity" data={countsToBars(o.vulnerabilities.by_severity, SEVERITIES)} />
      )}
      <h2>Top risky hosts</h2>
      <p class="muted">Ranked by the sum of their open risks: vulnerability findings, failed baseline checks, intrusion events and open malware findings.</p>
      <Table<Host>
        caption="Hosts with the most open risks"
        rows={o ? o.hosts.top_risky : null}
        loading={overview.loading}
        rowKey={(h) => h.id}
        empty={<Empty title="No host has open risks">Vulnerability, baseline, event and malware counters appear here as those checks report.</Empty>}
        columns={[
          { key: "hostname", label: "Host", render: (h) => <Link href={`/hosts/${encodeURIComponent(h.id)}`}>{h.hostname}</Link> },
          { key: "status", label: "Status", render: (h) => <StatusBadge status={h.status} /> },
          { key: "score", label: "Risk score", numeric: true, render: (h) => riskScore(h.risk) },
          { key: "v", label: "Vulnerabilities", numeric: true, render: (h) => h.risk.vulnerabilities },
          { key: "b", label: "Baseline failures", numeric: true, render: (h) => h.risk.baseline_failures },
          { key: "e", label: "Events", numeric: true, render: (h) => h.risk.events },
          { key: "m", label: "Malware", numeric: true, render: (h) => h.risk.malware },
          { key: "seen", label: "Last seen", render: (h) => relativeTime(h.last_seen) },
        ]}
      />
    </section>
  );
}
