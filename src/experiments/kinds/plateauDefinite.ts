/** `plateau-definite` (family "plateau"): one designed case of the plateau experiment (plateauCase.ts). */
import { atLeast, atMost } from "../../report/index.js";
import { count, minimaWhere, registerPlateauCase } from "./plateauCase.js";

registerPlateauCase({
  kind: "plateau-definite",
  title: "Splitting a local minimum with positive-definite H_j: a mixture of minima and saddles",
  description: "H_j ≻ 0 at a nondegenerate minimum: split points with all λ_l > 0 are minima, some λ_l < 0 strict saddles, some λ_l = 0 fourth-order saddles; every class checked against the wide Hessian.",
  target: "positive-definite",
  stationary: "minimum",
  headline: true,
  expect: (a, k) => [
    atLeast("local minima on the plateau", count(a, "local minimum"), 1),
    atLeast("strict saddles on the plateau", count(a, "strict saddle"), 1),
    atLeast("fourth-order saddles (vertices, quartic probe)", count(a, "fourth-order saddle"), 1),
    ...(k === 2 ? [atMost("k = 2: λ classed as minimum ≠ λ ∈ (0, 1) (count)", minimaWhere(a, true), 0)] : []),
  ],
});
