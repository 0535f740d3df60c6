import { describe, expect, it } from "vitest";
import {
  bulkChunks, DEFAULT_EVENT_STATE, eventApiQuery, eventStateToSearch, keepVisible, localToUnix, parseEventState,
  sourceProblem, toggleAll, toggleSelected, unblockPath, whitelistScopeBody, withEventFilter,
} from "./eventQuery";

describe("event list state", () => {
  it("round-trips through the URL", () => {
    const state = { ...DEFAULT_EVENT_STATE, type: "brute_force", level: "high" as const, status: "pending" as const,
      host_id: "h_1", source: "203.0.113.7", user: "root", since: "2026-12-01T10:00", until: "", cursors: ["a", "b"] };
    expect(parseEventState(new URLSearchParams(eventStateToSearch(state)))).toEqual(state);
    expect(eventStateToSearch(DEFAULT_EVENT_STATE)).toBe("");
  });
  it("ignores junk in the URL", () => {
    const s = parseEventState(new URLSearchParams("type=evil&level=severe&status=gone&since=yesterday&c="));
    expect(s).toEqual(DEFAULT_EVENT_STATE);
  });
  it("builds the API query with the last cursor and times in the user's zone", () => {
    const state = { ...DEFAULT_EVENT_STATE, level: "critical" as const, source: " 10.0.0.1 ", since: "2026-12-01T09:00",
      until: "2026-12-01T10:30", cursors: ["x", "y"] };
    // Tokyo is UTC+9: 09:00 there is 00:00 UTC.
    expect(eventApiQuery(state, 50, 540)).toEqual({
      limit: 50, level: "critical", source: "10.0.0.1", since: Date.UTC(2026, 11, 1, 0, 0) / 1000,
      until: Date.UTC(2026, 11, 1, 1, 30) / 1000, cursor: "y",
    });
    expect(eventApiQuery(DEFAULT_EVENT_STATE)).toEqual({ limit: 50 });
  });
  it("converts local times", () => {
    expect(localToUnix("2026-01-01T00:00", 0)).toBe(Date.UTC(2026, 0, 1) / 1000);
    expect(localToUnix("2026-01-01T00:00:30", -300)).toBe(Date.UTC(2026, 0, 1, 5, 0, 30) / 1000);
    expect(localToUnix("junk")).toBeUndefined();
  });
  it("resets paging on a filter change", () => {
    expect(withEventFilter({ ...DEFAULT_EVENT_STATE, cursors: ["a"] }, { status: "handled" })).toEqual({
      ...DEFAULT_EVENT_STATE, status: "handled", cursors: [],
    });
  });
});

describe("bulk selection", () => {
  it("toggles one row", () => {
    const one = toggleSelected(new Set(), "a");
    expect([...one]).toEqual(["a"]);
    expect([...toggleSelected(one, "a")]).toEqual([]);
  });
  it("selects the page, then clears it", () => {
    const all = toggleAll(new Set(["a"]), ["a", "b"]);
    expect([...all].sort()).toEqual(["a", "b"]);
    expect([...toggleAll(all, ["a", "b"])]).toEqual([]);
    expect([...toggleAll(new Set(), [])]).toEqual([]);
  });
  it("drops rows that left the page", () => {
    expect([...keepVisible(new Set(["a", "gone"]), ["a", "b"])]).toEqual(["a"]);
  });
  it("splits into requests of at most 500 ids", () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `e${i}`);
    const chunks = bulkChunks(ids);
    expect(chunks.map((c) => c.length)).toEqual([500, 500, 1]);
    expect(chunks.flat()).toEqual(ids);
    expect(bulkChunks([])).toEqual([]);
  });
});

describe("blocks", () => {
  it("writes a CIDR with _ for / in the unblock path", () => {
    expect(unblockPath("h_1", "10.0.0.0/24")).toBe("/api/v1/hosts/h_1/blocks/10.0.0.0_24");
    expect(unblockPath("h_1", "203.0.113.7")).toBe("/api/v1/hosts/h_1/blocks/203.0.113.7");
    expect(unblockPath("h 1", "2001:db8::/32")).toBe("/api/v1/hosts/h%201/blocks/2001%3Adb8%3A%3A_32");
  });
  it("checks sources", () => {
    expect(sourceProblem("203.0.113.7")).toBeNull();
    expect(sourceProblem("10.0.0.0/24")).toBeNull();
    expect(sourceProblem("2001:db8::1")).toBeNull();
    expect(sourceProblem("2001:db8::/32")).toBeNull();
    expect(sourceProblem("")).toMatch(/Enter/);
    expect(sourceProblem("300.1.1.1")).toMatch(/not an IPv4/);
    expect(sourceProblem("10.0.0.0/33")).toMatch(/0 to 32/);
    expect(sourceProblem("1.2.3.4/8/9")).toMatch(/more than one/);
    expect(sourceProblem("evil.example")).toMatch(/not an IPv4/);
  });
});

