/**
 * KKT certificate of the max-margin problem P_Φ: minimise ½‖θ‖² s.t. q_k(θ) ≥ 1, for a
 * homogeneous network (Lyu & Li 2020, Def. (ε, δ)-KKT; docs/science/embedding.md §2).
 *
 *   1. θ̂ = θ / q_min^{1/L}, so q_min(θ̂) = 1 and q̂_k = q_k / q_min.
 *   2. h_k = ∇_θ q_k(θ̂). Where a ReLU-type unit j sits on a kink for sample k
 *      (|z_jk| ≤ tol·(‖w_j‖‖u_k‖ + |b_j|), u_k the unit's input; for a conv unit (channel c,
 *      position y, x): ‖filter c‖·‖input patch at (y, x)‖), its derivative may be any
 *      s_jk ∈ ∂σ(0) = [lo, hi] (Clarke).
 *   3. ε = min ‖θ̂ − Σ_k λ_k h_k(s_k)‖ over λ ≥ 0 and s_k in the box of kink slopes. Since h_k is
 *      affine in each s_jk, cone{h_k(s) : s ∈ box} = cone{h_k(v) : v a vertex of the box}, so the
 *      QP over (λ, μ = λs), a·λ_k ≤ μ_jk ≤ λ_k, is EXACTLY the NNLS over the vertex columns
 *      h_k(v) (λ_k = Σ_v β_kv, s_k = Σ_v β_kv v / λ_k). Without kinks it is plain NNLS on the h_k.
 *      (Kinks of one sample in several layers make h_k multilinear in s; the vertex cone is then
 *      the cone of the convex hull of the chain-rule set, which contains the Clarke set.)
 *   4. δ = max_k λ_k (q̂_k − 1); at an exact KKT point Euler's identity ⟨θ, ∇q_k⟩ = L q_k gives
 *      Σ_k λ_k = ‖θ̂‖² / L.
 * Two refinements of the note's recipe: (a) margins are evaluated at u = θ/‖θ‖ and θ̂ = u/q_min(u)^{1/L}
 * (exact by homogeneity), so trained nets with margins beyond float64 range still get a
 * certificate; (b) the NNLS over ALL constraints is degenerate when an inactive h_k is parallel
 * to θ̂ (it can buy ε at the price of δ > 0), so the certificate is computed on the nested active
 * sets {k : q̂_k − 1 ≤ τ}, τ ∈ KKT_ACTIVE_LADDER, and the rung with the smallest
 * ε/‖θ̂‖ + δ/(‖θ̂‖²/L) is reported (all rungs are returned in `ladder`; `activeTol` fixes τ).
 */
import type { Model, ModelData } from "../model/index.js";
import { kinkInterval, margins, outputDim } from "../model/index.js";
import { nnls, nrm2, type NnlsResult } from "../linalg/index.js";
import { requireHomogeneity } from "./homogeneity.js";
import { logNorm2 } from "./margins.js";
import { conventionSlopes, evaluateSample } from "./sampleNet.js";

/** Default kink tolerance: |z| ≤ 1e-9·(‖w‖‖u‖ + |b|) counts as z = 0. */
export const KKT_KINK_TOL = 1e-9;
/** Default cap on relaxed kinks per constraint (2^cap vertex columns). */
export const KKT_MAX_KINKS = 10;

export interface KktOptions {
  /** Relative kink test |z_jk| ≤ kinkTol·(‖w_j‖‖u_k‖ + |b_j|) (default KKT_KINK_TOL). */
  readonly kinkTol?: number;
  /** At most this many kinks per constraint are relaxed (those with the smallest relative |z|); the others keep σ′(0). Default KKT_MAX_KINKS. */
  readonly maxKinksPerConstraint?: number;
  /** Use only constraints with q̂_k − 1 ≤ activeTol (Infinity: all, docs/science/embedding.md §2.3); default: the best rung of KKT_ACTIVE_LADDER. */
  readonly activeTol?: number;
  /** Source named in InputErrors (default "model"). */
  readonly source?: string;
}

/**
 * Candidate active sets {k : q̂_k − 1 ≤ τ}: an exact KKT point puts λ only on active constraints
 * (δ = 0), but an inactive h_k can also reduce ε (degenerate NNLS) at the price of δ > 0. The
 * certificate tries each τ and keeps the smallest ε/‖θ̂‖ + δ/(‖θ̂‖²/L) (ties: the smaller τ).
 * τ = ∞ is the plain "all constraints" NNLS of docs/science/embedding.md §2.3.
 */
