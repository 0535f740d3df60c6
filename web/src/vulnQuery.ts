// The vulnerability list's state <-> the URL's query, and the GET /api/v1/vulnerabilities query.

export const SEVERITIES = ["critical", "high", "medium", "low", "unknown"] as const;
const STATUSES = ["pending", "ignored", "fixed"] as const;

export interface VulnListState {
  severity: string;
  status: (typeof STATUSES)[number] | "";
  package: string;
  emergency: boolean;
  cursors: string[];
}

export function parseVulnState(query: URLSearchParams): VulnListState {
  const severity = query.get("severity") ?? "";
  const status = query.get("status") ?? "";
  return {
    severity: (SEVERITIES as ReadonlyArray<string>).includes(severity) ? severity : "",
    status: (STATUSES as ReadonlyArray<string>).includes(status) ? (status as VulnListState["status"]) : "",
    package: query.get("package") ?? "",
    emergency: query.get("emergency") === "true",
    cursors: query.getAll("c").filter(Boolean),
  };
}

export function vulnStateToSearch(state: VulnListState): string {
  const p = new URLSearchParams();
  if (state.severity) p.set("severity", state.severity);
  if (state.status) p.set("status", state.status);
  if (state.package) p.set("package", state.package);
  if (state.emergency) p.set("emergency", "true");
  for (const c of state.cursors) p.append("c", c);
  const text = p.toString();
  return text ? `?${text}` : "";
}

export function vulnApiQuery(state: VulnListState, limit = 50): Record<string, string | number> {
  const q: Record<string, string | number> = { limit };
  if (state.severity) q.severity = state.severity;
  if (state.status) q.status = state.status;
  if (state.package) q.package = state.package;
  if (state.emergency) q.emergency = "true";
  const cursor = state.cursors[state.cursors.length - 1];
  if (cursor) q.cursor = cursor;
  return q;
}

export function withVulnFilter(state: VulnListState, change: Partial<VulnListState>): VulnListState {
  return { ...state, ...change, cursors: [] };
}

/** The host list typed in the form ("h_1, h_2" or one per line) as ids. */
export function parseHostIds(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean))];
}
