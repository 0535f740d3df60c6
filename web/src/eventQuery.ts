// The events table's state (filters, page) <-> the URL's query, the GET /api/v1/events query for it,
// row selection for bulk actions, and the path of an unblock (a CIDR travels with `_` for `/`).

import type { EventLevel, EventStatus } from "./api";

export const EVENT_TYPES = ["brute_force", "cracked", "invalid_user_scan", "abnormal_login"] as const;
export const EVENT_LEVELS: ReadonlyArray<EventLevel> = ["low", "medium", "high", "critical"];
export const EVENT_STATUSES: ReadonlyArray<EventStatus> = ["pending", "handled", "ignored", "whitelisted", "blocked"];
/** Statuses an operator may set (blocked comes from the agent's block list only). */
export const SETTABLE_STATUSES: ReadonlyArray<EventStatus> = ["pending", "handled", "ignored"];
export const EVENT_PAGE_SIZE = 50;

export interface EventListState {
  type: string;
  level: EventLevel | "";
  status: EventStatus | "";
  host_id: string;
  source: string;
  user: string;
  since: string; // datetime-local value in the user's zone ("2026-12-01T10:00") or ""
  until: string;
  cursors: string[];
}

export const DEFAULT_EVENT_STATE: EventListState = {
  type: "",
  level: "",
  status: "",
  host_id: "",
  source: "",
  user: "",
  since: "",
  until: "",
  cursors: [],
};

const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

function oneOf<T extends string>(value: string | null, allowed: ReadonlyArray<T>): T | "" {
  return value !== null && (allowed as ReadonlyArray<string>).includes(value) ? (value as T) : "";
}

export function parseEventState(query: URLSearchParams): EventListState {
  const time = (key: string) => {
    const v = query.get(key) ?? "";
    return LOCAL_TIME.test(v) ? v : "";
  };
  return {
    type: oneOf(query.get("type"), EVENT_TYPES),
    level: oneOf(query.get("level"), EVENT_LEVELS),
    status: oneOf(query.get("status"), EVENT_STATUSES),
    host_id: query.get("host") ?? "",
    source: query.get("source") ?? "",
    user: query.get("user") ?? "",
    since: time("since"),
    until: time("until"),
    cursors: query.getAll("c").filter(Boolean),
  };
}

export function eventStateToSearch(state: EventListState): string {
  const p = new URLSearchParams();
  if (state.type) p.set("type", state.type);
  if (state.level) p.set("level", state.level);
  if (state.status) p.set("status", state.status);
  if (state.host_id) p.set("host", state.host_id);
  if (state.source) p.set("source", state.source);
  if (state.user) p.set("user", state.user);
  if (state.since) p.set("since", state.since);
  if (state.until) p.set("until", state.until);
  for (const c of state.cursors) p.append("c", c);
  const text = p.toString();
  return text ? `?${text}` : "";
}

/** A datetime-local value (the user's zone, or `timeZoneOffsetMinutes` for tests) as Unix seconds. */
export function localToUnix(value: string, timeZoneOffsetMinutes?: number): number | undefined {
  if (!LOCAL_TIME.test(value)) return undefined;
  const [date = "", time = ""] = value.split("T");
  const [y, mo, d] = date.split("-").map(Number) as [number, number, number];
  const [h, mi, s = 0] = time.split(":").map(Number) as [number, number, number?];
  if (timeZoneOffsetMinutes === undefined) {
    const ms = new Date(y, mo - 1, d, h, mi, s).getTime();
    return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
  }
  return Math.floor(Date.UTC(y, mo - 1, d, h, mi, s) / 1000) - timeZoneOffsetMinutes * 60;
}

/** The GET /api/v1/events query for the current page. */
export function eventApiQuery(state: EventListState, limit = EVENT_PAGE_SIZE, tzOffsetMinutes?: number): Record<string, string | number> {
  const q: Record<string, string | number> = { limit };
  if (state.type) q.type = state.type;
  if (state.level) q.level = state.level;
  if (state.status) q.status = state.status;
  if (state.host_id) q.host_id = state.host_id.trim();
  if (state.source) q.source = state.source.trim();
  if (state.user) q.user = state.user.trim();
  const since = localToUnix(state.since, tzOffsetMinutes);
  const until = localToUnix(state.until, tzOffsetMinutes);
  if (since !== undefined) q.since = since;
  if (until !== undefined) q.until = until;
  const cursor = state.cursors[state.cursors.length - 1];
  if (cursor) q.cursor = cursor;
  return q;
}

/** A filter change starts again at the first page. */
export function withEventFilter(state: EventListState, change: Partial<EventListState>): EventListState {
  return { ...state, ...change, cursors: [] };
}

// ---- Selection for bulk actions: ids of the rows shown, kept only while those rows are shown. ----

