import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  isComplete,
  registerExperiment,
  runSweep,
  unregisterExperiment,
  validateSpec,
  type LoadedSpec,
} from "../../src/experiments/index.js";
import { compiledWorkerUrl, poolMode } from "../../src/experiments/pool.js";
import { atMost } from "../../src/report/index.js";

const out = mkdtempSync(join(tmpdir(), "splitscape-sweep-"));
const distWorker = resolve(import.meta.dirname, "../../dist/experiments/sweepWorker.js");

beforeAll(() => {
  registerExperiment({
    kind: "test-sweep",
    family: "foundation",
    title: "sweep test kind",
    schema: z.strictObject({ a: z.number().default(1), b: z.enum(["x", "y"]).default("x"), fail: z.boolean().default(false) }),
    run: async (spec) => {
      if (spec.params.fail) throw new Error("cell failure");
      const value = spec.params.a * (spec.seed + 1);
      return { summary: { value, label: spec.params.b }, verdicts: [atMost("value ≤ 10", value, 10)], series: {} };
    },
    figures: () => [],
  });
});
afterAll(() => {
  unregisterExperiment("test-sweep");
  rmSync(out, { recursive: true, force: true });
});

const load = (raw: unknown): LoadedSpec => validateSpec(raw, "sweep-test");

