import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { InputError } from "../../src/common/errors.js";
import {
  executeExperiment,
  INCOMPLETE,
  incompleteReason,
  isComplete,
  registerExperiment,
  rerenderRun,
  RunFailedError,
  runToFolder,
  unregisterExperiment,
  validateSpec,
} from "../../src/experiments/index.js";
import { uniform } from "../../src/random/index.js";
import { atMost, linePlot } from "../../src/report/index.js";
import { VERSION } from "../../src/version.js";
import { loadingUrls } from "../report/urls.js";

const out = mkdtempSync(join(tmpdir(), "splitscape-run-"));

beforeAll(() => {
  // A small deterministic kind: random numbers from the run's seed, metrics, a figure.
  registerExperiment({
    kind: "test-det",
    family: "foundation",
    title: "deterministic test kind",
    schema: z.strictObject({ n: z.number().int().min(1).default(20) }),
    run: async (spec, ctx) => {
      const rng = ctx.rng("walk");
      let x = 0;
      const walk: Array<Record<string, number>> = [];
      for (let i = 0; i < spec.params.n; i++) {
        x += uniform(rng) - 0.5;
        walk.push({ step: i + 1, x, abs: Math.abs(x) + 1e-3 });
        ctx.metric({ step: i + 1, x });
      }
      return {
        summary: { final: x, n: spec.params.n, nan: NaN },
        verdicts: [atMost("|x| stays below n", Math.abs(x), spec.params.n)],
        series: { walk },
      };
    },
    figures: (result) => [{ name: "walk", title: "walk", vegaLite: linePlot({ data: result.series.walk, x: "step", y: "abs", logY: true }) }],
  });
  registerExperiment({
    kind: "test-throws",
    family: "foundation",
    title: "a kind whose run throws",
    schema: z.strictObject({}),
    run: async (_spec, ctx) => {
      ctx.metric({ step: 1 });
      throw new Error("deliberate failure");
    },
    figures: () => [],
  });
  registerExperiment({
    kind: "test-bad-figures",
    family: "foundation",
    title: "a kind whose figures throw",
    schema: z.strictObject({}),
    run: async () => ({ summary: { x: 1 }, verdicts: [], series: {} }),
    figures: () => {
      throw new Error("figure bug");
    },
  });
});
afterAll(() => {
  unregisterExperiment("test-det");
  unregisterExperiment("test-throws");
  unregisterExperiment("test-bad-figures");
  rmSync(out, { recursive: true, force: true });
});

const spec = (kind: string, seed = 1, params: Record<string, unknown> = {}) => validateSpec({ kind, seed, params }, "test").spec;
const read = (dir: string, f: string) => readFileSync(join(dir, f), "utf8");

