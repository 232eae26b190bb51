/**
 * Classification of split points against the dense-Hessian inertia of the wide network, on
 * inverse-designed stationary points with definite, negative-definite, indefinite and singular
 * H_j, at local minima and at saddles (k = 2 on the λ-line, k = 3 on the simplex grid); and
 * every claimed saddle comes with a followed direction that lowers the loss.
 */
import { describe, expect, it } from "vitest";
import {
  analyzePlateau, classifySplitPoint, isSaddleClass, isSureSaddle, lambdaLine, qLambdaInertia, simplexGrid, type InnerTarget,
} from "../../src/plateau/index.js";
import { designed } from "./cases.js";

const I = (positive: number, negative: number, zero: number) => ({ positive, negative, zero });

describe("In(Q_λ) and the rules", () => {
  it("follows the counting formula on small cases", () => {
    expect(qLambdaInertia(I(2, 0, 0), [0.3, 0.7])).toEqual(I(2, 0, 0));
    expect(qLambdaInertia(I(2, 0, 0), [1.5, -0.5])).toEqual(I(0, 2, 0));
    expect(qLambdaInertia(I(2, 0, 0), [1, 0])).toEqual(I(0, 0, 2));
    expect(qLambdaInertia(I(0, 2, 0), [1.5, -0.5])).toEqual(I(2, 0, 0));
    expect(qLambdaInertia(I(1, 1, 0), [0.5, 0.3, 0.2])).toEqual(I(2, 2, 0));
    expect(qLambdaInertia(I(2, 0, 1), [0.5, 0.3, 0.2])).toEqual(I(4, 0, 2));
    // dim of the ξ-space is d̃(k − 1) whatever the signs
    for (const l of [[0.2, 0.3, 0.5], [2, -0.5, -0.5], [1, 0, 0], [0.5, 0.5, 0]]) {
      const q = qLambdaInertia(I(2, 1, 1), l);
      expect(q.positive + q.negative + q.zero).toBe(4 * 2);
    }
  });

  it("classifies by the cases of docs/science/plateau.md §5", () => {
    const red = I(9, 0, 0);
    expect(classifySplitPoint(red, I(2, 0, 0), [0.4, 0.6]).cls).toBe("local minimum");
    expect(classifySplitPoint(red, I(2, 0, 0), [1.4, -0.4]).cls).toBe("strict saddle");
    expect(classifySplitPoint(red, I(2, 0, 0), [1, 0]).cls).toBe("fourth-order saddle");
    expect(classifySplitPoint(red, I(0, 2, 0), [1.4, -0.4]).cls).toBe("local minimum");
    expect(classifySplitPoint(red, I(0, 2, 0), [0.4, 0.6]).cls).toBe("strict saddle");
    expect(classifySplitPoint(red, I(0, 2, 0), [1.2, -0.1, -0.1]).cls).toBe("local minimum");
    expect(classifySplitPoint(red, I(0, 2, 0), [0.6, 0.6, -0.2]).cls).toBe("strict saddle");
    expect(classifySplitPoint(red, I(1, 1, 0), [0.4, 0.6]).cls).toBe("strict saddle");
    expect(classifySplitPoint(red, I(2, 0, 1), [0.4, 0.6]).cls).toBe("undetermined");
    expect(classifySplitPoint(red, I(0, 0, 2), [1, 0]).cls).toBe("undetermined");
    expect(classifySplitPoint(I(8, 1, 0), I(2, 0, 0), [0.4, 0.6]).cls).toBe("strict saddle");
    expect(classifySplitPoint(I(8, 0, 1), I(2, 0, 0), [0.4, 0.6]).cls).toBe("undetermined");
    expect(classifySplitPoint(red, I(2, 0, 0), [0.4, 0.6]).predictedInertia).toEqual(I(11, 0, 1));
  });

  it("the sure-saddle region is where the rules find a saddle (nonsingular H_j)", () => {
    for (const inner of [I(2, 0, 0), I(0, 2, 0), I(1, 1, 0)]) {
      for (const l of [...lambdaLine(-1, 2, 13), ...simplexGrid(4, 1)]) {
        const c = classifySplitPoint(I(9, 0, 0), inner, l);
        expect(isSureSaddle(inner, l)).toBe(c.cls !== "local minimum");
      }
    }
  });
});

