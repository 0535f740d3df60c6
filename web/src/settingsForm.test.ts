import { describe, expect, it } from "vitest";
import { checkCell, checkField, checkRows, fieldsOf, fieldValue, getPath, isSource, newRow, rawOf, sameRaw, setPath, type Field, type JsonSchema } from "./settingsForm";

const schema: JsonSchema = {
  type: "object",
  properties: {
    agent: {
      type: "object",
      properties: {
        heartbeat_seconds: { type: "integer", minimum: 10, maximum: 3600, default: 60, description: "beat" },
        log_level: { type: "string", enum: ["info", "debug"], default: "info" },
      },
    },
    login: {
      type: "object",
      properties: {
        // The server's schema shapes (src/server/api/settings_schema.cpp, LeafSchema).
        whitelist: {
          type: "array",
          maxItems: 2,
          description: "wl",
          items: {
            type: "object",
            required: ["source", "hosts"],
            properties: {
              source: { type: "string", description: "IPv4/IPv6 address or CIDR" },
              hosts: { oneOf: [{ const: "all" }, { type: "array", minItems: 1, items: { type: "string" } }] },
            },
          },
        },
      },
    },
  },
};

describe("fieldsOf", () => {
  it("flattens nested objects into dotted paths with their kinds", () => {
    expect(fieldsOf(schema).map((f) => [f.path, f.kind])).toEqual([
      ["agent.heartbeat_seconds", "integer"],
      ["agent.log_level", "enum"],
      ["login.whitelist", "rows"],
    ]);
  });
});

describe("checkField", () => {
  const [beat, level, wl] = fieldsOf(schema);
  it("checks integers and ranges", () => {
    expect(checkField(beat!, "60")).toBe("");
    expect(checkField(beat!, "5")).toBe("At least 10.");
    expect(checkField(beat!, "99999")).toBe("At most 3600.");
    expect(checkField(beat!, "1.5")).toBe("Enter a whole number.");
    expect(checkField(beat!, "")).toBe("Enter a whole number.");
  });
  it("checks enums", () => {
    expect(checkField(level!, "debug")).toBe("");
    expect(checkField(level!, "trace")).toMatch(/One of/);
  });
  it("checks whitelists entry by entry", () => {
    expect(wl!.kind).toBe("rows");
    expect(checkField(wl!, [{ source: "10.0.0.0/8", hosts: "all" }, { source: "192.0.2.4", hosts: "h_1, h_2" }])).toBe("");
    expect(checkField(wl!, [{ source: "10.0.0.0/8", hosts: "all" }, { source: "not-an-ip", hosts: "all" }])).toBe(
      "Entry 2, source: 'not-an-ip' is not an IP address or CIDR.",
    );
    expect(checkField(wl!, [{ source: "", hosts: "all" }])).toBe("Entry 1, source: Required.");
    expect(checkField(wl!, [{ source: "10.0.0.1", hosts: "h_1 bad/id" }])).toBe("Entry 1, hosts: 'bad/id' is not a host id.");
    const three = ["10.0.0.1", "10.0.0.2", "10.0.0.3"].map((source) => ({ source, hosts: "all" }));
    expect(checkField(wl!, three)).toBe("At most 2 entries.");
    expect(fieldValue(wl!, [{ source: " 10.0.0.0/8 ", hosts: "" }, { source: "192.0.2.4", hosts: "h_1,h_2" }])).toEqual([
      { source: "10.0.0.0/8", hosts: "all" },
      { source: "192.0.2.4", hosts: ["h_1", "h_2"] },
    ]);
    expect(rawOf(wl!, [{ source: "::1", hosts: "all" }, { source: "10.0.0.1", hosts: ["h_1", "h_2"] }])).toEqual([
      { source: "::1", hosts: "all" },
      { source: "10.0.0.1", hosts: "h_1, h_2" },
    ]);
  });
});

// The brute-force rules and the user whitelist exactly as the server describes them.
const serverSchema: JsonSchema = {
  type: "object",
  properties: {
    brute_force: {
      type: "object",
      properties: {
        rules: {
          type: "array",
          maxItems: 5,
          description: "Up to 5 custom password-cracking rules",
          items: {
            type: "object",
            required: ["window_seconds", "max_failures"],
            properties: {
              window_seconds: { type: "integer", minimum: 10, maximum: 604800 },
              max_failures: { type: "integer", minimum: 2, maximum: 100000 },
              level: { enum: ["low", "medium", "high", "critical"], default: "high" },
            },
          },
        },
      },
    },
    login: {
      type: "object",
      properties: {
        whitelist_users: {
          type: "array",
          maxItems: 1000,
          items: {
            type: "object",
            required: ["user", "hosts"],
            properties: {
              user: { type: "string", minLength: 1, maxLength: 255 },
              hosts: { oneOf: [{ const: "all" }, { type: "array", minItems: 1, maxItems: 10000, items: { type: "string" } }] },
            },
          },
        },
      },
    },
    malware: { type: "object", properties: { trusted_paths: { type: "array", maxItems: 2, items: { type: "string", maxLength: 8 } } } },
  },
};

