import { describe, expect, it } from "vitest";
import "../../src/experiments/kinds/index.js";
import { executeExperiment, getExperiment, validateSpec } from "../../src/experiments/index.js";

// ncf-saddle-to-saddle at its defaults (both presets, 6e5 + 8e5 GD steps, ~20 s): every verdict
// passes (bands derived in src/experiments/kinds/ncf.ts), both presets show ≥ 3 plateaus, the
// figures are plain JSON, and the kind stays out of the tour (no headline).
describe("ncf-saddle-to-saddle", () => {
  it("all verdicts pass at the defaults; predictions annotate every plateau", async () => {
    const { spec } = validateSpec({ kind: "ncf-saddle-to-saddle", seed: 1, params: {} }, "test");
    const result = await executeExperiment(spec);
    for (const v of result.verdicts) expect({ claim: v.claim, pass: v.pass, measured: v.measured }).toMatchObject({ pass: true });
    const rows = result.series.plateaus;
    for (const name of ["1d", "3d"]) expect(rows.filter((r) => r.preset === name).length).toBeGreaterThanOrEqual(3);
    // the 3-D run's second plateau: the small block reaches a KKT point of 𝒩_res below its global max,
    // so the naive prediction log(λ/ρ)/(2𝒩*_res) is early while the flow from z(t₀) is on time
    const p2 = rows.find((r) => r.preset === "3d" && r.plateau === 2)!;
    expect(Number(p2.ncfResFlow)).toBeLessThan(Number(p2.ncfStarRes));
    expect(Math.abs(Number(p2.observedExitStep) - Number(p2.predictedExitStep))).toBeLessThan(Math.abs(Number(p2.observedExitStep) - Number(p2.naiveExitStep)));
    const def = getExperiment("ncf-saddle-to-saddle")!;
    expect(def.headline).toBeUndefined();
    const figs = def.figures(result, spec);
    expect(figs.map((f) => f.name)).toEqual(["loss-1d", "loss-3d"]);
    expect(() => JSON.stringify(figs)).not.toThrow();
  }, 180_000);
});
