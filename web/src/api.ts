// The REST API client. The console uses only the public API (/api/v1), authenticated by the
// session cookie; every call other than GET carries the CSRF token as X-CSRF-Token.

export type Role = "viewer" | "operator" | "admin";

export interface ApiErrorBody {
  error?: { code?: string; message?: string };
}

/** An API answer other than 2xx, with the server's message made readable. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** A human sentence for an error response (or a network failure). */
export function describeError(status: number, body: unknown, fallback: string): ApiError {
  const parsed = (body ?? {}) as ApiErrorBody;
  const code = parsed.error?.code ?? `http_${status}`;
  let message = parsed.error?.message ?? fallback;
  if (status === 401) message = message || "Your session has ended; sign in again.";
  if (status === 403 && !parsed.error?.message) message = "Your role does not allow this.";
  if (status === 429 && !parsed.error?.message) message = "Too many attempts; wait and retry.";
  if (status >= 500 && !parsed.error?.message) message = `The server failed (${status}); see its log.`;
  return new ApiError(status, code, message);
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

type Query = Record<string, string | number | undefined | null>;

/** "/api/v1/hosts" + {status:"ONLINE", x: undefined} -> "/api/v1/hosts?status=ONLINE". */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export type Fetcher = (input: string, init?: RequestInit) => Promise<Response>;

export class ApiClient {
  csrfToken = "";
  /** Called when any call answers 401 (the session ended): the app shows the sign-in page. */
  onUnauthenticated: () => void = () => {};

  constructor(private readonly fetcher: Fetcher = (i, init) => fetch(i, init)) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && method !== "HEAD" && this.csrfToken) headers["X-CSRF-Token"] = this.csrfToken;
    let response: Response;
    try {
      response = await this.fetcher(path, {
        method,
        headers,
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, "network", "Cannot reach the server. Check that it is running.");
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (!response.ok) {
      const error = describeError(response.status, parsed, `${method} ${path} failed (${response.status})`);
      if (response.status === 401 && !path.endsWith("/session")) this.onUnauthenticated();
      throw error;
    }
    return parsed as T;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>("GET", withQuery(path, query));
  }
  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("POST", path, body);
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PUT", path, body);
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PATCH", path, body);
  }
  del(path: string): Promise<void> {
    return this.request<void>("DELETE", path);
  }

  /** Follows next_cursor until `max` items or the last page (for small lists and counts). */
  async all<T>(path: string, query: Query = {}, max = 5000): Promise<{ items: T[]; complete: boolean }> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<T> = await this.get<Page<T>>(path, { ...query, limit: 500, cursor });
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor && items.length < max);
    return { items, complete: cursor === null };
  }
}

export const api = new ApiClient();

// ---- Shapes of the API's answers (see /api/v1/openapi.json) ----

export interface Me {
  tenant_id: string;
  tenant_name: string;
  user_id: string | null;
  user_name: string | null;
  role: Role;
  auth: "token" | "session";
  csrf_token?: string;
  session_expires_at?: string | null;
}

export type HostStatus = "ONLINE" | "OFFLINE" | "UNINSTALLED";

export interface Host {
  id: string;
  hostname: string;
  ips: string[];
  os_name: string;
  os_version: string;
  machine_type: string;
  agent_version: string;
  installed_at: string | null;
  last_seen: string | null;
  status: HostStatus;
  plan: string;
  // malware: open (pending) malware events.
  risk: { vulnerabilities: number; baseline_failures: number; events: number; malware: number };
  fingerprints?: Record<string, number>;
}

export interface User {
  id: string;
  name: string;
  role: Role;
  has_password: boolean;
  created_at: string | null;
}

export interface Token {
  id: string;
  user_id: string | null;
  role: Role;
  description: string;
  created_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  state: "active" | "revoked" | "expired";
  token?: string;
}

export interface EnrollToken {
  id: string;
  created_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  uses: number;
  state: "active" | "revoked" | "expired";
  token?: string;
  command?: string | null;
}

export interface SettingsDocument {
  version: number;
  settings: Record<string, unknown>;
  effective: Record<string, unknown>;
  updated_at: string | null;
}

export interface FleetRow {
  host_id: string;
  hostname: string;
  row: Record<string, unknown>;
}

export const ROLE_RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** True when `role` may do what needs `need` (mirrors the server's check; the server decides). */
export function can(role: Role | undefined, need: Role): boolean {
  return role !== undefined && ROLE_RANK[role] >= ROLE_RANK[need];
}

// ---- Login security (docs/server.md, "Login security: events, blocks and commands") ----

export type EventLevel = "low" | "medium" | "high" | "critical";
export type EventStatus = "pending" | "handled" | "ignored" | "whitelisted" | "blocked";

export interface SecurityEvent {
  id: string;
  host_id: string;
  hostname: string;
  incident_id: string;
  type: string;
  level: EventLevel;
  status: EventStatus;
  rule: string;
  service: string;
  source: string;
  user: string;
  users: string[];
  sources: string[];
  count: number;
  failures: number;
  first_seen: string | null;
  last_seen: string | null;
  reason: string;
  network: string;
  country: string;
  created_at: string | null;
  updated_at: string | null;
  status_changed_by: string | null;
  status_changed_at: string | null;
  note: string;
}

export interface Block {
  host_id: string;
  hostname: string;
  source: string;
  reason: string;
  event_id: string | null;
  created_at: string | null;
  expires_at: string | null;
  backend: string;
  reported_at: string | null;
}

export interface AgentCommand {
  id: string;
  host_id: string;
  name: string;
  args: Record<string, unknown>;
  status: string;
  created_by: string;
  created_at: string | null;
  delivered_at: string | null;
  applied_at: string | null;
}

// ---- Vulnerabilities (docs/server.md, "Vulnerabilities") ----

export interface Vulnerability {
  id: string;
  ids: string[];
  severity: string;
  score: number;
  summary: string;
  packages: string[];
  affected_hosts: number;
  emergency: boolean;
  first_detected: string | null;
  last_detected: string | null;
}

export interface Finding {
  vuln_id: string;
  ids: string[];
  host_id: string;
  hostname: string;
  package: string;
  installed_version: string;
  fixed_version: string | null;
  severity: string;
  score: number;
  summary: string;
  fix_command: string | null;
  references: unknown[];
  status: "pending" | "ignored" | "fixed";
  ignored_by: string | null;
  first_detected: string | null;
  last_detected: string | null;
  fixed_at: string | null;
}

export interface VulnerabilityDetail extends Page<Finding> {
  id: string;
  ids?: string[];
  severity?: string;
  score?: number;
  summary?: string;
  emergency: boolean;
}

export interface ScanSummary {
  hosts: number;
  failed: number;
  detected: number;
  new_findings: number;
  fixed: number;
  removed: number;
  seconds: number;
  feed_generation: number;
  advisories: number;
}
