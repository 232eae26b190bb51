/**
 * `splitscape train (--model M | --init SPEC) --data D --loss L [--method …] [-o runs/] [--json]`:
 * train a network by gradient flow (DOPRI5, or the rescaled small-initialisation system when
 * ‖θ(0)‖ < 1e-6), RK4, GD, SGD with a seeded batch order, or GD with the loss-based step, and
 * write a run folder:
 *   spec.json       the full settings with defaults filled, the splitscape version
 *   initial.json    θ(0) as a model file        final.json   θ at the end, as a model file
 *   trajectory.json thinned samples (log-spaced in time, loss and norm), column-wise
 *   metrics.jsonl   the same samples, one JSON object per line
 *   result.json     why it stopped, final loss/log-loss/gradient norm, counts, stall report
 *   run.json        wall-clock time and environment (the only non-deterministic file)
 * The folder carries an INCOMPLETE marker until everything is written. Ctrl-C stops the run at
 * its next accepted step: every file is written with what was computed (result.json says
 * `"stop": "interrupted"`), INCOMPLETE stays with the reason, and the exit code is 130.
 */
import { Option, type Command } from "commander";
import cliProgress from "cli-progress";
import { join } from "node:path";
import { InputError, InterruptedError, stamped } from "../../common/index.js";
import { checkMemory, trainingBytes, trainingFormula } from "../../common/limits.js";
import { checkOutputFolder } from "../../common/outputPath.js";
import { writeFileAtomic } from "../../common/atomic.js";
import type { Dataset } from "../../data/index.js";
import type { Progress, StopRules } from "../../dynamics/index.js";
// The method names only (training.ts does not register the experiment kinds, see ../lazy.ts).
import { TRAIN_METHODS, type TrainMethod, type TrainSettings } from "../../experiments/training.js";
// The run folder's plumbing from its modules (none of them registers the experiment kinds either).
import { currentEnvironment } from "../../experiments/environment.js";
import { shortHash } from "../../experiments/hash.js";
import { createRunFolder, markComplete, markIncomplete, timeStamp } from "../../experiments/runFolder.js";
import { trainIsolated, type IsolatedTrainOutcome } from "../../experiments/trainHost.js";
import {
  LOSS_NAMES, convGeometry, describeArchitecture, initializeModel, mlpArchitecture, modelToJson, paramCount, parseActivation,
  twoLayerArchitecture, type Architecture, type LossName, type Model,
} from "../../model/index.js";
import { twoLayerWasmBlockRows } from "../../model/twoLayerWasm.js";
import { VERSION } from "../../version.js";
import { EXIT_TOLERANCE } from "../exitCodes.js";
import { withInterrupt } from "../interrupt.js";
import {
  formatJson, jsonReplacer, labelColsOption, loadModelArg, outFolderOption, parseLabelCols, printJson, printLines, resolveDataset,
} from "../io.js";
import { checkModelAgainstData } from "./eval.js";

/** The defaults of `train`, written once: the help text and the settings both read them. */
export const TRAIN_DEFAULTS = {
  method: "flow" as TrainMethod,
  lr: 0.1,
  h: 0.01,
  rtol: 1e-8,
  atol: 1e-12,
  batch: 16,
  batchSeed: 0,
  /** Stopping rule when neither --time nor --steps is given: flow time for flow/rk4 … */
  flowTime: 100,
  /** … and steps for gd, sgd and loss-based. */
  steps: 10_000,
  samples: 2048,
} as const;

/** Help text with its default appended: `what (default 0.1)`. */
function withDefault(what: string, value: unknown): string {
  return `${what} (default ${String(value)})`;
}

interface TrainCliOptions {
  model?: string;
  init?: string;
  data: string;
  loss: string;
  mean?: boolean;
  method: string;
  lr?: string;
  h?: string;
  rtol?: string;
  atol?: string;
  batch?: string;
  batchSeed?: string;
  time?: string;
  steps?: string;
  lossBelow?: string;
  gradBelow?: string;
  normAbove?: string;
  wall?: string;
  samples?: string;
  labelCols?: string;
  out: string;
  json?: boolean;
}

/** A positive finite number from an option, or undefined when the option is absent. */
function positive(option: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v) || v <= 0) throw new InputError(option, `expected a positive finite number, got ${JSON.stringify(raw)}`);
  return v;
}

function positiveInt(option: string, raw: string | undefined): number | undefined {
  const v = positive(option, raw);
  if (v !== undefined && !Number.isSafeInteger(v)) throw new InputError(option, `expected a positive integer, got ${JSON.stringify(raw)}`);
  return v;
}

