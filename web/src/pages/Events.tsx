// Intrusion events: the list with filters and bulk actions, one event with its handling workflow
// (handled / ignored / reopen, whitelist from it, block its source), and the blocked sources.
import { useEffect, useState } from "preact/hooks";
import { api, can, type AgentCommand, type Block, type EventStatus, type Page, type SecurityEvent } from "../api";
import { Button, Empty, ErrorBox, Link, Loading, StatusBadge, Table } from "../components";
import {
  bulkChunks, DEFAULT_EVENT_STATE, EVENT_LEVELS, EVENT_STATUSES, EVENT_TYPES, eventApiQuery, eventStateToSearch,
  keepVisible, parseEventState, sourceProblem, toggleAll, toggleSelected, unblockPath, WEEKDAYS, whitelistScopeBody, withEventFilter,
  type WhitelistScopeForm,
  type EventListState,
} from "../eventQuery";
import { formatTime, relativeTime } from "../format";
import { useAsync } from "../hooks";
import { navigate } from "../router";
import type { PageProps } from "./common";

export const typeLabel = (t: string) => t.replace(/_/g, " ");

export function LevelBadge(props: { level: string }) {
  return <span class={`badge badge-level-${props.level}`}>{props.level}</span>;
}

/** The action buttons an operator gets for an event's status (blocked/whitelisted can be reopened). */
const ACTIONS: { status: EventStatus; label: string }[] = [
  { status: "handled", label: "Mark handled" },
  { status: "ignored", label: "Ignore" },
  { status: "pending", label: "Reopen" },
];

