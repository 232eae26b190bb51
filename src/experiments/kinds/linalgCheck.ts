import { z } from "zod";
import { type Matrix, cholesky, choleskyLogDet, distance, eigh, eighCheck, gemmBackend, nrm2 } from "../../linalg/index.js";
import { gemmRaw } from "../../linalg/gemm.js";
// The reference oracles are off linalg's public face (they exist to check it).
import { gemmReference } from "../../linalg/gemm.js";
import { accurateProduct, jacobiEigenvalues } from "../../linalg/reference.js";
import { gaussianMatrix } from "../../random/index.js";
import { atMost, linePlot, spectrumPlot, type FigureSpec, type Verdict } from "../../report/index.js";
import { registerExperiment } from "../registry.js";
import type { ExperimentResult, RunContext, RunSpec, SummaryOfRun } from "../types.js";

/**
 * `linalg-check` (family "foundation"): the float64 kernels everything else stands on, checked
 * against independent computations on seeded random matrices.
 *  - GEMM: the dispatching kernel (wasm SIMD for m·n·k ≥ 24³) against the accurate product
 *    (Dot2, twice-working-precision dot products): every entry within kε(|A||B|)_ij.
 *  - Cholesky of SPD matrices A = GᵀG/n + δI: backward error ‖A − LLᵀ‖_F/‖A‖_F ≤ 4nε.
 *  - Symmetric eigensolver (eigh) on the same SPD matrices and on GOE matrices: residual
 *    ‖AV − VΛ‖_F/‖A‖_F and orthogonality ‖VᵀV − I‖_F, both ≤ 10nε (backward stability), and
 *    eigenvalues within 10nε‖A‖₂ of those of the cyclic Jacobi method (an independent oracle).
 *  - Cholesky against the eigenvalues (eigh): log det A = 2Σ log L_ii = Σ log λ_i, to 1e-10 relative.
 *  - The spectrum of a GOE matrix (G + Gᵀ)/√(2n) fills the semicircle on [−2, 2]: its extreme
 *    eigenvalues are within 8·n^{−2/3} of ±2 (they fluctuate on the scale n^{−2/3}; checked
 *    on 3000 seeds at n = 16 and 20 with the largest deviation 0.65 of the tolerance).
 */

const EPS = 2 ** -52;

const schema = z.strictObject({
  /** Matrix sizes for the GEMM and Cholesky checks. */
  sizes: z.array(z.number().int().min(1).max(512)).min(1).default([8, 16, 32, 64, 128]),
  /** Size of the matrices whose spectra are computed (Jacobi is O(n³) per sweep). */
  n: z.number().int().min(16).max(200).default(64),
  /** Diagonal shift δ of the SPD matrices (controls their conditioning). */
  shift: z.number().positive().default(0.01),
});

type Params = z.infer<typeof schema>;

/**
 * GEMM accuracy at one size: the dispatching kernel (wasm SIMD for m·n·k ≥ 24³) and the
 * reference loop against the accurate product C* (Dot2). Each computed entry must satisfy
 * |C_ij − C*_ij| ≤ kε(|A||B|)_ij (the standard bound, γ_k ≈ kε); `ratio` is the largest
 * |C_ij − C*_ij| / (kε(|A||B|)_ij) of the fast kernel, `loopDiff` the largest difference
 * between the fast kernel and the loop relative to max|C*|.
 */
function gemmAccuracy(A: Matrix, B: Matrix): { ratio: number; loopRatio: number; loopDiff: number } {
  const m = A.rows;
  const k = A.cols;
  const n = B.cols;
  const fast = new Float64Array(m * n);
  const loop = new Float64Array(m * n);
  gemmRaw(false, false, m, n, k, 1, A.data, 0, k, B.data, 0, n, 0, fast, 0, n);
  gemmReference(false, false, m, n, k, 1, A.data, 0, k, B.data, 0, n, 0, loop, 0, n);
  const exact = accurateProduct(m, n, k, A.data, B.data);
  const absProd = new Float64Array(m * n);
  gemmReference(false, false, m, n, k, 1, A.data.map(Math.abs), 0, k, B.data.map(Math.abs), 0, n, 0, absProd, 0, n);
  let ratio = 0;
  let loopRatio = 0;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < m * n; i++) {
    const bound = k * EPS * absProd[i];
    ratio = Math.max(ratio, Math.abs(fast[i] - exact[i]) / bound);
    loopRatio = Math.max(loopRatio, Math.abs(loop[i] - exact[i]) / bound);
    diff = Math.max(diff, Math.abs(fast[i] - loop[i]));
    scale = Math.max(scale, Math.abs(exact[i]));
  }
  return { ratio, loopRatio, loopDiff: diff / scale };
}

