/**
 * The third-order decision (docs/science/plateau.md §5.7) where second order is blind: H_j = 0
 * or singular at a nondegenerate minimum. Checked independently of the rules' own probes:
 * σ‴ against finite differences of σ″; T_j[v, v, v] against a high-order finite difference of
 * the residual correlation g(w_j + tv); on designed networks with H_j = 0, the full Hessian at
 * θ_λ has no negative eigenvalue (second order sees nothing), yet the loss along the predicted
 * line has the predicted third derivative and goes below L*; at λ = (½, ½) the cubic vanishes
 * on every line, and a dense grid over (plateau move η, step t) still finds L < L* at every
 * radius; with T_j = 0 as well the rules say "undetermined" and name the quartic form.
 */
import { describe, expect, it } from "vitest";
import { activationSecondDerivative, activationValue, evaluateLoss, makeActivation, twoLayerParts, type Model } from "../../src/model/index.js";
import {
  analyzePlateau, activationThirdDerivative, childIndices, cubicSplitCoefficients, innerHessian, measureHessian, outputResiduals,
  splitUnitCopyDivide, unitPreactivations,
} from "../../src/plateau/index.js";
import { designed } from "./cases.js";

const SMOOTH = ["tanh", "sigmoid", "softplus", "gelu", "swish", "erf"];

describe("σ‴", () => {
  it("matches a central difference of σ″ for every smooth activation", () => {
    const h = 1e-5;
    for (const name of SMOOTH) {
      const act = makeActivation(name);
      for (const z of [-3.1, -1.2, -0.4, 0, 0.3, 0.9, 2.5]) {
        const fd = (activationSecondDerivative(act, z + h) - activationSecondDerivative(act, z - h)) / (2 * h);
        // truncation ~h²σ⁽⁵⁾/6 ≈ 1e-10, rounding ~1e-16/h ≈ 1e-11
        expect(Math.abs(activationThirdDerivative(act, z) - fd), `${name} at ${z}`).toBeLessThan(1e-8);
      }
    }
  });
});

/** The wide model with the children's inputs moved by t·c_l·v (v of length d̃). */
function moved(wide: Model, kids: number[], c: readonly number[], v: Float64Array, t: number, d: number): Model {
  const theta = wide.theta.slice();
  const parts = twoLayerParts(wide.arch as never, theta);
  kids.forEach((kid, l) => {
    for (let s = 0; s < d; s++) parts.W[kid * d + s] += t * c[l] * v[s];
    if (parts.b) parts.b[kid] += t * c[l] * v[d];
  });
  return { arch: wide.arch, theta };
}

/** Third derivative at 0 by the 5-point stencil [f(2h) − 2f(h) + 2f(−h) − f(−2h)]/(2h³) (error O(h²)). */
const third = (f: (t: number) => number, h: number): number => (f(2 * h) - 2 * f(h) + 2 * f(-h) - f(-2 * h)) / (2 * h ** 3);

