/**
 * `splitscape ncf --data D --activation A [--width m] [--depth L] [--starts N] [--seed s] [--mean]
 * [--json]`: KKT points of the constrained neural correlation function max 𝒩(u) s.t. ‖u‖ = 1
 * for a bias-free two-layer net of width m (or, with --depth > 2, a bias-free MLP of that many
 * layers, hidden widths m). JSON: {"points": [{"u", "value", "residual", "kind", …}], "best", …}.
 */
import type { Command } from "commander";
import { InputError } from "../../common/errors.js";
import { activationHomogeneity, mlpArchitecture, parseActivation, twoLayerArchitecture, type Activation, type Architecture } from "../../model/index.js";
import { ncfKktPoints, ncfProblem, type NcfKktResult } from "../../ncf/index.js";
import { fork } from "../../random/index.js";
import { labelColsOption, parseIntOption, printJson, printLines, resolveDataset } from "../io.js";

interface NcfOptions {
  data: string;
  activation: string;
  width?: string;
  depth?: string;
  starts?: string;
  seed?: string;
  mean?: boolean;
  labelCols?: string;
  json?: boolean;
}

function parseActivationOption(raw: string): Activation {
  let spec: unknown = raw;
  const m = /^([a-z_]+)(?:[:(]([-+0-9.eE]+)\)?)?$/.exec(raw.trim());
  if (m && m[2] !== undefined) {
    spec = m[1] === "relu_power" ? { name: m[1], power: Number(m[2]) } : { name: m[1], slope: Number(m[2]) };
  }
  const act: Activation = parseActivation(spec, "--activation", "value");
  if (activationHomogeneity(act) === null) {
    throw new InputError("--activation", `the NCF needs a positively homogeneous activation (relu, leaky_relu:a, linear, relu_power:p), got ${raw}`);
  }
  return act;
}

/** Compute the ncf command's result (no printing). */
export function runNcfCommand(opts: NcfOptions): NcfKktResult & { data: string; architecture: Architecture; seed: number } {
  const act = parseActivationOption(opts.activation);
  const width = parseIntOption("--width", opts.width, 1, 10_000) ?? 6;
  const depth = parseIntOption("--depth", opts.depth, 2, 20) ?? 2;
  const starts = parseIntOption("--starts", opts.starts, 1, 100_000) ?? 32;
  const seed = parseIntOption("--seed", opts.seed, 0, 2 ** 31 - 1) ?? 1;
  const ds = resolveDataset(opts.data, opts);
  if (ds.Y.cols !== 1) throw new InputError(ds.source, `the NCF needs scalar targets, got ${ds.Y.cols} target columns`, "y");
  const d = ds.X.cols;
  const arch: Architecture = depth === 2
    ? twoLayerArchitecture({ d, m: width, activation: act })
    : mlpArchitecture([d, ...Array.from({ length: depth - 1 }, () => width), 1], act);
  const prob = ncfProblem(arch, ds, { mean: opts.mean });
  const r = ncfKktPoints(prob, { starts, rng: fork(seed, "ncf-cli") });
  return { ...r, data: ds.source, architecture: arch, seed };
}

function fmt(x: number): string {
  return Number.isFinite(x) ? (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? x.toPrecision(6) : x.toExponential(3)) : String(x);
}

/** Register `ncf` on the program. */
export function registerNcf(program: Command): void {
  program
    .command("ncf")
    .description("KKT points of the constrained neural correlation function max 𝒩(u) s.t. ‖u‖ = 1 (small initialisation)")
    .requiredOption("--data <D>", "dataset: .json or .csv file, or builtin:NAME?key=value&…")
    .requiredOption("--activation <A>", "homogeneous activation: relu, leaky_relu:0.1, linear, relu_power:2")
    .option("--width <m>", "hidden width (default 6)")
    .option("--depth <L>", "number of layers (default 2: two-layer; > 2: bias-free MLP)")
    .option("--starts <N>", "seeded starts of the ascent (default 32)")
    .option("--seed <s>", "seed of the starts (default 1)")
    .option("--mean", "mean convention: 𝒩 divided by n")
    .addOption(labelColsOption())
    .option("--json", "print one JSON object")
    .action((opts: NcfOptions) => {
      const r = runNcfCommand(opts);
      if (opts.json) {
        printJson({
          data: r.data,
          seed: r.seed,
          starts: r.starts,
          ncfStar: r.ncfStar,
          best: r.best,
          points: r.points.map((p) => ({
            u: p.u, value: p.value, residual: p.residual, gradientResidual: p.gradientResidual, kind: p.kind,
            nonNegative: p.nonNegative, hits: p.hits, kinks: p.kinks, activeNeurons: p.activeNeurons,
          })),
        });
        return;
      }
      const lines = [`data ${r.data}: ${r.points.length} KKT points from ${r.starts} starts (seed ${r.seed})`];
      if (r.ncfStar !== null) lines.push(`𝒩* (reduced single-neuron problem) = ${fmt(r.ncfStar)}`);
      for (const p of r.points) lines.push(`  value ${fmt(p.value)}  residual ${fmt(p.residual)}  ${p.kind}${p.activeNeurons !== undefined ? `  (${p.activeNeurons} active)` : ""}  hits ${p.hits}`);
      lines.push(`best ${fmt(r.best)}`);
      printLines(...lines);
    });
}