export function Events({ me, match }: PageProps) {
  const state = parseEventState(match.query);
  const go = (next: EventListState) => navigate(`/events${eventStateToSearch(next)}`);
  const key = eventStateToSearch(state);
  const page = useAsync(() => api.get<Page<SecurityEvent>>("/api/v1/events", eventApiQuery(state)), [key]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [source, setSource] = useState(state.source);
  const [user, setUser] = useState(state.user);
  const [host, setHost] = useState(state.host_id);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [message, setMessage] = useState("");
  const rows = page.data?.items ?? null;
  const ids = rows?.map((e) => e.id) ?? [];
  const operator = can(me.role, "operator");

  useEffect(() => setSelected((s) => keepVisible(s, ids)), [ids.join(",")]);

  async function bulk(status: EventStatus) {
    const chosen = [...selected];
    setBusy(true);
    setActionError(null);
    setMessage("");
    try {
      let updated = 0;
      let missing = 0;
      for (const chunk of bulkChunks(chosen)) {
        const r = await api.post<{ updated: number; not_found: string[] }>("/api/v1/events/bulk", { ids: chunk, status });
        updated += r.updated;
        missing += r.not_found.length;
      }
      setMessage(`${updated} event${updated === 1 ? "" : "s"} set to ${status}${missing ? `; ${missing} no longer exist` : ""}.`);
      setSelected(new Set());
      page.reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  }

  const filtered = eventStateToSearch({ ...state, cursors: [] }) !== "";
  const allChecked = ids.length > 0 && ids.every((id) => selected.has(id));
  return (
    <section>
      <div class="title-row">
        <h1>Intrusion events</h1>
        <Link href="/blocks">Blocked sources →</Link>
      </div>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          go(withEventFilter(state, { source: source.trim(), user: user.trim(), host_id: host.trim() }));
        }}
      >
        <label>
          Type
          <select name="type" value={state.type} onChange={(e) => go(withEventFilter(state, { type: e.currentTarget.value }))}>
            <option value="">any</option>
            {EVENT_TYPES.map((t) => <option key={t} value={t}>{typeLabel(t)}</option>)}
          </select>
        </label>
        <label>
          Level
          <select name="level" value={state.level} onChange={(e) => go(withEventFilter(state, { level: e.currentTarget.value as EventListState["level"] }))}>
            <option value="">any</option>
            {EVENT_LEVELS.map((l) => <option key={l} value={l}>{l}</option>)}
          </select>
        </label>
        <label>
          Status
          <select name="status" value={state.status} onChange={(e) => go(withEventFilter(state, { status: e.currentTarget.value as EventListState["status"] }))}>
            <option value="">any</option>
            {EVENT_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>
          Source
          <input name="source" value={source} onInput={(e) => setSource(e.currentTarget.value)} placeholder="exact IP" />
        </label>
        <label>
          User
          <input name="user" value={user} onInput={(e) => setUser(e.currentTarget.value)} placeholder="exact name" />
        </label>
        <label>
          Host id
          <input name="host" value={host} onInput={(e) => setHost(e.currentTarget.value)} placeholder="h_…" />
        </label>
        <label>
          Last seen from
          <input type="datetime-local" name="since" value={state.since} onChange={(e) => go(withEventFilter(state, { since: e.currentTarget.value }))} />
        </label>
        <label>
          Last seen until
          <input type="datetime-local" name="until" value={state.until} onChange={(e) => go(withEventFilter(state, { until: e.currentTarget.value }))} />
        </label>
        <Button type="submit" kind="primary">Search</Button>
      </form>
      {operator && (
        <div class="bulk-bar" aria-live="polite">
          <span>{selected.size} selected</span>
          {ACTIONS.map((a) => (
            <Button key={a.status} disabled={selected.size === 0} busy={busy} onClick={() => void bulk(a.status)}>
              {a.label}
            </Button>
          ))}
          {message && <span class="muted" role="status">{message}</span>}
        </div>
      )}
      <ErrorBox error={actionError} />
      <ErrorBox error={page.error} onRetry={page.reload} />
      <Table<SecurityEvent>
        caption="Intrusion events"
        rows={rows}
        loading={page.loading}
        rowKey={(e) => e.id}
        columns={[
          ...(operator
            ? [{
                key: "sel",
                label: "",
                render: (e: SecurityEvent) => (
                  <input type="checkbox" aria-label={`Select event ${e.id}`} checked={selected.has(e.id)} onChange={() => setSelected((s) => toggleSelected(s, e.id))} />
                ),
              }]
            : []),
          { key: "last_seen", label: "Last seen", render: (e) => <time title={formatTime(e.last_seen)}>{formatTime(e.last_seen)}</time> },
          { key: "type", label: "Type", render: (e) => <Link href={`/events/${encodeURIComponent(e.id)}`}>{typeLabel(e.type)}</Link> },
          { key: "level", label: "Level", render: (e) => <LevelBadge level={e.level} /> },
          { key: "status", label: "Status", render: (e) => <StatusBadge status={e.status} /> },
          { key: "host", label: "Host", render: (e) => <Link href={`/hosts/${encodeURIComponent(e.host_id)}`}>{e.hostname || e.host_id}</Link> },
          { key: "source", label: "Source", render: (e) => e.source || "—" },
          { key: "user", label: "User", render: (e) => e.user || "—" },
          { key: "service", label: "Service", render: (e) => e.service || "—" },
          { key: "count", label: "Count", numeric: true, render: (e) => e.count },
        ]}
        empty={
          filtered ? (
            <Empty title="No event matches these filters">
              <Button onClick={() => { setSource(""); setUser(""); setHost(""); go(DEFAULT_EVENT_STATE); }}>Clear filters</Button>
            </Empty>
          ) : (
            <Empty title="No intrusion events">Agents report brute-force attacks, cracked passwords, user scans and abnormal logins here.</Empty>
          )
        }
      />
      <nav class="pager" aria-label="Pages">
        {operator && (
          <Button disabled={ids.length === 0} onClick={() => setSelected((s) => toggleAll(s, ids))}>
            {allChecked ? "Clear selection" : "Select page"}
          </Button>
        )}
        <Button disabled={state.cursors.length === 0} onClick={() => go({ ...state, cursors: state.cursors.slice(0, -1) })}>← Previous</Button>
        <span>Page {state.cursors.length + 1}</span>
        <Button disabled={!page.data?.next_cursor} onClick={() => page.data?.next_cursor && go({ ...state, cursors: [...state.cursors, page.data.next_cursor] })}>Next →</Button>
      </nav>
    </section>
  );
}

export function EventDetail({ me, match }: PageProps) {
  const id = match.params.id ?? "";
  const event = useAsync(() => api.get<SecurityEvent>(`/api/v1/events/${encodeURIComponent(id)}`), [id]);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState("");
  const [scope, setScope] = useState<"host" | "all">("host");
  const [matchBy, setMatchBy] = useState<"source" | "user" | "source_and_user">("source");
  const [past, setPast] = useState(false);
  const [scopeForm, setScopeForm] = useState<WhitelistScopeForm>({ countries: "", days: [], hours: "", zone: "UTC" });
  const e = event.data;
  const operator = can(me.role, "operator");

  async function act(run: () => Promise<string>) {
    setBusy(true);
    setError(null);
    setMessage("");
    try {
      setMessage(await run());
      event.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const path = `/api/v1/events/${encodeURIComponent(id)}`;
  const setStatus = (status: EventStatus) =>
    act(async () => {
      const body: Record<string, string> = { status };
      if (note !== null) body.note = note;
      await api.patch<SecurityEvent>(path, body);
      return `Status set to ${status}.`;
    });

  if (event.error) return <ErrorBox error={event.error} onRetry={event.reload} />;
  if (!e) return <Loading />;
  return (
    <section>
      <p><Link href="/events">← Events</Link></p>
      <div class="title-row">
        <h1>{typeLabel(e.type)}</h1>
        <LevelBadge level={e.level} />
        <StatusBadge status={e.status} />
      </div>
      <dl class="facts">
        <dt>Event id</dt><dd><code>{e.id}</code></dd>
        <dt>Host</dt><dd><Link href={`/hosts/${encodeURIComponent(e.host_id)}`}>{e.hostname || e.host_id}</Link></dd>
        <dt>Source</dt><dd>{e.source || "—"}{e.country ? ` (${e.country})` : ""}{e.network ? `, network ${e.network}` : ""}</dd>
        <dt>User</dt><dd>{e.user || "—"}</dd>
        <dt>Service</dt><dd>{e.service || "—"}</dd>
        <dt>Rule</dt><dd>{e.rule || "—"}</dd>
        {e.reason && <><dt>Why abnormal</dt><dd>{e.reason.replace(/_/g, " ")}</dd></>}
        <dt>Attempts</dt><dd>{e.count} ({e.failures} failed)</dd>
        {e.users.length > 0 && <><dt>Users tried</dt><dd>{e.users.join(", ")}</dd></>}
        {e.sources.length > 0 && <><dt>Sources</dt><dd>{e.sources.join(", ")}</dd></>}
        <dt>First seen</dt><dd>{formatTime(e.first_seen)}</dd>
        <dt>Last seen</dt><dd>{formatTime(e.last_seen)} ({relativeTime(e.last_seen)})</dd>
        <dt>Status changed</dt><dd>{e.status_changed_at ? `${formatTime(e.status_changed_at)} by ${e.status_changed_by ?? "?"}` : "—"}</dd>
        <dt>Note</dt><dd data-testid="event-note">{e.note || "—"}</dd>
      </dl>
      <ErrorBox error={error} />
      {message && <p class="muted" role="status">{message}</p>}
      {operator && (
        <>
          <h2>Handle</h2>
          <label class="block">
            Note (optional, kept with the status)
            <textarea rows={2} maxLength={4096} value={note ?? e.note} onInput={(ev) => setNote(ev.currentTarget.value)} />
          </label>
          <div class="actions">
            {ACTIONS.filter((a) => a.status !== e.status).map((a) => (
              <Button key={a.status} kind={a.status === "handled" ? "primary" : "plain"} busy={busy} onClick={() => void setStatus(a.status)}>
                {a.label}
              </Button>
            ))}
          </div>
          <h2>Whitelist</h2>
          <form
            class="filters"
            onSubmit={(ev) => {
              ev.preventDefault();
              const narrowed = whitelistScopeBody(scopeForm);
              if ("error" in narrowed) {
                setError(new Error(narrowed.error));
                return;
              }
              void act(async () => {
                const r = await api.post<{ settings_version: number; past_events_whitelisted: number }>(`${path}/whitelist`, {
                  scope, match: matchBy, apply_to_past: past, ...narrowed.body,
                });
                return `Whitelisted (settings version ${r.settings_version}); ${r.past_events_whitelisted} past event(s) whitelisted too.`;
              });
            }}
          >
            <label>
              Trust
              <select name="whitelist-match" value={matchBy} onChange={(ev) => setMatchBy(ev.currentTarget.value as typeof matchBy)}>
                <option value="source">the source {e.source}</option>
                <option value="user">the user {e.user}</option>
                <option value="source_and_user">both</option>
              </select>
            </label>
            <label>
              On
              <select name="whitelist-scope" value={scope} onChange={(ev) => setScope(ev.currentTarget.value as "host" | "all")}>
                <option value="host">this host</option>
                <option value="all">every host</option>
              </select>
            </label>
            <label>
              Only from countries
              <input
                name="whitelist-countries"
                placeholder={e.country ? `e.g. ${e.country}` : "e.g. DE, US (empty: anywhere)"}
                value={scopeForm.countries}
                onInput={(ev) => setScopeForm({ ...scopeForm, countries: ev.currentTarget.value })}
              />
            </label>
            <fieldset class="inline">
              <legend>Only on (none: every day)</legend>
              {WEEKDAYS.map((d) => (
                <label class="inline" key={d}>
                  <input
                    type="checkbox"
                    name={`whitelist-day-${d}`}
                    checked={scopeForm.days.includes(d)}
                    onChange={(ev) =>
                      setScopeForm({
                        ...scopeForm,
                        days: ev.currentTarget.checked ? [...scopeForm.days, d] : scopeForm.days.filter((x) => x !== d),
                      })
                    }
                  />{" "}
                  {d}
                </label>
              ))}
            </fieldset>
            <label>
              Hours
              <input
                name="whitelist-hours"
                placeholder="e.g. 08:00-18:00 (empty: all day)"
                value={scopeForm.hours}
                onInput={(ev) => setScopeForm({ ...scopeForm, hours: ev.currentTarget.value })}
              />
            </label>
            <label>
              Zone of days and hours
              <input
                name="whitelist-zone"
                placeholder="UTC, local, +01:00 or Europe/Paris"
                value={scopeForm.zone}
                onInput={(ev) => setScopeForm({ ...scopeForm, zone: ev.currentTarget.value })}
              />
            </label>
            <label class="inline">
              <input type="checkbox" checked={past} onChange={(ev) => setPast(ev.currentTarget.checked)} /> apply to past events
            </label>
            <Button type="submit" busy={busy}>Whitelist</Button>
          </form>
          {e.source && !sourceProblem(e.source) && (
            <>
              <h2>Block</h2>
              <Button
                kind="danger"
                busy={busy}
                onClick={() =>
                  void act(async () => {
                    const r = await api.post<{ command: AgentCommand }>(`/api/v1/hosts/${encodeURIComponent(e.host_id)}/blocks`, { source: e.source, reason: "manual" });
                    return `Block of ${e.source} queued for the agent (command ${r.command.id}, ${r.command.status}).`;
                  })
                }
              >
                Block {e.source} on {e.hostname || "this host"}
              </Button>
            </>
          )}
        </>
      )}
    </section>
  );
}

export function Blocks({ me }: PageProps) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const page = useAsync(() => api.get<Page<Block>>("/api/v1/blocks", { limit: 100, cursor }), [cursor]);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState("");
  const [host, setHost] = useState("");
  const [source, setSource] = useState("");
  const [ttl, setTtl] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const operator = can(me.role, "operator");

  async function run(call: () => Promise<{ command: AgentCommand }>, what: string) {
    setError(null);
    setMessage("");
    try {
      const r = await call();
      setMessage(`${what} queued for the agent (command ${r.command.id}); the list changes when the agent reports its blocks.`);
      page.reload();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section>
      <p><Link href="/events">← Events</Link></p>
      <h1>Blocked sources</h1>
      <p class="muted">As each agent last reported them. Block and unblock are commands to the host's agent.</p>
      <ErrorBox error={error} />
      {message && <p class="muted" role="status">{message}</p>}
      {operator && (
        <form
          class="filters"
          aria-label="Block a source"
          onSubmit={(e) => {
            e.preventDefault();
            const p = sourceProblem(source) ?? (host.trim() ? null : "Enter the host id (h_…) to block on.");
            const seconds = ttl.trim() ? Number(ttl) : undefined;
            const ttlProblem = seconds !== undefined && (!Number.isInteger(seconds) || seconds < 60 || seconds > 2592000)
              ? "The duration must be 60 to 2,592,000 seconds." : null;
            setProblem(p ?? ttlProblem);
            if (p || ttlProblem) return;
            const body: Record<string, unknown> = { source: source.trim(), reason: "manual" };
            if (seconds !== undefined) body.ttl_seconds = seconds;
            void run(() => api.post(`/api/v1/hosts/${encodeURIComponent(host.trim())}/blocks`, body), `Block of ${source.trim()}`);
          }}
        >
          <label>Host id<input name="block-host" value={host} onInput={(e) => setHost(e.currentTarget.value)} placeholder="h_…" /></label>
          <label>Source<input name="block-source" value={source} onInput={(e) => setSource(e.currentTarget.value)} placeholder="203.0.113.7 or 10.0.0.0/24" /></label>
          <label>Seconds<input name="block-ttl" inputMode="numeric" value={ttl} onInput={(e) => setTtl(e.currentTarget.value)} placeholder="tenant default" /></label>
          <Button type="submit" kind="danger">Block</Button>
          {problem && <span class="field-error" role="alert">{problem}</span>}
        </form>
      )}
      <ErrorBox error={page.error} onRetry={page.reload} />
      <Table<Block>
        caption="Blocked sources"
        rows={page.data?.items ?? null}
        loading={page.loading}
        rowKey={(b) => `${b.host_id}/${b.source}`}
        columns={[
          { key: "host", label: "Host", render: (b) => <Link href={`/hosts/${encodeURIComponent(b.host_id)}`}>{b.hostname || b.host_id}</Link> },
          { key: "source", label: "Source", render: (b) => <code>{b.source}</code> },
          { key: "reason", label: "Reason", render: (b) => b.reason || "—" },
          { key: "event", label: "Event", render: (b) => (b.event_id ? <span>{b.event_id.slice(0, 12)}…</span> : "—") },
          { key: "created", label: "Since", render: (b) => formatTime(b.created_at) },
          { key: "expires", label: "Expires", render: (b) => formatTime(b.expires_at) },
          { key: "backend", label: "Backend", render: (b) => b.backend },
          ...(operator
            ? [{ key: "act", label: "", render: (b: Block) => (
                <Button onClick={() => window.confirm(`Unblock ${b.source} on ${b.hostname}?`) && void run(() => api.request("DELETE", unblockPath(b.host_id, b.source)), `Unblock of ${b.source}`)}>
                  Unblock
                </Button>
              ) }]
            : []),
        ]}
        empty={<Empty title="No blocked sources">Agents block attacking sources when brute_force.block_seconds is above 0; operators can block by hand.</Empty>}
      />
      <nav class="pager" aria-label="Pages">
        <Button disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>← Previous</Button>
        <Button disabled={!page.data?.next_cursor} onClick={() => page.data?.next_cursor && setCursors([...cursors, page.data.next_cursor])}>Next →</Button>
      </nav>
    </section>
  );
}
