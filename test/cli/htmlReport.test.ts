import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import test, { type ExecutionContext } from "ava";
import { chromium, type Browser, type Page } from "playwright-core";
import { renderHtmlReport } from "../../cli/htmlReport.js";
import { DrClient, SAMPLE_TOPOLOGY, createFakeBackend, provisionEstate, runDrill, topologySchema, type DrillReport } from "../../sdk/index.js";

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
/** The timeline's colour of a failed bar (cli/htmlReport.ts FAILED_COLOUR, #dc2626). */
const FAILED_RGB: [number, number, number] = [220, 38, 38];

/** A full-cycle drill of the sample estate on the embedded fake; with `failGroup2`, the next (test) failover of web-1 (boot group 2) fails. */
async function drill(failGroup2: boolean): Promise<DrillReport> {
  const backend = await createFakeBackend({ replicationBandwidthMBps: 512 });
  const dr = new DrClient(backend);
  try {
    const topology = topologySchema.parse(SAMPLE_TOPOLOGY);
    const estate = await provisionEstate(dr, topology, backend.subscriptionId);
    if (failGroup2) backend.emulator.control.failFailover({ target: estate.protectedVmIds.get("web-1"), code: "AzureVmCreationFailed" });
    return await runDrill(dr, { vault: estate.vault, testNetworkId: topology.network.testNetworkId, backend: "fake", full: true });
  } finally {
    await dr.close();
  }
}

let passedReport: Promise<DrillReport> | undefined;
let failedReport: Promise<DrillReport> | undefined;
const passed = (): Promise<DrillReport> => (passedReport ??= drill(false));
const failed = (): Promise<DrillReport> => (failedReport ??= drill(true));

let browser: Promise<Browser> | undefined;
const launch = (): Promise<Browser> => (browser ??= chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }));
test.after.always(async () => {
  if (browser !== undefined) await (await browser).close();
});

interface OpenedReport {
  page: Page;
  url: string;
  /** Every request the page made, by URL. */
  requests: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
}

/** Writes the page to a new temporary directory and opens it from file:// until its chart is drawn. */
async function open(t: ExecutionContext, html: string): Promise<OpenedReport> {
  const dir = mkdtempSync(join(tmpdir(), "azure-dr-html-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "drill-report.html");
  writeFileSync(file, html);
  const context = await (await launch()).newContext({ viewport: { width: 1280, height: 900 } });
  t.teardown(() => context.close());
  const requests: string[] = [];
  const errors: string[] = [];
  context.on("request", (request) => requests.push(request.url()));
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`page: ${error.message}`));
  const url = pathToFileURL(file).href;
  await page.goto(url, { waitUntil: "load" });
  await page.waitForFunction(() => (globalThis as { drillChartReady?: boolean }).drillChartReady === true, undefined, { timeout: 20_000 });
  return { page, url, requests, errors };
}

interface CanvasPixels {
  width: number;
  height: number;
  cssWidth: number;
  cssHeight: number;
  painted: number;
  failedColour: number;
}

/** What the page's functions below use of the DOM (the tests compile without the DOM library). */
interface CanvasLike {
  width: number;
  height: number;
  clientWidth: number;
  clientHeight: number;
  getContext(kind: "2d"): { getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray } } | null;
}
interface ChartLike {
  data: { labels: string[]; datasets: { backgroundColor: string[]; data: [number, number][] }[] };
}
interface PageGlobals {
  document: { getElementById(id: string): CanvasLike | null };
  Chart: { getChart(id: string): ChartLike | undefined };
}

/** The timeline canvas: its size, how many pixels are painted, how many have the colour of a failed bar. */
function canvasPixels(page: Page): Promise<CanvasPixels> {
  return page.evaluate((rgb) => {
    const canvas = (globalThis as unknown as PageGlobals).document.getElementById("timeline");
    const context = canvas?.getContext("2d");
    if (canvas === null || canvas === undefined || context === null || context === undefined) throw new Error("no 2d canvas #timeline");
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    let failedColour = 0;
    for (let i = 0; i < data.length; i += 4) {
      if ((data[i + 3] ?? 0) > 0) painted++;
      if (data[i] === rgb[0] && data[i + 1] === rgb[1] && data[i + 2] === rgb[2] && data[i + 3] === 255) failedColour++;
    }
    return { width: canvas.width, height: canvas.height, cssWidth: canvas.clientWidth, cssHeight: canvas.clientHeight, painted, failedColour };
  }, FAILED_RGB);
}

