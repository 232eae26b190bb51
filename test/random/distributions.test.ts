import { describe, expect, it } from "vitest";
import { createRng, fillNormal, gaussianMatrix, normal, normals, permutation, shuffle, unitSphere, uniform } from "../../src/random/index.js";

/** Sample mean and the 2nd and 4th central-ish moments about 0. */
function moments(x: Float64Array): { mean: number; m2: number; m4: number } {
  let s = 0;
  let s2 = 0;
  let s4 = 0;
  for (const v of x) {
    s += v;
    s2 += v * v;
    s4 += v ** 4;
  }
  const n = x.length;
  return { mean: s / n, m2: s2 / n, m4: s4 / n };
}

describe("distributions", () => {
  it("uniform: mean 1/2 and variance 1/12 within 5σ of the sampling error", () => {
    const r = createRng(1);
    const N = 200000;
    const x = new Float64Array(N);
    for (let i = 0; i < N; i++) x[i] = uniform(r);
    const { mean, m2 } = moments(x);
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / N));
    const v = m2 - mean * mean;
    // Var of (U−½)² is 1/80 − 1/144
    expect(Math.abs(v - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / N));
  });

  it("normal: mean 0, E z² = 1, E z⁴ = 3 within 5σ; mean/std arguments shift and scale", () => {
    const r = createRng(2);
    const N = 200000;
    const z = normals(r, N);
    const { mean, m2, m4 } = moments(z);
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(N));
    expect(Math.abs(m2 - 1)).toBeLessThan(5 * Math.sqrt(2 / N)); // Var z² = 2
    expect(Math.abs(m4 - 3)).toBeLessThan(5 * Math.sqrt(96 / N)); // Var z⁴ = 105 − 9
    // tail: P(|z| > 2) = 0.0455
    const tail = z.filter((v) => Math.abs(v) > 2).length / N;
    expect(Math.abs(tail - 0.0455)).toBeLessThan(5 * Math.sqrt(0.0455 * 0.9545 / N));

    const a = createRng(3);
    const b = createRng(3);
    for (let i = 0; i < 100; i++) expect(normal(a, 5, 2)).toBe(5 + 2 * normal(b));
  });

  it("fillNormal equals successive normal() calls, however it is split", () => {
    const a = createRng(4);
    const b = createRng(4);
    const c = createRng(4);
    const whole = normals(a, 11);
    const parts = [...normals(b, 3), ...normals(b, 5), ...normals(b, 3)];
    const single = Array.from({ length: 11 }, () => normal(c));
    expect(Array.from(whole)).toEqual(parts);
    expect(Array.from(whole)).toEqual(single);
    const m = gaussianMatrix(createRng(4), 3, 4, 2);
    expect(m.rows).toBe(3);
    expect(Array.from(m.data)).toEqual(Array.from(fillNormal(createRng(4), new Float64Array(12), 0, 2)));
  });

  it("unitSphere: norms are 1; on S² the coordinate x₁ is uniform on [−1, 1] (Archimedes, KS test)", () => {
    const r = createRng(5);
    const N = 20000;
    const t = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      const x = unitSphere(r, 3);
      expect(Math.abs(Math.hypot(x[0], x[1], x[2]) - 1)).toBeLessThan(1e-15);
      t[i] = x[0];
    }
    t.sort();
    let ks = 0;
    for (let i = 0; i < N; i++) {
      const F = (t[i] + 1) / 2;
      ks = Math.max(ks, Math.abs(F - i / N), Math.abs(F - (i + 1) / N));
    }
    // P(√N·D > 2.6) < 1e-5
    expect(ks * Math.sqrt(N)).toBeLessThan(2.6);
  });

  it("unitSphere in d = 10: E x₁ = 0, E x₁² = 1/d, E x₁⁴ = 3/(d(d+2)) within 5σ", () => {
    const d = 10;
    const r = createRng(6);
    const N = 50000;
    const t = new Float64Array(N);
    const out = new Float64Array(d);
    for (let i = 0; i < N; i++) {
      unitSphere(r, d, out);
      let s = 0;
      for (const v of out) s += v * v;
      expect(Math.abs(s - 1)).toBeLessThan(4e-16 * d);
      t[i] = out[0];
    }
    const { mean, m2, m4 } = moments(t);
    const e2 = 1 / d;
    const e4 = 3 / (d * (d + 2));
    const e8 = 105 / (d * (d + 2) * (d + 4) * (d + 6));
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(e2 / N));
    expect(Math.abs(m2 - e2)).toBeLessThan(5 * Math.sqrt((e4 - e2 * e2) / N));
    expect(Math.abs(m4 - e4)).toBeLessThan(5 * Math.sqrt((e8 - e4 * e4) / N));
    expect(Array.from(unitSphere(createRng(1), 1)).map(Math.abs)).toEqual([1]);
  });

  it("permutation and shuffle: valid permutations, all 6 orders of 3 equally likely", () => {
    const r = createRng(7);
    const p = permutation(r, 50);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const counts = new Map<string, number>();
    const N = 30000;
    for (let i = 0; i < N; i++) {
      const key = shuffle(r, ["a", "b", "c"]).join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const e = N / 6;
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(35); // 5 dof: P(χ² > 35) ≈ 1.5e-6
    expect(Array.from(permutation(createRng(9), 20))).toEqual(Array.from(permutation(createRng(9), 20)));
    expect(permutation(r, 0).length).toBe(0);
  });
});
