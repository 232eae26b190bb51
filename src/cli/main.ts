import { Command } from "commander";
import { parseByteSize, setMemoryBudget } from "../common/index.js";
import { VERSION } from "../version.js";
import { EXIT_OK } from "./exitCodes.js";
import { reportFailure } from "./failure.js";

type Register = (program: Command) => void;

/**
 * Every command: its name, the term and one-line description the top-level help lists, and the
 * module that registers it. Only the command being run is imported (each pulls in the layers it
 * uses; `run`, `sweep`, `tour` and `train` the whole experiments layer), so `--help`,
 * `--version` and light commands start without loading the library. The help columns are
 * checked against the registered commands by test/cli/lazyStart.test.ts.
 */
export const COMMANDS: ReadonlyArray<{ name: string; term: string; description: string; load: () => Promise<Register> }> = [
  { name: "data", term: "data", description: "built-in datasets and dataset files", load: async () => (await import("./commands/data.js")).registerData },
  { name: "convex", term: "convex [options]", description: "solve the convex reformulation of a weight-decayed two-layer ReLU network, or certify a network (--certify)", load: async () => (await import("./commands/convex.js")).registerConvex },
  { name: "eval", term: "eval [options]", description: "loss, log-loss, gradient and margins of a model on a dataset; --hessian adds the Hessian and its eigenvalues", load: async () => (await import("./commands/eval.js")).registerEval },
  { name: "kkt", term: "kkt [options]", description: "normalised margin and Clarke-aware KKT certificate (ε, δ, λ) of the max-margin problem", load: async () => (await import("./commands/kkt.js")).registerKkt },
  { name: "split", term: "split [options]", description: "split a hidden unit: the splitting map T (c_i ≥ 0, Σc_i² = 1) or copy-and-divide; checks isometry, function and gradient preservation", load: async () => (await import("./commands/split.js")).registerSplit },
  { name: "ncf", term: "ncf [options]", description: "KKT points of the constrained neural correlation function max 𝒩(u) s.t. ‖u‖ = 1 (small initialisation)", load: async () => (await import("./commands/ncf.js")).registerNcf },
  { name: "plateau", term: "plateau [options]", description: "stationarity, inner Hessian and classification of the split points of a unit, checked against the full Hessian", load: async () => (await import("./commands/plateau.js")).registerPlateau },
  { name: "train", term: "train [options]", description: "train a network (gradient flow, RK4, GD, SGD or loss-based GD) and write a run folder", load: async () => (await import("./commands/train.js")).registerTrain },
  { name: "run", term: "run [options] [spec]", description: "run an experiment spec (JSON or YAML) into runs/<id>/: spec, result, metrics, figures, report", load: async () => (await import("./commands/run.js")).registerRun },
  { name: "report", term: "report [options] <run>", description: "re-render a run folder's figures and report.html from spec.json and result.json (nothing is re-run)", load: async () => (await import("./commands/report.js")).registerReport },
  { name: "sweep", term: "sweep [options] [spec]", description: "run a spec's grid (parameters × seeds) on a worker pool, or through a Redis queue on many machines; finished cells are not re-run", load: async () => (await import("./commands/sweep.js")).registerSweep },
  { name: "worker", term: "worker [options]", description: "run sweep cells from a Redis queue (see `sweep --queue`) until stopped by SIGTERM or Ctrl-C; logs on stderr", load: async () => (await import("./commands/worker.js")).registerWorker },
  { name: "tour", term: "tour [options]", description: "run every family's headline experiment on built-in data and write one report (what `npm start` runs)", load: async () => (await import("./commands/tour.js")).registerTour },
  { name: "reproduce", term: "reproduce [options] [id]", description: "re-run a paper's published experiment on the authors' data and weights and set each published number beside ours (run folder with figures and report)", load: async () => (await import("./commands/reproduce.js")).registerReproduce },
  { name: "lab", term: "lab [options]", description: "serve the web lab on 127.0.0.1 (the library runs in the page, in a Web Worker)", load: async () => (await import("./commands/lab.js")).registerLab },
  { name: "import", term: "import [options] <weights>", description: "map PyTorch weights (a torch.nn.Sequential's state_dict in .safetensors) onto a splitscape model file", load: async () => (await import("./commands/import.js")).registerImport },
  { name: "export", term: "export [options] <model>", description: "write a model's weights as a torch.nn.Sequential state_dict in .safetensors (load_state_dict accepts it)", load: async () => (await import("./commands/export.js")).registerExport },
  { name: "inspect", term: "inspect [options]", description: "every analysis that applies to a trained network: stationarity and curvature, redundancy (splits), max-margin, convex certificate, plateau class", load: async () => (await import("./commands/inspect.js")).registerInspect },
  { name: "slice", term: "slice [options]", description: "the loss along a line or over a plane through a network (random filter-normalised, to:MODEL2, hessian:K, plateau:UNIT, plateau-across:UNIT, or the convex path)", load: async () => (await import("./commands/slice.js")).registerSlice },
];

