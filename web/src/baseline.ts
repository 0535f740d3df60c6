// Baseline management: the API's shapes and the console's small pure helpers (rates, schedules,
// upload problems), kept apart from the pages so vitest covers them.

export type CheckStatus = "pass" | "fail" | "not_applicable" | "error";
export type CheckLevel = "low" | "medium" | "high";

export interface BaselineSchedule {
  every_days: number;
  at: string; // HH:MM in time_zone
  time_zone?: string; // IANA name, "UTC" by default
  next_run_at?: string | null; // when the schedule is next due (read-only)
}

export interface BaselinePolicy {
  id: string;
  name: string;
  description: string;
  source: "shipped" | "custom";
  checks: number;
  enabled: boolean;
  scope: "all" | string[];
  schedule: BaselineSchedule | null;
  pass_rate: number | null;
  hosts_checked: number;
  failed_checks: number;
  last_run: { id: string; at: string | null } | null;
  deletable: boolean;
  yaml?: string;
}

export interface BaselineCheckRow {
  policy_id: string;
  check_id: string;
  title: string;
  level: CheckLevel;
  passed: number;
  failed: number;
  not_applicable: number;
  error: number;
  ignored_hosts: number;
  ignored: boolean;
  pass_rate: number | null;
  remediation: string;
  remediation_command: string | null;
  references: string[];
}

export interface BaselineCheckHost {
  host_id: string;
  hostname: string;
  status: CheckStatus;
  evidence: string;
  ignored: boolean;
  checked_at: string | null;
}

export interface BaselineCheckHosts {
  items: BaselineCheckHost[];
  policy_id: string;
  check_id: string;
  title?: string;
  level?: CheckLevel;
  remediation?: string;
  remediation_command?: string | null;
  references?: string[];
}

export interface HostBaselineItem {
  policy_id: string;
  check_id: string;
  title: string;
  level: CheckLevel;
  status: CheckStatus;
  evidence: string;
  remediation: string;
  remediation_command: string | null;
  references: string[];
  ignored: boolean;
  checked_at: string | null;
}

export interface HostBaseline {
  items: HostBaselineItem[];
  host_id: string;
  pass_rate: number | null;
  passed: number;
  failed: number;
  policies: { policy_id: string; pass_rate: number | null; passed: number; failed: number }[];
}

export interface BaselineIgnore {
  id: string;
  policy_id: string;
  check_id: string | null;
  host_id: string | null;
  scope: "item" | "host" | "item_host";
  reason: string;
  created_by: string;
  created_at: string | null;
}

export const INTERVALS = [1, 3, 5, 7] as const;

/** 0.8333 -> "83%"; null (nothing passed or failed yet) -> "—". */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return "—";
  return `${Math.floor(rate * 100 + 1e-9)}%`;
}

/** A tone for a pass rate: good from 90%, warn from 70%, bad below; none without a rate. */
export function rateTone(rate: number | null | undefined): "good" | "warn" | "bad" | "none" {
  if (rate === null || rate === undefined) return "none";
  if (rate >= 0.9) return "good";
  if (rate >= 0.7) return "warn";
  return "bad";
}

export function scheduleLabel(schedule: BaselineSchedule | null): string {
  if (!schedule) return "Not scheduled";
  const every = schedule.every_days === 1 ? "Every day" : `Every ${schedule.every_days} days`;
  return `${every} at ${schedule.at} ${schedule.time_zone || "UTC"}`;
}

export function scopeLabel(scope: "all" | string[]): string {
  if (scope === "all") return "All hosts";
  return scope.length === 1 ? "1 host" : `${scope.length} hosts`;
}

/**
 * The PATCH body for a schedule editor's values, or a problem to show. `every` "" = no schedule;
 * `zone` "" = UTC. The server checks the zone against its tz database; this only catches typos that
 * cannot be a zone name.
 */
export function scheduleBody(every: string, at: string, zone = "UTC"): { schedule: BaselineSchedule | null } | { problem: string } {
  if (every === "") return { schedule: null };
  const days = Number(every);
  if (!(INTERVALS as readonly number[]).includes(days)) return { problem: "Choose every 1, 3, 5 or 7 days." };
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(at.trim());
  if (!m) return { problem: "Give the time as HH:MM (00:00 to 23:59)." };
  const time_zone = zone.trim() || "UTC";
  if (!/^[A-Za-z0-9_+][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+][A-Za-z0-9_+-]*)*$/.test(time_zone) || time_zone.length > 64) {
    return { problem: "Give the time zone as an IANA name such as Europe/Paris (or UTC)." };
  }
  return { schedule: { every_days: days, at: `${m[1]}:${m[2]}`, time_zone } };
}

/** The time zones this browser knows (for the editor's suggestions); UTC first. */
export function knownTimeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  let zones: string[] = [];
  try {
    zones = intl.supportedValuesOf?.("timeZone") ?? [];
  } catch {
    zones = [];
  }
  return ["UTC", ...zones.filter((z) => z !== "UTC")];
}

/** "all" for an empty text, else the host ids separated by commas, spaces or new lines. */
export function scopeBody(text: string): "all" | string[] {
  const ids = text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  return ids.length === 0 ? "all" : Array.from(new Set(ids));
}

export interface UploadProblem {
  line: number | null;
  column: number | null;
  text: string;
}

/**
 * The server lists an upload's problems one per line after a summary
 * ("policy.yaml:6:12: check b-1: bad_level: ..."); this splits them for display.
 */
export function uploadProblems(message: string): UploadProblem[] {
  const lines = message.split("\n").slice(1).filter((l) => l.trim() !== "");
  if (lines.length === 0) return [{ line: null, column: null, text: message }];
  return lines.map((text) => {
    const m = /^[^:]*:(\d+):(\d+):/.exec(text);
    return { line: m ? Number(m[1]) : null, column: m ? Number(m[2]) : null, text };
  });
}

/** Statuses as people read them. */
export function statusLabel(status: CheckStatus): string {
  return status === "not_applicable" ? "n/a" : status;
}
