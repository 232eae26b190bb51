import { z } from "zod";
import { makeBuiltin, type Dataset } from "../../data/index.js";
import { createTrajectory, gradientFlow, trajectoryColumns } from "../../dynamics/index.js";
import { distance, nrm2 } from "../../linalg/index.js";
import {
  forward, hessianVectorProduct, initializeModel, lossAndGradient, makeActivation, makeObjective,
  outputJacobian, twoLayerArchitecture, mlpArchitecture, type LossName, type Model,
} from "../../model/index.js";
import { normals } from "../../random/index.js";
import { atLeast, atMost, linePlot, type FigureSpec, type Verdict } from "../../report/index.js";
import { registerExperiment } from "../registry.js";
import type { ExperimentResult, RunContext, RunSpec, SummaryOfRun } from "../types.js";

/**
 * `network-check` (family "foundation"): the network layer and the integrators against
 * independent computations on built-in data.
 *  - Gradient of ℒ (tanh two-layer net with biases, logistic loss) against an 8th-order central
 *    difference along random unit directions: |∂_v ℒ − FD| ≤ 1e-7·(1 + |∂_v ℒ|)
 *    (truncation O(h⁸) ≈ 1e-8·‖ℒ⁽⁹⁾‖ at h = 1e-1·… and rounding ≈ ε|ℒ|/h; see tolerances below).
 *  - Exact Hessian–vector product against a 4th-order central difference of the gradient.
 *  - Euler's identity for an L-homogeneous net (bias-free ReLU MLP 2→8→6→1, L = 3):
 *    J(θ)·θ = L·f(θ; x) for every sample, to 1e-12 relative.
 *  - Log-space loss: the exponential loss at margins of order 1e3 (θ scaled so that ℒ
 *    underflows in float64) equals the log-sum-exp of −q_k computed here independently.
 *  - Gradient flow (smooth tanh net, square loss): DOPRI5 at rtol 1e-10 against classical RK4
 *    with a fixed step (two independent integrators) at t_end, and ℒ non-increasing along the
 *    recorded DOPRI5 trajectory (d/dt ℒ = −‖∇ℒ‖² ≤ 0).
 */

const schema = z.strictObject({
  /** Samples of the blobs dataset used for the gradient checks. */
  n: z.number().int().min(4).max(2000).default(60),
  /** Hidden width of the two-layer nets. */
  width: z.number().int().min(1).max(200).default(8),
  /** End time of the gradient-flow comparison. */
  tEnd: z.number().positive().max(1000).default(5),
  /** Fixed RK4 step of the reference integration. */
  h: z.number().positive().max(1).default(0.001),
  /** Random directions for the finite-difference checks. */
  directions: z.number().int().min(1).max(50).default(6),
});
type Params = z.infer<typeof schema>;

/** ∂_v φ by the 8th-order central difference with step h (Fornberg weights). */
function centralDifference8(phi: (t: number) => number, h: number): number {
  const w = [4 / 5, -1 / 5, 4 / 105, -1 / 280];
  let s = 0;
  for (let i = 0; i < 4; i++) s += w[i] * (phi((i + 1) * h) - phi(-(i + 1) * h));
  return s / h;
}

function shifted(model: Model, v: Float64Array, t: number): Model {
  const theta = model.theta.slice();
  for (let i = 0; i < theta.length; i++) theta[i] += t * v[i];
  return { arch: model.arch, theta };
}

function unit(v: Float64Array): Float64Array {
  const s = nrm2(v);
  return v.map((x) => x / s);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Largest relative gradient and HVP errors against finite differences along random directions. */
function derivativeErrors(model: Model, ds: Dataset, loss: LossName, dirs: Float64Array[]): { grad: number; hvp: number } {
  const g = lossAndGradient(model, ds, loss).gradient!;
  let grad = 0;
  let hvp = 0;
  for (const v of dirs) {
    const exact = dot(g, v);
    const fd = centralDifference8((t) => lossAndGradient(shifted(model, v, t), ds, loss, { gradient: false }).loss, 1e-2);
    grad = Math.max(grad, Math.abs(exact - fd) / (1 + Math.abs(exact)));
    // Hv against the 4th-order difference of the gradient: (−g(2h) + 8g(h) − 8g(−h) + g(−2h)) / 12h.
    const Hv = hessianVectorProduct(model, ds, loss, v);
    const gAt = (t: number) => lossAndGradient(shifted(model, v, t), ds, loss).gradient!;
    const h = 1e-3;
    const [g2, g1, gm1, gm2] = [gAt(2 * h), gAt(h), gAt(-h), gAt(-2 * h)];
    let err = 0;
    for (let i = 0; i < Hv.length; i++) {
      const fdi = (-g2[i] + 8 * g1[i] - 8 * gm1[i] + gm2[i]) / (12 * h);
      err = Math.max(err, Math.abs(Hv[i] - fdi));
    }
    hvp = Math.max(hvp, err / (1 + nrm2(Hv)));
  }
  return { grad, hvp };
}

/** max_k |J(θ)θ − L f(θ)|_k / max_k |f_k| for an L-homogeneous model. */
function eulerDefect(model: Model, ds: Dataset, L: number): number {
  const J = outputJacobian(model, ds.X);
  const F = forward(model, ds.X).data;
  const p = model.theta.length;
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < F.length; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += J.data[i * p + j] * model.theta[j];
    worst = Math.max(worst, Math.abs(s - L * F[i]));
    scale = Math.max(scale, Math.abs(F[i]));
  }
  return worst / scale;
}