interface ChartState {
  labels: string[];
  colours: string[];
  data: [number, number][];
}

function chartState(page: Page): Promise<ChartState> {
  return page.evaluate(() => {
    const chart = (globalThis as unknown as PageGlobals).Chart.getChart("timeline");
    if (chart === undefined) throw new Error("no chart on #timeline");
    const dataset = chart.data.datasets[0];
    return {
      labels: [...chart.data.labels],
      colours: [...(dataset?.backgroundColor ?? [])],
      data: (dataset?.data ?? []).map((d) => [d[0], d[1]] as [number, number]),
    };
  });
}

const vmNames = (report: DrillReport): string[] => [...new Set(report.plans.flatMap((p) => p.steps.flatMap((s) => s.items.map((i) => i.friendlyName))))].sort();
const label = (labels: string[], text: string): number => labels.findIndex((l) => l.trim() === text);

test("the report of a passed full-cycle drill opens offline in Chromium, with its summary and a drawn timeline", async (t) => {
  const report = await passed();
  t.is(report.outcome, "passed");
  const plan = report.plans[0];
  if (plan === undefined) return t.fail("the drill reported no plan");
  t.is(report.plans.length, 1);
  t.true(plan.rpoSeconds !== undefined && plan.rtoSeconds !== undefined, "the drill reports the RPO and RTO reached");
  const { page, url, requests, errors } = await open(t, renderHtmlReport(report));

  t.deepEqual(requests, [url], "the page loads nothing but itself");
  t.deepEqual(errors, []);
  t.is(await page.title(), "DR drill shop-vault: passed");
  t.regex(await page.locator("header h1").innerText(), /shop-vault\s+passed/i);

  const pixels = await canvasPixels(page);
  t.true(pixels.cssWidth >= 600 && pixels.cssHeight >= 600, `canvas of ${pixels.cssWidth}x${pixels.cssHeight} CSS pixels`);
  t.true(pixels.width >= pixels.cssWidth && pixels.height >= pixels.cssHeight);
  t.true(pixels.painted > 20_000, `${pixels.painted} painted pixels`);
  t.is(pixels.failedColour, 0, "no red bar when everything succeeded");

  const chart = await chartState(page);
  t.is(chart.labels.length, chart.data.length);
  for (const step of plan.steps) t.true(label(chart.labels, step.name) >= 0, `a row for the step '${step.name}'`);
  t.deepEqual(vmNames(report), ["db-1", "db-2", "web-1", "web-2"]);
  for (const vm of vmNames(report))
    t.is(chart.labels.filter((l) => l.trim() === `VM ${vm}`).length, 3, `a row for ${vm} in the test failover, the failover and the failback`);
  for (const task of ["Group 1: start 2 virtual machine(s)", "Group 2: start 2 virtual machine(s)", "Group 1 (end): manual action 'check-db'"])
    t.true(label(chart.labels, task) >= 0, `a row for the task '${task}'`);
  t.true(
    chart.data.every(([start, end]) => start >= 0 && end >= start),
    "bars are [start, end] seconds",
  );
  const testFailover = plan.steps[0];
  const row = label(chart.labels, "test failover");
  t.deepEqual(chart.data[row], [0, testFailover?.durationSeconds ?? NaN], "the first step starts the timeline");

  const summary = page.locator("#summary tbody tr");
  t.is(await summary.count(), 1);
  const cells = await summary.first().locator("th, td").allInnerTexts();
  t.is(cells[0], "shop");
  t.is(cells[1], "passed");
  t.regex(cells[2] ?? "", new RegExp(`^${plan.rpoSeconds} s\\b`));
  t.regex(cells[3] ?? "", new RegExp(`^${plan.rtoSeconds} s\\b`));
  t.is(cells[4], "Azure to Azure");
  t.deepEqual(await page.locator("#summary thead th").allTextContents(), ["Plan", "Outcome", "RPO reached", "RTO reached", "Scenario", "Steps", "Failures"]);

  const steps = await page.locator("table.steps tbody th").allInnerTexts();
  t.deepEqual(
    steps,
    plan.steps.map((s) => s.name),
  );
  t.is(await page.locator("table.readiness tbody tr").count(), plan.readiness.length);
  t.is(await page.locator("section.callout").count(), 0, "no next steps after a passed drill");
});

