// Vulnerability ignore rules and emergency flags (tenant-wide; admins edit, everyone reads).
import { useState } from "preact/hooks";
import { api, can } from "../api";
import { Button, Empty, ErrorBox, Link, Table } from "../components";
import { formatTime } from "../format";
import { useAsync } from "../hooks";
import { parseHostIds } from "../vulnQuery";
import type { PageProps } from "./common";

interface IgnoreRule {
  id: string;
  vuln_id: string | null;
  package: string | null;
  host_ids: string[];
  reason: string;
  created_at: string | null;
}
interface Emergency {
  vuln_id: string;
  note: string;
  created_at: string | null;
}


export function VulnRules({ me }: PageProps) {
  const rules = useAsync(() => api.get<{ items: IgnoreRule[] }>("/api/v1/vulnerability-ignore-rules"), []);
  const flags = useAsync(() => api.get<{ items: Emergency[] }>("/api/v1/vulnerability-emergencies"), []);
  const admin = can(me.role, "admin");
  const [error, setError] = useState<unknown>(null);
  const [vuln, setVuln] = useState("");
  const [pkg, setPkg] = useState("");
  const [hosts, setHosts] = useState("");
  const [reason, setReason] = useState("");
  const [flagId, setFlagId] = useState("");
  const [flagNote, setFlagNote] = useState("");
  const [problem, setProblem] = useState("");

  async function run(call: () => Promise<unknown>, reload: () => void) {
    setError(null);
    try {
      await call();
      reload();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section>
      <p><Link href="/vulnerabilities">← Vulnerabilities</Link></p>
      <h1>Ignore rules and emergencies</h1>
      <ErrorBox error={error} />
      <h2>Ignore rules</h2>
      <p class="muted">A rule ignores the open findings that match every criterion it gives, now and after every rematch.</p>
      {admin && (
        <form
          class="filters"
          aria-label="New ignore rule"
          onSubmit={(e) => {
            e.preventDefault();
            const ids = parseHostIds(hosts);
            if (!vuln.trim() && !pkg.trim() && ids.length === 0) {
              setProblem("Give at least a vulnerability id, a package or hosts.");
              return;
            }
            setProblem("");
            const body: Record<string, unknown> = { reason: reason.trim() };
            if (vuln.trim()) body.vuln_id = vuln.trim();
            if (pkg.trim()) body.package = pkg.trim();
            if (ids.length) body.host_ids = ids;
            void run(() => api.post("/api/v1/vulnerability-ignore-rules", body), () => {
              setVuln(""); setPkg(""); setHosts(""); setReason("");
              rules.reload();
            });
          }}
        >
          <label>Vulnerability id<input name="rule-vuln" value={vuln} onInput={(e) => setVuln(e.currentTarget.value)} placeholder="CVE-… or DSA-…" /></label>
          <label>Package<input name="rule-package" value={pkg} onInput={(e) => setPkg(e.currentTarget.value)} /></label>
          <label>Host ids<input name="rule-hosts" value={hosts} onInput={(e) => setHosts(e.currentTarget.value)} placeholder="h_…, h_…" /></label>
          <label>Reason<input name="rule-reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} /></label>
          <Button type="submit" kind="primary">Add rule</Button>
          {problem && <span class="field-error" role="alert">{problem}</span>}
        </form>
      )}
      <ErrorBox error={rules.error} onRetry={rules.reload} />
      <Table<IgnoreRule>
        caption="Ignore rules"
        rows={rules.data?.items ?? null}
        loading={rules.loading}
        rowKey={(r) => r.id}
        columns={[
          { key: "vuln", label: "Vulnerability", render: (r) => r.vuln_id ?? "any" },
          { key: "package", label: "Package", render: (r) => r.package ?? "any" },
          { key: "hosts", label: "Hosts", render: (r) => (r.host_ids.length ? r.host_ids.join(", ") : "all") },
          { key: "reason", label: "Reason", render: (r) => r.reason || "—" },
          { key: "created", label: "Created", render: (r) => formatTime(r.created_at) },
          ...(admin
            ? [{ key: "act", label: "", render: (r: IgnoreRule) => (
                <Button kind="danger" onClick={() => window.confirm("Delete this rule? The findings it ignored become pending again.") && void run(() => api.del(`/api/v1/vulnerability-ignore-rules/${encodeURIComponent(r.id)}`), rules.reload)}>Delete</Button>
              ) }]
            : []),
        ]}
        empty={<Empty title="No ignore rules">{admin ? "Add one above to silence accepted risks." : "An admin can add rules."}</Empty>}
      />
      <h2>Emergencies</h2>
      <p class="muted">Flagged vulnerability ids are marked on the lists, filterable, and counted by "Scan now".</p>
      {admin && (
        <form
          class="filters"
          aria-label="Flag an emergency"
          onSubmit={(e) => {
            e.preventDefault();
            if (!flagId.trim()) return;
            void run(() => api.post("/api/v1/vulnerability-emergencies", { vuln_id: flagId.trim(), note: flagNote.trim() }), () => {
              setFlagId(""); setFlagNote("");
              flags.reload();
            });
          }}
        >
          <label>Vulnerability id<input name="flag-vuln" required value={flagId} onInput={(e) => setFlagId(e.currentTarget.value)} /></label>
          <label>Note<input name="flag-note" value={flagNote} onInput={(e) => setFlagNote(e.currentTarget.value)} /></label>
          <Button type="submit" kind="primary">Flag</Button>
        </form>
      )}
      <ErrorBox error={flags.error} onRetry={flags.reload} />
      <Table<Emergency>
        caption="Emergencies"
        rows={flags.data?.items ?? null}
        loading={flags.loading}
        rowKey={(f) => f.vuln_id}
        columns={[
          { key: "vuln", label: "Vulnerability", render: (f) => <Link href={`/vulnerabilities?emergency=true`}>{f.vuln_id}</Link> },
          { key: "note", label: "Note", render: (f) => f.note || "—" },
          { key: "created", label: "Flagged", render: (f) => formatTime(f.created_at) },
          ...(admin
            ? [{ key: "act", label: "", render: (f: Emergency) => (
                <Button onClick={() => void run(() => api.del(`/api/v1/vulnerability-emergencies/${encodeURIComponent(f.vuln_id)}`), flags.reload)}>Unflag</Button>
              ) }]
            : []),
        ]}
        empty={<Empty title="No emergencies flagged" />}
      />
    </section>
  );
}
