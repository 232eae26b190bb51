/**
 * The inspect report as figures (Vega-Lite specs, report/figures.ts builders), a terminal verdict
 * table and a report document for report/html.ts. Pure functions of an InspectReport; rendering
 * the specs to SVG/PNG and writing files is the caller's job (the CLI, or the lab in a browser).
 */
import type { FigureSpec, ReportDocument, ReportFigure, ReportSection, Row, VegaLiteSpec } from "../report/index.js";
import { formatTable, scatterPlot, spectrumPlot } from "../report/index.js";
import { SECTION_TITLES, type InspectReport } from "./inspect.js";

/** Deviations of exact duplicates (0) are drawn at this value on the log axis. */
const LOG_FLOOR = 1e-18;

type SectionKey = keyof typeof SECTION_TITLES;

/** A figure and the section it belongs to. */
export interface InspectFigure {
  readonly section: SectionKey;
  readonly figure: FigureSpec;
}

/** A single-view spec with a horizontal rule at y added as a second layer. */
function withRule(spec: VegaLiteSpec, y: number): VegaLiteSpec {
  const { data, mark, encoding, ...rest } = spec;
  const yEnc = (encoding as Record<string, unknown>).y;
  return {
    ...rest,
    layer: [
      { data, mark, encoding },
      { data: { values: [{ y }] }, mark: { type: "rule", color: "#b00020", strokeDash: [4, 3] }, encoding: { y: { ...(yEnc as object), field: "y" } } },
    ],
  };
}

/**
 * Every figure the report can draw for this network, as the sections found them (each tagged
 * with its section): the spectrum of ∇²F, how close each unit is to another, the normalised
 * margins, the convex per-neuron dual numbers and the inner Hessians of the merged units.
 *
 * @param r - an inspect report (inspectNetwork)
 * @returns the figures, each {section, figure: FigureSpec}; render them with renderFigure
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, inspectFigures, inspectNetwork, renderSvg } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * for (const { section, figure } of inspectFigures(inspectNetwork(net, data, { loss: "logistic" }))) {
 *   console.log(section, figure.name, (await renderSvg(figure.vegaLite)).length);
 * }
 * ```
 */
export function inspectFigures(r: InspectReport): InspectFigure[] {
  const out: InspectFigure[] = [];
  const ev = r.stationarity.curvature.eigenvalues;
  if (ev !== null) {
    out.push({
      section: "stationarity",
      figure: {
        name: "hessian-spectrum", title: "Spectrum of ∇²F",
        caption: `All ${ev.length} eigenvalues, ascending; |λ| ≤ ${r.stationarity.curvature.threshold.toExponential(2)} counts as zero.`,
        vegaLite: spectrumPlot({ spectra: [{ name: "∇²F", values: ev }] }),
      },
    });
  }
  const red = r.redundancy;
  if (red.applies && red.nearest !== null) {
    const rows: Row[] = Array.from(red.nearest, (v, j) => ({ unit: j, deviation: Math.max(v, LOG_FLOOR) }));
    const yTitle = red.criterion === "identical" ? "relative distance to the nearest unit" : "angle to the nearest unit (rad)";
    const scatter = scatterPlot({ data: rows, x: "unit", y: "deviation", logY: true, xTitle: "unit", yTitle });
    out.push({
      section: "redundancy",
      figure: {
        name: "nearest-units", title: "How close each unit is to another (layer 1)",
        caption: `For each unit, the ${red.criterion === "identical" ? "relative distance" : "angle"} of its incoming weights to the nearest other unit; the line is the merge tolerance ${red.angleTol} (exact copies drawn at ${LOG_FLOOR}).`,
        vegaLite: withRule(scatter, red.angleTol),
      },
    });
  }
  const mg = r.margin;
  if (mg.applies && mg.sortedMargins !== null) {
    const rows: Row[] = Array.from(mg.sortedMargins, (q, i) => ({ rank: i, margin: q, role: (mg.sortedMultipliers?.[i] ?? 0) > 0 ? "support (λ > 0)" : "other" }));
    out.push({
      section: "margin",
      figure: {
        name: "margins", title: "Normalised margins q̂_k = q_k / q_min",
        caption: "Sorted ascending; the support of the KKT multipliers should sit at q̂ = 1.",
        vegaLite: scatterPlot({ data: rows, x: "rank", y: "margin", label: "role", logY: true, xTitle: "constraint (sorted)", yTitle: "q̂" }),
      },
    });
  }
  const cv = r.convex;
  if (cv.applies) {
    const rows: Row[] = cv.neurons.filter((nr) => nr.pattern >= 0).map((nr) => ({ neuron: nr.index, value: nr.ownCone, quantity: "own-cone ‖Π_K(σXᵀDν)‖/β" }));
    cv.neurons.filter((nr) => nr.pattern >= 0).forEach((nr) => rows.push({ neuron: nr.index, value: 1 + nr.stationarityResidual, quantity: "σνᵀ(Xw̄)_+/β" }));
    if (rows.length > 0) {
      out.push({
        section: "convex",
        figure: {
          name: "convex-neurons", title: "Per-neuron dual numbers",
          caption: "At a stationary point both are 1 for every active neuron (the dual constraint is tight on its own cone).",
          vegaLite: scatterPlot({ data: rows, x: "neuron", y: "value", label: "quantity", xTitle: "neuron", yTitle: "ratio to β" }),
        },
      });
    }
  }
  const pl = r.plateau;
  if (pl.applies) {
    out.push({
      section: "plateau",
      figure: {
        name: "inner-hessians", title: "Inner Hessians H_j of the merged units",
        caption: "Eigenvalues of H_j per split group: their signs and λ decide the class of the split point.",
        vegaLite: spectrumPlot({ spectra: pl.groups.map((g) => ({ name: `unit ${g.unit}`, values: g.innerEigenvalues })) }),
      },
    });
  }
  return out;
}

