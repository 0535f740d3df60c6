import { useEffect, useState } from "preact/hooks";
import { api, ApiError, can, type SettingsDocument } from "../api";
import { Button, ErrorBox, Loading } from "../components";
import { formatTime } from "../format";
import { useAsync } from "../hooks";
import {
  checkField,
  checkRows,
  fieldsOf,
  fieldValue,
  getPath,
  newRow,
  rawOf,
  sameRaw,
  setPath,
  type Column,
  type Field,
  type JsonSchema,
  type Raw,
  type Row,
} from "../settingsForm";
import type { PageProps } from "./common";

interface OpenApi {
  components?: { schemas?: Record<string, JsonSchema> };
}

type RowsField = Extract<Field, { kind: "rows" }>;

function label(key: string): string {
  return key.replace(/_/g, " ");
}

/** A list of objects (brute-force rules, whitelist entries) as a table of inputs, one row per entry. */
function RowsEditor(props: { field: RowsField; id: string; rows: Row[]; editable: boolean; onChange: (rows: Row[]) => void }) {
  const { field, rows, editable } = props;
  const { cells, list } = checkRows(field, rows);
  const full = field.maxItems !== undefined && rows.length >= field.maxItems;
  const setCell = (i: number, key: string, value: string) => props.onChange(rows.map((r, j) => (j === i ? { ...r, [key]: value } : r)));
  const input = (c: Column, i: number) => {
    const id = `${props.id}-${i}-${c.key}`;
    const value = rows[i]?.[c.key] ?? "";
    const error = cells[i]?.[c.key];
    const common = {
      id,
      name: `${field.path}[${i}].${c.key}`,
      disabled: !editable,
      "aria-label": `${field.path} entry ${i + 1} ${label(c.key)}`,
      "aria-invalid": error ? true : undefined,
      "aria-describedby": error ? `${id}-error` : undefined,
    };
    return (
      <td key={c.key}>
        {c.kind === "enum" ? (
          <select {...common} value={value} onChange={(e) => setCell(i, c.key, e.currentTarget.value)}>
            {!c.required && <option value="">{c.default ? `default (${c.default})` : "—"}</option>}
            {c.choices.map((choice) => (
              <option key={choice} value={choice}>
                {choice}
              </option>
            ))}
          </select>
        ) : (
          <input
            {...common}
            inputMode={c.kind === "integer" ? "numeric" : undefined}
            value={value}
            placeholder={c.kind === "hosts" ? "all" : c.kind === "source" ? "10.0.0.0/8" : c.kind === "integer" && c.min !== undefined ? `${c.min}–${c.max}` : ""}
            onInput={(e) => setCell(i, c.key, e.currentTarget.value)}
          />
        )}
        {error && (
          <small id={`${id}-error`} class="field-error">
            {error}
          </small>
        )}
      </td>
    );
  };
  return (
    <div class="rows-editor">
      <table>
        <caption class="sr-only">{field.path}</caption>
        <thead>
          <tr>
            {field.columns.map((c) => (
              <th scope="col" key={c.key} title={c.description}>
                {label(c.key)}
                {c.kind === "integer" && c.min !== undefined && <span class="muted"> ({c.min}–{c.max})</span>}
                {c.kind === "hosts" && <span class="muted"> (all, or host ids)</span>}
              </th>
            ))}
            {editable && (
              <th scope="col">
                <span class="sr-only">Remove</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((_, i) => (
            <tr key={i}>
              {field.columns.map((c) => input(c, i))}
              {editable && (
                <td>
                  <Button onClick={() => props.onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove ${field.path} entry ${i + 1}`}>
                    Remove
                  </Button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p class="muted">None.</p>}
      {list && <small class="field-error">{list}</small>}
      {editable && (
        <Button onClick={() => props.onChange([...rows, newRow(field)])} disabled={full} aria-label={`Add ${field.path} entry`}>
          {full ? `At most ${field.maxItems}` : "Add"}
        </Button>
      )}
    </div>
  );
}

export function Settings({ me }: PageProps) {
  const schema = useAsync(() => api.get<OpenApi>("/api/v1/openapi.json"), []);
  const doc = useAsync(() => api.get<SettingsDocument>("/api/v1/settings"), []);
  const [raw, setRaw] = useState<Record<string, Raw>>({});
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState("");
  const editable = can(me.role, "admin");
  const settingsSchema = schema.data?.components?.schemas?.Settings;
  const fields: Field[] = settingsSchema ? fieldsOf(settingsSchema) : [];

  useEffect(() => {
    if (!doc.data || fields.length === 0) return;
    const next: Record<string, Raw> = {};
    for (const f of fields) next[f.path] = rawOf(f, getPath(doc.data.effective, f.path));
    setRaw(next);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [doc.data, fields.length]);

  if (schema.error || doc.error) return <ErrorBox error={schema.error ?? doc.error} onRetry={() => { schema.reload(); doc.reload(); }} />;
  if (!doc.data || !settingsSchema) return <Loading />;
  const current = doc.data;
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const value = raw[f.path];
    const e = value === undefined ? "" : checkField(f, value);
    if (e) errors[f.path] = e;
  }
  const invalid = Object.keys(errors).length > 0;
  const dirty = fields.some((f) => raw[f.path] !== undefined && !sameRaw(raw[f.path], rawOf(f, getPath(current.effective, f.path))));

  async function save(e: Event) {
    e.preventDefault();
    if (invalid) return;
    setSaving(true);
    setSaveError(null);
    setSaved("");
    let settings: Record<string, unknown> = { ...current.settings };
    for (const f of fields) {
      const value = fieldValue(f, raw[f.path] ?? rawOf(f, undefined));
      const before = getPath(current.effective, f.path);
      // Only what the user changed is stored; untouched settings keep following the defaults.
      if (!sameRaw(raw[f.path], rawOf(f, before)) || getPath(current.settings, f.path) !== undefined) {
        settings = setPath(settings, f.path, value);
      }
    }
    try {
      await api.put<SettingsDocument>("/api/v1/settings", { version: current.version, settings });
      setSaved("Saved. Online agents receive the change within seconds.");
      doc.reload();
    } catch (err) {
      setSaveError(
        err instanceof ApiError && err.status === 409
          ? new ApiError(409, err.code, "Someone else changed the settings since you opened this page. Reload to see their version, then apply your change again.")
          : err,
      );
    } finally {
      setSaving(false);
    }
  }

  const groups = new Map<string, Field[]>();
  for (const f of fields) {
    const group = f.path.includes(".") ? f.path.slice(0, f.path.indexOf(".")) : "general";
    groups.set(group, [...(groups.get(group) ?? []), f]);
  }

  return (
    <section>
      <h1>Settings</h1>
      <p class="muted">
        Version {current.version}, last changed {formatTime(current.updated_at)}.{" "}
        {!editable && "Only admins can change settings."}
      </p>
      <form onSubmit={save} class="settings" noValidate>
        {[...groups.entries()].map(([group, list]) => (
          <fieldset key={group}>
            <legend>{group.replace(/_/g, " ")}</legend>
            {list.map((f) => {
              const id = `setting-${f.path.replace(/\W/g, "-")}`;
              const value = raw[f.path] ?? rawOf(f, undefined);
              const text = typeof value === "string" ? value : "";
              const error = errors[f.path];
              const common = {
                id,
                name: f.path,
                disabled: !editable,
                "aria-invalid": error ? true : undefined,
                "aria-describedby": `${id}-help`,
              };
              const set = (v: Raw) => setRaw({ ...raw, [f.path]: v });
              return (
                <div class={`field${f.kind === "rows" ? " field-rows" : ""}`} key={f.path}>
                  {f.kind === "rows" ? <span class="field-label" id={`${id}-label`}>{f.path}</span> : <label for={id}>{f.path}</label>}
                  {f.kind === "enum" ? (
                    <select {...common} value={text} onChange={(e) => set(e.currentTarget.value)}>
                      {f.choices.map((c) => (
                        <option key={c} value={c}>
                          {c}
                        </option>
                      ))}
                    </select>
                  ) : f.kind === "integer" ? (
                    <input {...common} inputMode="numeric" value={text} onInput={(e) => set(e.currentTarget.value)} />
                  ) : f.kind === "strings" ? (
                    <textarea {...common} rows={3} value={text} placeholder="one per line" onInput={(e) => set(e.currentTarget.value)} />
                  ) : (
                    <RowsEditor field={f} id={id} rows={Array.isArray(value) ? value : []} editable={editable} onChange={set} />
                  )}
                  <small id={`${id}-help`} class={error ? "field-error" : "muted"}>
                    {error || `${f.description}${f.kind === "integer" && f.min !== undefined ? ` (${f.min}–${f.max})` : ""}`}
                  </small>
                </div>
              );
            })}
          </fieldset>
        ))}
        <ErrorBox error={saveError} />
        {saved && <p class="notice" role="status">{saved}</p>}
        {editable && (
          <div class="actions">
            <Button type="submit" kind="primary" busy={saving} disabled={invalid || !dirty}>
              Save settings
            </Button>
            <Button onClick={() => doc.reload()}>Reload</Button>
          </div>
        )}
      </form>
    </section>
  );
}
