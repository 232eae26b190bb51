import { describe, expect, it } from "vitest";
import "../../src/experiments/kinds/index.js";
import { executeExperiment, getExperiment, validateSpec } from "../../src/experiments/index.js";

// The three ncf kinds at their headline settings (each runs in about a second): every verdict
// must pass (the tolerances are derived in src/experiments/kinds/ncf.ts), and the figures must
// be plain JSON.
describe("ncf experiment kinds", () => {
  for (const kind of ["ncf-escape", "ncf-saddles", "ncf-circle"]) {
    it(`${kind}: all verdicts pass at the headline settings`, async () => {
      const { spec } = validateSpec({ kind, seed: 1, params: {} }, "test");
      const result = await executeExperiment(spec);
      for (const v of result.verdicts) expect({ claim: v.claim, pass: v.pass, measured: v.measured }).toMatchObject({ pass: true });
      const figs = getExperiment(kind)!.figures(result, spec);
      expect(figs.length).toBeGreaterThan(0);
      expect(() => JSON.stringify(figs)).not.toThrow();
    }, 60_000);
  }

  it("ncf-escape: observed/predicted escape ratios approach 1 and alignment grows as δ shrinks", async () => {
    const { spec } = validateSpec({ kind: "ncf-escape", seed: 1, params: {} }, "test");
    const r = await executeExperiment(spec);
    const rows = r.series.escape;
    const ratios = rows.map((x) => Number(x.ratio));
    const align = rows.map((x) => Number(x.alignment));
    expect(Math.abs(ratios[2] - 1)).toBeLessThan(Math.abs(ratios[0] - 1));
    expect(align[2]).toBeGreaterThan(align[0]);
  }, 60_000);
});
