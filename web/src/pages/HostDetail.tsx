import { useState } from "preact/hooks";
import { api, can, type Host, type Page } from "../api";
import { Button, Empty, ErrorBox, Link, Loading, StatusBadge, Table } from "../components";
import { cellText, columnsOf, formatTime, relativeTime } from "../format";
import { useAsync } from "../hooks";
import { navigate } from "../router";
import { Tabs } from "../tabs";
import { HostBaselineTab } from "./Baselines";
import { HostVulnerabilities } from "./Vulnerabilities";
import { CATEGORIES, label, PREFERRED_COLUMNS, type PageProps } from "./common";
import { HostMalware } from "./Malware";

type Row = Record<string, unknown>;
interface HostWithCounts extends Host {
  fingerprint_counts?: Record<string, number>;
}

function FingerprintTab(props: { hostId: string; category: string }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const page = useAsync(
    () => api.get<Page<Row>>(`/api/v1/hosts/${encodeURIComponent(props.hostId)}/fingerprints/${props.category}`, { limit: 100, cursor }),
    [props.hostId, props.category, cursor],
  );
  const rows = page.data?.items ?? null;
  const cols = rows ? columnsOf(rows, PREFERRED_COLUMNS[props.category]) : [];
  return (
    <div>
      <ErrorBox error={page.error} onRetry={page.reload} />
      <Table<Row>
        caption={`${label(props.category)} of this host`}
        rows={rows}
        loading={page.loading}
        rowKey={(_, i) => `${cursor ?? ""}#${i}`}
        columns={cols.map((c) => ({ key: c, label: c, render: (r: Row) => cellText(r[c]) }))}
        empty={<Empty title={`No ${label(props.category).toLowerCase()} reported`}>The agent sends this category with its next inventory, if the host has any.</Empty>}
      />
      <nav class="pager" aria-label="Pages">
        <Button disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>← Previous</Button>
        <Button disabled={!page.data?.next_cursor} onClick={() => page.data?.next_cursor && setCursors([...cursors, page.data.next_cursor])}>Next →</Button>
      </nav>
    </div>
  );
}

export function HostDetail({ me, match }: PageProps) {
  const id = match.params.id ?? "";
  const host = useAsync(() => api.get<HostWithCounts>(`/api/v1/hosts/${encodeURIComponent(id)}`), [id]);
  const tab = match.query.get("tab") ?? "host";
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const h = host.data;

  async function remove() {
    if (!h || !window.confirm(`Delete host ${h.hostname}? Its inventory is deleted and its agent is disconnected.`)) return;
    setDeleting(true);
    try {
      await api.del(`/api/v1/hosts/${encodeURIComponent(id)}`);
      navigate("/hosts");
    } catch (e) {
      setDeleteError(e);
      setDeleting(false);
    }
  }

  if (host.error) return <ErrorBox error={host.error} onRetry={host.reload} />;
  if (!h) return <Loading />;
  const counts = h.fingerprint_counts ?? {};
  return (
    <section>
      <p>
        <Link href="/hosts">← Hosts</Link>
      </p>
      <div class="title-row">
        <h1>{h.hostname}</h1>
        <StatusBadge status={h.status} />
        {can(me.role, "admin") && (
          <Button kind="danger" busy={deleting} onClick={remove}>
            Delete host
          </Button>
        )}
      </div>
      <ErrorBox error={deleteError} />
      <dl class="facts">
        <dt>Host id</dt><dd><code>{h.id}</code></dd>
        <dt>IPs</dt><dd>{h.ips.join(", ") || "—"}</dd>
        <dt>OS</dt><dd>{`${h.os_name} ${h.os_version}`.trim() || "—"}</dd>
        <dt>Machine type</dt><dd>{h.machine_type || "—"}</dd>
        <dt>Agent</dt><dd>{h.agent_version || "—"}</dd>
        <dt>Plan</dt><dd>{h.plan}</dd>
        <dt>Installed</dt><dd>{formatTime(h.installed_at)}</dd>
        <dt>Last seen</dt><dd>{formatTime(h.last_seen)} ({relativeTime(h.last_seen)})</dd>
        <dt>Risks</dt><dd>{h.risk.vulnerabilities} vulnerabilities, {h.risk.baseline_failures} baseline failures, {h.risk.events} events, {h.risk.malware} open malware findings</dd>
      </dl>
      <Tabs
        label="Host details"
        value={tab === "vulnerabilities" || tab === "baseline" || tab === "malware" || (CATEGORIES as readonly string[]).includes(tab) ? tab : "host"}
        onChange={(t) => navigate(`/hosts/${encodeURIComponent(id)}?tab=${encodeURIComponent(t)}`, true)}
        tabs={[
          { value: "vulnerabilities", label: <>Vulnerabilities <span class="count">{h.risk.vulnerabilities}</span></> },
          { value: "baseline", label: <>Baseline <span class="count">{h.risk.baseline_failures}</span></> },
          { value: "malware", label: <>Malware <span class="count">{h.risk.malware}</span></> },
          ...CATEGORIES.map((c) => ({ value: c, label: <>{label(c)} <span class="count">{counts[c] ?? 0}</span></> })),
        ]}
      >
        {tab === "vulnerabilities" ? (
          <HostVulnerabilities hostId={id} role={me.role} />
        ) : tab === "baseline" ? (
          <HostBaselineTab hostId={id} role={me.role} />
        ) : tab === "malware" ? (
          <HostMalware hostId={id} role={me.role} />
        ) : (
          <FingerprintTab hostId={id} category={(CATEGORIES as readonly string[]).includes(tab) ? tab : "host"} />
        )}
      </Tabs>
    </section>
  );
}
