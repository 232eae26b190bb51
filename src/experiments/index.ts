// The public face of experiments: the registry of experiment kinds, spec files, run folders,
// re-rendering, sweeps and the tour. Importing it registers every built-in kind (kinds/).
import "./kinds/index.js";

export type { ExperimentDefinition, ExperimentResult, RunContext, RunSpec, Scalar, Summary, SummaryOfRun } from "./types.js";
export type { ExperimentSummaries, ExperimentKind, SummaryOf } from "./summaries.js";
export { runExperiment } from "./execute.js";
export { FAMILIES, FAMILY_IDS, isFamilyId, type FamilyId } from "./families.js";
export { registerExperiment, unregisterExperiment, getExperiment, experimentKinds, listExperiments, experimentsOfFamily } from "./registry.js";
export {
  loadSpec, validateSpec, validateParams, readSpecFile, parseSpecText, paramNames, describeParams, type LoadedSpec, type Grid, type ParamDescription,
} from "./spec.js";
export { parseWithSchema, formatPath, describeJsonSchema } from "./zodErrors.js";
export { canonicalJson, shortHash } from "./hash.js";
export {
  INCOMPLETE,
  SPEC_FILE,
  RESULT_FILE,
  RUN_FILE,
  METRICS_FILE,
  REPORT_FILE,
  FIGURES_DIR,
  runId,
  specHash,
  createRunFolder,
  markComplete,
  markIncomplete,
  timeStamp,
  isComplete,
  incompleteReason,
  readRunJson,
} from "./runFolder.js";
export { runToFolder, executeExperiment, specRecord, RunFailedError, type RunOptions, type RunOutcome } from "./runner.js";
export { rerenderRun, type RerenderOutcome } from "./rerender.js";
export { currentEnvironment, type Environment } from "./environment.js";
export { expandGrid, gridSize, type GridCell } from "./grid.js";
export { runCells, openCellPool, compiledWorkerUrl, poolMode, type PoolOptions, type CellPool } from "./pool.js";
export type { CellTask, CellOutcome } from "./cellTask.js";
export {
  runSweep, sweepFolderName, prepareSweep, finishSweep, interruptSweep, cellFolder, type SweepOptions, type SweepOutcome, type SweepMode, type PreparedSweep,
} from "./sweep.js";
export { summaryCsv, summaryColumns, summaryFigures, aggregateVerdicts, type SummaryRow } from "./summary.js";
export { runTour, type TourEntry, type TourOutcome, type TourOptions } from "./tour.js";
export { runJsonReplacer, toJsonText, writeJsonAtomic } from "./json.js";
export { TRAIN_METHODS, SMALL_INIT_NORM, trainModel, type TrainMethod, type TrainSettings, type TrainOutcome } from "./training.js";
export { type TrainHooks } from "./training.js";
export { trainIsolated, compiledTrainWorkerUrl, type TrainIsolatedOptions, type IsolatedTrainOutcome } from "./trainHost.js";
export {
  inProcessExecutor, workerExecutor, defaultExecutor, compiledExperimentWorkerUrl, removeTemporaryFiles,
  type ExperimentExecutor, type Execution, type ExecuteOptions,
} from "./executor.js";