/** The keys `--init` accepts, with what each means (shown in errors). */
const INIT_KEYS: Record<string, string> = {
  width: "hidden width m of a two-layer network",
  hidden: "hidden widths of a bias-free MLP, e.g. 3x2",
  activation: "activation name (relu, leaky_relu, tanh, …)",
  slope: "leaky_relu slope",
  power: "relu_power power p",
  scale: "‖θ(0)‖ (small initialisation: θ(0) = scale·w₀, ‖w₀‖ = 1)",
  seed: "seed of the initialisation",
  balanced: "two-layer: |a_j| = ‖w_j‖ (true/false)",
  bias: "two-layer: input biases b (true/false)",
};

/** `key=value` pairs of an --init spec (a bare key means true); unknown keys are an InputError. */
function initPairs(spec: string): Map<string, string> {
  const kv = new Map<string, string>();
  for (const part of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq).trim();
    const value = eq < 0 ? "true" : part.slice(eq + 1).trim();
    if (!(key in INIT_KEYS)) {
      throw new InputError("--init", `unknown key ${JSON.stringify(key)}; allowed: ${Object.entries(INIT_KEYS).map(([n, w]) => `${n} (${w})`).join("; ")}`);
    }
    kv.set(key, value);
  }
  return kv;
}

/**
 * Parse `--init width=20,activation=relu,scale=1e-3,seed=0,balanced` (a bare key means true)
 * into an architecture and initialisation settings. Nothing is allocated here: the caller
 * checks the size (checkTrainingSize) before initializeModel.
 */
export function parseInitSpec(spec: string, d: number, k: number): { arch: Architecture; seed: number; scale?: number; balanced: boolean } {
  const kv = initPairs(spec);
  const bool = (key: string): boolean => {
    const v = kv.get(key);
    if (v === undefined || v === "false") return false;
    if (v === "true") return true;
    throw new InputError("--init", `${key} must be true or false, got ${JSON.stringify(v)}`);
  };
  const num = (key: string): number | undefined => {
    const v = kv.get(key);
    if (v === undefined) return undefined;
    const x = Number(v);
    if (v === "" || !Number.isFinite(x)) throw new InputError("--init", `${key} must be a finite number, got ${JSON.stringify(v)}`);
    return x;
  };
  const actName = kv.get("activation") ?? "relu";
  const activation = parseActivation({ name: actName, slope: num("slope"), power: num("power") }, "--init", "activation");
  const width = num("width");
  const hidden = kv.get("hidden");
  if ((width === undefined) === (hidden === undefined)) throw new InputError("--init", "give exactly one of width=m (two-layer) or hidden=h1xh2x… (bias-free MLP)");
  let arch: Architecture;
  if (width !== undefined) {
    if (!Number.isSafeInteger(width) || width < 1) throw new InputError("--init", `width must be a positive integer, got ${width}`);
    arch = twoLayerArchitecture({ d, m: width, k, activation, inputBias: bool("bias") });
  } else {
    const hs = hidden!.split("x").map((h) => (h.trim() === "" ? NaN : Number(h)));
    if (hs.some((h) => !Number.isSafeInteger(h) || h < 1)) throw new InputError("--init", `hidden must be positive integers joined by x (e.g. 3x2), got ${JSON.stringify(hidden)}`);
    arch = mlpArchitecture([d, ...hs, k], activation);
  }
  const seed = num("seed") ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new InputError("--init", `seed must be a non-negative integer, got ${seed}`);
  const scale = num("scale");
  if (scale !== undefined && !(scale > 0)) throw new InputError("--init", `scale must be positive, got ${scale}`);
  return { arch, seed, scale, balanced: bool("balanced") };
}

/** Hidden units H of an architecture (summed over hidden layers; two-layer: m·k; parallel three-layer: m·m1 + m; conv: every stage's C·H·W). */
function hiddenUnits(arch: Architecture): number {
  if (arch.kind === "conv") return convGeometry(arch).stages.reduce((a, g) => a + g.out.channels * g.out.height * g.out.width, 0);
  if (arch.kind === "parallel-three-layer") return arch.m * arch.m1 + arch.m;
  return arch.kind === "two-layer" ? arch.m * arch.k : arch.widths.slice(1, -1).reduce((a, b) => a + b, 0);
}

/** Samples whose activations are held at once: all n for an MLP, a row block for a two-layer net. */
function heldSamples(arch: Architecture, n: number): number {
  return arch.kind === "two-layer" ? twoLayerWasmBlockRows(n, arch.m) : n;
}

