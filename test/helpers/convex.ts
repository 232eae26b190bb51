// Shared test data of the convex family: 1-D inputs with a bias column and exact patterns.
import { convexProblem, enumeratePatterns, withBias, type ConvexProblem } from "../../src/convex/index.js";

/** The squared-loss problem on 1-D data x with a regularised bias, all 2n patterns enumerated. */
export function oneDimensionalProblem(xs: readonly number[], ys: readonly number[], beta: number): ConvexProblem {
  const X = withBias({ rows: xs.length, cols: 1, data: Float64Array.from(xs) });
  return convexProblem(X, Float64Array.from(ys), beta, "square", enumeratePatterns(X));
}