export const KKT_ACTIVE_LADDER: readonly number[] = [1e-12, 1e-9, 1e-6, 1e-4, 1e-3, 1e-2, 3e-2, 0.1, 0.3, 1, Infinity];

/** One rung of the active-set ladder. */
export interface ActiveSetTrial {
  readonly activeTol: number;
  /** Constraints in the set. */
  readonly constraints: number;
  readonly epsilonRelative: number;
  readonly delta: number;
  /** δ / (‖θ̂‖²/L). */
  readonly deltaRelative: number;
}

/** A hidden unit on a kink for one constraint. */
export interface KinkInfo {
  /** Sample index k. */
  readonly sample: number;
  /** Output coordinate (0 for scalar outputs). */
  readonly output: number;
  /** Hidden layer, 1-based (1 for a two-layer net). */
  readonly layer: number;
  /** Unit, 0-based row of W_layer (conv: c·H·W + y·W + x in the layer's pre-activation, PyTorch order). */
  readonly unit: number;
  /** Pre-activation z at θ̂. */
  readonly preactivation: number;
  /** |z| / (‖w‖‖u‖ + |b|), compared with kinkTol. */
  readonly relative: number;
  /** The Clarke interval ∂σ(0). */
  readonly interval: readonly [number, number];
  /** Whether the slope was relaxed over the interval (false: held at σ′(0) beyond the cap). */
  readonly relaxed: boolean;
  /** The slope s = μ/λ chosen by the multipliers (null when λ_k = 0 or not relaxed). */
  readonly slope: number | null;
}

/** The certificate with the numbers that justify it. */
export interface KktCertificate {
  /** "ok"; "not-separated" when q_min ≤ 0 (no normalisation exists; no multipliers). */
  readonly status: "ok" | "not-separated";
  readonly message: string;
  readonly homogeneity: number;
  /** Number of constraints (samples × outputs). */
  readonly constraints: number;
  readonly qmin: number;
  /** γ̄ = q_min/‖θ‖^L. */
  readonly normalizedMargin: number;
  /** q_min^{1/L}: θ̂ = θ / scale (null when not separated). */
  readonly scale: number | null;
  /** ‖θ̂‖. */
  readonly normalizedNorm: number | null;
  /** ε = ‖θ̂ − Σλ_k h_k‖. */
  readonly epsilon: number | null;
  /** ε / ‖θ̂‖ (scale-free). */
  readonly epsilonRelative: number | null;
  /** δ = max_k λ_k (q̂_k − 1). */
  readonly delta: number | null;
  /** λ_k per constraint (n·k entries). */
  readonly lambda: Float64Array | null;
  /** {k : λ_k > 0}. */
  readonly support: number[];
  /** Σλ_k. */
  readonly sumLambda: number | null;
  /** ‖θ̂‖²/L, which Σλ equals at an exact KKT point. */
  readonly normSquaredOverL: number | null;
  /** |Σλ − ‖θ̂‖²/L| / (‖θ̂‖²/L). */
  readonly eulerGap: number | null;
  /** Normalised margins q̂_k = q_k/q_min. */
  readonly normalizedMargins: Float64Array;
  readonly kinks: KinkInfo[];
  readonly kinkTol: number;
  /** "nnls" (no kinks) or "kink-vertex-nnls" (the Clarke QP as NNLS over vertex columns). */
  readonly method: "nnls" | "kink-vertex-nnls" | "none";
  /** Columns of the NNLS (= constraints without kinks). */
  readonly columns: number;
  /** The active-set tolerance τ of the reported certificate. */
  readonly activeTol: number | null;
  /** Every rung tried: τ, |set|, ε/‖θ̂‖, δ. */
  readonly ladder: ActiveSetTrial[];
  /** NNLS diagnostics: converged, its projected-gradient KKT residual and iterations. */
  readonly solver: { converged: boolean; kktResidual: number; iterations: number } | null;
}

interface Column {
  readonly constraint: number;
  /** For each relaxed kink of the constraint (index into kinks), the vertex slope. */
  readonly kinkSlopes: Array<[number, number]>;
}

