/** `plateau-indefinite` (family "plateau"): one designed case of the plateau experiment (plateauCase.ts). */
import { atMost } from "../../report/index.js";
import { count, registerPlateauCase } from "./plateauCase.js";

registerPlateauCase({
  kind: "plateau-indefinite",
  title: "Splitting a local minimum with indefinite H_j: an all-saddle plateau",
  description: "H_j indefinite at a nondegenerate minimum: every split point is a saddle (strict off the vertices, fourth-order at them).",
  target: "indefinite",
  stationary: "minimum",
  expect: (a) => [atMost("local minima on the plateau", count(a, "local minimum"), 0)],
});
