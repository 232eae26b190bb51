/**
 * The Filippov vector field of gradient flow on a two-layer network with a piecewise-linear
 * activation (ReLU, leaky ReLU), for integrating through kinks where the flow slides.
 *
 * Switching surfaces. For f(x) = Σ_j a_j σ(w_jᵀx + b_j) (+ c) with σ(z) = z (z > 0), a·z (z ≤ 0)
 * (a = 0 ReLU, a = slope leaky ReLU), the loss ℒ = s·Σ_i ℓ(f(x_i); y_i) is C¹ except on the
 * surfaces z_ji(θ) = x̃_iᵀw̃_j = 0, w̃_j = (w_j, b_j), x̃_i = (x_i, 1) (without input bias x̃ = x).
 * Across z_ji = 0 only the block w̃_j of ∇ℒ jumps, through σ′(z_ji) ∈ {a, 1}:
 *   ∇_{w̃_j}ℒ = Σ_i r_ji σ′(z_ji) x̃_i,   r_ji = ⟨∂ℒ/∂f_i, a_j⟩,
 * while ∇_{a_j}ℒ = Σ_i (∂ℒ/∂f_i) σ(z_ji) and r_ji (through f_i) are continuous. So ∇ℒ is affine
 * in the vector of slopes σ′_ji, and each slope moves only its own neuron's block along x̃_i.
 *
 * Sliding (Filippov 1988, "Differential Equations with Discontinuous Righthand Sides", Kluwer,
 * §2.4 and §2.7 (surfaces of higher codimension)). For θ̇ = −∇ℒ a solution that reaches z_ji = 0
 * where the field on both sides points into the surface — ż < 0 on the side σ′ = 1, ż > 0 on the
 * side σ′ = a — stays on it, with velocity in the convex hull of the one-sided fields. Because
 * ∇ℒ is affine in the slopes, that hull over a set S_j of sliding samples of neuron j is
 * {−∇ℒ(σ′_ji = a + α_i(1 − a), i ∈ S_j) : α ∈ [0, 1]^{S_j}} (an affine image of a cube is the
 * convex hull of the images of its vertices), and the Filippov sliding field is the member
 * tangent to every surface of S_j:
 *   g_j(α) = h_j + Σ_{k∈S_j} γ_k x̃_k,   γ_k = α_k (1 − a) r_jk,
 *   h_j = Σ_{i∉S_j} r_ji σ′(z_ji) x̃_i + Σ_{k∈S_j} a·r_jk x̃_k   (the side σ′ = a),
 *   ż_ji = −x̃_iᵀg_j = 0 (i ∈ S_j)   ⟺   G γ = −X̃_Sᵀh_j,   G = X̃_S X̃_Sᵀ (the Gram matrix of x̃_k, k ∈ S_j),
 * unique when the x̃_k, k ∈ S_j, are linearly independent (at most d (+1 with bias) of them).
 * The neurons decouple (each surface involves one neuron). The motion is a sliding motion while
 * α ∈ [0, 1]^{S_j}; a single surface is attractive iff ∂ż_k/∂α_k = −(1 − a)r_jk‖x̃_k‖² < 0, i.e.
 * r_jk > 0 (then α_k ∈ (0, 1) ⟺ the two one-sided normal velocities have opposite signs); it is
 * left where α_k reaches 1 (into z > 0: even σ′ = 1 no longer holds z) or 0 (into z < 0). For the
 * affine dependence here Filippov's convex combination coincides with Utkin's equivalent control.
 *
 * The same holds for the rescaled small-initialisation flow θ = e^s·u (dynamics/smallInit): its
 * u-velocity is −e^{(L−2)s}(g − ⟨u, g⟩u) with g the scaled gradient, and on z_ji(u) = 0 the
 * radial term has x̃_iᵀu_j = 0, so the sliding condition is again x̃_iᵀg_j = 0: `evaluate` takes the
 * output scale e^{Ls} and returns the scaled gradient, as Objective.evaluateScaled does.
 *
 * Modes per surface k = j·n + i: AUTO (σ′ from the sign of z, the model's convention σ′(0) = a),
 * SLIDE (α solved), LOW/HIGH (σ′ held at a / 1, used just after leaving a surface until z has the
 * sign of its side, so that rounding-level drift cannot pull the state back).
 */