/**
 * Clarke-aware (ε, δ)-KKT certificate of `model` on `data` for the max-margin problem (see the
 * file comment for the formulas). InputError for non-homogeneous models; q_min ≤ 0 gives
 * status "not-separated" with a message and null certificate numbers. Steps: the margins at
 * u = θ/‖θ‖ (step 1), the columns h_k with their kink vertices (step 2), NNLS on each rung of
 * the active-set ladder (step 3), the best rung as the certificate (step 4).
 *
 * @param model - a homogeneous network (two-layer, mlp or conv with a homogeneous activation)
 * @param data - inputs X and labels ±1 (a Dataset or `{X, Y}`)
 * @param opts - tolerances and the NNLS settings (defaults are the CLI's)
 * @returns the certificate: q_min, the normalised margin, ε/‖θ̂‖, δ, the support and the status
 * @example
 * ```ts
 * import { initializeModel, kktCertificate, makeActivation, makeBuiltin, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("leaky_relu", 0.01) }), { seed: 2 });
 * const cert = kktCertificate(net, data);
 * console.log(cert.status, cert.qmin);
 * ```
 */
export function kktCertificate(model: Model, data: ModelData, opts: KktOptions = {}): KktCertificate {
  const L = requireHomogeneity(model.arch, opts.source ?? "model");
  const kinkTol = opts.kinkTol ?? KKT_KINK_TOL;
  const m = unitMargins(model, data, L);
  const base = { homogeneity: L, constraints: m.N, qmin: m.qmin, normalizedMargin: m.gammaBar, kinkTol };
  if (!(m.qminU > 0) || !Number.isFinite(m.qminU)) return notSeparated(base, m);
  const uScale = Math.pow(m.qminU, 1 / L);
  const thetaHat = Float64Array.from(m.unit.theta, (v) => v / uScale);
  const qHat = Float64Array.from(m.Qu, (v) => v / m.qminU);
  const cols = constraintColumns(model, data, thetaHat, kinkTol, opts.maxKinksPerConstraint ?? KKT_MAX_KINKS);
  const normHat = nrm2(thetaHat);
  const target = (normHat * normHat) / L;
  const rungs = activeSetLadder(thetaHat, cols, qHat, m.N, { candidates: opts.activeTol !== undefined ? [opts.activeTol] : KKT_ACTIVE_LADDER, normHat, target });
  return {
    ...base,
    ...fromRung(rungs.best, cols, m.N, outputDim(model.arch), { normHat, target }),
    scale: Math.exp((Math.log(m.qminU) + L * m.ln) / L),
    normalizedNorm: normHat,
    normSquaredOverL: target,
    normalizedMargins: qHat,
    ladder: rungs.ladder,
  };
}

/** Step 1: margins at u = θ/‖θ‖ (exact by homogeneity: q(θ) = ‖θ‖^L q(u)), so huge θ cannot overflow them. */
function unitMargins(model: Model, data: ModelData, L: number) {
  const ln = logNorm2(model.theta);
  const unitScale = Number.isFinite(ln) ? Math.exp(-ln) : 1;
  const unit: Model = { arch: model.arch, theta: Float64Array.from(model.theta, (v) => v * unitScale) };
  const Qu = margins(unit, data).data;
  const N = data.X.rows * outputDim(model.arch);
  let qminU = Infinity;
  for (let r = 0; r < N; r++) qminU = Math.min(qminU, Qu[r]);
  // γ̄ = q_min(u) (‖u‖ = 1); q_min(θ) = ‖θ‖^L q_min(u), formed in log space
  const gammaBar = Number.isFinite(ln) ? qminU : 0;
  const Qraw = margins(model, data).data;
  let qmin = Infinity;
  for (let r = 0; r < N; r++) qmin = Math.min(qmin, Qraw[r]);
  if (!Number.isFinite(qmin) && N > 0) qmin = qminU === 0 || !Number.isFinite(ln) ? 0 : Math.sign(qminU) * Math.exp(Math.log(Math.abs(qminU)) + L * ln);
  return { ln, unit, Qu, N, qminU, gammaBar, qmin };
}

function notSeparated(
  base: Pick<KktCertificate, "homogeneity" | "constraints" | "qmin" | "normalizedMargin" | "kinkTol">, m: ReturnType<typeof unitMargins>,
): KktCertificate {
  const { N, Qu, qminU } = m;
  const bad = Array.from(Qu).filter((v) => !(v > 0)).length;
  return {
    ...base,
    status: "not-separated",
    message: N === 0
      ? "no samples: the max-margin problem has no constraints"
      : `the model does not separate the data: q_min = ${m.qmin} ≤ 0 (${bad} of ${N} margins ≤ 0), so θ cannot be normalised to q_min = 1 and is not a feasible point of the max-margin problem; train further or check the labels`,
    scale: null, normalizedNorm: null, epsilon: null, epsilonRelative: null, delta: null, lambda: null,
    support: [], sumLambda: null, normSquaredOverL: null, eulerGap: null,
    normalizedMargins: Float64Array.from(Qu, (v) => v / Math.abs(qminU === 0 ? 1 : qminU)),
    kinks: [], method: "none", columns: 0, activeTol: null, ladder: [], solver: null,
  };
}

