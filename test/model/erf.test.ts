/**
 * erf and erfc against 30-digit values (mpmath, mp.dps = 40, rounded to 20 digits here).
 * Tolerance: 5e-16 relative (≈ 2 ulps; Cody's approximations are accurate to ~18 digits and the
 * measured errors are ≤ 4e-16), in every range of the implementation and deep in the erfc tail.
 */
import { describe, expect, it } from "vitest";
import { erf, erfc, normalCdf, normalPdf } from "../../src/model/index.js";

// [x, erf(x), erfc(x)] — 20-digit strings (more than a double holds); Number() rounds them to
// the nearest double, the best any float64 implementation can return.
const TABLE: [number, string, string][] = [
  [1e-20, "1.128379167095512512e-20", "0.99999999999999999999"],
  [1e-8, "1.1283791670955125599e-8", "0.99999998871620832904"],
  [0.1, "0.1124629160182848984", "0.8875370839817151016"],
  [0.3, "0.32862675945912741619", "0.67137324054087258381"],
  [0.46875, "0.49261347321793799159", "0.50738652678206200841"],
  [0.5, "0.52049987781304653768", "0.47950012218695346232"],
  [0.8, "0.74210096470766051259", "0.25789903529233948741"],
  [1, "0.84270079294971486934", "0.15729920705028513066"],
  [1.5, "0.96610514647531072707", "0.033894853524689272933"],
  [2, "0.99532226501895273416", "0.0046777349810472658379"],
  [3, "0.99997790950300141456", "0.000022090496998585441373"],
  [4, "0.99999998458274209972", "1.5417257900280018852e-8"],
  [4.5, "0.99999999980338395585", "1.9661604415428874763e-10"],
  [6, "0.99999999999999997848", "2.1519736712498913117e-17"],
  [10, "1.0", "2.088487583762544757e-45"],
  [20, "1.0", "5.3958656116079009289e-176"],
  [26, "1.0", "5.6631924088561428465e-296"],
];

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe("erf / erfc", () => {
  it.each(TABLE)("x = %d", (x, es, cs) => {
    const e = Number(es);
    const c = Number(cs);
    expect(rel(erf(x), e)).toBeLessThanOrEqual(5e-16);
    expect(rel(erfc(x), c)).toBeLessThanOrEqual(5e-16);
    // odd / reflection symmetry
    expect(erf(-x)).toBe(-erf(x));
    expect(rel(erfc(-x), 2 - c)).toBeLessThanOrEqual(5e-16);
  });
  it("limits and special values", () => {
    expect(erf(0)).toBe(0);
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
    expect(erfc(27)).toBe(0); // underflows below the smallest double
    expect(Number.isNaN(erf(NaN))).toBe(true);
    expect(Number.isNaN(erfc(NaN))).toBe(true);
  });
  it("normal CDF keeps relative accuracy in the lower tail", () => {
    // Φ(−10) = ½ erfc(10/√2) = 7.6198530241605260659733432515993e-24 (mpmath)
    // −10/√2 is rounded (relative 1e-16), which erfc amplifies by 2x² ≈ 100: allow 5e-14.
    expect(rel(normalCdf(-10), Number("7.619853024160526066e-24"))).toBeLessThan(5e-14);
    expect(normalCdf(0)).toBe(0.5);
    expect(rel(normalPdf(1), Number("0.24197072451914334980"))).toBeLessThan(1e-15);
  });
});