import { choleskyInPlace, choleskySolve, NotPositiveDefiniteError, sliceNorm, type Matrix } from "../linalg/index.js";
import {
  activationValue, lossOnOutputs, piecewiseLinearSlope, twoLayerLayout,
  type LossName, type LossValue, type ModelData, type TwoLayerArchitecture,
} from "../model/index.js";

export const MODE_AUTO = 0;
export const MODE_SLIDE = 1;
export const MODE_LOW = 2;
export const MODE_HIGH = 3;

/** The Filippov field of a two-layer piecewise-linear net (see the module comment). */
export interface SlidingField {
  /** Number of parameters p. */
  readonly dim: number;
  /** Number of switching surfaces K = m·n; surface k = j·n + i is z_ji = 0. */
  readonly surfaces: number;
  /** Samples n (k = j·n + i). */
  readonly samples: number;
  /** Mode of each surface (MODE_*); change it through setMode. */
  readonly mode: Int8Array;
  /** Surfaces in MODE_SLIDE. */
  readonly slidingCount: number;
  /**
   * ℒ at θ (outputs scaled by outScale: 1 for the plain flow, e^{Ls} for θ = e^s·u), and into
   * `grad` the Filippov gradient with the current modes: ∇ℒ, or the scaled gradient
   * Σ_i ℓ′(outScale·f(x_i; u))∇f(x_i; u) when outScale ≠ 1. Fills `alpha` and `coefficient` for
   * the sliding surfaces; `feasible` is false when a sliding block has a singular Gram matrix.
   */
  evaluate(theta: Float64Array, outScale: number, grad: Float64Array): LossValue;
  /** z_k(θ) for every surface, into out (length K). */
  switching(theta: Float64Array, out: Float64Array): void;
  /** z_k(θ) of one surface. */
  switchingOne(theta: Float64Array, k: number): number;
  /**
   * How far from z_k = 0 the integration error may put a state: ‖x̃_i‖·(atol + rtol·‖w̃_j‖), the
   * change of z_k = x̃_iᵀw̃_j under a perturbation of w̃_j of the size the tolerances allow.
   */
  tolerance(theta: Float64Array, k: number, rtol: number, atol: number): number;
  /** True when some surface is not in MODE_AUTO (then the flow must evaluate this field). */
  readonly active: boolean;
  setMode(k: number, mode: number): void;
  /** After evaluate: α_k for sliding surfaces (NaN otherwise). */
  readonly alpha: Float64Array;
  /** After evaluate: r_jk = ⟨∂ℒ/∂f_k, a_j⟩ for every surface (attractive iff > 0). */
  readonly coefficient: Float64Array;
  readonly feasible: boolean;
}

/**
 * The Filippov field of `arch` on `data`, or null when the activation is not ReLU / leaky ReLU.
 *
 * The sliding (Filippov) field lets `gradientFlow` integrate along the kinks z_ji = 0 of a
 * ReLU-type network instead of chattering across them (pass it as `opts.sliding`).
 *
 * @param arch - a two-layer architecture
 * @param data - the training inputs and labels
 * @param loss - the loss name (as for `makeObjective`)
 * @param opts - `mean`: average the loss over the samples instead of summing (as the objective does)
 * @returns the sliding field, or null when the activation is not ReLU / leaky ReLU
 * @example
 * ```ts
 * import { gradientFlow, initializeModel, makeActivation, makeBuiltin, makeObjective, twoLayerArchitecture, twoLayerSlidingField } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=20&std=0.8&seed=1");
 * const arch = twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") });
 * const sliding = twoLayerSlidingField(arch, data, "logistic", { mean: true });
 * const run = gradientFlow(makeObjective(arch, data, "logistic", { mean: true }), initializeModel(arch, { seed: 2 }).theta, { sliding, stop: { maxTime: 20 } });
 * console.log(run.stop, run.loss);
 * ```
 */
export function twoLayerSlidingField(arch: TwoLayerArchitecture, data: ModelData, loss: LossName, opts: { mean?: boolean } = {}): SlidingField | null {
  const slope = piecewiseLinearSlope(arch.activation);
  if (slope === null || slope === 1) return null;
  return new TwoLayerSliding(arch, data, loss, opts.mean ?? false, slope);
}

