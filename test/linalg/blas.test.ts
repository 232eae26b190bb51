import { describe, expect, it } from "vitest";
import {
  asum, axpy, copy, dot, hadamard, iamax, nrm2, scal, vadd, vsub,
} from "../../src/linalg/index.js";

const EPS = 2 ** -52;
const f = (...v: number[]): Float64Array => Float64Array.from(v);

describe("level-1 BLAS", () => {
  it("dot: small cases, all lengths around the unroll width, mismatch throws", () => {
    expect(dot(f(), f())).toBe(0);
    expect(dot(f(1, 2, 3), f(4, 5, 6))).toBe(32);
    for (let n = 0; n < 11; n++) {
      const x = Float64Array.from({ length: n }, (_, i) => i + 1);
      // Σ i² for i = 1..n, exact in floating point at these sizes.
      expect(dot(x, x)).toBe((n * (n + 1) * (2 * n + 1)) / 6);
    }
    expect(() => dot(f(1), f(1, 2))).toThrow(RangeError);
  });

  it("axpy, scal, copy", () => {
    const y = f(1, 1, 1);
    axpy(2, f(1, 2, 3), y);
    expect(Array.from(y)).toEqual([3, 5, 7]);
    axpy(0, f(NaN, NaN, NaN), y); // α = 0 leaves y untouched
    expect(Array.from(y)).toEqual([3, 5, 7]);
    scal(-0.5, y);
    expect(Array.from(y)).toEqual([-1.5, -2.5, -3.5]);
    const z = new Float64Array(3);
    copy(y, z);
    expect(Array.from(z)).toEqual([-1.5, -2.5, -3.5]);
    expect(() => copy(y, new Float64Array(2))).toThrow(RangeError);
  });

  it("nrm2 is accurate without overflow or underflow (1e200, 1e-200, subnormals)", () => {
    expect(nrm2(f())).toBe(0);
    expect(nrm2(f(0, 0))).toBe(0);
    expect(nrm2(f(3, 4))).toBe(5);
    const rel = (got: number, want: number): number => Math.abs(got - want) / want;
    // Squares overflow: 1e400.
    expect(rel(nrm2(f(3e200, 4e200)), 5e200)).toBeLessThanOrEqual(2 * EPS);
    expect(rel(nrm2(f(1e200, 1e200)), Math.SQRT2 * 1e200)).toBeLessThanOrEqual(2 * EPS);
    // Squares underflow to 0: 1e-400.
    expect(rel(nrm2(f(3e-200, 4e-200)), 5e-200)).toBeLessThanOrEqual(2 * EPS);
    expect(rel(nrm2(f(1e-200, -1e-200, 1e-200, -1e-200)), 2e-200)).toBeLessThanOrEqual(2 * EPS);
    // Mixed magnitudes and subnormal entries.
    expect(rel(nrm2(f(1e200, 1, 1e-200)), 1e200)).toBeLessThanOrEqual(EPS);
    expect(rel(nrm2(f(3 * 2 ** -1070, 4 * 2 ** -1070)), 5 * 2 ** -1070)).toBeLessThanOrEqual(EPS);
    expect(nrm2(f(Number.MAX_VALUE, Number.MAX_VALUE))).toBe(Infinity); // true norm overflows
    expect(rel(nrm2(f(Number.MAX_VALUE / 2, Number.MAX_VALUE / 2)), Number.MAX_VALUE * Math.SQRT1_2))
      .toBeLessThanOrEqual(2 * EPS);
    // A long vector of equal tiny entries: √n·t.
    const t = new Float64Array(10000).fill(1e-170);
    expect(rel(nrm2(t), 100 * 1e-170)).toBeLessThanOrEqual(1e-12);
    expect(nrm2(f(1, NaN, 1e300))).toBeNaN();
    expect(nrm2(f(1, -Infinity, Infinity, 1e300))).toBe(Infinity);
  });

  it("asum and iamax", () => {
    expect(asum(f(1, -2, 3))).toBe(6);
    expect(asum(f())).toBe(0);
    expect(iamax(f())).toBe(-1);
    expect(iamax(f(1, -3, 3, 2))).toBe(1); // first of the ties
    expect(iamax(f(NaN, -1, 0.5))).toBe(1);
    expect(iamax(f(0, -Infinity))).toBe(1);
  });

  it("hadamard, vadd, vsub write into out (aliasing allowed)", () => {
    const x = f(1, 2, 3);
    const y = f(4, 5, 6);
    const out = new Float64Array(3);
    hadamard(x, y, out);
    expect(Array.from(out)).toEqual([4, 10, 18]);
    vadd(x, y, out);
    expect(Array.from(out)).toEqual([5, 7, 9]);
    vsub(x, y, out);
    expect(Array.from(out)).toEqual([-3, -3, -3]);
    vsub(x, y, x);
    expect(Array.from(x)).toEqual([-3, -3, -3]);
    expect(() => vadd(x, y, new Float64Array(4))).toThrow(RangeError);
  });
});
