import { describe, expect, it } from "vitest";
import { parseFilters } from "./fleetFilter";
import { cellText, columnsOf, formatTime, relativeTime } from "./format";
import { matchPattern, resolve } from "./router";

describe("router", () => {
  it("matches patterns with parameters", () => {
    expect(matchPattern("/hosts/:id", "/hosts/h_1")).toEqual({ id: "h_1" });
    expect(matchPattern("/hosts/:id", "/hosts/a%2Fb")).toEqual({ id: "a/b" });
    expect(matchPattern("/hosts/:id", "/hosts")).toBeNull();
    expect(matchPattern("/hosts/:id", "/hosts/%E0%A4%A")).toBeNull();
    expect(matchPattern("/", "/")).toEqual({});
  });
  it("resolves in order and splits the query", () => {
    const routes = [{ pattern: "/hosts", page: 1 }, { pattern: "/hosts/:id", page: 2 }];
    const found = resolve(routes, "/hosts/h_9?tab=ports");
    expect(found?.route.page).toBe(2);
    expect(found?.match.params.id).toBe("h_9");
    expect(found?.match.query.get("tab")).toBe("ports");
    expect(resolve(routes, "/nope")).toBeNull();
  });
});

describe("fleet filters", () => {
  it("parses field=value pairs", () => {
    expect(parseFilters(" port=6379  proto=tcp ")).toEqual({ filters: { port: "6379", proto: "tcp" }, error: "" });
    expect(parseFilters("name=a=b").filters).toEqual({ name: "a=b" });
    expect(parseFilters("")).toEqual({ filters: {}, error: "" });
  });
  it("names what is wrong", () => {
    expect(parseFilters("6379").error).toMatch(/'6379': expected field=value/);
    expect(parseFilters("Port=1").error).toMatch(/expected field=value/);
    expect(parseFilters("cursor=x").error).toMatch(/not a row field/);
  });
});

describe("format", () => {
  it("shows times in the given zone", () => {
    // The locale decides 12 h or 24 h clocks; the hour must be Tokyo's either way.
    expect(formatTime("2026-01-01T12:00:00Z", "Asia/Tokyo")).toMatch(/\b(21|0?9):00:00\b/);
    expect(formatTime("2026-01-01T12:00:00Z", "UTC")).toMatch(/\b12:00:00\b/);
    expect(formatTime(null)).toBe("—");
    expect(formatTime("garbage")).toBe("garbage");
  });
  it("says how long ago", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    expect(relativeTime("2026-01-01T11:59:50Z", now)).toBe("just now");
    expect(relativeTime("2026-01-01T11:55:00Z", now)).toBe("5 min ago");
    expect(relativeTime("2026-01-01T09:00:00Z", now)).toBe("3 h ago");
    expect(relativeTime("2025-12-30T12:00:00Z", now)).toBe("2 d ago");
    expect(relativeTime("2026-01-01T12:10:00Z", now)).toBe("in 10 min");
    expect(relativeTime(null, now)).toBe("never");
  });
  it("renders cells and picks columns", () => {
    expect(cellText(true)).toBe("yes");
    expect(cellText(null)).toBe("—");
    expect(cellText({ a: 1 })).toBe('{"a":1}');
    expect(columnsOf([{ b: 1, a: 2 }, { c: 3 }], ["a", "z"])).toEqual(["a", "b", "c"]);
  });
});
