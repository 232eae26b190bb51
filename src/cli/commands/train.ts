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
 * The folder carries an INCOMPLETE marker until everything is written.
 */
import { EXIT_TOLERANCE } from "../exitCodes.js";
import { Option, type Command } from "commander";
import cliProgress from "cli-progress";
import { join } from "node:path";
import { writeFileAtomic } from "../../common/atomic.js";
import { InputError } from "../../common/errors.js";
import type { Progress, StopRules } from "../../dynamics/index.js";
import {
  TRAIN_METHODS, createRunFolder, currentEnvironment, markComplete, markIncomplete, runJsonReplacer, shortHash, timeStamp,
  trainModel, type TrainMethod, type TrainSettings,
} from "../../experiments/index.js";
import {
  LOSS_NAMES, describeArchitecture, initializeModel, mlpArchitecture, modelToJson, parseActivation,
  twoLayerArchitecture, type Architecture, type LossName, type Model,
} from "../../model/index.js";
import { VERSION } from "../../version.js";
import { labelColsOption, loadModelArg, parseLabelCols, printJson, printLines, resolveDataset } from "../io.js";
import { checkModelAgainstData } from "./eval.js";

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
  if (!Number.isFinite(v) || v <= 0) throw new InputError(option, `expected a positive finite number, got ${JSON.stringify(raw)}`);
  return v;
}

function positiveInt(option: string, raw: string | undefined): number | undefined {
  const v = positive(option, raw);
  if (v !== undefined && !Number.isInteger(v)) throw new InputError(option, `expected a positive integer, got ${JSON.stringify(raw)}`);
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

/**
 * Parse `--init width=20,activation=relu,scale=1e-3,seed=0,balanced` (a bare key means true)
 * into an architecture and initialisation settings.
 */
export function parseInitSpec(spec: string, d: number, k: number): { arch: Architecture; seed: number; scale?: number; balanced: boolean } {
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
    if (!Number.isFinite(x)) throw new InputError("--init", `${key} must be a finite number, got ${JSON.stringify(v)}`);
    return x;
  };
  const actName = kv.get("activation") ?? "relu";
  const activation = parseActivation({ name: actName, slope: num("slope"), power: num("power") }, "--init", "activation");
  const width = num("width");
  const hidden = kv.get("hidden");
  if ((width === undefined) === (hidden === undefined)) throw new InputError("--init", "give exactly one of width=m (two-layer) or hidden=h1xh2x… (bias-free MLP)");
  let arch: Architecture;
  if (width !== undefined) {
    if (!Number.isInteger(width) || width < 1) throw new InputError("--init", `width must be a positive integer, got ${width}`);
    arch = twoLayerArchitecture({ d, m: width, k, activation, inputBias: bool("bias") });
  } else {
    const hs = hidden!.split("x").map(Number);
    if (hs.some((h) => !Number.isInteger(h) || h < 1)) throw new InputError("--init", `hidden must be positive integers joined by x (e.g. 3x2), got ${JSON.stringify(hidden)}`);
    arch = mlpArchitecture([d, ...hs, k], activation);
  }
  const seed = num("seed") ?? 0;
  if (!Number.isInteger(seed) || seed < 0) throw new InputError("--init", `seed must be a non-negative integer, got ${seed}`);
  const scale = num("scale");
  if (scale !== undefined && !(scale > 0)) throw new InputError("--init", `scale must be positive, got ${scale}`);
  return { arch, seed, scale, balanced: bool("balanced") };
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
    if (method === "flow" || method === "rk4") stop.maxTime = 100;
    else stop.maxSteps = 10_000;
  }
  return stop;
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