/** InputError (naming the memory limit and how to raise it) unless the training run fits. */
export function checkTrainingSize(arch: Architecture, n: number, samples: number, source: string): void {
  const p = paramCount(arch);
  const H = hiddenUnits(arch);
  const nb = heldSamples(arch, n);
  checkMemory(source, `training ${describeArchitecture(arch)} on ${n} samples`, trainingBytes(p, nb, H, samples), trainingFormula(p, nb, H, samples));
}

/** Default stopping rule when none is given: t = 100 for flows, 10⁴ steps otherwise. */
function stopRules(o: TrainCliOptions, method: TrainMethod): StopRules {
  const stop: StopRules = {};
  const time = positive("--time", o.time);
  const steps = positiveInt("--steps", o.steps);
  if (time !== undefined) stop.maxTime = time;
  if (steps !== undefined) stop.maxSteps = steps;
  const lossBelow = positive("--loss-below", o.lossBelow);
  if (lossBelow !== undefined) stop.lossBelow = lossBelow;
  const gradBelow = positive("--grad-below", o.gradBelow);
  if (gradBelow !== undefined) stop.gradNormBelow = gradBelow;
  const normAbove = positive("--norm-above", o.normAbove);
  if (normAbove !== undefined) stop.normAbove = normAbove;
  const wall = positive("--wall", o.wall);
  if (wall !== undefined) stop.maxWallMs = wall * 1000;
  if (stop.maxTime === undefined && stop.maxSteps === undefined) {
    if (method === "flow" || method === "rk4") stop.maxTime = TRAIN_DEFAULTS.flowTime;
    else stop.maxSteps = TRAIN_DEFAULTS.steps;
  }
  return stop;
}

/** The training settings from the options (defaults from TRAIN_DEFAULTS). */
function trainSettings(o: TrainCliOptions): TrainSettings {
  const method = o.method as TrainMethod;
  const batchSeed = o.batchSeed === undefined ? TRAIN_DEFAULTS.batchSeed : Number(o.batchSeed);
  if (!Number.isSafeInteger(batchSeed) || batchSeed < 0 || o.batchSeed?.trim() === "") {
    throw new InputError("--batch-seed", `expected a non-negative integer, got ${JSON.stringify(o.batchSeed)}`);
  }
  return {
    method,
    loss: o.loss as LossName,
    mean: o.mean ?? false,
    lr: positive("--lr", o.lr) ?? TRAIN_DEFAULTS.lr,
    h: positive("--h", o.h) ?? TRAIN_DEFAULTS.h,
    rtol: positive("--rtol", o.rtol) ?? TRAIN_DEFAULTS.rtol,
    atol: positive("--atol", o.atol) ?? TRAIN_DEFAULTS.atol,
    batchSize: positiveInt("--batch", o.batch) ?? TRAIN_DEFAULTS.batch,
    batchSeed,
    stop: stopRules(o, method),
    maxSamples: positiveInt("--samples", o.samples) ?? TRAIN_DEFAULTS.samples,
  };
}

/** The initial model (--model file or --init spec), size-checked before allocation, and how it was made. */
function initialModel(o: TrainCliOptions, ds: Dataset, samples: number): { model: Model; initRecord: Record<string, unknown> } {
  if ((o.model === undefined) === (o.init === undefined)) throw new InputError("--model/--init", "give exactly one of --model FILE or --init SPEC");
  if (o.model !== undefined) {
    const model = loadModelArg(o.model, o);
    checkTrainingSize(model.arch, ds.X.rows, samples, o.model);
    return { model, initRecord: { model: o.model } };
  }
  const init = parseInitSpec(o.init!, ds.X.cols, ds.Y.cols);
  checkTrainingSize(init.arch, ds.X.rows, samples, "--init");
  const model = initializeModel(init.arch, { seed: init.seed, scale: init.scale, balanced: init.balanced });
  return { model, initRecord: { init: o.init, seed: init.seed, scale: init.scale ?? null, balanced: init.balanced } };
}

/** A terminal progress bar on stderr (only when it is a terminal). */
function progressBar(enabled: boolean): { update: (p: Progress) => void; stop: () => void } {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: "train [{bar}] {percentage}% | step {step} | t {t} | loss {loss}", stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1000, 0, { step: 0, t: "0", loss: "?" });
  return {
    update: (p) => bar.update(Number.isFinite(p.fraction) ? Math.round(1000 * p.fraction) : 0, {
      step: p.step, t: p.t.toPrecision(4), loss: Number.isFinite(p.loss) && p.loss > 0 ? p.loss.toExponential(3) : `e^${p.logLoss.toFixed(1)}`,
    }),
    stop: () => bar.stop(),
  };
}

