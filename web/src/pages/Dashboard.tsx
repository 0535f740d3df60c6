import { api, type Host, type SecurityEvent } from "../api";
import { countOpen } from "../eventQuery";
import { BarChart, Empty, ErrorBox, Link, Loading, StatusBadge, Table } from "../components";
import { relativeTime } from "../format";
import { useAsync } from "../hooks";
import type { PageProps } from "./common";

interface HostSummary {
  total: number;
  by_status: { ONLINE: number; OFFLINE: number; UNINSTALLED: number };
  at_risk: number;
  top_risky: Host[];
}

export function Dashboard(_props: PageProps) {
  const summary = useAsync(() => api.get<HostSummary>("/api/v1/host-summary"), []);
  const open = useAsync(() => api.all<SecurityEvent>("/api/v1/events", { status: "pending" }, 5000), []);
  const counts = open.data ? countOpen(open.data.items) : null;
  const s = summary.data;
  const c = s ? { ...s.by_status, total: s.total, at_risk: s.at_risk } : null;
  return (
    <section>
      <h1>Dashboard</h1>
      <ErrorBox error={summary.error} onRetry={summary.reload} />
      {!c && summary.loading && <Loading />}
      {c && (
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
          </div>
          {c.total === 0 ? (
            <Empty title="No hosts yet">
              Enrol your first host from <Link href="/agents">Agents</Link>: it gives you the command to run on it.
            </Empty>
          ) : (
            <BarChart
              title="Hosts by status"
              data={[
                { label: "Online", value: c.ONLINE, tone: "online" },
                { label: "Offline", value: c.OFFLINE, tone: "offline" },
                { label: "Uninstalled", value: c.UNINSTALLED, tone: "uninstalled" },
              ]}
            />
          )}
        </>
      )}
      <h2>Open intrusion events</h2>
      <ErrorBox error={open.error} onRetry={open.reload} />
      {!counts && open.loading && <Loading />}
      {counts && open.data && (
        open.data.items.length === 0 ? (
          <Empty title="No open intrusion events">New brute-force attacks, cracked passwords and abnormal logins show up here.</Empty>
        ) : (
          <div class="charts">
            <p>
              <Link href="/events?status=pending">
                {open.data.items.length}
                {open.data.complete ? "" : "+"} open events
              </Link>
            </p>
            <BarChart title="Open events by type" data={Object.entries(counts.byType).map(([label, value]) => ({ label: label.replace(/_/g, " "), value }))} />
            <BarChart title="Open events by level" data={Object.entries(counts.byLevel).map(([label, value]) => ({ label, value }))} />
          </div>
        )
      )}
      <h2>Top risky hosts</h2>
      <Table<Host>
        caption="Hosts with the most open risks"
        rows={s ? s.top_risky : null}
        loading={summary.loading}
        rowKey={(h) => h.id}
        empty={<Empty title="No host has open risks">Vulnerability, baseline and event counters appear here as those checks report.</Empty>}
        columns={[
          { key: "hostname", label: "Host", render: (h) => <Link href={`/hosts/${encodeURIComponent(h.id)}`}>{h.hostname}</Link> },
          { key: "status", label: "Status", render: (h) => <StatusBadge status={h.status} /> },
          { key: "v", label: "Vulnerabilities", numeric: true, render: (h) => h.risk.vulnerabilities },
          { key: "b", label: "Baseline failures", numeric: true, render: (h) => h.risk.baseline_failures },
          { key: "e", label: "Events", numeric: true, render: (h) => h.risk.events },
          { key: "seen", label: "Last seen", render: (h) => relativeTime(h.last_seen) },
        ]}
      />
    </section>
  );
}
