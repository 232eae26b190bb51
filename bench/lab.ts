// `npm run bench -- lab`: the web lab in Chromium (Debian's, via playwright-core). The Train
// view on n = 500 points (moons), a width-8 two-layer ReLU network, training by GD with 10
// steps per update: the page's frame interval (requestAnimationFrame deltas) while training,
// against the same page idle measured side by side (the reference: what the browser gives a
// page doing nothing); and the 200×200 decision heatmap update (f on the grid in the worker,
// transfer, paint), read from the view's User Timing measures. Targets: frame p95 ≤ 20 ms,
// heatmap ≤ 8 ms.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { labRoot, startLabServer } from "../src/cli/labServer.js";
import { findChromium, launchChromium } from "../test/web/browser.js";
import type { Row, Workload } from "./harness.js";

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

async function run(): Promise<Row[]> {
  const chromium = findChromium();
  const note = (why: string): Row[] => [{ workload: "lab", case: "train view", seconds: NaN, gflops: null, reference: null, ratio: null, note: why }];
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
    const idle = (await page.evaluate(frameDeltas(SECONDS))) as number[];
    await page.evaluate("performance.clearMeasures()");
    await page.click("#train-run");
    await page.waitForTimeout(500);
    const stepsBefore = Number(await page.textContent('[data-testid="train-step-count"]'));
    const busy = (await page.evaluate(frameDeltas(SECONDS))) as number[];
    const stepsAfter = Number(await page.textContent('[data-testid="train-step-count"]'));
    await page.click("#train-run");
    const measures = (await page.evaluate(`({
      heatmap: performance.getEntriesByName("splitscape:heatmap").map((e) => e.duration),
      paint: performance.getEntriesByName("splitscape:heatmap-paint").map((e) => e.duration),
    })`)) as { heatmap: number[]; paint: number[] };
    const updates = (stepsAfter - stepsBefore) / 10 / SECONDS;
    const p95 = quantile(busy, 0.95);
    const idle95 = quantile(idle, 0.95);
    const h95 = quantile(measures.heatmap, 0.95);
    return [
      {
        workload: "lab", case: "train n=500 m=8: frame interval p95", seconds: p95 / 1000, gflops: null,
        reference: { name: "same page idle", seconds: idle95 / 1000, gflops: null }, ratio: idle95 / p95,
        note: `p50 ${quantile(busy, 0.5).toFixed(1)} ms, max ${Math.max(...busy).toFixed(1)} ms over ${busy.length} frames; ${updates.toFixed(1)} updates/s (${(10 * updates).toFixed(0)} steps/s); target p95 ≤ 20 ms: ${p95 <= 20 ? "met" : "MISSED"}`,
      },
      {
        workload: "lab", case: "heatmap 200×200 update p95", seconds: h95 / 1000, gflops: null,
        reference: null, ratio: null,
        note: `worker f on 40 000 points + transfer + paint; p50 ${quantile(measures.heatmap, 0.5).toFixed(2)} ms, paint alone p95 ${quantile(measures.paint, 0.95).toFixed(2)} ms, ${measures.heatmap.length} updates; target ≤ 8 ms: ${h95 <= 8 ? "met" : "MISSED"}`,
      },
    ];
  } finally {
    await browser.close();
    await server.close();
  }
}

export const labWorkload: Workload = {
  name: "lab",
  description: "web lab in Chromium: Train view frame interval while training (n = 500, width 8) and the 200×200 heatmap update",
  run,
};
