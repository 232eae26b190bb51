import type { Matrix } from "../../linalg/index.js";
import { convexProblem, enumeratePatterns, loadHighs, optimalSet, solveRelu } from "../../convex/index.js";
import { blocksToNetwork, solveThreeLayerConvex } from "../../convex/extensions/threeLayer/convexProgram.js";
import { threeLayerOptimalSet } from "../../convex/extensions/threeLayer/optimalSet.js";
import { threeLayerPathObjective, trainThreeLayerCubic } from "../../convex/extensions/threeLayer/pathNorm.js";
import type { ThreeLayerNetwork } from "../../convex/extensions/threeLayer/network.js";
import { createRng, normals } from "../../random/index.js";
import { claim } from "../claims.js";
import { paperData } from "../papers.js";
import { comparisonPlot } from "../figures.js";
import { registerReproduction } from "../registry.js";
import type { Claim, ReproductionResult } from "../types.js";

/**
 * The convex paper's extension of the optimal-set description to parallel three-layer ReLU
 * networks f(X) = Σ_j ((X W_{1j})_+ w_{2j})_+ α_j, checked on a small instance
 * (docs/science/convex.md §8.2). The regularisation is the one under which the parallel network
 * has an exact convex program (Wang, Ergen & Pilanci, ICLR 2023: the L-th power of the layer
 * norms, here (β/3)Σ_j(‖W_{1j}‖³_F + ‖w_{2j}‖³ + |α_j|³)), whose infimum over rescalings is the
 * path cost β Σ_j |α_j| Σ_k ‖w_{1jk}‖|w_{2jk}|. Its convex program over blocks indexed by a pair
 * of arrangement patterns (outer D2, inner D_i) is solved by column generation and certified by
 * the exact dual norm (all 2ⁿ outer and all inner patterns enumerated); the optimal blocks, their
 * finitely many first-layer directions, the extreme blocks with P* over them, the fewest blocks of
 * an optimal network and the components against the number of blocks come from the dual point.
 * Checked independently: gradient descent on the nonconvex cubic-decayed network from random
 * starts never goes below the certified optimum and the best start reaches it; the first-layer
 * directions of the trained network are those of the finite set; on the five-point circle of §5.2
 * the optimum and the extreme-block optimal set equal the two-layer ones (two-layer solver), and a
 * single merged block, evaluated on the nonconvex network, is optimal.
 */

const PAPER = "S. Kim, A. Mishkin, M. Pilanci, Exploring the loss landscape of regularized neural networks via convex duality (ICLR 2025, arXiv:2411.07729)";
const SOURCE = "the paper's extension of the optimal set and connectivity to parallel three-layer networks (abstract of arXiv:2411.07729); the convex program: Ergen & Pilanci, ICML 2021; the regularisation: Wang, Ergen & Pilanci, ICLR 2023";
const BETA = 0.1;
/** Certified relative duality gap required of the solve. */
const GAP = 1e-9;

/** Four points on the unit circle (angles 0.3, 1.9, 3.4, 4.6) with mixed-sign targets, no bias. */
function instance(): { X: Matrix; y: Float64Array } {
  const ang = [0.3, 1.9, 3.4, 4.6];
  return { X: { rows: 4, cols: 2, data: new Float64Array(ang.flatMap((a) => [Math.cos(a), Math.sin(a)])) }, y: Float64Array.from([1, -0.6, 0.9, -0.4]) };
}

