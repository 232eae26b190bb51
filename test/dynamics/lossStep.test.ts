import { describe, expect, it } from "vitest";
import { createTrajectory, lossBasedGradientDescent, trajectoryColumns } from "../../src/dynamics/index.js";
import { logistic, quadratic } from "./objectives.js";

// Three separable points; y_k x_k = (1, 0.2), (−0.5, 1), (1, 2). The first two make an obtuse
// angle, so a too-long step along −∇ℒ can increase the loss (rollbacks happen).
// Max-margin direction by hand: with both first points as support vectors, equal margins
// w₁ + 0.2w₂ = −0.5w₁ + w₂ give w ∝ (0.8, 1.5), ‖(0.8, 1.5)‖ = 1.7, margin γ* = 1.1/1.7; KKT
// check: (0.8, 1.5) = λ₁(1, 0.2) + λ₂(−0.5, 1) with λ₁ = 1.409…, λ₂ = 1.218… ≥ 0, and the third
// point has margin 3.8/1.7 > γ*. So θ*/‖θ*‖ = (0.8, 1.5)/1.7 is the hard-margin SVM direction.
const xs = [[1, 0.2], [-0.5, 1], [-1, -2]];
const ys = [1, 1, -1];
const dirStar = [0.8 / 1.7, 1.5 / 1.7];
const gammaStar = 1.1 / 1.7;
const gammaBar = (th: Float64Array) => {
  let q = Infinity;
  for (let k = 0; k < 3; k++) q = Math.min(q, ys[k] * (th[0] * xs[k][0] + th[1] * xs[k][1]));
  return q / Math.hypot(th[0], th[1]);
};

function run(scaling: "inverseLoss" | "constant", alphaMax?: number) {
  const tr = createTrajectory({
    dLogT: 0.5,
    dLogLoss: 2,
    metrics: {
      names: ["gammaBar", "gammaTilde"],
      compute(theta, _s, out, pt) {
        out[0] = gammaBar(theta);
        // smoothed margin ℓ⁻¹(ℒ)/‖θ‖ for the logistic loss: ℓ⁻¹(ℒ) = −log(e^ℒ − 1)
        const L = pt.loss;
        const corr = L > 1e-10 ? Math.log(Math.expm1(L) / L) : L / 2;
        out[1] = (-pt.logLoss - corr) / Math.hypot(theta[0], theta[1]);
      },
    },
  });
  const r = lossBasedGradientDescent(logistic(xs, ys), new Float64Array(2), {
    scaling, alphaMax, stop: { logLossBelow: -650, maxSteps: 20000 }, trajectory: tr,
  });
  return { r, c: trajectoryColumns(tr) };
}

describe("loss-based step (Lyu & Li) on separable logistic regression", () => {
  it("η = α/ℒ (α ≤ 1): θ/‖θ‖ → the max-margin direction, γ̄ and γ̃ increase once the data are fit", () => {
    const { r, c } = run("inverseLoss", 1);
    expect(r.stop).toBe("loss");
    expect(r.logLoss).toBeLessThanOrEqual(-650); // ℒ ≈ 1e-283, exact in log space
    expect(r.alpha).toBeLessThanOrEqual(1);
    const n = Math.hypot(r.theta[0], r.theta[1]);
    const cos = (r.theta[0] * dirStar[0] + r.theta[1] * dirStar[1]) / n;
    expect(1 - cos).toBeLessThan(1e-7); // observed 3.6e-9 at ‖θ‖ ≈ 1000
    expect(gammaStar - gammaBar(r.theta)).toBeGreaterThan(0);
    expect(gammaStar - gammaBar(r.theta)).toBeLessThan(5e-4); // observed 6.7e-5
    // Monotone once ℒ < log 2 (every point classified): γ̄ and the smoothed margin γ̃ ≤ γ̄ both rise.
    const fit = c.loss.findIndex((l) => l < Math.log(2));
    expect(fit).toBeGreaterThan(0);
    for (let i = fit + 1; i < c.loss.length; i++) {
      expect(c.metrics.gammaBar[i]).toBeGreaterThanOrEqual(c.metrics.gammaBar[i - 1] - 1e-12);
      expect(c.metrics.gammaTilde[i]).toBeGreaterThanOrEqual(c.metrics.gammaTilde[i - 1] - 1e-12);
      expect(c.metrics.gammaTilde[i]).toBeLessThanOrEqual(c.metrics.gammaBar[i] + 1e-12);
    }
    // Time is Σ η ≈ e^{650} here (η ≈ α/ℒ), accumulated in log space by log-sum-exp.
    expect(r.logT).toBeGreaterThan(600);
    expect(Math.log(r.t)).toBeCloseTo(r.logT, 10);
    expect(c.logT[c.logT.length - 1]).toBe(r.logT);
  });

  it("η = α (constant scaling, capped only by η_max) reaches the same direction", () => {
    const { r } = run("constant");
    expect(r.stop).toBe("loss");
    const n = Math.hypot(r.theta[0], r.theta[1]);
    expect(1 - (r.theta[0] * dirStar[0] + r.theta[1] * dirStar[1]) / n).toBeLessThan(1e-7);
    expect(r.eta).toBeLessThanOrEqual(1e300);
  });

  it("without a cap on α the uncapped growth makes the direction jitter (why alphaMax exists)", () => {
    const capped = run("inverseLoss", 1).r;
    const free = run("inverseLoss").r;
    expect(free.alpha).toBeGreaterThan(1);
    expect(gammaStar - gammaBar(free.theta)).toBeGreaterThan(gammaStar - gammaBar(capped.theta));
  });
});

describe("loss-based step: rollback mechanics", () => {
  it("a too-large step is rolled back (θ unchanged, α ÷ 2^{1/10}); accepted losses never increase", () => {
    const A = [[3, 0], [0, 1]];
    const logs: number[] = [];
    const r = lossBasedGradientDescent(quadratic(A), new Float64Array([1, 1]), {
      scaling: "constant", alpha0: 2, // GD on λ = 3 is unstable for η > 2/3
      stop: { maxSteps: 200 },
      onStep: (p) => void logs.push(p.logLoss),
    });
    expect(r.stop).toBe("maxSteps");
    expect(r.rejections).toBeGreaterThan(5);
    expect(r.evaluations).toBe(1 + r.steps + r.rejections);
    for (let i = 1; i < logs.length; i++) expect(logs[i]).toBeLessThanOrEqual(logs[i - 1]);
    // α settles near the stability edge of the stiff mode (η ≈ 2/λ = 2/3), dithering by 2^{±1/5},
    // where that mode decays slowly; the loss still falls by orders of magnitude (observed 4.5e-4).
    expect(r.alpha).toBeLessThan(1);
    expect(r.alpha).toBeGreaterThan(0.4);
    expect(r.loss).toBeLessThan(2e-3); // from 2 at the start
  });

  it("stalls with a reason when no step along −∇ℒ decreases the loss", () => {
    // A wrong gradient (sign flipped): every step increases the loss.
    const q = quadratic([[1]]);
    const wrong = {
      ...q,
      evaluate(theta: Float64Array, grad: Float64Array | null) {
        const v = q.evaluate(theta, grad);
        if (grad) grad[0] = -grad[0];
        return v;
      },
    };
    const r = lossBasedGradientDescent(wrong, new Float64Array([1]), { maxConsecutiveRejections: 50 });
    expect(r.stop).toBe("stalled");
    expect(r.stall?.consecutiveRejections).toBe(50);
    expect(r.reason).toMatch(/no step along −∇ℒ decreases the loss/);
    expect(r.theta[0]).toBe(1);
  });
});
