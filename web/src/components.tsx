// The console's component kit: table, buttons, states (loading, empty, error), a copy box. Plain
// Preact + CSS, no third-party UI kit (see web/README.md for why); the charts are in charts.tsx.
import type { ComponentChildren, JSX } from "preact";
import { useState } from "preact/hooks";
import { ApiError } from "./api";
import { linkClick } from "./router";

export function Link(props: { href: string; children: ComponentChildren; class?: string }) {
  return (
    <a href={props.href} class={props.class} onClick={(e) => linkClick(e, props.href)}>
      {props.children}
    </a>
  );
}

export function Button(
  props: JSX.ButtonHTMLAttributes<HTMLButtonElement> & { kind?: "primary" | "danger" | "plain"; busy?: boolean },
) {
  const { kind = "plain", busy, children, disabled, ...rest } = props;
  return (
    <button type="button" {...rest} class={`btn btn-${kind}`} disabled={Boolean(busy) || Boolean(disabled)} aria-busy={busy}>
      {children}
    </button>
  );
}

export function Loading(props: { label?: string }) {
  return (
    <div class="state loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> {props.label ?? "Loading…"}
    </div>
  );
}

export function Empty(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state empty">
      <strong>{props.title}</strong>
      {props.children && <div>{props.children}</div>}
    </div>
  );
}

export function ErrorBox(props: { error: unknown; onRetry?: () => void }) {
  if (!props.error) return null;
  const e = props.error;
  const message = e instanceof ApiError ? e.message : e instanceof Error ? e.message : String(e);
  const code = e instanceof ApiError ? ` (${e.status || "network"} ${e.code})` : "";
  return (
    <div class="state error" role="alert">
      <strong>{message}</strong>
      <span class="muted">{code}</span>
      {props.onRetry && (
        <Button onClick={props.onRetry} kind="plain">
          Retry
        </Button>
      )}
    </div>
  );
}

export function StatusBadge(props: { status: string }) {
  return <span class={`badge badge-${props.status.toLowerCase()}`}>{props.status}</span>;
}

export interface Column<T> {
  key: string;
  label: string;
  render: (row: T) => ComponentChildren;
  sort?: { active: "asc" | "desc" | null; onClick: () => void };
  numeric?: boolean;
}

export function Table<T>(props: {
  caption: string;
  columns: Column<T>[];
  rows: T[] | null;
  rowKey: (row: T, index: number) => string;
  loading?: boolean;
  empty: ComponentChildren;
}) {
  const { columns, rows } = props;
  return (
    <div class="table-wrap" aria-busy={props.loading}>
      <table>
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c.key}
                scope="col"
                class={c.numeric ? "num" : undefined}
                aria-sort={c.sort?.active === "asc" ? "ascending" : c.sort?.active === "desc" ? "descending" : undefined}
              >
                {c.sort ? (
                  <button type="button" class="th-sort" onClick={c.sort.onClick}>
                    {c.label}
                    <span aria-hidden="true">{c.sort.active === "asc" ? " ▲" : c.sort.active === "desc" ? " ▼" : " ↕"}</span>
                  </button>
                ) : (
                  c.label
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows?.map((row, index) => (
            <tr key={props.rowKey(row, index)}>
              {columns.map((c) => (
                <td key={c.key} class={c.numeric ? "num" : undefined}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows === null && props.loading && <Loading />}
      {rows !== null && rows.length === 0 && !props.loading && props.empty}
    </div>
  );
}

export function CopyBox(props: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="copybox">
      <label>
        {props.label}
        <textarea readOnly rows={Math.min(4, 1 + Math.floor(props.value.length / 90))} value={props.value} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <Button
        onClick={() => {
          void navigator.clipboard?.writeText(props.value).then(() => setCopied(true), () => setCopied(false));
        }}
      >
        {copied ? "Copied" : "Copy"}
      </Button>
    </div>
  );
}