async function run(ctx: { quick: boolean; log(m: string): void }): Promise<ReproductionResult> {
  const { X, y } = instance();
  const n = X.rows;
  const highs = await loadHighs();
  const patterns = enumeratePatterns(X);
  const sol = solveThreeLayerConvex(highs, X, y, BETA, { patterns, tol: 1e-11 });
  const os = threeLayerOptimalSet(highs, X, patterns, BETA, sol);
  ctx.log(`F* = ${sol.primalValue}, gap ${sol.relativeGap.toExponential(2)}, ${sol.blocks.length} blocks, ${os.blocks.length} optimal blocks, ${os.firstLayerDirections} first-layer directions, m* = ${os.mStar}, M* = ${os.MStar}`);
  // Gradient descent on the nonconvex network (6 blocks of 5 neurons) from random starts.
  const starts = ctx.quick ? 4 : 12;
  const steps = ctx.quick ? 20_000 : 60_000;
  const rng = createRng(2025);
  const m = 6, m1 = 4, D = 2;
  const runs: Array<{ start: number; objective: number; path: number; gradNorm: number }> = [];
  let best: ThreeLayerNetwork | null = null;
  let bestPath = Infinity;
  for (let s = 0; s < starts; s++) {
    const draw = (len: number): Float64Array => normals(rng, len, 0, 0.5);
    const init: ThreeLayerNetwork = { m, m1, D, W1: draw(m * m1 * D), W2: draw(m * m1), alpha: draw(m) };
    const r = trainThreeLayerCubic(X, y, BETA, init, { lr: 0.02, steps });
    const path = threeLayerPathObjective(r.net, X, y, BETA);
    runs.push({ start: s, objective: r.objective, path, gradNorm: r.gradNorm });
    if (path < bestPath) { bestPath = path; best = r.net; }
  }
  const below = runs.filter((r) => r.path < sol.dualValue * (1 - 1e-12)).length;
  const bestGap = (bestPath - sol.primalValue) / sol.primalValue;
  // Directions of the best trained network's neurons that carry output (contribution ≥ 1% of the
  // largest), against the finite set of optimal first-layer directions.
  const finiteSet = os.blocks.flatMap((b) => b.directions);
  let worstDirection = 0;
  if (best !== null) {
    const size: number[] = [];
    for (let j = 0; j < m; j++) for (let k = 0; k < m1; k++) size.push(Math.hypot(best.W1[(j * m1 + k) * D], best.W1[(j * m1 + k) * D + 1]) * Math.abs(best.W2[j * m1 + k] * best.alpha[j]));
    const big = Math.max(...size);
    for (let j = 0; j < m; j++) {
      for (let k = 0; k < m1; k++) {
        const nk = j * m1 + k;
        if (size[nk] < 0.01 * big) continue;
        const r = Math.hypot(best.W1[nk * D], best.W1[nk * D + 1]);
        const u = [best.W1[nk * D] / r, best.W1[nk * D + 1] / r];
        const sign = Math.sign(best.W2[nk]);
        const d = Math.min(...finiteSet.filter((e) => e.sign === sign).map((e) => Math.hypot(u[0] - e.direction[0], u[1] - e.direction[1])), 2);
        worstDirection = Math.max(worstDirection, d);
      }
    }
  }
  // The five-point circle of §5.2 (y = 1, β = 0.2): against the two-layer program and its optimal set.
  const circle = paperData("convex-circle5-data.json");
  const cBeta = 0.2;
  const cPatterns = enumeratePatterns(circle.X);
  const cProblem = convexProblem(circle.X, circle.Y.data, cBeta, "square", cPatterns);
  const two = solveRelu(cProblem, { tol: 1e-12, maxIterations: 200_000 });
  const twoSet = optimalSet(cProblem, two.prediction);
  const three = solveThreeLayerConvex(highs, circle.X, circle.Y.data, cBeta, { patterns: cPatterns, tol: 1e-11 });
  const threeSet = threeLayerOptimalSet(highs, circle.X, cPatterns, cBeta, three);
  let oneBlockDeviation = NaN;
  const w = threeSet.fewestBlocksWitness;
  if (w !== null && w.groups.length === 1) {
    const total = w.vertex.weights.reduce((a, b) => a + b, 0);
    const neurons = w.vertex.support.flatMap((k, i) => threeSet.extreme[k].neurons.map((e) => ({ ...e, pattern: 0, weight: (e.weight * w.vertex.weights[i]) / total })));
    const atom = { outer: new Uint8Array(circle.X.rows).fill(1), sign: threeSet.extreme[w.vertex.support[0]].sign, neurons, fit: new Float64Array(circle.X.rows), cost: 1 };
    const net = blocksToNetwork([{ atom, coefficient: total }], circle.X.cols);
    oneBlockDeviation = Math.abs(threeLayerPathObjective(net, circle.X, circle.Y.data, cBeta) - three.primalValue) / three.primalValue;
  }
  ctx.log(`circle: F*₂ = ${two.primalValue}, F*₃ = ${three.primalValue}, ${threeSet.extreme.length} extreme blocks, ${threeSet.extremeVertices?.length} vertices, fewest blocks ${threeSet.fewestBlocks}`);
  const claims: Claim[] = [
    claim({
      name: "the three-layer convex program is solved to a certified relative duality gap (all outer and inner patterns enumerated: a proof of the optimum F*)",
      why: "the dual point is scaled by a proven upper bound on the three-layer dual norm, so its value is a lower bound on every network's objective",
      source: "weak duality for the convex program of the parallel three-layer network (docs/science/convex.md §8.2)",
    }, `≤ ${GAP}`, sol.relativeGap, GAP, "atMost"),
    claim({
      name: `no trained network (${starts} random starts of gradient descent on the cubic-decayed nonconvex network) has an objective below the certified lower bound`,
      why: "an independent check of the certificate: every network of any width is a feasible point of the convex program, so none can beat its dual value",
      source: "equivalence of the path-regularised network and its convex program (Ergen & Pilanci 2021; Wang, Ergen & Pilanci 2023)",
    }, 0, below, 0, "atMost"),
    claim({
      name: "the best start of gradient descent reaches the convex optimum to within 1% (relative)",
      why: "the convex optimum is attained by networks, and descent finds one; 1% because plain gradient descent keeps a one-sided gradient at the outer kinks (rows with a zero block pre-activation) where the optimal blocks sit, and does not converge exactly there",
      source: "science of the convex reformulation; the optimum is the network objective's global minimum",
    }, "≤ 0.01", bestGap, 0.01, "atMost"),
    claim({
      name: "every neuron of the best trained network that carries output points along one of the finitely many optimal first-layer directions (distance of unit vectors ≤ 0.1)",
      why: "the paper's statement that the optimal first-layer directions form a finite set fixed by the dual; the trained network is within 1% of optimal, not at it, hence the loose tolerance",
      source: SOURCE,
    }, "≤ 0.1", worstDirection, 0.1, "atMost"),
    claim({
      name: "the optimal blocks of some outer pattern form a continuum (largest coordinate range of an optimal block polytope, relative to ‖ŷ*‖)",
      why: "unlike the two-layer case the optimal set is not a polytope over finitely many blocks: blocks whose pre-activations share an orthant merge, so no finite P* over blocks and no block-level m*, M* exist in general (docs/science/convex.md §8.2)",
      source: "splitscape's reading of the optimal set of the three-layer program (derivation in src/convex/extensions/threeLayer/optimalSet.ts)",
    }, "≥ 0.001", os.maxSpread, 0.001, "atLeast"),
    claim({
      name: "five-point circle (y = 1, β = 0.2): the three-layer optimum equals the two-layer optimum (relative difference)",
      why: "for y ≥ 0 here ν* ≥ 0, where ρ₃(ν) = max_{D2} ρ₂(D2ν) = ρ₂(ν): the two-layer dual optimum is feasible for three layers; checked against the two-layer solver, which shares no code with the three-layer one",
      source: "docs/science/convex.md §8.2 (the dual norm) and §5.2 (the instance)",
    }, "≤ 1e-9", Math.abs(three.primalValue - two.primalValue) / two.primalValue, 1e-9, "atMost"),
    claim({
      name: "five-point circle: the extreme optimal blocks and the vertices of P* over them are the two-layer ones (directions, vertices, min and max support)",
      why: "every optimal block is a positive two-layer neuron here, so the optimal set over extreme blocks is the two-layer P* of §5.2",
      source: "docs/science/convex.md §5.2 (10 directions, 22 vertices, m* = 4, M* = 5)",
    }, `${twoSet.directions.length}/${twoSet.vertices?.length}/${twoSet.mStar}/${twoSet.MStar}`, `${threeSet.extreme.length}/${threeSet.extremeVertices?.length}/${threeSet.extremeMin}/${threeSet.extremeMax}`, 0, "equal"),
    claim({
      name: "five-point circle: one block suffices — the fewest blocks of an optimal network is 1, and the one-block network reaches the optimum (relative deviation, model/ forward)",
      why: "all optimal blocks have nonnegative pre-activations, one orthant, so they merge into one block; the two-layer staircase's widths (m* = 4 neurons) become a single block: the connectivity thresholds do not carry over to block widths unchanged",
      source: "docs/science/convex.md §8.2",
    }, "≤ 1e-9", threeSet.fewestBlocks === 1 ? oneBlockDeviation : NaN, 1e-9, "atMost"),
    claim({
      name: "five-point circle: the optimal networks of one block (with enough neurons) form a single component up to permutation, where two layers need min{m* + M*, n + 1} = 6 neurons",
      why: "every optimal block merges with every other here, so the segment between any two vertices of P*_ext fits in one block; the two-layer staircase reappears in the neurons per block, not in the blocks",
      source: "docs/science/convex.md §5.1 (the graph) and §8.2 (merging)",
    }, 1, threeSet.blockComponents.find((c) => c.width === 1)?.components ?? NaN, 0, "equal"),
  ];
  return {
    claims,
    summary: {
      n, beta: BETA, optimum: sol.primalValue, dualValue: sol.dualValue, relativeGap: sol.relativeGap, blocks: sol.blocks.length,
      optimalBlocks: os.blocks.length, firstLayerDirections: os.firstLayerDirections, finite: os.finite, maxSpread: os.maxSpread,
      starts, steps, bestTrainedGap: bestGap, trainedBelowBound: below, worstDirection,
      fewestBlocks: os.fewestBlocks ?? NaN, extremeBlocks: os.extreme.length,
      circleOptimumTwoLayer: two.primalValue, circleOptimumThreeLayer: three.primalValue, circleFewestBlocks: threeSet.fewestBlocks ?? NaN,
    },
    series: {
      training: runs.map((r) => ({ start: r.start, objective: r.objective, path: r.path, gradNorm: r.gradNorm, optimum: sol.primalValue })),
    },
  };
}

