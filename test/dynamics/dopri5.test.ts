import { describe, expect, it } from "vitest";
import {
  createDopri5Workspace,
  illinois,
  integrateDopri5,
  integrateRk4,
  type VectorField,
} from "../../src/dynamics/index.js";

// Linear test fields with closed forms.
const decay: VectorField = (_t, y, d) => {
  d[0] = -y[0];
};
/** y' = λy with λ = a + ib as a real 2-vector (Re, Im): solution e^{λt}y0. */
const complexLinear = (a: number, b: number): VectorField => (_t, y, d) => {
  d[0] = a * y[0] - b * y[1];
  d[1] = b * y[0] + a * y[1];
};
/** y'' = −y as (x, v)' = (v, −x): x = cos t, v = −sin t from (1, 0). */
const oscillator: VectorField = (_t, y, d) => {
  d[0] = y[1];
  d[1] = -y[0];
};

describe("integrateDopri5: accuracy against closed forms", () => {
  it("y' = −y to t = 5 at rtol 1e-10: relative error within a small multiple of rtol", () => {
    const r = integrateDopri5(decay, 0, new Float64Array([1]), { tEnd: 5, rtol: 1e-10, atol: 1e-14 });
    expect(r.status).toBe("done");
    expect(r.t).toBe(5);
    const exact = Math.exp(-5);
    // Global error ≈ (number of steps)·(local error ≤ tol): a few times tol here.
    expect(Math.abs(r.y[0] - exact) / exact).toBeLessThan(3e-10); // observed 0.8e-10
    // FSAL: 6 evaluations per attempted step, plus f(t0) and one for the initial-step heuristic.
    expect(r.evaluations).toBe(6 * (r.steps + r.rejections) + 2);
  });

  it("y' = λy with complex λ = −0.5 + 3i (a spiral) to t = 6", () => {
    const a = -0.5;
    const b = 3;
    const r = integrateDopri5(complexLinear(a, b), 0, new Float64Array([1, 0]), { tEnd: 6, rtol: 1e-10, atol: 1e-14 });
    expect(r.status).toBe("done");
    const m = Math.exp(a * 6);
    const err = Math.hypot(r.y[0] - m * Math.cos(b * 6), r.y[1] - m * Math.sin(b * 6));
    expect(err / m).toBeLessThan(1e-9); // observed 2e-10
  });

  it("harmonic oscillator y'' = −y over 20 periods' worth of time (t = 20)", () => {
    const r = integrateDopri5(oscillator, 0, new Float64Array([1, 0]), { tEnd: 20, rtol: 1e-10, atol: 1e-12 });
    expect(r.status).toBe("done");
    expect(Math.abs(r.y[0] - Math.cos(20))).toBeLessThan(1e-9); // observed 0.8e-10
    expect(Math.abs(r.y[1] + Math.sin(20))).toBeLessThan(1e-9); // observed 1.6e-10
  });

  it("error scales with the tolerance (tolerance proportionality, 5th-order method)", () => {
    const errs = [1e-6, 1e-8, 1e-10].map((tol) => {
      const r = integrateDopri5(oscillator, 0, new Float64Array([1, 0]), { tEnd: 10, rtol: tol, atol: tol });
      return Math.hypot(r.y[0] - Math.cos(10), r.y[1] + Math.sin(10));
    });
    // Each factor 100 in tol shrinks the error by ≈ 100 (observed 101, 100): error ∝ tol.
    expect(errs[0] / errs[1]).toBeGreaterThan(50);
    expect(errs[1] / errs[2]).toBeGreaterThan(50);
    expect(errs[2]).toBeLessThan(10 * 1e-10);
  });

  it("integrates backward in time", () => {
    const r = integrateDopri5(decay, 2, new Float64Array([Math.exp(-2)]), { tEnd: 0, rtol: 1e-10, atol: 1e-14 });
    expect(r.status).toBe("done");
    expect(r.t).toBe(0);
    expect(Math.abs(r.y[0] - 1)).toBeLessThan(1e-9);
  });

  it("accepts per-component tolerances and a reusable workspace; y0 is not modified", () => {
    const ws = createDopri5Workspace(2);
    const y0 = new Float64Array([1, 0]);
    const opts = { tEnd: 3, rtol: new Float64Array([1e-10, 1e-10]), atol: new Float64Array([1e-12, 1e-12]), workspace: ws };
    const r1 = integrateDopri5(oscillator, 0, y0, opts);
    const r2 = integrateDopri5(oscillator, 0, y0, opts);
    expect(Array.from(y0)).toEqual([1, 0]);
    expect(Array.from(r2.y)).toEqual(Array.from(r1.y));
    expect(Math.abs(r1.y[0] - Math.cos(3))).toBeLessThan(1e-9);
  });

  it("respects hMax", () => {
    let maxH = 0;
    integrateDopri5(decay, 0, new Float64Array([1]), {
      tEnd: 10, hMax: 0.05, onStep: (s) => {
        maxH = Math.max(maxH, Math.abs(s.h));
      },
    });
    expect(maxH).toBeLessThanOrEqual(0.05 + 1e-15);
  });
});

