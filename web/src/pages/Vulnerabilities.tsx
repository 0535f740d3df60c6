// Vulnerabilities: the tenant's list by vulnerability (affected host counts), one vulnerability with
// its affected hosts, the on-demand scan, and the host tab with ignore/unignore.
import { useState } from "preact/hooks";
import { api, can, type Finding, type Page, type ScanSummary, type Vulnerability, type VulnerabilityDetail } from "../api";
import { Button, Empty, ErrorBox, Link, Loading, StatusBadge, Table } from "../components";
import { formatTime } from "../format";
import { useAsync } from "../hooks";
import { navigate } from "../router";
import { parseVulnState, vulnApiQuery, vulnStateToSearch, withVulnFilter, SEVERITIES, type VulnListState } from "../vulnQuery";
import type { PageProps } from "./common";

export function SeverityBadge(props: { severity: string }) {
  const s = props.severity.toLowerCase() || "unknown";
  return <span class={`badge badge-level-${s}`}>{s}</span>;
}

function ScanButton() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<ScanSummary | null>(null);
  return (
    <>
      <Button
        kind="primary"
        busy={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            setResult(await api.post<ScanSummary>("/api/v1/vulnerabilities/scan", {}));
          } catch (e) {
            setError(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? "Scanning…" : "Scan now"}
      </Button>
      <ErrorBox error={error} />
      {result && (
        <p class="muted" role="status" data-testid="scan-result">
          Scanned {result.hosts} hosts in {result.seconds.toFixed(2)} s against {result.advisories} advisories: {result.detected} findings,
          {" "}{result.new_findings} new, {result.fixed} fixed{result.failed ? `, ${result.failed} hosts failed` : ""}. Reload the list to see them.
        </p>
      )}
    </>
  );
}

