// Times are ISO 8601 UTC from the API; the console shows them in the user's zone.

// Building an Intl.DateTimeFormat costs far more than using one; a table formats hundreds of cells.
const formatters = new Map<string, Intl.DateTimeFormat>();

export function formatTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const key = timeZone ?? "";
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = makeFormatter(timeZone);
    formatters.set(key, formatter);
  }
  return formatter.format(date);
}

function makeFormatter(timeZone?: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(undefined, {
    year: "numeric",
    month: "short",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZone,
    timeZoneName: "short",
  });
}

/** "just now", "5 min ago", "3 h ago", "2 d ago"; "in 5 min" for future times. */
export function relativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "never";
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((now - then) / 1000);
  const future = seconds < 0;
  const s = Math.abs(seconds);
  let text: string;
  if (s < 45) return "just now";
  else if (s < 3600) text = `${Math.round(s / 60)} min`;
  else if (s < 86400) text = `${Math.round(s / 3600)} h`;
  else text = `${Math.round(s / 86400)} d`;
  return future ? `in ${text}` : `${text} ago`;
}

/** A fingerprint cell: objects/arrays as compact JSON, booleans as yes/no, null as a dash. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Column names of a set of rows, in first-seen order, `preferred` first when present. */
export function columnsOf(rows: Record<string, unknown>[], preferred: string[] = [], max = 12): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const key of preferred) {
    if (rows.some((r) => key in r)) {
      seen.add(key);
      out.push(key);
    }
  }
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        out.push(key);
      }
    }
  }
  return out.slice(0, max);
}