/**
 * The verdict table for the terminal: section, verdict, measured, tolerance (formatTable).
 *
 * @param r - an inspect report (inspectNetwork)
 * @returns the table as text lines
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, formatInspectTable, inspectNetwork } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * console.log(formatInspectTable(inspectNetwork(net, data, { loss: "square", mean: true })));
 * ```
 */
export function formatInspectTable(r: InspectReport): string {
  return formatTable(["section", "verdict", "measured", "tolerance"], r.summary.map((s) => [s.section, s.verdict, s.measure, s.tolerance]), 400);
}

function summaryNumbers(r: InspectReport, key: SectionKey): Record<string, number | string | boolean> {
  switch (key) {
    case "stationarity": {
      const s = r.stationarity;
      return {
        "F (objective)": s.objective, "loss": s.loss, "penalty (β/2)‖θ‖²": s.penalty, "‖∇F‖": s.gradientNorm, "gradient scale": s.gradientScale,
        "‖∇F‖/scale": s.relativeGradient, "λ_min": s.curvature.minEigenvalue, "λ_max": s.curvature.maxEigenvalue, "eigen method": s.curvature.method,
        ...(s.curvature.inertia ? { "inertia (n₊, n₋, n₀)": `(${s.curvature.inertia.positive}, ${s.curvature.inertia.negative}, ${s.curvature.inertia.zero})` } : {}),
        "size limit": s.limit,
      };
    }
    case "redundancy": {
      const s = r.redundancy;
      if (!s.applies) return {};
      return {
        criterion: s.criterion, "angle tolerance": s.angleTol, width: s.width, "merged width": s.mergedWidth,
        groups: s.groups.map((g) => `layer ${g.layer} unit ${g.unit} ← {${g.members.join(", ")}} (${g.kind}; in ${g.inScale.map((x) => x.toPrecision(4)).join(", ")}; out ${g.outScale.map((x) => x.toPrecision(4)).join(", ")})`).join("; ") || "none",
        dropped: s.removed.map((u) => `layer ${u.layer} unit ${u.unit}: ${u.reason}`).join("; ") || "none",
        "function error (data, relative)": s.functionError.data.relative, "function error (random inputs, relative)": s.functionError.random.relative,
        "‖Tθ̄ − θ‖/‖θ‖": s.reconstruction.relative, "size limit": s.limit,
      };
    }
    case "margin": {
      const s = r.margin;
      if (!s.applies) return {};
      return {
        "q_min": s.margins.qmin, "γ̄ = q_min/‖θ‖^L": s.margins.normalizedMargin, ...(s.margins.smoothedMargin !== null ? { "γ̃ (smoothed)": s.margins.smoothedMargin } : {}),
        ...(s.kkt?.epsilonRelative != null ? { "ε/‖θ̂‖": s.kkt.epsilonRelative, δ: s.kkt.delta ?? NaN, "support size": s.kkt.support.length, "Euler gap": s.kkt.eulerGap ?? NaN } : {}),
        "size limit": s.limit,
      };
    }
    case "convex": {
      const s = r.convex;
      if (!s.applies) return {};
      return {
        "F(θ)": s.objective, "dual bound": s.dualValue, "relative gap": s.relativeGap, patterns: `${s.patterns} (${s.exactPatterns ? "exact" : "sampled"})`,
        ...(s.optimum ? { "certified optimum F*": s.optimum.value, "F* relative gap": s.optimum.relativeGap, "F − F*": s.improvement! } : {}),
        "m*": s.mStar ?? s.mStarNote, "descent neurons": s.descentNeurons.length, reasons: s.reasons.join("; "), "size limit": s.limit,
      };
    }
    case "plateau": {
      const s = r.plateau;
      if (!s.applies) return {};
      const f = (i: { positive: number; negative: number; zero: number }): string => `(${i.positive}, ${i.negative}, ${i.zero})`;
      return {
        "In(H_red)": f(s.reducedInertia), "predicted In(∇²L)": f(s.predictedInertia), ...(s.measuredInertia ? { "measured In(∇²L)": f(s.measuredInertia) } : {}),
        groups: s.groups.map((g) => `unit ${g.unit} ← {${g.members.join(", ")}}, λ = (${g.lambda.map((x) => x.toPrecision(4)).join(", ")}), In(H_j) = ${f(g.innerInertia)}: ${g.cls} (${g.reason})`).join("; "),
        "size limit": s.limit,
      };
    }
  }
}