/** SPD matrix GᵀG/n + δI from a Gaussian G (exactly symmetric). */
function spdMatrix(G: Matrix, shift: number): Matrix {
  const n = G.cols;
  const A = new Float64Array(n * n);
  gemmReference(true, false, n, n, G.rows, 1 / G.rows, G.data, 0, n, G.data, 0, n, 0, A, 0, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) A[j * n + i] = A[i * n + j];
    A[i * n + i] += shift;
  }
  return { rows: n, cols: n, data: A };
}

/** eigh quality on A: residual and orthogonality over nε, eigenvalue gap to Jacobi over nε‖A‖₂. */
function eighQuality(A: Matrix): { residual: number; orthogonality: number; jacobiGap: number; values: Float64Array } {
  const n = A.rows;
  const e = eigh(A);
  const q = eighCheck(A, e);
  const jac = jacobiEigenvalues(A);
  const norm2 = Math.max(Math.abs(jac[0]), Math.abs(jac[n - 1]));
  let gap = 0;
  for (let i = 0; i < n; i++) gap = Math.max(gap, Math.abs(e.values[i] - jac[i]));
  return { residual: q.residual / (n * EPS), orthogonality: q.orthogonality / (n * EPS), jacobiGap: gap / (n * EPS * norm2), values: e.values };
}

/** ‖A − LLᵀ‖_F / ‖A‖_F, with LLᵀ by the reference loop. */
function choleskyResidual(A: Matrix, L: Matrix): number {
  const n = A.rows;
  const llt = new Float64Array(n * n);
  gemmReference(false, true, n, n, n, 1, L.data, 0, n, L.data, 0, n, 0, llt, 0, n);
  return distance(A.data, llt) / nrm2(A.data);
}