describe("integrateDopri5: dense output", () => {
  it("the continuous extension matches the closed form between steps (oscillator)", () => {
    const tol = 1e-10;
    const out = new Float64Array(2);
    let worst = 0;
    let count = 0;
    const r = integrateDopri5(oscillator, 0, new Float64Array([1, 0]), {
      tEnd: 10, rtol: tol, atol: tol,
      onStep: (s) => {
        if (s.step === 0) return;
        for (const th of [0.1, 0.25, 0.5, 0.75, 0.9]) {
          const tt = s.tPrev + th * (s.t - s.tPrev);
          s.interpolate(tt, out);
          worst = Math.max(worst, Math.hypot(out[0] - Math.cos(tt), out[1] + Math.sin(tt)));
          count++;
        }
        // The extension interpolates the step's end points.
        s.interpolate(s.t, out);
        expect(out[0]).toBeCloseTo(s.y[0], 14);
      },
    });
    expect(r.status).toBe("done");
    expect(count).toBeGreaterThan(50);
    // Global error (≈ 3e-10 at t = 10) plus the interpolation error of the 4th-order extension,
    // of the order of the local tolerance: observed worst 3.0e-10.
    expect(worst).toBeLessThan(10 * tol);
  });
});

describe("integrateDopri5: events", () => {
  it("y' = −y crosses 0.5 at t = ln 2 (terminal, direction −1), located to 1e-10", () => {
    const r = integrateDopri5(decay, 0, new Float64Array([1]), {
      tEnd: 5, rtol: 1e-10, atol: 1e-14,
      events: [{ name: "half", g: (_t, y) => y[0] - 0.5, direction: -1, terminal: true }],
    });
    expect(r.status).toBe("event");
    expect(r.events).toHaveLength(1);
    expect(r.events[0].name).toBe("half");
    expect(r.events[0].direction).toBe(-1);
    expect(Math.abs(r.t - Math.LN2)).toBeLessThan(1e-10);
    expect(Math.abs(r.y[0] - 0.5)).toBeLessThan(1e-10);
    expect(r.events[0].bracket).toBeLessThan(1e-12);
  });

  it("a direction filter ignores crossings the other way", () => {
    const r = integrateDopri5(decay, 0, new Float64Array([1]), {
      tEnd: 2, events: [{ g: (_t, y) => y[0] - 0.5, direction: 1, terminal: true }],
    });
    expect(r.status).toBe("done");
    expect(r.events).toHaveLength(0);
  });

  it("non-terminal events record every zero of x = cos t in order; a terminal one stops", () => {
    const r = integrateDopri5(oscillator, 0, new Float64Array([1, 0]), {
      tEnd: 20, rtol: 1e-10, atol: 1e-12,
      events: [
        { name: "x0", g: (_t, y) => y[0] },
        { name: "late", g: (t) => t - 12, direction: 1, terminal: true },
      ],
    });
    expect(r.status).toBe("event");
    expect(Math.abs(r.t - 12)).toBeLessThan(1e-12);
    const zeros = r.events.filter((e) => e.name === "x0");
    // Zeros of cos below 12: π/2 + kπ, k = 0…3.
    expect(zeros.map((e) => e.direction)).toEqual([-1, 1, -1, 1]);
    zeros.forEach((e, k) => expect(Math.abs(e.t - (Math.PI / 2 + k * Math.PI))).toBeLessThan(1e-9));
    expect(r.events[r.events.length - 1].name).toBe("late");
  });

  it("illinois locates a root to machine precision", () => {
    const out = { t: 0, width: 0 };
    let calls = 0;
    const phi = (x: number) => {
      calls++;
      return Math.cos(x) - x;
    };
    illinois(phi, 0, phi(0), 1, phi(1), 0, out);
    expect(Math.abs(out.t - 0.7390851332151607)).toBeLessThan(1e-15);
    expect(calls).toBeLessThan(20);
  });
});