/** The NNLS columns: h_k(v) for every constraint k and every vertex v of its relaxed kink slopes. */
interface Columns {
  readonly kinks: KinkInfo[];
  readonly columns: Column[];
  readonly colData: Float64Array[];
}

/**
 * Step 2: for each sample, its kinks (|z| ≤ kinkTol·(‖w‖‖u‖ + |b|), the maxKinks smallest
 * relative |z| relaxed) and, for each output, the columns h_k at every vertex of the relaxed
 * slopes' box (the others at the convention σ′(0)).
 */
function constraintColumns(model: Model, data: ModelData, thetaHat: Float64Array, kinkTol: number, maxKinks: number): Columns {
  const act = model.arch.activation;
  const interval = kinkInterval(act);
  const k = outputDim(model.arch);
  const d = data.X.cols;
  const p = thetaHat.length;
  const out: Columns = { kinks: [], columns: [], colData: [] };
  for (let i = 0; i < data.X.rows; i++) {
    const x = data.X.data.subarray(i * d, (i + 1) * d);
    const pass = evaluateSample(model.arch, thetaHat, x);
    const conv = conventionSlopes(act, pass);
    const found = interval ? sampleKinks(pass, kinkTol) : [];
    const relaxedCount = Math.min(found.length, maxKinks);
    for (let c = 0; c < k; c++) {
      const rIdx = i * k + c;
      const w = new Float64Array(k);
      w[c] = data.Y.data[rIdx];
      const firstKink = out.kinks.length;
      found.forEach((f, t) => {
        out.kinks.push({
          sample: i, output: c, layer: f.l + 1, unit: f.r, preactivation: f.z, relative: f.rel,
          interval: [interval!.lo, interval!.hi], relaxed: t < relaxedCount, slope: null,
        });
      });
      const vertices = 1 << relaxedCount;
      for (let v = 0; v < vertices; v++) {
        const slopes = conv.map((s) => Float64Array.from(s));
        const chosen: Array<[number, number]> = [];
        for (let t = 0; t < relaxedCount; t++) {
          const s = (v >> t) & 1 ? interval!.hi : interval!.lo;
          slopes[found[t].l][found[t].r] = s;
          chosen.push([firstKink + t, s]);
        }
        const g = new Float64Array(p);
        pass.gradient(w, slopes, g);
        out.columns.push({ constraint: rIdx, kinkSlopes: chosen });
        out.colData.push(g);
      }
    }
  }
  return out;
}

/** Kinks of one sample: (hidden layer index l (0-based), unit r, z, relative |z|), smallest relative |z| first. */
function sampleKinks(pass: ReturnType<typeof evaluateSample>, kinkTol: number): Array<{ l: number; r: number; z: number; rel: number }> {
  const found: Array<{ l: number; r: number; z: number; rel: number }> = [];
  for (let l = 0; l + 1 < pass.pre.length; l++) {
    for (let r = 0; r < pass.pre[l].length; r++) {
      const z = pass.pre[l][r];
      const ref = pass.kinkScale(l, r);
      if (Math.abs(z) <= kinkTol * ref) found.push({ l, r, z, rel: ref > 0 ? Math.abs(z) / ref : 0 });
    }
  }
  found.sort((a, b) => a.rel - b.rel);
  return found;
}

/** A rung of the ladder with its NNLS solution. */
type Rung = ActiveSetTrial & { x: Float64Array; cols: number[]; sol: NnlsResult };

/**
 * Step 3: NNLS of θ̂ on the columns of the constraints with q̂_k − 1 ≤ τ, for each τ of the
 * ladder (a τ that adds no column is skipped); ε recomputed as ‖θ̂ − Σ_j β_j col_j‖, δ =
 * max_k λ_k(q̂_k − 1). The best rung minimises ε/‖θ̂‖ + δ/(‖θ̂‖²/L) (ties: the first, smaller τ).
 */
