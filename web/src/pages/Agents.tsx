import { useState } from "preact/hooks";
import { api, type EnrollToken } from "../api";
import { Button, CopyBox, Empty, ErrorBox, Table } from "../components";
import { formatTime } from "../format";
import { useAsync } from "../hooks";
import type { PageProps } from "./common";

const TTLS: [string, number][] = [["1 hour", 3600], ["24 hours", 86400], ["7 days", 7 * 86400], ["30 days", 30 * 86400]];

export function Agents(_props: PageProps) {
  const tokens = useAsync(() => api.all<EnrollToken>("/api/v1/enroll-tokens"), []);
  const [ttl, setTtl] = useState(86400);
  const [created, setCreated] = useState<EnrollToken | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function create() {
    setBusy(true);
    setError(null);
    try {
      setCreated(await api.post<EnrollToken>("/api/v1/enroll-tokens", { ttl_seconds: ttl }));
      tokens.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <h1>Agents</h1>
      <p>
        Enrol a host: make an enrolment token, then run the command on the host as root. The token carries this server's
        certificate fingerprint, so the agent talks only to this server.
      </p>
      <div class="filters">
        <label>
          Token valid for
          <select value={String(ttl)} onChange={(e) => setTtl(Number(e.currentTarget.value))}>
            {TTLS.map(([l, s]) => <option key={s} value={String(s)}>{l}</option>)}
          </select>
        </label>
        <Button kind="primary" busy={busy} onClick={create}>New enrolment command</Button>
      </div>
      <ErrorBox error={error} />
      {created && (
        <div class="notice" role="status">
          <CopyBox label="Run on the new host (shown once)" value={created.command ?? `rampart agent --server <this server's URL> --enroll-token ${created.token ?? ""}`} />
          <p class="muted">Expires {formatTime(created.expires_at)}. Any number of hosts may use it until then; revoke it below when done.</p>
        </div>
      )}
      <h2>Enrolment tokens</h2>
      <ErrorBox error={tokens.error} onRetry={tokens.reload} />
      <Table<EnrollToken>
        caption="Enrolment tokens"
        rows={tokens.data?.items ?? null}
        loading={tokens.loading}
        rowKey={(t) => t.id}
        empty={<Empty title="No enrolment tokens yet">Make one above to enrol your first host.</Empty>}
        columns={[
          { key: "id", label: "Id", render: (t) => <code>{t.id}</code> },
          { key: "state", label: "State", render: (t) => <span class={`badge badge-${t.state}`}>{t.state}</span> },
          { key: "uses", label: "Hosts enrolled", numeric: true, render: (t) => t.uses },
          { key: "created", label: "Created", render: (t) => formatTime(t.created_at) },
          { key: "expires", label: "Expires", render: (t) => formatTime(t.expires_at) },
          {
            key: "actions",
            label: "",
            render: (t) =>
              t.state === "active" ? (
                <Button kind="danger" onClick={async () => { try { await api.del(`/api/v1/enroll-tokens/${encodeURIComponent(t.id)}`); tokens.reload(); } catch (e) { setError(e); } }}>
                  Revoke
                </Button>
              ) : null,
          },
        ]}
      />
    </section>
  );
}