describe("integrateDopri5: stalls and caps", () => {
  // y' = −sign(y): reaches 0 at t = 1, then the (Filippov) solution slides on y = 0 while the
  // integrator chatters across the discontinuity — a stand-in for a ReLU kink.
  const sign: VectorField = (_t, y, d) => {
    d[0] = y[0] > 0 ? -1 : y[0] < 0 ? 1 : 0;
  };

  it("the rejection cap stops a discontinuous field with 'stalled' and says where and why", () => {
    const r = integrateDopri5(sign, 0, new Float64Array([1]), { tEnd: 3, rtol: 1e-8, atol: 1e-12, maxRejections: 30 });
    expect(r.status).toBe("stalled");
    expect(r.stall).not.toBeNull();
    expect(r.stall!.cause).toBe("totalRejections");
    expect(r.stall!.rejections).toBe(30);
    expect(Math.abs(r.stall!.t - 1)).toBeLessThan(1e-6);
    expect(r.stall!.yNorm).toBeLessThan(1e-6);
    expect(r.stall!.errorRatio).toBeGreaterThan(1);
    expect(r.reason).toMatch(/ReLU kink/);
    expect(r.reason).toMatch(/t = 1/);
  });

  it("with a pure relative tolerance the step collapses: 'stalled' on the step-size floor", () => {
    const r = integrateDopri5(sign, 0, new Float64Array([1]), { tEnd: 3, rtol: 1e-8, atol: 0 });
    expect(r.status).toBe("stalled");
    expect(["stepSize", "consecutiveRejections"]).toContain(r.stall!.cause);
    expect(Math.abs(r.t - 1)).toBeLessThan(1e-6);
    expect(r.reason).toMatch(/non-smooth/);
  });

  it("default settings: accepted micro-steps are caught by the stagnation guard, not by maxSteps", () => {
    const r = integrateDopri5(sign, 0, new Float64Array([1]), { tEnd: 3, rtol: 1e-8, atol: 1e-12 });
    expect(r.status).toBe("stalled");
    expect(r.stall!.cause).toBe("stagnation");
    expect(r.steps).toBeLessThan(5000);
    expect(r.reason).toMatch(/ReLU kink/);
  });

  it("a vector field that turns NaN stalls with cause nonFinite", () => {
    const f: VectorField = (t, y, d) => {
      d[0] = t > 1 ? NaN : -y[0];
    };
    const r = integrateDopri5(f, 0, new Float64Array([1]), { tEnd: 3 });
    expect(r.status).toBe("stalled");
    expect(r.stall!.cause).toBe("nonFinite");
    expect(r.t).toBeLessThanOrEqual(1);
    expect(Number.isFinite(r.y[0])).toBe(true);
  });

  it("maxSteps caps the attempted steps; onStep can stop", () => {
    const a = integrateDopri5(oscillator, 0, new Float64Array([1, 0]), { tEnd: 1000, maxSteps: 10 });
    expect(a.status).toBe("maxSteps");
    expect(a.steps + a.rejections).toBe(10);
    const b = integrateDopri5(oscillator, 0, new Float64Array([1, 0]), { tEnd: 1000, onStep: (s) => s.t > 3 });
    expect(b.status).toBe("stopped");
    expect(b.t).toBeGreaterThan(3);
  });
});

describe("integrateRk4", () => {
  it("global error scales as h⁴ (regression slope in 3.8–4.2)", () => {
    const hs: number[] = [];
    const errs: number[] = [];
    for (const steps of [10, 20, 40, 80, 160]) {
      const r = integrateRk4(oscillator, 0, new Float64Array([1, 0]), { tEnd: 2, steps });
      hs.push(2 / steps);
      errs.push(Math.hypot(r.y[0] - Math.cos(2), r.y[1] + Math.sin(2)));
    }
    const xs = hs.map(Math.log);
    const ys = errs.map(Math.log);
    const mx = xs.reduce((a, b) => a + b) / xs.length;
    const my = ys.reduce((a, b) => a + b) / ys.length;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < xs.length; i++) {
      sxy += (xs[i] - mx) * (ys[i] - my);
      sxx += (xs[i] - mx) ** 2;
    }
    const slope = sxy / sxx;
    expect(slope).toBeGreaterThan(3.8);
    expect(slope).toBeLessThan(4.2);
  });

  it("lands exactly on tEnd with a shortened last step, and counts evaluations", () => {
    const r = integrateRk4(decay, 0, new Float64Array([1]), { h: 0.3, tEnd: 1 });
    expect(r.status).toBe("done");
    expect(r.t).toBe(1);
    expect(r.steps).toBe(4);
    expect(r.evaluations).toBe(16);
    expect(Math.abs(r.y[0] - Math.exp(-1))).toBeLessThan(1e-4);
  });
});
