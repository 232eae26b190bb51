// The result and options of the ReLU program's solvers (relu.ts, reluAtoms.ts, reluFista.ts).
import type { GapReport } from "../program/index.js";
import type { SolveOptions } from "./gated.js";

/** Options of solveRelu. */
export interface ReluSolveOptions extends SolveOptions {
  /** Try the active-face Newton polish (polish.ts) on small faces. Default true. */
  readonly polish?: boolean;
  /**
   * "atoms": column generation over ReLU atoms (reluAtoms.ts; square loss only); "fista":
   * R-FISTA with the exact cone prox (this file); "auto" (default): atoms for the square loss,
   * finished by R-FISTA from the atoms' point if they stall short of `tol`; R-FISTA otherwise.
   */
  readonly method?: "auto" | "atoms" | "fista";
}

/** A point (u_i, v_i) of the ReLU program: two P×d block matrices over one pattern set. */
export interface ConvexPoint {
  readonly U: Float64Array;
  readonly V: Float64Array;
}

/** The ReLU optimum, its certificate and the solver's record. */
export interface ReluSolution extends ConvexPoint, GapReport {
  /** ŷ of the returned point. */
  readonly prediction: Float64Array;
  /** ν = −∇L(ŷ) of the returned point (ν_f = scale·ν, unless the best dual came earlier). */
  readonly nu: Float64Array;
  /** Nonzero blocks u_i, v_i (neurons of the recovered network). */
  readonly activeNeurons: number;
  /** Max relative cone violation of the returned point (rounding level). */
  readonly infeasibility: number;
  readonly iterations: number;
  readonly restarts: number;
  readonly backtracks: number;
  /** Cone projections by constraint generation (prox and certificate). */
  readonly projections: number;
  /** Projections accepted from a block's cached face (cheap path). */
  readonly faceHits: number;
  /** Accepted active-face Newton polishes (polish.ts). */
  readonly polished: number;
  /**
   * How the point was found: "atoms" (column generation, reluAtoms.ts; iterations = pricing
   * rounds), "atoms+fista" (atoms, finished by R-FISTA; iterations = FISTA iterations) or "fista".
   */
  readonly method: "atoms" | "atoms+fista" | "fista";
  readonly converged: boolean;
  readonly tol: number;
  readonly maxIterations: number;
  readonly seconds: number;
  /** True when the pattern set is exact (the gap then proves global optimality). */
  readonly exact: boolean;
}
