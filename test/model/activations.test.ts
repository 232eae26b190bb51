/**
 * Activations: σ′ and σ″ against 8th-order central differences of σ and σ′ (h = 1e-3, tolerance
 * 1e-9 absolute+relative: truncation O(h⁸), rounding ≈ ε|σ|/h ≈ 1e-13); the vectorised kernel
 * against the scalar functions (different but exact formulas: 4e-16 relative + 1e-300 absolute);
 * positive homogeneity; the kink conventions (σ′(0) = left derivative, Clarke intervals); no NaN
 * or Inf at extreme arguments; parsing with errors that list the allowed names.
 * Finite differences are only taken at points ≥ 0.3 away from the kink at 0 (h = 1e-3, so the
 * 8-point stencil never crosses it).
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/common/errors.js";
import {
  ACTIVATION_NAMES, activationDerivative, activationHomogeneity, activationSecondDerivative, activationToJson,
  activationValue, clarkeDerivative, kinkInterval, makeActivation, parseActivation, type Activation,
} from "../../src/model/index.js";
import { applyActivation } from "../../src/model/activations.js";
import { fd8 } from "./reference.js";

const ALL: Activation[] = [
  makeActivation("relu"), makeActivation("leaky_relu", 0.1), makeActivation("leaky_relu", -0.5), makeActivation("linear"),
  makeActivation("relu_power", 2), makeActivation("relu_power", 3), makeActivation("relu_power", 2.5),
  makeActivation("tanh"), makeActivation("sigmoid"), makeActivation("softplus"), makeActivation("gelu"),
  makeActivation("swish"), makeActivation("erf"),
];
const label = (a: Activation): string => JSON.stringify(activationToJson(a));
const POINTS = [-4.1, -2.3, -1.1, -0.6, -0.3, 0.3, 0.7, 1.2, 2.6, 3.9];
const SMOOTH_EXTRA = [0, 1e-7, -1e-5];

describe("activation derivatives vs finite differences", () => {
  for (const act of ALL) {
    it(label(act), () => {
      const smooth = kinkInterval(act) === null && act.name !== "relu_power";
      const pts = smooth ? [...POINTS, ...SMOOTH_EXTRA] : POINTS;
      for (const z of pts) {
        const d1 = fd8((t) => activationValue(act, z + t), 1e-3);
        const d2 = fd8((t) => activationDerivative(act, z + t), 1e-3);
        const g1 = activationDerivative(act, z);
        const g2 = activationSecondDerivative(act, z);
        expect(Math.abs(d1 - g1)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(g1)));
        expect(Math.abs(d2 - g2)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(g2)));
      }
    });
  }
});

describe("vectorised activation", () => {
  it("applyActivation equals the scalar functions, with value written in place", () => {
    const zs = [-800, -40, -20, -3.5, -1, -0.25, -1e-9, -0, 0, 1e-12, 0.4, 1, 2.5, 19, 37, 800];
    for (const act of ALL) {
      const z = Float64Array.from([7, 7, ...zs]);
      const v = new Float64Array(z.length);
      const d1 = new Float64Array(z.length);
      const d2 = new Float64Array(z.length);
      applyActivation(act, z, 2, zs.length, v, d1, d2);
      expect(v[0]).toBe(0); // outside [off, off+len): untouched
      for (let i = 0; i < zs.length; i++) {
        const x = zs[i];
        for (const [got, want] of [[v[i + 2], activationValue(act, x)], [d1[i + 2], activationDerivative(act, x)], [d2[i + 2], activationSecondDerivative(act, x)]]) {
          expect(Number.isFinite(got)).toBe(true);
          expect(Math.abs(got - want)).toBeLessThanOrEqual(4e-16 * Math.abs(want) + 1e-300);
        }
      }
      const inPlace = Float64Array.from(zs);
      applyActivation(act, inPlace, 0, zs.length, inPlace, null, null);
      for (let i = 0; i < zs.length; i++) expect(inPlace[i]).toBe(v[i + 2]);
    }
  });
});

describe("homogeneity and kinks", () => {
  it("σ(cz) = c^p σ(z) for the homogeneous activations, null otherwise", () => {
    for (const act of ALL) {
      const p = activationHomogeneity(act);
      const homogeneous = ["relu", "leaky_relu", "linear", "relu_power"].includes(act.name);
      expect(p !== null).toBe(homogeneous);
      if (p === null) continue;
      for (const z of [-2.5, -0.7, 0.3, 1.9]) {
        for (const c of [0.5, 3]) {
          const lhs = activationValue(act, c * z);
          expect(Math.abs(lhs - c ** p * activationValue(act, z))).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(lhs)));
        }
      }
    }
    expect(activationHomogeneity(makeActivation("relu_power", 3))).toBe(3);
  });
  it("σ′(0) is the left derivative; Clarke intervals at the kink", () => {
    expect(activationDerivative(makeActivation("relu"), 0)).toBe(0);
    expect(activationDerivative(makeActivation("leaky_relu", 0.1), 0)).toBe(0.1);
    expect(activationDerivative(makeActivation("relu_power", 2), 0)).toBe(0);
    expect(activationSecondDerivative(makeActivation("relu_power", 2), 0)).toBe(0);
    expect(kinkInterval(makeActivation("relu"))).toEqual({ lo: 0, hi: 1 });
    expect(kinkInterval(makeActivation("leaky_relu", 0.1))).toEqual({ lo: 0.1, hi: 1 });
    expect(kinkInterval(makeActivation("leaky_relu", 2))).toEqual({ lo: 1, hi: 2 });
    expect(kinkInterval(makeActivation("linear"))).toBeNull();
    expect(kinkInterval(makeActivation("relu_power", 2))).toBeNull();
    expect(kinkInterval(makeActivation("tanh"))).toBeNull();
    expect(clarkeDerivative(makeActivation("relu"), 0)).toEqual({ lo: 0, hi: 1 });
    expect(clarkeDerivative(makeActivation("relu"), 0.5)).toEqual({ lo: 1, hi: 1 });
    expect(clarkeDerivative(makeActivation("leaky_relu", 0.1), -1)).toEqual({ lo: 0.1, hi: 0.1 });
    const z = new Float64Array([0, -0]);
    const d1 = new Float64Array(2);
    applyActivation(makeActivation("leaky_relu", 0.3), z, 0, 2, null, d1, null);
    expect(Array.from(d1)).toEqual([0.3, 0.3]);
  });
  it("no NaN or Inf at extreme arguments", () => {
    expect(activationDerivative(makeActivation("tanh"), 800)).toBe(0);
    expect(activationValue(makeActivation("sigmoid"), -800)).toBe(0);
    expect(activationValue(makeActivation("sigmoid"), 800)).toBe(1);
    expect(activationValue(makeActivation("softplus"), 800)).toBe(800);
    expect(activationValue(makeActivation("softplus"), -40)).toBeCloseTo(4.248354255291589e-18, 30);
    expect(activationValue(makeActivation("gelu"), -40)).toBeLessThanOrEqual(0);
    expect(Number.isFinite(activationSecondDerivative(makeActivation("swish"), -800))).toBe(true);
  });
});

describe("parsing activations", () => {
  it("accepts names and parameter objects, with documented defaults", () => {
    expect(parseActivation("relu", "m.json")).toEqual({ name: "relu" });
    expect(parseActivation("leaky_relu", "m.json")).toEqual({ name: "leaky_relu", slope: 0.01 });
    expect(parseActivation({ name: "leaky_relu", slope: 0.2 }, "m.json")).toEqual({ name: "leaky_relu", slope: 0.2 });
    expect(parseActivation({ name: "relu_power", power: 3 }, "m.json")).toEqual({ name: "relu_power", power: 3 });
    expect(parseActivation("relu_power", "m.json")).toEqual({ name: "relu_power", power: 2 });
    for (const name of ACTIVATION_NAMES) expect(parseActivation(name, "m.json").name).toBe(name);
  });
  it("rejects unknown names listing the allowed ones, and bad parameters", () => {
    const bad = (v: unknown): InputError => {
      try {
        parseActivation(v, "m.json");
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return e as InputError;
      }
      throw new Error("expected an InputError");
    };
    const e1 = bad("rellu");
    expect(e1.message).toMatch(/m\.json: activation: unknown activation "rellu"; allowed: relu, leaky_relu, linear, relu_power, tanh/);
    expect(bad({ name: "relu_power", power: 1.5 }).message).toMatch(/activation\.power: power must be ≥ 2/);
    expect(bad({ name: "leaky_relu", slope: "x" }).message).toMatch(/activation\.slope: slope must be a finite number/);
    expect(bad(3).message).toMatch(/expected an activation name/);
    expect(() => makeActivation("relu_power", 1)).toThrow(RangeError);
  });
});
