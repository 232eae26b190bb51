/** `plateau-negative-definite` (family "plateau"): one designed case of the plateau experiment (plateauCase.ts). */
import { atLeast, atMost } from "../../report/index.js";
import { count, minimaWhere, registerPlateauCase } from "./plateauCase.js";

registerPlateauCase({
  kind: "plateau-negative-definite",
  title: "Splitting a local minimum with negative-definite H_j: minima only with one positive λ",
  description: "H_j ≺ 0 at a nondegenerate minimum: split points with exactly one positive λ_l (k = 2: λ ∉ [0, 1]) are minima, the rest saddles.",
  target: "negative-definite",
  stationary: "minimum",
  expect: (a, k) => [
    atLeast("local minima on the plateau", count(a, "local minimum"), 1),
    atLeast("strict saddles on the plateau", count(a, "strict saddle"), 1),
    ...(k === 2 ? [atMost("k = 2: λ classed as minimum ≠ λ ∉ [0, 1] (count)", minimaWhere(a, false), 0)] : []),
  ],
});
