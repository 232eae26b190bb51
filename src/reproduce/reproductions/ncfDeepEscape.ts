import { dot, nrm2, svd } from "../../linalg/index.js";
import { makeObjective, mlpArchitecture, mlpWeights, type MlpArchitecture } from "../../model/index.js";
import { ncfEvaluator, ncfFlow, ncfFlowEscapeTime, ncfProblem, smallInitEscape, type NcfEvaluator } from "../../ncf/index.js";
import { createRng, unitSphere } from "../../random/index.js";
import { claim } from "../claims.js";
import { comparisonPlot } from "../figures.js";
import { paperData } from "../papers.js";
import { registerReproduction } from "../registry.js";
import type { Claim, ReproductionResult } from "../types.js";

/**
 * Deep homogeneous nets (L > 2) from a small initialisation (Kumar & Haupt, "Early directional
 * convergence in deep homogeneous neural networks for small initializations", 2024):
 * gradient flow from δ·w₀ stays near the origin for a time of order δ^{−(L−2)} (not log(1/δ) as
 * for L = 2) and leaves in the direction of a KKT point of max 𝒩 on the sphere, which for these
 * nets is rank-one in every layer and balanced (equal layer norms). Here: the embedding paper's
 * separable blobs, a bias-free leaky-ReLU(0.1) MLP 2→4→4→1 (L = 3), square loss (mean), w₀
 * uniform on the sphere (seed 1), δ = 1e-2, 1e-3, 1e-4 (quick: 1e-3, 1e-4), escape level ρ = 0.1.
 * Claims, all on the trained network (the gradient-flow run from δ·w₀): its escape time t(δ)
 * equals the NCF flow's prediction (the integral C_ψ of src/ncf/flow.ts, exact as δ → 0) and
 * log t against log δ has slope −(L − 2) = −1; at the escape its layers are balanced as the
 * conservation law says (‖W_l‖² − ‖W_{l+1}‖² = δ²·that of w₀); its direction θ/‖θ‖ is rank one
 * in every layer and a KKT point of the NCF on the sphere up to residuals that shrink as δ → 0.
 */

const PAPER = "A. Kumar, J. Haupt, Early directional convergence in deep homogeneous neural networks for small initializations (2024)";
const SOURCE = "Kumar & Haupt 2024 (deep homogeneous nets, small initialisation): escape time of order δ^{−(L−2)} for L > 2 and directional convergence to a KKT point of the NCF (rank-one, balanced layers)";
const WIDTHS = [2, 4, 4, 1];
const LEVEL = 0.1;

/** Per layer: Frobenius norm and σ₂/σ₁ of W_l. */
function layerShape(arch: MlpArchitecture, u: Float64Array): Array<{ norm: number; rankRatio: number }> {
  return mlpWeights(arch, u).map((w, l) => {
    const rows = arch.widths[l + 1];
    const cols = arch.widths[l];
    const sv = svd({ rows, cols, data: Float64Array.from(w) }, { vectors: "none" }).values;
    return { norm: nrm2(w), rankRatio: sv.length > 1 ? sv[1] / sv[0] : 0 };
  });
}

/** ‖(I − uuᵀ)∇𝒩(u)‖/‖∇𝒩(u)‖: zero exactly at a KKT point of 𝒩 on the unit sphere (‖u‖ = 1). */
function kktResidual(ev: NcfEvaluator, u: Float64Array): number {
  const g = new Float64Array(u.length);
  ev(u, g);
  const ug = dot(u, g);
  let s = 0;
  for (let k = 0; k < u.length; k++) s += (g[k] - ug * u[k]) ** 2;
  return Math.sqrt(s) / nrm2(g);
}

/** What the trained network is at its escape: direction u (‖u‖ = 1) and norm e^{logNorm}. */
interface EscapeShape {
  /** max over l of σ₂/σ₁ of the layers of u. */
  rankRatio: number;
  /** KKT residual of 𝒩 at u. */
  kkt: number;
  /** max over l of |d_l(θ_esc)/(δ²d_l(w₀)) − 1|, d_l = ‖W_l‖² − ‖W_{l+1}‖² (conserved by gradient flow up to δ²). */
  conservation: number;
  /** (max − min)/max of the layer norms of u. */
  imbalance: number;
}