test("the report of a drill whose (test) failover failed in group 2 shows the failure's code and a red bar", async (t) => {
  const report = await failed();
  t.is(report.outcome, "failed");
  const step = report.plans[0]?.steps.find((s) => s.state === "Failed");
  if (step?.error === undefined) return t.fail("the drill reported no failed step with an error");
  t.true(step.name === "test failover" || step.name === "failover", `the fault fails a (test) failover, not ${step.name}`);
  t.regex(step.error.message, /AzureVmCreationFailed/);
  const { page, url, requests, errors } = await open(t, renderHtmlReport(report));

  t.deepEqual(requests, [url]);
  t.deepEqual(errors, []);
  t.regex(await page.locator("header h1").innerText(), /shop-vault\s+failed/i);
  t.regex(await page.locator("#summary tbody tr").first().innerText(), new RegExp(`shop\\s+failed[\\s\\S]*${step.error.code}`));
  const failures = await page.locator(".failures").innerText();
  t.true(failures.includes(step.error.code), failures);
  t.true(failures.includes("AzureVmCreationFailed"), failures);
  t.true((await page.locator("table.steps tr.error-row").innerText()).includes(step.error.code));
  t.is(await page.locator("section.callout").count(), report.nextSteps.length === 0 ? 0 : 1);
  for (const command of report.nextSteps) t.true((await page.locator("section.callout").innerText()).includes(command));

  const chart = await chartState(page);
  const red = chart.labels.flatMap((l, i) => (chart.colours[i] === "#dc2626" ? [l.trim()] : []));
  t.deepEqual(red, [step.name, "Group 2: start 2 virtual machine(s)", "VM web-1"], "the failed step, its failed group and the VM that did not come up are red");
  for (const s of report.plans[0]?.steps ?? []) t.true(label(chart.labels, s.name) >= 0, `a row for the step '${s.name}'`);
  const pixels = await canvasPixels(page);
  t.true(pixels.failedColour > 500, `${pixels.failedColour} red pixels`);
});

test("renderHtmlReport escapes what users and Azure wrote, in the markup and in the embedded JSON", async (t) => {
  const report = structuredClone(await failed());
  const plan = report.plans[0];
  const step = plan?.steps.find((s) => s.error !== undefined);
  if (plan === undefined || step?.error === undefined) return t.fail("no failed step");
  plan.plan = "<script>alert(1)</script>";
  step.error.message = `boom </script><!-- <img src=x onerror=alert(2)> & "quoted" 'single'`;
  report.nextSteps = [`azure-dr cleanup --plan "<b>x</b>"`];
  const html = renderHtmlReport(report);

  t.false(html.includes("<script>alert(1)"));
  t.false(html.includes("<img src=x"));
  t.false(html.includes("<b>x</b>"));
  t.true(html.includes("&#60;script&#62;alert(1)&#60;/script&#62;"));
  t.true(html.includes("boom &#60;/script&#62;&#60;!-- &#60;img src=x onerror=alert(2)&#62; &#38; &#34;quoted&#34; &#39;single&#39;"));
  t.is(html.match(/<script\b/gi)?.length, 4, "the data, the timeline, Chart.js and the page's script");
  t.is(html.match(/<\/script/gi)?.length, 4);
  t.is(html.match(/<!--/g), null);

  const data = /<script type="application\/json" id="drill-data">([^<]*)<\/script>/.exec(html)?.[1];
  if (data === undefined) return t.fail("no #drill-data");
  t.deepEqual(JSON.parse(data), JSON.parse(JSON.stringify(report)), "the embedded data is the report");
});

test("renderHtmlReport renders a report read back from JSON (ISO dates) as the one with Date objects", async (t) => {
  const report = await failed();
  t.true(report.startedAt instanceof Date);
  const html = renderHtmlReport(report);
  t.is(renderHtmlReport(JSON.parse(JSON.stringify(report)) as DrillReport), html);
  t.true(html.includes(`${report.startedAt.toISOString().slice(0, 19).replace("T", " ")} UTC`));
  const markup = html.replace(/<script\b[\s\S]*?<\/script>/g, "");
  t.false(markup.includes("Invalid Date"));
  t.false(markup.includes("NaN"));
  t.false(markup.includes("undefined"));
});
