/** `splitscape plateau`, run in-process: JSON contract, agreement with the library, exit codes 0/1/2. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { datasetToJsonText } from "../../src/data/index.js";
import { modelToText, parseModelText } from "../../src/model/index.js";
import { designed } from "./cases.js";
import { runCli as run } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-plateau-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


const c = designed("positive-definite", "minimum", { seed: 3 });
const modelPath = join(dir, "m.json");
const perturbedPath = join(dir, "mp.json");
const dataPath = join(dir, "d.json");
writeFileSync(modelPath, modelToText(c.model));
writeFileSync(perturbedPath, modelToText({ arch: c.model.arch, theta: c.model.theta.map((x, i) => x + 1e-4 * Math.cos(i)) }));
writeFileSync(dataPath, datasetToJsonText({ X: c.data.X, Y: c.data.Y, source: "designed" }));

describe("splitscape plateau", () => {

  it("prints the contract fields and exits 0 when everything agrees", async () => {
    const outPath = join(dir, "refined.json");
    const r = await run("plateau", "--model", perturbedPath, "--data", dataPath, "--unit", "0", "--lambda", "0.3,0.7", "--lambda", "1.2,-0.2", "--lambda", "1,0", "-o", outPath, "--json");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    for (const key of ["gradientNorm", "innerHessianEigenvalues", "reducedInertia", "points"]) expect(j).toHaveProperty(key);
    expect(j.gradientNorm).toBeLessThanOrEqual(j.gradientTolerance);
    expect(j.refinement.iterations).toBeGreaterThan(0);
    expect(j.innerHessianEigenvalues).toHaveLength(2);
    expect(j.innerHessianInertia).toEqual([2, 0, 0]);
    expect(j.reducedInertia).toEqual([9, 0, 0]);
    expect(j.points.map((p: { class: string }) => p.class)).toEqual(["local minimum", "strict saddle", "fourth-order saddle"]);
    for (const p of j.points) {
      expect(p.measuredInertia).toEqual(p.predictedInertia);
      expect(typeof p.minEigenvalue).toBe("number");
      if (p.class !== "local minimum") expect(p.descent.lowers).toBe(true);
      else expect(p.descent).toBeUndefined();
    }
    expect(j.points[0].predictedInertia).toEqual([11, 0, 1]);
    expect(j.points[1].predictedInertia).toEqual([9, 2, 1]);
    expect(j.ok).toBe(true);
    const refined = parseModelText(readFileSync(outPath, "utf8"), outPath);
    for (let i = 0; i < refined.theta.length; i++) expect(Math.abs(refined.theta[i] - c.model.theta[i])).toBeLessThan(1e-9);
  });

  it("uses the λ-line by default for k = 2 and the simplex grid for k = 3", async () => {
    const r2 = JSON.parse((await run("plateau", "--model", modelPath, "--data", dataPath, "--unit", "0", "--json")).out);
    expect(r2.k).toBe(2);
    expect(r2.points).toHaveLength(9);
    const r3 = JSON.parse((await run("plateau", "--model", modelPath, "--data", dataPath, "--unit", "0", "--k", "3", "--json")).out);
    expect(r3.points).toHaveLength(15);
    expect(r3.ok).toBe(true);
  });

  it("exits 1 when the model is not stationary and refinement is off (JSON still printed)", async () => {
    const r = await run("plateau", "--model", perturbedPath, "--data", dataPath, "--unit", "0", "--no-refine", "--lambda", "0.5,0.5", "--json");
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.ok).toBe(false);
    expect(j.gradientNorm).toBeGreaterThan(j.gradientTolerance);
    expect(j.disagreements[0]).toMatch(/stationarity/);
  });

  it("human output names the classes", async () => {
    const r = await run("plateau", "--model", modelPath, "--data", dataPath, "--unit", "0", "--lambda", "0.5,0.5");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/local minimum/);
    expect(r.out).toMatch(/all predictions agree/);
  });

  it("exits 2 on bad input", async () => {
    expect((await run("plateau", "--model", modelPath, "--data", dataPath, "--unit", "0", "--lambda", "0.5,0.6")).code).toBe(2);
    expect((await run("plateau", "--model", modelPath, "--data", dataPath, "--unit", "7")).code).toBe(2);
    expect((await run("plateau", "--model", modelPath, "--data", dataPath, "--unit", "0", "--k", "3", "--lambda", "0.5,0.5")).code).toBe(2);
    const mlp = join(dir, "mlp.json");
    writeFileSync(mlp, JSON.stringify({ kind: "mlp", activation: "tanh", weights: [[[1, 0], [0, 1]], [[1, 1]]] }));
    const r = await run("plateau", "--model", mlp, "--data", dataPath, "--unit", "0");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/two-layer/);
  });

  it("a ReLU (non-smooth) model is bad input: exit 2, one line saying it needs a smooth activation", async () => {
    // Before: the analysis ran on the kinked model and printed 9 DISAGREES with exit 1.
    for (const activation of ["relu", { name: "leaky_relu", slope: 0.1 }, { name: "relu_power", power: 2 }]) {
      const json = JSON.parse(modelToText(c.model));
      json.activation = activation;
      const path = join(dir, `kinked-${typeof activation === "string" ? activation : activation.name}.json`);
      writeFileSync(path, JSON.stringify(json));
      const r = await run("plateau", "--model", path, "--data", dataPath, "--unit", "0");
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toContain(path);
      expect(r.err).toContain("activation");
      expect(r.err).toContain("needs a smooth (twice continuously differentiable) activation");
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.err.trim().split("\n")).toHaveLength(1);
    }
    // relu_power with p = 3 is C² and accepted.
    const json = JSON.parse(modelToText(c.model));
    json.activation = { name: "relu_power", power: 3 };
    const ok = join(dir, "relu3.json");
    writeFileSync(ok, JSON.stringify(json));
    expect((await run("plateau", "--model", ok, "--data", dataPath, "--unit", "0", "--json")).code).not.toBe(2);
  });
});

describe("splitscape plateau: H_j = 0 (the third-order decision)", () => {
  for (const target of ["zero", "zero-cubic"] as const) {
    it(`${target}: T_j on null(H_j) in the JSON, typed escape routes or the undecided condition`, async () => {
      const z = designed(target, "minimum", { seed: 5 });
      const m = join(dir, `${target}-m.json`);
      const d = join(dir, `${target}-d.json`);
      writeFileSync(m, modelToText(z.model));
      writeFileSync(d, datasetToJsonText({ X: z.data.X, Y: z.data.Y, source: target }));
      const r = await run("plateau", "--model", m, "--data", d, "--unit", "0", "--lambda", "0.3,0.7", "--lambda", "0.5,0.5", "--json");
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out);
      expect(j.innerHessianInertia).toEqual([0, 0, 2]);
      expect(j.innerNullCubic.nullity).toBe(2);
      expect(j.innerNullCubic.vanishes).toBe(target === "zero-cubic");
      if (target === "zero") {
        expect(j.points.map((p: { class: string }) => p.class)).toEqual(["third-order saddle", "fourth-order saddle"]);
        expect(j.points[0].escape.kind).toBe("cubic-line");
        expect(j.points[1].escape).toEqual({ kind: "cubic-plateau", from: 0, to: 1 });
        for (const p of j.points) expect(p.descent.lowers).toBe(true);
      } else {
        for (const p of j.points) {
          expect(p.class).toBe("undetermined");
          expect(p.undecided).toEqual({ kind: "quartic-form", nullity: 2 });
        }
      }
    });
  }
});
