// The convex program of a network's own activation patterns (docs/science/convex.md §4,
// stationary points): θ is stationary ⇔ it is balanced and optimal for the ReLU program restricted to the
// patterns its neurons use, so v_S = min of that program is the value a stationary point with
// these patterns attains, and v_S ≥ F* (fewer patterns) with equality iff the restricted optimum
// is also a global one.
import { convexToNetwork, type ReluNetwork } from "../network/index.js";
import { convexProblem, type ConvexProblem, patternsFromGates } from "../program/index.js";
import { solveRelu } from "../solvers/index.js";
import { certifyNetwork, type NetworkClass } from "./networkCertificate.js";

/** The restricted optimum, its certificate gap and the class of its network on all patterns. */
export interface OwnPatternOptimum {
  /** v_S: optimal value of the ReLU program over the patterns of the network's neurons. */
  readonly value: number;
  /** Certified relative duality gap of that solve (0 for the empty network). */
  readonly relativeGap: number;
  /** The restricted optimum's network (merged duplicate directions). */
  readonly network: ReluNetwork;
  /** certifyNetwork of that network on the full problem: global optimum, stationary or (if the solve failed) neither. */
  readonly classification: NetworkClass;
}

/**
 * Solve the ReLU program over the patterns 1[X w_j ≥ 0] of `net`'s neurons to a relative gap of
 * `tol` and classify its network on `problem` (tolerance `certTol`). An empty network's program
 * has only the zero point: v_S = L(0).
 *
 * @param problem - the convex problem
 * @param net - the network whose neurons' patterns restrict the program
 * @param tol - relative gap of the restricted solve (default 1e-12)
 * @param certTol - tolerance of the classification (default 1e-6)
 * @returns the restricted optimum v_S, its gap, its network and that network's class on the full problem
 * @example
 * ```ts
 * import { convexProblem, enumeratePatterns, ownPatternOptimum, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const oneNeuron = { W: Float64Array.of(1, 0), alpha: Float64Array.of(1), m: 1, D: 2 }; // (x)_+
 * const own = ownPatternOptimum(problem, oneNeuron);
 * console.log(own.value, own.classification); // the best value with that pattern; stationary
 * ```
 */
export function ownPatternOptimum(problem: ConvexProblem, net: ReluNetwork, tol = 1e-12, certTol = 1e-6): OwnPatternOptimum {
  const { X, y, beta, loss } = problem;
  if (net.m === 0) {
    const zero = certifyNetwork(problem, net, { tol: certTol });
    return { value: zero.objective, relativeGap: 0, network: net, classification: zero.classification };
  }
  const sub = convexProblem(X, y, beta, loss, patternsFromGates(X, { rows: net.m, cols: X.cols, data: net.W }, "network"));
  const sol = solveRelu(sub, { tol, maxIterations: 200_000 });
  const network = convexToNetwork(sol.U, sol.V, X.cols, { mergeTol: 1e-7 });
  return { value: sol.primalValue, relativeGap: sol.relativeGap, network, classification: certifyNetwork(problem, network, { tol: certTol }).classification };
}