export function toggleSelected(selected: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(selected);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/** "Select all" on the page: all of the page's ids, or none when they were all selected already. */
export function toggleAll(selected: ReadonlySet<string>, pageIds: string[]): Set<string> {
  const all = pageIds.length > 0 && pageIds.every((id) => selected.has(id));
  return all ? new Set() : new Set(pageIds);
}

/** The selection restricted to the rows of the page (rows that left the page are unselected). */
export function keepVisible(selected: ReadonlySet<string>, pageIds: string[]): Set<string> {
  return new Set(pageIds.filter((id) => selected.has(id)));
}

/** POST /api/v1/events/bulk takes 1 to 500 ids: the selection split into requests of that size. */
export function bulkChunks(ids: string[], size = 500): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

// ---- Blocks ----

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** A client-side check of a block's source (the server decides): IPv4/IPv6 address or CIDR. */
export function sourceProblem(text: string): string | null {
  const value = text.trim();
  if (!value) return "Enter an IP address or CIDR, e.g. 203.0.113.7 or 10.0.0.0/24.";
  const [address = "", prefix, extra] = value.split("/");
  if (extra !== undefined) return `"${value}" has more than one "/".`;
  const v4 = IPV4.test(address);
  const v6 = !v4 && address.includes(":") && /^[0-9a-fA-F:.]+$/.test(address) && address.split("::").length <= 2;
  if (!v4 && !v6) return `"${address}" is not an IPv4 or IPv6 address.`;
  if (prefix !== undefined) {
    const max = v4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `The prefix length must be 0 to ${max}.`;
  }
  return null;
}

/** DELETE /api/v1/hosts/{id}/blocks/{source}: a CIDR's "/" is written "_" (docs/server.md). */
export function unblockPath(hostId: string, source: string): string {
  return `/api/v1/hosts/${encodeURIComponent(hostId)}/blocks/${encodeURIComponent(source.trim().replace("/", "_"))}`;
}

/** Open events counted by type and by level (the dashboard's panel), every known key present. */
export function countOpen(events: { type: string; level: string }[]): { byType: Record<string, number>; byLevel: Record<string, number> } {
  const byType: Record<string, number> = Object.fromEntries(EVENT_TYPES.map((t) => [t, 0]));
  const byLevel: Record<string, number> = Object.fromEntries(EVENT_LEVELS.map((l) => [l, 0]));
  for (const e of events) {
    byType[e.type] = (byType[e.type] ?? 0) + 1;
    byLevel[e.level] = (byLevel[e.level] ?? 0) + 1;
  }
  return { byType, byLevel };
}

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** The optional scope of "whitelist from an event" as the form holds it. */
export interface WhitelistScopeForm {
  countries: string; // "DE, fr" -> ["DE", "FR"]; empty: anywhere
  days: string[]; // subset of WEEKDAYS; empty or all seven: every day
  hours: string; // "08:00-18:00"; empty: all day
  zone: string; // "UTC", "local", "+01:00", "Europe/Paris"
}

/**
 * The scope members of the POST /api/v1/events/{id}/whitelist body (common/whitelist_scope.h), or
 * an error message naming the field. Empty fields are left out, so the entry is not narrowed.
 */
export function whitelistScopeBody(form: WhitelistScopeForm): { body: Record<string, unknown> } | { error: string } {
  const body: Record<string, unknown> = {};
  const countries = form.countries.split(/[\s,]+/).filter(Boolean).map((c) => c.toUpperCase());
  for (const c of countries) {
    if (!/^[A-Z]{2}$/.test(c)) return { error: `Countries: "${c}" is not a two-letter ISO country code (e.g. DE, US).` };
  }
  if (countries.length > 0) body.countries = [...new Set(countries)];
  const days = WEEKDAYS.filter((d) => form.days.includes(d));
  if (days.length > 0 && days.length < WEEKDAYS.length) body.days = days;
  const hours = form.hours.trim();
  if (hours) {
    const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(hours);
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3]) > 24 || Number(m[4]) > 59 || (m[3] === "24" && m[4] !== "00")) {
      return { error: `Hours: expected HH:MM-HH:MM, e.g. 08:00-18:00 (22:00-06:00 wraps midnight), got "${hours}".` };
    }
    if (`${m[1]}:${m[2]}` === `${m[3]}:${m[4]}`) return { error: "Hours: the start and the end must differ." };
    body.hours = hours;
  }
  const zone = form.zone.trim();
  if (zone && (body.days !== undefined || body.hours !== undefined)) {
    // A tz database name ("Europe/Paris") has the shape the server checks (common/tz.h); whether
    // the zone exists is the server's answer (a 400 naming it).
    const tzName = zone.length <= 128 && /^[A-Za-z0-9_+][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+][A-Za-z0-9_+-]*)*$/.test(zone);
    if (!/^(UTC|local|[+-]\d{2}:\d{2})$/.test(zone) && !tzName) {
      return { error: `Zone: expected UTC, local, ±HH:MM or a time zone name such as Europe/Paris, got "${zone}".` };
    }
    body.zone = zone;
  }
  return { body };
}