async function run(spec: RunSpec<Params>, ctx: RunContext) {
  const { sizes, n, shift } = spec.params;
  const gemmRng = ctx.rng("gemm");
  const cholRng = ctx.rng("cholesky");
  const errors: Array<Record<string, number | string>> = [];
  let worstGemm = 0;
  let worstLoopDiff = 0;
  let worstChol = 0;
  const eig = { residual: 0, orthogonality: 0, jacobiGap: 0 };
  const noteEigh = (q: { residual: number; orthogonality: number; jacobiGap: number }): void => {
    eig.residual = Math.max(eig.residual, q.residual);
    eig.orthogonality = Math.max(eig.orthogonality, q.orthogonality);
    eig.jacobiGap = Math.max(eig.jacobiGap, q.jacobiGap);
  };
  for (const s of sizes) {
    const A = gaussianMatrix(gemmRng, s, s);
    const B = gaussianMatrix(gemmRng, s, s);
    const g = gemmAccuracy(A, B);
    const spd = spdMatrix(gaussianMatrix(cholRng, s, s), shift);
    const chol = choleskyResidual(spd, cholesky(spd)) / (s * EPS);
    const eq = eighQuality(spd);
    noteEigh(eq);
    worstGemm = Math.max(worstGemm, g.ratio);
    worstLoopDiff = Math.max(worstLoopDiff, g.loopDiff);
    worstChol = Math.max(worstChol, chol);
    errors.push({ size: s, value: g.ratio, check: `GEMM ${gemmBackend()}: |C − C*| / (kε|A||B|)` });
    errors.push({ size: s, value: g.loopRatio, check: "GEMM loop: |C − C*| / (kε|A||B|)" });
    errors.push({ size: s, value: chol, check: "Cholesky: ‖A − LLᵀ‖ / (nε‖A‖)" });
    errors.push({ size: s, value: eq.residual, check: "eigh: ‖AV − VΛ‖ / (nε‖A‖)" });
    errors.push({ size: s, value: eq.orthogonality, check: "eigh: ‖VᵀV − I‖ / (nε)" });
    ctx.metric({ stage: "sizes", size: s, gemmBoundRatio: g.ratio, loopBoundRatio: g.loopRatio, gemmVsLoop: g.loopDiff, choleskyResidualOverNEps: chol, eighResidualOverNEps: eq.residual, eighOrthogonalityOverNEps: eq.orthogonality, eighJacobiGap: eq.jacobiGap });
    ctx.log(`size ${s}: gemm ratio ${g.ratio.toExponential(2)}, cholesky ${chol.toExponential(2)}`);
  }

  const specRng = ctx.rng("spectra");
  const spd = spdMatrix(gaussianMatrix(specRng, n, n), shift);
  const spdEig = eighQuality(spd);
  const G = gaussianMatrix(specRng, n, n);
  const goe = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) goe[i * n + j] = (G.data[i * n + j] + G.data[j * n + i]) / Math.sqrt(2 * n);
  const goeEig = eighQuality({ rows: n, cols: n, data: goe });
  noteEigh(spdEig);
  noteEigh(goeEig);
  const spdValues = spdEig.values;
  const goeValues = goeEig.values;
  const logdetChol = choleskyLogDet(cholesky(spd));
  let logdetEig = 0;
  for (const v of spdValues) logdetEig += Math.log(v);
  const logdetGap = Math.abs(logdetChol - logdetEig) / Math.max(1, Math.abs(logdetEig));
  const edgeGap = Math.max(Math.abs(goeValues[0] + 2), Math.abs(goeValues[n - 1] - 2));
  ctx.metric({ stage: "spectra", n, logdetChol, logdetEig, goeMin: goeValues[0], goeMax: goeValues[n - 1] });

  const verdicts: Verdict[] = [
    atMost(`GEMM (${gemmBackend()}) is within the rounding bound of the accurate product: max |C − C*|_ij / (kε(|A||B|)_ij)`, worstGemm, 1, `C* by Dot2; sizes ${sizes.join(", ")}`),
    atMost("Cholesky is backward stable: max over sizes of ‖A − LLᵀ‖_F / (nε‖A‖_F)", worstChol, 4, "SPD A = GᵀG/n + δI"),
    atMost("eigh is backward stable: max ‖AV − VΛ‖_F / (nε‖A‖_F)", eig.residual, 10, "SPD matrices of every size, and the SPD and GOE matrices of size n"),
    atMost("eigh eigenvectors are orthonormal: max ‖VᵀV − I‖_F / (nε)", eig.orthogonality, 10),
    atMost("eigh eigenvalues agree with the Jacobi method: max |λ_i − λ_i(Jacobi)| / (nε‖A‖₂)", eig.jacobiGap, 10),
    atMost("Cholesky log det agrees with the eigenvalues: |2Σlog L_ii − Σlog λ_i| / |log det A|", logdetGap, 1e-10, `n = ${n}`),
    atMost("GOE spectrum fills the semicircle [−2, 2]: max(|λ_min + 2|, |λ_max − 2|)", edgeGap, 8 * n ** (-2 / 3), `n = ${n}; edge fluctuations are of scale n^(−2/3) (Tracy–Widom); tolerance 8·n^(−2/3)`),
  ];
  return {
    summary: {
      gemmBackend: gemmBackend(),
      gemmMaxBoundRatio: worstGemm,
      gemmMaxRelDiffVsLoop: worstLoopDiff,
      choleskyMaxResidualOverNEps: worstChol,
      eighMaxResidualOverNEps: eig.residual,
      eighMaxOrthogonalityOverNEps: eig.orthogonality,
      eighMaxJacobiGap: eig.jacobiGap,
      logdetRelGap: logdetGap,
      spdCondition: spdValues[n - 1] / spdValues[0],
      goeLambdaMin: goeValues[0],
      goeLambdaMax: goeValues[n - 1],
    },
    verdicts,
    series: {
      errors,
      spectra: [
        ...Array.from(spdValues, (value, index) => ({ index, value, matrix: "SPD GᵀG/n + δI" })),
        ...Array.from(goeValues, (value, index) => ({ index, value, matrix: "GOE (G+Gᵀ)/√(2n)" })),
      ],
    },
  };
}

function figures(result: ExperimentResult<LinalgCheckSummary>): FigureSpec[] {
  const spectra = result.series.spectra ?? [];
  const byMatrix = new Map<string, number[]>();
  for (const r of spectra) byMatrix.set(String(r.matrix), [...(byMatrix.get(String(r.matrix)) ?? []), Number(r.value)]);
  return [
    {
      name: "errors",
      title: "Rounding errors relative to their bounds",
      caption: "All stay below 1: the kernels are as accurate as float64 allows (the wasm kernel accumulates in the same order as the loop, so their lines coincide).",
      vegaLite: linePlot({ data: result.series.errors ?? [], x: "size", y: "value", series: "check", logX: true, logY: true, xTitle: "matrix size n", yTitle: "error / bound" }),
    },
    {
      name: "spectrum",
      title: "Spectra (eigh)",
      caption: "The GOE eigenvalues fill [−2, 2]; the SPD spectrum is positive, bounded below by δ.",
      vegaLite: spectrumPlot({ spectra: [...byMatrix].map(([name, values]) => ({ name, values })) }),
    },
  ];
}

/** The summary of a run result (src/experiments/summaries.ts). */
export type LinalgCheckSummary = SummaryOfRun<typeof run>;

registerExperiment<Params, LinalgCheckSummary>({
  kind: "linalg-check",
  family: "foundation",
  title: "Float64 kernels against independent references",
  description: "GEMM (wasm SIMD) vs an accurate product, Cholesky and eigh backward errors, eigh vs Jacobi eigenvalues, log det, GOE spectrum edges.",
  schema,
  run,
  figures,
  headline: {},
});
