/** `splitscape kkt`: the contract's JSON fields, exit 1 when not separated, exit 2 for non-homogeneous models. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-kkt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const modelPath = join(dir, "m.json");
writeFileSync(modelPath, JSON.stringify({ kind: "two-layer", activation: "relu", W: [[3, 0], [-3, 0]], a: [3, -3] }));
const dataPath = join(dir, "d.json");
writeFileSync(dataPath, JSON.stringify({ X: [[1, 0], [-1, 0], [2, 1]], y: [1, -1, 1] }));
const flipped = join(dir, "f.json");
writeFileSync(flipped, JSON.stringify({ X: [[1, 0], [-1, 0]], y: [1, 1] }));
const tanhPath = join(dir, "t.json");
writeFileSync(tanhPath, JSON.stringify({ kind: "two-layer", activation: "tanh", W: [[1, 0]], a: [1] }));

describe("splitscape kkt", () => {
  it("--json has the contract's fields; an exact KKT point (scaled by 3) has ε ≈ 0, λ = (1, 1, 0)", async () => {
    const r = await runCli("kkt", "--model", modelPath, "--data", dataPath, "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    for (const key of ["homogeneity", "qmin", "normalizedMargin", "epsilon", "epsilonRelative", "delta", "lambda", "support", "kinks"]) expect(j).toHaveProperty(key);
    expect(j.homogeneity).toBe(2);
    expect(j.qmin).toBe(9);
    expect(j.normalizedMargin).toBeCloseTo(9 / 36, 15);
    expect(j.epsilonRelative).toBeLessThanOrEqual(1e-15);
    expect(j.support).toEqual([0, 1]);
    expect(j.lambda[0]).toBeCloseTo(1, 14);
    expect(j.lambda[2]).toBe(0);
    expect(j.smoothedMargin).toBeLessThanOrEqual(j.normalizedMargin);
  });

  it("human output and --tol", async () => {
    const r = await runCli("kkt", "--model", modelPath, "--data", dataPath, "--tol", "1e-12");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Σλ = 2\.00000 vs ‖θ̂‖²\/L = 2\.00000/);
  });

  it("data the model does not separate: exit 1 with a clear message and null ε (no NaN)", async () => {
    const r = await runCli("kkt", "--model", modelPath, "--data", flipped, "--json");
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.status).toBe("not-separated");
    expect(j.message).toMatch(/does not separate/);
    expect(j.epsilon).toBeNull();
    expect(r.out).not.toMatch(/NaN/);
  });

  it("a non-homogeneous model: exit 2 with the reason", async () => {
    const r = await runCli("kkt", "--model", tanhPath, "--data", dataPath, "--json");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/tanh is not positively homogeneous/);
  });
});
