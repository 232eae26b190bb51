import { join } from "node:path";
import { writeFileAtomic } from "../common/atomic.js";
import { stampedFigure } from "../common/format.js";
import { renderFigure, renderReportHtml, type FigureSpec, type ReportSection } from "../report/index.js";
import type { Environment } from "./environment.js";
import { toJsonText } from "./json.js";
import { FIGURES_DIR, REPORT_FILE } from "./runFolder.js";
import type { ExperimentDefinition, ExperimentResult, RunSpec } from "./types.js";

/**
 * The rendered outputs of a run: its figures (SVG, PNG and the Vega-Lite spec under figures/)
 * and report.html. Called at the end of `splitscape run` and again by `splitscape report`,
 * always from (spec, result), so both give identical figures.
 */

const FIGURE_NAME = /^[A-Za-z0-9_-]+$/;

/** Check figure names: file-safe and unique within a run. */
function checkFigureNames(kind: string, figures: readonly FigureSpec[]): void {
  const seen = new Set<string>();
  for (const f of figures) {
    if (!FIGURE_NAME.test(f.name)) throw new Error(`${kind}: figure name ${JSON.stringify(f.name)} must match ${FIGURE_NAME}`);
    if (seen.has(f.name)) throw new Error(`${kind}: two figures are named ${f.name}`);
    seen.add(f.name);
  }
}

/** Render the figures of a result into `dir/figures/` and return the report section of the run. */
export async function writeFigures(dir: string, def: ExperimentDefinition, spec: RunSpec, result: ExperimentResult, linkPrefix = ""): Promise<ReportSection> {
  const figures = def.figures(result, spec);
  checkFigureNames(def.kind, figures);
  const shown: ReportSection["figures"] = [];
  for (const f of figures) {
    const { svg, png } = await renderFigure(f.vegaLite);
    const stem = join(dir, FIGURES_DIR, f.name);
    writeFileAtomic(`${stem}.vl.json`, toJsonText(stampedFigure(f.vegaLite)));
    writeFileAtomic(`${stem}.svg`, svg);
    writeFileAtomic(`${stem}.png`, png);
    shown.push({ title: f.title, svg, file: `${linkPrefix}${FIGURES_DIR}/${f.name}.png`, ...(f.caption ? { caption: f.caption } : {}) });
  }
  return {
    heading: spec.title ?? def.title,
    subtitle: `${def.kind} · family ${def.family} · seed ${spec.seed}`,
    status: "ok",
    verdicts: result.verdicts,
    summary: result.summary,
    figures: shown,
    spec,
  };
}

/** Write report.html for a single run. */
export function writeRunReport(dir: string, section: ReportSection, environment: Environment, note?: string): void {
  const html = renderReportHtml({
    title: section.heading,
    subtitle: [section.subtitle, note].filter(Boolean).join(" · "),
    sections: [{ ...section, heading: "Results" }],
    environment,
  });
  writeFileAtomic(join(dir, REPORT_FILE), html);
}
