// What the commands that inspect a network and write a run folder (inspect, slice) share: the
// model/data/loss inputs with their checks, and the run folder itself — created with an
// INCOMPLETE marker, filled, closed by run.json (wall clock, environment) and marked complete,
// or marked with the error — and its figures (figures/NAME.svg, .png, .vl.json, as
// experiments/outputs.ts writes them for experiment runs).
import { join } from "node:path";
import { writeFileAtomic } from "../../common/atomic.js";
import { stamped, stampedFigure } from "../../common/format.js";
import { InputError } from "../../common/errors.js";
import type { Dataset } from "../../data/index.js";
import { currentEnvironment, type Environment } from "../../experiments/environment.js";
import { runJsonReplacer } from "../../experiments/json.js";
import { createRunFolder, FIGURES_DIR, markComplete, markIncomplete, timeStamp } from "../../experiments/runFolder.js";
import { describeArchitecture, LOSS_NAMES, twoLayerArchitecture, twoLayerParts, type LossName, type Model } from "../../model/index.js";
import { renderFigure, type FigureSpec } from "../../report/index.js";
import { loadModelArg, resolveDataset } from "../io.js";
import { checkModelAgainstData } from "./eval.js";

/** Indented JSON with a trailing newline (run-folder convention: non-finite numbers as strings). */
export function runJson(v: unknown): string {
  return `${JSON.stringify(v, runJsonReplacer, 2)}\n`;
}

/** A finite number ≥ 0 (> 0 when `positive`) from an option, or the fallback when absent. */
export function nonNegativeOption(option: string, raw: string | undefined, fallback: number, positive = false): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v) || v < 0 || (positive && v === 0)) {
    throw new InputError(option, `expected a finite number ${positive ? "> 0" : "≥ 0"}, got ${JSON.stringify(raw)}`);
  }
  return v;
}

/** The loss asked for, or the detected one: logistic for ±1 targets, square otherwise. */
export function lossFor(raw: string | undefined, ds: Dataset): LossName {
  if (raw === undefined) return ds.Y.data.every((v) => v === 1 || v === -1) ? "logistic" : "square";
  if (!(LOSS_NAMES as readonly string[]).includes(raw)) throw new InputError("--loss", `unknown loss ${JSON.stringify(raw)}; allowed: ${LOSS_NAMES.join(", ")}`);
  return raw as LossName;
}

/** --bias: a bias-free two-layer model gets zero input biases (same function). */
export function withZeroBias(model: Model, source: string): Model {
  const arch = model.arch;
  if (arch.kind !== "two-layer") throw new InputError("--bias", `applies to two-layer networks; ${source} is a ${describeArchitecture(arch)} network (bias-free by definition)`);
  if (arch.inputBias) return model;
  const wide = twoLayerArchitecture({ d: arch.d, m: arch.m, k: arch.k, activation: arch.activation, inputBias: true, outputBias: arch.outputBias });
  const theta = new Float64Array(model.theta.length + arch.m);
  const src = twoLayerParts(arch, model.theta);
  const dst = twoLayerParts(wide, theta);
  dst.W.set(src.W);
  dst.a.set(src.a);
  if (src.c && dst.c) dst.c.set(src.c);
  return { arch: wide, theta };
}

/** Options every such command takes. */
export interface NetworkInputOptions {
  model: string;
  data: string;
  loss?: string;
  bias?: boolean;
  beta?: string;
  labelCols?: string;
  /** --arch, --torch-repr, --input-shape (safetensors models) and --x-key, --y-key (.npz data). */
  arch?: string;
  torchRepr?: string;
  inputShape?: string;
  xKey?: string;
  yKey?: string;
}

/** The model (with --bias applied), the data, the loss and β, checked against each other. */
export function networkInputs(o: NetworkInputOptions): { model: Model; ds: Dataset; loss: LossName; beta: number } {
  let model = loadModelArg(o.model, o);
  const ds = resolveDataset(o.data, o);
  const loss = lossFor(o.loss, ds);
  if (o.bias) model = withZeroBias(model, o.model);
  checkModelAgainstData(model, o.model, ds, loss);
  return { model, ds, loss, beta: nonNegativeOption("--beta", o.beta, 0) };
}

/** Write every figure under `dir/figures/`; returns name → {svg, relative PNG path} for the report. */
export async function writeFigureFiles(dir: string, figures: readonly FigureSpec[]): Promise<Map<string, { svg: string; file: string }>> {
  const out = new Map<string, { svg: string; file: string }>();
  for (const f of figures) {
    const { svg, png } = await renderFigure(f.vegaLite);
    const stem = join(dir, FIGURES_DIR, f.name);
    writeFileAtomic(`${stem}.vl.json`, runJson(stampedFigure(f.vegaLite)));
    writeFileAtomic(`${stem}.svg`, svg);
    writeFileAtomic(`${stem}.png`, png);
    out.set(f.name, { svg, file: `${FIGURES_DIR}/${f.name}.png` });
  }
  return out;
}

/**
 * Create `parent/<command>-<stamp>-<hash>`, let `fill` write the files, then run.json and mark
 * the folder complete; on an error the INCOMPLETE marker says why and the error propagates.
 */
export async function writeRunFolder(
  parent: string, command: string, hash: string, started: Date, fill: (dir: string, environment: Environment) => Promise<void>,
): Promise<string> {
  const dir = createRunFolder(parent, `${command}-${timeStamp(started)}-${hash}`);
  try {
    const environment = currentEnvironment();
    await fill(dir, environment);
    writeFileAtomic(join(dir, "run.json"), runJson(stamped("run", { started: started.toISOString(), finished: new Date().toISOString(), elapsedMs: Date.now() - started.getTime(), environment })));
    markComplete(dir);
  } catch (err) {
    markIncomplete(dir, `failed: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
  return dir;
}