async function run(spec: RunSpec<Params>, ctx: RunContext) {
  const { n, width, tEnd, h, directions } = spec.params;
  const seed = spec.seed;
  const blobs = makeBuiltin(`builtin:blobs?n=${n}&seed=${seed}&std=1`);
  const regression = makeBuiltin(`builtin:sin?n=${n}&seed=${seed}&d=2`);
  const dirRng = ctx.rng("directions");

  // 1–2. Gradient and HVP of a smooth net with biases (tanh, logistic loss).
  const tanhArch = twoLayerArchitecture({ d: 2, m: width, activation: makeActivation("tanh"), inputBias: true, outputBias: true });
  const tanhNet = initializeModel(tanhArch, { seed });
  const dirs = Array.from({ length: directions }, () => unit(normals(dirRng, tanhNet.theta.length)));
  const derr = derivativeErrors(tanhNet, blobs, "logistic", dirs);

  // 3. Euler identity for a bias-free ReLU MLP (L = 3).
  const mlp = initializeModel(mlpArchitecture([2, width, 6, 1], makeActivation("relu")), { seed });
  const euler = eulerDefect(mlp, blobs, 3);

  // 4. Log-space exponential loss at margins ~1e3: f(x) = c·(relu(x₁) − relu(−x₁)) = c·x₁ on blobs
  //    centred at ±2e₁, so q_k = c·y_k x₁ₖ ≈ 2c and ℒ = Σ e^{−q_k} underflows for c = 1000.
  const sep = makeBuiltin(`builtin:blobs?n=${n}&seed=${seed}&std=0.5`);
  const c = 1000;
  const linearNet: Model = {
    arch: twoLayerArchitecture({ d: 2, m: 2, activation: makeActivation("relu") }),
    theta: Float64Array.from([Math.sqrt(c), 0, -Math.sqrt(c), 0, Math.sqrt(c), -Math.sqrt(c)]),
  };
  const negq = Array.from(sep.X.data.filter((_, i) => i % 2 === 0), (x1, k) => -c * sep.Y.data[k] * x1);
  const qMax = Math.max(...negq);
  let s = 0;
  for (const v of negq) s += Math.exp(v - qMax);
  const lseRef = qMax + Math.log(s);
  const ev = lossAndGradient(linearNet, sep, "exponential", { gradient: false });
  const lse = ev.logLoss;
  const logLossGap = Math.abs(lse - lseRef) / Math.max(1, Math.abs(lseRef));

  // 5. Gradient flow: DOPRI5 vs RK4, and monotone loss.
  const flowNet = initializeModel(twoLayerArchitecture({ d: 2, m: width, activation: makeActivation("tanh") }), { seed: seed + 1 });
  const obj = makeObjective(flowNet.arch, regression, "square");
  const tr = createTrajectory({ dLogT: 0.05, dLogLoss: 0.01 });
  const dp = gradientFlow(obj, flowNet.theta, { method: "dopri5", rtol: 1e-10, atol: 1e-12, stop: { maxTime: tEnd }, trajectory: tr });
  // RK4 at steps 2h, h, h/2: the differences shrink by 2⁴ = 16 per halving (order 4), and
  // ‖θ_{h/2} − θ_h‖/15 estimates the error of θ_{h/2} (Richardson), the yardstick for DOPRI5.
  const trRk = createTrajectory({ dLogT: 0.05, dLogLoss: 0.01 });
  const rk4 = (step: number, trajectory?: ReturnType<typeof createTrajectory>) =>
    gradientFlow(makeObjective(flowNet.arch, regression, "square"), flowNet.theta, { method: "rk4", h: step, stop: { maxTime: tEnd }, trajectory });
  const rk2h = rk4(2 * h).theta;
  const rkh = rk4(h).theta;
  const rk = rk4(h / 2, trRk);
  const orderRatio = distance(rk2h, rkh) / distance(rkh, rk.theta);
  const rkError = distance(rkh, rk.theta) / 15;
  const flowGap = distance(dp.theta, rk.theta);
  const cols = trajectoryColumns(tr);
  let rise = 0;
  for (let i = 1; i < cols.loss.length; i++) rise = Math.max(rise, (cols.loss[i] - cols.loss[i - 1]) / cols.loss[i - 1]);
  const rkCols = trajectoryColumns(trRk);
  ctx.metric({ gradientFD: derr.grad, hvpFD: derr.hvp, euler, logLossGap, flowGap, rise });

  const verdicts: Verdict[] = [
    atMost("gradient = 8th-order central difference along random directions: max |∂ᵥℒ − FD| / (1 + |∂ᵥℒ|)", derr.grad, 1e-7,
      "tanh net with biases, logistic loss; h = 1e-2: truncation O(h⁸) ≈ 1e-16·ℒ⁽⁹⁾, rounding ≈ 1e-14·ℒ/h"),
    atMost("Hessian–vector product = 4th-order difference of the gradient: max |Hv − FD|∞ / (1 + ‖Hv‖)", derr.hvp, 1e-7,
      "h = 1e-3: truncation O(h⁴) ≈ 1e-12·∇ℒ⁽⁵⁾, rounding ≈ 1e-16·‖∇ℒ‖/h"),
    atMost("Euler's identity J(θ)θ = L·f(θ) for a bias-free ReLU MLP, L = 3: max |Jθ − 3f| / max |f|", euler, 1e-12),
    atMost("exponential loss in log space at margins ~1e3: |log ℒ − logsumexp(−q)| / max(1, |log ℒ|)", logLossGap, 1e-14,
      `log ℒ = ${lse.toPrecision(8)}; ℒ itself is ${ev.loss} in float64`),
    atMost("gradient flow: DOPRI5 (rtol 1e-10) agrees with RK4 (h/2) within twice RK4's Richardson error estimate: ‖θ_DP − θ_RK‖", flowGap, 2 * rkError + 1e-9 * nrm2(dp.theta),
      `estimate ‖θ_h − θ_{h/2}‖/15 = ${rkError.toExponential(2)} at h = ${h}`),
    atLeast("RK4 converges at order 4: ‖θ_2h − θ_h‖ / ‖θ_h − θ_{h/2}‖ ≥ 12 (16 in the limit)", orderRatio, 12),
    atMost("ℒ is non-increasing along the flow: max relative rise between recorded samples", rise, 1e-12),
  ];
  return {
    summary: {
      gradientFdError: derr.grad, hvpFdError: derr.hvp, eulerDefect: euler, logLoss: lse, logLossGap,
      flowDopriVsRk4: flowGap, rk4ErrorEstimate: rkError, rk4OrderRatio: orderRatio, flowSteps: dp.steps, rk4Steps: rk.steps, finalLoss: dp.loss,
    },
    verdicts,
    series: {
      flow: [
        ...cols.t.map((t, i) => ({ t, loss: cols.loss[i], integrator: "DOPRI5 (adaptive)" })),
        ...rkCols.t.map((t, i) => ({ t, loss: rkCols.loss[i], integrator: `RK4 (h = ${h / 2})` })),
      ],
    },
  };
}

function figures(result: ExperimentResult<NetworkCheckSummary>): FigureSpec[] {
  return [
    {
      name: "flow",
      title: "Gradient flow of a tanh network, two integrators",
      caption: "Square loss along the gradient flow by adaptive DOPRI5 and by fixed-step RK4: the curves coincide.",
      vegaLite: linePlot({ data: result.series.flow ?? [], x: "t", y: "loss", series: "integrator", logX: true, logY: true, xTitle: "t", yTitle: "loss ℒ(θ(t))" }),
    },
  ];
}

/** The summary of a run result (src/experiments/summaries.ts). */
export type NetworkCheckSummary = SummaryOfRun<typeof run>;

registerExperiment<Params, NetworkCheckSummary>({
  kind: "network-check",
  family: "foundation",
  title: "Networks, exact derivatives and gradient flow against independent references",
  description: "Gradient and HVP vs finite differences, Euler's identity, log-space losses, DOPRI5 vs RK4, monotone loss.",
  schema,
  run,
  figures,
  headline: {},
});