const toJson = formatJson;

/** The summary printed by --json and (without runFolder) written as result.json. */
function trainSummary(dir: string, outcome: IsolatedTrainOutcome): Record<string, unknown> {
  const r = outcome.result;
  return {
    runFolder: dir,
    integrator: outcome.integrator,
    stop: outcome.interrupted ? "interrupted" : r.stop,
    reason: outcome.interrupted ? `interrupted (SIGINT) after ${r.steps} steps at t = ${r.t}` : r.reason,
    t: r.t,
    logT: r.logT,
    steps: r.steps,
    evaluations: r.evaluations,
    rejections: r.rejections,
    loss: r.loss,
    logLoss: r.logLoss,
    gradientNorm: r.gradNorm,
    norm: Math.exp(r.logNorm),
    homogeneity: outcome.homogeneity,
    tSwitch: outcome.tSwitch ?? null,
    stall: r.stall,
    integration: outcome.integration,
    samples: outcome.trajectory.t.length,
  };
}

/** Write the trajectory, final model, result and run record of a finished (or interrupted) run. */
function writeTrainResults(dir: string, outcome: IsolatedTrainOutcome, summary: Record<string, unknown>, started: Date): void {
  const tr = outcome.trajectory;
  const lines = tr.t.map((_, i) => {
    const rec: Record<string, number> = {
      step: tr.step[i], t: tr.t[i], logT: tr.logT[i], loss: tr.loss[i], logLoss: tr.logLoss[i],
      norm: tr.norm[i], logNorm: tr.logNorm[i], gradNorm: tr.gradNorm[i],
    };
    for (const [name, col] of Object.entries(tr.metrics)) rec[name] = col[i];
    return JSON.stringify(rec, jsonReplacer);
  });
  writeFileAtomic(join(dir, "metrics.jsonl"), lines.length ? `${lines.join("\n")}\n` : "");
  writeFileAtomic(join(dir, "trajectory.json"), toJson(stamped("trajectory", tr)));
  writeFileAtomic(join(dir, "final.json"), toJson(stamped("model", modelToJson(outcome.final))));
  const { runFolder: _omit, ...deterministic } = summary;
  writeFileAtomic(join(dir, "result.json"), toJson(stamped("result", deterministic)));
  writeFileAtomic(join(dir, "run.json"), toJson(stamped("run", {
    started: started.toISOString(), finished: new Date().toISOString(), elapsedMs: outcome.result.elapsedMs, environment: currentEnvironment(),
  })));
}

/** The human summary of a run. */
function formatTrain(model: Model, ds: Dataset, s: TrainSettings, outcome: IsolatedTrainOutcome, summary: Record<string, unknown>, dir: string): string[] {
  const r = outcome.result;
  return [
    `trained ${describeArchitecture(model.arch)} on ${ds.source} (${s.loss}, ${s.mean ? "mean" : "sum"}) by ${outcome.integrator}`,
    `stopped: ${String(summary.stop)} — ${String(summary.reason)}`,
    `t = ${Number.isFinite(r.t) ? r.t.toPrecision(6) : `e^${r.logT.toFixed(3)}`}, steps = ${r.steps}, loss = ${r.loss.toExponential(6)} (log ${r.logLoss.toFixed(6)}), ‖∇ℒ‖ = ${r.gradNorm.toExponential(3)}, ‖θ‖ = ${Math.exp(r.logNorm).toPrecision(6)}`,
    ...(r.sliding && r.sliding.entries > 0
      ? [`kinks: Filippov sliding — ${r.sliding.entries} entries, ${r.sliding.exits} exits, up to ${r.sliding.maxSliding} surfaces at once, sliding for Δt = ${r.sliding.slidingTime.toPrecision(4)}`]
      : []),
    `run folder: ${dir}`,
  ];
}

/**
 * The requested training did not happen when the integrator stalled, hit a non-finite value,
 * or ran into its internal step cap before the requested stopping rule: exit 1.
 */
function missedRequest(outcome: IsolatedTrainOutcome, s: TrainSettings): boolean {
  const stop = outcome.result.stop;
  const unrequestedCap = stop === "maxSteps" && s.stop.maxSteps === undefined;
  return stop === "stalled" || stop === "nonFinite" || unrequestedCap;
}

