/**
 * Stationarity at an interpolating fit: PyTorch's float64 tanh net fits its 20 targets to
 * F = 6.7e-32 (test/fixtures/torch), so every residual — and with them the gradient's scale — is
 * at rounding level, and ‖∇F‖/scale says nothing. The rounding floor of the square loss
 * (inspect/objective.ts) decides instead; a real gradient (the same net moved by 1e-6) stays
 * "not stationary". Through the CLI, the safetensors weights are read with --arch.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../src/data/index.js";
import { stationaritySection } from "../../src/inspect/index.js";
import { parseArch } from "../../src/io/index.js";
import { loadModel } from "../../src/model/index.js";
import { runCli } from "../helpers/cli.js";

const TORCH = join(import.meta.dirname, "../fixtures/torch");
const weights = join(TORCH, "two-layer-tanh-bias.safetensors");
const npz = join(TORCH, "two-layer-tanh-bias.npz");
const model = loadModel(weights, { layers: parseArch("linear,tanh,linear", "--arch") });
const data = loadDataset(npz);
const dir = mkdtempSync(join(tmpdir(), "splitscape-inspect-floor-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("inspect: stationarity of an interpolating fit", () => {
  it("is stationary to rounding (‖∇F‖ ≤ floor) although ‖∇F‖/scale is far above the tolerance", () => {
    const s = stationaritySection(model, data, { loss: "square" });
    expect(s.objective).toBeLessThan(1e-28);
    expect(s.relativeGradient).toBeGreaterThan(1e-3); // the relative test alone would say "not stationary"
    expect(s.gradientNorm).toBeLessThanOrEqual(s.gradientFloor);
    expect(s.stationary).toBe(true);
    expect(s.verdict).not.toBe("not stationary");
    expect(s.reason).toMatch(/stationary to rounding/);
  });
  it("a real gradient is not hidden by the floor: the same net moved by 1e-6 is not stationary", () => {
    const theta = Float64Array.from(model.theta, (v, i) => v + 1e-6 * Math.sin(1 + i));
    const s = stationaritySection({ arch: model.arch, theta }, data, { loss: "square" });
    expect(s.gradientNorm).toBeGreaterThan(1e3 * s.gradientFloor);
    expect(s.verdict).toBe("not stationary");
  });
  it("the floor is zero for the margin losses (their ∂ℒ/∂F are computed to relative accuracy)", () => {
    const y = data.Y.data.map((v) => (v > 0.4 ? 1 : -1));
    const s = stationaritySection(model, { X: data.X, Y: { ...data.Y, data: y } }, { loss: "logistic" });
    expect(s.gradientFloor).toBe(0);
  });
  it("the CLI reads the safetensors weights with --arch and prints the floor", async () => {
    const r = await runCli("inspect", "--model", weights, "--arch", "linear,tanh,linear", "--data", npz, "--loss", "square", "-o", dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/two-layer 3→5→1 tanh \(\+b, \+c\)/);
    expect(r.out).toMatch(/stationarity\s+undetermined\s+‖∇F‖ = \S+ ≤ rounding floor/);
  });
});
