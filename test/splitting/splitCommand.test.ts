/** `splitscape split`: the wide model file, its checks, copy-and-divide, and exit codes 1/2. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { forward, parseModelText } from "../../src/model/index.js";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-split-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const modelPath = join(dir, "m.json");
writeFileSync(modelPath, JSON.stringify({ kind: "mlp", activation: { name: "leaky_relu", slope: 0.01 }, weights: [[[1, 0.5], [-0.3, 1], [0.2, -1]], [[1, -1, 0.5], [0.3, 0.2, -0.7]], [[1.5, -0.4]]] }));
const tanhPath = join(dir, "t.json");
writeFileSync(tanhPath, JSON.stringify({ kind: "two-layer", activation: "tanh", W: [[1, 0.5], [-0.3, 1]], a: [1, -1] }));

describe("splitscape split", () => {
  it("splits layer 2 unit 1 with c = (0.6, 0.8): wide file, copies appended, checks pass", async () => {
    const out = join(dir, "wide.json");
    const r = await runCli("split", "--model", modelPath, "--layer", "2", "--unit", "1", "--coeffs", "0.6,0.8", "-o", out, "--data", "builtin:blobs?n=20&seed=1", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.kind).toBe("split");
    expect(j.copies).toEqual([1, 2]);
    expect(j.after.architecture).toMatch(/2→3→3→1/);
    expect(j.pass).toBe(true);
    expect(j.checks.isometry).toBeLessThanOrEqual(1e-15);
    expect(j.checks.functionData.relative).toBeLessThanOrEqual(1e-14);
    const wide = parseModelText(readFileSync(out, "utf8"), out);
    const narrow = parseModelText(readFileSync(modelPath, "utf8"), modelPath);
    const X = { rows: 1, cols: 2, data: Float64Array.of(0.3, -1.2) };
    expect(Math.abs(forward(wide, X).data[0] - forward(narrow, X).data[0])).toBeLessThanOrEqual(1e-15);
  });

  it("--copy-divide α: a tanh network keeps its function (pass), the splitting map does not (exit 1)", async () => {
    const cd = await runCli("split", "--model", tanhPath, "--unit", "0", "--copy-divide", "0.3", "-o", join(dir, "cd.json"), "--json");
    expect(cd.code).toBe(0);
    const j = JSON.parse(cd.out);
    expect(j.kind).toBe("copy-divide");
    expect(j.coefficients).toEqual([0.3, 0.7]);
    const sp = await runCli("split", "--model", tanhPath, "--unit", "0", "--coeffs", "0.6,0.8", "-o", join(dir, "sp.json"), "--json");
    expect(sp.code).toBe(1);
    expect(JSON.parse(sp.out).checks.functionPreserved).toBe(false);
  });

  it("--smooth takes --coeffs as the weights λ (k-way copy-and-divide, Σλ = 1)", async () => {
    const r = await runCli("split", "--model", tanhPath, "--unit", "1", "--smooth", "--coeffs", "0.2,0.3,0.5", "-o", join(dir, "sm.json"), "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.kind).toBe("copy-divide");
    expect(j.copies).toEqual([1, 2, 3]);
    expect(j.checks.functionRandom.relative).toBeLessThanOrEqual(1e-14);
    const bad = await runCli("split", "--model", tanhPath, "--unit", "1", "--smooth", "--coeffs", "0.2,0.3", "-o", join(dir, "sm2.json"));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/Σλ_i = 0\.5/);
  });

  it("exit 2 for negative coefficients, Σc² ≠ 1 (naming the tolerance), unit or layer out of range", async () => {
    const o = join(dir, "never.json");
    const cases: Array<[string[], RegExp]> = [
      [["--unit", "0", "--coeffs", "-0.6,0.8"], /must be ≥ 0/],
      [["--unit", "0", "--coeffs", "0.7,0.7"], /tolerance 1e-12/],
      [["--unit", "3", "--coeffs", "0.6,0.8"], /unit 3 is out of range/],
      [["--layer", "3", "--unit", "0", "--coeffs", "0.6,0.8"], /layer 3 is out of range/],
      [["--unit", "0", "--coeffs", "0.6,x"], /entry 2/],
    ];
    for (const [args, msg] of cases) {
      const r = await runCli("split", "--model", modelPath, ...args, "-o", o);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
    }
    expect(existsSync(o)).toBe(false);
  });
});
