import { connectivityStaircase, convexProblem, enumeratePatterns, optimalSet, solveRelu, type StaircaseRow } from "../../convex/index.js";
import { claim } from "../claims.js";
import { comparisonPlot } from "../figures.js";
import { paperData } from "../papers.js";
import { registerReproduction } from "../registry.js";
import type { Claim, ReproductionResult } from "../types.js";

/**
 * The convex paper's Theorem 2 (the "staircase of connectivity" of the optimal set of a
 * weight-decayed two-layer ReLU network, square loss) on an instance where every regime shows:
 * five points equally spaced on the unit circle, y = 1, no bias, β = 0.2. m* and M* are the
 * smallest and largest supports of the vertices of P* = {c ≥ 0 : Σ_k c_k f_k = ŷ*}
 * (src/convex/optimalSet.ts). The theorem predicts, up to permutation of the neurons:
 *   m = m*                      finitely many optimal networks;
 *   m ≥ m* + 1                  a connected component that is not a singleton;
 *   m = M*                      a singleton component;
 *   m ≥ M* + 1                  no singleton component;
 *   m ≥ min{m* + M*, n + 1}     a connected optimal set.
 * With m* = 4 < M* = 5 the width m = 5 has both a non-singleton and a singleton component, and
 * the optimal set is disconnected at 5 and connected from min{9, 6} = 6 on. The paper states the
 * theorem; this instance (constructed for splitscape, examples/papers/README.md) is where the
 * claims are checked, each with its computed evidence (src/convex/staircase.ts): explicit optimal
 * paths evaluated on the nonconvex objective, counts of components, singular values.
 */

const PAPER = "S. Kim, A. Mishkin, M. Pilanci, Exploring the loss landscape of regularized neural networks via convex duality (ICLR 2025, arXiv:2411.07729)";
const SOURCE = "Theorem 2 (width phase transition, \"staircase of connectivity\") of arXiv:2411.07729; the instance: examples/papers/convex-circle5-data.json";
const BETA = 0.2;
/** Certified relative duality gap required of the solve (the active sets of P* need an accurate ν*). */
const GAP = 1e-10;
/** A path is optimal when max |F − F*|/F* ≤ this along it (the staircase's default, see its doc). */
const OBJECTIVE_TOL = 1e-8;

function rowClaim(r: StaircaseRow): Claim {
  return claim({
    name: `Theorem 2 at m = ${r.width}: ${r.claim}`,
    why: `the theorem's statement, checked by computation: ${r.evidence}`,
    source: SOURCE,
  }, "holds", r.holds === null ? "not checked" : r.holds ? "holds" : "fails", 0, "equal");
}

async function run(ctx: { quick: boolean; log(m: string): void }): Promise<ReproductionResult> {
  const data = paperData("convex-circle5-data.json");
  const X = data.X;
  const n = X.rows;
  if (data.Y.cols !== 1) throw new RangeError(`convex/staircase-circle: expected one target column, got ${data.Y.cols}`);
  const problem = convexProblem(X, data.Y.data, BETA, "square", enumeratePatterns(X));
  const sol = solveRelu(problem, { tol: 1e-12, maxIterations: 200_000 });
  const os = optimalSet(problem, sol.prediction);
  if (os.vertices === null || os.mStar === null || os.MStar === null) throw new RangeError(`convex/staircase-circle: the vertices of P* are not available: ${os.reason}`);
  ctx.log(`F* = ${sol.primalValue}, gap ${sol.relativeGap.toExponential(2)}, ${os.directions.length} directions, ${os.vertices.length} vertices, m* = ${os.mStar}, M* = ${os.MStar}`);
  const st = connectivityStaircase(problem, os, sol.primalValue, { samples: ctx.quick ? 3 : 9, objectiveTol: OBJECTIVE_TOL });
  const componentsAt = (w: number): number => st.components.find((c) => c.width === w)?.components ?? NaN;
  const below = st.connectedFrom - 1;
  const claims: Claim[] = [
    claim({
      name: "the convex program is solved to a certified relative duality gap (all 2-D patterns enumerated: a proof of the optimum F*)",
      why: "the dual point certifies F* independently of the solver's path; the vertices of P* are computed from ŷ*, which needs a gap far below their separation",
      source: "science of the convex reformulation (Pilanci & Ergen 2020), as used by the paper",
    }, `≤ ${GAP}`, sol.relativeGap, GAP, "atMost"),
    claim({
      name: "m* < M*: the smallest and largest vertex supports of P* differ (the regime the paper's theorem separates)",
      why: "the instance was built for this: every built-in example of splitscape had m* = M*, where the rows of the theorem coincide",
      source: "examples/papers/README.md (the instance's construction)",
    }, "m* = 4 < M* = 5", `m* = ${os.mStar} < M* = ${os.MStar}`, 0, "equal"),
    ...st.rows.map(rowClaim),
    claim({
      name: `the threshold is sharp here: at m = ${below} the optimal set is not connected (components up to permutation)`,
      why: "the theorem gives connectivity from min{m* + M*, n + 1} on and nothing below; that the set is disconnected one below shows the staircase's last step on this instance",
      source: SOURCE,
    }, "more than 1", componentsAt(below), 2, "atLeast"),
  ];
  return {
    claims,
    summary: {
      n, beta: BETA, optimum: sol.primalValue, relativeGap: sol.relativeGap, activeDirections: os.directions.length,
      vertices: os.vertices.length, mStar: os.mStar, MStar: os.MStar, connectedFrom: st.connectedFrom,
      maxPathDeviation: Math.max(...st.rows.map((r) => r.numbers.maxObjectiveDeviation ?? 0)),
    },
    series: {
      components: st.components.map((c) => ({ width: c.width, components: c.components })),
      staircase: st.rows.map((r) => ({ width: r.width, claim: r.claim, holds: r.holds === null ? "not checked" : r.holds ? "holds" : "fails", evidence: r.evidence })),
    },
  };
}

registerReproduction({
  id: "convex/staircase-circle",
  paper: PAPER,
  figure: "Theorem 2 (staircase of connectivity) on five points of the unit circle at β = 0.2, where m* = 4 < M* = 5",
  source: SOURCE,
  description: "The convex program of the five-point circle (square loss, y = 1, no bias, β = 0.2) solved to a certified gap; the vertices of the optimal set P* give m* and M*, and each claim of Theorem 2 is checked at its width with explicit optimal paths on the nonconvex objective and the components of the optimal set up to permutation.",
  quick: "the same solve and claims with 3 instead of 9 samples along each optimal path",
  run,
  figures: (result) => [{
    name: "staircase-components",
    title: "Connected components of the optimal set (up to permutation) against the width m",
    caption: "Finitely many optimal networks at m* = 4 (each its own component), still disconnected at M* = 5, connected from min{m* + M*, n + 1} = 6 on (Theorem 2).",
    vegaLite: comparisonPlot({
      ours: result.series.components, x: "width", y: "components", logY: true, xTitle: "width m", yTitle: "components (up to permutation)", oursLabel: "splitscape (float64, certified optimum)",
    }),
  }],
});
