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
  required?: string[];
  minLength?: number;
  maxLength?: number;
  minItems?: number;
}

/** One column of a list-of-objects setting (a rule, a whitelist entry), from the item schema. */
export type Column =
  | { kind: "integer"; key: string; required: boolean; min?: number; max?: number; default?: number; description: string }
  | { kind: "enum"; key: string; required: boolean; choices: string[]; default?: string; description: string }
  | { kind: "text"; key: string; required: boolean; minLength?: number; maxLength?: number; description: string }
  | { kind: "source"; key: string; required: boolean; description: string } // an IP address or CIDR
  | { kind: "hosts"; key: string; required: boolean; description: string }; // "all" or host ids

export type Field =
  | { kind: "integer"; path: string; min?: number; max?: number; description: string }
  | { kind: "enum"; path: string; choices: string[]; description: string }
  | { kind: "strings"; path: string; maxItems?: number; maxLength?: number; description: string }
  | { kind: "rows"; path: string; maxItems?: number; columns: Column[]; description: string };

/** A field's editable state: text for scalars and string lists, one text per cell for rows. */
export type Row = Record<string, string>;
export type Raw = string | Row[];

function columnOf(key: string, sub: JsonSchema, required: boolean): Column | null {
  const description = sub.description ?? "";
  if (sub.enum) {
    return { kind: "enum", key, required, choices: sub.enum.map(String), default: sub.default === undefined ? undefined : String(sub.default), description };
  }
  if (sub.type === "integer") {
    return { kind: "integer", key, required, min: sub.minimum, max: sub.maximum, default: typeof sub.default === "number" ? sub.default : undefined, description };
  }
  // "all" or a list of host ids (the whitelists' scope).
  if (sub.oneOf && sub.oneOf.some((o) => o.const === "all") && sub.oneOf.some((o) => o.type === "array")) {
    return { kind: "hosts", key, required, description: description || "all, or host ids separated by commas" };
  }
  if (sub.type === "string") {
    if (/\bCIDR\b/.test(description)) return { kind: "source", key, required, description };
    return { kind: "text", key, required, minLength: sub.minLength, maxLength: sub.maxLength, description };
  }
  return null;
}

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
    } else if (sub.type === "array" && sub.items?.properties) {
      const required = new Set(sub.items.required ?? []);
      const columns = Object.entries(sub.items.properties)
        .map(([k, c]) => columnOf(k, c, required.has(k)))
        .filter((c): c is Column => c !== null);
      out.push({ kind: "rows", path, maxItems: sub.maxItems, columns, description });
    } else if (sub.type === "array") {
      out.push({ kind: "strings", path, maxItems: sub.maxItems, maxLength: sub.items?.maxLength, description });
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

/** The client-side error for one cell of a row ("" when it looks valid). */
export function checkCell(column: Column, raw: string): string {
  const text = raw.trim();
  if (text === "") return column.required && column.kind !== "hosts" ? "Required." : "";
  switch (column.kind) {
    case "integer": {
      if (!/^-?\d+$/.test(text)) return "Enter a whole number.";
      const n = Number(text);
      if (column.min !== undefined && n < column.min) return `At least ${column.min}.`;
      if (column.max !== undefined && n > column.max) return `At most ${column.max}.`;
      return "";
    }
    case "enum":
      return column.choices.includes(text) ? "" : `One of ${column.choices.join(", ")}.`;
    case "source":
      return isSource(text) ? "" : `'${text}' is not an IP address or CIDR.`;
    case "hosts": {
      if (text === "all") return "";
      const bad = hostList(text).find((h) => !/^[A-Za-z0-9_-]{1,64}$/.test(h));
      return bad === undefined ? "" : `'${bad}' is not a host id.`;
    }
    case "text":
      if (column.minLength !== undefined && text.length < column.minLength) return `At least ${column.minLength} characters.`;
      if (column.maxLength !== undefined && text.length > column.maxLength) return `At most ${column.maxLength} characters.`;
      return /[\u0000-\u001f\u007f]/.test(text) ? "No control characters." : "";
  }
}

function hostList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((h) => h.trim())
    .filter(Boolean);
}