describe("H_j = 0 at a nondegenerate minimum (designed, tanh, d = 2)", () => {
  const c = designed("zero", "minimum", { seed: 5 });
  const a = analyzePlateau(c.model, c.data, "square", { unit: 0, lambdas: [[0.3, 0.7], [0.5, 0.5], [1, 0], [1.4, -0.4], [0.2, 0.3, 0.5], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0]] });
  const L0 = evaluateLoss(a.model, c.data, "square").loss;
  const cubic = a.cubic!;

  it("H_j = 0, H_red ≻ 0, and T_j ≠ 0: every split point is a saddle, each with a followed descent", () => {
    expect(a.inner.inertia.inertia).toEqual({ positive: 0, negative: 0, zero: 2 });
    expect(a.reduced.inertia!.negative + a.reduced.inertia!.zero).toBe(0);
    expect(cubic.nullity).toBe(2);
    expect(cubic.vanishes).toBe(false);
    expect(cubic.value).toBeGreaterThan(1e3 * cubic.threshold);
    expect(a.disagreements).toEqual([]);
    expect(a.points.map((p) => p.cls)).toEqual([
      "third-order saddle", "fourth-order saddle", "fourth-order saddle", "third-order saddle", "third-order saddle", "third-order saddle", "fourth-order saddle",
    ]);
    for (const p of a.points) {
      expect(p.descent?.lowers, `λ = ${p.lambda}`).toBe(true);
      // second order is blind: the measured wide Hessian has no negative eigenvalue
      expect(p.measuredInertia!.negative).toBe(0);
    }
  });

  it("T_j[v, v, v] is the third derivative of g(w_j + tv) (finite differences of the residual correlation)", () => {
    const r = outputResiduals(a.model, c.data, "square").r;
    const z = unitPreactivations(a.model, c.data.X, 0);
    const act = makeActivation("tanh");
    const X = c.data.X.data;
    const g = (t: number): number => {
      let s = 0;
      for (let i = 0; i < r.length; i++) s += r[i] * activationValue(act, z[i] + t * (cubic.direction[0] * X[2 * i] + cubic.direction[1] * X[2 * i + 1]));
      return s;
    };
    expect(Math.abs(third(g, 1e-2) - cubic.value)).toBeLessThan(1e-3 * cubic.value);
  });

  it("λ = (0.3, 0.7): the loss along ξ = t(λ₂, −λ₁)v has the predicted cubic (a_j/6)λ₁λ₂(λ₂² − λ₁²)T_j[v]³ and goes below L*", () => {
    const wide = splitUnitCopyDivide(a.model, 0, [0.3, 0.7]);
    const kids = childIndices(3, 0, 2);
    const L = (t: number): number => evaluateLoss(moved(wide, kids, [0.7, -0.3], cubic.direction, t, 2), c.data, "square").loss - L0;
    const C = (a.inner.outputWeight / 6) * 0.3 * 0.7 * (0.49 - 0.09) * cubic.value;
    expect(Math.abs(third(L, 2e-2) / 6 - C)).toBeLessThan(1e-2 * Math.abs(C));
    const t = -Math.sign(C) * 1e-2;
    expect(L(t)).toBeLessThan(0);
    expect(L(-t)).toBeGreaterThan(0);
  });

  it("λ = (½, ½): the cubic vanishes on the line, yet a dense grid over (plateau move η, step t) finds L < L* at every radius", () => {
    const wide = splitUnitCopyDivide(a.model, 0, [0.5, 0.5]);
    const kids = childIndices(3, 0, 2);
    const line = (t: number): number => evaluateLoss(moved(wide, kids, [0.5, -0.5], cubic.direction, t, 2), c.data, "square").loss - L0;
    const Cref = Math.abs((a.inner.outputWeight / 6) * 0.3 * 0.7 * 0.4 * cubic.value);
    expect(Math.abs(third(line, 2e-2) / 6)).toBeLessThan(1e-3 * Cref);
    const aj = a.inner.outputWeight;
    for (const radius of [0.1, 0.03, 0.01]) {
      let lowest = Infinity;
      for (let ie = -10; ie <= 10; ie++) {
        for (let it = -10; it <= 10; it++) {
          const eta = (radius * ie) / 10;
          const t = (radius * it) / 10;
          const shifted = { arch: wide.arch, theta: wide.theta.slice() };
          const parts = twoLayerParts(wide.arch as never, shifted.theta);
          parts.a[kids[0]] -= eta * aj;
          parts.a[kids[1]] += eta * aj;
          const l1 = 0.5 - eta;
          const l2 = 0.5 + eta;
          lowest = Math.min(lowest, evaluateLoss(moved(shifted, kids, [l2, -l1], cubic.direction, t, 2), c.data, "square").loss - L0);
        }
      }
      expect(lowest, `radius ${radius}`).toBeLessThan(0);
    }
  });
});

