// The settings page is generated from the API's own JSON Schema of the settings document
// (components.schemas.Settings in /api/v1/openapi.json), so a setting added on the server appears
// in the console without a console change. This file flattens the schema into fields and checks
// values the way the server will (the server stays the judge: its 400 message is shown too).

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  default?: unknown;
  description?: string;
  oneOf?: JsonSchema[];
  const?: unknown;
}

export type Field =
  | { kind: "integer"; path: string; min?: number; max?: number; description: string }
  | { kind: "enum"; path: string; choices: string[]; description: string }
  | { kind: "whitelist"; path: string; maxItems?: number; description: string };

export function fieldsOf(schema: JsonSchema, prefix = ""): Field[] {
  const out: Field[] = [];
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    const description = sub.description ?? "";
    if (sub.type === "object" || sub.properties) {
      out.push(...fieldsOf(sub, path));
    } else if (sub.enum) {
      out.push({ kind: "enum", path, choices: sub.enum.map(String), description });
    } else if (sub.type === "integer") {
      out.push({ kind: "integer", path, min: sub.minimum, max: sub.maximum, description });
    } else if (sub.type === "array") {
      out.push({ kind: "whitelist", path, maxItems: sub.maxItems, description });
    }
  }
  return out;
}

export function getPath(doc: unknown, path: string): unknown {
  let node: unknown = doc;
  for (const part of path.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** A copy of `doc` with `path` set to `value` (intermediate objects created). */
export function setPath(doc: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const parts = path.split(".");
  const root: Record<string, unknown> = { ...doc };
  let node = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i]!;
    const child = node[key];
    const copy = child !== null && typeof child === "object" && !Array.isArray(child) ? { ...(child as Record<string, unknown>) } : {};
    node[key] = copy;
    node = copy;
  }
  node[parts[parts.length - 1]!] = value;
  return root;
}

export interface WhitelistEntry {
  source: string;
  hosts: "all" | string[];
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Address or CIDR, IPv4 or IPv6 (a syntax check; the server validates fully). */
export function isSource(text: string): boolean {
  const [addr = "", prefix, extra] = text.split("/");
  if (extra !== undefined) return false;
  if (IPV4.test(addr)) return prefix === undefined || (/^\d{1,2}$/.test(prefix) && Number(prefix) <= 32);
  if (addr.includes(":") && /^[0-9a-fA-F:.]+$/.test(addr) && (addr.match(/::/g) ?? []).length <= 1) {
    return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= 128);
  }
  return false;
}

/** Whitelist text, one "SOURCE [host_id,host_id]" per line (no hosts: all hosts). */
export function parseWhitelist(text: string): { entries: WhitelistEntry[]; errors: string[] } {
  const entries: WhitelistEntry[] = [];
  const errors: string[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const [source = "", ...rest] = line.split(/\s+/);
    if (!isSource(source)) {
      errors.push(`line ${i + 1}: '${source}' is not an IP address or CIDR`);
      return;
    }
    const hosts = rest.join("").split(",").map((h) => h.trim()).filter(Boolean);
    entries.push({ source, hosts: hosts.length === 0 || (hosts.length === 1 && hosts[0] === "all") ? "all" : hosts });
  });
  return { entries, errors };
}

export function formatWhitelist(entries: unknown): string {
  if (!Array.isArray(entries)) return "";
  return entries
    .map((e) => {
      const entry = e as WhitelistEntry;
      return entry.hosts === "all" ? entry.source : `${entry.source} ${entry.hosts.join(",")}`;
    })
    .join("\n");
}

/** The client-side error for one field's raw input, or "" when it looks valid. */
export function checkField(field: Field, raw: string): string {
  if (field.kind === "integer") {
    if (!/^-?\d+$/.test(raw.trim())) return "Enter a whole number.";
    const n = Number(raw);
    if (field.min !== undefined && n < field.min) return `At least ${field.min}.`;
    if (field.max !== undefined && n > field.max) return `At most ${field.max}.`;
    return "";
  }
  if (field.kind === "enum") return field.choices.includes(raw) ? "" : `One of ${field.choices.join(", ")}.`;
  const { entries, errors } = parseWhitelist(raw);
  if (errors.length) return errors.join("; ");
  if (field.maxItems !== undefined && entries.length > field.maxItems) return `At most ${field.maxItems} entries.`;
  return "";
}

/** Raw input -> the JSON value the API takes. REQUIRES: checkField(field, raw) === "". */
export function fieldValue(field: Field, raw: string): unknown {
  if (field.kind === "integer") return Number(raw);
  if (field.kind === "enum") return raw;
  return parseWhitelist(raw).entries;
}

export function rawOf(field: Field, value: unknown): string {
  if (field.kind === "whitelist") return formatWhitelist(value);
  return value === undefined || value === null ? "" : String(value);
}