/**
 * The report document (renderReportHtml renders it): one section per analysis with its verdict,
 * self-checks, numbers and figures; `rendered` maps a figure name to its SVG and file path.
 *
 * @param r - an inspect report (inspectNetwork)
 * @param title - the report's title
 * @param rendered - figure name (FigureSpec.name of inspectFigures) → its SVG and, optionally, the file it was written to; figures missing here are left out
 * @param environment - rows of the environment table (versions, machine, date, …)
 * @returns the document for renderReportHtml
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, inspectDocument, inspectFigures, inspectNetwork, renderReportHtml, renderSvg } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const report = inspectNetwork(net, data, { loss: "logistic" });
 * const rendered = new Map<string, { svg: string }>();
 * for (const f of inspectFigures(report)) rendered.set(f.figure.name, { svg: await renderSvg(f.figure.vegaLite) });
 * writeFileSync("inspect.html", renderReportHtml(inspectDocument(report, "my network", rendered, { node: process.version })));
 * ```
 */
export function inspectDocument(
  r: InspectReport, title: string, rendered: ReadonlyMap<string, { svg: string; file?: string }>, environment: Record<string, string | number>,
): ReportDocument {
  const figures = inspectFigures(r);
  const sections: ReportSection[] = (Object.keys(SECTION_TITLES) as SectionKey[]).map((key) => {
    const s = r[key];
    const heading = SECTION_TITLES[key];
    if (!s.applies) return { heading, status: "not available", message: `does not apply: ${s.reason}`, verdicts: [], figures: [] };
    const figs: ReportFigure[] = figures.filter((f) => f.section === key).flatMap((f) => {
      const got = rendered.get(f.figure.name);
      return got ? [{ title: f.figure.title, caption: f.figure.caption, svg: got.svg, file: got.file }] : [];
    });
    return { heading, subtitle: `${s.verdict}: ${s.reason}`, verdicts: r.checks[key], summary: summaryNumbers(r, key), figures: figs };
  });
  return { title, subtitle: `${r.facts.architecture}, p = ${r.facts.p}, n = ${r.facts.n}, ${r.facts.loss} (${r.facts.convention})${r.facts.beta > 0 ? `, β = ${r.facts.beta}` : ""}`, sections, environment };
}
