import { Command, CommanderError } from "commander";
import { InputError } from "../common/errors.js";
import { VERSION } from "../version.js";
import { registerConvex } from "./commands/convex.js";
import { registerData } from "./commands/data.js";
import { registerEval } from "./commands/eval.js";
import { registerExport } from "./commands/export.js";
import { registerImport } from "./commands/import.js";
import { registerKkt } from "./commands/kkt.js";
import { registerLab } from "./commands/lab.js";
import { registerNcf } from "./commands/ncf.js";
import { registerPlateau } from "./commands/plateau.js";
import { registerReport } from "./commands/report.js";
import { registerReproduce } from "./commands/reproduce.js";
import { registerRun } from "./commands/run.js";
import { registerSplit } from "./commands/split.js";
import { registerSweep } from "./commands/sweep.js";
import { registerTour } from "./commands/tour.js";
import { registerTrain } from "./commands/train.js";

import { EXIT_INPUT, EXIT_OK } from "./exitCodes.js";
import { addFormatOptions } from "./io.js";

/** Build the commander program with every command registered. */
export function buildProgram(): Command {
  const program = new Command("splitscape")
    .description("float64 laboratory for the loss landscape of homogeneous neural networks")
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
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
  addFormatOptions(program);
  return program;
}

/** Run the CLI on `argv` (as in process.argv) and return the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") {
        return EXIT_OK;
      }
      return EXIT_INPUT; // commander has already printed the usage error
    }
    if (err instanceof InputError) {
      process.stderr.write(`splitscape: ${err.message}\n`);
      return EXIT_INPUT;
    }
    throw err;
  }
}
