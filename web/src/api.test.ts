import { describe, expect, it } from "vitest";
import { ApiClient, ApiError, can, describeError, withQuery } from "./api";

function fakeFetch(responses: Array<{ status: number; body?: unknown }>, seen: Array<{ url: string; init?: RequestInit }>) {
  return async (url: string, init?: RequestInit) => {
    seen.push({ url, init });
    const next = responses.shift() ?? { status: 500 };
    return new Response(next.body === undefined ? "" : JSON.stringify(next.body), { status: next.status });
  };
}

describe("withQuery", () => {
  it("drops empty values and encodes the rest", () => {
    expect(withQuery("/api/v1/hosts", { status: "ONLINE", hostname: "", cursor: null, x: undefined, limit: 50 })).toBe(
      "/api/v1/hosts?status=ONLINE&limit=50",
    );
    expect(withQuery("/api/v1/fingerprints/ports", { cmdline: "a b&c=d" })).toBe("/api/v1/fingerprints/ports?cmdline=a+b%26c%3Dd");
    expect(withQuery("/p")).toBe("/p");
  });
});

describe("describeError", () => {
  it("keeps the server's message and code", () => {
    const e = describeError(400, { error: { code: "invalid_argument", message: "field 'role': bad" } }, "fallback");
    expect(e.message).toBe("field 'role': bad");
    expect(e.code).toBe("invalid_argument");
  });
  it("says something readable without a body", () => {
    expect(describeError(403, undefined, "x").message).toMatch(/role/);
    expect(describeError(502, "<html>", "x").message).toMatch(/server failed \(502\)/);
    expect(describeError(429, {}, "x").message).toMatch(/Too many/);
  });
});

describe("ApiClient", () => {
  it("sends the CSRF token on writes only", async () => {
    const seen: Array<{ url: string; init?: RequestInit }> = [];
    const client = new ApiClient(fakeFetch([{ status: 200, body: {} }, { status: 201, body: { id: "tk_1" } }], seen));
    client.csrfToken = "abc";
    await client.get("/api/v1/me");
    await client.post("/api/v1/tokens", { role: "viewer" });
    const getHeaders = seen[0]!.init!.headers as Record<string, string>;
    const postHeaders = seen[1]!.init!.headers as Record<string, string>;
    expect(getHeaders["X-CSRF-Token"]).toBeUndefined();
    expect(postHeaders["X-CSRF-Token"]).toBe("abc");
    expect(postHeaders["Content-Type"]).toBe("application/json");
    expect(seen[1]!.init!.body).toBe('{"role":"viewer"}');
  });

  it("turns error answers into ApiError and reports a lost session", async () => {
    let lost = 0;
    const client = new ApiClient(fakeFetch([{ status: 401, body: { error: { code: "unauthenticated", message: "session ended" } } }], []));
    client.onUnauthenticated = () => lost++;
    await expect(client.get("/api/v1/hosts")).rejects.toMatchObject({ status: 401, code: "unauthenticated", message: "session ended" });
    expect(lost).toBe(1);
  });

  it("does not treat a failed sign-in as a lost session", async () => {
    let lost = 0;
    const client = new ApiClient(fakeFetch([{ status: 401, body: { error: { code: "unauthenticated", message: "wrong" } } }], []));
    client.onUnauthenticated = () => lost++;
    await expect(client.post("/api/v1/session", {})).rejects.toBeInstanceOf(ApiError);
    expect(lost).toBe(0);
  });

  it("reports network failures readably", async () => {
    const client = new ApiClient(async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(client.get("/api/v1/me")).rejects.toMatchObject({ status: 0, code: "network" });
  });

  it("follows cursors in all() up to the limit", async () => {
    const seen: Array<{ url: string; init?: RequestInit }> = [];
    const client = new ApiClient(
      fakeFetch(
        [
          { status: 200, body: { items: [1, 2], next_cursor: "c1" } },
          { status: 200, body: { items: [3], next_cursor: null } },
        ],
        seen,
      ),
    );
    const result = await client.all<number>("/api/v1/users");
    expect(result).toEqual({ items: [1, 2, 3], complete: true });
    expect(seen[1]!.url).toBe("/api/v1/users?limit=500&cursor=c1");
  });
});

describe("can", () => {
  it("orders roles", () => {
    expect(can("admin", "viewer")).toBe(true);
    expect(can("operator", "admin")).toBe(false);
    expect(can("viewer", "viewer")).toBe(true);
    expect(can(undefined, "viewer")).toBe(false);
  });
});