registerReproduction({
  id: "convex/three-layer-optimal-set",
  paper: PAPER,
  figure: "the optimal set of a parallel three-layer ReLU network (path-regularised) on five points of the unit circle: convex program, optimal blocks and directions, m*, M*",
  source: SOURCE,
  description: "The convex program of the parallel three-layer network (blocks indexed by an outer and an inner arrangement pattern) solved by column generation and certified with the exact dual norm; the optimal blocks, their finite first-layer directions, P*, m* and M* from the dual point; gradient descent on the nonconvex cubic-decayed network from random starts as the independent check.",
  quick: "4 instead of 12 starts of 20 000 instead of 60 000 steps",
  run,
  figures: (result) => [{
    name: "three-layer-training",
    title: "Objective reached by gradient descent from random starts against the certified convex optimum",
    caption: "Each start's path-regularised objective (the cubic penalty's infimum over rescalings) against the certified optimum of the convex program (dashed): none is below it, several starts reach it; the others stop at worse stationary points.",
    vegaLite: comparisonPlot({
      ours: result.series.training, x: "start", y: "path", xTitle: "random start", yTitle: "objective (path-regularised)", oursLabel: "gradient descent (float64)",
      published: result.series.training.map((r) => ({ start: r.start, path: r.optimum })), publishedLabel: "certified convex optimum F*", publishedMark: "line",
    }),
  }],
});
