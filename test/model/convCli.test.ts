/**
 * The commands on conv model files: eval (gradient and Hessian), train (GD = a hand-written loop),
 * kkt, split (a channel: --layer = the l-th convolution, --unit = its output channel), and exit 2
 * with one line naming the file and field for a bad conv model or an out-of-range channel.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  forward, lossAndGradient, parseModelJson, parseModelText, type ConvArchitecture, type ModelData,
} from "../../src/model/index.js";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-conv-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const modelJson = {
  kind: "conv",
  activation: { name: "leaky_relu", slope: 0.1 },
  input: [1, 6],
  layers: [
    { type: "conv", weight: [[[0.3, -0.5, 0.8]], [[-0.4, 0.6, 0.2]]] },
    { type: "avgpool", kernel: 2 },
  ],
  head: [[0.7, -0.3, 0.5, 0.9]],
};
const modelPath = join(dir, "conv.json");
writeFileSync(modelPath, JSON.stringify(modelJson));
const model = parseModelJson(modelJson, modelPath);
// labels: the sign of the model itself, so the data are separated (kkt)
const Xrows = [[0.5, -1, 0.3, 0.8, -0.2, 0.1], [-0.7, 0.4, 0.9, -0.5, 0.6, -0.3], [0.2, 0.2, -0.8, 0.4, 0.1, 0.9],
  [-0.1, -0.6, 0.5, 0.3, -0.9, 0.2], [0.9, 0.1, -0.2, -0.7, 0.5, -0.4], [-0.3, 0.8, 0.1, 0.6, -0.5, -0.8]];
const X = { rows: 6, cols: 6, data: Float64Array.from(Xrows.flat()) };
const y = Array.from(forward(model, X).data, (v) => (v > 0 ? 1 : -1));
const data: ModelData = { X, Y: { rows: 6, cols: 1, data: Float64Array.from(y) } };
const dataPath = join(dir, "data.json");
writeFileSync(dataPath, JSON.stringify({ X: Xrows, y }));

describe("commands on conv models", () => {
  it("eval --json: loss, gradient (= the library's), homogeneity 2, symmetric Hessian", async () => {
    const r = await runCli("eval", "--model", modelPath, "--data", dataPath, "--loss", "logistic", "--hessian", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.architecture).toBe("conv1d 1×6 → conv 2 3 → 2×4 → avgpool 2 → 2×2 → 1 leaky_relu(0.1)");
    expect(j.homogeneity).toBe(2);
    expect(j.p).toBe(10);
    const ev = lossAndGradient(model, data, "logistic");
    expect(j.loss).toBe(ev.loss);
    expect(j.gradient).toEqual(Array.from(ev.gradient!));
    expect(j.hessian).toHaveLength(10);
    for (let a = 0; a < 10; a++) for (let b = 0; b < 10; b++) expect(j.hessian[a][b]).toBe(j.hessian[b][a]);
  });

  it("train --method gd: the final conv model = a hand-written loop θ ← θ − η∇ℒ(θ)", async () => {
    const r = await runCli("train", "--model", modelPath, "--data", dataPath, "--loss", "exponential", "--method", "gd", "--lr", "0.05", "--steps", "20", "-o", join(dir, "runs"), "--json");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    const theta = model.theta.slice();
    for (let k = 0; k < 20; k++) {
      const g = lossAndGradient({ arch: model.arch, theta }, data, "exponential").gradient!;
      for (let i = 0; i < g.length; i++) theta[i] -= 0.05 * g[i];
    }
    const final = parseModelText(readFileSync(join(s.runFolder, "final.json"), "utf8"), "final.json");
    expect(final.arch.kind).toBe("conv");
    let diff = 0;
    for (let i = 0; i < theta.length; i++) diff = Math.max(diff, Math.abs(final.theta[i] - theta[i]));
    expect(diff).toBeLessThanOrEqual(1e-13);
  });

  it("kkt --json: a certificate for the conv net (status ok, L = 2)", async () => {
    const r = await runCli("kkt", "--model", modelPath, "--data", dataPath, "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.status).toBe("ok");
    expect(j.homogeneity).toBe(2);
    expect(j.epsilonRelative).toBeGreaterThanOrEqual(0);
  });

  it("split --layer 1 --unit 1: channel 1 → channels 1 and 2, checks pass, the wide file computes the same function", async () => {
    const out = join(dir, "wide.json");
    const r = await runCli("split", "--model", modelPath, "--layer", "1", "--unit", "1", "--coeffs", "0.6,0.8", "-o", out, "--data", dataPath, "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.copies).toEqual([1, 2]);
    expect(j.pass).toBe(true);
    expect(j.after.architecture).toMatch(/conv 3 3 → 3×4/);
    const wide = parseModelText(readFileSync(out, "utf8"), out);
    expect((wide.arch as ConvArchitecture).stages[0]).toMatchObject({ type: "conv", channels: 3 });
    const a = forward(model, X).data;
    const b = forward(wide, X).data;
    for (let i = 0; i < 6; i++) expect(Math.abs(b[i] - a[i])).toBeLessThanOrEqual(1e-15);
  });

  it("exit 2 with one line: an out-of-range channel or layer, a bad conv model file", async () => {
    const unit = await runCli("split", "--model", modelPath, "--unit", "2", "--coeffs", "0.6,0.8", "-o", join(dir, "x.json"));
    expect(unit.code).toBe(2);
    expect(unit.err.trim()).toMatch(/--unit.*unit 2 is out of range: hidden layer 1 has units 0\.\.1/);
    const layer = await runCli("split", "--model", modelPath, "--layer", "2", "--unit", "0", "--coeffs", "0.6,0.8", "-o", join(dir, "x.json"));
    expect(layer.code).toBe(2);
    expect(layer.err).toMatch(/--layer.*hidden layers 1\.\.1/);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...modelJson, head: [[1, 2, 3]] }));
    const e = await runCli("eval", "--model", bad, "--data", dataPath, "--loss", "logistic");
    expect(e.code).toBe(2);
    expect(e.err.trim().split("\n")).toHaveLength(1);
    expect(e.err).toMatch(/bad\.json: head: has 3 entries at \[0\], expected 4/);
  });
});