export function Vulnerabilities({ me, match }: PageProps) {
  const state = parseVulnState(match.query);
  const key = vulnStateToSearch(state);
  const go = (next: VulnListState) => navigate(`/vulnerabilities${vulnStateToSearch(next)}`);
  const page = useAsync(() => api.get<Page<Vulnerability>>("/api/v1/vulnerabilities", vulnApiQuery(state)), [key]);
  const feeds = useAsync(() => api.get<{ items: { name?: string }[]; generation: number }>("/api/v1/feeds"), []);
  const [pkg, setPkg] = useState(state.package);
  const noFeeds = feeds.data !== null && feeds.data.items.length === 0;
  const filtered = vulnStateToSearch({ ...state, cursors: [] }) !== "";
  return (
    <section>
      <div class="title-row">
        <h1>Vulnerabilities</h1>
        <Link href="/vulnerability-rules">Ignore rules and emergencies →</Link>
        {can(me.role, "operator") && <ScanButton />}
      </div>
      <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); go(withVulnFilter(state, { package: pkg.trim() })); }}>
        <label>
          Severity
          <select name="severity" value={state.severity} onChange={(e) => go(withVulnFilter(state, { severity: e.currentTarget.value }))}>
            <option value="">any</option>
            {SEVERITIES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>
          Status
          <select name="status" value={state.status} onChange={(e) => go(withVulnFilter(state, { status: e.currentTarget.value as VulnListState["status"] }))}>
            <option value="">open (pending and ignored)</option>
            <option value="pending">pending</option>
            <option value="ignored">ignored</option>
            <option value="fixed">fixed</option>
          </select>
        </label>
        <label>
          Package
          <input name="package" value={pkg} onInput={(e) => setPkg(e.currentTarget.value)} placeholder="exact name" />
        </label>
        <label class="inline">
          <input type="checkbox" name="emergency" checked={state.emergency} onChange={(e) => go(withVulnFilter(state, { emergency: e.currentTarget.checked }))} /> emergencies only
        </label>
        <Button type="submit" kind="primary">Search</Button>
      </form>
      <ErrorBox error={page.error} onRetry={page.reload} />
      <Table<Vulnerability>
        caption="Vulnerabilities"
        rows={page.data?.items ?? null}
        loading={page.loading}
        rowKey={(v) => v.id}
        columns={[
          { key: "id", label: "Vulnerability", render: (v) => <><Link href={`/vulnerabilities/${encodeURIComponent(v.id)}`}>{v.id}</Link>{v.emergency && <span class="badge badge-level-critical"> emergency</span>}</> },
          { key: "severity", label: "Severity", render: (v) => <SeverityBadge severity={v.severity} /> },
          { key: "score", label: "CVSS", numeric: true, render: (v) => (v.score ? v.score.toFixed(1) : "—") },
          { key: "packages", label: "Packages", render: (v) => v.packages.join(", ") },
          { key: "hosts", label: "Affected hosts", numeric: true, render: (v) => v.affected_hosts },
          { key: "summary", label: "Summary", render: (v) => v.summary || "—" },
          { key: "last", label: "Last detected", render: (v) => formatTime(v.last_detected) },
        ]}
        empty={
          filtered ? (
            <Empty title="No vulnerability matches these filters">
              <Button onClick={() => { setPkg(""); go({ severity: "", status: "", package: "", emergency: false, cursors: [] }); }}>Clear filters</Button>
            </Empty>
          ) : noFeeds ? (
            <Empty title="No vulnerability feed imported">
              The platform operator imports feeds with <code>rampart admin feed import FILE</code>; hosts are matched right after.
            </Empty>
          ) : (
            <Empty title="No open vulnerabilities">No host's inventory matches the imported feeds. Scan now after an import or a software change.</Empty>
          )
        }
      />
      <nav class="pager" aria-label="Pages">
        <Button disabled={state.cursors.length === 0} onClick={() => go({ ...state, cursors: state.cursors.slice(0, -1) })}>← Previous</Button>
        <span>Page {state.cursors.length + 1}</span>
        <Button disabled={!page.data?.next_cursor} onClick={() => page.data?.next_cursor && go({ ...state, cursors: [...state.cursors, page.data.next_cursor] })}>Next →</Button>
      </nav>
    </section>
  );
}

export function VulnerabilityPage({ match }: PageProps) {
  const id = match.params.id ?? "";
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const detail = useAsync(() => api.get<VulnerabilityDetail>(`/api/v1/vulnerabilities/${encodeURIComponent(id)}`, { limit: 100, cursor }), [id, cursor]);
  const d = detail.data;
  if (detail.error) return <ErrorBox error={detail.error} onRetry={detail.reload} />;
  if (!d) return <Loading />;
  return (
    <section>
      <p><Link href="/vulnerabilities">← Vulnerabilities</Link></p>
      <div class="title-row">
        <h1>{d.id}</h1>
        {d.severity && <SeverityBadge severity={d.severity} />}
        {d.emergency && <span class="badge badge-level-critical">emergency</span>}
      </div>
      <dl class="facts">
        <dt>Also known as</dt><dd>{d.ids?.filter((x) => x !== d.id).join(", ") || "—"}</dd>
        <dt>CVSS</dt><dd>{d.score ? d.score.toFixed(1) : "—"}</dd>
        <dt>Summary</dt><dd>{d.summary || "—"}</dd>
      </dl>
      <h2>Affected hosts</h2>
      <Table<Finding>
        caption="Affected hosts"
        rows={d.items}
        loading={detail.loading}
        rowKey={(f) => `${f.host_id}/${f.package}`}
        columns={[
          { key: "host", label: "Host", render: (f) => <Link href={`/hosts/${encodeURIComponent(f.host_id)}?tab=vulnerabilities`}>{f.hostname || f.host_id}</Link> },
          { key: "package", label: "Package", render: (f) => f.package },
          { key: "installed", label: "Installed", render: (f) => f.installed_version },
          { key: "fixed", label: "Fixed in", render: (f) => f.fixed_version ?? "no fix yet" },
          { key: "status", label: "Status", render: (f) => <StatusBadge status={f.status} /> },
          { key: "fix", label: "Fix command", render: (f) => (f.fix_command ? <code>{f.fix_command}</code> : "—") },
        ]}
        empty={<Empty title="No open finding">Every host that had it is fixed or it is ignored; choose a status filter in the list.</Empty>}
      />
      <nav class="pager" aria-label="Pages">
        <Button disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>← Previous</Button>
        <Button disabled={!d.next_cursor} onClick={() => d.next_cursor && setCursors([...cursors, d.next_cursor])}>Next →</Button>
      </nav>
    </section>
  );
}

