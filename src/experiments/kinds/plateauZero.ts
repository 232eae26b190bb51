/** `plateau-zero` (family "plateau"): the designed case H_j = 0 at a minimum, decided at third order (plateauCase.ts; docs/science/plateau.md §5.7). */
import { atLeast, atMost } from "../../report/index.js";
import { count, registerPlateauCase } from "./plateauCase.js";

registerPlateauCase({
  kind: "plateau-zero",
  title: "Splitting a local minimum with H_j = 0: second order is blind, the third-order term makes every split point a saddle",
  description: "H_j = 0 at a nondegenerate minimum, with the third derivative T_j of the residual correlation ≠ 0: third-order saddles along a cubic line, fourth-order ones at λ = (½, ½) and the vertices (after a move along the plateau); no minimum, nothing undetermined; every descent followed.",
  target: "zero",
  stationary: "minimum",
  expect: (a) => [
    atLeast("T_j on null(H_j) is nonzero: ‖T_N‖_F over its threshold (1e-10·Σ|r_iσ‴(z_i)|‖x̃_i‖³)", a.cubic ? a.cubic.norm / a.cubic.threshold : 0, 1e3),
    atMost("local minima on the plateau (second order alone would not exclude them)", count(a, "local minimum"), 0),
    atMost("undetermined split points", count(a, "undetermined"), 0),
    atLeast("third-order saddles (cubic line)", count(a, "third-order saddle"), 1),
    atLeast("fourth-order saddles (λ = (½, ½) or vertices: cubic after a plateau move)", count(a, "fourth-order saddle"), 1),
    atMost("split points whose wide Hessian has a negative eigenvalue (second order is blind here)", a.points.filter((p) => p.predictedInertia.negative > 0).length, 0),
  ],
});
