// Vector-output problems have no finite convex program we can solve exactly (science/convex.md,
// "Extensions": only the dual constraint max_{‖u‖≤1} ‖Λᵀ(Xu)_+‖ ≤ β is given), so the optimum is
// searched by weight-decayed gradient descent from several seeds at the width nc + 1 (from which
// the optimal set is connected) and every run is certified: the dual value −L*(−Λ_f) of any run
// is a lower bound on the optimum at every width, so the best run's objective minus the best dual
// value bounds its suboptimality, whatever GD did.
import { eigvalsh, gram, type Matrix } from "../linalg/index.js";
import { normal, createRng } from "../random/index.js";
import {
  certifyVectorNetwork, pruneVectorNetwork, trainVectorWeightDecayed, vectorConnectivityWidth,
  type VectorNetworkCertificate, type VectorProblem, type VectorReluNetwork,
} from "./vectorOutput.js";

/** Options of `solveVectorByRestarts`. */
export interface VectorRestartOptions {
  /** Width of every run. Default nc + 1 (capped at 256). */
  readonly width?: number;
  /** Number of seeds. Default 4. */
  readonly restarts?: number;
  /** GD steps per run. Default 20 000. */
  readonly steps?: number;
  /** Seed of the first run (run r uses seed + r). Default 0. */
  readonly seed?: number;
  /** Certificate tolerance (certifyVectorNetwork). Default 1e-6. */
  readonly tol?: number;
  /** Neurons with ‖α_j‖‖w_j‖ below this fraction of the total are pruned before certifying. Default 1e-6. */
  readonly pruneTol?: number;
}

/** One run and its certificate. */
export interface VectorRun {
  readonly seed: number;
  readonly lr: number;
  readonly objective: number;
  readonly gradNorm: number;
  readonly neurons: number;
  /** The pruned trained network that was certified. */
  readonly network: VectorReluNetwork;
  readonly certificate: VectorNetworkCertificate;
}

/** The best run, the best lower bound over all runs, and every run. */
export interface VectorRestartResult {
  readonly best: VectorRun;
  readonly network: VectorReluNetwork;
  /** Smallest objective over runs (an upper bound on the optimum). */
  readonly primalValue: number;
  /** Largest certified dual value over runs (a lower bound on the optimum at any width). */
  readonly dualValue: number;
  readonly gap: number;
  readonly relativeGap: number;
  readonly runs: VectorRun[];
  readonly width: number;
  readonly seconds: number;
}

/**
 * First GD step: lr = 1/(4·λ_max(X̃ᵀX̃) + β). For the squared loss the Hessian block of one
 * neuron's output weights is ‖(X̃w)_+‖² ≤ λ_max‖w‖², so with weights of order one this is a
 * stable step with margin 4; a diverging run is repeated with half the step.
 */
function initialStep(X: Matrix, beta: number): number {
  const ev = eigvalsh(gram(X));
  return 1 / (4 * ev[ev.length - 1] + beta);
}

/**
 * Weight-decayed GD from `restarts` seeds (small Gaussian init, scale 0.1/√D), pruned and
 * certified by certifyVectorNetwork; a run whose objective is not finite is repeated with half
 * the step (at most 6 times). The best run is the smallest objective; the reported gap is
 * best objective − max dual value (every dual value is a valid lower bound).
 */
export function solveVectorByRestarts(problem: VectorProblem, opts: VectorRestartOptions = {}): VectorRestartResult {
  const t0 = performance.now();
  const { X, Y, beta, loss } = problem;
  const { rows: n, cols: D } = X;
  const c = Y.cols;
  const width = opts.width ?? Math.min(vectorConnectivityWidth(n, c), 256);
  const restarts = opts.restarts ?? 4;
  const steps = opts.steps ?? 20_000;
  const seed0 = opts.seed ?? 0;
  const tol = opts.tol ?? 1e-6;
  const pruneTol = opts.pruneTol ?? 1e-6;
  if (!(Number.isInteger(width) && width >= 1 && Number.isInteger(restarts) && restarts >= 1)) {
    throw new RangeError(`solveVectorByRestarts: width and restarts must be positive integers, got ${width}, ${restarts}`);
  }
  const runs: VectorRun[] = [];
  const lr0 = initialStep(X, beta);
  for (let r = 0; r < restarts; r++) {
    const rng = createRng(seed0 + r);
    const scale = 0.1 / Math.sqrt(D);
    const init: VectorReluNetwork = {
      W: Float64Array.from({ length: width * D }, () => normal(rng, 0, scale)),
      A: Float64Array.from({ length: width * c }, () => normal(rng, 0, scale)),
      m: width, D, c,
    };
    let lr = lr0;
    let gd = trainVectorWeightDecayed(X, Y, beta, init, { lr, steps, loss });
    for (let halvings = 0; !gd.finite && halvings < 6; halvings++) {
      lr /= 2;
      gd = trainVectorWeightDecayed(X, Y, beta, init, { lr, steps, loss });
    }
    if (!gd.finite) throw new RangeError(`solveVectorByRestarts: GD diverged for seed ${seed0 + r} even at lr = ${lr}`);
    const net = pruneVectorNetwork(gd.net, X, pruneTol);
    const certificate = certifyVectorNetwork(problem, net, { tol });
    runs.push({ seed: seed0 + r, lr, objective: certificate.objective, gradNorm: gd.gradNorm, neurons: net.m, network: net, certificate });
  }
  let best = runs[0];
  let dualValue = -Infinity;
  for (const run of runs) {
    if (run.objective < best.objective) best = run;
    dualValue = Math.max(dualValue, run.certificate.certificate.dualValue);
  }
  const gap = best.objective - dualValue;
  return {
    best, network: best.network, primalValue: best.objective, dualValue, gap,
    relativeGap: gap / Math.max(Math.abs(best.objective), Number.MIN_VALUE), runs, width, seconds: (performance.now() - t0) / 1000,
  };
}