function escapeShape(arch: MlpArchitecture, ev: NcfEvaluator, w0: Float64Array, logDelta: number, at: { u: Float64Array; logNorm: number }): EscapeShape {
  const sh = layerShape(arch, at.u);
  const s0 = layerShape(arch, w0);
  let conservation = 0;
  for (let l = 0; l + 1 < sh.length; l++) {
    const observed = Math.exp(2 * at.logNorm) * (sh[l].norm ** 2 - sh[l + 1].norm ** 2);
    const predicted = Math.exp(2 * logDelta) * (s0[l].norm ** 2 - s0[l + 1].norm ** 2);
    conservation = Math.max(conservation, Math.abs(observed / predicted - 1));
  }
  const norms = sh.map((x) => x.norm);
  return {
    rankRatio: Math.max(...sh.map((x) => x.rankRatio)), kkt: kktResidual(ev, at.u), conservation,
    imbalance: (Math.max(...norms) - Math.min(...norms)) / Math.max(...norms),
  };
}

async function run(ctx: { quick: boolean; log(m: string): void }): Promise<ReproductionResult> {
  const ds = paperData("embedding-separable-data.json");
  const arch = mlpArchitecture(WIDTHS, { name: "leaky_relu", slope: 0.1 });
  const prob = ncfProblem(arch, ds, { mean: true });
  const L = prob.L;
  const ev = ncfEvaluator(prob);
  const w0 = unitSphere(createRng(1), prob.p);
  const flow = ncfFlow(ev, L, w0, { tEnd: 50, sampleEvery: 0.02 });
  const uHat = flow.u;
  const obj = makeObjective(arch, ds, "square", { mean: true });
  const exps = ctx.quick ? [-3, -4] : [-2, -3, -4];
  const claims: Claim[] = [];
  const rows: Array<Record<string, number | string>> = [];
  const times: number[] = [];
  const shapes: EscapeShape[] = [];
  for (const e10 of exps) {
    const logDelta = e10 * Math.LN10;
    const label = `δ = 1e${e10}`;
    const predicted = ncfFlowEscapeTime(flow, L, logDelta, LEVEL).t;
    const esc = smallInitEscape(obj, w0, uHat, { logDelta, level: LEVEL, tMax: 1.5 * predicted, maxSamples: 200, stopNorm: 0.5 });
    const shape = esc.escapePoint ? escapeShape(arch, ev, w0, logDelta, esc.escapePoint) : { rankRatio: NaN, kkt: NaN, conservation: NaN, imbalance: NaN };
    ctx.log(`${label}: t_obs ${esc.tEscape}, t_ψ ${predicted}, alignment ${esc.alignmentAtEscape}, σ₂/σ₁ ${shape.rankRatio}, KKT residual ${shape.kkt}`);
    times.push(esc.tEscape);
    shapes.push(shape);
    rows.push({ delta: Math.exp(logDelta), observed: esc.tEscape, predicted, rankRatio: shape.rankRatio, kkt: shape.kkt, imbalance: shape.imbalance });
    claims.push(
      claim({
        name: `${label}: escape time t(ρ = ${LEVEL}) of the trained network against the NCF flow's prediction C_ψ-integral (relative difference)`,
        why: `the NCF flow drops the O(‖θ‖^{2(L−1)}) terms of −∇ℒ: near the escape a relative rate error of order ρ^{L−1}·… ≤ 1e-2 acting only over the last stretch of the run, plus RK4 (h = 2e-3) and the flow's sampling; 1e-3 relative`,
        source: SOURCE,
      }, "t_ψ", Math.abs(esc.tEscape / predicted - 1), 1e-3, "atMost"),
      claim({
        name: `${label}: the trained network is balanced at escape — d_l = ‖W_l‖² − ‖W_{l+1}‖² against the conservation law d_l(t) = δ²d_l(w₀) (largest relative difference)`,
        why: "gradient flow of a homogeneous net conserves ‖W_l‖² − ‖W_{l+1}‖² (Du, Hu & Lee, NeurIPS 2018), so at ‖θ‖ = ρ the layers' squared norms differ by δ²d_l(w₀), a relative imbalance of order δ²/ρ²: the balanced KKT structure. RK4 (h = 2e-3 in the rescaled time, u renormalised each step) keeps this quadratic invariant to its local error per step, accumulated over the run (observed 1e-10 to 5e-9); 1e-6 relative",
        source: SOURCE,
      }, "δ²·d_l(w₀)", shape.conservation, 1e-6, "atMost"),
      claim({
        name: `${label}: direction at escape of the trained network, cos(θ/‖θ‖, û), û the NCF flow's limit`,
        why: "directional convergence: before escape θ/‖θ‖ follows the NCF flow, which has long converged by then (the escape takes ~δ^{−(L−2)}); 1 − cos ≤ 1e-2 at the largest δ, tighter as δ shrinks",
        source: SOURCE,
      }, "→ 1", esc.alignmentAtEscape, 0.99, "atLeast"),
    );
  }
  const k = exps.length - 1;
  const slope = (Math.log(times[k]) - Math.log(times[k - 1])) / ((exps[k] - exps[k - 1]) * Math.LN10);
  claims.push(claim({
    name: `slope of log t(δ) against log δ between the two smallest δ (order δ^{−(L−2)}, L = ${L})`,
    why: `t(δ) ≈ C_ψ·(δ^{−(L−2)} − ρ^{−(L−2)}): the level ρ = ${LEVEL} bends the slope by about δ/ρ ≤ 1e-2 at these δ, the tolerance (the log(1/δ) law of L = 2 would give a slope near 0)`,
    source: SOURCE,
  }, -(L - 2), slope, 1e-2, "abs"));
  const [prev, last] = [shapes[k - 1], shapes[k]];
  const smallest = `δ = 1e${exps[k]}`;
  claims.push(
    claim({
      name: `${smallest}: the trained network's direction at escape is rank one in every layer — largest σ₂/σ₁`,
      why: "the theorem: θ(t_esc)/‖θ(t_esc)‖ tends, as δ → 0, to a KKT point of the NCF whose layers are rank one. At the smallest δ the direction is within ‖u − û‖ = √(2(1 − cos)) ≈ 1e-3 of the NCF flow's limit (the alignment above), so by Weyl's inequality σ₂ is of that order; 1e-2 allows a factor 10 and fails a direction that is not near a rank-one point (σ₂/σ₁ = 7e-2 at δ = 1e-2)",
      source: SOURCE,
    }, "→ 0 as δ → 0", last.rankRatio, 1e-2, "atMost"),
    claim({
      name: `${smallest}: the trained network's direction at escape is a KKT point of the NCF on the sphere — ‖(I − uuᵀ)∇𝒩(u)‖/‖∇𝒩(u)‖`,
      why: "zero exactly at a KKT point of max 𝒩 on the sphere; for the direction at escape it is of the order of its distance to the limit KKT point (∇𝒩 is Lipschitz on the linear piece of the leaky ReLU that holds it), ≈ 1e-3 at the smallest δ; 1e-2 as above (7e-2 at δ = 1e-2)",
      source: SOURCE,
    }, "→ 0 as δ → 0", last.kkt, 1e-2, "atMost"),
    claim({
      name: `the trained direction converges as δ → 0: σ₂/σ₁ and the KKT residual at escape shrink from δ = 1e${exps[k - 1]} to ${smallest} (larger of the two ratios)`,
      why: "directional convergence to the KKT point as δ → 0: both measures must fall when δ falls tenfold; at most 1/3 (observed about 1/10: the direction's distance to û falls like δ here)",
      source: SOURCE,
    }, "< 1", Math.max(last.rankRatio / prev.rankRatio, last.kkt / prev.kkt), 1 / 3, "atMost"),
  );
  const limit = layerShape(arch, uHat);
  const limitNorms = limit.map((x) => x.norm);
  return {
    claims,
    summary: {
      L, widths: WIDTHS.join("→"), level: LEVEL, ncfAtUHat: ev(uHat, null), slope,
      escapeRankRatio: last.rankRatio, escapeKktResidual: last.kkt, escapeImbalance: last.imbalance,
      limitImbalance: (Math.max(...limitNorms) - Math.min(...limitNorms)) / Math.max(...limitNorms), limitRankRatio: Math.max(...limit.map((x) => x.rankRatio)),
    },
    series: { escape: rows },
  };
}

