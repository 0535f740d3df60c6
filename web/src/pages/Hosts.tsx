import { useState } from "preact/hooks";
import { api, type Host, type Page } from "../api";
import { Button, Empty, ErrorBox, Link, StatusBadge, Table, type Column } from "../components";
import { formatTime, relativeTime } from "../format";
import { riskCounts } from "../risk";
import { useAsync } from "../hooks";
import { apiQuery, nextPage, PAGE_SIZES, parseState, previousPage, stateToSearch, toggleSort, withFilter, type HostListState, type HostSort } from "../hostQuery";
import { navigate } from "../router";
import type { PageProps } from "./common";

export function Hosts({ match }: PageProps) {
  const state = parseState(match.query);
  const search = stateToSearch(state);
  const [took, setTook] = useState<number | null>(null);
  const page = useAsync(async () => {
    const start = performance.now();
    const result = await api.get<Page<Host>>("/api/v1/hosts", apiQuery(state));
    setTook(Math.round(performance.now() - start));
    return result;
  }, [search]);
  const go = (s: HostListState) => navigate(`/hosts${stateToSearch(s)}`);
  const [text, setText] = useState(state.hostname);

  const sortOf = (key: "hostname" | "last_seen" | "installed_at") => ({
    active: state.sort === key ? ("asc" as const) : state.sort === (`-${key}` as HostSort) ? ("desc" as const) : null,
    onClick: () => go(withFilter(state, { sort: toggleSort(state.sort, key) })),
  });

  const columns: Column<Host>[] = [
    { key: "hostname", label: "Host", sort: sortOf("hostname"), render: (h) => <Link href={`/hosts/${encodeURIComponent(h.id)}`}>{h.hostname}</Link> },
    { key: "status", label: "Status", render: (h) => <StatusBadge status={h.status} /> },
    { key: "ips", label: "IPs", render: (h) => h.ips.slice(0, 3).join(", ") + (h.ips.length > 3 ? ` +${h.ips.length - 3}` : "") },
    { key: "os", label: "OS", render: (h) => `${h.os_name} ${h.os_version}`.trim() || "—" },
    { key: "plan", label: "Plan", render: (h) => h.plan },
    { key: "risk", label: "Risks (vuln / baseline / events / malware)", numeric: true, render: (h) => riskCounts(h.risk) },
    { key: "last_seen", label: "Last seen", sort: sortOf("last_seen"), render: (h) => <time title={formatTime(h.last_seen)}>{relativeTime(h.last_seen)}</time> },
    { key: "installed_at", label: "Installed", sort: sortOf("installed_at"), render: (h) => formatTime(h.installed_at) },
  ];
  const filtered = Boolean(state.hostname || state.status || state.os_name || state.plan || state.ip);

  return (
    <section>
      <h1>Hosts</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          go(withFilter(state, { hostname: text.trim() }));
        }}
      >
        <label>
          Hostname contains
          <input type="search" name="q" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <label>
          Status
          <select name="status" value={state.status} onChange={(e) => go(withFilter(state, { status: e.currentTarget.value as HostListState["status"] }))}>
            <option value="">any</option>
            <option value="ONLINE">ONLINE</option>
            <option value="OFFLINE">OFFLINE</option>
            <option value="UNINSTALLED">UNINSTALLED</option>
          </select>
        </label>
        <label>
          OS name
          <input name="os" value={state.os_name} onChange={(e) => go(withFilter(state, { os_name: e.currentTarget.value.trim() }))} placeholder="exact, e.g. debian" />
        </label>
        <label>
          Plan
          <select name="plan" value={state.plan} onChange={(e) => go(withFilter(state, { plan: e.currentTarget.value }))}>
            <option value="">any</option>
            <option value="basic">basic</option>
            <option value="pro">pro</option>
          </select>
        </label>
        <label>
          IP
          <input name="ip" value={state.ip} onChange={(e) => go(withFilter(state, { ip: e.currentTarget.value.trim() }))} placeholder="exact address" />
        </label>
        <Button type="submit" kind="primary">
          Search
        </Button>
      </form>
      <ErrorBox error={page.error} onRetry={page.reload} />
      <Table<Host>
        caption="Hosts"
        columns={columns}
        rows={page.data?.items ?? null}
        loading={page.loading}
        rowKey={(h) => h.id}
        empty={
          filtered ? (
            <Empty title="No host matches these filters">
              <Button onClick={() => { setText(""); go({ ...state, hostname: "", status: "", os_name: "", plan: "", ip: "", cursors: [] }); }}>Clear filters</Button>
            </Empty>
          ) : (
            <Empty title="No hosts enrolled yet">
              Go to <Link href="/agents">Agents</Link> for the one-line command that enrols a host.
            </Empty>
          )
        }
      />
      <nav class="pager" aria-label="Pages">
        <Button disabled={state.cursors.length === 0} onClick={() => go(previousPage(state))}>
          ← Previous
        </Button>
        <span>
          Page {state.cursors.length + 1}
          {took !== null && <span class="muted" data-testid="page-time"> · {took} ms</span>}
        </span>
        <Button disabled={!page.data?.next_cursor} onClick={() => page.data?.next_cursor && go(nextPage(state, page.data.next_cursor))}>
          Next →
        </Button>
        <label>
          Per page
          <select value={String(state.limit)} onChange={(e) => go(withFilter(state, { limit: Number(e.currentTarget.value) }))}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </nav>
    </section>
  );
}