describe("lists of objects from the schema (generic: new settings need no console change)", () => {
  const [rules, users, paths] = fieldsOf(serverSchema) as [Extract<Field, { kind: "rows" }>, Extract<Field, { kind: "rows" }>, Field];
  it("derives columns with their kinds, ranges, defaults and required flags", () => {
    expect(rules.kind).toBe("rows");
    expect(rules.maxItems).toBe(5);
    expect(rules.columns.map((c) => [c.key, c.kind, c.required])).toEqual([
      ["window_seconds", "integer", true],
      ["max_failures", "integer", true],
      ["level", "enum", false],
    ]);
    expect(users.columns.map((c) => [c.key, c.kind])).toEqual([
      ["user", "text"],
      ["hosts", "hosts"],
    ]);
    expect(paths.kind).toBe("strings");
  });
  it("checks every cell and names the entry and column", () => {
    const rows = [
      { window_seconds: "60", max_failures: "10", level: "" },
      { window_seconds: "5", max_failures: "x", level: "critical" },
    ];
    const { cells } = checkRows(rules, rows);
    expect(cells[0]).toEqual({});
    expect(cells[1]).toEqual({ window_seconds: "At least 10.", max_failures: "Enter a whole number." });
    expect(checkField(rules, rows)).toBe("Entry 2, window_seconds: At least 10.");
    expect(checkCell(rules.columns[2]!, "urgent")).toBe("One of low, medium, high, critical.");
    expect(checkField(rules, Array.from({ length: 6 }, () => newRow(rules)))).toBe("At most 5 entries.");
  });
  it("sends numbers as numbers and leaves an empty optional cell to the server's default", () => {
    expect(fieldValue(rules, [{ window_seconds: "60", max_failures: "10", level: "" }, { window_seconds: "3600", max_failures: "50", level: "critical" }])).toEqual([
      { window_seconds: 60, max_failures: 10 },
      { window_seconds: 3600, max_failures: 50, level: "critical" },
    ]);
  });
  it("starts a new row from the defaults", () => {
    expect(newRow(rules)).toEqual({ window_seconds: "", max_failures: "", level: "high" });
    expect(newRow(users)).toEqual({ user: "", hosts: "all" });
  });
  it("round-trips stored values and notices changes", () => {
    const stored = [{ window_seconds: 60, max_failures: 10, level: "high" }];
    const raw = rawOf(rules, stored);
    expect(raw).toEqual([{ window_seconds: "60", max_failures: "10", level: "high" }]);
    expect(fieldValue(rules, raw)).toEqual(stored);
    expect(sameRaw(raw, rawOf(rules, stored))).toBe(true);
    expect(sameRaw(raw, rawOf(rules, []))).toBe(false);
  });
  it("checks user names and plain string lists", () => {
    expect(checkField(users, [{ user: "deploy", hosts: "all" }])).toBe("");
    expect(checkField(users, [{ user: "bad\u0001", hosts: "all" }])).toBe("Entry 1, user: No control characters.");
    expect(checkField(paths, "/opt/a\n/srv/b")).toBe("");
    expect(checkField(paths, "/opt/a\n/srv/b\n/c")).toBe("At most 2 entries.");
    expect(checkField(paths, "/a/very/long")).toBe("Line 1: at most 8 characters.");
    expect(fieldValue(paths, " /opt/a \n\n/srv/b")).toEqual(["/opt/a", "/srv/b"]);
    expect(rawOf(paths, ["/opt/a", "/srv/b"])).toBe("/opt/a\n/srv/b");
  });
});

describe("isSource", () => {
  it("accepts addresses and CIDRs of both families", () => {
    for (const ok of ["10.1.2.3", "10.0.0.0/8", "::1", "2001:db8::/32", "fe80::1"]) expect(isSource(ok)).toBe(true);
    for (const bad of ["10.1.2", "256.1.1.1", "10.0.0.0/33", "2001:db8::/129", "1::2::3", "a/b/c", "", "host.example"]) {
      expect(isSource(bad)).toBe(false);
    }
  });
});

describe("paths", () => {
  it("reads and writes nested values without mutating the input", () => {
    const doc = { agent: { heartbeat_seconds: 30 } };
    const next = setPath(doc, "agent.log_level", "debug");
    expect(getPath(next, "agent.log_level")).toBe("debug");
    expect(getPath(next, "agent.heartbeat_seconds")).toBe(30);
    expect(getPath(doc, "agent.log_level")).toBeUndefined();
    expect(getPath(setPath({}, "a.b.c", 1), "a.b.c")).toBe(1);
  });
});