const cases: Array<{ target: InnerTarget; stationary: "minimum" | "saddle"; inputBias: boolean; seed: number }> = [
  { target: "positive-definite", stationary: "minimum", inputBias: false, seed: 3 },
  { target: "negative-definite", stationary: "minimum", inputBias: false, seed: 3 },
  { target: "indefinite", stationary: "minimum", inputBias: true, seed: 7 },
  { target: "singular", stationary: "minimum", inputBias: false, seed: 6 },
  { target: "positive-definite", stationary: "saddle", inputBias: true, seed: 7 },
  { target: "indefinite", stationary: "saddle", inputBias: false, seed: 3 },
];

describe("classification agrees with the full Hessian of the wide network", () => {
  for (const cs of cases) {
    it(`${cs.target} H_j at a ${cs.stationary}${cs.inputBias ? " (biases)" : ""}: k = 2 line and k = 3 simplex`, () => {
      const c = designed(cs.target, cs.stationary, { seed: cs.seed, inputBias: cs.inputBias });
      const lambdas = [...lambdaLine(-0.5, 1.5, 9), ...simplexGrid(3), [1.3, -0.2, -0.1], [0.7, 0.6, -0.3]];
      const a = analyzePlateau(c.model, c.data, "square", { unit: 0, lambdas });
      expect(a.disagreements).toEqual([]);
      expect(a.ok).toBe(true);
      const dt = cs.inputBias ? 3 : 2;
      expect(a.inner.inertia.inertia).toEqual({
        "positive-definite": I(dt, 0, 0), "negative-definite": I(0, dt, 0), indefinite: I(cs.inputBias ? 2 : 1, 1, 0), singular: I(dt - 1, 0, 1), zero: I(0, 0, dt), "zero-cubic": I(0, 0, dt),
      }[cs.target]);
      for (const p of a.points) {
        expect(p.measuredInertia).toEqual(p.predictedInertia);
        // Count margins: nonzero eigenvalues at least 10× the threshold, zero ones below it/10.
        expect(p.nonzeroMargin).toBeGreaterThan(10);
        expect(p.zeroMargin).toBeLessThan(0.1);
        if (isSaddleClass(p.cls)) {
          expect(p.descent?.lowers).toBe(true);
          // the even part ½(ΔL(t) + ΔL(−t)) within 25% of ½μt² (or −κ|q|t⁴/4); the odd part of a cubic probe within 25% of −|C|t³
          const part = p.descent!.kind.startsWith("cubic") ? p.descent!.oddPart! : p.descent!.evenPart;
          expect(Math.abs(part / p.descent!.predicted - 1)).toBeLessThan(0.25);
        }
      }
      const classes = new Set(a.points.map((p) => p.cls));
      if (cs.stationary === "saddle" || cs.target === "indefinite") expect(classes.has("local minimum")).toBe(false);
      if (cs.stationary === "saddle") expect([...classes]).toEqual(["strict saddle"]);
      if (cs.stationary === "minimum" && cs.target.endsWith("definite") && cs.target !== "indefinite") {
        expect(classes.has("local minimum")).toBe(true);
        expect(classes.has("strict saddle")).toBe(true);
        expect(classes.has("fourth-order saddle")).toBe(true);
      }
      // singular H_j at a minimum: T_j ≠ 0 on its null line decides every degenerate point (§5.7)
      if (cs.target === "singular") {
        expect(classes.has("undetermined")).toBe(false);
        expect(classes.has("third-order saddle")).toBe(true);
      }
      // k = 2 minima: inside (0, 1) for H_j ≻ 0, outside [0, 1] for H_j ≺ 0.
      for (const p of a.points.filter((q) => q.lambda.length === 2 && q.cls === "local minimum")) {
        const inside = p.lambda[0] > 0 && p.lambda[0] < 1;
        expect(inside).toBe(cs.target === "positive-definite");
      }
    });
  }

  it("reports a disagreement instead of hiding it (wrong threshold makes the count fail)", () => {
    const c = designed("positive-definite", "minimum", { seed: 3 });
    // A relative threshold of 0.5 calls most curvature "zero": the measurement must disagree.
    const a = analyzePlateau(c.model, c.data, "square", { unit: 0, lambdas: [[0.5, 0.5]], hessianRelTol: 0.5, innerRelTol: 1e-10 });
    expect(a.ok).toBe(false);
    expect(a.disagreements.length).toBeGreaterThan(0);
    expect(a.points[0].disagreement).toMatch(/inertia/);
  });
});
