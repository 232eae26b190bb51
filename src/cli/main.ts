import { Command } from "commander";
import { parseByteSize, setMemoryBudget } from "../common/index.js";
import { threadCount } from "../linalg/index.js";
import { VERSION } from "../version.js";
import { registerConvex } from "./commands/convex.js";
import { registerData } from "./commands/data.js";
import { registerEval } from "./commands/eval.js";
import { registerExport } from "./commands/export.js";
import { registerImport } from "./commands/import.js";
import { registerInspect } from "./commands/inspect.js";
import { registerKkt } from "./commands/kkt.js";
import { registerLab } from "./commands/lab.js";
import { registerNcf } from "./commands/ncf.js";
import { registerPlateau } from "./commands/plateau.js";
import { registerReport } from "./commands/report.js";
import { registerReproduce } from "./commands/reproduce.js";
import { registerRun } from "./commands/run.js";
import { registerSlice } from "./commands/slice.js";
import { registerSplit } from "./commands/split.js";
import { registerSweep } from "./commands/sweep.js";
import { registerTour } from "./commands/tour.js";
import { registerTrain } from "./commands/train.js";
import { registerWorker } from "./commands/worker.js";

import { EXIT_OK } from "./exitCodes.js";
import { addFormatOptions } from "./io.js";
import { reportFailure } from "./failure.js";

/** Build the commander program with every command registered. */
export function buildProgram(): Command {
  const program = new Command("splitscape")
    .description("float64 laboratory for the loss landscape of homogeneous neural networks")
    .version(VERSION)
    .option("--max-memory <size>", "memory budget for the size checks (e.g. 8G; default: the smaller of 4G and half the machine's memory; also SPLITSCAPE_MAX_MEMORY)")
    // Usage errors are printed by reportFailure as one line (and as JSON with --json).
    .configureOutput({ outputError: () => undefined })
    .exitOverride();
  program.hook("preAction", () => {
    const raw = program.opts<{ maxMemory?: string }>().maxMemory;
    setMemoryBudget(raw === undefined ? undefined : parseByteSize(raw, "--max-memory"));
    threadCount(); // a bad SPLITSCAPE_THREADS: exit 2 before any command runs
  });
  registerData(program);
  registerConvex(program);
  registerEval(program);
  registerKkt(program);
  registerSplit(program);
  registerNcf(program);
  registerPlateau(program);
  registerTrain(program);
  registerRun(program);
  registerReport(program);
  registerSweep(program);
  registerTour(program);
  registerReproduce(program);
  registerLab(program);
  registerImport(program);
  registerExport(program);
  registerInspect(program);
  registerSlice(program);
  registerWorker(program);
  addFormatOptions(program);
  return program;
}

/** Run the CLI on `argv` (as in process.argv) and return the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
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
