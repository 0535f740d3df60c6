import { describe, expect, it } from "vitest";
import { checkField, fieldsOf, fieldValue, formatWhitelist, getPath, isSource, parseWhitelist, rawOf, setPath, type JsonSchema } from "./settingsForm";

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
    login: { type: "object", properties: { whitelist: { type: "array", maxItems: 2, description: "wl" } } },
  },
};

describe("fieldsOf", () => {
  it("flattens nested objects into dotted paths with their kinds", () => {
    expect(fieldsOf(schema).map((f) => [f.path, f.kind])).toEqual([
      ["agent.heartbeat_seconds", "integer"],
      ["agent.log_level", "enum"],
      ["login.whitelist", "whitelist"],
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
  it("checks whitelists line by line", () => {
    expect(checkField(wl!, "10.0.0.0/8\n192.0.2.4 h_1,h_2")).toBe("");
    expect(checkField(wl!, "10.0.0.0/8\nnot-an-ip")).toBe("line 2: 'not-an-ip' is not an IP address or CIDR");
    expect(checkField(wl!, "10.0.0.1\n10.0.0.2\n10.0.0.3")).toBe("At most 2 entries.");
    expect(fieldValue(wl!, "10.0.0.0/8\n192.0.2.4 h_1,h_2")).toEqual([
      { source: "10.0.0.0/8", hosts: "all" },
      { source: "192.0.2.4", hosts: ["h_1", "h_2"] },
    ]);
    expect(rawOf(wl!, [{ source: "::1", hosts: "all" }])).toBe("::1");
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
  it("formats and parses whitelists symmetrically", () => {
    const entries = [{ source: "10.0.0.0/8", hosts: "all" as const }, { source: "192.0.2.4", hosts: ["h_1"] }];
    expect(parseWhitelist(formatWhitelist(entries)).entries).toEqual(entries);
  });
});
