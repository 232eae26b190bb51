// Experiment results are typed per kind (src/experiments/summaries.ts): the map names every
// built-in kind and no other, and a result of a literal kind has its kind's summary fields
// (checked by the type checker: `npx tsc --noEmit -p .` compiles this file).
import { describe, expect, expectTypeOf, it } from "vitest";
import type { GemmBackend } from "../../src/linalg/index.js";
import { experimentKinds, runExperiment, type ExperimentKind, type ExperimentResult, type Summary, type SummaryOf } from "../../src/experiments/index.js";

// `satisfies` fails to compile when a built-in kind is missing from the map or the map has one too many.
const KINDS = {
  "linalg-check": true, "network-check": true, "ncf-escape": true, "ncf-saddles": true, "ncf-circle": true, "ncf-saddle-to-saddle": true,
  "margin-commutation": true, "margin-kkt-embedding": true, "plateau-definite": true, "plateau-negative-definite": true,
  "plateau-indefinite": true, "plateau-saddle": true, "plateau-zero": true, "convex-certificate": true, "convex-optimal-set-1d": true,
  "convex-training-vs-optimum": true, "convex-three-layer-directions": true,
} as const satisfies Record<ExperimentKind, true>;

describe("experiment summaries typed per kind", () => {
  it("the map of summary types names exactly the registered built-in kinds", () => {
    expect(Object.keys(KINDS).sort()).toEqual(experimentKinds());
  });

  it("runExperiment(kind) returns the kind's own summary type; the values are what the type says", async () => {
    const r = await runExperiment("linalg-check", { sizes: [8], n: 16 }, 1);
    expectTypeOf(r.summary.gemmMaxBoundRatio).toEqualTypeOf<number>();
    expectTypeOf(r.summary.gemmBackend).toEqualTypeOf<GemmBackend>();
    expect(typeof r.summary.gemmMaxBoundRatio).toBe("number");
    expect(typeof r.summary.gemmBackend).toBe("string");
    expect(Object.keys(r.summary).sort()).toEqual([
      "choleskyMaxResidualOverNEps", "eighMaxJacobiGap", "eighMaxOrthogonalityOverNEps", "eighMaxResidualOverNEps", "gemmBackend",
      "gemmMaxBoundRatio", "gemmMaxRelDiffVsLoop", "goeLambdaMax", "goeLambdaMin", "logdetRelGap", "spdCondition",
    ]);
    expect(r.verdicts.every((v) => v.pass)).toBe(true);
  });

  it("type level: precise per kind, optional fields where a kind's run may omit them, Summary for other kinds", () => {
    expectTypeOf<SummaryOf<"margin-commutation">["gdMaxError"]>().toEqualTypeOf<number>();
    expectTypeOf<SummaryOf<"margin-commutation">["sgdOtherOrderMaxError"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<SummaryOf<"margin-kkt-embedding">>().toHaveProperty("finalNorm");
    expectTypeOf<SummaryOf<"convex-optimal-set-1d">>().toHaveProperty("mStar");
    expectTypeOf<SummaryOf<"plateau-saddle">>().toHaveProperty("stationary");
    expectTypeOf<SummaryOf<"someone-elses-kind">>().toEqualTypeOf<Summary>();
    expectTypeOf<Awaited<ReturnType<typeof runExperiment<"ncf-circle">>>>().toEqualTypeOf<ExperimentResult<SummaryOf<"ncf-circle">>>();
  });

  it("a bad parameter is an InputError naming the field, as in a spec file", async () => {
    await expect(runExperiment("linalg-check", { n: 3 })).rejects.toThrow(/^runExperiment\("linalg-check"\): params\.n: /);
  });
});
