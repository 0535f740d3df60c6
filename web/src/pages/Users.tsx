import { useState } from "preact/hooks";
import { api, type Role, type Token, type User } from "../api";
import { Button, CopyBox, Empty, ErrorBox, Table } from "../components";
import { formatTime } from "../format";
import { useAsync } from "../hooks";
import type { PageProps } from "./common";

const ROLES: Role[] = ["viewer", "operator", "admin"];

function NewUser(props: { onCreated: () => void }) {
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="filters"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          await api.post("/api/v1/users", { name, role, password });
          setName("");
          setPassword("");
          props.onCreated();
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <label>
        Name
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} required pattern="[A-Za-z0-9._@\-]{1,64}" autoComplete="off" />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
          {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
        </select>
      </label>
      <label>
        Password (12+ characters)
        <input type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required minLength={12} autoComplete="new-password" />
      </label>
      <Button type="submit" kind="primary" busy={busy}>Create user</Button>
      <ErrorBox error={error} />
    </form>
  );
}

function NewToken(props: { me: PageProps["me"]; onCreated: () => void }) {
  const [role, setRole] = useState<Role>("viewer");
  const [description, setDescription] = useState("");
  const [ttl, setTtl] = useState("");
  const [created, setCreated] = useState<Token | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <form
        class="filters"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const body: Record<string, unknown> = { role, description };
            if (ttl) body.ttl_seconds = Number(ttl) * 86400;
            const token = await api.post<Token>("/api/v1/tokens", body);
            setCreated(token);
            setDescription("");
            props.onCreated();
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          Role
          <select name="token-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
        <label class="grow">
          Description
          <input name="token-description" value={description} maxLength={256} onInput={(e) => setDescription(e.currentTarget.value)} placeholder="what uses this token" />
        </label>
        <label>
          Expires after (days, empty: never)
          <input name="token-ttl" inputMode="numeric" pattern="[0-9]*" value={ttl} onInput={(e) => setTtl(e.currentTarget.value)} />
        </label>
        <Button type="submit" kind="primary" busy={busy}>Create token</Button>
      </form>
      <ErrorBox error={error} />
      {created?.token && (
        <div class="notice" role="status" data-testid="new-token">
          <p><strong>Copy this token now: it is shown only once.</strong> Use it as <code>Authorization: Bearer …</code>.</p>
          <CopyBox label={`Token ${created.id}`} value={created.token} />
          <Button onClick={() => setCreated(null)}>Done</Button>
        </div>
      )}
    </>
  );
}

export function Users({ me }: PageProps) {
  const users = useAsync(() => api.all<User>("/api/v1/users"), []);
  const tokens = useAsync(() => api.all<Token>("/api/v1/tokens"), []);
  const [error, setError] = useState<unknown>(null);
  const names = new Map((users.data?.items ?? []).map((u) => [u.id, u.name]));

  async function act(fn: () => Promise<void>) {
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section>
      <h1>Users and API tokens</h1>
      <ErrorBox error={error} />
      <h2>Users</h2>
      <NewUser onCreated={users.reload} />
      <ErrorBox error={users.error} onRetry={users.reload} />
      <Table<User>
        caption="Users"
        rows={users.data?.items ?? null}
        loading={users.loading}
        rowKey={(u) => u.id}
        empty={<Empty title="No users" />}
        columns={[
          { key: "name", label: "Name", render: (u) => u.name },
          { key: "role", label: "Role", render: (u) => u.role },
          { key: "pw", label: "Password", render: (u) => (u.has_password ? "set" : "none (tokens only)") },
          { key: "created", label: "Created", render: (u) => formatTime(u.created_at) },
          {
            key: "actions",
            label: "",
            render: (u) =>
              u.id === me.user_id ? <span class="muted">you</span> : (
                <Button kind="danger" onClick={() => window.confirm(`Delete user ${u.name}? Their tokens are revoked.`) && act(async () => { await api.del(`/api/v1/users/${encodeURIComponent(u.id)}`); users.reload(); tokens.reload(); })}>
                  Delete
                </Button>
              ),
          },
        ]}
      />
      <h2>API tokens</h2>
      <NewToken me={me} onCreated={tokens.reload} />
      <ErrorBox error={tokens.error} onRetry={tokens.reload} />
      <Table<Token>
        caption="API tokens"
        rows={tokens.data?.items ?? null}
        loading={tokens.loading}
        rowKey={(t) => t.id}
        empty={<Empty title="No API tokens">Create one above for scripts and integrations.</Empty>}
        columns={[
          { key: "id", label: "Id", render: (t) => <code>{t.id}</code> },
          { key: "desc", label: "Description", render: (t) => t.description || "—" },
          { key: "user", label: "User", render: (t) => (t.user_id ? names.get(t.user_id) ?? t.user_id : "service") },
          { key: "role", label: "Role", render: (t) => t.role },
          { key: "state", label: "State", render: (t) => <span class={`badge badge-${t.state}`}>{t.state}</span> },
          { key: "created", label: "Created", render: (t) => formatTime(t.created_at) },
          { key: "expires", label: "Expires", render: (t) => (t.expires_at ? formatTime(t.expires_at) : "never") },
          {
            key: "actions",
            label: "",
            render: (t) =>
              t.state === "active" ? (
                <Button kind="danger" aria-label={`Revoke ${t.id}`} onClick={() => window.confirm(`Revoke token ${t.id}? Anything using it stops working.`) && act(async () => { await api.del(`/api/v1/tokens/${encodeURIComponent(t.id)}`); tokens.reload(); })}>
                  Revoke
                </Button>
              ) : null,
          },
        ]}
      />
    </section>
  );
}
