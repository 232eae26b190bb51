// The `convex-certificate` experiment kind: registered in family "convex" with a headline, its
// defaults pass every verdict, the result is deterministic, and its figures build. Also
// `splitscape convex --json` fills mStar, MStar and directions for an exact ReLU solve.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import "../../src/experiments/kinds/index.js";
import { getExperiment } from "../../src/experiments/registry.js";
import type { RunContext } from "../../src/experiments/types.js";
import { fork } from "../../src/random/index.js";
import { runCli as run } from "../helpers/cli.js";

function ctx(seed: number): RunContext {
  return { seed, rng: (s) => fork(seed, s), metric: () => {}, log: () => {} };
}

describe("convex-certificate", () => {
  it("is registered with a headline and its defaults pass every verdict", async () => {
    const def = getExperiment("convex-certificate")!;
    expect(def).toBeDefined();
    expect(def.family).toBe("convex");
    expect(def.headline).toBeDefined();
    const params = def.schema.parse({ seeds: 12 });
    const spec = { kind: def.kind, seed: 1, params };
    const res = await def.run(spec, ctx(1));
    for (const v of res.verdicts) expect(v.pass, `${v.claim}: ${v.measured} ${v.relation} ${v.tolerance}`).toBe(true);
    const s = res.summary;
    expect(s.patterns).toBe(16);
    expect(Number(s.mStar)).toBeLessThanOrEqual(Number(s.MStar));
    expect(Number(s.reachedGlobal) + Number(s.stoppedStationary) + Number(s.notConverged)).toBe(12);
    expect(res.series.runs).toHaveLength(12);
    const again = await def.run(spec, ctx(1));
    expect(again.summary).toEqual(res.summary);
    const figs = def.figures(res, spec);
    expect(figs.map((f) => f.name)).toEqual(["objectives", "fit"]);
    expect(JSON.stringify(figs[0].vegaLite)).toContain("rule");
  });

  it("rejects mismatched x and y", async () => {
    const def = getExperiment("convex-certificate")!;
    const params = def.schema.parse({ x: [0, 1, 2, 3], y: [1, 2, 3], seeds: 1 });
    await expect(def.run({ kind: def.kind, seed: 0, params }, ctx(0))).rejects.toThrow(/y has 3/);
  });
});

const dir = mkdtempSync(join(tmpdir(), "splitscape-convex-optset-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("splitscape convex: the optimal set in the JSON", () => {

  it("fills mStar, MStar and de-duplicated directions", async () => {
    const data = join(dir, "d6.json");
    writeFileSync(data, JSON.stringify({ X: [[-1], [-0.6], [-0.2], [0.3], [0.7], [1.0]], y: [0.2, -0.5, 0.4, 0.9, -0.3, 0.6] }));
    const r = await run("convex", "--data", data, "--beta", "0.02", "--bias", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Number.isInteger(j.mStar)).toBe(true);
    expect(j.mStar).toBeLessThanOrEqual(j.MStar);
    expect(j.MStar).toBeLessThanOrEqual(6);
    expect(j.neurons).toBeGreaterThanOrEqual(j.mStar);
    expect(Array.isArray(j.directions)).toBe(true);
    expect(j.directions.length).toBe(j.optimalSet.activeDirections);
    expect(j.optimalSet.activePairs).toBeGreaterThanOrEqual(j.directions.length);
    for (const d of j.directions) {
      expect([1, -1]).toContain(d.sign);
      expect(Math.abs(Math.hypot(...d.direction) - 1)).toBeLessThan(1e-12);
      expect(Math.abs(d.dualRatio - 1)).toBeLessThan(1e-5);
    }
    expect(j.optimalSet.sparsestObjectiveError).toBeLessThan(1e-8);
  });

  it("reports null m*, M* for the gated program", async () => {
    const data = join(dir, "d6g.json");
    writeFileSync(data, JSON.stringify({ X: [[-1], [-0.6], [-0.2], [0.3], [0.7], [1.0]], y: [0.2, -0.5, 0.4, 0.9, -0.3, 0.6] }));
    const r = await run("convex", "--data", data, "--beta", "0.02", "--bias", "--program", "gated", "--json");
    const j = JSON.parse(r.out);
    expect(j.mStar).toBeNull();
    expect(j.directions).toBeNull();
  });
});
