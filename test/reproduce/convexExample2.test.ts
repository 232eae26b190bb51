// The networks f_s of convex/example-2 (src/reproduce/reproductions/convexExample2.ts) against the
// closed form written out independently here: f_s(x) = s·x + (2 − s)·g(x) with
// g(x) = (x − √3)/2 for x < −√3, x on [−√3, √3], (x + √3)/2 for x > √3.
import { describe, expect, it } from "vitest";
import { networkOutput } from "../../src/convex/index.js";
import { familyNetwork } from "../../src/reproduce/reproductions/convexExample2.js";

const S3 = Math.sqrt(3);
const g = (x: number): number => (x < -S3 ? (x - S3) / 2 : x > S3 ? (x + S3) / 2 : x);

describe("convex/example-2: the family of minimum-norm interpolants", () => {
  const xs = [-2 * S3, -2, -S3, -1, 0, 0.5, 1, S3, 2.5, 2 * S3];
  const X = { rows: xs.length, cols: 2, data: Float64Array.from(xs.flatMap((x) => [x, 1])) };
  for (const s of [0, 0.5, 1, 1.5, 2]) {
    it(`s = ${s}: f_s matches the closed form (rounding of √3: 1e-14) and has ½Σ(‖w‖² + α²) = 4`, () => {
      const net = familyNetwork(s);
      const f = networkOutput(net, X);
      xs.forEach((x, k) => expect(Math.abs(f[k] - (s * x + (2 - s) * g(x)))).toBeLessThan(1e-14));
      let q = 0;
      for (const v of [...net.W, ...net.alpha]) q += v * v;
      expect(Math.abs(q / 2 - 4)).toBeLessThan(1e-14);
    });
  }
});