describe("sweeps (in-process)", () => {
  it("from sources the pool runs in-process", () => {
    expect(compiledWorkerUrl()).toBeNull();
    expect(poolMode()).toBe("in-process");
  });

  it("run every cell, write summary CSV/JSON, figures and report; a second sweep re-runs nothing", async () => {
    const loaded = load({ kind: "test-sweep", grid: { a: [1, 2, 4], seed: [0, 1] } });
    const done: string[] = [];
    const first = await runSweep(loaded, { outDir: out, onProgress: (o) => done.push(o.id) });
    expect(first).toMatchObject({ cells: 6, ran: 6, reused: 0, failed: 0, mode: "in-process" });
    expect(done).toHaveLength(6);
    expect(first.pass).toBe(true);
    const values = first.rows.map((r) => [r.a, r.seed, r.value, r.pass]);
    expect(values).toEqual([
      [1, 0, 1, true],
      [1, 1, 2, true],
      [2, 0, 2, true],
      [2, 1, 4, true],
      [4, 0, 4, true],
      [4, 1, 8, true],
    ]);
    const csv = readFileSync(join(first.dir, "summary.csv"), "utf8").trim().split("\n");
    expect(csv).toHaveLength(7);
    expect(csv[0]).toBe("cell,seed,a,status,pass,passed,total,value,label");
    expect(csv[6]).toMatch(/^[0-9a-f]{8},1,4,done,true,1,1,8,x$/);
    const json = JSON.parse(readFileSync(join(first.dir, "summary.json"), "utf8"));
    expect(json.rows).toHaveLength(6);
    expect(readdirSync(join(first.dir, "figures"))).toContain("sweep-value-vs-a.svg");
    expect(readFileSync(join(first.dir, "report.html"), "utf8")).toContain("6/6 cells");
    expect(existsSync(join(first.dir, "INCOMPLETE"))).toBe(false);
    for (const r of first.rows) expect(isComplete(join(first.dir, "cells", String(r.cell)))).toBe(true);

    const again = await runSweep(loaded, { outDir: out, onProgress: () => expect.fail("nothing should run") });
    expect(again).toMatchObject({ dir: first.dir, cells: 6, ran: 0, reused: 6 });
    expect(again.rows.map((r) => r.status)).toEqual(Array(6).fill("reused"));
    expect(again.rows.map((r) => r.value)).toEqual(first.rows.map((r) => r.value));

    // another grid is another sweep: its own folder (the key covers the grid), the first one untouched
    const widerSpec = load({ kind: "test-sweep", grid: { a: [1, 2, 4, 8], seed: [0, 1] } });
    const firstSummary = readFileSync(join(first.dir, "summary.json"), "utf8");
    const wider = await runSweep(widerSpec, { outDir: out });
    expect(wider.dir).not.toBe(first.dir);
    expect(wider).toMatchObject({ cells: 8, ran: 8, reused: 0 });
    expect(wider.pass).toBe(false); // a = 8, seed 1 → 16 > 10
    expect(wider.rows.filter((r) => !r.pass).map((r) => r.value)).toEqual([16]);
    expect(readFileSync(join(first.dir, "summary.json"), "utf8")).toBe(firstSummary);
    // resuming the first folder with the other grid is refused, and changes nothing there
    await expect(runSweep(widerSpec, { dir: first.dir })).rejects.toThrow(/sweep\.json: holds a sweep of a different grid \(a × 3, seed × 2\)/);
    expect(readFileSync(join(first.dir, "summary.json"), "utf8")).toBe(firstSummary);
    expect(existsSync(join(first.dir, "INCOMPLETE"))).toBe(false);
    await expect(runSweep(load({ kind: "test-sweep", seed: 5, grid: { a: [1, 2, 4], seed: [0, 1] } }), { dir: first.dir })).rejects.toThrow(/different seed or params/);
  });

  it("a grid above the cell limit is refused before anything is written, naming the count and --max-cells", async () => {
    const big = load({ kind: "test-sweep", grid: { a: Array.from({ length: 40 }, (_, i) => i), seed: Array.from({ length: 30 }, (_, i) => i) } });
    const dir = join(out, "too-big");
    await expect(runSweep(big, { dir })).rejects.toThrow(/the grid has 1,200 cells, more than the limit of 1,000 .*--max-cells 1200/);
    expect(existsSync(dir)).toBe(false);
    await expect(runSweep(big, { dir, maxCells: 10 })).rejects.toThrow(/limit of 10 /);
  });

  it("an interrupted cell (INCOMPLETE) is run again; failing cells are reported, not fatal", async () => {
    const loaded = load({ kind: "test-sweep", params: { b: "y" }, grid: { fail: [false, true] } });
    const s = await runSweep(loaded, { outDir: out });
    expect(s).toMatchObject({ cells: 2, ran: 2, failed: 1, pass: false });
    expect(s.rows[1]).toMatchObject({ status: "failed", error: "cell failure" });
    expect(readFileSync(join(s.dir, "summary.csv"), "utf8")).toContain("cell failure");
    // the failed cell is incomplete, so it is retried; the good one is reused
    const again = await runSweep(loaded, { outDir: out });
    expect(again).toMatchObject({ ran: 1, reused: 1, failed: 1 });
  });
});

describe.runIf(existsSync(distWorker))("sweeps on worker threads (dist/ build)", () => {
  it("give the same numbers as in-process runs, using two workers", async () => {
    const raw = { kind: "linalg-check", params: { sizes: [4, 8], n: 16 }, grid: { n: [16, 18], seed: [1, 2] } };
    const threaded = await runSweep(load(raw), { dir: join(out, "threads"), workerUrl: distWorker, workers: 2 });
    expect(threaded.mode).toBe("threads");
    expect(threaded).toMatchObject({ cells: 4, ran: 4, failed: 0 });
    const inproc = await runSweep(load(raw), { dir: join(out, "inproc"), workerUrl: null });
    expect(inproc.mode).toBe("in-process");
    const strip = (rows: typeof inproc.rows) => rows.map(({ status: _s, ...r }) => r);
    expect(strip(threaded.rows)).toEqual(strip(inproc.rows));
    for (const r of threaded.rows) {
      const a = readFileSync(join(out, "threads", "cells", String(r.cell), "result.json"), "utf8");
      const b = readFileSync(join(out, "inproc", "cells", String(r.cell), "result.json"), "utf8");
      expect(a).toBe(b);
    }
  });
});
