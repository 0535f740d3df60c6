import { describe, expect, it } from "vitest";
import { apiQuery, DEFAULT_STATE, nextPage, parseState, previousPage, stateToSearch, toggleSort, withFilter } from "./hostQuery";

describe("host list state", () => {
  it("round-trips through the URL", () => {
    const state = { ...DEFAULT_STATE, hostname: "web", status: "ONLINE" as const, sort: "-last_seen" as const, limit: 100, cursors: ["c1", "c2"] };
    const search = stateToSearch(state);
    expect(parseState(new URLSearchParams(search))).toEqual(state);
  });

  it("keeps default URLs short", () => {
    expect(stateToSearch(DEFAULT_STATE)).toBe("");
  });

  it("ignores junk in the URL", () => {
    const s = parseState(new URLSearchParams("status=BOGUS&sort=evil&limit=99999&c="));
    expect(s).toEqual(DEFAULT_STATE);
  });

  it("asks the API for the page after the last cursor", () => {
    let s = withFilter(DEFAULT_STATE, { status: "OFFLINE", os_name: "debian" });
    expect(apiQuery(s)).toEqual({ sort: "hostname", limit: 50, status: "OFFLINE", os_name: "debian" });
    s = nextPage(nextPage(s, "A"), "B");
    expect(apiQuery(s).cursor).toBe("B");
    s = previousPage(s);
    expect(apiQuery(s).cursor).toBe("A");
    s = previousPage(s);
    expect(apiQuery(s).cursor).toBeUndefined();
  });

  it("restarts at page one when a filter or the sort changes", () => {
    const deep = nextPage(DEFAULT_STATE, "A");
    expect(withFilter(deep, { hostname: "db" }).cursors).toEqual([]);
  });

  it("toggles sort direction on the same column", () => {
    expect(toggleSort("hostname", "hostname")).toBe("-hostname");
    expect(toggleSort("-hostname", "hostname")).toBe("hostname");
    expect(toggleSort("hostname", "last_seen")).toBe("last_seen");
  });
});
