import { useEffect, useState } from "preact/hooks";
import { api, ApiError, can, type SettingsDocument } from "../api";
import { Button, ErrorBox, Loading } from "../components";
import { formatTime } from "../format";
import { useAsync } from "../hooks";
import { checkField, fieldsOf, fieldValue, getPath, rawOf, setPath, type Field, type JsonSchema } from "../settingsForm";
import type { PageProps } from "./common";

interface OpenApi {
  components?: { schemas?: Record<string, JsonSchema> };
}

export function Settings({ me }: PageProps) {
  const schema = useAsync(() => api.get<OpenApi>("/api/v1/openapi.json"), []);
  const doc = useAsync(() => api.get<SettingsDocument>("/api/v1/settings"), []);
  const [raw, setRaw] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState("");
  const editable = can(me.role, "admin");
  const settingsSchema = schema.data?.components?.schemas?.Settings;
  const fields: Field[] = settingsSchema ? fieldsOf(settingsSchema) : [];

  useEffect(() => {
    if (!doc.data || fields.length === 0) return;
    const next: Record<string, string> = {};
    for (const f of fields) next[f.path] = rawOf(f, getPath(doc.data.effective, f.path));
    setRaw(next);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [doc.data, fields.length]);

  if (schema.error || doc.error) return <ErrorBox error={schema.error ?? doc.error} onRetry={() => { schema.reload(); doc.reload(); }} />;
  if (!doc.data || !settingsSchema) return <Loading />;
  const current = doc.data;
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const e = raw[f.path] === undefined ? "" : checkField(f, raw[f.path] ?? "");
    if (e) errors[f.path] = e;
  }
  const invalid = Object.keys(errors).length > 0;
  const dirty = fields.some((f) => raw[f.path] !== undefined && raw[f.path] !== rawOf(f, getPath(current.effective, f.path)));

  async function save(e: Event) {
    e.preventDefault();
    if (invalid) return;
    setSaving(true);
    setSaveError(null);
    setSaved("");
    let settings: Record<string, unknown> = { ...current.settings };
    for (const f of fields) {
      const value = fieldValue(f, raw[f.path] ?? "");
      const before = getPath(current.effective, f.path);
      // Only what the user changed is stored; untouched settings keep following the defaults.
      if (JSON.stringify(value) !== JSON.stringify(before) || getPath(current.settings, f.path) !== undefined) {
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
              const value = raw[f.path] ?? "";
              const error = errors[f.path];
              const common = {
                id,
                name: f.path,
                disabled: !editable,
                "aria-invalid": error ? true : undefined,
                "aria-describedby": `${id}-help`,
              };
              return (
                <div class="field" key={f.path}>
                  <label for={id}>{f.path}</label>
                  {f.kind === "enum" ? (
                    <select {...common} value={value} onChange={(e) => setRaw({ ...raw, [f.path]: e.currentTarget.value })}>
                      {f.choices.map((c) => (
                        <option key={c} value={c}>
                          {c}
                        </option>
                      ))}
                    </select>
                  ) : f.kind === "integer" ? (
                    <input {...common} inputMode="numeric" value={value} onInput={(e) => setRaw({ ...raw, [f.path]: e.currentTarget.value })} />
                  ) : (
                    <textarea {...common} rows={3} value={value} placeholder="one per line: 10.0.0.0/8  or  192.0.2.4 h_abc,h_def" onInput={(e) => setRaw({ ...raw, [f.path]: e.currentTarget.value })} />
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