describe("H_j = 0 and T_j = 0 (designed): the third order leaves it open", () => {
  it("every split point is undetermined, naming the quartic form on the kernel", () => {
    const c = designed("zero-cubic", "minimum", { seed: 5 });
    const a = analyzePlateau(c.model, c.data, "square", { unit: 0, lambdas: [[0.3, 0.7], [0.5, 0.5], [1.4, -0.4]] });
    expect(a.disagreements).toEqual([]);
    expect(a.cubic!.vanishes).toBe(true);
    for (const p of a.points) {
      expect(p.cls).toBe("undetermined");
      expect(p.undecided).toEqual({ kind: "quartic-form", nullity: 2 });
    }
    // independent: the third derivative of the loss along the cubic line is at rounding level
    const wide = splitUnitCopyDivide(a.model, 0, [0.3, 0.7]);
    const L0 = evaluateLoss(a.model, c.data, "square").loss;
    const kids = childIndices(3, 0, 2);
    for (const v of [new Float64Array([1, 0]), new Float64Array([0.6, 0.8])]) {
      const L = (t: number): number => evaluateLoss(moved(wide, kids, [0.7, -0.3], v, t, 2), c.data, "square").loss - L0;
      const fourth = (L(2e-2) - 4 * L(1e-2) + 6 * L(0) - 4 * L(-1e-2) + L(-2e-2)) / 1e-8;
      expect(Math.abs(third(L, 1e-2))).toBeLessThan(1e-3 * Math.abs(fourth) + 1e-6);
    }
  });
});

describe("cubicSplitCoefficients", () => {
  it("finds Σλc = 0 with Σλc³ ≠ 0 exactly where the cubic does not vanish identically", () => {
    for (const l of [[0.3, 0.7], [1.4, -0.4], [0.2, 0.3, 0.5], [1 / 3, 1 / 3, 1 / 3], [1, 1, -1], [0.3, 0.7, 0]]) {
      const r = cubicSplitCoefficients(l)!;
      expect(r, `λ = ${l}`).not.toBeNull();
      expect(Math.abs(l.reduce((s, x, i) => s + x * r.coefficients[i], 0))).toBeLessThan(1e-14);
      expect(l.reduce((s, x, i) => s + x * r.coefficients[i] ** 3, 0)).toBeCloseTo(r.cubicSum, 12);
      expect(Math.abs(r.cubicSum)).toBeGreaterThan(1e-3);
    }
    for (const l of [[0.5, 0.5], [1, 0], [0.5, 0.5, 0], [1, 0, 0]]) expect(cubicSplitCoefficients(l), `λ = ${l}`).toBeNull();
  });
});

describe("singular H_j ≠ 0 (designed): the cubic on its null line decides", () => {
  it("third-order saddles inside (0, 1) off ½, with the line's third derivative as predicted", () => {
    const c = designed("singular", "minimum", { seed: 6 });
    const a = analyzePlateau(c.model, c.data, "square", { unit: 0, lambdas: [[0.3, 0.7], [0.5, 0.5]] });
    expect(a.disagreements).toEqual([]);
    expect(a.cubic!.nullity).toBe(1);
    expect(a.points.map((p) => p.cls)).toEqual(["third-order saddle", "fourth-order saddle"]);
    const hess = measureHessian(splitUnitCopyDivide(a.model, 0, [0.3, 0.7]), c.data, "square");
    expect(hess.inertia!.negative).toBe(0);
    const wide = splitUnitCopyDivide(a.model, 0, [0.3, 0.7]);
    const L0 = evaluateLoss(a.model, c.data, "square").loss;
    const L = (t: number): number => evaluateLoss(moved(wide, childIndices(3, 0, 2), [0.7, -0.3], a.cubic!.direction, t, 2), c.data, "square").loss - L0;
    const C = (a.inner.outputWeight / 6) * 0.3 * 0.7 * 0.4 * a.cubic!.value;
    // the stencil's O(h²) truncation is 1.5 % at h = 0.02 here: h = 0.005 (rounding ~1e-16/h³ stays far below)
    expect(Math.abs(third(L, 5e-3) / 6 - C)).toBeLessThan(1e-2 * Math.abs(C));
    expect(innerHessian(a.model, c.data, "square", 0).inertia.inertia.zero).toBe(1);
  });
});
