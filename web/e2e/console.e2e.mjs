// Drives the console in headless chromium (playwright-core) against a running server; see
// console_e2e.sh for the setup. Fails on any browser console error, page error, failed request or
// HTTP error other than the one deliberately provoked (a wrong password).
import { readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { chromium, request } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`missing ${name}`);
  return value;
};
const URL = env("E2E_URL");
const OUT = env("E2E_OUT");
const HOST = env("E2E_HOSTNAME");
const PASSWORD = env("E2E_PASSWORD");
const TOKEN = env("E2E_TOKEN");

const problems = [];
const expected = []; // [method, path suffix, status] the test provokes on purpose
const figures = [];
const step = (text) => console.log(`console e2e: ${text}`);

function bundleSize() {
  const dist = env("E2E_DIST");
  let raw = 0;
  let gz = 0;
  const files = ["index.html", ...readdirSync(`${dist}/assets`).map((f) => `assets/${f}`)];
  for (const f of files) {
    const data = readFileSync(`${dist}/${f}`);
    raw += data.length;
    gz += gzipSync(data, { level: 9 }).length;
  }
  return { raw, gz };
}

// API calls from the test itself (not the browser), trusting the test server's self-signed certificate.
const http = await request.newContext({ ignoreHTTPSErrors: true });
async function getAs(token, path) {
  const response = await http.get(`${URL}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status(), body: response.status() === 200 ? await response.json() : null };
}

const browser = await chromium.launch({ executablePath: env("E2E_CHROMIUM"), headless: true, args: ["--no-sandbox"] });
const context = await browser.newContext({ ignoreHTTPSErrors: true, timezoneId: "Asia/Tokyo", viewport: { width: 1400, height: 900 } });
const page = await context.newPage();
page.on("console", (m) => {
  if (m.type() === "error") {
    const loc = m.location()?.url ?? "";
    if (expected.some(([, path, status]) => m.text().includes(`status of ${status}`) && loc.includes(path))) return;
    problems.push(`console error: ${m.text()} (${loc})`);
  }
});
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
// A read still in flight when the test navigates to the next page is cancelled by the browser
// (net::ERR_ABORTED): that is navigation, not a failure of the console. Any other failed request,
// and an aborted write, is a problem.
page.on("requestfailed", (r) => {
  const text = r.failure()?.errorText;
  if (text === "net::ERR_ABORTED" && r.method() === "GET") return;
  problems.push(`request failed: ${r.method()} ${r.url()}: ${text}`);
});
page.on("response", (r) => {
  if (r.status() < 400) return;
  const req = r.request();
  const ok = expected.some(([method, path, status]) => req.method() === method && r.url().endsWith(path) && r.status() === status);
  if (!ok) problems.push(`HTTP ${r.status()}: ${req.method()} ${r.url()}`);
});
const shot = async (name) => page.screenshot({ path: `${OUT}/${name}.png`, fullPage: true });
const check = (cond, what) => {
  if (!cond) throw new Error(`check failed: ${what}`);
};
// Speed targets are printed (met or MISSED); they fail the run only with E2E_STRICT_TIMING=1.
const STRICT_TIMING = process.env.E2E_STRICT_TIMING === "1";
const checkTiming = (cond, what) => {
  if (STRICT_TIMING) check(cond, what);
  console.log(`console e2e: target ${cond ? "met" : "MISSED"}: ${what}`);
};


try {
  // --- First load. The very first navigation of a new browser also pays for starting its renderer
  // and the TLS handshake; a second, fresh context (empty cache, no cookies: a new user) shows what
  // the console itself costs. Both are printed; the target applies to the second.
  const loadOnce = async (p) => {
    const t0 = Date.now();
    await p.goto(`${URL}/`, { waitUntil: "load" });
    await p.getByLabel("Password").waitFor();
    const wall = Date.now() - t0;
    const inPage = await p.evaluate(() => Math.round(performance.now()));
    const parts = await p.evaluate(() => {
      const n = performance.getEntriesByType("navigation")[0];
      const r = (x) => Math.round(x);
      const res = performance.getEntriesByType("resource").map((e) => `${e.name.replace(/^.*\//, "")} ${r(e.startTime)}-${r(e.responseEnd)}`);
      return `connect ${r(n.connectStart)}-${r(n.connectEnd)}, html ${r(n.requestStart)}-${r(n.responseEnd)}, DOMContentLoaded ${r(n.domContentLoadedEventEnd)}, load ${r(n.loadEventEnd)}; ${res.join(", ")}`;
    });
    return { wall, inPage, parts };
  };
  const cold = await loadOnce(page);
  const fresh = [];
  for (let i = 0; i < 3; i++) {
    const freshContext = await browser.newContext({ ignoreHTTPSErrors: true });
    fresh.push(await loadOnce(await freshContext.newPage()));
    await freshContext.close();
  }
  fresh.sort((a, b) => a.wall - b.wall);
  const typical = fresh[1];
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  figures.push(`first page load (new browser): ${cold.wall} ms to a usable sign-in form`);
  figures.push(`first page load (fresh context, empty cache, median of 3: ${fresh.map((f) => f.wall).join("/")} ms): ${typical.wall} ms to a usable sign-in form; ${typical.parts} (machine load average ${load})`);
  const firstLoad = typical.wall;
  const { raw, gz } = bundleSize();
  figures.push(`bundle: ${(raw / 1024).toFixed(1)} kB, ${(gz / 1024).toFixed(1)} kB gzipped (limit 300 kB)`);
  check(gz < 300 * 1024, "bundle under 300 kB gzipped");
  checkTiming(firstLoad < 1000, `first page load under 1 s (was ${firstLoad} ms)`);
  const favicon = await page.evaluate(async () => (await fetch("/favicon.svg")).status);
  check(favicon === 200, "favicon served");
  await shot("01-sign-in");

  step("a wrong password shows the server's message");
  expected.push(["POST", "/api/v1/session", 401]);
  await page.getByLabel("Tenant (name or id)").fill(env("E2E_TENANT"));
  await page.getByLabel("User name").fill(env("E2E_USER"));
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "wrong tenant, user name or password" }).waitFor();
  expected.pop();

  // The dashboard reads the baseline trend and the malware summary; on a server without those
  // capabilities they answer 404 and the dashboard shows "not available yet" (allowed then only).
  const optionalRoutes = {};
  for (const path of ["/api/v1/baseline/trend?days=30", "/api/v1/malware/summary"]) {
    const { status } = await getAs(TOKEN, path);
    check(status === 200 || status === 404, `${path} answers 200 or 404 (was ${status})`);
    optionalRoutes[path] = status === 200;
    if (status === 404) expected.push(["GET", path, 404]);
  }

  step("sign in");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === "__Host-rampart_session");
  check(session && session.httpOnly && session.secure && session.sameSite === "Strict", "session cookie is HttpOnly, Secure, SameSite=Strict");
  check(!(await page.evaluate(() => document.cookie)).includes("rampart_session"), "the page's scripts cannot read the session cookie");
  await page.locator(".tile-n").first().waitFor();
  const total = Number(await page.locator(".tile-n").first().textContent());
  check(total === Number(env("E2E_BULK")) + 1, `dashboard counts every host (${total})`);

  step("dashboard: trend charts render with text alternatives; the riskiest host links to its page");
  const dashStart = Date.now();
  const panel = (id) => page.locator(`[data-chart="${id}"]`);
  // Every panel leaves its loading state: a chart, an empty state or "not available yet".
  for (const id of ["events-per-day", "vulns-per-day", "baseline-pass-rate", "malware-per-day"]) {
    await panel(id).locator("figure, .state").first().waitFor();
    await page.waitForFunction((sel) => !document.querySelector(`${sel} [role="status"]`), `[data-chart="${id}"]`);
  }
  figures.push(`dashboard: overview, 4 trend panels rendered ${Date.now() - dashStart} ms after the first tile`);
  // The brute-force incident sent before the daemon started is today's: the events chart (Chartist's
  // SVG: one <line class="ct-bar" ct:value="n"> per day and level, in a group classed by the level)
  // has bars, a summary and a 30-row data table for screen readers.
  const events = panel("events-per-day");
  // A column is a vertical SVG line (no width), which playwright calls hidden: wait for it in the DOM.
  await events.locator("svg line.ct-bar").first().waitFor({ state: "attached" });
  check((await events.locator(".ct-host").getAttribute("aria-hidden")) === "true", "the drawing is hidden from assistive technology (the summary and table carry the data)");
  check((await events.locator("table.sr-only tbody tr").count()) === 30, "the events chart has a 30-day data table");
  check(/ events? in all/.test(await events.locator(".chart-summary").textContent()), "the events chart has a text summary");
  check((await events.locator("figure").getAttribute("aria-describedby")) === "events-per-day-summary", "the chart figure is described by its summary");
  const perDay = (await getAs(TOKEN, `/api/v1/stats/events?days=30&tz_offset=540`)).body;
  const apiTotal = perDay.days.reduce((n, d) => n + d.total, 0);
  const tableTotal = (await events.locator("table.sr-only tbody tr td:last-child").allTextContents()).reduce((n, t) => n + Number(t), 0);
  check(apiTotal >= 1 && tableTotal === apiTotal, `the chart's data table shows the API's events per day (${tableTotal} vs ${apiTotal})`);
  // What is drawn: per level, the bars' values day by day equal the API's (a zero day draws a
  // zero-length bar, so every level has 30 bars in day order).
  for (const level of ["critical", "high", "medium", "low"]) {
    const drawn = await events.locator(`svg g.ct-series.bar-${level} line.ct-bar`).evaluateAll((bars) => bars.map((b) => Number(b.getAttribute("ct:value"))));
    const api = perDay.days.map((d) => d.by_level[level] ?? 0);
    check(drawn.length === 30 && drawn.every((v, i) => v === api[i]), `the events chart draws the API's ${level} events per day (${drawn.join(",")} vs ${api.join(",")})`);
  }
  const heights = await events.locator("svg line.ct-bar").evaluateAll((bars) => bars.map((b) => Math.abs(Number(b.getAttribute("y2")) - Number(b.getAttribute("y1")))));
  check(heights.some((h) => h > 5), "the events chart draws visible columns");
  // The open-events-by-level bars: each level's bar is labelled with the overview's count.
  const overviewNow = (await getAs(TOKEN, "/api/v1/stats/overview")).body;
  const byLevel = page.locator("figure.chart", { has: page.locator("figcaption", { hasText: "Open events by level" }) });
  await byLevel.locator("svg text.ct-value").first().waitFor({ state: "attached" });
  for (const level of ["critical", "high", "medium", "low"]) {
    const shown = await byLevel.locator(`svg g.ct-series.bar-${level} text.ct-value`).allTextContents();
    const want = overviewNow.events.by_level[level] ?? 0;
    check(shown.length === 1 && Number(shown[0]) === want, `open events by level: ${level} drawn as ${shown.join(",")} (API ${want})`);
  }
  for (const [path, id] of [["/api/v1/baseline/trend?days=30", "baseline-pass-rate"], ["/api/v1/malware/summary", "malware-per-day"]]) {
    if (!optionalRoutes[path]) await panel(id).getByText("Not available yet").waitFor();
  }
  // The baseline pass rate (history inserted by console_e2e.sh on three past days, one missing between
  // them): a line whose points are the API's rates in percent, broken where a day has no results,
  // and every day without results marked as a gap.
  if (optionalRoutes["/api/v1/baseline/trend?days=30"]) {
    const base = panel("baseline-pass-rate");
    await base.locator("svg .ct-point").first().waitFor({ state: "attached" });
    const labels = await base.locator("table.sr-only tbody th").allTextContents();
    const byDate = new Map((await getAs(TOKEN, "/api/v1/baseline/trend?days=30")).body.days.map((d) => [d.date, d.pass_rate]));
    const withData = labels.filter((l) => byDate.has(l));
    const points = await base.locator("svg .ct-point").evaluateAll((ps) => ps.map((p) => Number(p.getAttribute("ct:value"))));
    const want = withData.map((l) => Math.round(Math.min(1, Math.max(0, byDate.get(l))) * 1000) / 10);
    check(withData.length >= 3 && JSON.stringify(points) === JSON.stringify(want), `the pass-rate line has the API's rates (${points} vs ${want})`);
    check((await base.locator("svg line.ct-gap").count()) === labels.length - withData.length, "each day without baseline results is marked as a gap");
    const moves = ((await base.locator("svg path.ct-line").getAttribute("d")) ?? "").match(/M/g)?.length ?? 0;
    check(moves >= 2, `the pass-rate line breaks at a day without results (${moves} segments)`);
  }
  // The vulnerability trend: today's live count once the advisory matched this machine's bash.
  const vulnText = await panel("vulns-per-day").textContent();
  figures.push(`dashboard vulnerability trend: ${/ findings? in all/.test(vulnText) ? "chart" : "empty state (no findings matched yet)"}`);
  if (/ findings? in all/.test(vulnText)) {
    // Days without a snapshot are gaps, not zeros: no bar, a dashed mark on the axis, "no data" in the
    // table; the days with data draw the API's counts per severity.
    const vulns = panel("vulns-per-day");
    await vulns.locator("svg line.ct-bar").first().waitFor({ state: "attached" });
    const labels = await vulns.locator("table.sr-only tbody th").allTextContents();
    const byDate = new Map((await getAs(TOKEN, "/api/v1/stats/vulnerabilities?days=30")).body.days.map((d) => [d.date, d]));
    const withData = labels.filter((l) => byDate.has(l));
    check(withData.length >= 1, `the vulnerability chart has a day with data (${labels[0]}..${labels[labels.length - 1]})`);
    check((await vulns.locator("svg line.ct-gap").count()) === labels.length - withData.length, "each day without a snapshot is marked as a gap");
    check((await vulns.locator("table.sr-only tbody td", { hasText: "no data" }).count()) === (labels.length - withData.length) * 5, "the data table says no data for those days");
    for (const sev of ["critical", "high", "medium", "low", "unknown"]) {
      const drawn = await vulns.locator(`svg g.ct-series.bar-${sev} line.ct-bar`).evaluateAll((bars) => bars.map((b) => Number(b.getAttribute("ct:value"))));
      const api = withData.map((l) => byDate.get(l).by_severity[sev] ?? 0);
      check(JSON.stringify(drawn) === JSON.stringify(api), `the vulnerability chart draws the API's ${sev} findings (${drawn} vs ${api})`);
    }
  }
  // The stats routes on this tenant (10,001 hosts): median of five calls each, from the test driver.
  for (const path of ["/api/v1/stats/overview", "/api/v1/stats/events?days=90&tz_offset=540", "/api/v1/stats/vulnerabilities?days=90"]) {
    const ms = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      check((await getAs(TOKEN, path)).status === 200, `${path} answers`);
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    figures.push(`${path}: median ${ms[2].toFixed(1)} ms, worst ${ms[4].toFixed(1)} ms (5 calls, 10,001 hosts)`);
  }
  // The bulk hosts carry risk counters (scores up to 13); the riskiest comes first and links to its page.
  const riskyTable = page.getByRole("table", { name: "Hosts with the most open risks" });
  const risky = riskyTable.getByRole("link").first();
  await risky.waitFor();
  check((await riskyTable.locator("tbody tr").count()) === 10, "ten riskiest hosts");
  const scores = (await riskyTable.locator("tbody tr td:nth-child(3)").allTextContents()).map(Number);
  check(scores.every((v, i) => i === 0 || scores[i - 1] >= v) && scores[0] > 0, `risky hosts ranked by score (${scores.join(",")})`);
  await shot("02-dashboard");
  // Colours come from our CSS, per level, in both themes: the drawn bars take their level's tone, and
  // the axis text follows the theme (the dark screenshot is an artifact too).
  const toneOf = async (theme) => {
    await page.emulateMedia({ colorScheme: theme });
    return events.evaluate((el) => {
      const bar = el.querySelector("g.ct-series.bar-high line.ct-bar, g.ct-series.bar-critical line.ct-bar");
      const label = el.querySelector(".ct-label");
      return { bar: bar ? getComputedStyle(bar).stroke : "", label: label ? getComputedStyle(label).color : "" };
    });
  };
  const light = await toneOf("light");
  const dark = await toneOf("dark");
  check(/^rgb\(180, 35, 24\)$|^rgb\(232, 89, 12\)$/.test(light.bar) && light.bar === dark.bar, `bars take their level's colour in both themes (${light.bar}, ${dark.bar})`);
  check(light.label !== "" && light.label !== dark.label, `axis labels follow the theme (${light.label} / ${dark.label})`);
  await shot("02b-dashboard-dark");
  await page.emulateMedia({ colorScheme: "light" });
  const riskyName = (await risky.textContent()).trim();
  await risky.click();
  await page.getByRole("heading", { name: riskyName }).waitFor();
  await page.getByRole("link", { name: "Dashboard", exact: true }).click();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();

  step("the agent's host is ONLINE in the hosts table");
  await page.getByRole("link", { name: "Hosts", exact: true }).click();
  await page.getByRole("heading", { name: "Hosts" }).waitFor();
  await page.locator("tbody tr").first().waitFor();

  // Hosts page: time per page across 10k hosts (the API call and the rendered table).
  const times = [];
  const apiTimes = [];
  // Measured inside the page (click to the new rows painted), so the figure is what a user waits,
  // without the test driver's own round trips.
  for (let i = 0; i < 10; i++) {
    const ms = await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const first = () => document.querySelector("tbody tr")?.textContent ?? "";
          const before = first();
          const next = [...document.querySelectorAll("button")].find((b) => b.textContent?.includes("Next"));
          if (!next) return reject(new Error("no Next button"));
          if (next.disabled) return resolve(-1); // the last page
          setTimeout(() => reject(new Error("the next page did not render within 10 s")), 10000);
          const start = performance.now();
          const observer = new MutationObserver(() => {
            if (first() !== before && !document.querySelector(".table-wrap[aria-busy='true']")) {
              observer.disconnect();
              requestAnimationFrame(() => resolve(performance.now() - start));
            }
          });
          observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
          next.click();
        }),
    );
    if (ms < 0) break;
    times.push(Math.round(ms));
    apiTimes.push(Number((await page.getByTestId("page-time").textContent()).replace(/\D/g, "")));
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const worst = sorted[sorted.length - 1];
  const apiMedian = [...apiTimes].sort((a, b) => a - b)[Math.floor(apiTimes.length / 2)];
  figures.push(`hosts page with ${Number(env("E2E_BULK")) + 1} hosts, 50 per page: median ${median} ms, worst ${worst} ms per page (click to new rows painted, measured in the page); API call median ${apiMedian} ms`);
  // The median, not the worst: on a shared build machine one page in ten can lose the CPU to another job.
  checkTiming(median < 200, `hosts pages under 200 ms (median ${median} ms, worst ${worst} ms)`);
  // Sorting and filters go through the API too.
  await page.getByRole("button", { name: /Last seen/ }).click();
  await page.waitForURL(/sort=last_seen/);
  await page.getByLabel("Status").selectOption("OFFLINE");
  await page.waitForURL(/status=OFFLINE/);
  await page.getByLabel("Status").selectOption("");
  await page.getByLabel("Hostname contains").fill(HOST);
  await page.getByRole("button", { name: "Search" }).click();
  const row = page.locator("tbody tr", { hasText: HOST });
  await row.waitFor();
  check((await row.locator(".badge").textContent()) === "ONLINE", "the agent's host is ONLINE");
  await shot("03-hosts");

  step("host detail, ports tab");
  await row.getByRole("link", { name: HOST }).click();
  await page.getByRole("heading", { name: HOST }).waitFor();
  await shot("04-host-detail");
  await page.getByRole("tab", { name: /Ports/ }).click();
  await page.waitForURL(/tab=ports/);
  await page.getByRole("tabpanel", { name: "Ports" }).locator("th", { hasText: "port" }).first().waitFor();
  const portRows = await page.getByRole("tabpanel", { name: "Ports" }).locator("tbody tr").count();
  figures.push(`ports tab: ${portRows} rows for ${HOST}`);
  check(portRows > 0, "the ports tab lists this machine's listening ports");
  await shot("05-host-ports");
  // The tabs follow the WAI-ARIA pattern: one tab stop, arrow keys move focus along the list without
  // loading anything (manual activation), Enter opens the focused tab; the panel is labelled by it.
  const portsTab = page.getByRole("tab", { name: /Ports/ });
  check((await portsTab.getAttribute("aria-selected")) === "true", "the open tab is selected");
  const panelId = await portsTab.getAttribute("aria-controls");
  check(panelId && (await page.locator(`[id="${panelId}"]`).getAttribute("role")) === "tabpanel", "the tab controls its tabpanel");
  check((await page.getByRole("tablist").locator('[role="tab"][tabindex="0"]').count()) === 1, "the tab list is a single tab stop");
  await portsTab.focus();
  await page.keyboard.press("ArrowRight");
  const focusedName = await page.evaluate(() => document.activeElement?.textContent ?? "");
  check(/^Processes/.test(focusedName) && /tab=ports/.test(page.url()), `ArrowRight moves focus to the next tab without opening it (${focusedName.trim()})`);
  await page.keyboard.press("Enter");
  await page.waitForURL(/tab=processes/);
  await page.getByRole("tabpanel", { name: "Processes" }).locator("tbody tr").first().waitFor();
  check((await page.getByRole("tab", { name: /Processes/ }).getAttribute("aria-selected")) === "true", "Enter opens the focused tab");

  step("fingerprints across the fleet");
  await page.getByRole("link", { name: "Fingerprints", exact: true }).click();
  await page.getByRole("heading", { name: "Fingerprints across the fleet" }).waitFor();
  await page.getByLabel("Category").selectOption("ports");
  await page.locator("tbody tr").first().waitFor();
  await shot("06-fingerprints");

  step("change a setting; it persists after a reload");
  await page.getByRole("link", { name: "Settings", exact: true }).click();
  const beat = page.getByLabel("agent.heartbeat_seconds");
  await beat.waitFor();
  await beat.fill("3");
  await page.getByText("At least 5.").waitFor();
  check(await page.getByRole("button", { name: "Save settings" }).isDisabled(), "an invalid value cannot be saved");
  await beat.fill("45");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByText(/^Saved\./).waitFor();
  await page.reload();
  await page.getByLabel("agent.heartbeat_seconds").waitFor();
  check((await page.getByLabel("agent.heartbeat_seconds").inputValue()) === "45", "the setting is 45 after a reload");
  const stored = (await getAs(TOKEN, "/api/v1/settings")).body;
  check(stored?.settings?.agent?.heartbeat_seconds === 45, "the API has the new setting");

  step("settings: a custom brute-force rule (an out-of-range window refused next to the field first)");
  await page.getByRole("button", { name: "Add brute_force.rules entry" }).click();
  const window0 = page.getByLabel("brute_force.rules entry 1 window seconds");
  await window0.fill("5");
  await page.getByLabel("brute_force.rules entry 1 max failures").fill("20");
  await page.locator("#setting-brute_force-rules-0-window_seconds-error", { hasText: "At least 10." }).waitFor();
  check(await page.getByRole("button", { name: "Save settings" }).isDisabled(), "an invalid rule cannot be saved");
  await window0.fill("3600");
  await page.getByLabel("brute_force.rules entry 1 level").selectOption("critical");
  await page.getByRole("button", { name: "Add login.whitelist_users entry" }).click();
  await page.getByLabel("login.whitelist_users entry 1 user").fill("deploy");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByText(/^Saved\./).waitFor();
  await page.reload();
  await page.getByLabel("brute_force.rules entry 1 window seconds").waitFor();
  check((await page.getByLabel("brute_force.rules entry 1 window seconds").inputValue()) === "3600", "the rule is there after a reload");
  const rules = (await getAs(TOKEN, "/api/v1/settings")).body?.settings;
  check(JSON.stringify(rules?.brute_force?.rules) === JSON.stringify([{ window_seconds: 3600, max_failures: 20, level: "critical" }]), `the API has the rule (${JSON.stringify(rules?.brute_force?.rules)})`);
  check(JSON.stringify(rules?.login?.whitelist_users) === JSON.stringify([{ user: "deploy", hosts: "all" }]), "the API has the user whitelist entry");
  check(rules?.agent?.heartbeat_seconds === 45, "the earlier change is kept");
  await shot("07-settings");
  // Back to no custom rule and no user whitelist (later steps expect the defaults).
  await page.getByRole("button", { name: "Remove brute_force.rules entry 1" }).click();
  await page.getByRole("button", { name: "Remove login.whitelist_users entry 1" }).click();
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByText(/^Saved\./).waitFor();
  const cleared = (await getAs(TOKEN, "/api/v1/settings")).body?.settings;
  check((cleared?.brute_force?.rules ?? []).length === 0 && (cleared?.login?.whitelist_users ?? []).length === 0, "rule and user entry removed");

  step("create a token (shown once), use it, revoke it");
  await page.getByRole("link", { name: "Users & tokens" }).click();
  await page.getByRole("heading", { name: "API tokens", exact: true }).waitFor();
  await page.getByLabel("Description").fill("e2e token");
  await page.getByRole("button", { name: "Create token" }).click();
  const tokenText = await page.getByTestId("new-token").locator("textarea").inputValue();
  check(/^rpt1\./.test(tokenText), "the new token is shown");
  const me = (await getAs(tokenText, "/api/v1/me")).body;
  check(me?.role === "viewer", "the new token works");
  const tokenId = tokenText.split(".")[1];
  await shot("08-users-tokens");
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: `Revoke ${tokenId}` }).click();
  await page.locator("tr", { hasText: tokenId }).locator(".badge-revoked").waitFor();
  check((await getAs(tokenText, "/api/v1/me")).status === 401, "the revoked token stops working");

  step("handle a login event: filter, mark handled, reload");
  const SOURCE = env("E2E_EVENT_SOURCE");
  await page.getByRole("link", { name: "Events", exact: true }).click();
  await page.getByRole("heading", { name: "Intrusion events" }).waitFor();
  await page.getByLabel("Source").fill(SOURCE);
  await page.getByRole("button", { name: "Search" }).click();
  await page.waitForURL(/source=203\.0\.113\.77/);
  const eventRow = page.getByRole("row").filter({ hasText: SOURCE });
  await eventRow.first().waitFor();
  check((await eventRow.count()) === 1, "the filter shows exactly the one event from that source");
  check((await eventRow.getByText("pending").count()) === 1, "the event is pending");
  check((await eventRow.getByText("high").count()) === 1, "its level badge says high");
  await shot("12-events");
  await page.getByLabel("Level").selectOption("critical");
  await page.getByText("No event matches these filters").waitFor();
  await page.getByLabel("Level").selectOption("");
  await eventRow.first().waitFor();
  await eventRow.getByRole("link", { name: "brute force" }).click();
  await page.getByRole("heading", { name: "brute force" }).waitFor();
  await page.getByLabel("Note (optional, kept with the status)").fill("console e2e: password logins disabled");
  await page.getByRole("button", { name: "Mark handled" }).click();
  await page.getByText("Status set to handled.").waitFor();
  await page.locator(".title-row .badge-handled").waitFor(); // the event reloaded (a page reload would abort it)
  await page.reload();
  await page.getByRole("heading", { name: "brute force" }).waitFor();
  await page.locator(".title-row .badge-handled").waitFor();
  check((await page.getByTestId("event-note").textContent()) === "console e2e: password logins disabled", "the note is kept after a reload");
  await shot("13-event-handled");
  const apiEvents = await getAs(TOKEN, `/api/v1/events?source=${SOURCE}`);
  check(apiEvents.body?.items?.[0]?.status === "handled", "the API says handled too");
  check(/^user:/.test(apiEvents.body?.items?.[0]?.status_changed_by ?? ""), "the change is recorded as the signed-in user's");

  step("bulk: reopen the event from the list");
  await page.goto(`${URL}/events?status=handled&source=${SOURCE}`);
  await eventRow.first().waitFor();
  await page.getByRole("checkbox", { name: /^Select event / }).first().check();
  await page.getByRole("button", { name: "Reopen" }).click();
  await page.getByText("1 event set to pending.").waitFor();
  await page.getByText("No event matches these filters").waitFor();
  check((await getAs(TOKEN, `/api/v1/events?source=${SOURCE}`)).body?.items?.[0]?.status === "pending", "bulk reopen reached the server");

  step("whitelist the event's source on every host, past events included");
  await page.goto(`${URL}/events?source=${SOURCE}`);
  await eventRow.getByRole("link", { name: "brute force" }).click();
  await page.getByRole("heading", { name: "brute force" }).waitFor();
  await page.locator("select[name=whitelist-scope]").selectOption("all");
  // A malformed time window is refused in the form, naming the field, and nothing is sent.
  await page.locator("input[name=whitelist-hours]").fill("8-18");
  await page.getByRole("button", { name: "Whitelist", exact: true }).click();
  await page.getByText(/^Hours: expected HH:MM-HH:MM/).waitFor();
  check((await getAs(TOKEN, `/api/v1/events?source=${SOURCE}`)).body?.items?.[0]?.status === "pending", "a refused scope whitelists nothing");
  await page.locator("input[name=whitelist-hours]").fill("");
  await page.getByLabel("apply to past events").check();
  await page.getByRole("button", { name: "Whitelist", exact: true }).click();
  await page.getByText(/^Whitelisted \(settings version \d+\)/).waitFor();
  await page.locator(".title-row .badge-whitelisted").waitFor();
  check((await getAs(TOKEN, `/api/v1/events?source=${SOURCE}`)).body?.items?.[0]?.status === "whitelisted", "the API says whitelisted");
  const wl = (await getAs(TOKEN, "/api/v1/settings")).body?.settings?.login?.whitelist ?? (await getAs(TOKEN, "/api/v1/settings")).body?.settings?.["login.whitelist"];
  check(JSON.stringify(wl ?? []).includes(SOURCE), `the source is in login.whitelist (${JSON.stringify(wl)})`);

  step("blocked sources page and a refused manual block");
  await page.goto(`${URL}/blocks`);
  await page.getByRole("heading", { name: "Blocked sources" }).waitFor();
  await page.getByLabel("Source", { exact: true }).fill("10.0.0.0/33");
  await page.getByLabel("Host id", { exact: true }).fill("h_none");
  await page.getByRole("button", { name: "Block", exact: true }).click();
  await page.getByText("The prefix length must be 0 to 32.").waitFor();
  await shot("14-blocks");

  step("vulnerabilities: list, detail, host tab");
  const VULN = process.env.E2E_VULN_ID ?? "";
  await page.getByRole("link", { name: "Vulnerabilities", exact: true }).click();
  await page.getByRole("heading", { name: "Vulnerabilities" }).waitFor();
  if (VULN) {
    await page.getByRole("link", { name: VULN }).click();
    await page.getByRole("heading", { name: VULN }).waitFor();
    await page.getByRole("link", { name: HOST }).click();
    await page.getByRole("tab", { name: /Vulnerabilities/ }).waitFor();
    const finding = page.getByRole("row").filter({ hasText: VULN });
    await finding.getByRole("button", { name: "Ignore", exact: true }).click();
    await finding.getByRole("button", { name: "Unignore", exact: true }).waitFor();
    await finding.getByRole("button", { name: "Unignore", exact: true }).click();
    await finding.getByRole("button", { name: "Ignore", exact: true }).waitFor();
    await shot("16-host-vulnerabilities");
    await page.goto(`${URL}/vulnerabilities`);
  } else {
    await page.getByText(/No vulnerability feed imported|No open vulnerabilities/).waitFor();
  }
  const t0 = Date.now();
  await page.getByRole("button", { name: "Scan now" }).click();
  const scanText = await page.getByTestId("scan-result").textContent({ timeout: 60000 });
  figures.push(`vulnerability scan from the console: ${Date.now() - t0} ms (${scanText})`);
  await shot("15-vulnerabilities");
  if (VULN) {
    step("vulnerabilities: an emergency flag and an ignore rule");
    await page.getByRole("link", { name: "Ignore rules and emergencies →" }).click();
    await page.getByRole("heading", { name: "Ignore rules and emergencies" }).waitFor();
    await page.locator("input[name=flag-vuln]").fill(VULN);
    await page.locator("input[name=flag-note]").fill("console e2e");
    await page.getByRole("button", { name: "Flag", exact: true }).click();
    await page.getByRole("button", { name: "Unflag" }).waitFor();
    const flagged = await getAs(TOKEN, "/api/v1/vulnerabilities?emergency=true");
    check(flagged.body?.items?.some((v) => v.id === VULN && v.emergency), "the flag shows in the API's emergency filter");
    await page.getByRole("button", { name: "Add rule" }).click();
    await page.getByText("Give at least a vulnerability id, a package or hosts.").waitFor();
    await page.locator("input[name=rule-package]").fill(await (async () => (await getAs(TOKEN, `/api/v1/vulnerabilities/${VULN}`)).body.items[0].package)());
    await page.locator("input[name=rule-reason]").fill("accepted in the e2e");
    await page.getByRole("button", { name: "Add rule" }).click();
    await page.getByRole("cell", { name: "accepted in the e2e" }).waitFor();
    const ignored = await getAs(TOKEN, `/api/v1/vulnerabilities/${VULN}?status=ignored`);
    check(ignored.body?.items?.[0]?.ignored_by?.startsWith("rule:"), "the rule ignores the finding");
    await shot("17-vulnerability-rules");
    page.once("dialog", (d) => d.accept());
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByText("No ignore rules").waitFor();
    await page.getByRole("button", { name: "Unflag" }).click();
    await page.getByText("No emergencies flagged").waitFor();
    const reopened = await getAs(TOKEN, `/api/v1/vulnerabilities/${VULN}?status=pending`);
    check(reopened.body?.items?.length === 1, "deleting the rule makes the finding pending again");
  }

  step("a route whose last segment has a dot (a vulnerability id) reloads into the console");
  const dotted = ["GET", "/api/v1/vulnerabilities/DSA-5555-1.2?limit=100", 404];
  expected.push(dotted);
  const dottedDoc = await page.goto(`${URL}/vulnerabilities/DSA-5555-1.2`);
  check(dottedDoc.status() === 200 && (dottedDoc.headers()["content-type"] ?? "").startsWith("text/html"), `the console is served for /vulnerabilities/DSA-5555-1.2 (HTTP ${dottedDoc.status()})`);
  // The console's own answer: the API's "not found" shown as a message, not a blank page.
  await page.getByRole("alert").filter({ hasText: /DSA-5555-1\.2|not found|no such/i }).first().waitFor();
  expected.splice(expected.indexOf(dotted), 1);

  step("agents: a fresh enrolment command");
  await page.getByRole("link", { name: "Agents" }).click();
  await page.getByRole("button", { name: "New enrolment command" }).click();
  const command = await page.getByLabel("Run on the new host (shown once)").inputValue();
  check(command.includes("rampart agent") && command.includes("rpe1."), `enrolment command: ${command}`);
  await shot("09-agents");

  step("sign out");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByText("You are signed out.").waitFor();
  await shot("10-signed-out");
  const state = await page.evaluate(async () => (await fetch("/api/v1/session")).json());
  check(state.signed_in === false, "the session is gone after sign-out");

  step("a viewer sees no buttons that would fail");
  await page.getByLabel("User name").fill(env("E2E_VIEWER"));
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  check((await page.getByRole("link", { name: "Users & tokens" }).count()) === 0, "no users page for a viewer");
  check((await page.getByRole("link", { name: "Agents" }).count()) === 0, "no agents page for a viewer");
  await page.goto(`${URL}/settings`);
  await page.getByLabel("agent.heartbeat_seconds").waitFor();
  check(await page.getByLabel("agent.heartbeat_seconds").isDisabled(), "settings are read-only for a viewer");
  check((await page.getByRole("button", { name: "Save settings" }).count()) === 0, "no save button for a viewer");
  await page.goto(`${URL}/hosts?q=${encodeURIComponent(HOST)}`);
  await page.getByRole("link", { name: HOST }).click();
  await page.getByRole("heading", { name: HOST }).waitFor();
  check((await page.getByRole("button", { name: "Delete host" }).count()) === 0, "no delete button for a viewer");
  await shot("11-viewer-host");
  await page.goto(`${URL}/events`);
  await page.getByRole("row").filter({ hasText: SOURCE }).first().waitFor();
  check((await page.getByRole("checkbox").count()) === 0, "no selection boxes for a viewer");
  check((await page.getByRole("button", { name: "Reopen" }).count()) === 0, "no bulk actions for a viewer");
  await page.getByRole("row").filter({ hasText: SOURCE }).getByRole("link", { name: "brute force" }).click();
  await page.getByRole("heading", { name: "brute force" }).waitFor();
  check((await page.getByRole("button", { name: /Mark handled|Ignore|Whitelist|Block/ }).count()) === 0, "no handling buttons for a viewer");
  await page.goto(`${URL}/vulnerabilities`);
  await page.getByRole("heading", { name: "Vulnerabilities" }).waitFor();
  check((await page.getByRole("button", { name: "Scan now" }).count()) === 0, "no scan button for a viewer");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByText("You are signed out.").waitFor();

} catch (e) {
  problems.push(String(e?.stack ?? e));
  await shot("failure").catch(() => {});
} finally {
  await browser.close();
  await http.dispose();
}

for (const f of figures) console.log(`console e2e: ${f}`);
if (problems.length) {
  for (const p of problems) console.error(`console e2e: FAIL: ${p}`);
  process.exit(1);
}
console.log("console e2e: every step passed with no console errors or failed requests");