/** The host detail page's "Vulnerabilities" tab. */
export function HostVulnerabilities(props: { hostId: string; role: PageProps["me"]["role"] }) {
  const [status, setStatus] = useState("");
  const [cursors, setCursors] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const cursor = cursors[cursors.length - 1];
  const base = `/api/v1/hosts/${encodeURIComponent(props.hostId)}/vulnerabilities`;
  const page = useAsync(() => api.get<Page<Finding>>(base, { limit: 100, cursor, status }), [props.hostId, cursor, status]);
  const operator = can(props.role, "operator");
  async function change(f: Finding, next: "ignored" | "pending") {
    setError(null);
    try {
      await api.patch(`${base}/${encodeURIComponent(f.vuln_id)}`, { status: next });
      page.reload();
    } catch (e) {
      setError(e);
    }
  }
  return (
    <div>
      <div class="filters">
      <label>
        Status
        <select value={status} onChange={(e) => { setCursors([]); setStatus(e.currentTarget.value); }}>
          <option value="">open (pending and ignored)</option>
          <option value="pending">pending</option>
          <option value="ignored">ignored</option>
          <option value="fixed">fixed</option>
        </select>
      </label>
      </div>
      <ErrorBox error={error} />
      <ErrorBox error={page.error} onRetry={page.reload} />
      <Table<Finding>
        caption="Vulnerabilities of this host"
        rows={page.data?.items ?? null}
        loading={page.loading}
        rowKey={(f) => `${f.vuln_id}/${f.package}`}
        columns={[
          { key: "id", label: "Vulnerability", render: (f) => <Link href={`/vulnerabilities/${encodeURIComponent(f.vuln_id)}`}>{f.vuln_id}</Link> },
          { key: "severity", label: "Severity", render: (f) => <SeverityBadge severity={f.severity} /> },
          { key: "package", label: "Package", render: (f) => f.package },
          { key: "installed", label: "Installed", render: (f) => f.installed_version },
          { key: "fixed", label: "Fixed in", render: (f) => f.fixed_version ?? "no fix yet" },
          { key: "status", label: "Status", render: (f) => <><StatusBadge status={f.status} />{f.ignored_by?.startsWith("rule:") ? <span class="muted"> by rule</span> : null}</> },
          { key: "fix", label: "Fix command", render: (f) => (f.fix_command ? <code>{f.fix_command}</code> : "—") },
          ...(operator
            ? [{ key: "act", label: "", render: (f: Finding) =>
                f.status === "pending" ? <Button onClick={() => void change(f, "ignored")}>Ignore</Button>
                : f.status === "ignored" ? <Button onClick={() => void change(f, "pending")}>Unignore</Button> : null }]
            : []),
        ]}
        empty={<Empty title="No vulnerabilities found on this host">Matched against the imported feeds after each software inventory.</Empty>}
      />
      <nav class="pager" aria-label="Pages">
        <Button disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>← Previous</Button>
        <Button disabled={!page.data?.next_cursor} onClick={() => page.data?.next_cursor && setCursors([...cursors, page.data.next_cursor])}>Next →</Button>
      </nav>
    </div>
  );
}
