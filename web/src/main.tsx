import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, can, type Me } from "./api";
import { Button, Empty, ErrorBox, Link, Loading } from "./components";
import { ROUTES } from "./pages";
import { SignIn } from "./pages/SignIn";
import { currentUrl, navigate, onNavigate, resolve } from "./router";
import "./styles.css";

interface SessionState {
  signed_in: boolean;
}
// Asked before the first render rather than in an effect (effects wait for a painted frame), so the
// sign-in check overlaps with rendering. Asking first keeps a signed-out start free of failing
// requests (a 401 would show in the browser's console).
let sessionProbe: Promise<SessionState> | null = api.get<SessionState>("/api/v1/session");

function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [state, setState] = useState<"loading" | "signed-out" | "ready" | "error">("loading");
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState("");
  const [url, setUrl] = useState(currentUrl());

  async function loadMe() {
    try {
      const session = await (sessionProbe ?? api.get<SessionState>("/api/v1/session"));
      sessionProbe = null;
      if (!session.signed_in) {
        setState("signed-out");
        return;
      }
      const who = await api.get<Me>("/api/v1/me");
      api.csrfToken = who.csrf_token ?? "";
      setMe(who);
      setState("ready");
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        setState("signed-out");
      } else {
        setError(e);
        setState("error");
      }
    }
  }

  useEffect(() => {
    api.onUnauthenticated = () => {
      setMe(null);
      setNotice("Your session has ended. Sign in again.");
      setState("signed-out");
    };
    void loadMe();
    return onNavigate(() => setUrl(currentUrl()));
  }, []);

  useEffect(() => window.scrollTo(0, 0), [url.split("?")[0]]);

  if (state === "loading") return <Loading label="Starting…" />;
  if (state === "error") return <main class="content"><ErrorBox error={error} onRetry={() => { setState("loading"); void loadMe(); }} /></main>;
  if (state === "signed-out" || !me) return <SignIn notice={notice} onSignedIn={() => { setNotice(""); void loadMe(); }} />;

  const found = resolve(ROUTES, url);
  const page = found?.route.page;
  if (page) document.title = `${page.title} · Rampart`;
  const path = url.split("?")[0] ?? "/";

  async function signOut() {
    try {
      await api.del("/api/v1/session");
    } catch {
      // The session may be gone already; either way the user is signed out here.
    }
    api.csrfToken = "";
    setMe(null);
    // The next user starts at the dashboard, not on a page their role may not open.
    navigate("/", true);
    setNotice("You are signed out.");
    setState("signed-out");
  }

  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="topbar">
        <Link href="/" class="brand"><img src="/favicon.svg" alt="" width={22} height={22} /> Rampart</Link>
        <nav aria-label="Main">
          {ROUTES.filter((r) => r.nav && can(me.role, r.page.role)).map((r) => {
            const active = r.pattern === "/" ? path === "/" : path.startsWith(r.pattern);
            return (
              <Link key={r.pattern} href={r.pattern} class={active ? "nav active" : "nav"}>
                {r.nav}
              </Link>
            );
          })}
        </nav>
        <div class="who">
          <span title={`tenant ${me.tenant_id}`}>{me.user_name ?? "service token"} · {me.role} · {me.tenant_name}</span>
          <Button onClick={signOut}>Sign out</Button>
        </div>
      </header>
      <main id="main" class="content">
        {!found || !page ? (
          <Empty title="No such page">
            <Link href="/">Back to the dashboard</Link>
          </Empty>
        ) : !can(me.role, page.role) ? (
          <Empty title="Not available for your role">This page needs the {page.role} role; you are {me.role}.</Empty>
        ) : (
          <page.component me={me} match={found.match} key={found.route.pattern + (found.match.params.id ?? "")} />
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
