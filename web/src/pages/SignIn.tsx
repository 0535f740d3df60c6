import { useState } from "preact/hooks";
import { api } from "../api";
import { Button, ErrorBox } from "../components";

export function SignIn(props: { onSignedIn: () => void; notice?: string }) {
  const [tenant, setTenant] = useState(localStorage.getItem("rampart.tenant") ?? "default");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api.post<{ csrf_token: string }>("/api/v1/session", { tenant, username, password });
      api.csrfToken = session.csrf_token;
      localStorage.setItem("rampart.tenant", tenant);
      props.onSignedIn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="signin">
      <form onSubmit={submit} class="card" aria-labelledby="signin-title">
        <h1 id="signin-title">
          <img src="/favicon.svg" alt="" width={28} height={28} /> Rampart
        </h1>
        {props.notice && <p class="notice">{props.notice}</p>}
        <label>
          Tenant (name or id)
          <input name="tenant" value={tenant} onInput={(e) => setTenant(e.currentTarget.value)} required autoComplete="organization" />
        </label>
        <label>
          User name
          <input name="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required autoComplete="username" autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required autoComplete="current-password" />
        </label>
        <ErrorBox error={error} />
        <Button type="submit" kind="primary" busy={busy}>
          Sign in
        </Button>
      </form>
    </main>
  );
}