export function registerTrain(program: Command): void {
  program
    .command("train")
    .description("train a network (gradient flow, RK4, GD, SGD or loss-based GD) and write a run folder")
    .option("--model <M>", "initial model file (.json)")
    .option("--init <SPEC>", "initialise instead: width=m|hidden=AxB,activation=A,scale=δ,seed=s,balanced,bias")
    .requiredOption("--data <D>", "dataset: .json or .csv file, or builtin:NAME?key=value&…")
    .addOption(new Option("--loss <L>", "loss").choices([...LOSS_NAMES]).makeOptionMandatory())
    .option("--mean", "mean over samples instead of the sum")
    .addOption(new Option("--method <M>", "training method").choices([...TRAIN_METHODS]).default("flow"))
    .option("--lr <η>", "step size (gd, sgd) or initial α₀ (loss-based); default 0.1")
    .option("--h <h>", "fixed step of rk4 (default 0.01)")
    .option("--rtol <r>", "DOPRI5 relative tolerance (default 1e-8)")
    .option("--atol <a>", "DOPRI5 absolute tolerance (default 1e-12)")
    .option("--batch <B>", "SGD batch size (default 16)")
    .option("--batch-seed <s>", "seed of the SGD batch order (default 0)")
    .option("--time <T>", "stop at flow time T (default 100 for flow/rk4)")
    .option("--steps <N>", "stop after N accepted steps (default 10000 for gd/sgd/loss-based)")
    .option("--loss-below <l>", "stop when the loss is below l")
    .option("--grad-below <g>", "stop when ‖∇ℒ‖ is below g")
    .option("--norm-above <r>", "stop when ‖θ‖ is above r")
    .option("--wall <s>", "stop after s seconds of wall-clock time")
    .option("--samples <N>", "cap on stored trajectory samples (default 2048)")
    .addOption(labelColsOption())
    .option("-o, --out <dir>", "parent folder of the run folder", "runs")
    .option("--json", "print one JSON object (the summary)")
    .action((o: TrainCliOptions) => {
      const ds = resolveDataset(o.data, { ...o, labelCols: parseLabelCols(o.labelCols) });
      const loss = o.loss as LossName;
      const method = o.method as TrainMethod;
      if ((o.model === undefined) === (o.init === undefined)) throw new InputError("--model/--init", "give exactly one of --model FILE or --init SPEC");
      let model: Model;
      let initRecord: Record<string, unknown>;
      if (o.model !== undefined) {
        model = loadModelArg(o.model, o);
        initRecord = { model: o.model };
      } else {
        const init = parseInitSpec(o.init!, ds.X.cols, ds.Y.cols);
        model = initializeModel(init.arch, { seed: init.seed, scale: init.scale, balanced: init.balanced });
        initRecord = { init: o.init, seed: init.seed, scale: init.scale ?? null, balanced: init.balanced };
      }
      checkModelAgainstData(model, o.model ?? "--init", ds, loss);
      const settings: TrainSettings = {
        method,
        loss,
        mean: o.mean ?? false,
        lr: positive("--lr", o.lr) ?? 0.1,
        h: positive("--h", o.h) ?? 0.01,
        rtol: positive("--rtol", o.rtol) ?? 1e-8,
        atol: positive("--atol", o.atol) ?? 1e-12,
        batchSize: positiveInt("--batch", o.batch) ?? 16,
        batchSeed: o.batchSeed === undefined ? 0 : Number(o.batchSeed),
        stop: stopRules(o, method),
        maxSamples: positiveInt("--samples", o.samples) ?? 2048,
      };
      if (!Number.isInteger(settings.batchSeed) || settings.batchSeed < 0) throw new InputError("--batch-seed", `expected a non-negative integer, got ${JSON.stringify(o.batchSeed)}`);

      const spec = {
        command: "train",
        splitscapeVersion: VERSION,
        data: ds.source,
        architecture: describeArchitecture(model.arch),
        ...initRecord,
        ...settings,
      };
      const started = new Date();
      const dir = createRunFolder(o.out, `train-${timeStamp(started)}-${shortHash(spec)}`);
      const json = (v: unknown) => `${JSON.stringify(v, runJsonReplacer, 2)}\n`;
      try {
        writeFileAtomic(join(dir, "spec.json"), json(spec));
        writeFileAtomic(join(dir, "initial.json"), json(modelToJson(model)));
        const bar = progressBar(!o.json && process.stderr.isTTY === true);
        const outcome = trainModel(model, ds, settings, bar.update);
        bar.stop();
        const r = outcome.result;
        const summary = {
          runFolder: dir,
          integrator: outcome.integrator,
          stop: r.stop,
          reason: r.reason,
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
          samples: outcome.trajectory.t.length,
        };
        const tr = outcome.trajectory;
        const lines = tr.t.map((_, i) => {
          const rec: Record<string, number> = {
            step: tr.step[i], t: tr.t[i], logT: tr.logT[i], loss: tr.loss[i], logLoss: tr.logLoss[i],
            norm: tr.norm[i], logNorm: tr.logNorm[i], gradNorm: tr.gradNorm[i],
          };
          for (const [name, col] of Object.entries(tr.metrics)) rec[name] = col[i];
          return JSON.stringify(rec, runJsonReplacer);
        });
        writeFileAtomic(join(dir, "metrics.jsonl"), lines.length ? `${lines.join("\n")}\n` : "");
        writeFileAtomic(join(dir, "trajectory.json"), json(tr));
        writeFileAtomic(join(dir, "final.json"), json(modelToJson(outcome.final)));
        const { runFolder: _omit, ...deterministic } = summary;
        writeFileAtomic(join(dir, "result.json"), json(deterministic));
        writeFileAtomic(join(dir, "run.json"), json({
          started: started.toISOString(), finished: new Date().toISOString(), elapsedMs: r.elapsedMs, environment: currentEnvironment(),
        }));
        markComplete(dir);
        if (o.json) printJson(summary);
        else {
          printLines(
            `trained ${describeArchitecture(model.arch)} on ${ds.source} (${loss}, ${settings.mean ? "mean" : "sum"}) by ${outcome.integrator}`,
            `stopped: ${r.stop} — ${r.reason}`,
            `t = ${r.t.toPrecision(6)}, steps = ${r.steps}, loss = ${r.loss.toExponential(6)} (log ${r.logLoss.toFixed(6)}), ‖∇ℒ‖ = ${r.gradNorm.toExponential(3)}, ‖θ‖ = ${Math.exp(r.logNorm).toPrecision(6)}`,
            `run folder: ${dir}`,
          );
        }
        // The requested training did not happen when the integrator stalled, hit a non-finite
        // value, or ran into its internal step cap before the requested stopping rule: exit 1.
        const unrequestedCap = r.stop === "maxSteps" && settings.stop.maxSteps === undefined;
        if (r.stop === "stalled" || r.stop === "nonFinite" || unrequestedCap) process.exitCode = EXIT_TOLERANCE;
      } catch (err) {
        markIncomplete(dir, `failed: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
    });
}