/** Errors of a rows field: one map per row (column key -> message), and one for the whole list. */
export function checkRows(field: Extract<Field, { kind: "rows" }>, rows: Row[]): { cells: Row[]; list: string } {
  const cells = rows.map((row) => {
    const errors: Row = {};
    for (const c of field.columns) {
      const e = checkCell(c, row[c.key] ?? "");
      if (e) errors[c.key] = e;
    }
    return errors;
  });
  const list = field.maxItems !== undefined && rows.length > field.maxItems ? `At most ${field.maxItems} entries.` : "";
  return { cells, list };
}

/** The client-side error for one field's raw input, or "" when it looks valid. */
export function checkField(field: Field, raw: Raw): string {
  if (field.kind === "rows") {
    const rows = Array.isArray(raw) ? raw : [];
    const { cells, list } = checkRows(field, rows);
    if (list) return list;
    const i = cells.findIndex((c) => Object.keys(c).length > 0);
    if (i < 0) return "";
    const [key, message] = Object.entries(cells[i]!)[0]!;
    return `Entry ${i + 1}, ${key}: ${message}`;
  }
  const text = typeof raw === "string" ? raw : "";
  if (field.kind === "integer") {
    if (!/^-?\d+$/.test(text.trim())) return "Enter a whole number.";
    const n = Number(text);
    if (field.min !== undefined && n < field.min) return `At least ${field.min}.`;
    if (field.max !== undefined && n > field.max) return `At most ${field.max}.`;
    return "";
  }
  if (field.kind === "enum") return field.choices.includes(text) ? "" : `One of ${field.choices.join(", ")}.`;
  const lines = stringLines(text);
  if (field.maxItems !== undefined && lines.length > field.maxItems) return `At most ${field.maxItems} entries.`;
  const long = field.maxLength === undefined ? -1 : lines.findIndex((l) => l.length > field.maxLength!);
  return long >= 0 ? `Line ${long + 1}: at most ${field.maxLength} characters.` : "";
}

function stringLines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

function cellValue(column: Column, raw: string): unknown {
  const text = raw.trim();
  if (column.kind === "integer") return Number(text);
  if (column.kind === "hosts") {
    const hosts = hostList(text);
    return hosts.length === 0 || (hosts.length === 1 && hosts[0] === "all") ? "all" : hosts;
  }
  return text;
}

/** Raw input -> the JSON value the API takes. REQUIRES: checkField(field, raw) === "". */
export function fieldValue(field: Field, raw: Raw): unknown {
  if (field.kind === "rows") {
    const rows = Array.isArray(raw) ? raw : [];
    return rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const c of field.columns) {
        const text = (row[c.key] ?? "").trim();
        // An empty optional cell is left out: the server applies the column's default.
        if (text === "" && !c.required && c.kind !== "hosts") continue;
        out[c.key] = cellValue(c, text);
      }
      return out;
    });
  }
  const text = typeof raw === "string" ? raw : "";
  if (field.kind === "integer") return Number(text);
  if (field.kind === "enum") return text;
  return stringLines(text);
}

function cellText(column: Column, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (column.kind === "hosts") return Array.isArray(value) ? value.join(", ") : String(value);
  return String(value);
}

export function rawOf(field: Field, value: unknown): Raw {
  if (field.kind === "rows") {
    if (!Array.isArray(value)) return [];
    return value.map((entry) => {
      const row: Row = {};
      for (const c of field.columns) row[c.key] = cellText(c, (entry as Record<string, unknown> | null)?.[c.key]);
      return row;
    });
  }
  if (field.kind === "strings") return Array.isArray(value) ? value.map(String).join("\n") : "";
  return value === undefined || value === null ? "" : String(value);
}

/** A new row for a rows field: defaults filled in, hosts "all". */
export function newRow(field: Extract<Field, { kind: "rows" }>): Row {
  const row: Row = {};
  for (const c of field.columns) {
    row[c.key] = c.kind === "hosts" ? "all" : (c.kind === "integer" || c.kind === "enum") && c.default !== undefined ? String(c.default) : "";
  }
  return row;
}

/** Same value (for "has the user changed it?"). */
export function sameRaw(a: Raw | undefined, b: Raw | undefined): boolean {
  return JSON.stringify(a ?? "") === JSON.stringify(b ?? "");
}