/** Implementation with preallocated buffers (no allocation per evaluation while nothing slides). */
class TwoLayerSliding implements SlidingField {
  readonly dim: number;
  readonly surfaces: number;
  readonly samples: number;
  readonly mode: Int8Array;
  readonly alpha: Float64Array;
  readonly coefficient: Float64Array;
  feasible = true;
  slidingCount = 0;
  private heldCount = 0;
  private readonly layout: ReturnType<typeof twoLayerLayout>;
  /** Augmented inputs x̃_i (n × dt, dt = d or d + 1). */
  private readonly Xt: Float64Array;
  private readonly dt: number;
  private readonly Z: Float64Array;
  private readonly F: Float64Array;
  private readonly dF: Float64Array;
  /** Sliding samples of each neuron (kept in step with `mode`). */
  private readonly members: number[][];
  /** The w̃_j block being assembled. */
  private readonly h: Float64Array;

  constructor(
    private readonly arch: TwoLayerArchitecture, private readonly data: ModelData, private readonly loss: LossName,
    private readonly mean: boolean, private readonly slope: number,
  ) {
    const { d, m, k } = arch;
    const n = data.X.rows;
    this.layout = twoLayerLayout(arch);
    this.dim = this.layout.size;
    this.samples = n;
    this.surfaces = m * n;
    this.mode = new Int8Array(m * n);
    this.alpha = new Float64Array(m * n).fill(NaN);
    this.coefficient = new Float64Array(m * n);
    this.dt = arch.inputBias ? d + 1 : d;
    this.Xt = new Float64Array(n * this.dt);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < d; c++) this.Xt[i * this.dt + c] = data.X.data[i * d + c];
      if (arch.inputBias) this.Xt[i * this.dt + d] = 1;
    }
    this.Z = new Float64Array(n * m);
    this.F = new Float64Array(n * k);
    this.dF = new Float64Array(n * k);
    this.members = Array.from({ length: m }, () => []);
    this.h = new Float64Array(this.dt);
  }

  get active(): boolean {
    return this.slidingCount + this.heldCount > 0;
  }

  setMode(k: number, mode: number): void {
    const old = this.mode[k];
    if (old === mode) return;
    this.mode[k] = mode;
    if (old === MODE_LOW || old === MODE_HIGH) this.heldCount--;
    if (mode === MODE_LOW || mode === MODE_HIGH) this.heldCount++;
    const j = Math.floor(k / this.samples);
    const i = k - j * this.samples;
    if (old === MODE_SLIDE) {
      this.slidingCount--;
      this.members[j] = this.members[j].filter((s) => s !== i);
      this.alpha[k] = NaN;
    }
    if (mode === MODE_SLIDE) {
      this.slidingCount++;
      this.members[j].push(i);
    }
  }

  switching(theta: Float64Array, out: Float64Array): void {
    const { m } = this.arch;
    const n = this.samples;
    const dt = this.dt;
    const d = this.arch.d;
    const b = this.layout.b;
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < n; i++) {
        let z = b >= 0 ? theta[b + j] : 0;
        for (let c = 0; c < d; c++) z += theta[j * d + c] * this.Xt[i * dt + c];
        out[j * n + i] = z;
      }
    }
  }

  switchingOne(theta: Float64Array, k: number): number {
    const n = this.samples;
    const d = this.arch.d;
    const j = Math.floor(k / n);
    const i = k - j * n;
    let z = this.layout.b >= 0 ? theta[this.layout.b + j] : 0;
    for (let c = 0; c < d; c++) z += theta[j * d + c] * this.Xt[i * this.dt + c];
    return z;
  }

  tolerance(theta: Float64Array, k: number, rtol: number, atol: number): number {
    const n = this.samples;
    const d = this.arch.d;
    const j = Math.floor(k / n);
    const i = k - j * n;
    const xNorm = sliceNorm(this.Xt, i * this.dt, (i + 1) * this.dt);
    const wNorm = Math.hypot(sliceNorm(theta, j * d, (j + 1) * d), this.layout.b >= 0 ? theta[this.layout.b + j] : 0);
    return xNorm * (atol + rtol * wNorm);
  }

  evaluate(theta: Float64Array, outScale: number, grad: Float64Array): LossValue {
    const { m, k } = this.arch;
    const n = this.samples;
    const { a: oa, c: oc } = this.layout;
    this.switching(theta, this.Z); // Z[j·n + i] = z_ji
    // outputs f_i = Σ_j a_j σ(z_ji) (+ c), scaled by outScale
    this.F.fill(0);
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < n; i++) {
        const s = activationValue(this.arch.activation, this.Z[j * n + i]);
        if (s === 0) continue;
        for (let c = 0; c < k; c++) this.F[i * k + c] += theta[oa + j * k + c] * s;
      }
    }
    for (let t = 0; t < n * k; t++) this.F[t] = outScale * this.F[t] + (oc >= 0 ? theta[oc + (t % k)] : 0);
    const value = lossOnOutputs(this.loss, this.F, this.data.Y.data, n, k, this.mean, this.dF, null);
    grad.fill(0);
    this.feasible = true;
    for (let j = 0; j < m; j++) {
      // a_j block and the coefficients r_ji = ⟨∂ℒ/∂f_i, a_j⟩
      for (let i = 0; i < n; i++) {
        const z = this.Z[j * n + i];
        const s = activationValue(this.arch.activation, z);
        let r = 0;
        for (let c = 0; c < k; c++) {
          const dfi = this.dF[i * k + c];
          grad[oa + j * k + c] += dfi * s;
          r += dfi * theta[oa + j * k + c];
        }
        this.coefficient[j * n + i] = r;
      }
      this.neuronBlock(j, grad);
    }
    if (oc >= 0) for (let t = 0; t < n * k; t++) grad[oc + (t % k)] += this.dF[t];
    return value;
  }

  /** The w̃_j block of the gradient: h_j from the held / sign slopes, then the sliding correction. */
  private neuronBlock(j: number, grad: Float64Array): void {
    const n = this.samples;
    const dt = this.dt;
    const d = this.arch.d;
    const ob = this.layout.b;
    const h = this.h;
    h.fill(0);
    for (let i = 0; i < n; i++) {
      const kk = j * n + i;
      const md = this.mode[kk];
      const sp = md === MODE_SLIDE || md === MODE_LOW ? this.slope : md === MODE_HIGH ? 1 : this.Z[kk] > 0 ? 1 : this.slope;
      const w = this.coefficient[kk] * sp;
      if (w === 0) continue;
      for (let c = 0; c < dt; c++) h[c] += w * this.Xt[i * dt + c];
    }
    const S = this.members[j];
    if (S.length > 0 && !this.slide(j, S, h)) this.feasible = false;
    for (let c = 0; c < d; c++) grad[j * d + c] = h[c];
    if (ob >= 0) grad[ob + j] = h[d];
  }

  /**
   * Solve G γ = −X̃_Sᵀh (G the Gram matrix of the sliding x̃_k) and add Σ γ_k x̃_k to h; α_k =
   * γ_k/((1 − a) r_jk). False (h unchanged, α NaN) when G is singular to working precision.
   */
  private slide(j: number, S: readonly number[], h: Float64Array): boolean {
    const n = this.samples;
    const dt = this.dt;
    const q = S.length;
    const G: Matrix = { rows: q, cols: q, data: new Float64Array(q * q) };
    const rhs = new Float64Array(q);
    for (let u = 0; u < q; u++) {
      const xu = S[u] * dt;
      for (let v = 0; v <= u; v++) {
        const xv = S[v] * dt;
        let s = 0;
        for (let c = 0; c < dt; c++) s += this.Xt[xu + c] * this.Xt[xv + c];
        G.data[u * q + v] = s;
        G.data[v * q + u] = s;
      }
      let s = 0;
      for (let c = 0; c < dt; c++) s += this.Xt[xu + c] * h[c];
      rhs[u] = -s;
    }
    let gamma: Float64Array;
    try {
      const Lf = choleskyInPlace(G);
      // a pivot ratio below 1e-8 (condition ≳ 1e16) means dependent inputs: no unique sliding field
      let lo = Infinity;
      let hi = 0;
      for (let u = 0; u < q; u++) {
        lo = Math.min(lo, Math.abs(Lf.data[u * q + u]));
        hi = Math.max(hi, Math.abs(Lf.data[u * q + u]));
      }
      if (!(lo > 1e-8 * hi)) return this.unsolvable(j, S);
      gamma = choleskySolve(Lf, rhs);
    } catch (err) {
      if (err instanceof NotPositiveDefiniteError) return this.unsolvable(j, S);
      throw err;
    }
    for (let u = 0; u < q; u++) {
      const xu = S[u] * dt;
      for (let c = 0; c < dt; c++) h[c] += gamma[u] * this.Xt[xu + c];
      const kk = j * n + S[u];
      this.alpha[kk] = gamma[u] / ((1 - this.slope) * this.coefficient[kk]);
    }
    return true;
  }

  private unsolvable(j: number, S: readonly number[]): boolean {
    for (const i of S) this.alpha[j * this.samples + i] = NaN;
    return false;
  }
}
