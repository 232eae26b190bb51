// The ReLU program with cone constraints,
//   min_{u_i, v_i ∈ K_i} L(Σ_i D_i X (u_i − v_i), y) + β Σ_i (‖u_i‖ + ‖v_i‖),
// solved for the square loss by column generation over ReLU atoms (reluAtoms.ts; measured on the
// scnn demo workload, n = 1000, d = 50, 500 blocks: 1.9–2.0 s on 2 threads, 2.2 s on one,
// 25 pricing rounds, gap 6.3e-9, the cone projections on the wasm kernel of coneKernel.ts), and
// otherwise — the logistic loss, or as the finisher when the atoms' rounds stall — by R-FISTA
// with the exact cone prox (reluFista.ts, which records why that method). Every point is
// feasible; the gap is a certificate.
import { solveReluByAtoms } from "./reluAtoms.js";
import { solveReluFista } from "./reluFista.js";
import type { ReluSolution, ReluSolveOptions } from "./reluSolution.js";
import type { ConvexProblem } from "../program/index.js";

export type { ConvexPoint, ReluSolution, ReluSolveOptions } from "./reluSolution.js";

/**
 * Solve the ReLU program of `problem` (cone-constrained group lasso over its patterns) to
 * relative duality gap `tol` (default 1e-8): by column generation over ReLU atoms
 * (reluAtoms.ts) for the square loss, finished by R-FISTA with the exact cone prox if the rounds
 * stall; by R-FISTA for the logistic loss (`opts.method` overrides; see the file comment). Every
 * point is feasible; the returned gap is a certificate (a proof of global optimality of the
 * two-layer problem when the patterns are exact).
 *
 * @param problem - the program (`convexProblem`)
 * @param opts - `tol` (relative duality gap), `method`, iteration and time limits
 * @returns the solution: primal and dual values, the relative gap (the certificate), the active neurons
 * @example
 * ```ts
 * import { convexProblem, enumeratePatterns, solveRelu, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const sol = solveRelu(convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X)), { tol: 1e-10 });
 * console.log(sol.converged, sol.relativeGap);
 * ```
 */
export function solveRelu(problem: ConvexProblem, opts: ReluSolveOptions = {}): ReluSolution {
  const method = opts.method ?? "auto";
  if (method === "fista" || problem.loss !== "square") return solveReluFista(problem, opts);
  const atoms = solveReluByAtoms(problem, opts);
  if (atoms.converged || method === "atoms") return atoms;
  const P = problem.patterns.count;
  const d = problem.X.cols;
  const start = new Float64Array(2 * P * d);
  start.set(atoms.U, 0);
  start.set(atoms.V, P * d);
  const timeLimit = opts.timeLimit === undefined ? undefined : Math.max(0, opts.timeLimit - atoms.seconds);
  const fista = solveReluFista(problem, { ...opts, timeLimit }, start);
  return { ...fista, method: "atoms+fista", seconds: atoms.seconds + fista.seconds, projections: atoms.projections + fista.projections };
}
