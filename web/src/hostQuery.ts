// The hosts table's state (filters, sort, page) <-> the URL's query, and the API query for it.
// Pagination is the API's cursor pagination: the URL keeps the cursors of the pages walked so
// far, so Back/Previous works without offsets (which a 10k-host table could not afford).

import type { HostStatus } from "./api";

export const HOST_SORTS = ["hostname", "-hostname", "last_seen", "-last_seen", "installed_at", "-installed_at"] as const;
export type HostSort = (typeof HOST_SORTS)[number];
export const PAGE_SIZES = [25, 50, 100, 200] as const;

export interface HostListState {
  hostname: string;
  status: HostStatus | "";
  os_name: string;
  plan: string;
  ip: string;
  sort: HostSort;
  limit: number;
  cursors: string[]; // cursors[i] starts page i+1 (page 0 has none)
}

export const DEFAULT_STATE: HostListState = {
  hostname: "",
  status: "",
  os_name: "",
  plan: "",
  ip: "",
  sort: "hostname",
  limit: 50,
  cursors: [],
};

const STATUSES: ReadonlyArray<HostStatus> = ["ONLINE", "OFFLINE", "UNINSTALLED"];

export function parseState(query: URLSearchParams): HostListState {
  const status = query.get("status") ?? "";
  const sort = query.get("sort") ?? "hostname";
  const limit = Number(query.get("limit") ?? "50");
  return {
    hostname: query.get("q") ?? "",
    status: (STATUSES as ReadonlyArray<string>).includes(status) ? (status as HostStatus) : "",
    os_name: query.get("os") ?? "",
    plan: query.get("plan") ?? "",
    ip: query.get("ip") ?? "",
    sort: (HOST_SORTS as ReadonlyArray<string>).includes(sort) ? (sort as HostSort) : "hostname",
    limit: (PAGE_SIZES as ReadonlyArray<number>).includes(limit) ? limit : 50,
    cursors: query.getAll("c").filter(Boolean),
  };
}

/** The console URL's query for a state (defaults left out, so URLs stay short and shareable). */
export function stateToSearch(state: HostListState): string {
  const p = new URLSearchParams();
  if (state.hostname) p.set("q", state.hostname);
  if (state.status) p.set("status", state.status);
  if (state.os_name) p.set("os", state.os_name);
  if (state.plan) p.set("plan", state.plan);
  if (state.ip) p.set("ip", state.ip);
  if (state.sort !== "hostname") p.set("sort", state.sort);
  if (state.limit !== 50) p.set("limit", String(state.limit));
  for (const c of state.cursors) p.append("c", c);
  const text = p.toString();
  return text ? `?${text}` : "";
}

/** The GET /api/v1/hosts query for the current page. */
export function apiQuery(state: HostListState): Record<string, string | number> {
  const q: Record<string, string | number> = { sort: state.sort, limit: state.limit };
  if (state.hostname) q.hostname = state.hostname;
  if (state.status) q.status = state.status;
  if (state.os_name) q.os_name = state.os_name;
  if (state.plan) q.plan = state.plan;
  if (state.ip) q.ip = state.ip;
  const cursor = state.cursors[state.cursors.length - 1];
  if (cursor) q.cursor = cursor;
  return q;
}

/** A filter or sort change starts again at the first page. */
export function withFilter(state: HostListState, change: Partial<HostListState>): HostListState {
  return { ...state, ...change, cursors: [] };
}

export function nextPage(state: HostListState, nextCursor: string): HostListState {
  return { ...state, cursors: [...state.cursors, nextCursor] };
}

export function previousPage(state: HostListState): HostListState {
  return { ...state, cursors: state.cursors.slice(0, -1) };
}

/** Clicking a column header: ascending, then descending, on that key. */
export function toggleSort(current: HostSort, key: "hostname" | "last_seen" | "installed_at"): HostSort {
  return current === key ? (`-${key}` as HostSort) : (key as HostSort);
}
