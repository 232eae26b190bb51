// `splitscape convex` in-process: the JSON contract, the recovered network re-evaluated on the
// nonconvex objective, --certify on the optimum (global) and on a perturbed copy (neither), and
// the exit codes (1: tolerance missed, 2: bad input).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli as run } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-cli-convex-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, "d.json");
writeFileSync(data, JSON.stringify({ X: [[-1.2], [-0.4], [0.1], [0.7], [1.3], [2.0]], y: [0.5, -0.3, 0.8, 0.1, -0.6, 0.4] }));


describe("splitscape convex", () => {

  it("solves 1-D data with a bias exactly and certifies its network", async () => {
    const r = await run("convex", "--data", data, "--beta", "0.02", "--bias", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    for (const k of ["optimum", "dualValue", "gap", "patterns", "exact", "network", "mStar", "MStar", "directions"]) expect(j).toHaveProperty(k);
    expect(j.exact).toBe(true);
    expect(j.patterns).toBe(12); // 2n
    expect(j.relativeGap).toBeLessThanOrEqual(1e-8);
    expect(j.networkObjectiveError).toBeLessThan(1e-12);
    // The staircase table: the theorem's widths, each row checked, and m* ≤ M* ≤ n.
    const n = 6;
    expect(j.mStar).toBeLessThanOrEqual(j.MStar);
    expect(j.MStar).toBeLessThanOrEqual(n);
    expect(j.staircase.widths).toEqual([...new Set([j.mStar, j.mStar + 1, j.MStar, j.MStar + 1, Math.min(j.mStar + j.MStar, n + 1)])].sort((a, b) => a - b));
    for (const row of j.staircase.rows) expect(row.holds).toBe(true);
    const model = join(dir, "opt.json");
    writeFileSync(model, JSON.stringify(j.network));
    const c = await run("convex", "--certify", "--model", model, "--data", data, "--beta", "0.02", "--json");
    expect(c.code).toBe(0);
    const cj = JSON.parse(c.out);
    expect(cj.classification).toBe("global optimum");
    expect(Math.abs(cj.objective - j.optimum)).toBeLessThan(1e-10);
    // Where the optimum sits in the optimal set: every neuron on an optimal direction, its point
    // of P* reproduces ŷ*, and it uses at least m* directions (m* is the smallest support).
    expect(cj.optimalSet.network.inOptimalSet).toBe(true);
    expect(cj.optimalSet.network.unmatchedNeurons).toEqual([]);
    expect(cj.optimalSet.network.support.length).toBeGreaterThanOrEqual(cj.optimalSet.mStar);
    expect(cj.optimalSet.mStar).toBe(j.mStar);
    expect(cj.descentNeurons).toEqual([]);
    const bad = { ...j.network, a: j.network.a.map((a: number) => 1.3 * a) };
    const model2 = join(dir, "bad.json");
    writeFileSync(model2, JSON.stringify(bad));
    const c2 = JSON.parse((await run("convex", "--certify", "--model", model2, "--data", data, "--beta", "0.02", "--json")).out);
    expect(c2.classification).toBe("neither");
    expect(c2.optimalSet).toBeNull();
    // The zero-output network (all α = 0) is not stationary-optimal: it must get descent neurons
    // whose ratio is the certificate's s/β.
    const zero = { ...j.network, a: j.network.a.map(() => 0) };
    const model3 = join(dir, "zero.json");
    writeFileSync(model3, JSON.stringify(zero));
    const c3 = JSON.parse((await run("convex", "--certify", "--model", model3, "--data", data, "--beta", "0.02", "--json")).out);
    expect(c3.descentNeurons.length).toBeGreaterThan(0);
    expect(Math.abs(c3.descentNeurons[0].dualRatio - c3.s / 0.02)).toBeLessThan(1e-9 * c3.descentNeurons[0].dualRatio);
    expect(c3.descentNeurons[0].rate).toBeLessThan(0);
  });

  it("--path: a non-increasing path from a random network to the certified optimum, with its figure", async () => {
    const model = join(dir, "r4.json");
    writeFileSync(model, JSON.stringify({ kind: "two-layer", activation: "relu", W: [[1.0], [-0.8], [0.5], [2.0]], b: [0.3, 0.1, -0.2, -1.0], a: [0.7, -0.5, 1.1, -0.9] }));
    const solved = JSON.parse((await run("convex", "--data", data, "--beta", "0.02", "--bias", "--json")).out);
    const fig = join(dir, "path.svg");
    const r = await run("convex", "--path", "--model", model, "--data", data, "--beta", "0.02", "--figure", fig, "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.nonIncreasing).toBe(true);
    expect(j.finalClass).toBe("global optimum");
    // The end agrees with an independent solve of the same problem (both certified to ≤ 1e-8).
    expect(Math.abs(j.endObjective - solved.optimum) / solved.optimum).toBeLessThan(2e-8);
    expect(j.startObjective).toBeGreaterThan(j.endObjective);
    expect(j.width).toBeGreaterThan(4); // raised with zero neurons, said in the notes
    expect(j.notes.join(" ")).toMatch(/width raised from 4/);
    for (const st of j.stages) for (let i = 1; i < st.points.length; i++) expect(st.points[i].objective).toBeLessThanOrEqual(st.points[i - 1].objective * (1 + 1e-12));
    expect(readFileSync(fig, "utf8")).toMatch(/^<svg/);
    // An explicit width that is too small is bad input naming --width and the width needed.
    const small = await run("convex", "--path", "--model", model, "--data", data, "--beta", "0.02", "--width", "4");
    expect(small.code).toBe(2);
    expect(small.err).toMatch(/--width.*needs width ≥ \d+/);
  });

  it("--min-norm: a certified minimum-norm interpolant, checked on its model file; unique function with a free skip", async () => {
    const r = await run("convex", "--min-norm", "--data", data, "--bias", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.exact).toBe(true);
    expect(j.relativeGap).toBeLessThanOrEqual(1e-8);
    // Independent evaluation of the written network: it interpolates, and its norm is the reported one.
    const xs = [-1.2, -0.4, 0.1, 0.7, 1.3, 2.0];
    const ys = [0.5, -0.3, 0.8, 0.1, -0.6, 0.4];
    const net = j.network as { W: number[][]; b: number[]; a: number[] };
    xs.forEach((x, k) => {
      const f = net.a.reduce((s, a, i) => s + a * Math.max(net.W[i][0] * x + net.b[i], 0), 0);
      expect(Math.abs(f - ys[k])).toBeLessThan(1e-10);
    });
    const norm = net.a.reduce((s, a, i) => s + a * a + net.W[i][0] ** 2 + net.b[i] ** 2, 0);
    expect(Math.abs(norm - j.networkNorm) / norm).toBeLessThan(1e-12);
    // docs/science/convex.md §7: 1-D data, penalised bias and a free skip connection → a unique interpolating function.
    const sk = JSON.parse((await run("convex", "--min-norm", "--skip", "--data", data, "--bias", "--json")).out);
    expect(sk.skip).toHaveLength(2);
    expect(sk.uniqueness.functionUnique).toBe(true);
    expect(sk.networkNorm).toBeLessThanOrEqual(j.networkNorm * (1 + 1e-12)); // a free skip can only help
    expect((await run("convex", "--min-norm", "--data", data, "--beta", "1")).code).toBe(2);
  });

  it("--min-norm on convex/example-2's data (no skip): the face's coordinate range is the closed form's 2", async () => {
    // x = (−√3, −1, ½, 1, √3), y = 2x (examples/papers/convex-example2-data.json), penalised bias:
    // the optimal networks are s·[(x)_+ − (−x)_+] + (2 − s)·[((x+√3)/2)_+ − ((√3−x)/2)_+],
    // s ∈ [0, 2] (convexExample2.ts), so every face weight ranges over [0, 2] and f_0 − f_2 =
    // sign(x)(√3 − |x|) off [−√3, √3]: at the line test's far points ±(3√3 + 1) the range is
    // 2√3 + 1. The generic path used to report 1e-2 (directions read off ν only to 6e-8).
    // 1e-8: the LP test thickens the face by δ = 1e-10·scale.
    const s3 = Math.sqrt(3);
    const xs = [-s3, -1, 0.5, 1, s3];
    const ex2 = join(dir, "example2.json");
    writeFileSync(ex2, JSON.stringify({ X: xs.map((x) => [x]), y: xs.map((x) => 2 * x) }));
    const r = await run("convex", "--min-norm", "--data", ex2, "--bias", "--json");
    expect(r.code).toBe(0);
    const u = JSON.parse(r.out).uniqueness;
    expect(u.refined).toBe(true);
    expect(u.unique).toBe(false);
    expect(u.functionUnique).toBe(false);
    expect(Math.abs(u.maxRange - 2)).toBeLessThan(1e-8);
    expect(u.weightRanges).toHaveLength(4);
    for (const [lo, hi] of u.weightRanges as [number, number][]) {
      expect(Math.abs(lo)).toBeLessThan(1e-8);
      expect(Math.abs(hi - 2)).toBeLessThan(1e-8);
    }
    expect(Math.abs(u.maxFunctionRange - (2 * s3 + 1))).toBeLessThan(1e-8 * (2 * s3 + 1));
    const text = (await run("convex", "--min-norm", "--data", ex2, "--bias")).out;
    expect(text).toMatch(/a continuum \(max coordinate range 2\.00e\+0\).*refined together with ν/);
  });

  it("vector outputs: GD search bracketed by the certified dual bound; --certify reads vector models", async () => {
    const vdata = join(dir, "v.json");
    const xs = [-1.2, -0.4, 0.1, 0.7, 1.3, 2.0];
    // Y = y qᵀ with ‖q‖ = 1: the optimum equals the scalar problem's (an independent solve).
    const q = [0.6, 0.8];
    const ys = [0.5, -0.3, 0.8, 0.1, -0.6, 0.4];
    writeFileSync(vdata, JSON.stringify({ X: xs.map((x) => [x]), y: ys.map((v) => q.map((c) => v * c)) }));
    const scalar = JSON.parse((await run("convex", "--data", data, "--beta", "0.02", "--bias", "--json")).out);
    const r = await run("convex", "--data", vdata, "--beta", "0.02", "--bias", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.program).toBe("vector-atoms");
    expect(j.connectivityWidth).toBe(6 * 2 + 1);
    expect(j.relativeGap).toBeLessThanOrEqual(1e-6);
    // The certified bracket contains the scalar optimum (solved independently to 1e-8).
    expect(j.optimum).toBeGreaterThanOrEqual(scalar.optimum * (1 - 1e-8));
    expect(j.dualValue).toBeLessThanOrEqual(scalar.optimum * (1 + 1e-8));
    expect(j.network.a[0]).toHaveLength(2);
    // Certify the lifted scalar optimum as a vector model: a global optimum.
    const lifted = { ...scalar.network, a: scalar.network.a.map((a: number) => q.map((c) => a * c)) };
    const model = join(dir, "vec.json");
    writeFileSync(model, JSON.stringify(lifted));
    const c = JSON.parse((await run("convex", "--certify", "--model", model, "--data", vdata, "--beta", "0.02", "--json")).out);
    expect(c.classification).toBe("global optimum");
    expect(Math.abs(c.objective - scalar.optimum) / scalar.optimum).toBeLessThan(1e-10);
    expect(c.dualFeasibility).toBe("feasible");
    // A vector model against scalar data: bad input naming the model's output weights.
    const bad = await run("convex", "--certify", "--model", model, "--data", data, "--beta", "0.02");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/2 outputs/);
  });

  it("exit 1 when the tolerance is missed, the JSON still says what was reached", async () => {
    const r = await run("convex", "--data", data, "--beta", "0.02", "--bias", "--max-iterations", "1", "--json");
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.solver.converged).toBe(false);
    expect(j.relativeGap).toBeGreaterThan(1e-8);
  });

  it("exit 2 for bad input", async () => {
    expect((await run("convex", "--data", data, "--beta", "-1")).code).toBe(2);
    expect((await run("convex", "--data", data, "--beta", "1", "--patterns", "many")).code).toBe(2);
    expect((await run("convex", "--data", data, "--beta", "1", "--loss", "logistic")).code).toBe(2); // labels not ±1
    const r = await run("convex", "--certify", "--model", join(dir, "missing.json"), "--data", data, "--beta", "1");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/missing\.json/);
    const saved = process.env.SPLITSCAPE_THREADS;
    process.env.SPLITSCAPE_THREADS = "two";
    try {
      const t = await run("convex", "--data", data, "--beta", "0.02", "--bias", "--json");
      expect(t.code).toBe(2);
      expect(t.err).toMatch(/SPLITSCAPE_THREADS: expected a positive integer, got "two"/);
      expect(JSON.parse(t.out).error).toMatchObject({ code: 2, option: "SPLITSCAPE_THREADS" }); // --json: the failure as JSON
    } finally {
      if (saved === undefined) delete process.env.SPLITSCAPE_THREADS;
      else process.env.SPLITSCAPE_THREADS = saved;
    }
  });

  it("accepts gate files and sampled patterns (not exact)", async () => {
    const gates = join(dir, "gates.json");
    writeFileSync(gates, JSON.stringify({ gates: [[1, 0.5], [-1, 0.2], [0.3, -1]] }));
    const r = await run("convex", "--data", data, "--beta", "0.1", "--bias", "--gates", gates, "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.exact).toBe(false);
    expect(j.patterns).toBe(3);
    const g = await run("convex", "--data", data, "--beta", "0.1", "--bias", "--program", "gated", "--patterns", "sample:50", "--json");
    expect(g.code).toBe(0);
    expect(JSON.parse(g.out).exact).toBe(false);
  });

  // Issue 15, item 11: the tolerance is honoured. The defaults are written once (SOLVE_TOL,
  // VECTOR_SOLVE_TOL) and the help is generated from them; the JSON's solver.tol is the default
  // the help states, and `solver.converged` and the exit code follow relativeGap ≤ tol exactly.
  it("vector outputs reach the default relative gap the help states, and exit 1 when a tolerance is missed", async () => {
    const help = (await run("convex", "--help")).out.replace(/\s+/g, " ");
    const stated = /relative duality gap to reach \(default (\S+); vector outputs (\S+)\)/.exec(help);
    expect(stated).not.toBeNull();
    expect(Number(stated![1])).toBe(1e-8);
    const r = await run("convex", "--data", "examples/two-outputs.json", "--beta", "0.05", "--bias", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.solver.tol).toBe(Number(stated![2]));
    expect(j.relativeGap).toBeLessThanOrEqual(j.solver.tol);
    expect(j.solver.converged).toBe(true);
    // One round cannot reach it: exit 1, converged false, and the JSON says what was reached.
    const short = await run("convex", "--data", "examples/two-outputs.json", "--beta", "0.05", "--bias", "--max-iterations", "1", "--json");
    const sj = JSON.parse(short.out);
    expect(sj.relativeGap).toBeGreaterThan(sj.solver.tol);
    expect(sj.solver.converged).toBe(false);
    expect(short.code).toBe(1);
    // An explicit tolerance: converged exactly when the certified gap meets it.
    for (const tol of ["1e-4", "1e-8"]) {
      const t = JSON.parse((await run("convex", "--data", "examples/two-outputs.json", "--beta", "0.05", "--bias", "--tol", tol, "--json")).out);
      expect(t.solver.tol).toBe(Number(tol));
      expect(t.relativeGap).toBeLessThanOrEqual(Number(tol));
      expect(t.solver.converged).toBe(true);
    }
  });

  // Issue 15, item 4: β at or above the dual bound β₀ = s(−∇L(0)) makes the zero network the
  // certified optimum, F* = L(0) in closed form; every mode reports it (no crash, exit 0).
  it("the zero optimum (β ≥ β₀) in every mode: solve, gated, certify, path, vector, min-norm", async () => {
    const ys = [0.5, -0.3, 0.8, 0.1, -0.6, 0.4];
    const L0 = 0.5 * ys.reduce((a, v) => a + v * v, 0);
    const r = await run("convex", "--data", data, "--beta", "100", "--bias", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.neurons).toBe(0);
    expect([j.mStar, j.MStar]).toEqual([0, 0]);
    expect(Math.abs(j.optimum - L0)).toBeLessThanOrEqual(1e-15);
    expect(j.gap).toBeLessThanOrEqual(1e-15);
    expect(j.zeroOptimum.zeroOptimal).toBe(true);
    // β₀ against an independent solve: just below it the optimum has a neuron, at 100 none.
    const b0 = j.zeroOptimum.betaZero;
    expect(b0).toBeGreaterThan(0);
    const below = JSON.parse((await run("convex", "--data", data, "--beta", String(0.99 * b0), "--bias", "--json")).out);
    expect(below.neurons).toBeGreaterThan(0);
    expect(below.optimum).toBeLessThan(L0);
    const at = JSON.parse((await run("convex", "--data", data, "--beta", String(1.01 * b0), "--bias", "--json")).out);
    expect(at.neurons).toBe(0);
    for (const row of j.staircase.rows) expect(row.holds).toBe(true);
    expect(j.uniqueness.unique).toBe(true);
    const text = await run("convex", "--data", data, "--beta", "100", "--bias");
    expect(text.out).toMatch(/the zero network is the global optimum in closed form: β = 100 ≥ β₀ = .* = 1\.07\d+ with ν₀ = −∇L\(0\)/);
    // The written network (one zero neuron: a model file needs a row) certifies as the optimum.
    const model = join(dir, "zero-opt.json");
    writeFileSync(model, JSON.stringify(j.network));
    const c = await run("convex", "--certify", "--model", model, "--data", data, "--beta", "100", "--json");
    expect(c.code).toBe(0);
    const cj = JSON.parse(c.out);
    expect(cj.classification).toBe("global optimum");
    expect(cj.optimalSet.mStar).toBe(0);
    const path = await run("convex", "--path", "--model", model, "--data", data, "--beta", "100", "--json");
    expect(path.code).toBe(0);
    expect(JSON.parse(path.out).finalClass).toBe("global optimum");
    const gated = await run("convex", "--data", data, "--beta", "100", "--bias", "--program", "gated", "--json");
    expect(gated.code).toBe(0);
    expect(JSON.parse(gated.out).activeBlocks).toBe(0);
    const v = await run("convex", "--data", "examples/two-outputs.json", "--beta", "100", "--bias", "--json");
    expect(v.code).toBe(0);
    const vj = JSON.parse(v.out);
    expect(vj.neurons).toBe(0);
    expect(vj.zeroOptimum.betaZero).toBeLessThanOrEqual(100);
    expect(vj.relativeGap).toBe(0);
    // Minimum-norm interpolation of y = 0: the zero network, unique.
    const zdata = join(dir, "zeroy.json");
    writeFileSync(zdata, JSON.stringify({ X: [[-1.2], [-0.4], [0.1], [0.7]], y: [0, 0, 0, 0] }));
    const mn = await run("convex", "--min-norm", "--data", zdata, "--bias", "--json");
    expect(mn.code).toBe(0);
    const mj = JSON.parse(mn.out);
    expect([mj.neurons, mj.networkNorm]).toEqual([0, 0]);
    expect(mj.uniqueness.unique).toBe(true);
  });
});
