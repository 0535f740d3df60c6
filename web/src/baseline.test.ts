import { describe, expect, it } from "vitest";
import { formatRate, rateTone, scheduleBody, scheduleLabel, scopeBody, scopeLabel, statusLabel, uploadProblems } from "./baseline";

describe("baseline helpers", () => {
  it("formats pass rates without rounding a failure away", () => {
    expect(formatRate(null)).toBe("—");
    expect(formatRate(1)).toBe("100%");
    expect(formatRate(0.999)).toBe("99%");
    expect(formatRate(0.5)).toBe("50%");
    expect(formatRate(0)).toBe("0%");
    expect(rateTone(0.95)).toBe("good");
    expect(rateTone(0.7)).toBe("warn");
    expect(rateTone(0.2)).toBe("bad");
    expect(rateTone(null)).toBe("none");
  });
  it("describes schedules and scopes", () => {
    expect(scheduleLabel(null)).toBe("Not scheduled");
    expect(scheduleLabel({ every_days: 1, at: "02:30" })).toBe("Every day at 02:30 UTC");
    expect(scheduleLabel({ every_days: 7, at: "00:00" })).toBe("Every 7 days at 00:00 UTC");
    expect(scheduleLabel({ every_days: 1, at: "02:30", time_zone: "Europe/Paris" })).toBe("Every day at 02:30 Europe/Paris");
    expect(scopeLabel("all")).toBe("All hosts");
    expect(scopeLabel(["h_1"])).toBe("1 host");
    expect(scopeLabel(["h_1", "h_2"])).toBe("2 hosts");
  });
  it("builds schedule bodies and explains bad input", () => {
    expect(scheduleBody("", "")).toEqual({ schedule: null });
    expect(scheduleBody("3", "2:30")).toEqual({ problem: "Give the time as HH:MM (00:00 to 23:59)." });
    expect(scheduleBody("3", "24:00")).toHaveProperty("problem");
    expect(scheduleBody("2", "02:30")).toEqual({ problem: "Choose every 1, 3, 5 or 7 days." });
    expect(scheduleBody("5", " 23:59 ")).toEqual({ schedule: { every_days: 5, at: "23:59", time_zone: "UTC" } });
    expect(scheduleBody("1", "02:30", " Europe/Paris ")).toEqual({
      schedule: { every_days: 1, at: "02:30", time_zone: "Europe/Paris" },
    });
    expect(scheduleBody("1", "02:30", "America/Argentina/Buenos_Aires")).toHaveProperty("schedule");
    expect(scheduleBody("1", "02:30", "Etc/GMT+5")).toHaveProperty("schedule");
    expect(scheduleBody("1", "02:30", "")).toEqual({ schedule: { every_days: 1, at: "02:30", time_zone: "UTC" } });
    for (const bad of ["Europe/", "../etc/passwd", "Paris time", "/UTC", "Europe//Paris"]) {
      expect(scheduleBody("1", "02:30", bad)).toEqual({ problem: "Give the time zone as an IANA name such as Europe/Paris (or UTC)." });
    }
  });
  it("parses scopes", () => {
    expect(scopeBody("  ")).toBe("all");
    expect(scopeBody("h_1, h_2\nh_1")).toEqual(["h_1", "h_2"]);
  });
  it("splits upload problems with their line and column", () => {
    const message = "policy does not load (2 problems):\npolicy.yaml:6:12: check b-1: bad_level: expected low, medium or high\npolicy.yaml:11:12: check b-2: bad_probe: unknown probe";
    const problems = uploadProblems(message);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toEqual({ line: 6, column: 12, text: "policy.yaml:6:12: check b-1: bad_level: expected low, medium or high" });
    expect(problems[1]?.line).toBe(11);
    expect(uploadProblems("policy id 'x' is a shipped policy's")).toEqual([{ line: null, column: null, text: "policy id 'x' is a shipped policy's" }]);
  });
  it("labels statuses", () => {
    expect(statusLabel("not_applicable")).toBe("n/a");
    expect(statusLabel("fail")).toBe("fail");
  });
});
