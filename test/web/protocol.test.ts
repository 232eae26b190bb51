// The lab's worker protocol (web/src/engine): the engine called directly and through comlink
// over a MessageChannel (what the Web Worker does), checked against independent paths: the CLI's
// own `splitscape train` (same numbers, bit for bit), one long library run against the page's
// chunks, the embedding principle's rounding-level error (and its tanh negative control), the
// convex optimum as a lower bound of every trained network, and the CLI's error words.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as Comlink from "comlink";
import { afterAll, describe, expect, it } from "vitest";
import { LabEngine } from "../../web/src/engine/engine.js";
import type { TrainConfig } from "../../web/src/engine/train.js";
import { VIRIDIS_LUT, viridis } from "../../web/src/shared/colormap.js";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-lab-protocol-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MOONS = "builtin:moons?n=60&seed=1&noise=0.1";
const base: TrainConfig = {
  data: MOONS, seed: 3, width: 8, depth: 1, activation: "relu", slope: 0.1, bias: true, loss: "logistic", mean: true,
  method: "gd", lr: 0.2, batch: 16, scale: 0,
};

describe("lab engine: Train", () => {
  it("takes the same GD steps as `splitscape train` (bit for bit)", async () => {
    const lab = new LabEngine();
    const frame = lab.trainReset(base, 250, 7);
    const r = await runCli(
      "train", "--init", "width=8,activation=relu,seed=3,bias", "--data", MOONS, "--loss", "logistic", "--mean",
      "--method", "gd", "--lr", "0.2", "--steps", "250", "-o", dir, "--json",
    );
    expect(r.code).toBe(0);
    const cli = JSON.parse(r.out);
    expect(frame.step).toBe(250);
    expect(frame.loss).toBe(cli.loss);
    expect(frame.gradNorm).toBe(cli.gradientNorm);
    const final = JSON.parse(readFileSync(join(cli.runFolder, "final.json"), "utf8"));
    expect(lab.trainExport().model).toEqual(final);
  });

  it.each(["gd", "sgd", "rk4", "loss-based"] as const)("%s: chunks of any size take the steps of one long run", (method) => {
    const cfg = { ...base, method, lr: method === "loss-based" ? 0.05 : 0.2 };
    const one = new LabEngine();
    const a = one.trainReset(cfg, 120, 120);
    const many = new LabEngine();
    many.trainReset(cfg, 0, 1);
    for (const k of [1, 5, 13, 40, 61]) many.trainAdvance(k);
    const b = many.trainAdvance(0);
    expect(b.step).toBe(120);
    expect(b.loss).toBe(a.loss);
    expect(many.trainExport().model).toEqual(one.trainExport().model);
    expect(a.loss).toBeLessThan(one.trainReset(cfg).loss); // it trained
  });

  it("sends every curve sample once, and the heatmap is f on the grid", () => {
    const lab = new LabEngine();
    const f0 = lab.trainReset(base);
    expect(f0.curve.map((p) => p.step)).toEqual([0]);
    const f1 = lab.trainAdvance(30);
    expect(f1.curve.map((p) => p.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(f1.curve[29].loss).toBe(f1.loss);
    const h = lab.trainHeatmap(3, [-1, 1, -2, 2]);
    expect(h.length).toBe(9);
    // Independent: the model file's own formula f(x) = Σ a_j relu(w_j·x + b_j) at the top-left corner (−1, 2).
    const m = lab.trainExport().model as { W: number[][]; a: number[]; b: number[] };
    const f = m.W.reduce((s, w, j) => s + m.a[j] * Math.max(0, w[0] * -1 + w[1] * 2 + m.b[j]), 0);
    expect(h[0]).toBeCloseTo(f, 13);
  });

  it("colours the heatmap through viridis in the worker: pixel = LUT[(tanh f + 1)/2]", () => {
    const lab = new LabEngine();
    lab.trainReset(base, 50, 50);
    const f = lab.trainHeatmap(16, [-2, 2, -2, 2]);
    const px = new Uint32Array(lab.trainHeatmapImage(16, [-2, 2, -2, 2], { kind: "tanh" }).buffer);
    for (let i = 0; i < f.length; i++) {
      const t = 127.5 * (Math.tanh(f[i]) + 1);
      expect([VIRIDIS_LUT[Math.floor(t)], VIRIDIS_LUT[Math.ceil(t)]], `pixel ${i}`).toContain(px[i]);
    }
    const r = new Uint32Array(lab.trainHeatmapImage(16, [-2, 2, -2, 2], { kind: "range", lo: -1, hi: 1 }).buffer);
    for (let i = 0; i < f.length; i++) expect(r[i]).toBe(VIRIDIS_LUT[Math.max(0, Math.min(255, Math.round((f[i] + 1) * 127.5)))]);
  });

  it("stops on divergence with the library's reason", () => {
    const lab = new LabEngine();
    const f = lab.trainReset({ ...base, loss: "square", lr: 1e6 }, 200, 50);
    expect(f.stopped?.stop).toBe("nonFinite");
    expect(f.stopped?.reason).toMatch(/non-finite/);
  });

  it("reports bad input in the CLI's words", async () => {
    const lab = new LabEngine();
    expect(() => lab.trainReset({ ...base, data: "builtin:moons?n=0" })).toThrowError(/builtin:moons: n: /);
    const bad = "x1,x2,y\n0.1,0.2,1\n0.3,abc,-1\n";
    let labMessage = "";
    try {
      lab.upload("bad.csv", bad);
    } catch (e) {
      expect((e as Error).name).toBe("InputError");
      labMessage = (e as Error).message;
    }
    const file = join(dir, "bad.csv");
    writeFileSync(file, bad);
    const r = await runCli("data", "make", file, "-o", join(dir, "never.json"));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`splitscape: ${labMessage.replace(/^bad\.csv/, file)}\n`);
    const regression = lab.upload("reg.csv", "x1,x2,y\n0,1,0.5\n1,0,2\n");
    expect(regression.source).toMatch(/^upload:reg\.csv@[0-9a-f]{8}$/);
    expect(() => lab.trainReset({ ...base, data: regression.source })).toThrowError(/the logistic loss needs labels ±1, got 0\.5 in sample 0/);
    expect(() => lab.trainReset({ ...base, data: "upload:gone.csv@00000000" })).toThrowError(/drop the file here again/);
  });
});

describe("lab engine: Split, Small init, Convex, Plateau", () => {
  const split = { data: "builtin:blobs?n=40&seed=2&std=0.8", seed: 1, width: 2, activation: "leaky_relu" as const, slope: 0.01, unit: 0, coeffs: "0.6,0.8", loss: "exponential" as const, mean: true, method: "gd" as const, lr: 0.1, batch: 8 };

  it("Split: ‖η_k − Tθ_k‖ stays at rounding level, both KKT certificates agree; tanh breaks it", () => {
    const lab = new LabEngine();
    const f = lab.splitReset(split, 300, 50);
    expect(f.step).toBe(300);
    expect(f.maxError).toBeLessThan(1e-12);
    expect(f.narrow.loss).toBeCloseTo(f.wide.loss, 12);
    const c = lab.splitCertificates();
    if ("error" in c.narrow || "error" in c.wide) throw new Error("no certificate");
    expect(c.wide.normalizedMargin).toBeCloseTo(c.narrow.normalizedMargin, 12);
    const sgd = lab.splitReset({ ...split, method: "sgd" }, 200, 30);
    expect(sgd.maxError).toBeLessThan(1e-12);
    const t = lab.splitReset({ ...split, activation: "tanh" }, 300, 50);
    expect(t.maxError).toBeGreaterThan(1e-6);
    expect(lab.splitCertificates().narrow).toEqual({ error: expect.stringMatching(/homogeneous/) });
    expect(() => lab.splitReset({ ...split, coeffs: "0.6,0.7" })).toThrowError(/Σc_i² = 0.849+\d* must equal 1 within the tolerance/);
  });

  it("Small init: the escape time is close to log(1/δ)/(2𝒩*) and neurons sit at KKT directions", () => {
    const lab = new LabEngine();
    const r = lab.smallInit({ data: "builtin:sin?n=20&d=2&seed=3", seed: 3, width: 8, slope: 0.1, log10Delta: -20, horizon: 1.3 });
    expect(r.kkt.length).toBeGreaterThan(0);
    // The note's band at ρ = 1e-2: t_obs/t_pred ≥ 1 − log(1/ρ)/log(1/δ) = 0.9, and a small delay above 1.
    expect(r.observedEscape / r.predictedEscape).toBeGreaterThan(0.9);
    expect(r.observedEscape / r.predictedEscape).toBeLessThan(1.1);
    expect(r.samples[0].log10Norm).toBeCloseTo(-20, 10);
  });

  it("Convex: a certified optimum that no trained network beats", () => {
    const lab = new LabEngine();
    const r = lab.convex({ data: "builtin:teacher?n=12&d=2&task=regression&seed=1", beta: 0.05, bias: false, width: 8, seed: 0, lr: 0.02, steps: 20000, initScale: 0.5 });
    expect(r.relativeGap).toBeLessThanOrEqual(1e-8);
    expect(r.trained.objective).toBeGreaterThanOrEqual(r.optimum * (1 - 1e-8));
    expect(["global optimum", "stationary", "neither"]).toContain(r.trained.classification);
    expect(r.mStar).not.toBeNull();
    expect(r.mStar!).toBeLessThanOrEqual(r.MStar!);
    if (r.trained.classification === "global optimum") expect(r.trained.excess).toBeLessThan(1e-6);
  });

  it("Plateau: H_j ≻ 0 at a minimum — minima exactly for λ ∈ (0, 1), every class confirmed by the wide Hessian", () => {
    const lab = new LabEngine();
    const r = lab.plateau({ activation: "tanh", d: 2, m: 3, target: "positive-definite", stationary: "minimum", seed: 0, k: 2, lmin: -0.5, lmax: 1.5, points: 9, simplexN: 6, l1: 0.3, l2: 0 });
    expect(r.stationary).toBe(true);
    expect(r.disagreements).toEqual([]);
    for (const p of r.points) expect(p.cls === "local minimum", String(p.lambda)).toBe(p.lambda[0] > 0 && p.lambda[0] < 1);
    expect(r.selected.cls).toBe("local minimum");
    expect(r.selected.eigenvalues.length).toBe(4 * 2 + 4); // wide network: m + 1 = 4 units, W (4×2) and a (4)
  });
});

describe("viridis", () => {
  it("matches matplotlib's viridis at its ends and middle, and its lightness rises (greyscale-safe)", () => {
    // matplotlib's _viridis_data: #440154 at 0, #21918c at 0.5, #fde725 at 1 (within 5 of 255 per channel: the polynomial fit).
    for (const [t, rgb] of [[0, [0x44, 0x01, 0x54]], [0.5, [0x21, 0x91, 0x8c]], [1, [0xfd, 0xe7, 0x25]]] as const) {
      viridis(t).forEach((c, i) => expect(Math.abs(c - rgb[i]), `t = ${t}`).toBeLessThanOrEqual(5));
    }
    let prev = -Infinity;
    for (let i = 0; i < 256; i++) {
      const [r, g, b] = viridis(i / 255);
      const luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
      expect(luma, `entry ${i}`).toBeGreaterThan(prev - 0.5); // non-decreasing up to the byte rounding
      prev = luma;
    }
  });
});

describe("lab protocol over a MessageChannel (comlink, as in the Web Worker)", () => {
  it("carries configs, frames and typed arrays, and InputErrors with their words", async () => {
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(new LabEngine(), port2);
    const remote = Comlink.wrap<LabEngine>(port1);
    try {
      const env = await remote.environment();
      expect(env.generators.map((g) => g.name)).toContain("moons");
      const f = await remote.trainReset(base, 10, 5);
      expect(f.step).toBe(10);
      const h = await remote.trainHeatmap(4, [-1, 1, -1, 1]);
      expect(h).toBeInstanceOf(Float64Array);
      expect(h.length).toBe(16);
      await expect(remote.trainReset({ ...base, width: 0 })).rejects.toThrowError("width: expected a positive integer, got 0");
      const svg = await remote.figure({ $schema: "https://vega.github.io/schema/vega-lite/v5.json", data: { values: [{ x: 1, y: 2 }] }, mark: "point", encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } });
      expect(svg.startsWith("<svg")).toBe(true);
    } finally {
      port1.close();
      port2.close();
    }
  });
});