import { parseVulnState, vulnApiQuery, vulnStateToSearch, withVulnFilter } from "./vulnQuery";

describe("vulnerability list state", () => {
  it("round-trips and builds the API query", () => {
    const s = { severity: "high", status: "ignored" as const, package: "openssl", emergency: true, cursors: ["a", "b"] };
    expect(parseVulnState(new URLSearchParams(vulnStateToSearch(s)))).toEqual(s);
    expect(vulnApiQuery(s)).toEqual({ limit: 50, severity: "high", status: "ignored", package: "openssl", emergency: "true", cursor: "b" });
    expect(vulnApiQuery(withVulnFilter(s, { severity: "" }))).toEqual({ limit: 50, status: "ignored", package: "openssl", emergency: "true" });
  });
  it("ignores junk", () => {
    expect(parseVulnState(new URLSearchParams("severity=awful&status=x&emergency=1"))).toEqual({
      severity: "", status: "", package: "", emergency: false, cursors: [],
    });
  });
});

import { countOpen } from "./eventQuery";

describe("open events panel", () => {
  it("counts by type and level with zeros for the rest", () => {
    const c = countOpen([{ type: "brute_force", level: "high" }, { type: "brute_force", level: "low" }, { type: "new_kind", level: "high" }]);
    expect(c.byType).toEqual({ brute_force: 2, cracked: 0, invalid_user_scan: 0, abnormal_login: 0, new_kind: 1 });
    expect(c.byLevel).toEqual({ low: 1, medium: 0, high: 2, critical: 0 });
  });
});

import { parseHostIds } from "./vulnQuery";

describe("ignore rule hosts", () => {
  it("splits on commas and whitespace, dropping blanks and duplicates", () => {
    expect(parseHostIds(" h_1, h_2\nh_1 ,, ")).toEqual(["h_1", "h_2"]);
    expect(parseHostIds("")).toEqual([]);
  });
});

describe("whitelist scope from an event", () => {
  const empty = { countries: "", days: [] as string[], hours: "", zone: "UTC" };
  it("leaves out what is not narrowed", () => {
    expect(whitelistScopeBody(empty)).toEqual({ body: {} });
    // All seven days is every day; a zone alone narrows nothing.
    expect(whitelistScopeBody({ ...empty, days: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"], zone: "+02:00" })).toEqual({ body: {} });
  });
  it("normalises countries and orders days", () => {
    expect(whitelistScopeBody({ countries: "de, fr de", days: ["fri", "mon"], hours: "22:00-06:00", zone: "local" })).toEqual({
      body: { countries: ["DE", "FR"], days: ["mon", "fri"], hours: "22:00-06:00", zone: "local" },
    });
  });
  it("names the field that is wrong", () => {
    expect(whitelistScopeBody({ ...empty, countries: "Germany" })).toEqual({ error: expect.stringContaining("Countries") });
    expect(whitelistScopeBody({ ...empty, hours: "8-18" })).toEqual({ error: expect.stringContaining("Hours") });
    expect(whitelistScopeBody({ ...empty, hours: "09:00-09:00" })).toEqual({ error: expect.stringContaining("differ") });
    expect(whitelistScopeBody({ ...empty, hours: "08:00-18:00", zone: "Europe Paris" })).toEqual({ error: expect.stringContaining("Zone") });
    expect(whitelistScopeBody({ ...empty, hours: "08:00-18:00", zone: "../etc/passwd" })).toEqual({ error: expect.stringContaining("Zone") });
    expect(whitelistScopeBody({ ...empty, hours: "08:00-18:00", zone: "Europe//Paris" })).toEqual({ error: expect.stringContaining("Zone") });
  });
  it("accepts time zone names for the window", () => {
    expect(whitelistScopeBody({ ...empty, hours: "08:00-18:00", zone: " Europe/Paris " })).toEqual({
      body: { hours: "08:00-18:00", zone: "Europe/Paris" },
    });
    expect(whitelistScopeBody({ ...empty, days: ["sat"], zone: "America/Argentina/Buenos_Aires" })).toEqual({
      body: { days: ["sat"], zone: "America/Argentina/Buenos_Aires" },
    });
    expect(whitelistScopeBody({ ...empty, hours: "08:00-18:00", zone: "Etc/GMT+5" })).toEqual({
      body: { hours: "08:00-18:00", zone: "Etc/GMT+5" },
    });
  });
});
