// Security baselines: the policies (shipped and uploaded) with pass rates, schedules and run now;
// one policy's checks (hosts passed/failed, ignore); one check's hosts with evidence and fix advice;
// and the host-detail "Baseline" tab. Buttons follow the API's roles: operators run and ignore,
// admins upload, delete and edit schedules.
import { useState } from "preact/hooks";
import { api, ApiError, can, type Role } from "../api";
import {
  type BaselineCheckHosts,
  type BaselineCheckRow,
  type BaselineIgnore,
  type BaselinePolicy,
  type CheckStatus,
  formatRate,
  type HostBaseline,
  type HostBaselineItem,
  INTERVALS,
  rateTone,
  knownTimeZones,
  scheduleBody,
  scheduleLabel,
  scopeBody,
  scopeLabel,
  statusLabel,
  type UploadProblem,
  uploadProblems,
} from "../baseline";
import { Button, Empty, ErrorBox, Link, Loading, Table } from "../components";
import { formatTime } from "../format";
import { useAsync } from "../hooks";
import { navigate } from "../router";
import type { PageProps } from "./common";

const STATUS_CLASS: Record<CheckStatus, string> = {
  pass: "badge badge-handled",
  fail: "badge badge-level-high",
  not_applicable: "badge badge-ignored",
  error: "badge badge-pending",
};

function StatusPill(props: { status: CheckStatus; ignored?: boolean }) {
  return (
    <span>
      <span class={STATUS_CLASS[props.status]}>{statusLabel(props.status)}</span>
      {props.ignored && <span class="badge badge-ignored" title="Left out of pass rates"> ignored</span>}
    </span>
  );
}

function Rate(props: { rate: number | null }) {
  return <strong class={`rate rate-${rateTone(props.rate)}`}>{formatRate(props.rate)}</strong>;
}

function Level(props: { level: string }) {
  return <span class={`badge badge-level-${props.level}`}>{props.level}</span>;
}

function policyPath(id: string): string {
  return `/baselines/${encodeURIComponent(id)}`;
}

async function attempt(setError: (e: unknown) => void, call: () => Promise<unknown>, after: () => void) {
  setError(null);
  try {
    await call();
    after();
  } catch (e) {
    setError(e);
  }
}

