import { z } from "zod";
import { makeBuiltin } from "../../data/index.js";
import { makeObjective, twoLayerArchitecture, twoLayerParts } from "../../model/index.js";
import { angularScan, escapeTime, ncfKktPoints, ncfProblem, reducedKktDirections, smallInitTrajectory } from "../../ncf/index.js";
import { unitSphere } from "../../random/index.js";
import { atMost, circleDirections, linePlot, type FigureSpec } from "../../report/index.js";
import { registerExperiment } from "../registry.js";
import type { ExperimentResult, RunContext, RunSpec, SummaryOfRun } from "../types.js";
import { log10DeltaField, slopeField, sinDataFields, widthField } from "./base.js";

const { n, dataSeed } = sinDataFields(20, 2, 3);
const circleSchema = z.strictObject({
  n,
  width: widthField(8, 64),
  slope: slopeField(0.1, 0.99),
  dataSeed,
  log10Delta: log10DeltaField(-20),
});
type CircleParams = z.infer<typeof circleSchema>;

/**
 * `ncf-circle` (family "ncf"): d = 2, sin data. Neuron angles atan2(w_j2, w_j1) along the
 * small-initialisation flow until shortly after the escape, with the reduced KKT directions
 * (angles of the maximisers of ±f(ŵ) = ±Σ y_i σ(ŵᵀx_i)) marked, and the directions at escape
 * on the circle with the NCF profile |f(θ)| drawn around it. Checks: the exact angular scan
 * agrees with the KKT search, and at escape every neuron with non-negligible mass points within
 * 0.05 rad of a reduced KKT direction of its sign. The run's seed draws w₀ and the search starts
 * (the tour runs seed 3).
 */
async function runCircle(spec: RunSpec<CircleParams>, ctx: RunContext) {
  const P = spec.params;
  const ds = makeBuiltin(`builtin:sin?n=${P.n}&d=2&seed=${P.dataSeed}`);
  const arch = twoLayerArchitecture({ d: 2, m: P.width, activation: { name: "leaky_relu", slope: P.slope } });
  const prob = ncfProblem(arch, ds);
  const scan = angularScan(prob);
  const dirs = reducedKktDirections(prob, { starts: 16, rng: ctx.rng("reduced") }).filter((r) => r.f > 0);
  const kkt = ncfKktPoints(prob, { starts: 8, rng: ctx.rng("kkt") });
  const w0 = unitSphere(ctx.rng("w0"), prob.p);
  const obj = makeObjective(arch, ds, "square");
  const pred = escapeTime({ ncfStar: scan.ncfStar, L: 2, logDelta: P.log10Delta * Math.LN10 });
  const angles: Array<Record<string, number | string>> = [];
  let escapeU: Float64Array | null = null;
  let escapeLogNorm = NaN;
  const prevAngle = new Float64Array(arch.m).fill(NaN);
  smallInitTrajectory(obj, w0, { logDelta: P.log10Delta * Math.LN10, tMax: pred.t * 1.05, every: 20 }, (pt) => {
    const { W, a } = twoLayerParts(arch, pt.u);
    for (let j = 0; j < arch.m; j++) {
      const mass = Math.hypot(W[2 * j], W[2 * j + 1], a[j]);
      // unwrapped angle: continuous in t (no jump of 2π at ±π)
      let angle = Math.atan2(W[2 * j + 1], W[2 * j]);
      if (!Number.isNaN(prevAngle[j])) angle += 2 * Math.PI * Math.round((prevAngle[j] - angle) / (2 * Math.PI));
      prevAngle[j] = angle;
      angles.push({ t: pt.t, angle, neuron: `neuron ${j}`, log10Mass: (pt.logNorm + Math.log(mass)) / Math.LN10 });
    }
    if (pt.logNorm <= Math.log(1e-2) || escapeU === null) {
      escapeU = Float64Array.from(pt.u);
      escapeLogNorm = pt.logNorm;
    }
  });
  const uEsc = escapeU ?? w0;
  const { W, a } = twoLayerParts(arch, uEsc);
  let worst = 0;
  let maxMass = 0;
  for (let j = 0; j < arch.m; j++) maxMass = Math.max(maxMass, Math.hypot(W[2 * j], W[2 * j + 1], a[j]));
  for (let j = 0; j < arch.m; j++) {
    if (Math.hypot(W[2 * j], W[2 * j + 1], a[j]) < 0.1 * maxMass) continue;
    const th = Math.atan2(W[2 * j + 1], W[2 * j]);
    const sign = a[j] >= 0 ? 1 : -1;
    let best = Infinity;
    for (const r of dirs) {
      if (r.sign !== sign) continue;
      const diff = Math.abs(Math.atan2(Math.sin(th - Math.atan2(r.w[1], r.w[0])), Math.cos(th - Math.atan2(r.w[1], r.w[0]))));
      best = Math.min(best, diff);
    }
    worst = Math.max(worst, best);
  }
  const fMax = Math.max(...scan.profile.map((q) => Math.abs(q.f)));
  const profile = scan.profile.map((q, k) => ({ k, x: (1 + 0.35 * Math.abs(q.f) / fMax) * Math.cos(q.angle), y: (1 + 0.35 * Math.abs(q.f) / fMax) * Math.sin(q.angle), sign: q.f >= 0 ? "f > 0" : "f < 0" }));
  // KKT angles, with their copies shifted by ±2π that fall inside the range of the unwrapped angles
  const aMin = Math.min(...angles.map((r) => Number(r.angle))) - 0.2;
  const aMax = Math.max(...angles.map((r) => Number(r.angle))) + 0.2;
  const kktAngles = dirs.flatMap((r) => [-2 * Math.PI, 0, 2 * Math.PI]
    .map((shift) => ({ angle: Math.atan2(r.w[1], r.w[0]) + shift, label: `KKT ${r.sign > 0 ? "+" : "−"} (value ${r.value.toFixed(3)})` }))
    .filter((q) => q.angle >= aMin && q.angle <= aMax));
  return {
    summary: { ncfStar: scan.ncfStar, kktBest: kkt.best, reducedDirections: dirs.length, escapeLogNorm, worstAngle: worst },
    verdicts: [
      atMost("d = 2: exact angular scan agrees with the KKT search's best value (relative)", Math.abs(scan.ncfStar - kkt.best) / scan.ncfStar, 1e-10),
      atMost("at escape, every neuron of ≥ 10% of the largest mass points at a reduced KKT direction of its sign (rad)", worst, 0.05),
    ],
    series: { angles, profile, kktAngles },
    extra: { W: Array.from(W), a: Array.from(a), kkt: dirs.map((r) => [r.w[0], r.w[1]]) },
  };
}

