import { describe, expect, it } from "vitest";
import { pmath } from "../../src/random/index.js";

const EPS = 2 ** -52;

/** A tiny LCG (Park–Miller) for test inputs, independent of the library's generator. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

/** Largest error of f against the engine's g, in units of EPS·|g(x)| (relative ulps). */
function maxRelErr(f: (x: number) => number, g: (x: number) => number, draw: () => number, count = 20000): number {
  let worst = 0;
  for (let i = 0; i < count; i++) {
    const x = draw();
    const a = f(x);
    const b = g(x);
    if (a === b) continue;
    worst = Math.max(worst, Math.abs(a - b) / (Math.abs(b) * EPS));
  }
  return worst;
}

describe("portable math (pmath) against Math.*", () => {
  // Math.* is itself only accurate to ~1 ulp, so agreement within 4 ulp bounds pmath's error by ~5 ulp.
  const r = lcg(12345);
  it("log over the whole double range and near 1", () => {
    expect(maxRelErr(pmath.log, Math.log, () => Math.exp((r() - 0.5) * 1400))).toBeLessThan(4);
    expect(maxRelErr(pmath.log, Math.log, () => 1 + (r() - 0.5) * 1e-6)).toBeLessThan(4);
    expect(maxRelErr(pmath.log, Math.log, () => r() * 1e-310)).toBeLessThan(4); // subnormals
  });
  it("exp, expm1, tanh", () => {
    expect(maxRelErr(pmath.exp, Math.exp, () => (r() - 0.5) * 1400)).toBeLessThan(4);
    expect(maxRelErr(pmath.expm1, Math.expm1, () => (r() - 0.5) * 4)).toBeLessThan(4);
    expect(maxRelErr(pmath.expm1, Math.expm1, () => (r() - 0.5) * 1e-9)).toBeLessThan(4);
    expect(maxRelErr(pmath.tanh, Math.tanh, () => (r() - 0.5) * 20)).toBeLessThan(4);
    expect(maxRelErr(pmath.tanh, Math.tanh, () => (r() - 0.5) * 1e-4)).toBeLessThan(4);
  });
  it("sin and cos, including large arguments", () => {
    // away from the zeros of sin/cos, where a relative measure is meaningful
    const away = (f: (x: number) => number) => (x: number) => (Math.abs(f(x)) < 1e-3 ? 1 : f(x));
    for (const scale of [1, 100, 1e6]) {
      const draw = () => (r() - 0.5) * scale;
      expect(maxRelErr(away(pmath.sin), away(Math.sin), draw)).toBeLessThan(4);
      expect(maxRelErr(away(pmath.cos), away(Math.cos), draw)).toBeLessThan(4);
    }
    // absolute error everywhere
    let worst = 0;
    for (let i = 0; i < 20000; i++) {
      const x = (r() - 0.5) * 200;
      worst = Math.max(worst, Math.abs(pmath.sin(x) - Math.sin(x)), Math.abs(pmath.cos(x) - Math.cos(x)));
    }
    expect(worst).toBeLessThan(4 * EPS);
  });
  it("special values", () => {
    expect(pmath.log(0)).toBe(-Infinity);
    expect(pmath.log(-1)).toBeNaN();
    expect(pmath.log(Infinity)).toBe(Infinity);
    expect(pmath.log(1)).toBe(0);
    expect(pmath.exp(0)).toBe(1);
    expect(pmath.exp(1000)).toBe(Infinity);
    expect(pmath.exp(-1000)).toBe(0);
    expect(pmath.tanh(50)).toBe(1);
    expect(pmath.tanh(-50)).toBe(-1);
    expect(Object.is(pmath.tanh(-0), -0)).toBe(true);
    expect(pmath.sin(0)).toBe(0);
    expect(pmath.cos(0)).toBe(1);
    expect(pmath.sin(Infinity)).toBeNaN();
    expect(pmath.cos(NaN)).toBeNaN();
  });
  it("pinned values (determinism guard: these bits must never change)", () => {
    expect(pmath.log(2)).toBe(0.6931471805599453);
    expect(pmath.exp(1)).toBe(2.7182818284590455); // 1 ulp above the correctly rounded e
    expect(pmath.sin(1)).toBe(0.8414709848078965);
    expect(pmath.cos(1)).toBe(0.5403023058681398);
  });
});
