import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeBuiltin } from "../../src/data/index.js";
import { initializeModel, lossAndGradient, parseModelJson, twoLayerArchitecture, makeActivation } from "../../src/model/index.js";
import { nrm2 } from "../../src/linalg/index.js";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-train-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

describe("splitscape train", () => {
  const data = "builtin:blobs?n=40&seed=3";

  it("writes a complete run folder whose final model has the reported loss, and reruns bit-identically", async () => {
    const out = join(dir, "flow");
    const args = ["train", "--init", "width=8,activation=relu,seed=2", "--data", data, "--loss", "logistic", "--time", "5", "-o", out, "--json"];
    const a = await runCli(...args);
    expect(a.code).toBe(0);
    const sa = JSON.parse(a.out);
    for (const f of ["spec.json", "initial.json", "final.json", "trajectory.json", "metrics.jsonl", "result.json", "run.json"]) {
      expect(existsSync(join(sa.runFolder, f))).toBe(true);
    }
    expect(existsSync(join(sa.runFolder, "INCOMPLETE"))).toBe(false);
    expect(sa.stop).toBe("maxTime");
    expect(sa.t).toBe(5);
    // Independent check: re-evaluate the saved final model with the model layer.
    const final = parseModelJson(readJson(join(sa.runFolder, "final.json")), "final.json");
    const ev = lossAndGradient(final, makeBuiltin(data), "logistic");
    expect(Math.abs(ev.loss - sa.loss)).toBeLessThanOrEqual(1e-12 * sa.loss);
    // Gradient flow decreases the loss from the initial model.
    const initial = parseModelJson(readJson(join(sa.runFolder, "initial.json")), "initial.json");
    expect(lossAndGradient(initial, makeBuiltin(data), "logistic").loss).toBeGreaterThan(sa.loss);
    // Same spec → identical numbers (result.json and trajectory.json byte for byte).
    const b = await runCli(...args);
    const sb = JSON.parse(b.out);
    expect(sb.runFolder).not.toBe(sa.runFolder);
    for (const f of ["result.json", "trajectory.json", "final.json", "metrics.jsonl"]) {
      expect(readFileSync(join(sb.runFolder, f), "utf8")).toBe(readFileSync(join(sa.runFolder, f), "utf8"));
    }
    // metrics.jsonl has one record per trajectory sample, with the margin metrics.
    const lines = readFileSync(join(sa.runFolder, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.length).toBe(sa.samples);
    expect(lines[lines.length - 1]).toHaveProperty("normalizedMargin");
  });

  it("GD matches a hand-written loop θ ← θ − η∇ℒ(θ) step for step", async () => {
    const out = join(dir, "gd");
    const r = await runCli("train", "--init", "width=5,activation=tanh,seed=4", "--data", data, "--loss", "square", "--method", "gd", "--lr", "0.01", "--steps", "25", "-o", out, "--json");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    const ds = makeBuiltin(data);
    const model = initializeModel(twoLayerArchitecture({ d: 2, m: 5, activation: makeActivation("tanh") }), { seed: 4 });
    for (let k = 0; k < 25; k++) {
      const g = lossAndGradient(model, ds, "square").gradient!;
      for (let i = 0; i < g.length; i++) model.theta[i] -= 0.01 * g[i];
    }
    const final = parseModelJson(readJson(join(s.runFolder, "final.json")), "final.json");
    let diff = 0;
    for (let i = 0; i < final.theta.length; i++) diff = Math.max(diff, Math.abs(final.theta[i] - model.theta[i]));
    // Same operations in the same order up to summation order inside the kernels: ≤ 1e-12.
    expect(diff).toBeLessThanOrEqual(1e-12 * nrm2(model.theta));
    expect(s.steps).toBe(25);
  });

  it("flow from a tiny initialisation runs the rescaled small-init system without underflow", async () => {
    const out = join(dir, "small");
    const r = await runCli("train", "--init", "width=4,activation=linear,scale=1e-60,seed=1", "--data", "builtin:sin?n=12&d=3", "--loss", "square", "--time", "60", "-o", out, "--json");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.integrator).toBe("small-init");
    expect(Number.isFinite(s.tSwitch)).toBe(true);
    expect(Number.isFinite(s.loss)).toBe(true);
    expect(s.norm).toBeGreaterThan(1e-3);
  });

  it("bad input exits 2 naming the option, and creates no run folder", async () => {
    const out = join(dir, "bad");
    const r = await runCli("train", "--init", "width=3,colour=red", "--data", data, "--loss", "logistic", "-o", out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--init.*unknown key "colour"/);
    const both = await runCli("train", "--data", data, "--loss", "logistic", "-o", out);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/exactly one of --model FILE or --init SPEC/);
    const regression = await runCli("train", "--init", "width=3", "--data", "builtin:sin?n=5", "--loss", "logistic", "-o", out);
    expect(regression.code).toBe(2);
    expect(regression.err).toMatch(/labels ±1/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});

