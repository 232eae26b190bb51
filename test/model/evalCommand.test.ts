/** `splitscape eval`, run in-process: JSON fields, agreement with the library, exit 2 on bad input. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lossAndGradient, parseModelJson } from "../../src/model/index.js";
import { runCli as run } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-eval-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


const modelJson = { kind: "two-layer", activation: "relu", W: [[1, 0.5], [-0.3, 1], [0.2, -1]], a: [1, -1, 0.5] };
const dataJson = { X: [[0.1, 2], [1.5, -0.3], [-1, 0.4], [0.7, 0.7]], y: [1, -1, 1, -1] };
const modelPath = join(dir, "m.json");
const dataPath = join(dir, "d.json");
writeFileSync(modelPath, JSON.stringify(modelJson));
writeFileSync(dataPath, JSON.stringify(dataJson));
const ds = {
  X: { rows: 4, cols: 2, data: Float64Array.from(dataJson.X.flat()) },
  Y: { rows: 4, cols: 1, data: Float64Array.from(dataJson.y) },
};

describe("splitscape eval", () => {

  it("--json prints loss, logLoss, gradient and margins that match the library", async () => {
    const r = await run("eval", "--model", modelPath, "--data", dataPath, "--loss", "logistic", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const ref = lossAndGradient(parseModelJson(modelJson, "m"), ds, "logistic");
    expect(j.loss).toBe(ref.loss);
    expect(j.logLoss).toBe(ref.logLoss);
    expect(j.gradient).toEqual(Array.from(ref.gradient!));
    expect(j.margins).toEqual(Array.from(ref.outputs.data, (f, i) => f * dataJson.y[i]));
    expect(j.convention).toBe("sum");
    expect(j.homogeneity).toBe(2);
    expect(j.hessian).toBeUndefined();
  });
  it("--hessian adds the Hessian and its ascending eigenvalues; --mean divides by n", async () => {
    const r = await run("eval", "--model", modelPath, "--data", dataPath, "--loss", "exponential", "--hessian", "--mean", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.convention).toBe("mean");
    expect(j.hessian.length).toBe(9);
    expect(j.eigenvalues.length).toBe(9);
    for (let i = 1; i < 9; i++) expect(j.eigenvalues[i]).toBeGreaterThanOrEqual(j.eigenvalues[i - 1]);
    const trace = j.hessian.reduce((s: number, row: number[], i: number) => s + row[i], 0);
    const sum = j.eigenvalues.reduce((s: number, v: number) => s + v, 0);
    expect(Math.abs(trace - sum)).toBeLessThan(1e-12 * Math.max(1, Math.abs(trace)));
    const ref = lossAndGradient(parseModelJson(modelJson, "m"), ds, "exponential", { mean: true });
    expect(j.loss).toBe(ref.loss);
  });
  it("square loss: no margins; human summary without --json", async () => {
    const j = JSON.parse((await run("eval", "--model", modelPath, "--data", dataPath, "--loss", "square", "--json")).out);
    expect(j.margins).toBeUndefined();
    const h = await run("eval", "--model", modelPath, "--data", dataPath, "--loss", "logistic", "--hessian");
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/loss {6}logistic \(sum over samples\)/);
    expect(h.out).toMatch(/hessian {3}eigenvalues in/);
  });
  it("exit 2 with a clear message on bad input", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...modelJson, W: [[1, 0.5], [-0.3], [0.2, -1]] }));
    let r = await run("eval", "--model", bad, "--data", dataPath, "--loss", "logistic", "--json");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.json: W: row 1 has 1 entries, expected 2/);
    // with --json the failure is one JSON object on stdout too (issue 15, item 6)
    expect(JSON.parse(r.out).error).toMatchObject({ code: 2, file: bad, field: "W" });
    const wide = join(dir, "wide.json");
    writeFileSync(wide, JSON.stringify({ ...modelJson, W: [[1, 0.5, 1], [-0.3, 1, 1], [0.2, -1, 1]] }));
    r = await run("eval", "--model", wide, "--data", dataPath, "--loss", "logistic");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/d\.json: X: has 2 input columns, but the model .*wide\.json .* expects d = 3/);
    const zeroOne = join(dir, "01.json");
    writeFileSync(zeroOne, JSON.stringify({ ...dataJson, y: [1, 0, 1, 0] }));
    r = await run("eval", "--model", modelPath, "--data", zeroOne, "--loss", "exponential");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/needs labels ±1, got 0 in sample 1/);
    r = await run("eval", "--model", join(dir, "missing.json"), "--data", dataPath, "--loss", "square");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/missing\.json: no such file, expected a model file/);
    r = await run("eval", "--model", modelPath, "--data", dataPath, "--loss", "hinge");
    expect(r.code).toBe(2);
  });
});