registerReproduction({
  id: "ncf/deep-escape",
  paper: PAPER,
  figure: "escape time of order δ^{−(L−2)} for a depth-3 net, with rank-one balanced KKT directions",
  source: SOURCE,
  description: "Gradient flow (rescaled RK4) from δ·w₀ for a bias-free leaky-ReLU MLP 2→4→4→1 (L = 3) on the embedding paper's separable blobs: the trained network's escape times against the NCF flow's prediction and their δ^{−(L−2)} scaling, and its weights at the escape — balanced by the conservation law, rank one, a KKT point of the NCF — converging as δ shrinks.",
  quick: "δ = 1e-3 and 1e-4 (the full run adds 1e-2; the slope is taken between the two smallest)",
  run,
  figures: (result) => [{
    name: "deep-escape-times",
    title: "Escape time against δ (log–log), depth 3",
    caption: "Slope −(L − 2) = −1: the time of order δ^{−(L−2)}; dashed: the NCF flow's prediction.",
    vegaLite: comparisonPlot({
      ours: result.series.escape.map((r) => ({ delta: r.delta, t: r.observed })),
      published: result.series.escape.map((r) => ({ delta: r.delta, t: r.predicted })),
      x: "delta", y: "t", logX: true, logY: true, xTitle: "δ", yTitle: "escape time t(ρ)", oursLabel: "gradient flow (float64)", publishedLabel: "NCF-flow prediction", publishedMark: "line",
    }),
  }],
});
