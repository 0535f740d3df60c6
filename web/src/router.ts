// A small history router: a route table of path patterns ("/hosts/:id"), matched in order.
// Pages register in pages/index.ts; the nav lists the routes that have a `nav` label.

export interface Match {
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface RouteDef<P> {
  pattern: string;
  page: P;
  nav?: string; // label in the navigation bar; absent: not listed
}

/** Matches "/hosts/:id" against "/hosts/h_1" -> {id: "h_1"}; null when it does not match. */
export function matchPattern(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/").filter(Boolean);
  const got = path.split("/").filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(":")) {
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return null;
      }
    } else if (w !== g) {
      return null;
    }
  }
  return params;
}

export function resolve<P>(routes: RouteDef<P>[], url: string): { route: RouteDef<P>; match: Match } | null {
  const [path = "/", search = ""] = url.split("?", 2);
  for (const route of routes) {
    const params = matchPattern(route.pattern, path);
    if (params) return { route, match: { params, query: new URLSearchParams(search) } };
  }
  return null;
}

type Listener = () => void;
const listeners = new Set<Listener>();

export function currentUrl(): string {
  return window.location.pathname + window.location.search;
}

export function navigate(url: string, replace = false): void {
  if (url === currentUrl()) return;
  if (replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  listeners.forEach((l) => l());
}

export function onNavigate(listener: Listener): () => void {
  listeners.add(listener);
  const pop = () => listener();
  window.addEventListener("popstate", pop);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", pop);
  };
}

/** For <a href> clicks: route in the page unless a modifier key asks for a new tab. */
export function linkClick(event: MouseEvent, href: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  event.preventDefault();
  navigate(href);
}
