/**
 * The margin family's experiments at small sizes: every verdict must hold (the verdicts carry
 * their own tolerances and reasons; see src/experiments/kinds/margin.ts).
 */
import { describe, expect, it } from "vitest";
import "../../src/experiments/kinds/index.js";
import { getExperiment } from "../../src/experiments/registry.js";
import { fork } from "../../src/random/index.js";

async function run(kind: string, params: Record<string, unknown>): Promise<{ verdicts: Array<{ claim: string; pass: boolean; measured: unknown }>; summary: Record<string, unknown> }> {
  const def = getExperiment(kind);
  expect(def).toBeDefined();
  const parsed = def!.schema.parse(params);
  return def!.run({ kind, seed: 0, params: parsed }, { seed: 0, rng: (s) => fork(0, s), metric: () => {}, log: () => {} });
}

describe("margin experiments", () => {
  it("margin-commutation (3000 GD steps): all verdicts pass, controls fail as they must", async () => {
    const r = await run("margin-commutation", { steps: 3000, sgdSteps: 500, controlSteps: 200, tFlow: 20, deepSteps: 1000 });
    const failed = r.verdicts.filter((v) => !v.pass);
    expect(failed).toEqual([]);
    expect(r.summary.gdMaxError as number).toBeLessThanOrEqual(1e-11);
    expect(r.summary.sgdOtherOrderMaxError as number).toBeGreaterThan(1e-3);
  });

  it("margin-kkt-embedding (to ‖θ‖ = 100, the tour headline): certificates and directions are unchanged by T", async () => {
    const r = await run("margin-kkt-embedding", { maxNorm: 100 });
    expect(r.verdicts.filter((v) => !v.pass)).toEqual([]);
    // past the old fixed-α window (‖θ‖ ≤ 10, ε/‖θ̂‖ = 0.0156): α ∝ ‖θ‖^{−2} keeps θ and Tθ together
    expect(r.summary.finalNorm as number).toBeGreaterThanOrEqual(100);
    expect(r.summary.epsilonRelativeNarrow as number).toBeLessThan(2e-3); // observed 1.46e-3
    expect(r.summary.oneMinusMinCosine as number).toBeLessThanOrEqual(1e-10);
    const def = getExperiment("margin-kkt-embedding")!;
    expect(def.headline).toBeDefined();
  });
});
