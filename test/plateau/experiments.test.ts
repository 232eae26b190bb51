/** The plateau experiment kinds: every verdict passes on small settings, figures build, results are deterministic. */
import { describe, expect, it } from "vitest";
import { executeExperiment, getExperiment, validateSpec } from "../../src/experiments/index.js";

const kinds = ["plateau-definite", "plateau-negative-definite", "plateau-indefinite", "plateau-saddle", "plateau-zero"];

describe("plateau experiments", () => {
  for (const kind of kinds) {
    for (const k of [2, 3] as const) {
      it(`${kind}, k = ${k}: all verdicts pass`, async () => {
        const spec = validateSpec({ kind, seed: 3, params: k === 2 ? { k, points: 11 } : { k, simplexN: 4 } }, "test").spec;
        const r = await executeExperiment(spec);
        const failed = r.verdicts.filter((v) => !v.pass).map((v) => `${v.claim}: ${v.measured} vs ${v.tolerance}`);
        expect(failed).toEqual([]);
        expect(r.summary.disagreements).toBe(0);
        const figs = getExperiment(kind)!.figures(r, spec);
        expect(figs.map((f) => f.name)).toContain("class-map");
      });
    }
  }

  it("the headline is registered for the plateau family and deterministic", async () => {
    const def = getExperiment("plateau-definite")!;
    expect(def.family).toBe("plateau");
    expect(def.headline).toBeDefined();
    const spec = validateSpec({ kind: "plateau-definite", seed: def.headline!.seed ?? 1, params: def.headline!.params ?? {} }, "test").spec;
    const a = await executeExperiment(spec);
    const b = await executeExperiment(spec);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it("a field that would not act for the chosen k is rejected (it used to be silently ignored)", () => {
    expect(() => validateSpec({ kind: "plateau-definite", params: { k: 2, simplexN: 4 } }, "spec.yaml")).toThrow(/params\.simplexN.*would not act: simplexN is for k = 3, this spec has k = 2/);
    expect(() => validateSpec({ kind: "plateau-saddle", params: { k: 3, points: 11 } }, "spec.yaml")).toThrow(/params\.points.*is for k = 2/);
    expect(() => validateSpec({ kind: "plateau-saddle", params: { k: 3, lambdaMin: -1 } }, "spec.yaml")).toThrow(/lambdaMin/);
  });
});
