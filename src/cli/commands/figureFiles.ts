// Figures of a run folder written by a command (inspect, slice): for each FigureSpec,
// figures/NAME.svg, NAME.png and NAME.vl.json (the Vega-Lite spec), as experiments/outputs.ts
// does for experiment runs.
import { join } from "node:path";
import { writeFileAtomic } from "../../common/atomic.js";
import { FIGURES_DIR, runJsonReplacer } from "../../experiments/index.js";
import { renderFigure, type FigureSpec } from "../../report/index.js";

/** Write every figure under `dir/figures/`; returns name → {svg, relative PNG path} for the report. */
export async function writeFigureFiles(dir: string, figures: readonly FigureSpec[]): Promise<Map<string, { svg: string; file: string }>> {
  const out = new Map<string, { svg: string; file: string }>();
  for (const f of figures) {
    const { svg, png } = await renderFigure(f.vegaLite);
    const stem = join(dir, FIGURES_DIR, f.name);
    writeFileAtomic(`${stem}.vl.json`, `${JSON.stringify(f.vegaLite, runJsonReplacer, 2)}\n`);
    writeFileAtomic(`${stem}.svg`, svg);
    writeFileAtomic(`${stem}.png`, png);
    out.set(f.name, { svg, file: `${FIGURES_DIR}/${f.name}.png` });
  }
  return out;
}