describe("run folders", () => {
  it("hold spec (defaults, version), result, metrics, figures, report, run.json; INCOMPLETE is gone", async () => {
    const o = await runToFolder(spec("test-det", 3), { outDir: out });
    expect(o.dir.startsWith(join(out, "test-det-"))).toBe(true);
    expect(o.id).toMatch(/^test-det-\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    const files = readdirSync(o.dir).sort();
    expect(files).toEqual(["figures", "metrics.jsonl", "report.html", "result.json", "run.json", "spec.json"]);
    expect(readdirSync(join(o.dir, "figures")).sort()).toEqual(["walk.png", "walk.svg", "walk.vl.json"]);
    expect(JSON.parse(read(o.dir, "spec.json"))).toEqual({ kind: "test-det", seed: 3, params: { n: 20 }, splitscape: VERSION, format: { name: "spec", version: 1 } });
    const metrics = read(o.dir, "metrics.jsonl").trim().split("\n").map((l) => JSON.parse(l));
    expect(metrics).toHaveLength(20);
    expect(metrics[19].step).toBe(20);
    const result = JSON.parse(read(o.dir, "result.json"));
    expect(result.summary.nan).toBe("NaN"); // JSON has no NaN
    expect(result.summary.final).toBe(metrics[19].x);
    expect(JSON.parse(read(o.dir, "run.json"))).toMatchObject({ status: "complete", pass: true, metrics: 20 });
    expect(isComplete(o.dir)).toBe(true);
    expect(o.pass).toBe(true);
    const html = read(o.dir, "report.html");
    expect(html).toContain("|x| stays below n");
    expect(html).toContain(VERSION);
    expect(loadingUrls(html)).toEqual([]);
  });

  it("same spec and seed → identical result.json and metrics; another seed → different numbers", async () => {
    const a = await runToFolder(spec("test-det", 7), { outDir: out });
    const b = await runToFolder(spec("test-det", 7), { outDir: out });
    const c = await runToFolder(spec("test-det", 8), { outDir: out });
    expect(a.dir).not.toBe(b.dir); // same id in the same second gets a suffix
    expect(read(a.dir, "result.json")).toBe(read(b.dir, "result.json"));
    expect(read(a.dir, "metrics.jsonl")).toBe(read(b.dir, "metrics.jsonl"));
    expect(read(a.dir, "result.json")).not.toBe(read(c.dir, "result.json"));
  });

  it("linalg-check is deterministic too", async () => {
    const s = spec("linalg-check", 5, { sizes: [4, 30], n: 16 });
    const r1 = await executeExperiment(s);
    const r2 = await executeExperiment(s);
    expect(r1).toEqual(r2);
    expect(r1.verdicts.every((v) => v.pass)).toBe(true);
    expect(r1.verdicts.length).toBeGreaterThanOrEqual(4);
  });

  it("a run that throws leaves INCOMPLETE with the error and no result.json", async () => {
    let failure: unknown;
    try {
      await runToFolder(spec("test-throws"), { outDir: out });
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(RunFailedError);
    const dir = (failure as RunFailedError).dir;
    expect(existsSync(join(dir, INCOMPLETE))).toBe(true);
    expect(incompleteReason(dir)).toContain("deliberate failure");
    expect(existsSync(join(dir, "result.json"))).toBe(false);
    expect(existsSync(join(dir, "report.html"))).toBe(false);
    expect(isComplete(dir)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    await expect(rerenderRun(dir)).rejects.toThrow(InputError);
    await expect(rerenderRun(dir)).rejects.toThrow(/no result\.json.*INCOMPLETE: failed/);
  });

  it("report RUN re-renders identical figures from the folder", async () => {
    const o = await runToFolder(spec("linalg-check", 2, { sizes: [4, 16], n: 16 }), { outDir: out });
    const figs = readdirSync(join(o.dir, "figures")).sort();
    expect(figs).toContain("spectrum.svg");
    expect(figs).toContain("errors.png");
    const before = new Map(figs.map((f) => [f, readFileSync(join(o.dir, "figures", f))]));
    rmSync(join(o.dir, "figures"), { recursive: true });
    rmSync(join(o.dir, "report.html"));
    const r = await rerenderRun(o.dir);
    expect(r.pass).toBe(true);
    expect(r.incomplete).toBeNull();
    expect(readdirSync(join(o.dir, "figures")).sort()).toEqual(figs);
    for (const f of figs) expect(readFileSync(join(o.dir, "figures", f)).equals(before.get(f)!)).toBe(true);
    expect(existsSync(join(o.dir, "report.html"))).toBe(true);
    await expect(rerenderRun(join(out, "no-such-run"))).rejects.toThrow(/no-such-run: no such folder, expected a run folder/);
  });

  it("a run whose rendering fails keeps result.json but stays INCOMPLETE", async () => {
    await expect(runToFolder(spec("test-bad-figures"), { outDir: out })).rejects.toThrow("figure bug");
    const dir = readdirSync(out).filter((d) => d.startsWith("test-bad-figures-")).map((d) => join(out, d))[0];
    expect(existsSync(join(dir, "result.json"))).toBe(true);
    expect(incompleteReason(dir)).toMatch(/^rendering failed/);
    expect(isComplete(dir)).toBe(false);
  });
});

const distIndex = resolve(import.meta.dirname, "../../dist/experiments/index.js");

describe.runIf(existsSync(distIndex))("interrupted runs (dist/ build)", () => {
  it("a process killed mid-run leaves the folder INCOMPLETE, with no result.json", async () => {
    const script = join(out, "slow.mjs");
    writeFileSync(
      script,
      `import { registerExperiment, runToFolder, validateSpec } from ${JSON.stringify(pathToFileURL(distIndex).href)};
import { z } from ${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve("zod")).href)};
registerExperiment({ kind: "test-slow", family: "foundation", title: "slow", schema: z.strictObject({}),
  run: async (_s, ctx) => { ctx.metric({ step: 1 }); await new Promise((r) => setTimeout(r, 60000)); return { summary: {}, verdicts: [], series: {} }; },
  figures: () => [] });
await runToFolder(validateSpec({ kind: "test-slow" }, "x").spec, { outDir: ${JSON.stringify(join(out, "killed"))} });
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += String(b)));
    const exited = new Promise((r) => child.once("exit", r));
    const killedDir = join(out, "killed");
    const started = Date.now();
    let runDir = "";
    while (Date.now() - started < 20_000 && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 50));
      if (!existsSync(killedDir)) continue;
      const d = readdirSync(killedDir)[0];
      if (d && existsSync(join(killedDir, d, "metrics.jsonl")) && readFileSync(join(killedDir, d, "metrics.jsonl"), "utf8").includes("step")) {
        runDir = join(killedDir, d);
        break;
      }
    }
    expect(stderr).toBe("");
    expect(runDir).not.toBe("");
    child.kill("SIGKILL");
    await exited;
    expect(readdirSync(runDir).sort()).toEqual(["INCOMPLETE", "metrics.jsonl", "spec.json"]);
    expect(incompleteReason(runDir)).toMatch(/^running since/);
    expect(isComplete(runDir)).toBe(false);
    await expect(rerenderRun(runDir)).rejects.toThrow(/did not finish/);
  });
});
