// Fleet-wide fingerprint filters as typed in the console: equality on row fields.

/** "port=6379 proto=tcp" -> {port: "6379", proto: "tcp"}; errors name the bad part. */
export function parseFilters(text: string): { filters: Record<string, string>; error: string } {
  const filters: Record<string, string> = {};
  for (const part of text.split(/\s+/).filter(Boolean)) {
    const eq = part.indexOf("=");
    const key = eq > 0 ? part.slice(0, eq) : "";
    if (!/^[a-z0-9_]{1,64}$/.test(key)) return { filters: {}, error: `'${part}': expected field=value, e.g. port=6379` };
    if (key === "limit" || key === "cursor") return { filters: {}, error: `'${key}' is not a row field` };
    filters[key] = part.slice(eq + 1);
  }
  return { filters, error: "" };
}
