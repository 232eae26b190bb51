// `npm run bench -- lab`: the web lab in Chromium (Debian's, via playwright-core). The Train
// view on n = 500 points (moons), a width-8 two-layer ReLU network, training by GD with 10
// steps per update: the page's frame interval (requestAnimationFrame deltas) while training,
// against the same page idle measured side by side (the reference: what the browser gives a
// page doing nothing); and the 200×200 decision heatmap update (f on the grid in the worker,
// transfer, paint), read from the view's User Timing measures. Targets: frame p95 ≤ 20 ms,
// heatmap ≤ 8 ms. One run = an idle window then a training window of SECONDS each, alternated for
// the bench's runs (so both see the same load); each row gives the median of the runs' p95.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { labRoot, startLabServer } from "../src/cli/labServer.js";
import { findChromium, launchChromium } from "../test/web/browser.js";
import { makeRow, median, type BenchContext, type Row, type Workload } from "./harness.js";

const SECONDS = 4;
const QUERY = "?view=train&data=builtin%3Amoons%3Fn%3D500%26seed%3D0%26noise%3D0.1&width=8&depth=1&activation=relu&method=gd&lr=0.5&speed=10&at=0";

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/**
 * rAF deltas (ms) over `seconds`, measured in the page. Kept as source text: tsx's transform
 * would wrap a function with helpers that do not exist in the page.
 */
const frameDeltas = (seconds: number): string => `new Promise((resolve) => {
  const out = [];
  let last = -1;
  const end = performance.now() + ${seconds * 1000};
  const f = (t) => {
    if (last >= 0) out.push(t - last);
    last = t;
    if (t < end) requestAnimationFrame(f); else resolve(out);
  };
  requestAnimationFrame(f);
})`;

/** Frame-interval targets of the lab (ms). */
const FRAME_P95_MS = 20;
const HEATMAP_P95_MS = 8;

async function run(ctx: BenchContext): Promise<Row[]> {
  const chromium = findChromium();
  const note = (why: string): Row[] => [makeRow({ workload: "lab", case: "train view", threads: null, runs: [], seconds: NaN, note: why })];
  if (chromium === null) return note("no chromium (CHROMIUM_PATH or PATH): skipped");
  if (!existsSync(join("dist", "web", "index.html"))) {
    const { build } = await import("vite");
    await build({ configFile: join("web", "vite.config.ts"), logLevel: "warn" });
  }
  const server = await startLabServer(labRoot(), 0);
  const browser = await launchChromium(chromium);
  try {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}${QUERY}`);
    await page.waitForSelector('[data-testid="train-loss"]', { timeout: 30_000 });
    await page.waitForTimeout(500);
    const idle: number[][] = [];
    const busy: number[][] = [];
    const heatmap: number[][] = [];
    const paint: number[] = [];
    let steps = 0;
    for (let i = 0; i < ctx.runs; i++) {
      idle.push((await page.evaluate(frameDeltas(SECONDS))) as number[]);
      await page.evaluate("performance.clearMeasures()");
      await page.click("#train-run");
      await page.waitForTimeout(500);
      const stepsBefore = Number(await page.textContent('[data-testid="train-step-count"]'));
      busy.push((await page.evaluate(frameDeltas(SECONDS))) as number[]);
      steps += Number(await page.textContent('[data-testid="train-step-count"]')) - stepsBefore;
      await page.click("#train-run");
      const measures = (await page.evaluate(`({
        heatmap: performance.getEntriesByName("splitscape:heatmap").map((e) => e.duration),
        paint: performance.getEntriesByName("splitscape:heatmap-paint").map((e) => e.duration),
      })`)) as { heatmap: number[]; paint: number[] };
      heatmap.push(measures.heatmap);
      paint.push(quantile(measures.paint, 0.95));
      await page.waitForTimeout(500);
    }
    const updates = steps / 10 / (SECONDS * ctx.runs);
    const p95 = (xs: number[][]): number[] => xs.map((x) => quantile(x, 0.95) / 1000);
    const allBusy = busy.flat();
    const frame = makeRow({
      workload: "lab", case: "train n=500 m=8: frame interval p95", threads: null, runs: p95(busy),
      reference: { name: "same page idle (frame interval p95)", runs: p95(idle) },
      note: `p50 ${quantile(allBusy, 0.5).toFixed(1)} ms, max ${Math.max(...allBusy).toFixed(1)} ms over ${allBusy.length} frames; ${updates.toFixed(1)} updates/s (${(10 * updates).toFixed(0)} steps/s)`,
    });
    const hm = makeRow({
      workload: "lab", case: "heatmap 200×200 update p95", threads: null, runs: p95(heatmap),
      note: `worker f on 40 000 points + transfer + paint; p50 ${quantile(heatmap.flat(), 0.5).toFixed(2)} ms, paint alone p95 ${median(paint).toFixed(2)} ms, ${heatmap.flat().length} updates`,
    });
    return [withTarget(frame, FRAME_P95_MS), withTarget(hm, HEATMAP_P95_MS)];
  } finally {
    await browser.close();
    await server.close();
  }
}

/** The row's note with its absolute target (a time, not a ratio, so no `goal`): met or MISSED. */
function withTarget(row: Row, targetMs: number): Row {
  const met = row.seconds * 1000 <= targetMs;
  return { ...row, note: `${row.note ?? ""}; target p95 ≤ ${targetMs} ms: ${met ? "met" : "MISSED"}` };
}

export const labWorkload: Workload = {
  name: "lab",
  description: "web lab in Chromium: Train view frame interval while training (n = 500, width 8) and the 200×200 heatmap update",
  run,
};