function activeSetLadder(
  thetaHat: Float64Array, c: Columns, qHat: Float64Array, N: number, o: { candidates: readonly number[]; normHat: number; target: number },
): { ladder: ActiveSetTrial[]; best: Rung } {
  const p = thetaHat.length;
  const ladder: ActiveSetTrial[] = [];
  let best: Rung | null = null;
  let lastCount = -1;
  for (const tau of o.candidates) {
    const cols: number[] = [];
    for (let j = 0; j < c.columns.length; j++) if (qHat[c.columns[j].constraint] - 1 <= tau) cols.push(j);
    if (cols.length === lastCount) continue; // same set as the previous rung
    lastCount = cols.length;
    const C = cols.length;
    const A = new Float64Array(p * C);
    for (let j = 0; j < C; j++) {
      const g = c.colData[cols[j]];
      for (let t = 0; t < p; t++) A[t * C + j] = g[t];
    }
    const sol = nnls({ rows: p, cols: C, data: A }, thetaHat);
    const res = Float64Array.from(thetaHat);
    for (let j = 0; j < C; j++) {
      const b = sol.x[j];
      if (b === 0) continue;
      const g = c.colData[cols[j]];
      for (let t = 0; t < p; t++) res[t] -= b * g[t];
    }
    const lam = new Float64Array(N);
    for (let j = 0; j < C; j++) lam[c.columns[cols[j]].constraint] += sol.x[j];
    let delta = 0;
    for (let r = 0; r < N; r++) if (lam[r] > 0) delta = Math.max(delta, lam[r] * (qHat[r] - 1));
    const trial: ActiveSetTrial = {
      activeTol: tau, constraints: new Set(cols.map((j) => c.columns[j].constraint)).size,
      epsilonRelative: o.normHat > 0 ? nrm2(res) / o.normHat : 0, delta, deltaRelative: o.target > 0 ? delta / o.target : delta,
    };
    ladder.push(trial);
    const score = trial.epsilonRelative + trial.deltaRelative;
    if (!best || score < best.epsilonRelative + best.deltaRelative) best = { ...trial, x: sol.x, cols, sol };
  }
  return { ladder, best: best! };
}

/** Step 4: multipliers λ_k (summed over vertex columns), kink slopes s = μ/λ, support, ε, δ, Euler gap. */
function fromRung(
  chosen: Rung, c: Columns, N: number, k: number, o: { normHat: number; target: number },
): Omit<KktCertificate, "homogeneity" | "constraints" | "qmin" | "normalizedMargin" | "kinkTol" | "scale" | "normalizedNorm" | "normSquaredOverL" | "normalizedMargins" | "ladder"> {
  const lambda = new Float64Array(N);
  const slopeSum = new Float64Array(c.kinks.length);
  for (let j = 0; j < chosen.cols.length; j++) {
    const b = chosen.x[j];
    if (b === 0) continue;
    const col = c.columns[chosen.cols[j]];
    lambda[col.constraint] += b;
    for (const [kk, s] of col.kinkSlopes) slopeSum[kk] += b * s;
  }
  const finalKinks = c.kinks.map((kn, t) => {
    const lam = lambda[kn.sample * k + kn.output];
    return kn.relaxed && lam > 0 ? { ...kn, slope: slopeSum[t] / lam } : kn;
  });
  const { normHat, target } = o;
  const epsilon = chosen.epsilonRelative * normHat;
  const delta = chosen.delta;
  let sumLambda = 0;
  const support: number[] = [];
  for (let r = 0; r < N; r++) {
    if (lambda[r] > 0) support.push(r);
    sumLambda += lambda[r];
  }
  const anyKink = c.kinks.length > 0;
  return {
    status: "ok",
    message: `ε/‖θ̂‖ = ${(epsilon / normHat).toExponential(3)}, δ = ${delta.toExponential(3)}, |support| = ${support.length} of ${N}` +
      (anyKink ? `, ${c.kinks.filter((kn) => kn.relaxed).length} kink(s) relaxed` : ""),
    epsilon,
    epsilonRelative: normHat > 0 ? epsilon / normHat : 0,
    delta,
    lambda,
    support,
    sumLambda,
    eulerGap: target > 0 ? Math.abs(sumLambda - target) / target : Math.abs(sumLambda),
    kinks: finalKinks,
    method: anyKink ? "kink-vertex-nnls" : "nnls",
    columns: chosen.cols.length,
    activeTol: chosen.activeTol,
    solver: { converged: chosen.sol.converged, kktResidual: chosen.sol.kktResidual, iterations: chosen.sol.iterations },
  };
}
