import { describe, expect, it } from "vitest";
import { claim, claimPasses, claimVerdict, describeTolerance, printedFixed, printedSignificant } from "../../src/reproduce/index.js";

const text = { name: "x", why: "because", source: "somewhere" };

describe("claims", () => {
  it("abs and rel compare ours with the published value; NaN never passes", () => {
    expect(claimPasses("abs", 0.000578, 0.0005775833, 5e-7)).toBe(true);
    expect(claimPasses("abs", 0.000578, 0.0005774, 5e-7)).toBe(false);
    expect(claimPasses("rel", 2, 2.0000005, 3e-7)).toBe(true);
    expect(claimPasses("rel", 2, 2.000001, 3e-7)).toBe(false);
    for (const rule of ["abs", "rel", "atMost", "atLeast"] as const) expect(claimPasses(rule, 1, NaN, 10)).toBe(false);
    expect(claimPasses("abs", 1, "1", 10)).toBe(false); // a string is no number
  });

  it("atMost/atLeast hold a numeric published value to the same level; a string is shown only", () => {
    expect(claimPasses("atMost", 4.46e-13, 4.4e-13, 8.8e-12)).toBe(true);
    expect(claimPasses("atMost", 2.36e-10, 2.6e-14, 9.6e-13)).toBe(false); // the published value breaks the level
    expect(claimPasses("atMost", "2.36e-10 (grows)", 2.6e-14, 9.6e-13)).toBe(true);
    expect(claimPasses("atLeast", 5388, 3127, 100)).toBe(true);
    expect(claimPasses("atLeast", 50, 3127, 100)).toBe(false);
  });

  it("equal compares the values as text", () => {
    expect(claimPasses("equal", "1, 5, 9", "1, 5, 9", 0)).toBe(true);
    expect(claimPasses("equal", "1, 5, 9", "1, 5", 0)).toBe(false);
  });

  it("printed numbers agree to half a unit of their last digit", () => {
    const fixed = printedFixed(text, 0.009942, 0.0099424834, 6);
    expect(fixed).toMatchObject({ rule: "abs", pass: true });
    expect(fixed.tolerance).toBeCloseTo(5e-7, 20);
    expect(printedFixed(text, 0.009942, 0.0099425001, 6).pass).toBe(false);
    const sig = printedSignificant(text, 4.4602e-13, 4.46024e-13, 5);
    expect(sig).toMatchObject({ rule: "abs", pass: true });
    expect(sig.tolerance).toBeCloseTo(5e-18, 30);
    expect(printedSignificant(text, 4.4602e-13, 4.46026e-13, 5).pass).toBe(false);
  });

  it("a verdict shows ours as measured and names the published value in the tolerance column", () => {
    const c = claim(text, 0.000578, 0.0005775833, 5e-7, "abs");
    expect(describeTolerance(c)).toBe("published 0.000578; |Δ| ≤ 5.00e-7");
    expect(claimVerdict(c)).toEqual({ claim: "x", measured: 0.0005775833, tolerance: "published 0.000578; |Δ| ≤ 5.00e-7", pass: true, note: "because Source: somewhere." });
  });
});
