import { useState } from "preact/hooks";
import { api, type FleetRow, type Page } from "../api";
import { Button, Empty, ErrorBox, Link, Table } from "../components";
import { cellText, columnsOf } from "../format";
import { useAsync } from "../hooks";
import { parseFilters } from "../fleetFilter";
import { navigate } from "../router";
import { CATEGORIES, label, PREFERRED_COLUMNS, type PageProps } from "./common";

export function Fingerprints({ match }: PageProps) {
  const category = match.params.category ?? "ports";
  const filterText = match.query.get("f") ?? "";
  const [text, setText] = useState(filterText);
  const [cursors, setCursors] = useState<string[]>([]);
  const parsed = parseFilters(filterText);
  const cursor = cursors[cursors.length - 1];
  const page = useAsync(
    () =>
      parsed.error
        ? Promise.resolve({ items: [], next_cursor: null } as Page<FleetRow>)
        : api.get<Page<FleetRow>>(`/api/v1/fingerprints/${category}`, { ...parsed.filters, limit: 100, cursor }),
    [category, filterText, cursor],
  );
  const rows = page.data?.items ?? null;
  const cols = rows ? columnsOf(rows.map((r) => r.row), PREFERRED_COLUMNS[category], 10) : [];
  const open = (c: string, f: string) => {
    setCursors([]);
    navigate(`/fingerprints/${c}${f ? `?f=${encodeURIComponent(f)}` : ""}`);
  };
  return (
    <section>
      <h1>Fingerprints across the fleet</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          open(category, text.trim());
        }}
      >
        <label>
          Category
          <select value={category} onChange={(e) => open(e.currentTarget.value, text.trim())}>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {label(c)}
              </option>
            ))}
          </select>
        </label>
        <label class="grow">
          Filters (field=value, space-separated; every one must match)
          <input value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder="port=6379" />
        </label>
        <Button type="submit" kind="primary">
          Find hosts
        </Button>
      </form>
      {parsed.error && <ErrorBox error={new Error(parsed.error)} />}
      <ErrorBox error={page.error} onRetry={page.reload} />
      <Table<FleetRow>
        caption={`${label(category)} rows across hosts`}
        rows={rows}
        loading={page.loading}
        rowKey={(r, i) => `${r.host_id}#${cursor ?? ""}#${i}`}
        columns={[
          { key: "host", label: "Host", render: (r) => <Link href={`/hosts/${encodeURIComponent(r.host_id)}?tab=${category}`}>{r.hostname}</Link> },
          ...cols.map((c) => ({ key: c, label: c, render: (r: FleetRow) => cellText(r.row[c]) })),
        ]}
        empty={<Empty title="No rows match">Try fewer filters; values must match exactly (e.g. port=22 proto=tcp).</Empty>}
      />
      <nav class="pager" aria-label="Pages">
        <Button disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>← Previous</Button>
        <Button disabled={!page.data?.next_cursor} onClick={() => page.data?.next_cursor && setCursors([...cursors, page.data.next_cursor])}>Next →</Button>
      </nav>
    </section>
  );
}