function circleFigures(result: ExperimentResult<NcfCircleSummary>): FigureSpec[] {
  const extra = result.extra as { W: number[]; a: number[]; kkt: number[][] };
  const circle = circleDirections({
    neurons: extra.a.map((a, j) => ({ w1: extra.W[2 * j], w2: extra.W[2 * j + 1], a, label: `neuron ${j}` })),
    references: extra.kkt.map(([x1, x2]) => ({ x1, x2 })),
  }) as { layer: unknown[] } & Record<string, unknown>;
  const ncfLayer = {
    data: { values: result.series.profile ?? [] },
    mark: { type: "line", strokeWidth: 1, color: "#2ca02c" },
    encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" }, order: { field: "k", type: "quantitative" } },
  };
  const anglePlot = linePlot({ data: result.series.angles ?? [], x: "t", y: "angle", series: "neuron", xTitle: "t", yTitle: "angle of w_j (rad)", points: false }) as Record<string, unknown>;
  const { data, mark, encoding, ...rest } = anglePlot as { data: unknown; mark: unknown; encoding: unknown };
  return [
    {
      name: "directions",
      title: "Neuron directions at escape on the circle, NCF |f(θ)| drawn around it (green), reduced KKT directions (grey ticks)",
      vegaLite: { ...circle, layer: [ncfLayer, ...circle.layer] },
    },
    {
      name: "angles",
      title: "Neuron angles during the small-initialisation phase; dashed: reduced KKT directions",
      vegaLite: {
        ...rest,
        layer: [
          { data, mark, encoding },
          { data: { values: result.series.kktAngles ?? [] }, mark: { type: "rule", strokeDash: [4, 3], color: "#555555" }, encoding: { y: { field: "angle", type: "quantitative" } } },
        ],
      },
    },
  ];
}

/** The summary of a runCircle result (src/experiments/summaries.ts). */
export type NcfCircleSummary = SummaryOfRun<typeof runCircle>;

registerExperiment<CircleParams, NcfCircleSummary>({
  kind: "ncf-circle",
  family: "ncf",
  title: "2-D inputs: neuron directions on the circle with the NCF underneath",
  description: "d = 2: neurons of the small-initialisation flow rotate to reduced KKT directions of the NCF before they grow; the exact angular scan confirms the KKT search.",
  schema: circleSchema,
  run: runCircle,
  figures: circleFigures,
  headline: { seed: 3 },
});

