/**
 * `splitscape ncf --data D --activation A [--width m] [--depth L] [--starts N] [--seed s] [--mean]
 * [--json]`: KKT points of the constrained neural correlation function max 𝒩(u) s.t. ‖u‖ = 1
 * for a bias-free two-layer net of width m (or, with --depth > 2, a bias-free MLP of that many
 * layers, hidden widths m). Only candidates whose Clarke residual is at most tol·L·max|𝒩| (--tol,
 * default 1e-6) are listed as KKT points; the others are counted as "not converged". Exit 1
 * when none converged. JSON: {"points": [{"u", "value", "residual", "kind", …}], "notConverged":
 * {"count", "points": [{"value", "residual", …}]}, "tolerance": {"relative", "absolute"}, "best", …}.
 */
import type { Command } from "commander";
import { InputError } from "../../common/errors.js";
import { activationHomogeneity, mlpArchitecture, parseActivation, twoLayerArchitecture, type Activation, type Architecture } from "../../model/index.js";
import { NCF_RESIDUAL_TOL, ncfKktPoints, ncfProblem, type NcfKktResult } from "../../ncf/index.js";
import { EXIT_TOLERANCE } from "../exitCodes.js";
import { fork } from "../../random/index.js";
import { labelColsOption, parseIntOption, printJson, printLines, resolveDataset } from "../io.js";

interface NcfOptions {
  data: string;
  activation: string;
  width?: string;
  depth?: string;
  starts?: string;
  seed?: string;
  tol?: string;
  mean?: boolean;
  labelCols?: string;
  json?: boolean;
}

/** The defaults of `ncf`, written once (help text and behaviour). */
const NCF_DEFAULTS = { width: 6, depth: 2, starts: 32, seed: 1 } as const;

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
  const width = parseIntOption("--width", opts.width, 1, 10_000) ?? NCF_DEFAULTS.width;
  const depth = parseIntOption("--depth", opts.depth, 2, 20) ?? NCF_DEFAULTS.depth;
  const starts = parseIntOption("--starts", opts.starts, 1, 100_000) ?? NCF_DEFAULTS.starts;
  const seed = parseIntOption("--seed", opts.seed, 0, 2 ** 31 - 1) ?? NCF_DEFAULTS.seed;
  const tol = opts.tol === undefined ? NCF_RESIDUAL_TOL : Number(opts.tol);
  if (!(tol > 0) || !Number.isFinite(tol) || opts.tol?.trim() === "") throw new InputError("--tol", `expected a positive number, got ${JSON.stringify(opts.tol)}`);
  const ds = resolveDataset(opts.data, opts);
  if (ds.Y.cols !== 1) throw new InputError(ds.source, `the NCF needs scalar targets, got ${ds.Y.cols} target columns`, "y");
  const d = ds.X.cols;
  const arch: Architecture = depth === 2
    ? twoLayerArchitecture({ d, m: width, activation: act })
    : mlpArchitecture([d, ...Array.from({ length: depth - 1 }, () => width), 1], act);
  const prob = ncfProblem(arch, ds, { mean: opts.mean });
  const r = ncfKktPoints(prob, { starts, rng: fork(seed, "ncf-cli"), residualTol: tol });
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
    .option("--width <m>", `hidden width (default ${NCF_DEFAULTS.width})`)
    .option("--depth <L>", `number of layers (default ${NCF_DEFAULTS.depth}: two-layer; > 2: bias-free MLP)`)
    .option("--starts <N>", `seeded starts of the ascent (default ${NCF_DEFAULTS.starts})`)
    .option("--seed <s>", `seed of the starts (default ${NCF_DEFAULTS.seed})`)
    .option("--tol <r>", `a KKT point has Clarke residual ≤ r·L·max|𝒩| (default ${NCF_RESIDUAL_TOL}); exit 1 if none does`)
    .option("--mean", "mean convention: 𝒩 divided by n")
    .addOption(labelColsOption())
    .option("--json", "print one JSON object")
    .action((opts: NcfOptions) => {
      const r = runNcfCommand(opts);
      const absolute = r.residualTol * r.residualScale;
      if (opts.json) {
        printJson({
          data: r.data,
          seed: r.seed,
          starts: r.starts,
          tolerance: { relative: r.residualTol, absolute, scale: "L·max|𝒩| over the candidates" },
          ncfStar: r.ncfStar,
          best: r.points.length > 0 ? r.best : null,
          points: r.points.map((p) => ({
            u: p.u, value: p.value, residual: p.residual, gradientResidual: p.gradientResidual, kind: p.kind,
            nonNegative: p.nonNegative, hits: p.hits, kinks: p.kinks, activeNeurons: p.activeNeurons,
          })),
          notConverged: {
            count: r.unconverged.length,
            points: r.unconverged.map((p) => ({ u: p.u, value: p.value, residual: p.residual, gradientResidual: p.gradientResidual, hits: p.hits })),
          },
        });
      } else {
        const lines = [`data ${r.data}: ${r.points.length} KKT points from ${r.starts} starts (seed ${r.seed})`];
        if (r.ncfStar !== null) lines.push(`𝒩* (reduced single-neuron problem) = ${fmt(r.ncfStar)}`);
        for (const p of r.points) lines.push(`  value ${fmt(p.value)}  residual ${fmt(p.residual)}  ${p.kind}${p.activeNeurons !== undefined ? `  (${p.activeNeurons} active)` : ""}  hits ${p.hits}`);
        if (r.unconverged.length > 0) {
          const res = r.unconverged.map((p) => p.residual);
          lines.push(`not converged: ${r.unconverged.length} more end points with residual ${fmt(Math.min(...res))} … ${fmt(Math.max(...res))} > ${fmt(absolute)} (tol ${r.residualTol.toExponential(0)}·L·max|𝒩|): not KKT points`);
        }
        lines.push(r.points.length > 0 ? `best ${fmt(r.best)}` : `no KKT point met the tolerance (more --starts, or a looser --tol)`);
        printLines(...lines);
      }
      if (r.points.length === 0) process.exitCode = EXIT_TOLERANCE;
    });
}