/**
 * The command that `argv` runs (for `help CMD`, the one it asks about), or undefined: the first
 * word after the global options (`--max-memory` takes a value).
 */
export function commandOf(argv: readonly string[]): string | undefined {
  const words = argv.slice(2);
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === "--max-memory") { i++; continue; }
    if (w.startsWith("-")) continue;
    return w === "help" ? words[i + 1] : w;
  }
  return undefined;
}

function baseProgram(): Command {
  const program = new Command("splitscape")
    .description("float64 laboratory for the loss landscape of homogeneous neural networks")
    .version(VERSION)
    .option("--max-memory <size>", "memory budget for the size checks (e.g. 8G; default: the smaller of 4G and half the machine's memory; also SPLITSCAPE_MAX_MEMORY)")
    // Usage errors are printed by reportFailure as one line (and as JSON with --json).
    .configureOutput({ outputError: () => undefined })
    .exitOverride();
  program.hook("preAction", async () => {
    const raw = program.opts<{ maxMemory?: string }>().maxMemory;
    setMemoryBudget(raw === undefined ? undefined : parseByteSize(raw, "--max-memory"));
    const { threadCount } = await import("../linalg/index.js");
    const { fusedRequested } = await import("../linalg/kernels/wasm.js");
    threadCount(); // a bad SPLITSCAPE_THREADS or SPLITSCAPE_FUSED: exit 2 before any command runs
    fusedRequested();
  });
  return program;
}

/**
 * The commander program. With `only`, the commands named there are registered in full and the
 * others as placeholders that carry their help line (enough for `--help`, `--version` and
 * "unknown command" suggestions); without it, every command is registered.
 */
export async function buildProgram(only?: ReadonlySet<string>): Promise<Command> {
  const program = baseProgram();
  const placeholders = new Map<string, string>();
  let loaded = 0;
  for (const c of COMMANDS) {
    if (only === undefined || only.has(c.name)) {
      (await c.load())(program);
      loaded++;
    } else {
      program.command(c.name).description(c.description);
      placeholders.set(c.name, c.term);
    }
  }
  const helper = program.createHelp();
  program.configureHelp({ subcommandTerm: (cmd) => placeholders.get(cmd.name()) ?? helper.subcommandTerm(cmd) });
  if (loaded > 0) (await import("./io.js")).addFormatOptions(program); // io.js loads the data and model layers
  return program;
}

/** Run the CLI on `argv` (as in process.argv) and return the exit code. */
export async function main(argv: string[]): Promise<number> {
  const name = commandOf(argv);
  const program = await buildProgram(new Set(name === undefined ? [] : [name]));
  setMemoryBudget(undefined);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT_OK;
  } catch (err) {
    return reportFailure(err, argv, program.commands.map((c) => c.name()));
  } finally {
    setMemoryBudget(undefined);
  }
}
