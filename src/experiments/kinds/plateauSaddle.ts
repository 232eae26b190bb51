/** `plateau-saddle` (family "plateau"): one designed case of the plateau experiment (plateauCase.ts). */
import { atMost, equals } from "../../report/index.js";
import { count, registerPlateauCase } from "./plateauCase.js";

registerPlateauCase({
  kind: "plateau-saddle",
  title: "Splitting a saddle: every split point is a saddle",
  description: "θ* a saddle (H_red has a negative eigenvalue), H_j ≻ 0: the negative direction persists at every split point.",
  target: "positive-definite",
  stationary: "saddle",
  expect: (a) => [
    atMost("local minima on the plateau", count(a, "local minimum"), 0),
    equals("every split point is a strict saddle", count(a, "strict saddle") === a.points.length, true),
  ],
});