/** `splitscape train`: validate everything, then train into a new run folder. */
async function runTrain(o: TrainCliOptions): Promise<void> {
  checkOutputFolder(o.out, "-o/--out");
  const ds = resolveDataset(o.data, { ...o, labelCols: parseLabelCols(o.labelCols) });
  const settings = trainSettings(o);
  const { model, initRecord } = initialModel(o, ds, settings.maxSamples);
  checkModelAgainstData(model, o.model ?? "--init", ds, settings.loss);
  const spec = { command: "train", splitscapeVersion: VERSION, data: ds.source, architecture: describeArchitecture(model.arch), ...initRecord, ...settings };
  const started = new Date();
  // SIGINT is heard from before the run folder exists: a Ctrl-C that lands while spec.json and
  // initial.json are written stops the training at step 0 (the pre-aborted signal) instead of
  // killing the process with the folder half written.
  await withInterrupt((signal) => trainIntoFolder({ o, ds, settings, model, spec, started, signal }));
}

/** The run folder of `train`: spec and θ(0), the training on its worker thread, the results. */
async function trainIntoFolder(run: {
  o: TrainCliOptions; ds: Dataset; settings: TrainSettings; model: Model; spec: Record<string, unknown>; started: Date; signal: AbortSignal;
}): Promise<void> {
  const { o, ds, settings, model, spec, started, signal } = run;
  const dir = createRunFolder(o.out, `train-${timeStamp(started)}-${shortHash(spec)}`);
  let outcome: IsolatedTrainOutcome;
  try {
    writeFileAtomic(join(dir, "spec.json"), toJson(stamped("spec", spec)));
    writeFileAtomic(join(dir, "initial.json"), toJson(stamped("model", modelToJson(model))));
    const bar = progressBar(!o.json && process.stderr.isTTY === true);
    outcome = await trainIsolated(model, ds, settings, { onProgress: bar.update, signal });
    bar.stop();
    const summary = trainSummary(dir, outcome);
    writeTrainResults(dir, outcome, summary, started);
    if (outcome.interrupted) {
      markIncomplete(dir, `interrupted (SIGINT) after ${outcome.result.steps} steps at t = ${outcome.result.t}; trajectory.json, metrics.jsonl, final.json and result.json hold the run up to there`);
      throw new InterruptedError(dir, `interrupted after ${outcome.result.steps} steps`);
    }
    markComplete(dir);
    if (o.json) printJson(summary);
    else printLines(...formatTrain(model, ds, settings, outcome, summary, dir));
    if (missedRequest(outcome, settings)) process.exitCode = EXIT_TOLERANCE;
  } catch (err) {
    if (!(err instanceof InterruptedError)) markIncomplete(dir, `failed: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
}

/** Register `splitscape train`. */
export function registerTrain(program: Command): void {
  const d = TRAIN_DEFAULTS;
  program
    .command("train")
    .description("train a network (gradient flow, RK4, GD, SGD or loss-based GD) and write a run folder")
    .option("--model <M>", "initial model file (.json)")
    .option("--init <SPEC>", "initialise instead: width=m|hidden=AxB,activation=A,scale=δ,seed=s,balanced,bias")
    .requiredOption("--data <D>", "dataset: .json or .csv file, or builtin:NAME?key=value&…")
    .addOption(new Option("--loss <L>", "loss").choices([...LOSS_NAMES]).makeOptionMandatory())
    .option("--mean", "mean over samples instead of the sum")
    .addOption(new Option("--method <M>", "training method").choices([...TRAIN_METHODS]).default(d.method))
    .option("--lr <η>", withDefault("step size (gd, sgd) or initial α₀ (loss-based)", d.lr))
    .option("--h <h>", withDefault("fixed step of rk4", d.h))
    .option("--rtol <r>", withDefault("DOPRI5 relative tolerance", d.rtol))
    .option("--atol <a>", withDefault("DOPRI5 absolute tolerance", d.atol))
    .option("--batch <B>", withDefault("SGD batch size", d.batch))
    .option("--batch-seed <s>", withDefault("seed of the SGD batch order", d.batchSeed))
    .option("--time <T>", withDefault("stop at flow time T", `${d.flowTime} for flow/rk4 when --steps is not given`))
    .option("--steps <N>", withDefault("stop after N accepted steps", `${d.steps} for gd/sgd/loss-based when --time is not given`))
    .option("--loss-below <l>", "stop when the loss is below l")
    .option("--grad-below <g>", "stop when ‖∇ℒ‖ is below g")
    .option("--norm-above <r>", "stop when ‖θ‖ is above r")
    .option("--wall <s>", "stop after s seconds of wall-clock time")
    .option("--samples <N>", withDefault("cap on stored trajectory samples", d.samples))
    .addOption(labelColsOption())
    .addOption(outFolderOption())
    .option("--json", "print one JSON object (the summary)")
    .action((o: TrainCliOptions) => runTrain(o));
}