function Upload(props: { onDone: () => void }) {
  const [yaml, setYaml] = useState("");
  const [problems, setProblems] = useState<UploadProblem[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit() {
    setBusy(true);
    setProblems([]);
    setError(null);
    try {
      const created = await api.post<BaselinePolicy>("/api/v1/baseline/policies", { yaml });
      setYaml("");
      props.onDone();
      navigate(policyPath(created.id));
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) setProblems(uploadProblems(e.message));
      else setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <details class="upload">
      <summary>Upload a custom policy (YAML)</summary>
      <p class="muted">
        The same format as the shipped policies (docs/baseline.md). It is checked with the agent's own loader; nothing is stored
        unless it loads without a problem. Custom policies run without command probes.
      </p>
      <label>
        Policy file
        <input
          type="file"
          accept=".yaml,.yml,text/yaml"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            if (file) void file.text().then(setYaml);
          }}
        />
      </label>
      <label>
        YAML
        <textarea name="policy-yaml" rows={12} value={yaml} onInput={(e) => setYaml(e.currentTarget.value)} spellcheck={false} />
      </label>
      <Button kind="primary" busy={busy} disabled={!yaml.trim()} onClick={() => void submit()}>
        Upload
      </Button>
      <ErrorBox error={error} />
      {problems.length > 0 && (
        <div class="state error" role="alert">
          <strong>The policy does not load ({problems.length === 1 ? "1 problem" : `${problems.length} problems`}):</strong>
          <ul class="problems">
            {problems.map((p, i) => (
              <li key={i}>
                {p.line !== null && <span class="muted">line {p.line}, column {p.column}: </span>}
                <code>{p.text}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
    </details>
  );
}

export function Baselines({ me }: PageProps) {
  const policies = useAsync(() => api.get<{ items: BaselinePolicy[] }>("/api/v1/baseline/policies"), []);
  const summary = useAsync(
    () => api.get<{ pass_rate: number | null; hosts_checked: number; failed_checks: number; policies: number }>("/api/v1/baseline/summary"),
    [],
  );
  const [error, setError] = useState<unknown>(null);
  const [running, setRunning] = useState("");
  const [notice, setNotice] = useState("");

  async function runNow(p: BaselinePolicy) {
    setRunning(p.id);
    setNotice("");
    await attempt(
      setError,
      async () => {
        const run = await api.post<{ run_id: string; hosts_targeted: number }>(`/api/v1/baseline/policies/${encodeURIComponent(p.id)}/run`, {});
        setNotice(`${p.name}: queued on ${run.hosts_targeted} host(s); results appear as agents report.`);
      },
      policies.reload,
    );
    setRunning("");
  }

  const s = summary.data;
  return (
    <section>
      <h1>Security baselines</h1>
      {s && (
        <dl class="facts">
          <dt>Pass rate</dt><dd><Rate rate={s.pass_rate} /></dd>
          <dt>Hosts checked</dt><dd>{s.hosts_checked}</dd>
          <dt>Failed checks</dt><dd>{s.failed_checks}</dd>
          <dt>Enabled policies</dt><dd>{s.policies}</dd>
        </dl>
      )}
      <p><Link href="/baseline-ignores">Ignores</Link></p>
      <ErrorBox error={error} />
      {notice && <div class="state" role="status">{notice}</div>}
      {can(me.role, "admin") && <Upload onDone={policies.reload} />}
      <ErrorBox error={policies.error} onRetry={policies.reload} />
      <Table<BaselinePolicy>
        caption="Baseline policies"
        rows={policies.data?.items ?? null}
        loading={policies.loading}
        rowKey={(p) => p.id}
        columns={[
          { key: "name", label: "Policy", render: (p) => <Link href={policyPath(p.id)}>{p.name}</Link> },
          { key: "source", label: "Source", render: (p) => p.source },
          { key: "checks", label: "Checks", numeric: true, render: (p) => p.checks },
          { key: "rate", label: "Pass rate", numeric: true, render: (p) => <Rate rate={p.pass_rate} /> },
          { key: "failed", label: "Failed", numeric: true, render: (p) => p.failed_checks },
          { key: "hosts", label: "Hosts", numeric: true, render: (p) => p.hosts_checked },
          { key: "scope", label: "Scope", render: (p) => scopeLabel(p.scope) },
          { key: "schedule", label: "Schedule", render: (p) => (p.enabled ? scheduleLabel(p.schedule) : "Disabled") },
          { key: "last", label: "Last run", render: (p) => formatTime(p.last_run?.at) },
          ...(can(me.role, "operator")
            ? [{
                key: "run",
                label: "",
                render: (p: BaselinePolicy) => (
                  <Button disabled={!p.enabled} busy={running === p.id} onClick={() => void runNow(p)}>
                    Run now
                  </Button>
                ),
              }]
            : []),
        ]}
        empty={<Empty title="No policies">The server found no shipped policies; an admin can upload one.</Empty>}
      />
    </section>
  );
}

function ScheduleEditor(props: { policy: BaselinePolicy; onSaved: () => void }) {
  const p = props.policy;
  const [enabled, setEnabled] = useState(p.enabled);
  const [every, setEvery] = useState(p.schedule ? String(p.schedule.every_days) : "");
  const [at, setAt] = useState(p.schedule?.at ?? "03:00");
  const [zone, setZone] = useState(p.schedule?.time_zone ?? "UTC");
  const [scope, setScope] = useState(p.scope === "all" ? "" : p.scope.join(", "));
  const [problem, setProblem] = useState("");
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      class="filters"
      aria-label="Schedule and scope"
      onSubmit={(e) => {
        e.preventDefault();
        const schedule = scheduleBody(every, at, zone);
        if ("problem" in schedule) {
          setProblem(schedule.problem);
          return;
        }
        setProblem("");
        void attempt(
          setError,
          () => api.patch(`/api/v1/baseline/policies/${encodeURIComponent(p.id)}`, { enabled, scope: scopeBody(scope), schedule: schedule.schedule }),
          props.onSaved,
        );
      }}
    >
      <label><input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} /> Enabled</label>
      <label>
        Run
        <select value={every} onChange={(e) => setEvery(e.currentTarget.value)}>
          <option value="">not scheduled</option>
          {INTERVALS.map((d) => <option key={d} value={String(d)}>{d === 1 ? "every day" : `every ${d} days`}</option>)}
        </select>
      </label>
      <label>At<input name="schedule-at" value={at} onInput={(e) => setAt(e.currentTarget.value)} placeholder="HH:MM" size={5} /></label>
      <label>
        Time zone
        <input name="schedule-zone" list="baseline-time-zones" value={zone} onInput={(e) => setZone(e.currentTarget.value)} placeholder="UTC, Europe/Paris…" size={18} />
        <datalist id="baseline-time-zones">{knownTimeZones().map((z) => <option key={z} value={z} />)}</datalist>
      </label>
      <label>Hosts<input name="scope" value={scope} onInput={(e) => setScope(e.currentTarget.value)} placeholder="all hosts, or h_…, h_…" /></label>
      <Button type="submit" kind="primary">Save</Button>
      {problem && <span class="field-error" role="alert">{problem}</span>}
      <ErrorBox error={error} />
    </form>
  );
}

export function BaselinePolicyPage({ me, match }: PageProps) {
  const id = match.params.id ?? "";
  const policy = useAsync(() => api.get<BaselinePolicy>(`/api/v1/baseline/policies/${encodeURIComponent(id)}`), [id]);
  const status = match.query.get("status") ?? "";
  const checks = useAsync(
    () => api.get<{ items: BaselineCheckRow[] }>("/api/v1/baseline/checks", { policy: id, status }),
    [id, status],
  );
  const [error, setError] = useState<unknown>(null);
  const p = policy.data;
  if (policy.error) return <ErrorBox error={policy.error} onRetry={policy.reload} />;
  if (!p) return <Loading />;
  const operator = can(me.role, "operator");
  const ignoreItem = (c: BaselineCheckRow) =>
    attempt(setError, () => api.post("/api/v1/baseline/ignores", { policy_id: p.id, check_id: c.check_id, reason: "" }), checks.reload);
  return (
    <section>
      <p><Link href="/baselines">← Baselines</Link></p>
      <div class="title-row">
        <h1>{p.name}</h1>
        {operator && (
          <Button
            disabled={!p.enabled}
            onClick={() =>
              void attempt(setError, () => api.post(`/api/v1/baseline/policies/${encodeURIComponent(p.id)}/run`, {}), policy.reload)
            }
          >
            Run now
          </Button>
        )}
        {can(me.role, "admin") && p.deletable && (
          <Button
            kind="danger"
            onClick={() =>
              window.confirm(`Delete ${p.name}? Its results and ignores are deleted too.`) &&
              void attempt(setError, () => api.del(`/api/v1/baseline/policies/${encodeURIComponent(p.id)}`), () => navigate("/baselines"))
            }
          >
            Delete
          </Button>
        )}
      </div>
      <ErrorBox error={error} />
      <dl class="facts">
        <dt>Id</dt><dd><code>{p.id}</code> ({p.source})</dd>
        <dt>Pass rate</dt><dd><Rate rate={p.pass_rate} /> over {p.hosts_checked} host(s)</dd>
        <dt>Schedule</dt><dd>{p.enabled ? scheduleLabel(p.schedule) : "Disabled"}; {scopeLabel(p.scope)}</dd>
        {p.enabled && p.schedule?.next_run_at && <><dt>Next run</dt><dd>{formatTime(p.schedule.next_run_at)}</dd></>}
        <dt>Last run</dt><dd>{formatTime(p.last_run?.at)}</dd>
      </dl>
      {p.description && <p class="muted">{p.description}</p>}
      {can(me.role, "admin") && <ScheduleEditor policy={p} onSaved={policy.reload} />}
      <div class="filters" role="group" aria-label="Filter checks">
        {["", "fail", "pass", "error", "not_applicable"].map((s) => (
          <Button key={s} kind={s === status ? "primary" : "plain"} onClick={() => navigate(`${policyPath(id)}${s ? `?status=${s}` : ""}`, true)}>
            {s ? statusLabel(s as CheckStatus) : "all"}
          </Button>
        ))}
      </div>
      <ErrorBox error={checks.error} onRetry={checks.reload} />
      <Table<BaselineCheckRow>
        caption="Checks of this policy"
        rows={checks.data?.items ?? null}
        loading={checks.loading}
        rowKey={(c) => c.check_id}
        columns={[
          { key: "check", label: "Check", render: (c) => <Link href={`${policyPath(id)}/checks/${encodeURIComponent(c.check_id)}`}>{c.title || c.check_id}</Link> },
          { key: "level", label: "Level", render: (c) => <Level level={c.level} /> },
          { key: "failed", label: "Failed hosts", numeric: true, render: (c) => c.failed },
          { key: "passed", label: "Passed hosts", numeric: true, render: (c) => c.passed },
          { key: "na", label: "n/a", numeric: true, render: (c) => c.not_applicable },
          { key: "error", label: "Errors", numeric: true, render: (c) => c.error },
          { key: "ignored", label: "Ignored", render: (c) => (c.ignored ? "all hosts" : c.ignored_hosts ? `${c.ignored_hosts} host(s)` : "—") },
          ...(operator
            ? [{ key: "act", label: "", render: (c: BaselineCheckRow) => (c.ignored ? null : <Button onClick={() => void ignoreItem(c)}>Ignore</Button>) }]
            : []),
        ]}
        empty={<Empty title="No results yet">Run the policy; results appear as agents report.</Empty>}
      />
    </section>
  );
}

export function BaselineCheckPage({ me, match }: PageProps) {
  const id = match.params.id ?? "";
  const check = match.params.check ?? "";
  const hosts = useAsync(
    () => api.get<BaselineCheckHosts>(`/api/v1/baseline/policies/${encodeURIComponent(id)}/checks/${encodeURIComponent(check)}/hosts`),
    [id, check],
  );
  const [error, setError] = useState<unknown>(null);
  const h = hosts.data;
  return (
    <section>
      <p><Link href={policyPath(id)}>← Policy</Link></p>
      <h1>{h?.title || check}</h1>
      <ErrorBox error={error} />
      <ErrorBox error={hosts.error} onRetry={hosts.reload} />
      {h?.remediation && (
        <div class="advice">
          <h2>How to fix</h2>
          <p>{h.remediation}</p>
          {h.remediation_command && <pre><code>{h.remediation_command}</code></pre>}
          {h.references && h.references.length > 0 && <p class="muted">References: {h.references.join(", ")}</p>}
        </div>
      )}
      <Table<BaselineCheckHost>
        caption="Hosts of this check"
        rows={h?.items ?? null}
        loading={hosts.loading}
        rowKey={(r) => r.host_id}
        columns={[
          { key: "host", label: "Host", render: (r) => <Link href={`/hosts/${encodeURIComponent(r.host_id)}?tab=baseline`}>{r.hostname}</Link> },
          { key: "status", label: "Status", render: (r) => <StatusPill status={r.status} ignored={r.ignored} /> },
          { key: "evidence", label: "Evidence", render: (r) => <code class="evidence">{r.evidence || "—"}</code> },
          { key: "checked", label: "Checked", render: (r) => formatTime(r.checked_at) },
          ...(can(me.role, "operator")
            ? [{
                key: "act",
                label: "",
                render: (r: BaselineCheckHost) =>
                  r.ignored ? null : (
                    <Button onClick={() => void attempt(setError, () => api.post("/api/v1/baseline/ignores", { policy_id: id, check_id: check, host_id: r.host_id }), hosts.reload)}>
                      Ignore on this host
                    </Button>
                  ),
              }]
            : []),
        ]}
        empty={<Empty title="No host reported this check yet" />}
      />
    </section>
  );
}
type BaselineCheckHost = BaselineCheckHosts["items"][number];

export function BaselineIgnores({ me }: PageProps) {
  const ignores = useAsync(() => api.get<{ items: BaselineIgnore[] }>("/api/v1/baseline/ignores"), []);
  const [error, setError] = useState<unknown>(null);
  return (
    <section>
      <p><Link href="/baselines">← Baselines</Link></p>
      <h1>Baseline ignores</h1>
      <p class="muted">Ignored results stay visible but count in no pass rate and no failure total.</p>
      <ErrorBox error={error} />
      <ErrorBox error={ignores.error} onRetry={ignores.reload} />
      <Table<BaselineIgnore>
        caption="Baseline ignores"
        rows={ignores.data?.items ?? null}
        loading={ignores.loading}
        rowKey={(i) => i.id}
        columns={[
          { key: "policy", label: "Policy", render: (i) => <Link href={policyPath(i.policy_id)}>{i.policy_id}</Link> },
          { key: "check", label: "Check", render: (i) => i.check_id ?? "every check" },
          { key: "host", label: "Host", render: (i) => (i.host_id ? <Link href={`/hosts/${encodeURIComponent(i.host_id)}?tab=baseline`}>{i.host_id}</Link> : "every host") },
          { key: "reason", label: "Reason", render: (i) => i.reason || "—" },
          { key: "by", label: "By", render: (i) => i.created_by || "—" },
          { key: "at", label: "Created", render: (i) => formatTime(i.created_at) },
          ...(can(me.role, "operator")
            ? [{ key: "act", label: "", render: (i: BaselineIgnore) => <Button kind="danger" onClick={() => void attempt(setError, () => api.del(`/api/v1/baseline/ignores/${encodeURIComponent(i.id)}`), ignores.reload)}>Remove</Button> }]
            : []),
        ]}
        empty={<Empty title="Nothing is ignored" />}
      />
    </section>
  );
}

/** The host-detail "Baseline" tab. */
export function HostBaselineTab(props: { hostId: string; role: Role }) {
  const data = useAsync(() => api.get<HostBaseline>(`/api/v1/hosts/${encodeURIComponent(props.hostId)}/baseline`), [props.hostId]);
  const [onlyFailed, setOnlyFailed] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const d = data.data;
  const rows = d ? d.items.filter((i) => !onlyFailed || i.status === "fail" || i.status === "error") : null;
  return (
    <div>
      <ErrorBox error={error} />
      <ErrorBox error={data.error} onRetry={data.reload} />
      {d && (
        <p>
          Pass rate <Rate rate={d.pass_rate} /> ({d.passed} passed, {d.failed} failed)
          {d.policies.map((p) => (
            <span key={p.policy_id}> · <Link href={policyPath(p.policy_id)}>{p.policy_id}</Link> <Rate rate={p.pass_rate} /></span>
          ))}
        </p>
      )}
      <label><input type="checkbox" checked={onlyFailed} onChange={(e) => setOnlyFailed(e.currentTarget.checked)} /> Only failed and errors</label>
      <Table<HostBaselineItem>
        caption="Baseline items of this host"
        rows={rows}
        loading={data.loading}
        rowKey={(i) => `${i.policy_id}/${i.check_id}`}
        columns={[
          { key: "check", label: "Check", render: (i) => <Link href={`${policyPath(i.policy_id)}/checks/${encodeURIComponent(i.check_id)}`}>{i.title || i.check_id}</Link> },
          { key: "level", label: "Level", render: (i) => <Level level={i.level} /> },
          { key: "status", label: "Status", render: (i) => <StatusPill status={i.status} ignored={i.ignored} /> },
          { key: "evidence", label: "Evidence", render: (i) => <code class="evidence">{i.evidence || "—"}</code> },
          {
            key: "fix",
            label: "Fix",
            render: (i) => (
              <span>
                {i.remediation || "—"}
                {i.remediation_command && <pre><code>{i.remediation_command}</code></pre>}
              </span>
            ),
          },
          ...(can(props.role, "operator")
            ? [{
                key: "act",
                label: "",
                render: (i: HostBaselineItem) =>
                  i.ignored || i.status !== "fail" ? null : (
                    <Button onClick={() => void attempt(setError, () => api.post("/api/v1/baseline/ignores", { policy_id: i.policy_id, check_id: i.check_id, host_id: props.hostId }), data.reload)}>
                      Ignore
                    </Button>
                  ),
              }]
            : []),
        ]}
        empty={<Empty title={onlyFailed ? "Nothing failed" : "No baseline results"}>Run a policy from the Baselines page to check this host.</Empty>}
      />
    </div>
  );
}
