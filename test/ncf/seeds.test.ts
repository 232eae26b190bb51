/**
 * Every field of a spec acts or is rejected (issue 15, item 13): the ncf kinds drew their
 * initialisation from a parameter `initSeed`, so the run's own `seed` changed nothing visible
 * (ncf-saddle-to-saddle: the same plateaus for every seed). The run's seed now draws the
 * initialisation (and the searches); `initSeed` is gone and rejected as an unknown field.
 */
import { describe, expect, it } from "vitest";
import { executeExperiment, validateSpec } from "../../src/experiments/index.js";

describe("the ncf kinds: seed acts, initSeed is rejected", () => {
  for (const kind of ["ncf-escape", "ncf-saddles", "ncf-circle", "ncf-saddle-to-saddle"]) {
    it(`${kind}: initSeed is an unknown field`, () => {
      expect(() => validateSpec({ kind, seed: 1, params: { initSeed: 3 } }, "spec.yaml")).toThrow(/params\.initSeed: unknown field/);
    });
  }

  it("ncf-saddle-to-saddle: two seeds give two different runs, one seed the same run twice", async () => {
    const run = async (seed: number) => {
      const { spec } = validateSpec({ kind: "ncf-saddle-to-saddle", seed, params: { presets: ["1d"], steps: 2000, every: 50 } }, "test");
      return (await executeExperiment(spec)).series.loss.map((r) => Number(r.loss));
    };
    const a = await run(1);
    const b = await run(2);
    expect(a.length).toBeGreaterThan(10);
    expect(a).not.toEqual(b);
    expect(await run(1)).toEqual(a);
  });
});
